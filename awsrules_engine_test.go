package main

import (
	"fmt"
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
)

// Rules about engine versions and major upgrades (engine.go), checked on
// every golden and simulated state, and on the simulations of the golden
// cases that change an XR (goldenCase.before): a minor upgraded by AWS, a
// major upgrade deferred to the maintenance window and one applied at once.

func init() {
	awsRules = append(awsRules, engineRules...)
}

// engineRules are the engine version rules.
var engineRules = []awsRule{
	{
		ID:        "EngineVersionNeverBelowRunning",
		Statement: "The rds Cluster's engineVersion is never below the observed cluster's status.atProvider.engineVersionActual (a major alone, such as 16, matches every 16.x).",
		Citations: []string{
			"https://github.com/crossplane-contrib/provider-upjet-aws/issues/1504 (downgrade attempts after an automatic minor upgrade; PR #1514 drops only the engine_version diff)",
			"https://github.com/hashicorp/terraform-provider-aws/issues/48936 (the update still sends engine_version when it differs from engine_version_actual, with any other change)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.PostgreSQL.Minor.html (minor upgrades in the maintenance window)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html (EngineVersion: InvalidParameterCombination for a version RDS cannot upgrade to)",
		},
		Check: checkEngineVersionNeverBelowRunning,
	},
	{
		ID:        "MajorUpgradeWithTargetFamilyGroup",
		Statement: "An rds Cluster asking for a major above the running one sets allowMajorVersionUpgrade and names a cluster parameter group of the target family that was observed Ready; allowMajorVersionUpgrade is set only then; the cluster's parameter group is always of its engineVersion's family.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html (a custom parameter group of the new family, given with the upgrade)",
			"https://github.com/crossplane-contrib/provider-aws/pull/1692 (EngineVersion and DBClusterParameterGroupName in the same ModifyDBCluster call)",
			"https://github.com/hashicorp/terraform-provider-aws/issues/35912 (with instance parameter groups, DBInstanceParameterGroupName too)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html (AllowMajorVersionUpgrade: required for a major version)",
		},
		Check: checkMajorUpgradeWithTargetFamilyGroup,
	},
	{
		ID:        "ParameterGroupKeptWhileUsed",
		Statement: "A cluster parameter group the observed cluster uses (status.atProvider.dbClusterParameterGroupName, else spec.forProvider's) stays desired, with its Usage.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBClusterParameterGroup.html (the group can't be associated with any DB clusters)",
			"https://docs.crossplane.io/latest/managed-resources/usages/",
		},
		Check: checkParameterGroupKeptWhileUsed,
	},
	{
		ID:        "EngineLifecycleSupportAtCreation",
		Statement: "engineLifecycleSupport is in the rds Cluster's spec.initProvider only, never in spec.forProvider.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (EngineLifecycleSupport at creation; also on restore)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html (no EngineLifecycleSupport)",
			"https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/pull/538 (updates of the field blocked until a modify option exists)",
		},
		Check: checkEngineLifecycleSupportAtCreation,
	},
	{
		ID:        "AutoMinorUpgradeFollowsPin",
		Statement: "Every ClusterInstance sets autoMinorVersionUpgrade, false exactly when spec.engineVersion pins a minor.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html#Aurora.Maintenance.AMVU (a cluster's minor is upgraded only when every instance allows it)",
			"https://github.com/aws/aws-cdk/issues/15475 (a pinned version upgraded underneath its stack)",
		},
		Check: checkAutoMinorUpgradeFollowsPin,
	},
}

// runningVersion is the observed cluster's engineVersionActual, or "".
func (s *ruleState) runningVersion() string {
	if c := s.Observed[string(nameCluster)]; c != nil {
		return objString(c, "status", "atProvider", "engineVersionActual")
	}
	return ""
}

func checkEngineVersionNeverBelowRunning(s *ruleState) []ruleFinding {
	running := s.runningVersion()
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		if v := mrParamString(c.Obj, "engineVersion"); running != "" && compareVersions(v, running) < 0 {
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("engineVersion %s is below the running %s: RDS refuses the downgrade on this and every later update", v, running)})
		}
	}
	return out
}

