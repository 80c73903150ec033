package main

import (
	"fmt"
	"slices"
	"strings"
)

// Rules about Database Insights, Performance Insights and Enhanced
// Monitoring (monitoring_insights.go, monitoring_role.go), checked on every
// golden and simulated state.

func init() {
	awsRules = append(awsRules, monitoringRules...)
}

// monitoringRules are the monitoring rules.
var monitoringRules = []awsRule{
	{
		ID:        "EnhancedMonitoringRole",
		Statement: "Every ClusterInstance's monitoringInterval is 0, 1, 5, 10, 15, 30 or 60; at 0 it names no role; above 0 it selects an iam Role that only monitoring.rds.<partition DNS suffix> may assume, under aws:SourceAccount and only ArnLike aws:SourceArn arn:<partition>:rds:<region>:<account>:db:<cluster identifier>-*, which covers that instance, with arn:<partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole attached.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html (the role, its trust in monitoring.rds.amazonaws.com and the confused-deputy conditions)",
			"https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonRDSEnhancedMonitoringRole.html",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html (MonitoringInterval 0, 1, 5, 10, 15, 30, 60; MonitoringRoleArn only with an interval other than 0)",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (the partition in every ARN)",
		},
		Check: checkEnhancedMonitoringRole,
	},
	{
		ID:        "DatabaseInsightsSettings",
		Statement: "An rds Cluster with databaseInsightsMode advanced enables Performance Insights with performanceInsightsRetentionPeriod 465; every retention is 7, a multiple of 31 up to 713, or 731; Performance Insights is never enabled without performanceInsightsKmsKeyId; every ClusterInstance sets the Cluster's performanceInsightsEnabled, key and retention, and the instances that set monitoringInterval all set the same.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html (Advanced needs Performance Insights and 465 days; every instance the same Performance Insights and Enhanced Monitoring settings)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html (DatabaseInsightsMode; PerformanceInsightsRetentionPeriod 7, month * 31, 731)",
			"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster_instance#performance_insights_enabled (cannot conflict with the cluster's configuration)",
		},
		Check: checkDatabaseInsightsSettings,
	},
	{
		ID:        "InsightsKeyIsClusterKey",
		Statement: "performanceInsightsKmsKeyId of the rds Cluster and every ClusterInstance is the cluster's storage key (its kmsKeyId, or the ARN of the composed kms Key, status.kmsKeyArn), and a composed key's policy lets the account use it for kms:Decrypt and kms:GenerateDataKey through rds.<region>.<partition DNS suffix>.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.access-control.cmk-policy.html (a customer managed key for Performance Insights: kms:Decrypt and kms:GenerateDataKey through kms:ViaService rds.<region>.amazonaws.com)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.TurningOnAdvanced.html (Performance Insights encrypts its data with the KMS key given)",
		},
		Check: checkInsightsKeyIsClusterKey,
	},
	{
		ID:        "MonitoringRoleOutlivesItsUse",
		Statement: "An observed iam Role that an observed ClusterInstance still sends Enhanced Monitoring with (atProvider.monitoringInterval above 0 and atProvider.monitoringRoleArn its ARN) stays in the desired state.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html (RDS assumes the role to publish the instance's OS metrics)",
			"https://docs.crossplane.io/latest/composition/compositions/ (a composed resource left out of the desired state is deleted)",
		},
		Check: checkMonitoringRoleOutlivesItsUse,
	},
	{
		ID:        "AdvancedOnlyOverObservedRetention",
		Statement: "An observed rds Cluster that AWS reports in a mode other than advanced, with Performance Insights off or a retention under 465 days, is not desired with databaseInsightsMode advanced; one that AWS reports in advanced and is desired with Performance Insights off is desired in mode standard with Performance Insights still on first.",
		Citations: []string{
			"https://github.com/ansible-collections/amazon.aws/pull/2543 (ModifyDBCluster with retention 465 and mode advanced on a 7-day cluster: InvalidParameterCombination; retention first, then mode, works)",
			"https://github.com/hashicorp/terraform-provider-aws/issues/41792 and https://github.com/pulumi/pulumi-aws/issues/5286 (the same error on an existing cluster)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html (Advanced needs Performance Insights with 465 days)",
		},
		Check: checkAdvancedOnlyOverObservedRetention,
	},
	{
		ID:        "WraparoundAlarmShowsMissingData",
		Statement: "A MaximumUsedTransactionIDs MetricAlarm sets treatMissingData missing or breaching, never notBreaching or ignore: no data under its dimensions is INSUFFICIENT_DATA, not OK.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data (notBreaching treats missing data as good)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html (DBClusterIdentifier with Role documented generically, not per metric)",
		},
		Check: checkWraparoundAlarmShowsMissingData,
	},
}

