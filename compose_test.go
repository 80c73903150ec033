package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// desiredNames lists a response's desired composed resources.
func desiredNames(rsp *fnv1.RunFunctionResponse) []string {
	names := make([]string, 0, len(rsp.GetDesired().GetResources()))
	for n := range rsp.GetDesired().GetResources() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// firstCalls converges an XR and returns, per composed resource, the first
// and last call that composed it, failing if one leaves and comes back.
func firstCalls(t *testing.T, path string) (rsps []*fnv1.RunFunctionResponse, first, last map[string]int) {
	t.Helper()
	rsps, _, _ = converge(t, readObject(t, path), exampleInput())
	present := map[string][]int{}
	for i, r := range rsps {
		for _, n := range desiredNames(r) {
			// The probe of the cluster identifier is not the cluster.
			if isObserveOnly(r.GetDesired().GetResources()[n].GetResource().AsMap()) {
				continue
			}
			present[n] = append(present[n], i)
		}
	}
	first, last = map[string]int{}, map[string]int{}
	for n, calls := range present {
		for j := 1; j < len(calls); j++ {
			if calls[j] != calls[j-1]+1 {
				t.Errorf("%q left the desired state after call %d and came back at call %d", n, calls[j-1], calls[j])
			}
		}
		first[n], last[n] = calls[0], calls[len(calls)-1]
	}
	return rsps, first, last
}

// TestS3RotatorOrder checks the S3 rotator's gates: Lambda refuses a VPC
// function whose role cannot yet create network interfaces, and Secrets
// Manager a resource policy naming a role that does not exist yet.
func TestS3RotatorOrder(t *testing.T) {
	_, first, _ := firstCalls(t, "testdata/xr/s3-rotator.yaml")
	for _, a := range []struct{ later, earlier, why string }{
		{"rotator-function", "rotator-role", "the function waits for its role"},
		{"rotator-function", "rotator-vpc-access", "the function waits for the VPC access policy (CreateNetworkInterface)"},
		{"rotator-function", "rotator-role-policy", "the function waits for its scoped policy"},
		{"master-secret-policy", "rotator-role", "the secret policy names the role: PutResourcePolicy refuses an unknown principal"},
		{"rotator-permission", "rotator-function", "the permission selects the function"},
	} {
		l, lok := first[a.later]
		e, eok := first[a.earlier]
		if !lok || !eok || l <= e {
			t.Errorf("%s: want %q (first at call %d, present %v) after %q (first at call %d, present %v)", a.why, a.later, l, lok, a.earlier, e, eok)
		}
	}
}

// TestComposeOrder plays the main example to its steady state and checks
// that each gated resource appears only after what it waits for, that the
// bootstrap Secret and SecretVersion leave at the hand-off and never return,
// and that the XR ends Available.
func TestComposeOrder(t *testing.T) {
	rsps, first, last := firstCalls(t, "example/xr.yaml")
	after := []struct{ later, earlier, why string }{
		{"cluster", "log-group-postgresql", "the cluster waits for its log group to be Ready (pitfall 9)"},
		{"cluster", "bootstrap-secret", "the cluster reads its password from the bootstrap Secret at creation"},
		{"instance-writer", "cluster", "instances wait for the cluster to be Ready"},
		{"connection-secret", "cluster", "the connection secret waits for the endpoint"},
		{"master-secret-version", "cluster", "the secret value needs the endpoint"},
		{"master-secret-policy", "master-secret", "the policy names the secret's ARN"},
		{"rotator-stack", "rotator-security-group", "the stack's parameters name the rotator's security group ID"},
		{"rotator-permission", "rotator-stack", "the permission names the deployed function"},
		{"secret-rotation", "master-secret-version", "rotation starts after the hand-off"},
		{"secret-rotation", "rotator-permission", "rotation needs the invoke permission"},
		{"secret-rotation", "instance-writer", "rotation waits for the writer instance: setSecret connects to it"},
		{"secret-rotation", "secretsmanager-endpoint", "rotation waits for the endpoint the rotator calls"},
	}
	for _, a := range after {
		l, lok := first[a.later]
		e, eok := first[a.earlier]
		if !lok || !eok || l <= e {
			t.Errorf("%s: want %q (first at call %d, present %v) after %q (first at call %d, present %v)", a.why, a.later, l, lok, a.earlier, e, eok)
		}
	}
	final := rsps[len(rsps)-1]
	for _, gone := range []string{"bootstrap-secret", "master-secret-version"} {
		if _, ok := final.GetDesired().GetResources()[gone]; ok {
			t.Errorf("%q must be gone after the hand-off", gone)
		}
		if last[gone] >= first["secret-rotation"] {
			t.Errorf("%q must leave before rotation starts (last at call %d, rotation at %d)", gone, last[gone], first["secret-rotation"])
		}
	}
	if got := final.GetConditions()[0].GetReason(); got != "Available" {
		t.Errorf("final reason: want Available, got %q (%s)", got, final.GetConditions()[0].GetMessage())
	}
	if !xrReady(final) {
		t.Errorf("final XR readiness: want ready, got %v with composed %v", final.GetDesired().GetComposite().GetReady(), composedReadiness(final))
	}
}

// steadyState converges an XR and returns its observed state and XR.
func steadyState(t *testing.T, path string) (map[string]*fnv1.Resource, map[string]any) {
	t.Helper()
	_, observed, xr := converge(t, readObject(t, path), exampleInput())
	return observed, xr
}

// setSpec returns a copy of xr with spec[key] = value; a nil value removes it.
func setSpec(xr map[string]any, path string, value any) map[string]any {
	out := mustStruct(xr).AsMap()
	m := out["spec"].(map[string]any)
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		if _, ok := m[k]; !ok {
			m[k] = map[string]any{}
		}
		m = m[k].(map[string]any)
	}
	if value == nil {
		delete(m, keys[len(keys)-1])
	} else {
		m[keys[len(keys)-1]] = value
	}
	return out
}

