package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Rules for what the AWS review of 2026-12 found (shared/reviews/
// aws-review-2026-12.md): each finding, fixed in the function, becomes a
// rule every golden and simulated state must obey, so the class of mistake
// cannot come back. They join awsRules; their good and bad self-test cases
// are in findingSelfTests.
//
// The rules are grouped by area, each group in its own file with its
// self-test cases:
//
//   - awsrules_findings_network_test.go: the Secrets Manager endpoint, the
//     existing rotator's network, endpoint subnets, IPv6 (B1, M2, minors 5
//     and 10);
//   - awsrules_findings_deletion_test.go: Usages and the kept key (B2);
//   - awsrules_findings_rotation_test.go: when rotation starts, how it
//     rotates, the S3 rotator's gates and reach, the password, names AWS
//     keeps (M1, M4, minors 3, 4, 6, 7);
//   - awsrules_findings_rds_test.go: maintenance windows, engine support,
//     auto-pause, alarms and IAM auth (minors 8, 9, 12, 14, 15);
//   - awsrules_findings_policy_test.go: the key policy and the accounts
//     policies name (minors 1 and 18, and the account resolution).
//
// awsrules_findings_sim_test.go checks every rule again on simulations in
// which one kind of resource is slow to become Ready, as in AWS, so the
// rules about the order of creation see the gates the fast simulation
// hides.

func init() {
	awsRules = append(awsRules, findingRules...)
}

// The kinds the finding rules look at, besides awsrules_test.go's.
var (
	ruleKindEventSubscription            = objKind{"rds.aws.m.upbound.io/v1beta1", "EventSubscription"}
	ruleKindVPCEndpointSGAssociation     = objKind{"ec2.aws.m.upbound.io/v1beta1", "VPCEndpointSecurityGroupAssociation"}
	ruleKindVPCEndpointSubnetAssociation = objKind{"ec2.aws.m.upbound.io/v1beta1", "VPCEndpointSubnetAssociation"}
	ruleKindIngressRule                  = objKind{"ec2.aws.m.upbound.io/v1beta1", "SecurityGroupIngressRule"}
	ruleKindSMSecret                     = objKind{"secretsmanager.aws.m.upbound.io/v1beta1", "Secret"}
	ruleKindSecretPolicy                 = objKind{"secretsmanager.aws.m.upbound.io/v1beta1", "SecretPolicy"}
	ruleKindSecretRotation               = objKind{"secretsmanager.aws.m.upbound.io/v1beta1", "SecretRotation"}
	ruleKindLambdaFunction               = objKind{"lambda.aws.m.upbound.io/v1beta1", "Function"}
	ruleKindLambdaPermission             = objKind{"lambda.aws.m.upbound.io/v1beta1", "Permission"}
	ruleKindCFNStack                     = objKind{"serverlessrepo.aws.m.upbound.io/v1beta1", "CloudFormationStack"}
	ruleKindRolePolicyAttachment         = objKind{"iam.aws.m.upbound.io/v1beta1", "RolePolicyAttachment"}
	ruleKindMetricAlarm                  = objKind{"cloudwatch.aws.m.upbound.io/v1beta1", "MetricAlarm"}
	ruleKindUsage                        = objKind{"protection.crossplane.io/v1beta1", "Usage"}
)

// findingRules are the rules of the AWS review's findings, in the review's
// order: blockers, majors, minors.
var findingRules = slices.Concat(
	[]awsRule{
		{
			ID:        "OneEventSubscriptionPerCluster",
			Statement: "A cluster has at most one RDS event subscription, unless spec.monitoring.alarms.events.instanceEvents asks for the instances' own (then two).",
			Citations: []string{
				"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/CHAP_Limits.html (Event subscriptions: 20 per account and Region)",
				"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateEventSubscription.html (one SourceType per subscription)",
			},
			Check: checkOneEventSubscriptionPerCluster,
		},
	},
	networkFindingRules,
	deletionFindingRules,
	rotationFindingRules,
	rdsFindingRules,
	policyFindingRules,
)

// checkOneEventSubscriptionPerCluster: RDS allows 20 event subscriptions
// per account and region, shared by every cluster; at two per cluster the
// eleventh cluster's subscription fails and its XR never becomes Ready.
func checkOneEventSubscriptionPerCluster(s *ruleState) []ruleFinding {
	subs := s.desiredOf(ruleKindEventSubscription)
	allowed := 1
	if e := s.Spec.Monitoring.Alarms.Events.InstanceEvents; e != nil && *e {
		allowed = 2
	}
	if len(subs) <= allowed {
		return nil
	}
	names := make([]string, 0, len(subs))
	for _, o := range subs {
		names = append(names, o.Name)
	}
	return []ruleFinding{{Message: fmt.Sprintf("%d RDS event subscriptions%s, more than %d: RDS allows 20 per account and region for every cluster together", len(subs), listNames(names), allowed)}}
}

// Helpers of the finding rules.

// mrParam is a parameter as AWS receives it at creation: spec.forProvider's,
// else spec.initProvider's.
func mrParam(obj map[string]any, key string) (any, bool) {
	for _, b := range mrParameters(obj) {
		if v, ok := b.Params[key]; ok {
			return v, true
		}
	}
	return nil, false
}

// mrParamString is a string parameter, or "".
func mrParamString(obj map[string]any, key string) string {
	v, _ := mrParam(obj, key)
	s, _ := v.(string)
	return s
}

// mrParamBool is a boolean parameter, and whether it is set as one.
func mrParamBool(obj map[string]any, key string) (value, set bool) {
	v, _ := mrParam(obj, key)
	b, ok := v.(bool)
	return b, ok
}

// mrParamNumber is a numeric parameter, and whether it is set as one.
func mrParamNumber(obj map[string]any, key string) (float64, bool) {
	v, _ := mrParam(obj, key)
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// forProviderBool is a boolean of spec.forProvider only, and whether it is
// set as one: what the provider sends on every update, not only at
// creation.
func forProviderBool(obj map[string]any, key string) (value, set bool) {
	v, _ := objField(obj, "spec", "forProvider", key)
	b, ok := v.(bool)
	return b, ok
}

// selected is the one desired resource a selector selects, or "" when it
// selects none or several (ReferencesResolve reports those).
func (s *ruleState) selected(sel map[string]any) string {
	if sel == nil {
		return ""
	}
	m, problem := selectMatches(s, sel)
	if problem != "" || len(m) != 1 {
		return ""
	}
	return m[0]
}

// selectedBy is the desired resource that a managed resource's parameter
// selector (kmsKeyIdSelector, ...) selects, or "".
func (s *ruleState) selectedBy(obj map[string]any, selector string) string {
	v, _ := mrParam(obj, selector)
	sel, _ := v.(map[string]any)
	return s.selected(sel)
}

// selectsLabels is the desired resources a selector's labels match, with
// or without matchControllerRef: which resource it means, not whether it
// is safe (ReferencesResolve judges that).
func (s *ruleState) selectsLabels(sel map[string]any) []string {
	if sel == nil {
		return nil
	}
	m, _ := selectMatches(s, map[string]any{"matchControllerRef": true, "matchLabels": sel["matchLabels"]})
	return m
}

// firstComposed reports whether a desired resource is composed for the
// first time in this call: desired, and not observed, in a state whose
// observed resources are known.
func (s *ruleState) firstComposed(name string) bool {
	_, desired := s.Desired[name]
	_, observed := s.Observed[name]
	return s.ObservedKnown && desired && !observed
}

// notReady says why an observed resource of a kind is not ready to be
// relied on ("is not observed", "is not Ready"), or "".
func (s *ruleState) notReady(name string, k objKind) string {
	o, ok := s.Observed[name]
	switch {
	case !ok || !k.is(o):
		return "is not observed"
	case !observedReady(o):
		return "is not Ready"
	}
	return ""
}

// theCluster is the desired rds Cluster, or nil.
func (s *ruleState) theCluster() *ruleObject {
	cs := s.desiredOf(ruleKindRDSCluster)
	if len(cs) == 0 {
		return nil
	}
	return &cs[0]
}

// clusterSecurityGroup is the cluster's security group: the one its
// vpcSecurityGroupIdSelector selects or, before the cluster is composed,
// the desired security group of the cluster's component name.
func (s *ruleState) clusterSecurityGroup() string {
	if c := s.theCluster(); c != nil {
		return s.selectedBy(c.Obj, "vpcSecurityGroupIdSelector")
	}
	if obj, ok := s.Desired[string(nameSecurityGroup)]; ok && ruleKindSecurityGroup.is(obj) {
		return string(nameSecurityGroup)
	}
	return ""
}

// endpointSecurityGroups are the security groups attached to a desired
// endpoint: those its VPCEndpointSecurityGroupAssociations select, and any
// its own securityGroupIdSelector selects.
func (s *ruleState) endpointSecurityGroups(endpoint string) []string {
	var out []string
	if sg := s.selectedBy(s.Desired[endpoint], "securityGroupIdSelector"); sg != "" {
		out = append(out, sg)
	}
	for _, a := range s.desiredOf(ruleKindVPCEndpointSGAssociation) {
		if s.selectedBy(a.Obj, "vpcEndpointIdSelector") != endpoint {
			continue
		}
		if sg := s.selectedBy(a.Obj, "securityGroupIdSelector"); sg != "" && !slices.Contains(out, sg) {
			out = append(out, sg)
		}
	}
	return out
}

// ingressRulesOn is every desired ingress rule of a desired security group.
func (s *ruleState) ingressRulesOn(sg string) []ruleObject {
	var out []ruleObject
	for _, r := range s.desiredOf(ruleKindIngressRule) {
		if s.selectedBy(r.Obj, "securityGroupIdSelector") == sg {
			out = append(out, r)
		}
	}
	return out
}

// ruleTCPPort describes a rule's protocol and ports ("tcp 443",
// "tcp 1024-65535", "every protocol and port"), and reports whether it is
// exactly tcp on port.
func ruleTCPPort(obj map[string]any, port float64) (string, bool) {
	proto := mrParamString(obj, "ipProtocol")
	from, okFrom := mrParamNumber(obj, "fromPort")
	to, okTo := mrParamNumber(obj, "toPort")
	var what string
	switch {
	case proto == "-1" || proto == "all":
		// EC2 ignores the ports of an all-protocols rule.
		return "every protocol and port", false
	case okFrom && okTo && from == to:
		what = fmt.Sprintf("%s %v", proto, from)
	case okFrom && okTo:
		what = fmt.Sprintf("%s %v-%v", proto, from, to)
	default:
		what = strings.TrimSpace(proto + " without ports")
	}
	return what, (proto == "tcp" || proto == "6") && okFrom && okTo && from == port && to == port
}

// namesRotationLambda reports whether a SecretRotation names a rotation
// Lambda (rotationLambdaArn or its selector): a SelfManaged rotation. One
// without sets the schedule of the RDS-managed secret.
func namesRotationLambda(obj map[string]any) bool {
	if v, ok := mrParam(obj, "rotationLambdaArn"); ok && v != "" {
		return true
	}
	_, ok := mrParam(obj, "rotationLambdaArnSelector")
	return ok
}

// desiredByExternalName is the desired resource of a kind with an external
// name, or "".
func (s *ruleState) desiredByExternalName(k objKind, name string) string {
	for _, o := range s.desiredOf(k) {
		if objAnnotation(o.Obj, ruleAnnotationExternalName) == name {
			return o.Name
		}
	}
	return ""
}

// ruleStringList reads a list of strings (or one string) at a parameter.
func ruleStringList(obj map[string]any, key string) []string {
	v, _ := mrParam(obj, key)
	l, _ := policyStringOrList(v)
	return l
}

// policyPrincipalsAWS is a statement's AWS principals.
func policyPrincipalsAWS(p any) []string {
	switch p := p.(type) {
	case string:
		return []string{p}
	case map[string]any:
		l, _ := policyStringOrList(p["AWS"])
		return l
	}
	return nil
}

// policyConditionValues is the values of one condition key under one
// operator (keys are case-insensitive in IAM), as strings.
func policyConditionValues(cond map[string]any, operator, key string) []string {
	block, _ := cond[operator].(map[string]any)
	var out []string
	for k, v := range block {
		if !strings.EqualFold(k, key) {
			continue
		}
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				out = append(out, fmt.Sprint(e))
			}
		default:
			out = append(out, fmt.Sprint(v))
		}
	}
	return out
}

