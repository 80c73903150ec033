package main

import (
	"fmt"
	"slices"
)

// Finding rules about deletion (B2): deleting the XR deletes every
// composed resource at once, so what the cluster needs must outlive it, and
// the key of its final snapshot must outlive the XR.

// deletionFindingRules are the deletion rules.
var deletionFindingRules = []awsRule{
	{
		ID:        "DeletionOrder",
		Statement: "When both exist, the cluster's key, security group, subnet group, cluster parameter group and export log groups are each `of` in a Usage `by` the cluster, and the cluster is `of` in a Usage `by` each ClusterInstance; every Usage has replayDeletion true and matchControllerRef on both selectors.",
		Citations: []string{
			"https://docs.crossplane.io/latest/managed-resources/usages/ (a Usage blocks deleting `of` until `by` is gone; replayDeletion retries the blocked deletion)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html (a cluster is deleted only once its instances are)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html (a cluster whose KMS key is disabled or pending deletion goes inaccessible-encryption-credentials)",
			"https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html (a key pending deletion cannot be used in any cryptographic operation)",
		},
		Check: checkDeletionOrder,
	},
	{
		ID:        "KeyKeptForFinalSnapshot",
		Statement: "When the rds Cluster takes a final snapshot (skipFinalSnapshot false), every composed kms Key has management policies without Delete or * (the provider orphans it); deleteAutomatedBackups (unset: true) is false exactly when skipFinalSnapshot is false.",
		Citations: []string{
			"https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html (after a key is deleted, data encrypted under it is unrecoverable)",
			"https://docs.crossplane.io/latest/managed-resources/managed-resources/#managementpolicies (without Delete the provider leaves the external resource when the managed resource is deleted)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html (FinalDBSnapshotIdentifier, DeleteAutomatedBackups: by default removed at once)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-pitr-retained.html (retained automated backups restore after the cluster is deleted)",
		},
		Check: checkKeyKeptForFinalSnapshot,
	},
}

// DeletionOrder.

// deletionNeed is one resource the cluster, or an instance, needs until it
// is gone.
type deletionNeed struct {
	of, by string
	// why deleting of first breaks by.
	why string
}

// checkDeletionOrder (B2): Crossplane deletes an XR's composed resources
// concurrently; without Usages the key is scheduled for deletion under a
// running cluster, and RDS refuses to delete a cluster that still has
// instances.
func checkDeletionOrder(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, name := range s.desiredNames() {
		u := s.Desired[name]
		if !isUsageObject(u) {
			continue
		}
		if v, _ := objField(u, "spec", "replayDeletion"); v != true {
			out = append(out, ruleFinding{Resource: name, Message: "does not set spec.replayDeletion: true: a deletion the Usage blocked is not retried once it is gone, and the used resource waits for the garbage collector's back-off"})
		}
		for _, side := range []string{"of", "by"} {
			sel := objMap(u, "spec", side, "resourceSelector")
			if mcr, _ := sel["matchControllerRef"].(bool); !mcr {
				out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("spec.%s.resourceSelector does not set matchControllerRef: true, so it can select another XR's resource", side)})
			}
		}
	}
	if !s.ObservedKnown {
		return out
	}
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		var needs []deletionNeed
		for _, f := range []struct{ selector, why string }{
			{"kmsKeyIdSelector", "deleting the XR would schedule the key's deletion under the running cluster (inaccessible-encryption-credentials)"},
			{"vpcSecurityGroupIdSelector", "EC2 refuses to delete a security group the cluster's network interfaces are in, and retries until the cluster is gone"},
			{"dbSubnetGroupNameSelector", "RDS refuses to delete a subnet group in use"},
			{"dbClusterParameterGroupNameSelector", "RDS refuses to delete a parameter group in use"},
		} {
			if of := s.selectedBy(c.Obj, f.selector); of != "" {
				needs = append(needs, deletionNeed{of: of, by: c.Name, why: f.why})
			}
		}
		if id := objAnnotation(c.Obj, ruleAnnotationExternalName); id != "" {
			for _, e := range ruleStringList(c.Obj, "enabledCloudwatchLogsExports") {
				if g := s.desiredByExternalName(ruleKindLogGroup, "/aws/rds/cluster/"+id+"/"+e); g != "" {
					needs = append(needs, deletionNeed{of: g, by: c.Name, why: "deleted first, RDS creates it again without retention or encryption"})
				}
			}
		}
		for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
			if s.selectedBy(in.Obj, "clusterIdentifierSelector") == c.Name {
				needs = append(needs, deletionNeed{of: c.Name, by: in.Name, why: "RDS deletes a cluster only once it has no instances"})
			}
		}
		for _, n := range needs {
			_, ofObserved := s.Observed[n.of]
			_, byObserved := s.Observed[n.by]
			if !ofObserved || !byObserved || s.hasUsage(n.of, n.by) {
				continue
			}
			out = append(out, ruleFinding{Resource: n.of, Message: fmt.Sprintf("is used by %s, but no desired Usage has it as of and that resource as by: %s", s.describe(n.by), n.why)})
		}
	}
	return out
}

