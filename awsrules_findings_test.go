package main

import (
	"fmt"
)

// Rules for what the AWS review of 2026-12 found (shared/reviews/
// aws-review-2026-12.md): each finding, fixed in the function, becomes a
// rule every golden and simulated state must obey, so the class of mistake
// cannot come back. They join awsRules; their good and bad self-test cases
// are in findingSelfTests.

func init() {
	awsRules = append(awsRules, findingRules...)
}

// The kinds the finding rules look at, besides awsrules_test.go's.
var (
	ruleKindEventSubscription = objKind{"rds.aws.m.upbound.io/v1beta1", "EventSubscription"}
)

// findingRules are the rules of the AWS review's findings.
var findingRules = []awsRule{
	{
		ID:        "OneEventSubscriptionPerCluster",
		Statement: "A cluster has at most one RDS event subscription, unless spec.monitoring.alarms.events.instanceEvents asks for the instances' own (then two).",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/CHAP_Limits.html (Event subscriptions: 20 per account and Region)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateEventSubscription.html (one SourceType per subscription)",
		},
		Check: checkOneEventSubscriptionPerCluster,
	},
}

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

// findingSelfTests are the finding rules' good and bad cases for
// TestAWSRulesSelfTest.
func findingSelfTests() map[string]ruleSelfTest {
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
