package main

import (
	"fmt"
	"slices"
	"strings"
)

// Rules about reader autoscaling and custom endpoints (autoscaling.go,
// endpoints_custom.go).

func init() {
	awsRules = append(awsRules, capacityRules...)
}

var (
	ruleKindScalingTarget   = objKind{"appautoscaling.aws.m.upbound.io/v1beta1", "Target"}
	ruleKindScalingPolicy   = objKind{"appautoscaling.aws.m.upbound.io/v1beta1", "Policy"}
	ruleKindClusterEndpoint = objKind{"rds.aws.m.upbound.io/v1beta1", "ClusterEndpoint"}
)

// capacityRules are the autoscaling and custom endpoint rules.
var capacityRules = []awsRule{
	{
		ID:        "ReaderScalingTargetIsThisCluster",
		Statement: "Every appautoscaling Target has serviceNamespace rds, scalableDimension rds:cluster:ReadReplicaCount, resourceId cluster:<the composed rds Cluster's identifier> and 0 <= minCapacity <= maxCapacity <= 15; every Policy is TargetTracking on RDSReaderAverageCPUUtilization or RDSReaderAverageDatabaseConnections.",
		Citations: []string{
			"https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-aurora.html (resource ID cluster:<identifier>, dimension rds:cluster:ReadReplicaCount)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Integrating.AutoScaling.html (up to 15 Aurora Replicas; the predefined reader metrics)",
		},
		Check: checkReaderScalingTargetIsThisCluster,
	},
	{
		ID:        "CustomEndpointMembersComposed",
		Statement: "Every rds ClusterEndpoint belongs to the composed rds Cluster, has at least one static member, each the external name of a desired (not observe-only) ClusterInstance of this XR, a READER one not the writer (spec.instances[0]); at most 5 per cluster, identifiers of at most 63 characters.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Custom.html (up to five custom endpoints per cluster)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Custom.Considerations.html (63 characters, unique per Region; READER and ANY)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterEndpoint.html",
		},
		Check: checkCustomEndpointMembersComposed,
	},
	{
		ID:        "CapacityAfterItsDependencies",
		Statement: "A call that composes an appautoscaling Target for the first time has observed the rds Cluster and the writer ClusterInstance Ready; a Policy, its Target Ready; an rds ClusterEndpoint, the Cluster and every ClusterInstance it names Ready.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Integrating.AutoScaling.html (a cluster with a writer first; scales only an available cluster)",
			"https://github.com/awsdocs/amazon-aurora-user-guide/issues/22 (a policy added before the writer never added a replica)",
			"https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html (ObjectNotFoundException: no scalable target registered)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterEndpoint.html (DBInstanceNotFoundFault for a static member that does not exist)",
		},
		Check: checkCapacityAfterItsDependencies,
	},
	{
		ID:        "AutoscaledReadersDrainedBeforeTarget",
		Statement: "While the observed rds Cluster's clusterMembers include replicas Aurora Auto Scaling added (application-autoscaling-*), a call that composes the Cluster composes again the observed appautoscaling Target and Policy: deregistering them strands those replicas, which bill on and block the cluster's deletion.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Integrating.AutoScaling.html (Aurora Auto Scaling only removes Aurora Replicas that it created)",
			"https://github.com/hashicorp/terraform-provider-aws/issues/19536 (replicas stay after the target is deregistered; the cluster cannot be deleted)",
			"https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html (a new range moves the current capacity inside it)",
		},
		Check: checkAutoscaledReadersDrainedBeforeTarget,
	},
	{
		ID:        "ReaderEndpointMembersNotFailoverTarget",
		Statement: "A ClusterInstance that is a static member of a READER custom endpoint and of no ANY one has a promotionTier above the lowest tier of the other readers (not spec.instances[0]), when there are any: RDS promotes the largest replica of the lowest tier, and a READER endpoint whose member became the writer routes nowhere.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html (same priority: the replica largest in size is promoted)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Custom.html (static lists do not change when instances change roles; READER: read-only Aurora Replicas only)",
		},
		Check: checkReaderEndpointMembersNotFailoverTarget,
	},
}