func checkMonitoringRoleOutlivesItsUse(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, in := range s.observedOf(ruleKindRDSClusterInstance) {
		v, _ := mrParamNumber(map[string]any{"spec": map[string]any{"forProvider": objMap(in.Obj, "status", "atProvider")}}, "monitoringInterval")
		arn := objString(in.Obj, "status", "atProvider", "monitoringRoleArn")
		if v <= 0 || arn == "" {
			continue
		}
		for _, r := range s.observedOf(ruleKindIAMRole) {
			if objString(r.Obj, "status", "atProvider", "arn") != arn {
				continue
			}
			if _, desired := s.Desired[r.Name]; !desired {
				out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("leaves the desired state while instance %q still sends Enhanced Monitoring with it (every %v s)", in.Name, v)})
			}
		}
	}
	return out
}

// ruleEnhancedMonitoringIntervals are RDS's intervals, written out here so
// the rule checks the function instead of repeating it.
var ruleEnhancedMonitoringIntervals = []float64{0, 1, 5, 10, 15, 30, 60}

// ruleEnhancedMonitoringPolicy is AWS's managed policy's name.
const ruleEnhancedMonitoringPolicy = "iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"

func checkEnhancedMonitoringRole(s *ruleState) []ruleFinding {
	var out []ruleFinding
	part, ok := rulePartitionOf(s.Spec.Region)
	if !ok {
		return nil
	}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		add := func(format string, a ...any) {
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf(format, a...)})
		}
		v, set := mrParamNumber(in.Obj, "monitoringInterval")
		_, hasSelector := mrParam(in.Obj, "monitoringRoleArnSelector")
		roleARN := mrParamString(in.Obj, "monitoringRoleArn")
		switch {
		case set && !slices.Contains(ruleEnhancedMonitoringIntervals, v):
			add("monitoringInterval %v is not one RDS accepts (0, 1, 5, 10, 15, 30, 60)", v)
			continue
		case !set || v == 0:
			if hasSelector || roleARN != "" {
				add("names a monitoring role with monitoringInterval 0: RDS refuses MonitoringRoleArn without an interval")
			}
			continue
		}
		role := s.selectedBy(in.Obj, "monitoringRoleArnSelector")
		if role == "" || !ruleKindIAMRole.is(s.Desired[role]) {
			add("monitoringInterval %v selects no composed iam Role (monitoringRoleArnSelector): RDS needs a role to publish Enhanced Monitoring", v)
			continue
		}
		instanceARN := func(account string) string {
			return fmt.Sprintf("arn:%s:rds:%s:%s:db:%s", part.ID, s.Spec.Region, account, objAnnotation(in.Obj, ruleAnnotationExternalName))
		}
		clusterInstances := func(account string) string {
			return fmt.Sprintf("arn:%s:rds:%s:%s:db:%s-*", part.ID, s.Spec.Region, account, clusterIdentifier(s.Meta, s.Spec))
		}
		for _, msg := range monitoringTrustProblems(mrParamString(s.Desired[role], "assumeRolePolicy"), "monitoring.rds."+part.DNSSuffix, instanceARN, clusterInstances) {
			add("role %q: %s", role, msg)
		}
		want := "arn:" + part.ID + ":" + ruleEnhancedMonitoringPolicy
		attached := false
		for _, a := range s.desiredOf(ruleKindRolePolicyAttachment) {
			if s.selectedBy(a.Obj, "roleSelector") == role && mrParamString(a.Obj, "policyArn") == want {
				attached = true
			}
		}
		if !attached {
			add("role %q has no RolePolicyAttachment of %s", role, want)
		}
	}
	return out
}