// policyConditionHasKey reports whether a condition key is used under any
// operator.
func policyConditionHasKey(cond map[string]any, key string) bool {
	for _, block := range cond {
		m, _ := block.(map[string]any)
		for k := range m {
			if strings.EqualFold(k, key) {
				return true
			}
		}
	}
	return false
}

// policyActionMatches reports whether an action pattern of a statement
// ("kms:CreateGrant", "kms:Create*", "*") covers an action.
func policyActionMatches(pattern, action string) bool {
	p, a := strings.ToLower(pattern), strings.ToLower(action)
	if prefix, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(a, prefix)
	}
	return p == a
}

// findingSelfTests are the finding rules' good and bad cases for
// TestAWSRulesSelfTest.
func findingSelfTests() map[string]ruleSelfTest {
	cases := map[string]ruleSelfTest{}
	for _, group := range []map[string]ruleSelfTest{
		eventSubscriptionSelfTests(),
		networkFindingSelfTests(),
		deletionFindingSelfTests(),
		rotationFindingSelfTests(),
		rdsFindingSelfTests(),
		policyFindingSelfTests(),
		engineFindingSelfTests(),
		restoreAdoptSelfTests(),
		cachedReferenceSelfTests(),
		capacitySelfTests(),
		accessSelfTests(),
		monitoringRuleSelfTests(),
		proxySelfTests(),
	} {
		for name := range group {
			if _, ok := cases[name]; ok {
				panic("finding self-test case " + name + " is declared twice")
			}
		}
		maps.Copy(cases, group)
	}
	return cases
}

