package main

import (
	"fmt"
	"strings"
)

// Rules about restores, adoption and the probe of a new cluster identifier
// (restore.go, adopt.go).

func init() {
	awsRules = append(awsRules, restoreAdoptRules...)
}

// ruleKindRDSSubnetGroup is the rds SubnetGroup kind.
var ruleKindRDSSubnetGroup = objKind{"rds.aws.m.upbound.io/v1beta1", "SubnetGroup"}

// restoreAdoptRules are the restore and adoption rules.
var restoreAdoptRules = []awsRule{
	{
		ID:        "RestoreTakesNoMasterUser",
		Statement: "An rds Cluster with snapshotIdentifier or restoreToPointInTime sets no masterUsername; one with restoreToPointInTime also no databaseName or engineVersion; and never both restore sources.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterFromSnapshot.html (no MasterUsername: the snapshot's master user is restored)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterToPointInTime.html (no MasterUsername, DatabaseName or EngineVersion: the source's)",
			"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster#snapshot_identifier (conflicts with restore_to_point_in_time)",
		},
		Check: checkRestoreTakesNoMasterUser,
	},
	{
		ID:        "PointInTimeOneTime",
		Statement: "A restoreToPointInTime block names its source and exactly one of restoreToTime and useLatestRestorableTime true.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterToPointInTime.html (RestoreToTime can't be specified if UseLatestRestorableTime is true; one of them is required)",
			"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster#restore_to_point_in_time-argument-reference",
		},
		Check: checkPointInTimeOneTime,
	},
	{
		ID:        "RestoredClusterInstancesNameIt",
		Statement: "Every ClusterInstance of a restored rds Cluster sets clusterIdentifier to the cluster's external name, without a clusterIdentifierSelector.",
		Citations: []string{
			"https://github.com/crossplane-contrib/provider-upjet-aws/issues/1764 (instances of a restored cluster: cannot resolve references: referenced field was empty)",
		},
		Check: checkRestoredClusterInstancesNameIt,
	},
	{
		ID:        "ObserveOnlyResolvesNothing",
		Statement: "A managed resource with managementPolicies [Observe] has no reference selectors and no initProvider.",
		Citations: []string{
			"https://github.com/crossplane/crossplane-runtime/blob/main/pkg/reconciler/managed/reconciler.go (references are resolved before Observe, whatever the policies; an unresolvable one blocks the observation)",
			"https://docs.crossplane.io/latest/managed-resources/managed-resources/#managementpolicies",
		},
		Check: checkObserveOnlyResolvesNothing,
	},
	{
		ID:        "NothingNewBeforeTheIdentifierIsChecked",
		Statement: "Unless spec.adopt says so, a call that has not seen the provider report the cluster identifier free (an observe-only rds Cluster Synced=False 'external resource does not exist') or a managed rds Cluster composes no provider-aws resource that is not observed yet.",
		Citations: []string{
			"https://docs.crossplane.io/latest/managed-resources/managed-resources/#naming-external-resources (a managed resource whose external name exists takes over the existing resource)",
			"https://github.com/crossplane/crossplane-runtime/blob/main/pkg/reconciler/managed/reconciler.go (errExternalResourceNotExist for an observe-only resource that does not exist)",
		},
		Check: checkNothingNewBeforeTheIdentifierIsChecked,
	},
	{
		ID:        "ClusterCarriesItsOwner",
		Statement: "A managed rds Cluster's tags carry aurora-postgres.fn.crossplane.io/xr-uid with the XR's UID, unless the user's tags use the whole budget.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Tagging.html (tags on a DB cluster, set by CreateDBCluster and the restore calls)",
			"https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions",
		},
		Check: checkClusterCarriesItsOwner,
	},
}

// restored reports whether a desired cluster is a restore.
func restored(c map[string]any) bool {
	return objString(c, "spec", "forProvider", "snapshotIdentifier") != "" || objMap(c, "spec", "forProvider", "restoreToPointInTime") != nil
}