// hasUsage reports whether a desired Usage protects of until by is deleted.
func (s *ruleState) hasUsage(of, by string) bool {
	for _, name := range s.desiredNames() {
		u := s.Desired[name]
		if isUsageObject(u) && s.usageSideIs(objMap(u, "spec", "of"), of) && s.usageSideIs(objMap(u, "spec", "by"), by) {
			return true
		}
	}
	return false
}

// usageSideIs reports whether a Usage's of or by names exactly the desired
// resource: its kind, and its selector's labels or its resourceRef.
func (s *ruleState) usageSideIs(side map[string]any, name string) bool {
	obj := s.Desired[name]
	if side == nil || obj == nil || (objKind{objString(side, "apiVersion"), objString(side, "kind")}) != objKindOf(obj) {
		return false
	}
	if sel := objMap(side, "resourceSelector"); sel != nil {
		return slices.Equal(s.selectsLabels(sel), []string{name})
	}
	ref := objString(side, "resourceRef", "name")
	return ref != "" && ref == objString(obj, "metadata", "name")
}

// KeyKeptForFinalSnapshot.

// checkKeyKeptForFinalSnapshot (B2): the final snapshot, and the retained
// automated backups, are encrypted with the cluster's key; a key the
// provider deletes with the XR makes them unrestorable once its deletion
// window ends.
func checkKeyKeptForFinalSnapshot(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		skip, _ := mrParamBool(c.Obj, "skipFinalSnapshot")
		dab, set := mrParamBool(c.Obj, "deleteAutomatedBackups")
		if !set {
			// Terraform's default, and DeleteDBCluster's.
			dab = true
		}
		switch {
		case dab == skip:
		case !set:
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("sets no deleteAutomatedBackups, want false (skipFinalSnapshot is %t): the provider's default, true, deletes the automated backups with the cluster", skip)})
		default:
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("deleteAutomatedBackups is %t, want %t (skipFinalSnapshot is %t): automated backups are retained exactly when a final snapshot is taken", dab, skip, skip)})
		}
		if skip {
			continue
		}
		for _, k := range s.desiredOf(ruleKindKMSKey) {
			policies, _ := policyStringOrList(objSlice(k.Obj, "spec", "managementPolicies"))
			switch {
			case len(policies) == 0:
				out = append(out, ruleFinding{Resource: k.Name, Message: fmt.Sprintf("has no spec.managementPolicies (all, Delete included), but %s takes a final snapshot encrypted with it: the provider would schedule the key's deletion with the XR and the snapshot becomes unrestorable", s.describe(c.Name))})
			case slices.Contains(policies, "Delete") || slices.Contains(policies, "*"):
				out = append(out, ruleFinding{Resource: k.Name, Message: fmt.Sprintf("has management policies %v, which let the provider delete it, but %s takes a final snapshot encrypted with it: the provider would schedule the key's deletion with the XR and the snapshot becomes unrestorable", policies, s.describe(c.Name))})
			}
		}
	}
	return out
}

