package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
)

// requiredPasswordSecret names the Secret of spec.credentials.passwordSecretRef
// among the function's required resources.
const requiredPasswordSecret = "password-secret"

// Aurora accepts 8 to 41 printable ASCII characters other than /, " and @
// (RDS API reference, CreateDBCluster MasterUserPassword); the Aurora user
// guide also excludes ' and space.
const minPasswordLength, maxPasswordLength = 8, 41

// suppliedPassword reads the bootstrap password the user supplied in
// spec.credentials.passwordSecretRef. Crossplane fetches the Secret when the
// function asks for it and calls again; the function asks only while the
// password has not reached the bootstrap Secret. The value never appears in
// an error, a condition or a log.
func (p *plan) suppliedPassword(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, o observed) (string, *field.Error) {
	ref := p.spec.Credentials.PasswordSecretRef
	if !p.selfManaged() || ref == nil || o.exists(nameBootstrapSecret) || o.exists(nameCluster) {
		return "", nil
	}
	ns := p.meta.Namespace
	if p.meta.Legacy {
		ns = p.namespace
	}
	if rsp.Requirements == nil {
		rsp.Requirements = &fnv1.Requirements{}
	}
	rsp.Requirements.Resources = map[string]*fnv1.ResourceSelector{requiredPasswordSecret: {
		ApiVersion: "v1",
		Kind:       "Secret",
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: ref.Name},
		Namespace:  ptr.To(ns),
	}}
	secrets, ok, err := request.GetRequiredResource(req, requiredPasswordSecret)
	if err != nil || !ok || len(secrets) == 0 {
		// Not fetched yet, or not there yet: the XR waits and says so.
		return "", nil
	}
	path := field.NewPath("spec", "credentials", "passwordSecretRef")
	data, _ := secrets[0].Resource.Object["data"].(map[string]any)
	enc, ok := data[ref.Key].(string)
	if !ok {
		return "", field.Invalid(path.Child("key"), ref.Key, fmt.Sprintf("Secret %q has no key %q", ref.Name, ref.Key))
	}
	pw, err := decodeBase64(enc)
	if err != nil || !validPassword(pw) {
		return "", field.Invalid(path, ref.Name+"/"+ref.Key, fmt.Sprintf("the password must be %d to %d printable ASCII characters other than /, @, \", ' and space (Aurora's limits)", minPasswordLength, maxPasswordLength))
	}
	return pw, nil
}

// validPassword applies RDS's rules for a master password.
func validPassword(pw string) bool {
	if len(pw) < minPasswordLength || len(pw) > maxPasswordLength {
		return false
	}
	for _, r := range pw {
		if r <= ' ' || r > '~' || r == '/' || r == '@' || r == '"' || r == '\'' {
			return false
		}
	}
	return true
}