// TestChangesToExistingCluster checks edits against a running cluster: those
// RDS cannot apply are refused with the field's path and nothing changes;
// those it can apply go through.
func TestChangesToExistingCluster(t *testing.T) {
	observed, xr := steadyState(t, "example/xr.yaml")
	cases := map[string]struct {
		reason    string
		path      string
		value     any
		also      map[string]any
		wantFatal string
	}{
		"DatabaseName": {
			reason:    "The database name is set only at creation.",
			path:      "databaseName",
			value:     "orders2",
			wantFatal: `spec.databaseName: Forbidden: cannot change the database name from "orders" to "orders2"`,
		},
		"MasterUsername": {
			reason:    "The master username is set only at creation.",
			path:      "masterUsername",
			value:     "root2",
			wantFatal: `spec.masterUsername: Forbidden: cannot change the master username from "orders_admin" to "root2"`,
		},
		"MajorVersion": {
			reason: "A major upgrade starts: the new family's parameter group is composed, nothing existing is dropped.",
			path:   "engineVersion",
			value:  "17.2",
		},
		"MajorDowngrade": {
			reason:    "RDS cannot downgrade: a lower major is refused, naming spec.engineVersion.",
			path:      "engineVersion",
			value:     "15",
			wantFatal: "spec.engineVersion: Forbidden: cannot go from 16 down to 15: the cluster runs 16.8 and RDS cannot downgrade",
		},
		"LifecycleSupportChange": {
			reason:    "RDS sets the engine lifecycle support only at creation.",
			path:      "engineLifecycleSupport",
			value:     "open-source-rds-extended-support",
			wantFatal: `spec.engineLifecycleSupport: Forbidden: cannot change the engine lifecycle support from "open-source-rds-extended-support-disabled" to "open-source-rds-extended-support"`,
		},
		"ClusterIdentifier": {
			reason:    "A new identifier would be a new cluster.",
			path:      "clusterIdentifier",
			value:     "orders-v2",
			wantFatal: `spec.clusterIdentifier: Forbidden: cannot change the cluster identifier from "team-payments-orders-c2eb71" to "orders-v2"`,
		},
		"EncryptionKey": {
			reason:    "Storage encryption cannot switch keys.",
			path:      "encryption.existingKmsKeyArn",
			value:     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			wantFatal: "spec.encryption.existingKmsKeyArn: Forbidden: cannot change the storage encryption key",
		},
		"Region": {
			reason:    "A cluster cannot move regions.",
			path:      "region",
			value:     "us-east-2",
			also:      map[string]any{"monitoring.alarms.actionArns": []any{"arn:aws:sns:us-east-2:111122223333:payments-oncall"}},
			wantFatal: `spec.region: Forbidden: cannot change the region from "us-east-1" to "us-east-2"`,
		},
		"CredentialsMode": {
			reason:    "The bootstrap-then-hand-off lifecycle only runs for a new cluster.",
			path:      "credentials.mode",
			value:     "RDSManaged",
			also:      map[string]any{"credentials.rotation.lambda": nil, "vpcEndpoint": nil},
			wantFatal: `spec.credentials.mode: Forbidden: cannot change the credentials mode from "SelfManaged" to "RDSManaged"`,
		},
		"MinorVersion": {
			reason: "Minor upgrades apply in place.",
			path:   "engineVersion",
			value:  "16.8",
		},
		"AddReader": {
			reason: "Readers can be added at any time.",
			path:   "instances",
			value: []any{
				map[string]any{"name": "writer", "instanceClass": "db.r6g.large"},
				map[string]any{"name": "reader1", "instanceClass": "db.r6g.large"},
				map[string]any{"name": "reader2", "instanceClass": "db.r6g.large"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			changed := setSpec(xr, tc.path, tc.value)
			for path, value := range tc.also {
				changed = setSpec(changed, path, value)
			}
			rsp := run(t, newRequest(changed, exampleInput(), observed))
			if tc.wantFatal == "" {
				if hasFatal(rsp) {
					t.Fatalf("%s\nunexpected fatal result: %v", tc.reason, rsp.GetResults())
				}
				for n := range observed {
					if _, ok := rsp.GetDesired().GetResources()[n]; !ok {
						t.Errorf("%s\nexisting resource %q was dropped from the desired state", tc.reason, n)
					}
				}
				return
			}
			if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), tc.wantFatal) {
				t.Errorf("%s\nwant a fatal result containing %q, got %v", tc.reason, tc.wantFatal, rsp.GetResults())
			}
			if len(rsp.GetDesired().GetResources()) != 0 {
				t.Errorf("%s\na fatal response must not carry a half-built desired state, got %v", tc.reason, desiredNames(rsp))
			}
		})
	}
}