func checkReaderEndpointMembersNotFailoverTarget(s *ruleState) []ruleFinding {
	id := ruleClusterID(s)
	if id == "" || len(s.Spec.Instances) == 0 {
		return nil
	}
	writer := instanceIdentifier(id, instanceSuffix(0, s.Spec.Instances[0]))
	tiers := map[string]float64{}
	names := map[string]string{}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		ext := objAnnotation(in.Obj, ruleAnnotationExternalName)
		t, _ := objField(in.Obj, "spec", "forProvider", "promotionTier")
		tf, ok := t.(float64)
		if !ok {
			tf = 1 // RDS's default (ModifyDBInstance PromotionTier: Default 1)
		}
		tiers[ext], names[ext] = tf, in.Name
	}
	inReader, inAny := map[string]bool{}, map[string]bool{}
	for _, e := range s.desiredOf(ruleKindClusterEndpoint) {
		members, _ := objField(e.Obj, "spec", "forProvider", "staticMembers")
		list, _ := members.([]any)
		for _, m := range list {
			ms, _ := m.(string)
			if objString(e.Obj, "spec", "forProvider", "customEndpointType") == "READER" {
				inReader[ms] = true
			} else {
				inAny[ms] = true
			}
		}
	}
	lowest, others := 0.0, false
	for ext, t := range tiers {
		if ext == writer || (inReader[ext] && !inAny[ext]) {
			continue
		}
		if !others || t < lowest {
			lowest, others = t, true
		}
	}
	if !others {
		return nil
	}
	var out []ruleFinding
	for ext := range inReader {
		if t, ok := tiers[ext]; ok && !inAny[ext] && ext != writer && t <= lowest {
			out = append(out, ruleFinding{Resource: names[ext], Message: fmt.Sprintf("is in READER custom endpoints only with promotionTier %v, not above the other readers' lowest tier %v: failover may make it the writer", t, lowest)})
		}
	}
	slices.SortFunc(out, func(a, b ruleFinding) int { return strings.Compare(a.Resource, b.Resource) })
	return out
}

func checkAutoscaledReadersDrainedBeforeTarget(s *ruleState) []ruleFinding {
	if !s.ObservedKnown || len(s.desiredOf(ruleKindRDSCluster)) == 0 {
		return nil
	}
	var left []string
	for _, c := range s.observedOf(ruleKindRDSCluster) {
		members, _ := objField(c.Obj, "status", "atProvider", "clusterMembers")
		list, _ := members.([]any)
		for _, m := range list {
			if ms, _ := m.(string); strings.HasPrefix(ms, "application-autoscaling-") {
				left = append(left, ms)
			}
		}
	}
	if len(left) == 0 {
		return nil
	}
	var out []ruleFinding
	for _, k := range []objKind{ruleKindScalingTarget, ruleKindScalingPolicy} {
		for _, o := range s.observedOf(k) {
			if _, ok := s.Desired[o.Name]; !ok {
				out = append(out, ruleFinding{Resource: o.Name, Message: fmt.Sprintf("leaves the desired state while the cluster still has replicas Aurora Auto Scaling added (%s)", strings.Join(left, ", "))})
			}
		}
	}
	return out
}

// ruleObservedReadyByExternalName reports whether an observed resource of
// the kind with that external name is Ready.
func ruleObservedReadyByExternalName(s *ruleState, k objKind, ext string) bool {
	for _, o := range s.observedOf(k) {
		if objAnnotation(o.Obj, ruleAnnotationExternalName) == ext {
			return observedReady(o.Obj)
		}
	}
	return false
}

