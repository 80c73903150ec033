package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/types/known/structpb"
)

// testCluster is an observed rds Cluster MR with the given management
// policies, Synced condition and atProvider.
func testCluster(policies []any, synced, message string, at map[string]any) *structpb.Struct {
	obj := map[string]any{
		"apiVersion": "rds.aws.m.upbound.io/v1beta1",
		"kind":       "Cluster",
		"metadata":   map[string]any{"annotations": map[string]any{"crossplane.io/external-name": "legacy-orders"}},
		"spec":       map[string]any{"forProvider": map[string]any{"region": "us-east-1"}},
	}
	if policies != nil {
		obj["spec"].(map[string]any)["managementPolicies"] = policies
	}
	st := map[string]any{}
	if synced != "" {
		st["conditions"] = []any{map[string]any{"type": "Synced", "status": synced, "message": message}}
	}
	if at != nil {
		st["atProvider"] = at
	}
	obj["status"] = st
	return mustStruct(obj)
}

func TestClusterClaimOf(t *testing.T) {
	observeOnly := []any{"Observe"}
	const notExist = "cannot observe external resource: external resource does not exist"
	meta := xrMeta{Name: "orders", Namespace: "team-payments", UID: "7d7d7d7d-1111-4222-8333-444455556666"}
	found := map[string]any{"arn": "arn:aws:rds:us-east-1:111122223333:cluster:legacy-orders", "tags": map[string]any{"team": "orders"}}
	ours := map[string]any{"arn": "arn:aws:rds:us-east-1:111122223333:cluster:legacy-orders", "tagsAll": map[string]any{tagOwnerXR: meta.UID}}
	cases := map[string]struct {
		reason  string
		adopt   *Adopt
		cluster *structpb.Struct
		want    clusterClaim
	}{
		"New": {
			reason: "No cluster MR: probe first.",
			want:   claimUnknown,
		},
		"Managed": {
			reason:  "An existing XR's cluster MR is fully managed and stays so.",
			cluster: testCluster(nil, "True", "", found),
			want:    claimManaged,
		},
		"ProbeUnanswered": {
			reason:  "The provider has not observed the probe yet.",
			cluster: testCluster(observeOnly, "", "", nil),
			want:    claimUnknown,
		},
		"ProbeFree": {
			reason:  "The provider reports no such cluster.",
			cluster: testCluster(observeOnly, "False", notExist, nil),
			want:    claimFree,
		},
		"ProbeOtherError": {
			reason:  "Another error says nothing about the identifier.",
			cluster: testCluster(observeOnly, "False", "cannot observe external resource: AccessDenied", nil),
			want:    claimUnknown,
		},
		"ProbeForeign": {
			reason:  "A cluster without this XR's tag is someone else's.",
			cluster: testCluster(observeOnly, "True", "", found),
			want:    claimForeign,
		},
		"ProbeOwned": {
			reason:  "A cluster with this XR's tag is this XR's (its MR was lost).",
			cluster: testCluster(observeOnly, "True", "", ours),
			want:    claimOwned,
		},
		"AdoptObserve": {
			reason: "Observe composes observe-only.",
			adopt:  &Adopt{ClusterIdentifier: "legacy-orders", Mode: AdoptModeObserve},
			want:   claimObserve,
		},
		"AdoptManageFirstObserves": {
			reason: "Manage observes the cluster before it applies the spec.",
			adopt:  &Adopt{ClusterIdentifier: "legacy-orders", Mode: AdoptModeManage},
			want:   claimObserve,
		},
		"AdoptManageObserved": {
			reason:  "Once observed, Manage takes it over.",
			adopt:   &Adopt{ClusterIdentifier: "legacy-orders", Mode: AdoptModeManage},
			cluster: testCluster(observeOnly, "True", "", found),
			want:    claimManaged,
		},
		"AdoptObserveAfterManage": {
			reason:  "A managed cluster stays managed whatever the mode says (checkAdoption refuses the edit).",
			adopt:   &Adopt{ClusterIdentifier: "legacy-orders", Mode: AdoptModeObserve},
			cluster: testCluster(nil, "True", "", found),
			want:    claimManaged,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			s.Adopt = tc.adopt
			o := observed{}
			if tc.cluster != nil {
				o[nameCluster] = tc.cluster
			}
			if got := clusterClaimOf(meta, s, o); got != tc.want {
				t.Errorf("%s\nclusterClaimOf(...): want %d, got %d", tc.reason, tc.want, got)
			}
		})
	}
}