// checkRestoreTakesNoMasterUser: neither restore call takes a master user;
// a point-in-time restore takes the source's database and engine version.
// The provider would send them only with CreateDBCluster or apply them
// after the restore, where they are create-only: a replacement retried
// forever (pitfall 10).
func checkRestoreTakesNoMasterUser(s *ruleState) []ruleFinding {
	c := s.theCluster()
	if c == nil || !restored(c.Obj) {
		return nil
	}
	var out []ruleFinding
	add := func(format string, a ...any) {
		out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf(format, a...)})
	}
	fields := []string{"masterUsername"}
	pit := objMap(c.Obj, "spec", "forProvider", "restoreToPointInTime") != nil
	if pit {
		fields = append(fields, "databaseName", "engineVersion")
		if objString(c.Obj, "spec", "forProvider", "snapshotIdentifier") != "" {
			add("sets both snapshotIdentifier and restoreToPointInTime: they conflict")
		}
	}
	for _, f := range fields {
		if v := objString(c.Obj, "spec", "forProvider", f); v != "" {
			add("restores a backup but sets %s %q: the restore takes it from the backup", f, v)
		}
	}
	return out
}

// checkPointInTimeOneTime: RDS refuses both times, and neither.
func checkPointInTimeOneTime(s *ruleState) []ruleFinding {
	c := s.theCluster()
	if c == nil {
		return nil
	}
	pit := objMap(c.Obj, "spec", "forProvider", "restoreToPointInTime")
	if pit == nil {
		return nil
	}
	var out []ruleFinding
	latest, _ := pit["useLatestRestorableTime"].(bool)
	at, _ := pit["restoreToTime"].(string)
	if src, _ := pit["sourceClusterIdentifier"].(string); src == "" {
		out = append(out, ruleFinding{Resource: c.Name, Message: "restoreToPointInTime names no sourceClusterIdentifier"})
	}
	if latest == (at != "") {
		out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("restoreToPointInTime sets restoreToTime %q and useLatestRestorableTime %t: exactly one", at, latest)})
	}
	return out
}

// checkRestoredClusterInstancesNameIt (provider-upjet-aws#1764).
func checkRestoredClusterInstancesNameIt(s *ruleState) []ruleFinding {
	c := s.theCluster()
	if c == nil || !restored(c.Obj) {
		return nil
	}
	id := objString(c.Obj, "metadata", "annotations", ruleAnnotationExternalName)
	var out []ruleFinding
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		if objMap(in.Obj, "spec", "forProvider", "clusterIdentifierSelector") != nil || objString(in.Obj, "spec", "forProvider", "clusterIdentifier") != id {
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("an instance of restored cluster %q must set clusterIdentifier %q without a selector: the reference never resolves (provider-upjet-aws#1764)", id, id)})
		}
	}
	return out
}

// checkObserveOnlyResolvesNothing: a probe that waits for a reference
// never answers.
func checkObserveOnlyResolvesNothing(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, n := range sortedMapKeys(s.ObserveOnly) {
		obj := s.ObserveOnly[n]
		forEachSelector(obj, func(path, _ string, _ map[string]any) {
			out = append(out, ruleFinding{Resource: n, Message: fmt.Sprintf("is observe-only but has %s: the provider resolves it before it observes, and waits for it", path)})
		})
		if objMap(obj, "spec", "initProvider") != nil {
			out = append(out, ruleFinding{Resource: n, Message: "is observe-only but has spec.initProvider, which applies only when the provider creates it"})
		}
	}
	return out
}

// checkNothingNewBeforeTheIdentifierIsChecked: Crossplane's managed
// resources take over what exists under their external name; until the
// provider says the identifier is free, the names derived from it (subnet
// and parameter groups, log groups, alias) may be someone else's too.
func checkNothingNewBeforeTheIdentifierIsChecked(s *ruleState) []ruleFinding {
	if !s.ObservedKnown || s.Spec.Adopt != nil {
		return nil
	}
	if _, managed := s.Observed["cluster"]; managed {
		return nil
	}
	if probe, ok := s.ObservedObserveOnly["cluster"]; ok {
		if st, msg := objCondition(probe, "Synced"); st == "False" && strings.Contains(msg, errNotExist) {
			return nil
		}
	}
	var out []ruleFinding
	for _, n := range s.desiredNames() {
		if _, ok := s.Observed[n]; !ok && isProviderAWS(s.Desired[n]) {
			out = append(out, ruleFinding{Resource: n, Message: "is created before the provider reported the cluster identifier free: it may take over what exists under a name derived from it"})
		}
	}
	return out
}

