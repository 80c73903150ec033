package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestUsagesFollowTheirResources checks that a Usage exists exactly while
// both its resources do, and that a used resource leaving the desired state
// waits one call for its Usage to go, so Crossplane's webhook never refuses
// the delete.
func TestUsagesFollowTheirResources(t *testing.T) {
	observed, xr := steadyState(t, "example/xr.yaml")

	type step struct {
		wantDesired []string
		wantAbsent  []string
	}
	cases := map[string]struct {
		reason string
		edit   func(map[string]any) map[string]any
		// drop removes resources from observed before the first call, as
		// if Crossplane had already deleted them.
		drop  []string
		first step
		// then is the next call, once the first call's removals are gone.
		then step
	}{
		"SteadyState": {
			reason: "At steady state the cluster is used by each instance, and uses the key, the security group, the subnet group, the parameter group and the log group.",
			edit:   func(xr map[string]any) map[string]any { return xr },
			first: step{wantDesired: []string{
				"usage-cluster-by-instance-reader1", "usage-cluster-by-instance-writer", "usage-cluster-parameter-group-by-cluster",
				"usage-kms-key-by-cluster", "usage-log-group-postgresql-by-cluster", "usage-security-group-by-cluster", "usage-subnet-group-by-cluster",
			}},
		},
		"ReaderRemoved": {
			reason: "Removing a reader removes its instance and its Usage together: nothing uses the instance.",
			edit: func(xr map[string]any) map[string]any {
				return setSpec(xr, "instances", []any{map[string]any{"name": "writer", "instanceClass": "db.r6g.large"}})
			},
			first: step{wantDesired: []string{"usage-cluster-by-instance-writer", "cluster"}, wantAbsent: []string{"instance-reader1", "usage-cluster-by-instance-reader1"}},
		},
		"LogExportRemoved": {
			reason: "Removing an export removes the log group's Usage first; the log group stays until the Usage is gone, then goes.",
			edit: func(xr map[string]any) map[string]any {
				return setSpec(xr, "logging.exports", []any{})
			},
			first: step{wantDesired: []string{"log-group-postgresql"}, wantAbsent: []string{"usage-log-group-postgresql-by-cluster"}},
			drop:  nil,
			then:  step{wantAbsent: []string{"log-group-postgresql", "usage-log-group-postgresql-by-cluster"}},
		},
		"UsageWithTheLaterResource": {
			reason: "A Usage is composed with the later of its two resources, so no XR deleted a moment after the cluster was created loses what the cluster needs first.",
			edit:   func(xr map[string]any) map[string]any { return xr },
			drop:   []string{"usage-cluster-by-instance-reader1", "instance-reader1"},
			first:  step{wantDesired: []string{"instance-reader1", "usage-cluster-by-instance-reader1"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			obs := map[string]*fnv1.Resource{}
			for n, r := range observed {
				obs[n] = r
			}
			for _, n := range tc.drop {
				delete(obs, n)
			}
			x := tc.edit(xr)
			rsp := run(t, newRequest(x, exampleInput(), obs))
			if hasFatal(rsp) {
				t.Fatalf("%s\nunexpected fatal: %v", tc.reason, rsp.GetResults())
			}
			checkStep(t, tc.reason, "first call", rsp, tc.first.wantDesired, tc.first.wantAbsent)
			if tc.then.wantDesired == nil && tc.then.wantAbsent == nil {
				return
			}
			// Crossplane deletes what left the desired state.
			next := map[string]*fnv1.Resource{}
			for n, r := range obs {
				if _, ok := rsp.GetDesired().GetResources()[n]; ok {
					next[n] = r
				}
			}
			rsp = run(t, newRequest(x, exampleInput(), next))
			checkStep(t, tc.reason, "second call", rsp, tc.then.wantDesired, tc.then.wantAbsent)
		})
	}
}

func checkStep(t *testing.T, reason, call string, rsp *fnv1.RunFunctionResponse, want, absent []string) {
	t.Helper()
	got := rsp.GetDesired().GetResources()
	for _, n := range want {
		if _, ok := got[n]; !ok {
			t.Errorf("%s\n%s: want %q desired, got %v", reason, call, n, desiredNames(rsp))
		}
	}
	for _, n := range absent {
		if _, ok := got[n]; ok {
			t.Errorf("%s\n%s: want %q gone from the desired state", reason, call, n)
		}
	}
}

// TestKeyKeptWithFinalSnapshot checks the composed key's management
// policies and the deletion status for each combination of final snapshot
// and key source.
func TestKeyKeptWithFinalSnapshot(t *testing.T) {
	cases := map[string]struct {
		reason        string
		xr            string
		finalSnapshot bool
		wantPolicies  []any
		wantRetained  bool
		wantMessage   []string
	}{
		"FinalSnapshotKeepsKey": {
			reason:        "With a final snapshot the key that encrypts it must survive: no Delete policy, and the status says it stays and what it costs.",
			xr:            "example/xr.yaml",
			finalSnapshot: true,
			wantPolicies:  []any{"Observe", "Create", "Update", "LateInitialize"},
			wantRetained:  true,
			wantMessage:   []string{"final snapshot", "so the key is kept, not deleted", "aws kms schedule-key-deletion", "USD 1 a month", "Deletion protection is on"},
		},
		"NoFinalSnapshotDeletesKey": {
			reason:        "Without a final snapshot nothing needs the key after the cluster: default policies, deleted after the cluster.",
			xr:            "example/xr.yaml",
			finalSnapshot: false,
			wantMessage:   []string{"without a final snapshot", "then its KMS key", "cannot be recovered"},
		},
		"ExistingKeyIsNotOurs": {
			reason:        "An existing key is never composed, so never deleted; the status says to keep it for the snapshot.",
			xr:            "testdata/xr/existing-key.yaml",
			finalSnapshot: true,
			wantMessage:   []string{"existing KMS key, which is not this XR's"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := setSpec(readObject(t, tc.xr), "finalSnapshot", tc.finalSnapshot)
			rsps, observed, _ := converge(t, xr, exampleInput())
			final := rsps[len(rsps)-1]
			key, composed := observed["kms-key"]
			if composed {
				got, _ := key.GetResource().AsMap()["spec"].(map[string]any)["managementPolicies"].([]any)
				if diff := cmp.Diff(tc.wantPolicies, got); diff != "" {
					t.Errorf("%s\nkey management policies: -want, +got:\n%s", tc.reason, diff)
				}
			}
			st := final.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)["deletion"].(map[string]any)
			if got, _ := st["kmsKeyRetained"].(bool); got != tc.wantRetained {
				t.Errorf("%s\nstatus.deletion.kmsKeyRetained: want %v, got %v", tc.reason, tc.wantRetained, got)
			}
			if _, got := st["finalSnapshotIdentifier"]; got != tc.finalSnapshot {
				t.Errorf("%s\nstatus.deletion.finalSnapshotIdentifier present: want %v, got %v", tc.reason, tc.finalSnapshot, got)
			}
			msg, _ := st["message"].(string)
			for _, w := range tc.wantMessage {
				if !strings.Contains(msg, w) {
					t.Errorf("%s\nstatus.deletion.message should say %q, got %q", tc.reason, w, msg)
				}
			}
			cluster := observed["cluster"].GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)
			if got := cluster["deleteAutomatedBackups"]; got != !tc.finalSnapshot {
				t.Errorf("%s\ndeleteAutomatedBackups: want %v, got %v", tc.reason, !tc.finalSnapshot, got)
			}
		})
	}
}