// deletionFindingSelfTests are the deletion rules' cases.
func deletionFindingSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	const rdsGV = "rds.aws.m.upbound.io/v1beta1"
	kindSubnetGroup := objKind{rdsGV, "SubnetGroup"}
	cluster := func() map[string]any {
		return withExternalName(testMR(ruleKindRDSCluster, "cluster", map[string]any{
			"kmsKeyIdSelector":                    testSelector("kms-key"),
			"vpcSecurityGroupIdSelector":          testSelector("security-group"),
			"dbSubnetGroupNameSelector":           testSelector("subnet-group"),
			"dbClusterParameterGroupNameSelector": testSelector("cluster-parameter-group"),
			"enabledCloudwatchLogsExports":        []any{"postgresql"},
		}), "orders")
	}
	resources := func() map[string]map[string]any {
		return map[string]map[string]any{
			"cluster":                 cluster(),
			"kms-key":                 testMR(ruleKindKMSKey, "kms-key", map[string]any{}),
			"security-group":          testMR(ruleKindSecurityGroup, "security-group", map[string]any{}),
			"subnet-group":            testMR(kindSubnetGroup, "subnet-group", map[string]any{}),
			"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{}),
			"log-group-postgresql":    withExternalName(testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{}), "/aws/rds/cluster/orders/postgresql"),
			"instance-1":              testMR(ruleKindRDSClusterInstance, "instance-1", map[string]any{"clusterIdentifierSelector": testSelector("cluster")}),
		}
	}
	usages := func() map[string]map[string]any {
		return map[string]map[string]any{
			"usage-kms-key-by-cluster":                 testUsage(ruleKindKMSKey, ruleKindRDSCluster, "kms-key", "cluster"),
			"usage-security-group-by-cluster":          testUsage(ruleKindSecurityGroup, ruleKindRDSCluster, "security-group", "cluster"),
			"usage-subnet-group-by-cluster":            testUsage(kindSubnetGroup, ruleKindRDSCluster, "subnet-group", "cluster"),
			"usage-cluster-parameter-group-by-cluster": testUsage(ruleKindRDSClusterParamGroup, ruleKindRDSCluster, "cluster-parameter-group", "cluster"),
			"usage-log-group-postgresql-by-cluster":    testUsage(ruleKindLogGroup, ruleKindRDSCluster, "log-group-postgresql", "cluster"),
			"usage-cluster-by-instance-1":              testUsage(ruleKindRDSCluster, ruleKindRDSClusterInstance, "cluster", "instance-1"),
		}
	}
	// all observes every resource of the desired state.
	all := func(desired map[string]map[string]any) *ruleState {
		return withObserved(testState("us-east-1", desired), resources())
	}
	merged := func(ms ...map[string]map[string]any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	key := func(policies ...any) map[string]any {
		k := testMR(ruleKindKMSKey, "kms-key", map[string]any{})
		if policies != nil {
			k["spec"].(map[string]any)["managementPolicies"] = policies
		}
		return k
	}
	snapshotCluster := func(skip, deleteBackups any) map[string]any {
		fp := map[string]any{"skipFinalSnapshot": skip}
		if deleteBackups != nil {
			fp["deleteAutomatedBackups"] = deleteBackups
		}
		return testMR(ruleKindRDSCluster, "cluster", fp)
	}
	return map[string]ruleSelfTest{
		// DeletionOrder.
		"DeletionOrderGood": {
			reason: "Every resource the cluster needs, and the cluster an instance needs, is protected by a Usage once both exist.",
			args:   args{rule: "DeletionOrder", state: all(merged(resources(), usages()))},
		},
		"DeletionOrderNotYetObserved": {
			reason: "A Usage of resources that do not exist yet would select nothing: before both are observed none is needed.",
			args: args{rule: "DeletionOrder", state: withObserved(testState("us-east-1", resources()), map[string]map[string]any{
				"kms-key": testMR(ruleKindKMSKey, "kms-key", map[string]any{}),
			})},
		},
		"DeletionOrderBad": {
			reason: "Missing Usages for the key, the log group and the instance, a Usage of the wrong kind, and a Usage without replayDeletion or matchControllerRef are reported.",
			args: args{rule: "DeletionOrder", state: all(func() map[string]map[string]any {
				d := merged(resources(), usages())
				delete(d, "usage-kms-key-by-cluster")
				delete(d, "usage-log-group-postgresql-by-cluster")
				d["usage-cluster-by-instance-1"] = testUsage(ruleKindRDSClusterInstance, ruleKindRDSCluster, "cluster", "instance-1")
				u := d["usage-subnet-group-by-cluster"]
				delete(u["spec"].(map[string]any), "replayDeletion")
				delete(u["spec"].(map[string]any)["by"].(map[string]any)["resourceSelector"].(map[string]any), "matchControllerRef")
				return d
			}())},
			want: want{violations: []string{
				`DeletionOrder: self-test: "cluster" (rds Cluster): is used by "instance-1" (rds ClusterInstance), but no desired Usage has it as of and that resource as by: RDS deletes a cluster only once it has no instances`,
				`DeletionOrder: self-test: "kms-key" (kms Key): is used by "cluster" (rds Cluster), but no desired Usage has it as of and that resource as by: deleting the XR would schedule the key's deletion under the running cluster (inaccessible-encryption-credentials)`,
				`DeletionOrder: self-test: "log-group-postgresql" (cloudwatchlogs Group): is used by "cluster" (rds Cluster), but no desired Usage has it as of and that resource as by: deleted first, RDS creates it again without retention or encryption`,
				`DeletionOrder: self-test: "usage-subnet-group-by-cluster" (protection Usage): does not set spec.replayDeletion: true: a deletion the Usage blocked is not retried once it is gone, and the used resource waits for the garbage collector's back-off`,
				`DeletionOrder: self-test: "usage-subnet-group-by-cluster" (protection Usage): spec.by.resourceSelector does not set matchControllerRef: true, so it can select another XR's resource`,
			}},
		},

		// KeyKeptForFinalSnapshot.
		"KeyKeptForFinalSnapshotGood": {
			reason: "With a final snapshot the key is orphaned and the backups retained.",
			args: args{rule: "KeyKeptForFinalSnapshot", state: testState("us-east-1", map[string]map[string]any{
				"cluster": snapshotCluster(false, false),
				"kms-key": key("Observe", "Create", "Update", "LateInitialize"),
			})},
		},
		"KeyKeptForFinalSnapshotNoSnapshot": {
			reason: "Without a final snapshot the key may go with the XR, and the backups with the cluster.",
			args: args{rule: "KeyKeptForFinalSnapshot", state: testState("us-east-1", map[string]map[string]any{
				"cluster": snapshotCluster(true, true),
				"kms-key": key(),
			})},
		},
		"KeyKeptForFinalSnapshotBad": {
			reason: "A key with every management policy under a cluster that takes a final snapshot, and backups deleted with it, are reported.",
			args: args{rule: "KeyKeptForFinalSnapshot", state: testState("us-east-1", map[string]map[string]any{
				"cluster": snapshotCluster(false, true),
				"kms-key": key("*"),
			})},
			want: want{violations: []string{
				`KeyKeptForFinalSnapshot: self-test: "cluster" (rds Cluster): deleteAutomatedBackups is true, want false (skipFinalSnapshot is false): automated backups are retained exactly when a final snapshot is taken`,
				`KeyKeptForFinalSnapshot: self-test: "kms-key" (kms Key): has management policies [*], which let the provider delete it, but "cluster" (rds Cluster) takes a final snapshot encrypted with it: the provider would schedule the key's deletion with the XR and the snapshot becomes unrestorable`,
			}},
		},
		"KeyKeptForFinalSnapshotDefaults": {
			reason: "A key without management policies and a cluster without deleteAutomatedBackups take the provider's defaults: deleted.",
			args: args{rule: "KeyKeptForFinalSnapshot", state: testState("us-east-1", map[string]map[string]any{
				"cluster": snapshotCluster(false, nil),
				"kms-key": key(),
			})},
			want: want{violations: []string{
				`KeyKeptForFinalSnapshot: self-test: "cluster" (rds Cluster): sets no deleteAutomatedBackups, want false (skipFinalSnapshot is false): the provider's default, true, deletes the automated backups with the cluster`,
				`KeyKeptForFinalSnapshot: self-test: "kms-key" (kms Key): has no spec.managementPolicies (all, Delete included), but "cluster" (rds Cluster) takes a final snapshot encrypted with it: the provider would schedule the key's deletion with the XR and the snapshot becomes unrestorable`,
			}},
		},
	}
}
