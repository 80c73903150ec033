package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func TestValidateRestore(t *testing.T) {
	const snapshotARN = "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-final"
	cases := map[string]struct {
		reason string
		mutate func(*AuroraSpec)
		want   []string
	}{
		"SnapshotName": {
			reason: "A snapshot of the same account and region is named by its identifier.",
			mutate: func(s *AuroraSpec) { s.Restore = &Restore{SnapshotIdentifier: "orders-final-3f2a1b"} },
		},
		"AutomatedSnapshotName": {
			reason: "Automated snapshots are named rds:<cluster>-<date>.",
			mutate: func(s *AuroraSpec) { s.Restore = &Restore{SnapshotIdentifier: "rds:orders-2026-11-30-03-10"} },
		},
		"SnapshotARN": {
			reason: "A shared or copied snapshot is named by its ARN.",
			mutate: func(s *AuroraSpec) { s.Restore = &Restore{SnapshotIdentifier: snapshotARN} },
		},
		"SnapshotInOtherRegion": {
			reason: "RDS restores a snapshot in its own region only.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{SnapshotIdentifier: "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:orders-final"}
			},
			want: []string{`spec.restore.snapshotIdentifier: Invalid value: "arn:aws:rds:eu-west-1:111122223333:cluster-snapshot:orders-final": is in region eu-west-1: RDS restores a snapshot in its own region only; copy it to us-east-1 first`},
		},
		"BadSnapshotName": {
			reason: "A snapshot name follows RDS's identifier rules.",
			mutate: func(s *AuroraSpec) { s.Restore = &Restore{SnapshotIdentifier: "orders--final"} },
			want:   []string{`spec.restore.snapshotIdentifier: Invalid value: "orders--final": must be a DB cluster snapshot name or a cluster snapshot ARN such as arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-final`},
		},
		"Neither": {
			reason: "An empty restore restores nothing.",
			mutate: func(s *AuroraSpec) { s.Restore = &Restore{} },
			want:   []string{"spec.restore: Required value: exactly one of snapshotIdentifier and pointInTime"},
		},
		"Both": {
			reason: "A snapshot and a point in time are two different restores.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{SnapshotIdentifier: snapshotARN, PointInTime: &PointInTimeRestore{SourceClusterIdentifier: "orders", UseLatestRestorableTime: ptr.To(true)}}
			},
			want: []string{"spec.restore: Forbidden: set exactly one of snapshotIdentifier and pointInTime, not both"},
		},
		"PointInTime": {
			reason: "A time within the source's retention, in RFC 3339.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{PointInTime: &PointInTimeRestore{SourceClusterIdentifier: "orders", RestoreTime: "2026-11-30T10:00:00Z"}}
			},
		},
		"LatestRestorable": {
			reason: "Or the latest restorable time.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{PointInTime: &PointInTimeRestore{SourceClusterIdentifier: "arn:aws:rds:us-east-1:444455556666:cluster:orders", UseLatestRestorableTime: ptr.To(true)}}
			},
		},
		"TimeAndLatest": {
			reason: "RDS refuses RestoreToTime with UseLatestRestorableTime.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{PointInTime: &PointInTimeRestore{SourceClusterIdentifier: "orders", RestoreTime: "2026-11-30T10:00:00Z", UseLatestRestorableTime: ptr.To(true)}}
			},
			want: []string{"spec.restore.pointInTime.useLatestRestorableTime: Forbidden: set exactly one of restoreTime and useLatestRestorableTime: true, not both"},
		},
		"NoTime": {
			reason: "A point in time needs a time.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{PointInTime: &PointInTimeRestore{SourceClusterIdentifier: "orders"}}
			},
			want: []string{"spec.restore.pointInTime: Required value: exactly one of restoreTime and useLatestRestorableTime: true"},
		},
		"BadTime": {
			reason: "The provider parses RFC 3339.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{PointInTime: &PointInTimeRestore{SourceClusterIdentifier: "orders", RestoreTime: "yesterday"}}
			},
			want: []string{`spec.restore.pointInTime.restoreTime: Invalid value: "yesterday": must be an RFC 3339 time in UTC such as 2026-11-30T10:00:00Z`},
		},
		"NoSource": {
			reason: "A point-in-time restore names its source.",
			mutate: func(s *AuroraSpec) {
				s.Restore = &Restore{PointInTime: &PointInTimeRestore{UseLatestRestorableTime: ptr.To(true)}}
			},
			want: []string{"spec.restore.pointInTime.sourceClusterIdentifier: Required value: the identifier (or, from another account, the ARN) of the cluster whose backups to restore"},
		},
		"SelfManagedWithoutPassword": {
			reason: "The restored cluster keeps the backup's password: the SelfManaged secret must start from it.",
			mutate: func(s *AuroraSpec) {
				s.Credentials.Mode = CredentialsModeSelfManaged
				s.Restore = &Restore{SnapshotIdentifier: snapshotARN}
			},
			want: []string{"spec.credentials.passwordSecretRef: Required value: a SelfManaged restore needs the restored data's current master password: the restored cluster keeps the snapshot's (or source cluster's) password, and the function's secret and rotator must start from it until the first rotation replaces it"},
		},
		"SelfManagedWithPassword": {
			reason: "With the backup's password a SelfManaged restore is valid.",
			mutate: func(s *AuroraSpec) {
				s.Credentials.Mode = CredentialsModeSelfManaged
				s.Credentials.PasswordSecretRef = &SecretKeyRef{Name: "orders-source", Key: "password"}
				s.Restore = &Restore{SnapshotIdentifier: snapshotARN}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			tc.mutate(s)
			withDefaults(s)
			got := errorMessages(validate(namespacedTestMeta, s))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nvalidate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestCheckRestore changes spec.restore of an XR whose restored cluster
// exists: every change is refused, and nothing is composed.
func TestCheckRestore(t *testing.T) {
	xr := readObject(t, "testdata/xr/restore-snapshot.yaml")
	_, observed, _ := converge(t, xr, exampleInput())
	cases := map[string]struct {
		reason  string
		restore any
		want    string
	}{
		"Unchanged": {
			reason:  "The restore the cluster was made with stays in its desired state.",
			restore: map[string]any{"snapshotIdentifier": "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-final-3f2a1b"},
		},
		"Changed": {
			reason:  "snapshot_identifier is create-only: the provider would retry a replacement forever.",
			restore: map[string]any{"snapshotIdentifier": "orders-other"},
			want:    `spec.restore: Forbidden: the cluster exists (restored from snapshot "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-final-3f2a1b"): a restore applies at creation only and cannot be added, changed or removed (it was snapshot "arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-final-3f2a1b", the spec asks snapshot "orders-other")`,
		},
		"Removed": {
			reason:  "Removing it would drop snapshotIdentifier from the desired state: a replacement too.",
			restore: nil,
			want:    `the spec asks none)`,
		},
		"ToPointInTime": {
			reason:  "A different kind of restore is a change too.",
			restore: map[string]any{"pointInTime": map[string]any{"sourceClusterIdentifier": "orders", "useLatestRestorableTime": true}},
			want:    `the spec asks cluster "orders" at its latest restorable time)`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			x := setSpec(xr, "restore", tc.restore)
			if tc.restore == nil {
				delete(x["spec"].(map[string]any), "restore")
			}
			rsp := run(t, newRequest(x, exampleInput(), observed))
			checkFatal(t, tc.reason, rsp, tc.want)
		})
	}
}

// TestRestoreAddedToExistingCluster adds spec.restore to an XR whose
// cluster was created empty.
func TestRestoreAddedToExistingCluster(t *testing.T) {
	xr := readObject(t, "testdata/xr/rds-managed.yaml")
	_, observed, _ := converge(t, xr, exampleInput())
	x := setSpec(xr, "restore", map[string]any{"snapshotIdentifier": "billing-final"})
	rsp := run(t, newRequest(x, exampleInput(), observed))
	checkFatal(t, "a restore applies at creation only", rsp, `spec.restore: Forbidden: the cluster exists (restored from none)`)
}

// checkFatal checks a response is a Fatal result containing want, with
// nothing composed, or, for an empty want, no Fatal.
func checkFatal(t *testing.T, reason string, rsp *fnv1.RunFunctionResponse, want string) {
	t.Helper()
	if want == "" {
		if hasFatal(rsp) {
			t.Errorf("%s\nunexpected Fatal: %v", reason, rsp.GetResults())
		}
		return
	}
	if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), want) {
		t.Errorf("%s\nwant a Fatal result containing %q, got %v", reason, want, rsp.GetResults())
	}
	if n := len(rsp.GetDesired().GetResources()); n > 0 {
		t.Errorf("%s\na Fatal result must compose nothing, got %d resources", reason, n)
	}
}