// monitoringTrustProblems says what is wrong with an Enhanced Monitoring
// role's trust policy: every Allow names only the monitoring service, and
// limits it to the account and to this instance.
func monitoringTrustProblems(doc, service string, instanceARN, clusterInstances func(account string) string) []string {
	p, err := parseRulePolicy(doc)
	if err != nil {
		return []string{"trust policy: " + err.Error()}
	}
	var out []string
	allows := 0
	for i, st := range p.Statement {
		if st.Effect != "Allow" {
			continue
		}
		allows++
		principal, _ := st.Principal.(map[string]any)
		services, _ := policyStringOrList(principal["Service"])
		if len(principal) != 1 || !slices.Equal(services, []string{service}) {
			out = append(out, fmt.Sprintf("%s lets %v assume it, want only the service %s", st.name(i), st.Principal, service))
		}
		accounts := conditionValues(st.Condition, "StringEquals", "aws:SourceAccount")
		if len(accounts) != 1 || !ruleReAccountID.MatchString(accounts[0]) {
			out = append(out, fmt.Sprintf("%s has no StringEquals aws:SourceAccount of one account (confused deputy)", st.name(i)))
			continue
		}
		// ArnLike db:<cluster>-*: this cluster's instances, present and
		// future, and no others. Exact ARNs make each new instance race the
		// trust update (AWS review 6, finding 7); a wider pattern lets other
		// DB instances use the role.
		arns := append(conditionValues(st.Condition, "ArnLike", "aws:SourceArn"), conditionValues(st.Condition, "ArnEquals", "aws:SourceArn")...)
		if want := clusterInstances(accounts[0]); !slices.Equal(arns, []string{want}) || !iamGlobMatch(want, instanceARN(accounts[0])) {
			out = append(out, fmt.Sprintf("%s's aws:SourceArn %v is not ArnLike %s covering the instance %s (confused deputy; every instance of the cluster, present and future)", st.name(i), arns, want, instanceARN(accounts[0])))
		}
	}
	if allows == 0 {
		out = append(out, "trust policy allows nobody to assume it")
	}
	return out
}

// conditionValues are the values a policy condition gives a key under an
// operator.
func conditionValues(cond map[string]any, operator, key string) []string {
	op, _ := cond[operator].(map[string]any)
	v, _ := policyStringOrList(op[key])
	return v
}

// validRuleInsightsRetention reports whether RDS takes a Performance
// Insights retention.
func validRuleInsightsRetention(days float64) bool {
	d := int64(days)
	return float64(d) == days && (d == 7 || d == 731 || (d >= 31 && d <= 713 && d%31 == 0))
}

// insightsParams are a cluster's or instance's Performance Insights
// parameters, as AWS receives them; "unset" where not set.
func insightsParams(obj map[string]any) string {
	enabled, key, days := "unset", "unset", "unset"
	if v, ok := mrParamBool(obj, "performanceInsightsEnabled"); ok {
		enabled = fmt.Sprint(v)
	}
	if v := mrParamString(obj, "performanceInsightsKmsKeyId"); v != "" {
		key = v
	}
	if v, ok := mrParamNumber(obj, "performanceInsightsRetentionPeriod"); ok {
		days = fmt.Sprint(v)
	}
	return fmt.Sprintf("enabled %s, key %s, retention %s", enabled, key, days)
}