// checkClusterCarriesItsOwner: a later probe tells this XR's cluster from
// someone else's by this tag.
func checkClusterCarriesItsOwner(s *ruleState) []ruleFinding {
	c := s.theCluster()
	if c == nil || s.Meta.UID == "" || len(s.Spec.Tags) >= maxTags {
		return nil
	}
	if got := objString(c.Obj, "spec", "forProvider", "tags", tagOwnerXR); got != s.Meta.UID {
		return []ruleFinding{{Resource: c.Name, Message: fmt.Sprintf("tags[%s] is %q, want the XR's UID %q", tagOwnerXR, got, s.Meta.UID)}}
	}
	return nil
}

// objCondition is an object's condition status and message.
func objCondition(obj map[string]any, typ string) (string, string) {
	conds, _ := objField(obj, "status", "conditions")
	l, _ := conds.([]any)
	for _, c := range l {
		m, _ := c.(map[string]any)
		if m["type"] == typ {
			st, _ := m["status"].(string)
			msg, _ := m["message"].(string)
			return st, msg
		}
	}
	return "", ""
}

// restoreAdoptSelfTests are the rules' good and bad cases.
func restoreAdoptSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	cluster := func(params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSCluster, "cluster", withParamsMap(map[string]any{"region": "us-east-1"}, params)), "orders")
	}
	instance := func(params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSClusterInstance, "instance-1", withParamsMap(map[string]any{"region": "us-east-1"}, params)), "orders-1")
	}
	observeOnly := func(obj map[string]any) map[string]any {
		obj["spec"].(map[string]any)["managementPolicies"] = []any{"Observe"}
		return obj
	}
	pitr := map[string]any{"sourceClusterIdentifier": "old", "useLatestRestorableTime": true, "restoreType": "full-copy"}
	probeState := func(answer map[string]any) *ruleState {
		s := testState("us-east-1", map[string]map[string]any{
			"subnet-group": testMR(ruleKindRDSSubnetGroup, "subnet-group", map[string]any{"region": "us-east-1"}),
		})
		s.ObservedKnown = true
		s.ObserveOnly = map[string]map[string]any{"cluster": observeOnly(cluster(nil))}
		s.ObservedObserveOnly = map[string]map[string]any{}
		if answer != nil {
			s.ObservedObserveOnly["cluster"] = answer
		}
		return s
	}
	notExist := observeOnly(cluster(nil))
	notExist["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Synced", "status": "False", "message": "cannot observe external resource: external resource does not exist"}}}
	owned := func(uid string) *ruleState {
		s := testState("us-east-1", map[string]map[string]any{"cluster": cluster(map[string]any{"tags": map[string]any{tagOwnerXR: uid}})})
		s.Meta = xrMeta{Name: "orders", Namespace: "team", UID: "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60"}
		return s
	}
	return map[string]ruleSelfTest{
		"RestoreTakesNoMasterUserGood": {
			reason: "A snapshot restore with neither master user nor, for point in time, database or version.",
			args: args{rule: "RestoreTakesNoMasterUser", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"snapshotIdentifier": "s", "engineVersion": "16.6"}),
			})},
		},
		"RestoreTakesNoMasterUserBad": {
			reason: "A point-in-time restore with a master user, a database and a version is reported.",
			args: args{rule: "RestoreTakesNoMasterUser", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"restoreToPointInTime": pitr, "masterUsername": "dbadmin", "databaseName": "app", "engineVersion": "16.6"}),
			})},
			want: want{violations: []string{
				`RestoreTakesNoMasterUser: self-test: "cluster" (rds Cluster): restores a backup but sets databaseName "app": the restore takes it from the backup`,
				`RestoreTakesNoMasterUser: self-test: "cluster" (rds Cluster): restores a backup but sets engineVersion "16.6": the restore takes it from the backup`,
				`RestoreTakesNoMasterUser: self-test: "cluster" (rds Cluster): restores a backup but sets masterUsername "dbadmin": the restore takes it from the backup`,
			}},
		},
		"PointInTimeOneTimeGood": {
			reason: "The latest restorable time alone.",
			args: args{rule: "PointInTimeOneTime", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"restoreToPointInTime": pitr}),
			})},
		},
		"PointInTimeOneTimeBad": {
			reason: "Both times are reported.",
			args: args{rule: "PointInTimeOneTime", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"restoreToPointInTime": map[string]any{"sourceClusterIdentifier": "old", "useLatestRestorableTime": true, "restoreToTime": "2026-11-30T10:00:00Z"}}),
			})},
			want: want{violations: []string{
				`PointInTimeOneTime: self-test: "cluster" (rds Cluster): restoreToPointInTime sets restoreToTime "2026-11-30T10:00:00Z" and useLatestRestorableTime true: exactly one`,
			}},
		},
		"RestoredClusterInstancesNameItGood": {
			reason: "The instance names the restored cluster.",
			args: args{rule: "RestoredClusterInstancesNameIt", state: testState("us-east-1", map[string]map[string]any{
				"cluster":    cluster(map[string]any{"snapshotIdentifier": "s"}),
				"instance-1": instance(map[string]any{"clusterIdentifier": "orders"}),
			})},
		},
		"RestoredClusterInstancesNameItBad": {
			reason: "A selector never resolves for a restored cluster.",
			args: args{rule: "RestoredClusterInstancesNameIt", state: testState("us-east-1", map[string]map[string]any{
				"cluster":    cluster(map[string]any{"snapshotIdentifier": "s"}),
				"instance-1": instance(map[string]any{"clusterIdentifierSelector": testSelector("cluster")}),
			})},
			want: want{violations: []string{
				`RestoredClusterInstancesNameIt: self-test: "instance-1" (rds ClusterInstance): an instance of restored cluster "orders" must set clusterIdentifier "orders" without a selector: the reference never resolves (provider-upjet-aws#1764)`,
			}},
		},
		"ObserveOnlyResolvesNothingGood": {
			reason: "A probe with its region only.",
			args: args{rule: "ObserveOnlyResolvesNothing", state: func() *ruleState {
				s := testState("us-east-1", nil)
				s.ObserveOnly = map[string]map[string]any{"cluster": observeOnly(cluster(nil))}
				return s
			}()},
		},
		"ObserveOnlyResolvesNothingBad": {
			reason: "A probe with a selector waits for what it selects.",
			args: args{rule: "ObserveOnlyResolvesNothing", state: func() *ruleState {
				s := testState("us-east-1", nil)
				s.ObserveOnly = map[string]map[string]any{"cluster": observeOnly(cluster(map[string]any{"kmsKeyIdSelector": testSelector("kms-key")}))}
				return s
			}()},
			want: want{violations: []string{
				`ObserveOnlyResolvesNothing: self-test: "cluster" (rds Cluster): is observe-only but has spec.forProvider.kmsKeyIdSelector: the provider resolves it before it observes, and waits for it`,
			}},
		},
		"NothingNewBeforeTheIdentifierIsCheckedGood": {
			reason: "The provider said the identifier is free.",
			args:   args{rule: "NothingNewBeforeTheIdentifierIsChecked", state: probeState(notExist)},
		},
		"NothingNewBeforeTheIdentifierIsCheckedBad": {
			reason: "A subnet group named after an identifier nobody checked is reported.",
			args:   args{rule: "NothingNewBeforeTheIdentifierIsChecked", state: probeState(nil)},
			want: want{violations: []string{
				`NothingNewBeforeTheIdentifierIsChecked: self-test: "subnet-group" (rds SubnetGroup): is created before the provider reported the cluster identifier free: it may take over what exists under a name derived from it`,
			}},
		},
		"ClusterCarriesItsOwnerGood": {
			reason: "The cluster names the XR's UID.",
			args:   args{rule: "ClusterCarriesItsOwner", state: owned("0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60")},
		},
		"ClusterCarriesItsOwnerBad": {
			reason: "Another UID is another XR's.",
			args:   args{rule: "ClusterCarriesItsOwner", state: owned("other")},
			want: want{violations: []string{
				`ClusterCarriesItsOwner: self-test: "cluster" (rds Cluster): tags[aurora-postgres.fn.crossplane.io/xr-uid] is "other", want the XR's UID "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60"`,
			}},
		},
	}
}