func TestValidateAdopt(t *testing.T) {
	cases := map[string]struct {
		reason string
		mutate func(*AuroraSpec)
		want   []string
	}{
		"Observe": {
			reason: "An identifier is all Observe needs; the mode defaults to Observe.",
			mutate: func(s *AuroraSpec) { s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders"} },
		},
		"OtherIdentifier": {
			reason: "The adopted cluster keeps its identifier.",
			mutate: func(s *AuroraSpec) {
				s.ClusterIdentifier = "orders"
				s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders"}
			},
			want: []string{`spec.clusterIdentifier: Invalid value: "orders": must be empty or spec.adopt.clusterIdentifier ("legacy-orders"): the adopted cluster keeps its identifier`},
		},
		"WithRestore": {
			reason: "A restore creates a cluster; adopt takes over one.",
			mutate: func(s *AuroraSpec) {
				s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders"}
				s.Restore = &Restore{SnapshotIdentifier: "orders-final"}
			},
			want: []string{"spec.restore: Forbidden: a restore creates a new cluster: it cannot go with spec.adopt, which takes over one that exists"},
		},
		"SelfManaged": {
			reason: "The bootstrap sets the password of a cluster it creates only.",
			mutate: func(s *AuroraSpec) {
				s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders", Mode: AdoptModeManage}
				s.Credentials.Mode = CredentialsModeSelfManaged
			},
			want: []string{"spec.credentials.mode: Forbidden: an adopted cluster takes RDSManaged credentials: the SelfManaged bootstrap sets the password of a cluster it creates only; RDSManaged has RDS replace the master password with one in a secret it rotates (status.secretArn)"},
		},
		"BadMode": {
			reason: "Only Observe and Manage.",
			mutate: func(s *AuroraSpec) { s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders", Mode: "Import"} },
			want:   []string{`spec.adopt.mode: Unsupported value: "Import": supported values: "Observe", "Manage"`},
		},
		"LongInstanceIdentifier": {
			reason: "Managed instances are <cluster>-<name>, at most 63 characters.",
			mutate: func(s *AuroraSpec) {
				s.Adopt = &Adopt{ClusterIdentifier: "a-very-long-cluster-identifier-made-in-the-console-long-ago", Mode: AdoptModeManage}
				s.Instances = []Instance{{Name: "writer", InstanceClass: "db.r6g.large"}}
			},
			want: []string{`spec.instances[0].name: Invalid value: "writer": makes the instance identifier "a-very-long-cluster-identifier-made-in-the-console-long-ago-writer" longer than RDS's 63 characters`},
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

// TestCheckAdoption plays an adoption: Observe, then Manage with what RDS
// cannot change stated wrongly (refused, nothing composed), then right,
// then back to Observe (refused).
func TestCheckAdoption(t *testing.T) {
	observeXR := readObject(t, "testdata/xr/adopt-observe.yaml")
	_, observedOnly, _ := converge(t, observeXR, exampleInput())
	manageXR := readObject(t, "testdata/xr/adopt-manage.yaml")

	wrong := setSpec(setSpec(manageXR, "databaseName", "app"), "engineVersion", "15.8")
	checkFatal(t, "Manage refuses what RDS cannot change", run(t, newRequest(wrong, exampleInput(), observedOnly)),
		`spec.databaseName: Invalid value: "app": the adopted cluster's database name is "orders" and RDS cannot change it: set it to "orders" before mode Manage; spec.engineVersion: Invalid value: "15.8": the adopted cluster runs 16.4: the spec must ask the same major version`)

	noKey := setSpec(manageXR, "encryption", nil)
	checkFatal(t, "Manage needs the running key", run(t, newRequest(noKey, exampleInput(), observedOnly)),
		`spec.encryption.existingKmsKeyArn: Invalid value: "": the adopted cluster's storage key is "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9"`)

	rsp := run(t, newRequest(manageXR, exampleInput(), observedOnly))
	checkFatal(t, "Manage with the immutable values right takes over", rsp, "")
	if _, ok := rsp.GetDesired().GetResources()["cluster"]; !ok {
		t.Fatal("the cluster is not composed")
	}

	_, managed, _ := converge(t, manageXR, exampleInput())
	back := setSpec(manageXR, "adopt.mode", AdoptModeObserve)
	checkFatal(t, "Manage back to Observe would delete what Manage composed", run(t, newRequest(back, exampleInput(), managed)),
		`spec.adopt.mode: Forbidden: cluster "legacy-orders" is managed: going back to Observe would delete what Manage composed around it`)
}

// TestAdoptKeepsWhatRDSCannotChange: Manage sends an adopted cluster what
// RDS (or Terraform's ForceNew) cannot change as it runs, and refuses a
// cluster the provider could only replace.
func TestAdoptKeepsWhatRDSCannotChange(t *testing.T) {
	observeXR := readObject(t, "testdata/xr/adopt-observe.yaml")
	manageXR := readObject(t, "testdata/xr/adopt-manage.yaml")
	const secretKey = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	// The provider reports the cluster with edit applied, from the
	// observing XR's steady state through the take-over.
	takeOver := func(edit func(at map[string]any)) simulation {
		_, observed, xr := converge(t, observeXR, exampleInput())
		changed := setSpec(manageXR, "adopt.mode", AdoptModeManage)
		changed["status"], changed["metadata"] = xr["status"], xr["metadata"]
		return simulateWith(t, changed, exampleInput(), simOptions{observed: observed, aws: func(name string, obj map[string]any) {
			st, _ := obj["status"].(map[string]any)
			if at, ok := st["atProvider"].(map[string]any); ok && name == string(nameCluster) {
				edit(at)
			}
		}})
	}
	cases := map[string]struct {
		reason       string
		edit         func(at map[string]any)
		spec         map[string]any
		wantFatal    string
		wantDatabase any
		wantSecret   any
	}{
		"NoDatabaseName": {
			reason: "A cluster created without a database name is not asked for one: database_name is ForceNew, the provider would plan to replace the cluster.",
			edit: func(at map[string]any) {
				delete(at, "databaseName")
			},
			wantDatabase: nil,
			wantSecret:   "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9",
		},
		"SecretKeyKept": {
			reason: "The master secret RDS manages keeps its key: ModifyDBCluster cannot change it.",
			edit: func(at map[string]any) {
				at["masterUserSecret"] = []any{map[string]any{"secretArn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!cluster-0b1c2d3e-AbCdEf", "kmsKeyId": secretKey}}
			},
			wantDatabase: "orders",
			wantSecret:   secretKey,
		},
		"NotAuroraPostgreSQL": {
			reason:    "An RDS Multi-AZ PostgreSQL cluster cannot be adopted: engine is ForceNew.",
			edit:      func(at map[string]any) { at["engine"] = "postgres" },
			wantFatal: `spec.adopt.clusterIdentifier: Forbidden: cluster "legacy-orders" runs engine postgres: only Aurora PostgreSQL (aurora-postgresql) clusters can be adopted`,
		},
		"ServerlessV1": {
			reason:    "A serverless v1 cluster cannot be adopted: engine mode is ForceNew.",
			edit:      func(at map[string]any) { at["engineMode"] = "serverless" },
			wantFatal: `spec.adopt.clusterIdentifier: Forbidden: cluster "legacy-orders" has engine mode serverless`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := lastStep(t, takeOver(tc.edit))
			checkFatal(t, tc.reason, rsp, tc.wantFatal)
			if tc.wantFatal != "" {
				return
			}
			c, ok := rsp.GetDesired().GetResources()["cluster"]
			if !ok {
				t.Fatalf("%s\nthe cluster is not composed", tc.reason)
			}
			fp := c.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)
			if diff := cmp.Diff(tc.wantDatabase, fp["databaseName"]); diff != "" {
				t.Errorf("%s\ndatabaseName: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantSecret, fp["masterUserSecretKmsKeyId"]); diff != "" {
				t.Errorf("%s\nmasterUserSecretKmsKeyId: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