func checkDatabaseInsightsSettings(s *ruleState) []ruleFinding {
	var out []ruleFinding
	c := s.theCluster()
	if c == nil {
		return nil
	}
	objs := append([]ruleObject{*c}, s.desiredOf(ruleKindRDSClusterInstance)...)
	for _, o := range objs {
		add := func(format string, a ...any) {
			out = append(out, ruleFinding{Resource: o.Name, Message: fmt.Sprintf(format, a...)})
		}
		enabled, _ := mrParamBool(o.Obj, "performanceInsightsEnabled")
		if days, ok := mrParamNumber(o.Obj, "performanceInsightsRetentionPeriod"); ok && !validRuleInsightsRetention(days) {
			add("performanceInsightsRetentionPeriod %v is not 7, a multiple of 31 up to 713, or 731", days)
		}
		if enabled && mrParamString(o.Obj, "performanceInsightsKmsKeyId") == "" {
			add("enables Performance Insights without performanceInsightsKmsKeyId: RDS encrypts the data with its default aws/rds key, not the cluster's")
		}
	}
	mode := mrParamString(c.Obj, "databaseInsightsMode")
	enabled, _ := mrParamBool(c.Obj, "performanceInsightsEnabled")
	days, _ := mrParamNumber(c.Obj, "performanceInsightsRetentionPeriod")
	switch {
	case mode != "" && mode != "standard" && mode != "advanced":
		out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("databaseInsightsMode %q is neither standard nor advanced", mode)})
	case mode == "advanced" && (!enabled || days != 465):
		out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("databaseInsightsMode advanced with %s: Advanced needs Performance Insights on for 465 days", insightsParams(c.Obj))})
	}
	want := insightsParams(c.Obj)
	intervals := map[float64][]string{}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		if got := insightsParams(in.Obj); got != want {
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("Performance Insights %s differs from the cluster's %s", got, want)})
		}
		if v, ok := mrParamNumber(in.Obj, "monitoringInterval"); ok {
			intervals[v] = append(intervals[v], in.Name)
		}
	}
	if len(intervals) > 1 {
		var parts []string
		for _, v := range sortedFloatKeys(intervals) {
			parts = append(parts, fmt.Sprintf("%v s on %s", v, strings.Join(intervals[v], ", ")))
		}
		out = append(out, ruleFinding{Resource: c.Name, Message: "instances differ in monitoringInterval (" + strings.Join(parts, "; ") + "): Database Insights needs the same Enhanced Monitoring settings on every instance"})
	}
	return out
}

