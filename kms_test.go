package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/function-aurora-postgres/function-aurora-postgres/input/v1beta1"
)

func testPlan(t *testing.T, mutate func(*AuroraSpec)) *plan {
	t.Helper()
	// An explicit identifier keeps builder tests independent of how
	// identifiers are derived (names_test.go covers that).
	s := &AuroraSpec{
		Region:            "us-east-1",
		ClusterIdentifier: "ns-db",
		Network:           Network{VPCID: "vpc-0123456789abcdef0", SubnetIDs: []string{"subnet-01", "subnet-02"}},
	}
	if mutate != nil {
		mutate(s)
	}
	withDefaults(s)
	if errs := validate(xrMeta{Namespace: "ns"}, s); len(errs) > 0 {
		t.Fatalf("test spec is invalid: %v", errs)
	}
	p := newPlan(xrMeta{Name: "db", Namespace: "ns", UID: "uid-1"}, s, &v1beta1.Input{}, testAccount, nil)
	p.engine, _ = p.planEngine(nil)
	return p
}

// TestKeyPolicy parses the CMK's policy back and checks it is least
// privilege: no wildcard action, "*" resource only as "this key", use only
// through RDS and Secrets Manager in this region and account, and CloudWatch
// Logs only for this cluster's log groups.
func TestKeyPolicy(t *testing.T) {
	for _, region := range []string{"us-east-1", "us-gov-west-1"} {
		t.Run(region, func(t *testing.T) {
			p := testPlan(t, func(s *AuroraSpec) { s.Region = region })
			key := p.kmsKey()
			doc := policyDocument{}
			if err := json.Unmarshal([]byte(ptr.Deref(key.Spec.ForProvider.Policy, "")), &doc); err != nil {
				t.Fatalf("key policy is not JSON: %v", err)
			}
			partition := partitionOf(region)
			root := "arn:" + partition + ":iam::" + testAccount + ":root"
			sids := map[string]policyStatement{}
			for _, st := range doc.Statement {
				sids[st.Sid] = st
				for _, a := range st.Action {
					if strings.Contains(a, "*") {
						t.Errorf("statement %q: wildcard action %q", st.Sid, a)
					}
				}
				if diff := cmp.Diff([]string{"*"}, st.Resource); diff != "" {
					t.Errorf("statement %q: a key policy's resource must be this key (\"*\"): %s", st.Sid, diff)
				}
				if st.Effect != "Allow" {
					t.Errorf("statement %q: effect %q", st.Sid, st.Effect)
				}
			}
			admin := sids["KeyAdministrationByAccount"]
			if diff := cmp.Diff(&policyPrincipal{AWS: []string{root}}, admin.Principal); diff != "" {
				t.Errorf("admin principal: -want, +got:\n%s", diff)
			}
			for _, forbidden := range []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant"} {
				for _, a := range admin.Action {
					if a == forbidden {
						t.Errorf("the account's admin statement must not allow %s outside the services", a)
					}
				}
			}
			for sid, service := range map[string]string{"UseThroughRDS": "rds", "UseThroughSecretsManager": "secretsmanager"} {
				want := policyCondition{"StringEquals": {
					"kms:ViaService":    {service + "." + region + ".amazonaws.com"},
					"kms:CallerAccount": {testAccount},
				}}
				if diff := cmp.Diff(want, sids[sid].Condition); diff != "" {
					t.Errorf("%s condition: -want, +got:\n%s", sid, diff)
				}
				for _, a := range sids[sid].Action {
					if a == "kms:CreateGrant" {
						t.Errorf("%s must not allow grants: those go through GrantsForAWSResources", sid)
					}
				}
			}
			logGroups := map[string][]string{"kms:EncryptionContext:aws:logs:arn": {"arn:" + partition + ":logs:" + region + ":" + testAccount + ":log-group:/aws/rds/cluster/ns-db/*"}}
			logs := sids["EncryptClusterLogGroups"]
			if diff := cmp.Diff(&policyPrincipal{Service: []string{"logs." + region + ".amazonaws.com"}}, logs.Principal); diff != "" {
				t.Errorf("logs principal: -want, +got:\n%s", diff)
			}
			if diff := cmp.Diff(policyCondition{"ArnLike": logGroups}, logs.Condition); diff != "" {
				t.Errorf("logs condition: -want, +got:\n%s", diff)
			}
			// CloudWatch Logs calling KMS as the reader or writer: only for
			// this cluster's log groups.
			viaLogs := sids["UseThroughCloudWatchLogs"]
			wantViaLogs := policyCondition{
				"StringEquals": {"kms:ViaService": {"logs." + region + ".amazonaws.com"}, "kms:CallerAccount": {testAccount}},
				"ArnLike":      logGroups,
			}
			if diff := cmp.Diff(wantViaLogs, viaLogs.Condition); diff != "" {
				t.Errorf("UseThroughCloudWatchLogs condition: -want, +got:\n%s", diff)
			}
			if diff := cmp.Diff([]string{"kms:Decrypt", "kms:GenerateDataKey"}, viaLogs.Action); diff != "" {
				t.Errorf("UseThroughCloudWatchLogs actions: -want, +got:\n%s", diff)
			}
			// Grants only for RDS's own resources (Secrets Manager uses none).
			grants := sids["GrantsForAWSResources"]
			wantGrants := policyCondition{
				"StringEquals": {"kms:ViaService": {"rds." + region + ".amazonaws.com"}, "kms:CallerAccount": {testAccount}},
				"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
			}
			if diff := cmp.Diff(wantGrants, grants.Condition); diff != "" {
				t.Errorf("GrantsForAWSResources condition: -want, +got:\n%s", diff)
			}
			if diff := cmp.Diff([]string{"kms:CreateGrant", "kms:ListGrants"}, grants.Action); diff != "" {
				t.Errorf("GrantsForAWSResources actions: -want, +got:\n%s", diff)
			}
			wantDescribe := policyCondition{"StringEquals": {"kms:ViaService": {"logs." + region + ".amazonaws.com"}, "kms:CallerAccount": {testAccount}}}
			if diff := cmp.Diff(wantDescribe, sids["DescribeThroughCloudWatchLogs"].Condition); diff != "" {
				t.Errorf("DescribeThroughCloudWatchLogs condition: -want, +got:\n%s", diff)
			}
			if len(doc.Statement) != 7 {
				t.Errorf("want 7 statements, got %d", len(doc.Statement))
			}
			if !*key.Spec.ForProvider.EnableKeyRotation {
				t.Error("key rotation must be on")
			}
		})
	}
}