// TestExistingResourcesSurvive checks that a resource, once observed, stays
// desired when what gated it regresses.
func TestExistingResourcesSurvive(t *testing.T) {
	observed, xr := steadyState(t, "example/xr.yaml")
	// The log group and the cluster stop being Ready (e.g. a provider outage).
	for _, n := range []string{"log-group-postgresql", "cluster"} {
		obj := observed[n].GetResource().AsMap()
		obj["status"].(map[string]any)["conditions"] = []any{
			map[string]any{"type": "Ready", "status": "False", "reason": "Unavailable"},
			map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": "cannot observe: throttled"},
		}
		observed[n] = &fnv1.Resource{Resource: mustStruct(obj)}
	}
	rsp := run(t, newRequest(xr, exampleInput(), observed))
	for n := range observed {
		if _, ok := rsp.GetDesired().GetResources()[n]; !ok {
			t.Errorf("existing resource %q was dropped from the desired state", n)
		}
	}
	if xrReady(rsp) {
		t.Errorf("XR readiness: want not ready, got %v with composed %v", rsp.GetDesired().GetComposite().GetReady(), composedReadiness(rsp))
	}
	msg := rsp.GetConditions()[0].GetMessage()
	if !strings.Contains(msg, `rds Cluster "cluster" (Synced=False: cannot observe: throttled)`) {
		t.Errorf("the Available condition should name the failing resource and why, got %q", msg)
	}
}

// TestAccountLearnedFromARN checks that without an account ID the CMK waits
// for the first observed ARN and then uses its account.
func TestAccountLearnedFromARN(t *testing.T) {
	input := exampleInput()
	delete(input, testEnvironment)
	rsps, observed, _ := converge(t, readObject(t, "testdata/xr/minimal.yaml"), input)
	if _, ok := rsps[0].GetDesired().GetResources()["kms-key"]; ok {
		t.Fatal("the first call must not compose the CMK before the account is known")
	}
	if got := rsps[0].GetConditions()[0].GetReason(); got != "WaitingForAccountID" {
		t.Errorf("first call: want reason WaitingForAccountID, got %q", got)
	}
	key, ok := observed["kms-key"]
	if !ok {
		t.Fatal("the CMK was never composed")
	}
	policy := key.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["policy"].(string)
	if !strings.Contains(policy, "arn:aws:iam::"+testAccount+":root") {
		t.Errorf("key policy should name the account learned from the security group ARN, got %s", policy)
	}
	if last := rsps[len(rsps)-1]; !xrReady(last) {
		t.Errorf("XR readiness at steady state: want ready, got %v with composed %v", last.GetDesired().GetComposite().GetReady(), composedReadiness(last))
	}
}

// TestFatalKeepsDesiredOfEarlierSteps checks that a Fatal result leaves the
// desired state exactly as earlier pipeline steps passed it.
func TestFatalKeepsDesiredOfEarlierSteps(t *testing.T) {
	xr := setSpec(readObject(t, "example/xr.yaml"), "region", nil)
	req := newRequest(xr, exampleInput(), nil)
	earlier := &fnv1.State{Resources: map[string]*fnv1.Resource{
		"from-earlier-step": {Resource: &structpb.Struct{Fields: map[string]*structpb.Value{"kind": structpb.NewStringValue("ConfigMap")}}},
	}}
	req.Desired = earlier
	rsp := run(t, req)
	if !hasFatal(rsp) {
		t.Fatal("want a fatal result for a missing region")
	}
	if diff := cmp.Diff([]string{"from-earlier-step"}, desiredNames(rsp)); diff != "" {
		t.Errorf("desired resources: -want, +got:\n%s", diff)
	}
}

// TestExistingResourcesSurviveUnknownInputs checks that resources whose
// builders need observed values (ARNs, IDs) stay desired, as they are, when
// those values are momentarily unknown.
func TestExistingResourcesSurviveUnknownInputs(t *testing.T) {
	observed, xr := steadyState(t, "example/xr.yaml")
	for _, n := range []string{"master-secret", "rotator-security-group"} {
		setObserved(observed, n, map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": "False", "reason": "Unavailable"},
		}})
	}
	xr = withoutStatus(xr)
	rsp := run(t, newRequest(xr, exampleInput(), observed))
	if hasFatal(rsp) {
		t.Fatalf("unexpected fatal: %v", rsp.GetResults())
	}
	for n := range observed {
		if _, ok := rsp.GetDesired().GetResources()[n]; !ok {
			t.Errorf("existing resource %q was dropped while its inputs were unknown", n)
		}
	}
}