func checkCapacityAfterItsDependencies(s *ruleState) []ruleFinding {
	if !s.ObservedKnown {
		return nil
	}
	var out []ruleFinding
	id := ruleClusterID(s)
	firstTime := func(k objKind) []ruleObject {
		var fresh []ruleObject
		for _, o := range s.desiredOf(k) {
			if _, ok := s.Observed[o.Name]; !ok {
				fresh = append(fresh, o)
			}
		}
		return fresh
	}
	clusterReady := id != "" && ruleObservedReadyByExternalName(s, ruleKindRDSCluster, id)
	for _, t := range firstTime(ruleKindScalingTarget) {
		writer := ""
		if len(s.Spec.Instances) > 0 {
			writer = instanceIdentifier(id, instanceSuffix(0, s.Spec.Instances[0]))
		}
		if !clusterReady || !ruleObservedReadyByExternalName(s, ruleKindRDSClusterInstance, writer) {
			out = append(out, ruleFinding{Resource: t.Name, Message: fmt.Sprintf("is composed for the first time before the cluster %q and its writer %q are observed Ready", id, writer)})
		}
	}
	for _, p := range firstTime(ruleKindScalingPolicy) {
		sel := objString(p.Obj, "spec", "forProvider", "resourceIdSelector", "matchLabels", labelComponent)
		if o, ok := s.Observed[sel]; !ok || !observedReady(o) {
			out = append(out, ruleFinding{Resource: p.Name, Message: fmt.Sprintf("is composed for the first time before its scalable target %q is observed Ready", sel)})
		}
	}
	for _, e := range firstTime(ruleKindClusterEndpoint) {
		if !clusterReady {
			out = append(out, ruleFinding{Resource: e.Name, Message: fmt.Sprintf("is composed for the first time before the cluster %q is observed Ready", id)})
		}
		members, _ := objField(e.Obj, "spec", "forProvider", "staticMembers")
		list, _ := members.([]any)
		for _, m := range list {
			if ms, _ := m.(string); !ruleObservedReadyByExternalName(s, ruleKindRDSClusterInstance, ms) {
				out = append(out, ruleFinding{Resource: e.Name, Message: fmt.Sprintf("is composed for the first time before its member %q is observed Ready", ms)})
			}
		}
	}
	return out
}

// ruleClusterID is the external name of the desired rds Cluster, or "".
func ruleClusterID(s *ruleState) string {
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		return objAnnotation(c.Obj, ruleAnnotationExternalName)
	}
	for _, c := range s.ObserveOnly {
		if objString(c, "kind") == ruleKindRDSCluster.Kind && objString(c, "apiVersion") == ruleKindRDSCluster.APIVersion {
			return objAnnotation(c, ruleAnnotationExternalName)
		}
	}
	return ""
}

func checkReaderScalingTargetIsThisCluster(s *ruleState) []ruleFinding {
	var out []ruleFinding
	id := ruleClusterID(s)
	for _, t := range s.desiredOf(ruleKindScalingTarget) {
		bad := func(format string, a ...any) {
			out = append(out, ruleFinding{Resource: t.Name, Message: fmt.Sprintf(format, a...)})
		}
		if v := objString(t.Obj, "spec", "forProvider", "serviceNamespace"); v != "rds" {
			bad("spec.forProvider.serviceNamespace is %q, not rds", v)
		}
		if v := objString(t.Obj, "spec", "forProvider", "scalableDimension"); v != "rds:cluster:ReadReplicaCount" {
			bad("spec.forProvider.scalableDimension is %q, not rds:cluster:ReadReplicaCount", v)
		}
		switch v := objString(t.Obj, "spec", "forProvider", "resourceId"); {
		case id == "":
			bad("scales a cluster while no rds Cluster is composed")
		case v != "cluster:"+id:
			bad("spec.forProvider.resourceId is %q, not this XR's cluster:%s", v, id)
		}
		minC, _ := objField(t.Obj, "spec", "forProvider", "minCapacity")
		maxC, _ := objField(t.Obj, "spec", "forProvider", "maxCapacity")
		lo, okLo := minC.(float64)
		hi, okHi := maxC.(float64)
		if !okLo || !okHi || lo < 0 || lo > hi || hi > 15 {
			bad("spec.forProvider minCapacity %v and maxCapacity %v are not 0 <= min <= max <= 15", minC, maxC)
		}
	}
	metrics := []string{"RDSReaderAverageCPUUtilization", "RDSReaderAverageDatabaseConnections"}
	for _, p := range s.desiredOf(ruleKindScalingPolicy) {
		if v := objString(p.Obj, "spec", "forProvider", "policyType"); v != "TargetTrackingScaling" {
			out = append(out, ruleFinding{Resource: p.Name, Message: fmt.Sprintf("spec.forProvider.policyType is %q, not TargetTrackingScaling", v)})
		}
		if v := objString(p.Obj, "spec", "forProvider", "targetTrackingScalingPolicyConfiguration", "predefinedMetricSpecification", "predefinedMetricType"); !slices.Contains(metrics, v) {
			out = append(out, ruleFinding{Resource: p.Name, Message: fmt.Sprintf("tracks %q, not one of the readers' metrics %v", v, metrics)})
		}
	}
	return out
}