// TestKeptResourceLeavesUsageMarksAlone checks that a resource kept as
// observed does not take over the in-use label and deletion-attempt
// annotation Crossplane's usage controller and webhook put on it: applied
// back by the function, they would outlive the Usage.
func TestKeptResourceLeavesUsageMarksAlone(t *testing.T) {
	observed, xr := steadyState(t, "example/xr.yaml")
	lg := observed["log-group-postgresql"].GetResource().AsMap()
	meta := lg["metadata"].(map[string]any)
	meta["labels"].(map[string]any)[labelInUse] = "true"
	meta["annotations"].(map[string]any)[annotationDeletionAttempt] = "Background"
	observed["log-group-postgresql"] = &fnv1.Resource{Resource: mustStruct(lg)}

	rsp := run(t, newRequest(setSpec(xr, "logging.exports", []any{}), exampleInput(), observed))
	kept, ok := rsp.GetDesired().GetResources()["log-group-postgresql"]
	if !ok {
		t.Fatal("the log group must stay while its Usage exists")
	}
	km := kept.GetResource().AsMap()["metadata"].(map[string]any)
	if _, ok := km["labels"].(map[string]any)[labelInUse]; ok {
		t.Errorf("kept log group carries %s", labelInUse)
	}
	if _, ok := km["annotations"].(map[string]any)[annotationDeletionAttempt]; ok {
		t.Errorf("kept log group carries %s", annotationDeletionAttempt)
	}
}

// TestGoneAtOnce checks that status.deletion lists what deleting the XR
// removes at once, and only what this XR composes.
func TestGoneAtOnce(t *testing.T) {
	cases := map[string]struct {
		reason string
		mutate func(*AuroraSpec)
		want   []string
	}{
		"Minimal": {
			reason: "Defaults: alarms, but no topic (no event subscription), no ingress rules, no connection Secret.",
			want:   []string{"the alarms"},
		},
		"Everything": {
			reason: "Ingress, alarms with a topic, a connection Secret and SelfManaged rotation.",
			mutate: func(s *AuroraSpec) {
				s.Network.AllowedCIDRBlocks = []string{"10.0.0.0/16"}
				s.Monitoring.Alarms.ActionARNs = []string{testTopic}
				s.WriteConnectionSecretToRef = &ConnectionSecretRef{Name: "db"}
				s.Credentials.Mode = CredentialsModeSelfManaged
			},
			want: []string{"the security group's ingress rules", "the alarms", "the RDS event subscription", "the connection Secret", "the rotator and its network", "the master secret (recoverable for 30 days)"},
		},
		"NoRecoveryWindow": {
			reason: "A recovery window of 0 deletes the secret for good.",
			mutate: func(s *AuroraSpec) {
				s.Credentials.Mode = CredentialsModeSelfManaged
				s.Credentials.RecoveryWindowInDays = ptr.To[int64](0)
				s.Credentials.Rotation.Enabled = ptr.To(false)
				s.Monitoring.Alarms.Enabled = ptr.To(false)
			},
			want: []string{"the master secret (at once, not recoverable)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, tc.mutate)
			if diff := cmp.Diff(tc.want, p.goneAtOnce()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