func sortedFloatKeys[V any](m map[float64]V) []float64 {
	out := make([]float64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// clusterKeyARN is the cluster's storage key: its kmsKeyId, or the ARN of
// the composed key it selects as observed or as the XR's status reports it.
func (s *ruleState) clusterKeyARN(c ruleObject) string {
	if k := mrParamString(c.Obj, "kmsKeyId"); k != "" {
		return k
	}
	key := s.selectedBy(c.Obj, "kmsKeyIdSelector")
	if key == "" {
		return ""
	}
	if arn := objString(s.Observed[key], "status", "atProvider", "arn"); arn != "" {
		return arn
	}
	return objString(s.Composite, "status", "kmsKeyArn")
}

func checkInsightsKeyIsClusterKey(s *ruleState) []ruleFinding {
	var out []ruleFinding
	c := s.theCluster()
	if c == nil {
		return nil
	}
	clusterKey := s.clusterKeyARN(*c)
	used := false
	for _, o := range append([]ruleObject{*c}, s.desiredOf(ruleKindRDSClusterInstance)...) {
		k := mrParamString(o.Obj, "performanceInsightsKmsKeyId")
		if k == "" {
			continue
		}
		used = true
		if k != clusterKey {
			out = append(out, ruleFinding{Resource: o.Name, Message: fmt.Sprintf("performanceInsightsKmsKeyId %s is not the cluster's key %q", k, clusterKey)})
		}
	}
	key := s.selectedBy(c.Obj, "kmsKeyIdSelector")
	if !used || key == "" || !ruleKindKMSKey.is(s.Desired[key]) {
		return out
	}
	part, ok := rulePartitionOf(s.Spec.Region)
	if !ok {
		return out
	}
	host := "rds." + s.Spec.Region + "." + part.DNSSuffix
	if !keyPolicyAllowsVia(mrParamString(s.Desired[key], "policy"), host, "kms:Decrypt", "kms:GenerateDataKey") {
		out = append(out, ruleFinding{Resource: key, Message: fmt.Sprintf("the key policy does not allow kms:Decrypt and kms:GenerateDataKey through %s: Performance Insights cannot use the key", host)})
	}
	return out
}

// keyPolicyAllowsVia reports whether one Allow statement of a key policy
// grants every action under a kms:ViaService condition naming host.
func keyPolicyAllowsVia(doc, host string, actions ...string) bool {
	p, err := parseRulePolicy(doc)
	if err != nil {
		return false
	}
	for _, st := range p.Statement {
		if st.Effect != "Allow" || !slices.Contains(conditionValues(st.Condition, "StringEquals", "kms:ViaService"), host) {
			continue
		}
		all := true
		for _, a := range actions {
			all = all && slices.Contains(st.Action, a)
		}
		if all {
			return true
		}
	}
	return false
}

// observedWith gives an object status.atProvider.
func observedWith(obj, at map[string]any) map[string]any {
	obj["status"] = map[string]any{"atProvider": at}
	return obj
}

// monitoringRuleSelfTests are the monitoring rules' cases.
func monitoringRuleSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	const (
		key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		arn = "arn:aws:rds:us-east-1:111122223333:db:db-4160f1-1"
		// every instance of the self-test cluster, db-4160f1
		arnPattern = "arn:aws:rds:us-east-1:111122223333:db:db-4160f1-*"
		role       = "monitoring-role"
	)
	trust := func(cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["monitoring.rds.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":` + cond + `}]}`
	}
	goodTrust := trust(`{"StringEquals":{"aws:SourceAccount":["111122223333"]},"ArnLike":{"aws:SourceArn":["` + arnPattern + `"]}}`)
	// exactTrust lists the instance's ARN: every new instance races the
	// trust update (AWS review 6, finding 7).
	exactTrust := trust(`{"StringEquals":{"aws:SourceAccount":["111122223333"]},"ArnLike":{"aws:SourceArn":["` + arn + `"]}}`)
	instance := func(params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSClusterInstance, "instance-1", params), "db-4160f1-1")
	}
	monitoring := func(trustDoc, policyARN string, params map[string]any) map[string]map[string]any {
		return map[string]map[string]any{
			"instance-1": instance(params),
			role:         testMR(ruleKindIAMRole, role, map[string]any{"assumeRolePolicy": trustDoc}),
			"monitoring-role-policy": testMR(ruleKindRolePolicyAttachment, "monitoring-role-policy", map[string]any{
				"roleSelector": testSelector(role), "policyArn": policyARN,
			}),
		}
	}
	const managed = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
	em := map[string]any{"monitoringInterval": 15, "monitoringRoleArnSelector": testSelector(role)}
	pi := func(days float64, k string) map[string]any {
		return map[string]any{"performanceInsightsEnabled": true, "performanceInsightsKmsKeyId": k, "performanceInsightsRetentionPeriod": days}
	}
	cluster := func(mode string, params map[string]any) map[string]any {
		p := map[string]any{"kmsKeyId": key, "databaseInsightsMode": mode}
		for k, v := range params {
			p[k] = v
		}
		return testMR(ruleKindRDSCluster, "cluster", p)
	}
	keyPolicy := func(via string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"UseThroughRDS","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":["*"],"Condition":{"StringEquals":{"kms:ViaService":["` + via + `"]}}}]}`
	}
	withCMK := func(via string, clusterParams, instanceParams map[string]any) *ruleState {
		c := testMR(ruleKindRDSCluster, "cluster", clusterParams)
		c["spec"].(map[string]any)["forProvider"].(map[string]any)["kmsKeyIdSelector"] = testSelector("kms-key")
		st := testState("us-east-1", map[string]map[string]any{
			"cluster":    c,
			"kms-key":    testMR(ruleKindKMSKey, "kms-key", map[string]any{"policy": keyPolicy(via)}),
			"instance-1": instance(instanceParams),
		})
		st.Composite = map[string]any{"status": map[string]any{"kmsKeyArn": key}}
		return st
	}
	return map[string]ruleSelfTest{
		"EnhancedMonitoringRoleGood": {
			reason: "15 s through a role only RDS monitoring may assume, for this instance, with AWS's policy attached.",
			args:   args{rule: "EnhancedMonitoringRole", state: testState("us-east-1", monitoring(goodTrust, managed, em))},
		},
		"EnhancedMonitoringRoleBad": {
			reason: "No SourceArn, the commercial policy in GovCloud, and an interval RDS refuses on another instance.",
			args: args{rule: "EnhancedMonitoringRole", state: func() *ruleState {
				st := testState("us-gov-west-1", monitoring(trust(`{"StringEquals":{"aws:SourceAccount":["111122223333"]}}`), managed, em))
				st.Desired["instance-2"] = testMR(ruleKindRDSClusterInstance, "instance-2", map[string]any{"monitoringInterval": 7})
				st.Desired["instance-3"] = testMR(ruleKindRDSClusterInstance, "instance-3", map[string]any{"monitoringInterval": 0, "monitoringRoleArnSelector": testSelector(role)})
				return st
			}()},
			want: want{violations: []string{
				`EnhancedMonitoringRole: self-test: "instance-1" (rds ClusterInstance): role "monitoring-role" has no RolePolicyAttachment of arn:aws-us-gov:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
				`EnhancedMonitoringRole: self-test: "instance-1" (rds ClusterInstance): role "monitoring-role": statement 0's aws:SourceArn [] is not ArnLike arn:aws-us-gov:rds:us-gov-west-1:111122223333:db:db-4160f1-* covering the instance arn:aws-us-gov:rds:us-gov-west-1:111122223333:db:db-4160f1-1 (confused deputy; every instance of the cluster, present and future)`,
				`EnhancedMonitoringRole: self-test: "instance-2" (rds ClusterInstance): monitoringInterval 7 is not one RDS accepts (0, 1, 5, 10, 15, 30, 60)`,
				`EnhancedMonitoringRole: self-test: "instance-3" (rds ClusterInstance): names a monitoring role with monitoringInterval 0: RDS refuses MonitoringRoleArn without an interval`,
			}},
		},
		"EnhancedMonitoringRoleNoCondition": {
			reason: "A trust without aws:SourceAccount lets any account's instance use the role.",
			args:   args{rule: "EnhancedMonitoringRole", state: testState("us-east-1", monitoring(trust(`{}`), managed, em))},
			want: want{violations: []string{
				`EnhancedMonitoringRole: self-test: "instance-1" (rds ClusterInstance): role "monitoring-role": statement 0 has no StringEquals aws:SourceAccount of one account (confused deputy)`,
			}},
		},
		"EnhancedMonitoringRoleExactARN": {
			reason: "The trust lists the instance's ARN instead of the cluster's instances: the next instance races the trust update.",
			args:   args{rule: "EnhancedMonitoringRole", state: testState("us-east-1", monitoring(exactTrust, managed, em))},
			want: want{violations: []string{
				`EnhancedMonitoringRole: self-test: "instance-1" (rds ClusterInstance): role "monitoring-role": statement 0's aws:SourceArn [` + arn + `] is not ArnLike ` + arnPattern + ` covering the instance ` + arn + ` (confused deputy; every instance of the cluster, present and future)`,
			}},
		},
		"DatabaseInsightsSettingsGood": {
			reason: "Advanced with 465 days on the cluster and the same on the instance.",
			args: args{rule: "DatabaseInsightsSettings", state: testState("us-east-1", map[string]map[string]any{
				"cluster":    cluster("advanced", pi(465, key)),
				"instance-1": instance(pi(465, key)),
			})},
		},
		"DatabaseInsightsSettingsBad": {
			reason: "Advanced with 7 days; an instance left to inherit (late-initialised); another without a key; two intervals.",
			args: args{rule: "DatabaseInsightsSettings", state: testState("us-east-1", map[string]map[string]any{
				"cluster":    cluster("advanced", pi(7, key)),
				"instance-1": instance(map[string]any{"monitoringInterval": 60}),
				"instance-2": testMR(ruleKindRDSClusterInstance, "instance-2", map[string]any{"performanceInsightsEnabled": true, "performanceInsightsRetentionPeriod": 30, "monitoringInterval": 15}),
			})},
			want: want{violations: []string{
				`DatabaseInsightsSettings: self-test: "cluster" (rds Cluster): databaseInsightsMode advanced with enabled true, key ` + key + `, retention 7: Advanced needs Performance Insights on for 465 days`,
				`DatabaseInsightsSettings: self-test: "cluster" (rds Cluster): instances differ in monitoringInterval (15 s on instance-2; 60 s on instance-1): Database Insights needs the same Enhanced Monitoring settings on every instance`,
				`DatabaseInsightsSettings: self-test: "instance-1" (rds ClusterInstance): Performance Insights enabled unset, key unset, retention unset differs from the cluster's enabled true, key ` + key + `, retention 7`,
				`DatabaseInsightsSettings: self-test: "instance-2" (rds ClusterInstance): Performance Insights enabled true, key unset, retention 30 differs from the cluster's enabled true, key ` + key + `, retention 7`,
				`DatabaseInsightsSettings: self-test: "instance-2" (rds ClusterInstance): enables Performance Insights without performanceInsightsKmsKeyId: RDS encrypts the data with its default aws/rds key, not the cluster's`,
				`DatabaseInsightsSettings: self-test: "instance-2" (rds ClusterInstance): performanceInsightsRetentionPeriod 30 is not 7, a multiple of 31 up to 713, or 731`,
			}},
		},
		"MonitoringRoleOutlivesItsUseGood": {
			reason: "Switched off, the role stays while the instance still reports Enhanced Monitoring.",
			args: args{rule: "MonitoringRoleOutlivesItsUse", state: withObserved(testState("us-east-1", map[string]map[string]any{
				role: testMR(ruleKindIAMRole, role, map[string]any{}),
			}), map[string]map[string]any{
				"instance-1": observedWith(instance(map[string]any{}), map[string]any{"monitoringInterval": 15, "monitoringRoleArn": "arn:aws:iam::111122223333:role/em"}),
				role:         observedWith(testMR(ruleKindIAMRole, role, map[string]any{}), map[string]any{"arn": "arn:aws:iam::111122223333:role/em"}),
			})},
		},
		"MonitoringRoleOutlivesItsUseBad": {
			reason: "The role leaves before the instance stopped using it.",
			args: args{rule: "MonitoringRoleOutlivesItsUse", state: withObserved(testState("us-east-1", map[string]map[string]any{}), map[string]map[string]any{
				"instance-1": observedWith(instance(map[string]any{}), map[string]any{"monitoringInterval": 15, "monitoringRoleArn": "arn:aws:iam::111122223333:role/em"}),
				role:         observedWith(testMR(ruleKindIAMRole, role, map[string]any{}), map[string]any{"arn": "arn:aws:iam::111122223333:role/em"}),
			})},
			want: want{violations: []string{
				`MonitoringRoleOutlivesItsUse: self-test: "monitoring-role" (iam Role): leaves the desired state while instance "instance-1" still sends Enhanced Monitoring with it (every 15 s)`,
			}},
		},
		"AdvancedOnlyOverObservedRetentionGood": {
			reason: "AWS reports 465 days in standard: Advanced may be asked; another cluster leaving Advanced goes to standard with Performance Insights on.",
			args: args{rule: "AdvancedOnlyOverObservedRetention", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":   cluster("advanced", pi(465, key)),
				"cluster-2": cluster("standard", pi(465, key)),
			}), map[string]map[string]any{
				"cluster":   observedWith(cluster("standard", pi(465, key)), map[string]any{"databaseInsightsMode": "standard", "performanceInsightsEnabled": true, "performanceInsightsRetentionPeriod": 465}),
				"cluster-2": observedWith(cluster("advanced", pi(465, key)), map[string]any{"databaseInsightsMode": "advanced", "performanceInsightsEnabled": true, "performanceInsightsRetentionPeriod": 465}),
			})},
		},
		"AdvancedOnlyOverObservedRetentionBad": {
			reason: "Advanced asked while AWS reports 7 days (RDS refuses it); Performance Insights off asked while AWS reports Advanced.",
			args: args{rule: "AdvancedOnlyOverObservedRetention", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":   cluster("advanced", pi(465, key)),
				"cluster-2": cluster("standard", map[string]any{"performanceInsightsEnabled": false}),
			}), map[string]map[string]any{
				"cluster":   observedWith(cluster("standard", pi(7, key)), map[string]any{"databaseInsightsMode": "standard", "performanceInsightsEnabled": true, "performanceInsightsRetentionPeriod": 7}),
				"cluster-2": observedWith(cluster("advanced", pi(465, key)), map[string]any{"databaseInsightsMode": "advanced", "performanceInsightsEnabled": true, "performanceInsightsRetentionPeriod": 465}),
			})},
			want: want{violations: []string{
				`AdvancedOnlyOverObservedRetention: self-test: "cluster" (rds Cluster): desired advanced while AWS reports mode standard with Performance Insights on=true, 7 days: RDS refuses Advanced until it runs 465 days`,
				`AdvancedOnlyOverObservedRetention: self-test: "cluster-2" (rds Cluster): desired with Performance Insights off while AWS reports Advanced: mode standard with Performance Insights on comes first`,
			}},
		},
		"WraparoundAlarmShowsMissingDataGood": {
			reason: "The wraparound alarm shows missing data; a deadlocks alarm may treat it as not breaching.",
			args: args{rule: "WraparoundAlarmShowsMissingData", state: testState("us-east-1", map[string]map[string]any{
				"alarm-transaction-id-wraparound": testMR(ruleKindMetricAlarm, "alarm-transaction-id-wraparound", map[string]any{"metricName": "MaximumUsedTransactionIDs", "treatMissingData": "missing"}),
				"alarm-deadlocks":                 testMR(ruleKindMetricAlarm, "alarm-deadlocks", map[string]any{"metricName": "Deadlocks", "treatMissingData": "notBreaching"}),
			})},
		},
		"WraparoundAlarmShowsMissingDataBad": {
			reason: "notBreaching keeps the wraparound alarm OK when no data arrives.",
			args: args{rule: "WraparoundAlarmShowsMissingData", state: testState("us-east-1", map[string]map[string]any{
				"alarm-transaction-id-wraparound": testMR(ruleKindMetricAlarm, "alarm-transaction-id-wraparound", map[string]any{"metricName": "MaximumUsedTransactionIDs", "treatMissingData": "notBreaching"}),
			})},
			want: want{violations: []string{
				`WraparoundAlarmShowsMissingData: self-test: "alarm-transaction-id-wraparound" (cloudwatch MetricAlarm): treatMissingData "notBreaching": with no data under its dimensions the transaction ID wraparound alarm stays OK, want missing`,
			}},
		},
		"InsightsKeyIsClusterKeyGood": {
			reason: "The composed CMK, as status.kmsKeyArn reports it, whose policy lets RDS use it.",
			args:   args{rule: "InsightsKeyIsClusterKey", state: withCMK("rds.us-east-1.amazonaws.com", pi(7, key), pi(7, key))},
		},
		"InsightsKeyIsClusterKeyBad": {
			reason: "The instance encrypts with another key, and the key policy lets only another region's RDS use the cluster's.",
			args:   args{rule: "InsightsKeyIsClusterKey", state: withCMK("rds.us-west-2.amazonaws.com", pi(7, key), pi(7, "arn:aws:kms:us-east-1:111122223333:key/other"))},
			want: want{violations: []string{
				`InsightsKeyIsClusterKey: self-test: "instance-1" (rds ClusterInstance): performanceInsightsKmsKeyId arn:aws:kms:us-east-1:111122223333:key/other is not the cluster's key "` + key + `"`,
				`InsightsKeyIsClusterKey: self-test: "kms-key" (kms Key): the key policy does not allow kms:Decrypt and kms:GenerateDataKey through rds.us-east-1.amazonaws.com: Performance Insights cannot use the key`,
			}},
		},
	}
}

