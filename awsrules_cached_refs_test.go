package main

import (
	"fmt"
	"reflect"
	"strings"
)

// A rule about how the provider keeps a resolved reference: the first
// resolution of a selector is cached in the field it fills, so a selector
// changed later moves nothing.

func init() {
	awsRules = append(awsRules, cachedReferenceRule)
}

var cachedReferenceRule = awsRule{
	ID:        "SelectorsOfExistingResourcesDoNotMove",
	Statement: "A managed resource that exists is desired with the same forProvider selectors it was observed with, unless the field the selector fills is set explicitly.",
	Citations: []string{
		"https://github.com/crossplane/crossplane-runtime/blob/main/pkg/reference/reference.go (ResolutionRequest.IsNoOp: a value already set is not resolved again unless the policy is Always: resolved values are cached)",
		"https://github.com/crossplane-contrib/provider-upjet-aws/blob/main/config/namespaced/rds/config.go (ClusterInstance: db_parameter_group_name is not late-initialized; the resolved name is the only value the provider keeps)",
	},
	Check: checkSelectorsOfExistingResourcesDoNotMove,
}

// checkSelectorsOfExistingResourcesDoNotMove: a major upgrade that only
// switched the instances' DB parameter group selector would leave them
// asking RDS for the old family's group forever.
func checkSelectorsOfExistingResourcesDoNotMove(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, n := range s.desiredNames() {
		d := s.Desired[n]
		o := s.Observed[n]
		if o == nil || !isProviderAWS(d) || objAnnotation(o, ruleAnnotationExternalName) == "" {
			continue
		}
		want := objMap(d, "spec", "forProvider")
		had := objMap(o, "spec", "forProvider")
		for k, sel := range want {
			if !strings.HasSuffix(k, "Selector") || had[k] == nil || reflect.DeepEqual(had[k], sel) {
				continue
			}
			field := strings.TrimSuffix(k, "Selector")
			if _, named := want[field]; named {
				continue
			}
			if _, named := want[field+"s"]; named {
				continue
			}
			out = append(out, ruleFinding{Resource: n, Message: fmt.Sprintf("changes spec.forProvider.%s of an existing resource from %s to %s without setting %s: the provider keeps the value it resolved first", k, compactJSON(had[k]), compactJSON(sel), field)})
		}
	}
	return out
}

// cachedReferenceSelfTests are SelectorsOfExistingResourcesDoNotMove's
// cases.
func cachedReferenceSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	instance := func(params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSClusterInstance, "instance-1", params), "orders-1")
	}
	moved := func(desired map[string]any) *ruleState {
		s := testState("us-east-1", map[string]map[string]any{"instance-1": instance(desired)})
		s.Observed = map[string]map[string]any{"instance-1": instance(map[string]any{"region": "us-east-1", "dbParameterGroupNameSelector": testSelector("db-parameter-group-15")})}
		return s
	}
	return map[string]ruleSelfTest{
		"SelectorsOfExistingResourcesDoNotMoveGood": {
			reason: "A switch of group after a major upgrade names the new group.",
			args: args{rule: "SelectorsOfExistingResourcesDoNotMove", state: moved(map[string]any{
				"region": "us-east-1", "dbParameterGroupName": "orders-aurora-postgresql16", "dbParameterGroupNameSelector": testSelector("db-parameter-group-16"),
			})},
		},
		"SelectorsOfExistingResourcesDoNotMoveBad": {
			reason: "A switched selector alone leaves the instance on the group resolved first.",
			args: args{rule: "SelectorsOfExistingResourcesDoNotMove", state: moved(map[string]any{
				"region": "us-east-1", "dbParameterGroupNameSelector": testSelector("db-parameter-group-16"),
			})},
			want: want{violations: []string{
				`SelectorsOfExistingResourcesDoNotMove: self-test: "instance-1" (rds ClusterInstance): changes spec.forProvider.dbParameterGroupNameSelector of an existing resource from {"matchControllerRef":true,"matchLabels":{"aurora-postgres.fn.crossplane.io/component":"db-parameter-group-15"}} to {"matchControllerRef":true,"matchLabels":{"aurora-postgres.fn.crossplane.io/component":"db-parameter-group-16"}} without setting dbParameterGroupName: the provider keeps the value it resolved first`,
			}},
		},
	}
}