// groupOfCluster is the desired cluster parameter group an rds Cluster
// names (dbClusterParameterGroupName, matched by external name) or
// selects, and its name.
func (s *ruleState) groupOfCluster(c map[string]any) (string, map[string]any) {
	name := mrParamString(c, "dbClusterParameterGroupName")
	for _, g := range s.desiredOf(ruleKindRDSClusterParamGroup) {
		if name != "" && objAnnotation(g.Obj, ruleAnnotationExternalName) == name {
			return g.Name, g.Obj
		}
	}
	if name == "" {
		if n := s.selectedBy(c, "dbClusterParameterGroupNameSelector"); n != "" {
			return n, s.Desired[n]
		}
	}
	return "", nil
}

func checkMajorUpgradeWithTargetFamilyGroup(s *ruleState) []ruleFinding {
	running := engineMajor(s.runningVersion())
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		major := engineMajor(mrParamString(c.Obj, "engineVersion"))
		allow, _ := mrParamBool(c.Obj, "allowMajorVersionUpgrade")
		name, g := s.groupOfCluster(c.Obj)
		// A point-in-time restore sends no version (RestoreDBClusterToPointInTime
		// has no EngineVersion: the copy runs the source's); the group's
		// family is spec.engineVersion's, which docs/restore.md requires to
		// be the source's major, and RDS refuses the restore otherwise.
		_, pointInTime := mrParam(c.Obj, "restoreToPointInTime")
		if g != nil && !(pointInTime && major == "") {
			if fam := mrParamString(g, "family"); fam != clusterParameterGroupFamily(major) {
				out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("uses parameter group %q of family %s with engineVersion major %s: RDS refuses a group of another family", name, fam, major)})
			}
		}
		upgrading := running != "" && major != running
		switch {
		case !s.ObservedKnown:
			// A golden file: what ran is not recorded.
		case upgrading && !allow:
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("asks for major %s while %s runs without allowMajorVersionUpgrade", major, running)})
		case !upgrading && allow:
			out = append(out, ruleFinding{Resource: c.Name, Message: "sets allowMajorVersionUpgrade without a major upgrade"})
		}
		usedNow := objString(s.Observed[string(nameCluster)], "status", "atProvider", "dbClusterParameterGroupName")
		if upgrading && g != nil && s.ObservedKnown && objAnnotation(g, ruleAnnotationExternalName) != usedNow && !observedReady(s.Observed[name]) {
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("moves to parameter group %q before it was observed Ready", name)})
		}
	}
	return out
}

func checkParameterGroupKeptWhileUsed(s *ruleState) []ruleFinding {
	c := s.Observed[string(nameCluster)]
	if c == nil || s.Desired[string(nameCluster)] == nil {
		return nil
	}
	used := objString(c, "status", "atProvider", "dbClusterParameterGroupName")
	if used == "" {
		used = objString(c, "spec", "forProvider", "dbClusterParameterGroupName")
	}
	var out []ruleFinding
	for _, g := range s.observedOf(ruleKindRDSClusterParamGroup) {
		if used == "" || objAnnotation(g.Obj, ruleAnnotationExternalName) != used {
			continue
		}
		if s.Desired[g.Name] == nil {
			out = append(out, ruleFinding{Resource: g.Name, Message: fmt.Sprintf("is left out of the desired state while the cluster uses it (%s)", used)})
			continue
		}
		if s.Desired[string(nameUsage(resource.Name(g.Name), nameCluster))] == nil {
			out = append(out, ruleFinding{Resource: g.Name, Message: "has no Usage by the cluster that uses it"})
		}
	}
	return out
}

func checkEngineLifecycleSupportAtCreation(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		if _, ok := objField(c.Obj, "spec", "forProvider", "engineLifecycleSupport"); ok {
			out = append(out, ruleFinding{Resource: c.Name, Message: "sets engineLifecycleSupport in spec.forProvider: RDS cannot modify it, so a change would be retried forever"})
		}
	}
	return out
}

func checkAutoMinorUpgradeFollowsPin(s *ruleState) []ruleFinding {
	want := !pinned(s.Spec.EngineVersion)
	var out []ruleFinding
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		got, set := forProviderBool(in.Obj, "autoMinorVersionUpgrade")
		if !set || got != want {
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("autoMinorVersionUpgrade is %v (set: %v), want %v for spec.engineVersion %s", got, set, want, s.Spec.EngineVersion)})
		}
	}
	return out
}