func checkAdvancedOnlyOverObservedRetention(s *ruleState) []ruleFinding {
	if !s.ObservedKnown {
		return nil
	}
	var out []ruleFinding
	for _, c := range s.observedOf(ruleKindRDSCluster) {
		at := objMap(c.Obj, "status", "atProvider")
		mode := objString(c.Obj, "status", "atProvider", "databaseInsightsMode")
		d, ok := s.Desired[c.Name]
		if mode == "" || !ok || !ruleKindRDSCluster.is(d) {
			continue
		}
		on, _ := at["performanceInsightsEnabled"].(bool)
		days, _ := mrParamNumber(map[string]any{"spec": map[string]any{"forProvider": at}}, "performanceInsightsRetentionPeriod")
		want := mrParamString(d, "databaseInsightsMode")
		wantOn, _ := mrParamBool(d, "performanceInsightsEnabled")
		switch {
		case !strings.EqualFold(mode, "advanced") && strings.EqualFold(want, "advanced") && (!on || days < 465):
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("desired advanced while AWS reports mode %s with Performance Insights on=%v, %v days: RDS refuses Advanced until it runs 465 days", mode, on, days)})
		case strings.EqualFold(mode, "advanced") && !wantOn && mrParamString(d, "databaseInsightsMode") != "":
			out = append(out, ruleFinding{Resource: c.Name, Message: "desired with Performance Insights off while AWS reports Advanced: mode standard with Performance Insights on comes first"})
		}
	}
	return out
}

func checkWraparoundAlarmShowsMissingData(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, a := range s.desiredOf(ruleKindMetricAlarm) {
		if mrParamString(a.Obj, "metricName") != "MaximumUsedTransactionIDs" {
			continue
		}
		if t := mrParamString(a.Obj, "treatMissingData"); t != "missing" && t != "breaching" {
			out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("treatMissingData %q: with no data under its dimensions the transaction ID wraparound alarm stays OK, want missing", t)})
		}
	}
	return out
}
