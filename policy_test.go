package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

const (
	testSecretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:aurora/ns-db/master-AbCdEf"
	testKeyARN    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// parsePolicy parses a policy back from the JSON a resource carries.
func parsePolicy(t *testing.T, j string) policyDocument {
	t.Helper()
	d := policyDocument{}
	if err := json.Unmarshal([]byte(j), &d); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, j)
	}
	if d.Version != policyVersion {
		t.Errorf("policy version %q", d.Version)
	}
	return d
}

// TestEveryPolicyIsLeastPrivilege parses back every IAM, key and secret
// policy the function writes, for every rotator source, and checks: no
// wildcard action anywhere; a "*" resource only in the key policy (where it
// means "this key") and for secretsmanager:GetRandomPassword, which AWS
// authorizes on "*" only.
func TestEveryPolicyIsLeastPrivilege(t *testing.T) {
	selfManaged := func(l RotationLambda) func(*AuroraSpec) {
		return func(s *AuroraSpec) {
			s.Credentials.Mode = CredentialsModeSelfManaged
			s.Credentials.Rotation.Lambda = l
		}
	}
	plans := map[string]func(*AuroraSpec){
		"ServerlessRepo": selfManaged(RotationLambda{}),
		"S3":             selfManaged(RotationLambda{S3: &S3Rotator{Bucket: "artifacts", Key: "rotator.zip"}}),
		"ExistingWithRole": selfManaged(RotationLambda{
			ExistingFunctionARN:              "arn:aws:lambda:us-east-1:111122223333:function:rotator",
			ExistingFunctionRoleARN:          "arn:aws:iam::111122223333:role/rotator",
			ExistingFunctionSecurityGroupIDs: []string{"sg-0123456789abcdef7"},
		}),
		"ExistingWithoutRole": selfManaged(RotationLambda{ExistingFunctionARN: "arn:aws:lambda:us-east-1:111122223333:function:rotator", ExistingFunctionSecurityGroupIDs: []string{"sg-0123456789abcdef7"}}),
		"RDSManaged":          nil,
	}
	for name, mutate := range plans {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, mutate)
			docs := map[string]policyDocument{
				"key":    parsePolicy(t, *p.kmsKey().Spec.ForProvider.Policy),
				"secret": parsePolicy(t, *p.masterSecretPolicy(testSecretARN).Spec.ForProvider.Policy),
			}
			if p.rotatorSource() == rotatorFromS3 && p.selfManaged() {
				docs["role"] = parsePolicy(t, *p.rotatorRolePolicy(testSecretARN, testKeyARN).Spec.ForProvider.Policy)
				docs["trust"] = parsePolicy(t, *p.rotatorRole().Spec.ForProvider.AssumeRolePolicy)
			}
			for doc, d := range docs {
				for _, st := range d.Statement {
					for _, a := range st.Action {
						if strings.Contains(a, "*") {
							t.Errorf("%s policy, statement %q: wildcard action %q", doc, st.Sid, a)
						}
					}
					for _, r := range st.Resource {
						if strings.Contains(r, "*") && doc != "key" && !(st.Sid == "GenerateRandomPassword" && cmp.Equal(st.Action, []string{"secretsmanager:GetRandomPassword"})) {
							t.Errorf("%s policy, statement %q: wildcard resource %q", doc, st.Sid, r)
						}
					}
					if doc == "secret" {
						if diff := cmp.Diff([]string{testSecretARN}, st.Resource); diff != "" {
							t.Errorf("secret policy statement %q must name only this secret: %s", st.Sid, diff)
						}
					}
				}
			}
			// Who the secret policy names.
			var principals []string
			for _, st := range docs["secret"].Statement {
				principals = append(principals, st.Principal.AWS...)
			}
			want := map[string][]string{
				"ServerlessRepo":      {"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:root"},
				"S3":                  {"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/ns-db-rot-4a49acf8"},
				"ExistingWithRole":    {"arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/rotator"},
				"ExistingWithoutRole": {"arn:aws:iam::111122223333:root"},
				"RDSManaged":          {"arn:aws:iam::111122223333:root"},
			}[name]
			if diff := cmp.Diff(want, principals); diff != "" {
				t.Errorf("secret policy principals: -want, +got:\n%s", diff)
			}
			// The key lets Lambda decrypt the rotator's environment only for
			// SelfManaged credentials.
			hasLambda := false
			for _, st := range docs["key"].Statement {
				if st.Sid == "UseThroughLambda" {
					hasLambda = true
					if diff := cmp.Diff([]string{"lambda.us-east-1.amazonaws.com"}, st.Condition["StringEquals"]["kms:ViaService"]); diff != "" {
						t.Errorf("UseThroughLambda must be scoped to Lambda in the region: %s", diff)
					}
				}
				if st.Sid == "GrantsForAWSResources" {
					want := []string{"rds.us-east-1.amazonaws.com"}
					if p.selfManaged() {
						want = append(want, "lambda.us-east-1.amazonaws.com")
					}
					if diff := cmp.Diff(want, st.Condition["StringEquals"]["kms:ViaService"]); diff != "" {
						t.Errorf("grants are for RDS and, with a rotator, Lambda: -want, +got:\n%s", diff)
					}
				}
			}
			if hasLambda != p.selfManaged() {
				t.Errorf("key policy statement UseThroughLambda present: %v, want %v", hasLambda, p.selfManaged())
			}
		})
	}
}

// TestRotatorRolePolicyScope checks the S3 rotator's role names this secret
// and this key and nothing it could not reach, and its trust policy only
// Lambda in this account.
func TestRotatorRolePolicyScope(t *testing.T) {
	p := testPlan(t, func(s *AuroraSpec) {
		s.Credentials.Mode = CredentialsModeSelfManaged
		s.Credentials.Rotation.Lambda.S3 = &S3Rotator{Bucket: "artifacts", Key: "rotator.zip"}
	})
	got := map[string][]string{}
	for _, st := range parsePolicy(t, *p.rotatorRolePolicy(testSecretARN, testKeyARN).Spec.ForProvider.Policy).Statement {
		got[st.Sid] = st.Resource
	}
	want := map[string][]string{
		"RotateThisSecret":       {testSecretARN},
		"GenerateRandomPassword": {"*"},
		"UseThisKey":             {testKeyARN},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("role policy resources: -want, +got:\n%s", diff)
	}
	trust := parsePolicy(t, ptr.Deref(p.rotatorRole().Spec.ForProvider.AssumeRolePolicy, ""))
	wantTrust := []policyStatement{{
		Sid:       "LambdaAssumesRotatorRole",
		Effect:    "Allow",
		Principal: &policyPrincipal{Service: []string{"lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policyCondition{"StringEquals": {"aws:SourceAccount": {testAccount}}},
	}}
	if diff := cmp.Diff(wantTrust, trust.Statement); diff != "" {
		t.Errorf("trust policy: -want, +got:\n%s", diff)
	}
}