// changedSimulatedStates are the states of the golden cases that change an
// XR, every call after the change.
func changedSimulatedStates(t *testing.T) []*ruleState {
	t.Helper()
	var states []*ruleState
	for _, name := range sortedMapKeys(goldenCases) {
		tc := goldenCases[name]
		if tc.before == "" {
			continue
		}
		g := goldenSimulation{xr: tc.xr, input: goldenInput(tc), cases: []string{name}}
		states = append(states, g.states(t, "change simulation of "+name, goldenChanged(t, tc).steps)...)
	}
	return states
}

// engineFindingSelfTests are the engine rules' cases.
func engineFindingSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	cluster := func(params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSCluster, "cluster", params), "orders")
	}
	observedCluster := func(running, group string) map[string]any {
		c := cluster(map[string]any{})
		c["status"] = map[string]any{"atProvider": map[string]any{"engineVersionActual": running, "dbClusterParameterGroupName": group}}
		return c
	}
	group := func(name, ext, family string) map[string]any {
		return withExternalName(testMR(ruleKindRDSClusterParamGroup, name, map[string]any{"family": family}), ext)
	}
	instance := func(auto any) map[string]any {
		return testMR(ruleKindRDSClusterInstance, "instance-1", map[string]any{"autoMinorVersionUpgrade": auto})
	}
	return map[string]ruleSelfTest{
		"EngineVersionNeverBelowRunningGood": {
			reason: "A major alone, or the running version, over 16.8.",
			args: args{rule: "EngineVersionNeverBelowRunning", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"engineVersion": "16"}),
			}), map[string]map[string]any{"cluster": observedCluster("16.8", "orders")})},
		},
		"EngineVersionNeverBelowRunningBad": {
			reason: "A pinned 16.6 over a running 16.8 is a downgrade.",
			args: args{rule: "EngineVersionNeverBelowRunning", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"engineVersion": "16.6"}),
			}), map[string]map[string]any{"cluster": observedCluster("16.8", "orders")})},
			want: want{violations: []string{
				`EngineVersionNeverBelowRunning: self-test: "cluster" (rds Cluster): engineVersion 16.6 is below the running 16.8: RDS refuses the downgrade on this and every later update`,
			}},
		},
		"MajorUpgradeWithTargetFamilyGroupGood": {
			reason: "16 over a running 15 on the Ready 16 group, with allowMajorVersionUpgrade.",
			args: args{rule: "MajorUpgradeWithTargetFamilyGroup", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":                    cluster(map[string]any{"engineVersion": "16", "allowMajorVersionUpgrade": true, "dbClusterParameterGroupName": "orders-aurora-postgresql16"}),
				"cluster-parameter-group":    group("cluster-parameter-group", "orders", "aurora-postgresql15"),
				"cluster-parameter-group-16": group("cluster-parameter-group-16", "orders-aurora-postgresql16", "aurora-postgresql16"),
			}), map[string]map[string]any{
				"cluster":                    observedCluster("15.10", "orders"),
				"cluster-parameter-group-16": group("cluster-parameter-group-16", "orders-aurora-postgresql16", "aurora-postgresql16"),
			})},
		},
		"MajorUpgradeWithTargetFamilyGroupBad": {
			reason: "16 on the 15 group without allowMajorVersionUpgrade; a group not yet observed.",
			args: args{rule: "MajorUpgradeWithTargetFamilyGroup", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":                    cluster(map[string]any{"engineVersion": "16", "dbClusterParameterGroupName": "orders"}),
				"cluster-parameter-group":    group("cluster-parameter-group", "orders", "aurora-postgresql15"),
				"other":                      withExternalName(testMR(ruleKindRDSCluster, "other", map[string]any{"engineVersion": "16", "allowMajorVersionUpgrade": true, "dbClusterParameterGroupName": "orders-aurora-postgresql16"}), "other"),
				"cluster-parameter-group-16": group("cluster-parameter-group-16", "orders-aurora-postgresql16", "aurora-postgresql16"),
			}), map[string]map[string]any{"cluster": observedCluster("15.10", "orders")})},
			want: want{violations: []string{
				`MajorUpgradeWithTargetFamilyGroup: self-test: "cluster" (rds Cluster): asks for major 16 while 15 runs without allowMajorVersionUpgrade`,
				`MajorUpgradeWithTargetFamilyGroup: self-test: "cluster" (rds Cluster): uses parameter group "cluster-parameter-group" of family aurora-postgresql15 with engineVersion major 16: RDS refuses a group of another family`,
				`MajorUpgradeWithTargetFamilyGroup: self-test: "other" (rds Cluster): moves to parameter group "cluster-parameter-group-16" before it was observed Ready`,
			}},
		},
		"ParameterGroupKeptWhileUsedGood": {
			reason: "The group in use stays, with its Usage; the one left behind goes.",
			args: args{rule: "ParameterGroupKeptWhileUsed", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":                    cluster(map[string]any{}),
				"cluster-parameter-group-16": group("cluster-parameter-group-16", "orders-aurora-postgresql16", "aurora-postgresql16"),
				"usage-cluster-parameter-group-16-by-cluster": testUsage(ruleKindRDSClusterParamGroup, ruleKindRDSCluster, "cluster-parameter-group-16", "cluster"),
			}), map[string]map[string]any{
				"cluster":                    observedCluster("16.2", "orders-aurora-postgresql16"),
				"cluster-parameter-group":    group("cluster-parameter-group", "orders", "aurora-postgresql15"),
				"cluster-parameter-group-16": group("cluster-parameter-group-16", "orders-aurora-postgresql16", "aurora-postgresql16"),
			})},
		},
		"ParameterGroupKeptWhileUsedBad": {
			reason: "The group the cluster still runs on is left out.",
			args: args{rule: "ParameterGroupKeptWhileUsed", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":                    cluster(map[string]any{}),
				"cluster-parameter-group-16": group("cluster-parameter-group-16", "orders-aurora-postgresql16", "aurora-postgresql16"),
			}), map[string]map[string]any{
				"cluster":                 observedCluster("15.10", "orders"),
				"cluster-parameter-group": group("cluster-parameter-group", "orders", "aurora-postgresql15"),
			})},
			want: want{violations: []string{
				`ParameterGroupKeptWhileUsed: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): is left out of the desired state while the cluster uses it (orders)`,
			}},
		},
		"EngineLifecycleSupportAtCreationGood": {
			reason: "In initProvider only.",
			args: args{rule: "EngineLifecycleSupportAtCreation", state: testState("us-east-1", map[string]map[string]any{
				"cluster": func() map[string]any {
					c := cluster(map[string]any{})
					c["spec"].(map[string]any)["initProvider"] = map[string]any{"engineLifecycleSupport": lifecycleExtendedSupportDisabled}
					return c
				}(),
			})},
		},
		"EngineLifecycleSupportAtCreationBad": {
			reason: "In forProvider it would be sent on updates.",
			args: args{rule: "EngineLifecycleSupportAtCreation", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"engineLifecycleSupport": lifecycleExtendedSupport}),
			})},
			want: want{violations: []string{
				`EngineLifecycleSupportAtCreation: self-test: "cluster" (rds Cluster): sets engineLifecycleSupport in spec.forProvider: RDS cannot modify it, so a change would be retried forever`,
			}},
		},
		"AutoMinorUpgradeFollowsPinGood": {
			reason: "A major alone lets AWS upgrade minors.",
			args: args{rule: "AutoMinorUpgradeFollowsPin", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"instance-1": instance(true),
			}), func(s *AuroraSpec) { s.EngineVersion = "16" })},
		},
		"AutoMinorUpgradeFollowsPinBad": {
			reason: "A pinned minor with automatic minor upgrades on.",
			args: args{rule: "AutoMinorUpgradeFollowsPin", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"instance-1": instance(true),
			}), func(s *AuroraSpec) { s.EngineVersion = "16.6" })},
			want: want{violations: []string{
				`AutoMinorUpgradeFollowsPin: self-test: "instance-1" (rds ClusterInstance): autoMinorVersionUpgrade is true (set: true), want false for spec.engineVersion 16.6`,
			}},
		},
	}
}