func checkCustomEndpointMembersComposed(s *ruleState) []ruleFinding {
	var out []ruleFinding
	id := ruleClusterID(s)
	instances := map[string]string{}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		instances[objAnnotation(in.Obj, ruleAnnotationExternalName)] = in.Name
	}
	writer := ""
	if len(s.Spec.Instances) > 0 && id != "" {
		writer = instanceIdentifier(id, instanceSuffix(0, s.Spec.Instances[0]))
	}
	endpoints := s.desiredOf(ruleKindClusterEndpoint)
	for _, e := range endpoints {
		bad := func(format string, a ...any) {
			out = append(out, ruleFinding{Resource: e.Name, Message: fmt.Sprintf(format, a...)})
		}
		fp := func(path ...string) string {
			return objString(e.Obj, append([]string{"spec", "forProvider"}, path...)...)
		}
		switch sel := objString(e.Obj, "spec", "forProvider", "clusterIdentifierSelector", "matchLabels", labelComponent); {
		case id == "":
			bad("belongs to no composed rds Cluster")
		case sel == "" && fp("clusterIdentifier") != id:
			bad("spec.forProvider.clusterIdentifier is %q, not this XR's cluster %q", fp("clusterIdentifier"), id)
		case sel != "" && sel != string(nameCluster):
			bad("spec.forProvider.clusterIdentifierSelector selects %q, not the cluster", sel)
		}
		if ext := objAnnotation(e.Obj, ruleAnnotationExternalName); ext == "" || len(ext) > 63 {
			bad("endpoint identifier %q is empty or longer than 63 characters", ext)
		}
		members, _ := objField(e.Obj, "spec", "forProvider", "staticMembers")
		list, _ := members.([]any)
		if len(list) == 0 {
			bad("has no static members: it would balance over every instance, those Aurora Auto Scaling adds included")
		}
		for _, m := range list {
			ms, _ := m.(string)
			switch {
			case instances[ms] == "":
				bad("static member %q is not a ClusterInstance this XR composes", ms)
			case ms == writer && fp("customEndpointType") == customEndpointReader:
				bad("READER endpoint names the writer %q", ms)
			}
		}
	}
	if len(endpoints) > maxCustomEndpoints {
		out = append(out, ruleFinding{Message: fmt.Sprintf("%d custom endpoints: an Aurora cluster has at most %d", len(endpoints), maxCustomEndpoints)})
	}
	return out
}