// eventSubscriptionSelfTests are OneEventSubscriptionPerCluster's cases.
func eventSubscriptionSelfTests() map[string]ruleSelfTest {
	withInstanceEvents := func(s *ruleState) *ruleState {
		on := true
		s.Spec.Monitoring.Alarms.Events.InstanceEvents = &on
		return s
	}
	sub := func(name string) map[string]any {
		return testMR(ruleKindEventSubscription, name, map[string]any{"region": "us-east-1"})
	}
	return map[string]ruleSelfTest{
		"OneEventSubscriptionPerClusterGood": {
			reason: "One subscription, for the cluster's events.",
			args: ruleSelfTestArgs{rule: "OneEventSubscriptionPerCluster", state: testState("us-east-1", map[string]map[string]any{
				"event-subscription-cluster": sub("event-subscription-cluster"),
			})},
		},
		"OneEventSubscriptionPerClusterInstanceEvents": {
			reason: "instanceEvents asks for the instances' subscription too.",
			args: ruleSelfTestArgs{rule: "OneEventSubscriptionPerCluster", state: withInstanceEvents(testState("us-east-1", map[string]map[string]any{
				"event-subscription-cluster":   sub("event-subscription-cluster"),
				"event-subscription-instances": sub("event-subscription-instances"),
			}))},
		},
		"OneEventSubscriptionPerClusterBad": {
			reason: "Two subscriptions by default use up the account's quota at ten clusters.",
			args: ruleSelfTestArgs{rule: "OneEventSubscriptionPerCluster", state: testState("us-east-1", map[string]map[string]any{
				"event-subscription-cluster":   sub("event-subscription-cluster"),
				"event-subscription-instances": sub("event-subscription-instances"),
			})},
			want: ruleSelfTestWant{violations: []string{
				`OneEventSubscriptionPerCluster: self-test: the XR: 2 RDS event subscriptions ("event-subscription-cluster", "event-subscription-instances"), more than 1: RDS allows 20 per account and region for every cluster together`,
			}},
		},
	}
}

// Helpers of the finding rules' self-tests.

// withObserved marks a state as a simulation step and observes resources,
// each Ready and Synced, keeping the rest of their status.
func withObserved(s *ruleState, objs map[string]map[string]any) *ruleState {
	s.ObservedKnown = true
	for n, o := range objs {
		st, _ := o["status"].(map[string]any)
		withConditions(o, "True", "True")
		for k, v := range st {
			if k != "conditions" {
				o["status"].(map[string]any)[k] = v
			}
		}
		s.Observed[n] = o
	}
	return s
}

// withSpec changes a self-test state's spec.
func withSpec(s *ruleState, change func(*AuroraSpec)) *ruleState {
	change(s.Spec)
	return s
}

// withParams sets more spec.forProvider parameters of a test object.
func withParams(obj map[string]any, params map[string]any) map[string]any {
	fp := obj["spec"].(map[string]any)["forProvider"].(map[string]any)
	maps.Copy(fp, params)
	return obj
}
