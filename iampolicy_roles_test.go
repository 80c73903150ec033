package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// iamRoleKinds are the IAM kinds whose resources the provider's policies
// scope by role name. For these, allowing the action is not enough: the
// statement that allows it must also cover the composed role's ARN, with its
// conditions met (AWS review 6, finding 1: an Enhanced Monitoring role no
// statement covered passed a check on action names alone).
var iamRoleKinds = []string{
	"iam.aws.m.upbound.io/Role",
	"iam.aws.m.upbound.io/RolePolicy",
	"iam.aws.m.upbound.io/RolePolicyAttachment",
}

// iamRequest is one call the provider makes: an action on a resource, with
// the values of the condition keys IAM evaluates for it (keys lower case).
type iamRequest struct {
	action, resource string
	context          map[string]string
}

// iamConditionHolds evaluates one statement's conditions against a request's
// context for the operators the published policies use. An operator it does
// not know does not hold, so the check errs towards "not allowed".
func iamConditionHolds(cond map[string]map[string]any, ctx map[string]string) bool {
	for op, keys := range cond {
		for k, v := range keys {
			var want []string
			switch v := v.(type) {
			case string:
				want = []string{v}
			case []any:
				for _, e := range v {
					want = append(want, fmt.Sprint(e))
				}
			}
			got, present := ctx[strings.ToLower(k)]
			match := func(eq func(p, s string) bool) bool {
				for _, w := range want {
					if present && eq(w, got) {
						return true
					}
				}
				return false
			}
			ok := false
			switch strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:") {
			case "Null":
				ok = len(want) == 1 && (want[0] == "false") == present
			case "StringEquals", "ArnEquals":
				ok = match(func(p, s string) bool { return p == s })
			case "StringLike", "ArnLike":
				ok = match(iamGlobMatch)
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// iamAllowedRequest reports whether some Allow statement of p names the
// request's action and resource, with its conditions met.
func iamAllowedRequest(p iamPolicy, r iamRequest) bool {
	for _, s := range p.Statement {
		if s.Effect != "Allow" || !iamConditionHolds(s.Condition, r.context) {
			continue
		}
		action, resource := false, false
		for _, a := range s.Action {
			action = action || iamActionMatches(a, r.action)
		}
		for _, res := range s.Resource {
			resource = resource || iamResourceMatches(res, r.resource)
		}
		if action && resource {
			return true
		}
	}
	return false
}

// goldenRoleRequests returns, for every IAM role kind composed in a golden,
// the calls the provider makes on it: each action of iamActionsByKind on the
// role's ARN (its external name in account 111122223333), with the provider's
// tag on the request and the role, the managed policy an attachment names,
// and, for iam:PassRole, the service the role's trust policy names.
func goldenRoleRequests(t *testing.T) map[string][]iamRequest {
	t.Helper()
	files, err := filepath.Glob("testdata/golden/*/desired.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type object struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
			Labels      map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			ForProvider struct {
				AssumeRolePolicy string `json:"assumeRolePolicy"`
				PolicyArn        string `json:"policyArn"`
				RoleSelector     *struct {
					MatchLabels map[string]string `json:"matchLabels"`
				} `json:"roleSelector"`
			} `json:"forProvider"`
		} `json:"spec"`
	}
	const component = "aurora-postgres.fn.crossplane.io/component"
	docSep := regexp.MustCompile(`(?m)^---\s*$`)
	out := map[string][]iamRequest{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var objs []object
		for _, doc := range docSep.Split(string(b), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var o object
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			objs = append(objs, o)
		}
		roles := map[string]object{}
		for _, o := range objs {
			if o.Kind == "Role" {
				roles[o.Metadata.Labels[component]] = o
			}
		}
		for _, o := range objs {
			role := o
			switch o.Kind {
			case "Role":
			case "RolePolicy", "RolePolicyAttachment":
				if o.Spec.ForProvider.RoleSelector == nil {
					t.Fatalf("%s: %s %s selects no role", f, o.Kind, o.Metadata.Labels[component])
				}
				r, ok := roles[o.Spec.ForProvider.RoleSelector.MatchLabels[component]]
				if !ok {
					t.Fatalf("%s: %s %s selects a role the golden does not compose", f, o.Kind, o.Metadata.Labels[component])
				}
				role = r
			default:
				continue
			}
			name := role.Metadata.Annotations["crossplane.io/external-name"]
			if name == "" {
				t.Fatalf("%s: Role %s has no external name", f, role.Metadata.Labels[component])
			}
			var trust struct {
				Statement []struct {
					Principal struct {
						Service iamStrings `json:"Service"`
					} `json:"Principal"`
				} `json:"Statement"`
			}
			if err := json.Unmarshal([]byte(role.Spec.ForProvider.AssumeRolePolicy), &trust); err != nil {
				t.Fatalf("%s: Role %s trust policy: %v", f, name, err)
			}
			ctx := map[string]string{
				"aws:requesttag/" + iamTagKey:  "default",
				"aws:resourcetag/" + iamTagKey: "default",
			}
			if o.Spec.ForProvider.PolicyArn != "" {
				ctx["iam:policyarn"] = o.Spec.ForProvider.PolicyArn
			}
			kind := "iam.aws.m.upbound.io/" + o.Kind
			arn := "arn:aws:iam::111122223333:role/" + name
			for _, a := range iamActionsByKind[kind].actions {
				if a != "iam:PassRole" {
					out[kind] = append(out[kind], iamRequest{action: a, resource: arn, context: ctx})
					continue
				}
			}
			if o.Kind != "Role" {
				continue
			}
			for _, st := range trust.Statement {
				for _, svc := range st.Principal.Service {
					pass := map[string]string{"iam:passedtoservice": svc}
					for k, v := range ctx {
						pass[k] = v
					}
					out[kind] = append(out[kind], iamRequest{action: "iam:PassRole", resource: arn, context: pass})
				}
			}
		}
	}
	return out
}

// TestProviderIAMPolicyAllowsComposedRoles checks the policies together allow
// every call on every role the goldens compose, resource and conditions
// included: creating, tagging, updating and deleting the role, attaching its
// managed policy, and passing it to the service its trust names.
func TestProviderIAMPolicyAllowsComposedRoles(t *testing.T) {
	_, _, p := providerIAMPolicies(t)
	requests := goldenRoleRequests(t)
	for _, kind := range iamRoleKinds {
		t.Run(kind, func(t *testing.T) {
			if len(requests[kind]) == 0 {
				t.Fatalf("no golden composes %s: the check would pass without checking anything", kind)
			}
			seen := map[string]bool{}
			var denied []string
			for _, r := range requests[kind] {
				d := fmt.Sprintf("%s on %s (iam:PolicyARN %q, iam:PassedToService %q)", r.action, r.resource, r.context["iam:policyarn"], r.context["iam:passedtoservice"])
				if seen[d] || iamAllowedRequest(p, r) {
					continue
				}
				seen[d] = true
				denied = append(denied, d)
			}
			if diff := cmp.Diff([]string(nil), denied); diff != "" {
				t.Errorf("\nthe published policies together deny these calls on composed roles: -want, +got:\n%s", diff)
			}
		})
	}
}

// TestIAMAllowedRequest checks the evaluation the test above relies on.
func TestIAMAllowedRequest(t *testing.T) {
	tagged := map[string]string{"aws:resourcetag/" + iamTagKey: "default"}
	p := iamPolicy{Statement: []iamPolicyStatement{{
		Sid: "A", Effect: "Allow", Action: iamStrings{"iam:AttachRolePolicy"}, Resource: iamStrings{"arn:aws:iam::*:role/*-rot-????????"},
		Condition: map[string]map[string]any{
			"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/x"},
			"Null":      {"aws:ResourceTag/" + iamTagKey: "false"},
		},
	}}}
	withPolicy := func(arn string) map[string]string {
		m := map[string]string{"iam:policyarn": arn}
		for k, v := range tagged {
			m[k] = v
		}
		return m
	}
	cases := map[string]struct {
		reason string
		r      iamRequest
		want   bool
	}{
		"Allowed": {
			reason: "The action, the resource and both conditions match.",
			r:      iamRequest{action: "iam:AttachRolePolicy", resource: "arn:aws:iam::1:role/c-rot-12345678", context: withPolicy("arn:aws:iam::aws:policy/x")},
			want:   true,
		},
		"OtherRoleName": {
			reason: "The statement names the action but not this role: an action-only check would allow it.",
			r:      iamRequest{action: "iam:AttachRolePolicy", resource: "arn:aws:iam::1:role/c-em-12345678", context: withPolicy("arn:aws:iam::aws:policy/x")},
		},
		"OtherPolicy": {
			reason: "iam:PolicyARN names another managed policy.",
			r:      iamRequest{action: "iam:AttachRolePolicy", resource: "arn:aws:iam::1:role/c-rot-12345678", context: withPolicy("arn:aws:iam::aws:policy/y")},
		},
		"Untagged": {
			reason: "The Null condition asks for the provider's tag on the role.",
			r:      iamRequest{action: "iam:AttachRolePolicy", resource: "arn:aws:iam::1:role/c-rot-12345678", context: map[string]string{"iam:policyarn": "arn:aws:iam::aws:policy/x"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, iamAllowedRequest(p, tc.r)); diff != "" {
				t.Errorf("\n%s\niamAllowedRequest: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