// capacitySelfTests are the capacity rules' good and bad cases.
func capacitySelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	cluster := func() map[string]map[string]any {
		return map[string]map[string]any{
			"cluster":         withExternalName(testMR(ruleKindRDSCluster, "cluster", map[string]any{"region": "us-east-1"}), "orders"),
			"instance-1":      withExternalName(testMR(ruleKindRDSClusterInstance, "instance-1", map[string]any{"region": "us-east-1"}), "orders-1"),
			"instance-reader": withExternalName(testMR(ruleKindRDSClusterInstance, "instance-reader", map[string]any{"region": "us-east-1"}), "orders-reader"),
		}
	}
	target := func(resourceID string, lo, hi float64) map[string]any {
		return testMR(ruleKindScalingTarget, "autoscaling-readers-target", map[string]any{"region": "us-east-1", "serviceNamespace": "rds", "scalableDimension": "rds:cluster:ReadReplicaCount", "resourceId": resourceID, "minCapacity": lo, "maxCapacity": hi})
	}
	policy := func(metric string) map[string]any {
		return testMR(ruleKindScalingPolicy, "autoscaling-readers-policy", map[string]any{"region": "us-east-1", "policyType": "TargetTrackingScaling", "targetTrackingScalingPolicyConfiguration": map[string]any{"predefinedMetricSpecification": map[string]any{"predefinedMetricType": metric}, "targetValue": 60.0}})
	}
	endpoint := func(typ string, members ...any) map[string]any {
		return withExternalName(testMR(ruleKindClusterEndpoint, "custom-endpoint-x", map[string]any{"region": "us-east-1", "clusterIdentifierSelector": testSelector("cluster"), "customEndpointType": typ, "staticMembers": members}), "orders-x")
	}
	withSelector := func(p map[string]any) map[string]any {
		p["spec"].(map[string]any)["forProvider"].(map[string]any)["resourceIdSelector"] = testSelector("autoscaling-readers-target")
		return p
	}
	with := func(extra map[string]map[string]any) *ruleState {
		d := cluster()
		for k, v := range extra {
			d[k] = v
		}
		st := testState("us-east-1", d)
		st.Spec.Instances = []Instance{{InstanceClass: "db.r6g.large"}, {Name: "reader", InstanceClass: "db.r6g.large"}}
		return st
	}
	draining := func(keep bool) *ruleState {
		extra := map[string]map[string]any{}
		if keep {
			extra = map[string]map[string]any{"autoscaling-readers-target": target("cluster:orders", 0, 0), "autoscaling-readers-policy": withSelector(policy("RDSReaderAverageCPUUtilization"))}
		}
		st := with(extra)
		st.ObservedKnown = true
		c := withConditions(cluster()["cluster"], "True", "True")
		c["status"].(map[string]any)["atProvider"] = map[string]any{"clusterMembers": []any{"orders-1", "orders-reader", "application-autoscaling-0a1b2c3d"}}
		st.Observed = map[string]map[string]any{
			"cluster":                    c,
			"autoscaling-readers-target": withConditions(target("cluster:orders", 1, 4), "True", "True"),
			"autoscaling-readers-policy": withConditions(withSelector(policy("RDSReaderAverageCPUUtilization")), "True", "True"),
		}
		return st
	}
	tiered := func(reportsTier float64) *ruleState {
		inst := func(name, ext string, tier float64) map[string]any {
			return withExternalName(testMR(ruleKindRDSClusterInstance, name, map[string]any{"region": "us-east-1", "promotionTier": tier}), ext)
		}
		return with(map[string]map[string]any{
			"instance-1":        inst("instance-1", "orders-1", 0),
			"instance-reader":   inst("instance-reader", "orders-reader", 1),
			"instance-reports":  inst("instance-reports", "orders-reports", reportsTier),
			"custom-endpoint-x": endpoint("READER", "orders-reports"),
		})
	}
	return map[string]ruleSelfTest{
		"ReaderEndpointMembersNotFailoverTargetGood": {
			reason: "The READER endpoint's only member at tier 15, below the other reader at tier 1, passes.",
			args:   args{rule: "ReaderEndpointMembersNotFailoverTarget", state: tiered(15)},
		},
		"ReaderEndpointMembersNotFailoverTargetBad": {
			reason: "The READER endpoint's only member sharing tier 1 with the other reader fails.",
			args:   args{rule: "ReaderEndpointMembersNotFailoverTarget", state: tiered(1)},
			want: want{violations: []string{
				`ReaderEndpointMembersNotFailoverTarget: self-test: "instance-reports" (rds ClusterInstance): is in READER custom endpoints only with promotionTier 1, not above the other readers' lowest tier 1: failover may make it the writer`,
			}},
		},
		"AutoscaledReadersDrainedBeforeTargetGood": {
			reason: "Target (at 0..0) and policy kept while an application-autoscaling replica remains pass.",
			args:   args{rule: "AutoscaledReadersDrainedBeforeTarget", state: draining(true)},
		},
		"AutoscaledReadersDrainedBeforeTargetBad": {
			reason: "Target and policy dropped while an application-autoscaling replica remains fail.",
			args:   args{rule: "AutoscaledReadersDrainedBeforeTarget", state: draining(false)},
			want: want{violations: []string{
				`AutoscaledReadersDrainedBeforeTarget: self-test: "autoscaling-readers-policy" (appautoscaling Policy): leaves the desired state while the cluster still has replicas Aurora Auto Scaling added (application-autoscaling-0a1b2c3d)`,
				`AutoscaledReadersDrainedBeforeTarget: self-test: "autoscaling-readers-target" (appautoscaling Target): leaves the desired state while the cluster still has replicas Aurora Auto Scaling added (application-autoscaling-0a1b2c3d)`,
			}},
		},
		"ReaderScalingTargetIsThisClusterGood": {
			reason: "A target on cluster:<this cluster> with a CPU policy passes.",
			args:   args{rule: "ReaderScalingTargetIsThisCluster", state: with(map[string]map[string]any{"autoscaling-readers-target": target("cluster:orders", 1, 4), "autoscaling-readers-policy": policy("RDSReaderAverageCPUUtilization")})},
		},
		"ReaderScalingTargetIsThisClusterBad": {
			reason: "A target on another cluster (the identifier without its prefix), above 15 readers, and a policy on the writer's metric fail.",
			args:   args{rule: "ReaderScalingTargetIsThisCluster", state: with(map[string]map[string]any{"autoscaling-readers-target": target("orders", 1, 16), "autoscaling-readers-policy": policy("ECSServiceAverageCPUUtilization")})},
			want: want{violations: []string{
				`ReaderScalingTargetIsThisCluster: self-test: "autoscaling-readers-policy" (appautoscaling Policy): tracks "ECSServiceAverageCPUUtilization", not one of the readers' metrics [RDSReaderAverageCPUUtilization RDSReaderAverageDatabaseConnections]`,
				`ReaderScalingTargetIsThisCluster: self-test: "autoscaling-readers-target" (appautoscaling Target): spec.forProvider minCapacity 1 and maxCapacity 16 are not 0 <= min <= max <= 15`,
				`ReaderScalingTargetIsThisCluster: self-test: "autoscaling-readers-target" (appautoscaling Target): spec.forProvider.resourceId is "orders", not this XR's cluster:orders`,
			}},
		},
		"CapacityAfterItsDependenciesGood": {
			reason: "Target, policy and endpoint composed once what each needs is observed Ready pass.",
			args: args{rule: "CapacityAfterItsDependencies", state: func() *ruleState {
				st := with(map[string]map[string]any{"autoscaling-readers-target": target("cluster:orders", 1, 4), "autoscaling-readers-policy": withSelector(policy("RDSReaderAverageCPUUtilization")), "custom-endpoint-x": endpoint("READER", "orders-reader")})
				st.ObservedKnown = true
				st.Observed = map[string]map[string]any{
					"cluster":                    withConditions(cluster()["cluster"], "True", "True"),
					"instance-1":                 withConditions(cluster()["instance-1"], "True", "True"),
					"instance-reader":            withConditions(cluster()["instance-reader"], "True", "True"),
					"autoscaling-readers-target": withConditions(target("cluster:orders", 1, 4), "True", "True"),
				}
				return st
			}()},
		},
		"CapacityAfterItsDependenciesBad": {
			reason: "A target before the writer is Ready, a policy before its target exists and an endpoint before its member exists fail.",
			args: args{rule: "CapacityAfterItsDependencies", state: func() *ruleState {
				st := with(map[string]map[string]any{"autoscaling-readers-target": target("cluster:orders", 1, 4), "autoscaling-readers-policy": withSelector(policy("RDSReaderAverageCPUUtilization")), "custom-endpoint-x": endpoint("READER", "orders-reader")})
				st.ObservedKnown = true
				st.Observed = map[string]map[string]any{
					"cluster":    withConditions(cluster()["cluster"], "True", "True"),
					"instance-1": withConditions(cluster()["instance-1"], "False", "True"),
				}
				return st
			}()},
			want: want{violations: []string{
				`CapacityAfterItsDependencies: self-test: "autoscaling-readers-policy" (appautoscaling Policy): is composed for the first time before its scalable target "autoscaling-readers-target" is observed Ready`,
				`CapacityAfterItsDependencies: self-test: "autoscaling-readers-target" (appautoscaling Target): is composed for the first time before the cluster "orders" and its writer "orders-1" are observed Ready`,
				`CapacityAfterItsDependencies: self-test: "custom-endpoint-x" (rds ClusterEndpoint): is composed for the first time before its member "orders-reader" is observed Ready`,
			}},
		},
		"CustomEndpointMembersComposedGood": {
			reason: "A READER endpoint of the cluster over a composed reader passes.",
			args:   args{rule: "CustomEndpointMembersComposed", state: with(map[string]map[string]any{"custom-endpoint-x": endpoint("READER", "orders-reader")})},
		},
		"CustomEndpointMembersComposedBad": {
			reason: "A READER endpoint over the writer and an instance the XR does not compose fails.",
			args:   args{rule: "CustomEndpointMembersComposed", state: with(map[string]map[string]any{"custom-endpoint-x": endpoint("READER", "orders-1", "application-autoscaling-1234")})},
			want: want{violations: []string{
				`CustomEndpointMembersComposed: self-test: "custom-endpoint-x" (rds ClusterEndpoint): READER endpoint names the writer "orders-1"`,
				`CustomEndpointMembersComposed: self-test: "custom-endpoint-x" (rds ClusterEndpoint): static member "application-autoscaling-1234" is not a ClusterInstance this XR composes`,
			}},
		},
	}
}
