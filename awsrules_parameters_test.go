package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ruleKindRDSParamGroup is the DB parameter group of the instances.
var ruleKindRDSParamGroup = objKind{"rds.aws.m.upbound.io/v1beta1", "ParameterGroup"}

// ruleStaticParameters are parameters PostgreSQL applies only at server
// start (pg_settings.context "postmaster"), so RDS reports them static and
// refuses applyMethod immediate. Written out here, not taken from
// parameters.go, so the rule checks the function instead of repeating it.
var ruleStaticParameters = []string{
	"max_connections", "max_locks_per_transaction", "max_prepared_transactions", "max_worker_processes",
	"rds.logical_replication", "shared_buffers", "shared_preload_libraries", "track_activity_query_size",
}

// ruleParameterApplyMethods is the ParameterApplyMethods rule.
var ruleParameterApplyMethods = awsRule{
	ID:        "ParameterApplyMethods",
	Statement: "Every parameter of every ClusterParameterGroup and ParameterGroup sets applyMethod immediate or pending-reboot, never immediate for a static parameter, and a parameter group names each parameter at most once.",
	Citations: []string{
		"https://github.com/crossplane-contrib/provider-upjet-aws/issues/1286",
		"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterParameterGroup.html",
		"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Parameter.html",
		"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/parameter-groups-overview.html",
		"https://www.postgresql.org/docs/16/view-pg-settings.html",
	},
	Check: checkParameterApplyMethods,
}

// ruleTLSForced is the TLSForced rule.
var ruleTLSForced = awsRule{
	ID:        "TLSForced",
	Statement: "Every ClusterParameterGroup sets rds.force_ssl to 1, once; no ClusterParameterGroup or ParameterGroup turns ssl off or allows a TLS version below 1.2.",
	Citations: []string{
		"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html#AuroraPostgreSQL.Security.SSL.RequiringSSL",
		"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Reference.ParameterGroups.html",
	},
	Check: checkTLSForced,
}

// parameterGroupParams is each parameter of a desired parameter group's
// parameter blocks, with its path for messages.
func parameterGroupParams(o ruleObject, each func(path string, pm map[string]any)) {
	for _, b := range mrParameters(o.Obj) {
		for i, p := range objSlice(b.Params, "parameter") {
			pm, _ := p.(map[string]any)
			each(fmt.Sprintf("%s.parameter[%d]", b.Path, i), pm)
		}
	}
}

func desiredParameterGroups(s *ruleState) []ruleObject {
	return append(s.desiredOf(ruleKindRDSClusterParamGroup), s.desiredOf(ruleKindRDSParamGroup)...)
}

func checkParameterApplyMethods(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, pg := range desiredParameterGroups(s) {
		seen := map[string]bool{}
		parameterGroupParams(pg, func(path string, pm map[string]any) {
			name, _ := pm["name"].(string)
			am, _ := pm["applyMethod"].(string)
			switch {
			case am == "":
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s (%s) sets no applyMethod: the provider then updates the group on every poll (provider-upjet-aws#1286)", path, name)})
			case am != "immediate" && am != "pending-reboot":
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s (%s) has applyMethod %q, want immediate or pending-reboot", path, name, am)})
			case am == "immediate" && slices.Contains(ruleStaticParameters, name):
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s (%s) is static but has applyMethod immediate: AWS accepts only pending-reboot", path, name)})
			}
			if seen[name] {
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s names %s again", path, name)})
			}
			seen[name] = true
		})
	}
	return out
}

func checkTLSForced(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, pg := range desiredParameterGroups(s) {
		forced := 0
		parameterGroupParams(pg, func(path string, pm map[string]any) {
			name, _ := pm["name"].(string)
			v, _ := pm["value"].(string)
			switch {
			case name == "rds.force_ssl" && v == "1":
				forced++
			case name == "rds.force_ssl":
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s sets rds.force_ssl to %q: connections without TLS would be accepted", path, v)})
			case name == "ssl" && !slices.Contains([]string{"1", "on", "true"}, strings.ToLower(v)):
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s turns ssl off (%q)", path, v)})
			case name == "ssl_min_protocol_version" && v != "TLSv1.2" && v != "TLSv1.3":
				out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s allows %s: below TLS 1.2", path, v)})
			}
		})
		if ruleKindRDSClusterParamGroup.is(pg.Obj) && forced != 1 {
			out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("sets rds.force_ssl to 1 %d times, want once", forced)})
		}
	}
	return out
}

// ruleLabelValues is the LabelValues rule. Not AWS's, but the API server's:
// a composed resource with an invalid label is refused, and its component
// label carries its composed resource name, which the function builds from
// user input (instance names, families, CIDRs).
var ruleLabelValues = awsRule{
	ID:        "LabelValues",
	Statement: "Every label value of every desired resource is a valid Kubernetes label value: at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
	Citations: []string{
		"https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set",
	},
	Check: checkLabelValues,
}

func checkLabelValues(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, n := range sortedMapKeys(s.Desired) {
		labels := objMap(s.Desired[n], "metadata", "labels")
		for _, k := range sortedMapKeys(labels) {
			v, _ := labels[k].(string)
			for _, msg := range validation.IsValidLabelValue(v) {
				out = append(out, ruleFinding{Resource: n, Message: fmt.Sprintf("label %s=%q: %s", k, v, msg)})
			}
		}
	}
	return out
}
