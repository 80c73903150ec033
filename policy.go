package main

import (
	"encoding/json"
)

// policyVersion is the only IAM policy language version AWS accepts today.
const policyVersion = "2012-10-17"

// policyDocument is an IAM or KMS key policy, built as a typed value so no
// policy is ever assembled from strings.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

// policyStatement is one statement of a policy document.
type policyStatement struct {
	Sid       string           `json:"Sid"`
	Effect    string           `json:"Effect"`
	Principal *policyPrincipal `json:"Principal,omitempty"`
	Action    []string         `json:"Action"`
	Resource  []string         `json:"Resource,omitempty"`
	Condition policyCondition  `json:"Condition,omitempty"`
}

// policyPrincipal names who a resource policy applies to.
type policyPrincipal struct {
	AWS     []string `json:"AWS,omitempty"`
	Service []string `json:"Service,omitempty"`
}

// policyCondition maps a condition operator to its keys and their values.
type policyCondition map[string]map[string][]string

// String renders the document as the JSON AWS expects. Marshalling these
// types cannot fail.
func (d policyDocument) String() string {
	j, _ := json.Marshal(d)
	return string(j)
}
