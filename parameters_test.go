package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

func TestValidateParameters(t *testing.T) {
	type want struct {
		errs []string
	}
	cases := map[string]struct {
		reason string
		params []Parameter
		want   want
	}{
		"Valid": {
			reason: "Known and unknown names, with and without an apply method, and the function's own TLS value.",
			params: []Parameter{
				{Name: "work_mem", Value: "65536"},
				{Name: "shared_preload_libraries", Value: "pg_stat_statements", ApplyMethod: "pending-reboot"},
				{Name: "pg_stat_statements.track", Value: "all", ApplyMethod: "immediate"},
				{Name: "rds.force_ssl", Value: "1"},
				{Name: "ssl_min_protocol_version", Value: "TLSv1.3"},
				{Name: "apg_ccm_enabled", Value: "1", ApplyMethod: "immediate"},
			},
		},
		"ForceSSLOff": {
			reason: "Turning TLS off is refused with the value's path.",
			params: []Parameter{{Name: "work_mem", Value: "1"}, {Name: "jit", Value: "off"}, {Name: "rds.force_ssl", Value: "0"}},
			want:   want{errs: []string{`spec.parameters[2].value: Invalid value: "0": rds.force_ssl must stay 1: the function forces TLS on every connection`}},
		},
		"SSLOffAndOldTLS": {
			reason: "ssl off and a TLS version below 1.2 are refused too.",
			params: []Parameter{{Name: "ssl", Value: "off"}, {Name: "ssl_min_protocol_version", Value: "TLSv1"}},
			want: want{errs: []string{
				`spec.parameters[0].value: Invalid value: "off": ssl must stay on: the function forces TLS on every connection`,
				`spec.parameters[1].value: Unsupported value: "TLSv1": supported values: "TLSv1.2", "TLSv1.3"`,
			}},
		},
		"SlowQueryLogOverridden": {
			reason: "log_min_duration_statement belongs to spec.logging.slowQueryThresholdMs.",
			params: []Parameter{{Name: "log_min_duration_statement", Value: "100"}},
			want:   want{errs: []string{`spec.parameters[0].name: Forbidden: the function sets log_min_duration_statement from spec.logging.slowQueryThresholdMs (the slow-query metric reads it): set that instead`}},
		},
		"Duplicate": {
			reason: "A name twice would leave AWS to pick one of the values.",
			params: []Parameter{{Name: "work_mem", Value: "1"}, {Name: "work_mem", Value: "2"}},
			want:   want{errs: []string{`spec.parameters[1].name: Duplicate value: "work_mem"`}},
		},
		"BadNames": {
			reason: "Names are lower-case letters, digits and underscores in dot-separated parts.",
			params: []Parameter{{Name: "Work_Mem", Value: "1"}, {Name: "pg..x", Value: "1"}, {Name: "", Value: "1"}},
			want: want{errs: []string{
				`spec.parameters[0].name: Invalid value: "Work_Mem": must be a parameter name: lower-case letters, digits and underscores, in parts separated by dots, e.g. pg_stat_statements.track`,
				`spec.parameters[1].name: Invalid value: "pg..x": must be a parameter name: lower-case letters, digits and underscores, in parts separated by dots, e.g. pg_stat_statements.track`,
				`spec.parameters[2].name: Required value: a parameter name, e.g. work_mem`,
			}},
		},
		"EmptyValueAndBadMethod": {
			reason: "A value is required; the apply method is one of two.",
			params: []Parameter{{Name: "work_mem", Value: ""}, {Name: "jit", Value: "on", ApplyMethod: "now"}},
			want: want{errs: []string{
				`spec.parameters[0].value: Required value: a value, as a string, e.g. "65536"`,
				`spec.parameters[1].applyMethod: Unsupported value: "now": supported values: "immediate", "pending-reboot"`,
			}},
		},
		"ImmediateForStatic": {
			reason: "AWS accepts only pending-reboot for a static parameter.",
			params: []Parameter{{Name: "max_connections", Value: "500", ApplyMethod: "immediate"}},
			want:   want{errs: []string{`spec.parameters[0].applyMethod: Invalid value: "immediate": max_connections is a static parameter: it applies only after a reboot, so AWS accepts only pending-reboot (leave applyMethod out for the right default)`}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := errorMessages(validateParameters(field.NewPath("spec", "parameters"), tc.params))
			if diff := cmp.Diff(tc.want.errs, got, cmpEmpty); diff != "" {
				t.Errorf("\n%s\nvalidateParameters(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDefaultApplyMethod(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		want   string
	}{
		"Dynamic":  {reason: "A known dynamic parameter applies at once.", name: "work_mem", want: "immediate"},
		"Static":   {reason: "A known static parameter waits for a reboot.", name: "shared_buffers", want: "pending-reboot"},
		"Unknown":  {reason: "An unknown name waits for a reboot: AWS accepts it for both kinds.", name: "apg_ccm_enabled", want: "pending-reboot"},
		"RDSOwned": {reason: "rds.force_ssl is dynamic.", name: "rds.force_ssl", want: "immediate"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, defaultApplyMethod(tc.name)); diff != "" {
				t.Errorf("\n%s\ndefaultApplyMethod(%q): -want, +got:\n%s", tc.reason, tc.name, diff)
			}
		})
	}
}

// TestParameterLists keeps the two lists apart and sorted, so a parameter
// has one kind and a reviewer finds it.
func TestParameterLists(t *testing.T) {
	for _, list := range [][]string{staticParameters, dynamicParameters} {
		for i := 1; i < len(list); i++ {
			if list[i-1] >= list[i] {
				t.Errorf("%q before %q: keep the list sorted, each name once", list[i-1], list[i])
			}
		}
	}
	for _, n := range staticParameters {
		if !isStaticParameter(n) || defaultApplyMethod(n) != applyPendingReboot {
			t.Errorf("%s: static, want pending-reboot", n)
		}
		for _, d := range dynamicParameters {
			if n == d {
				t.Errorf("%s is in both lists", n)
			}
		}
	}
}

func TestParameterGroupBuilders(t *testing.T) {
	p := testPlan(t, func(s *AuroraSpec) {
		s.EngineVersion = "15.10"
		s.Parameters = []Parameter{
			{Name: "rds.force_ssl", Value: "1"},
			{Name: "shared_preload_libraries", Value: "pg_stat_statements"},
			{Name: "work_mem", Value: "4096", ApplyMethod: "pending-reboot"},
		}
		s.InstanceParameters = []Parameter{{Name: "max_connections", Value: "500"}, {Name: "jit", Value: "off"}}
	})
	wantCluster := []rdsv1beta1.ClusterParameterGroupParameterParameters{
		{Name: ptr.To("log_min_duration_statement"), Value: ptr.To("1000"), ApplyMethod: ptr.To("immediate")},
		{Name: ptr.To("rds.force_ssl"), Value: ptr.To("1"), ApplyMethod: ptr.To("immediate")},
		{Name: ptr.To("shared_preload_libraries"), Value: ptr.To("pg_stat_statements"), ApplyMethod: ptr.To("pending-reboot")},
		{Name: ptr.To("work_mem"), Value: ptr.To("4096"), ApplyMethod: ptr.To("pending-reboot")},
	}
	if diff := cmp.Diff(wantCluster, p.clusterParameterGroup(p.engine.clusterGroup).Spec.ForProvider.Parameter); diff != "" {
		t.Errorf("clusterParameterGroup(): the function's own first, rds.force_ssl once, apply methods by kind: -want, +got:\n%s", diff)
	}
	pg := p.instanceParameterGroup(p.instanceParameterGroupFamily())
	type group struct {
		Name, External, Family string
		Params                 []rdsv1beta1.ParameterParameters
	}
	want := group{
		Name: "db-parameter-group-15", External: "ns-db-aurora-postgresql15", Family: "aurora-postgresql15",
		Params: []rdsv1beta1.ParameterParameters{
			{Name: ptr.To("max_connections"), Value: ptr.To("500"), ApplyMethod: ptr.To("pending-reboot")},
			{Name: ptr.To("jit"), Value: ptr.To("off"), ApplyMethod: ptr.To("immediate")},
		},
	}
	got := group{pg.Labels[labelComponent], pg.Annotations[annotationExternalName], *pg.Spec.ForProvider.Family, pg.Spec.ForProvider.Parameter}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instanceParameterGroup(): -want, +got:\n%s", diff)
	}
}

func TestInstanceParameterGroupRef(t *testing.T) {
	const instance = resource.Name("instance-writer")
	pg := nameInstanceParameterGroup("aurora-postgresql16")
	type want struct {
		name resource.Name
		ok   bool
	}
	cases := map[string]struct {
		reason   string
		params   []Parameter
		observed []resource.Name
		want     want
	}{
		"NoParameters": {
			reason: "Without instanceParameters the instances stay on RDS's default group: nothing changes for existing XRs.",
		},
		"NewInstance": {
			reason:   "A new instance references the group at once: it waits for the cluster, long after the group.",
			params:   []Parameter{{Name: "work_mem", Value: "1"}},
			observed: []resource.Name{},
			want:     want{name: pg, ok: true},
		},
		"ExistingInstanceGroupNotYet": {
			reason:   "An existing instance moves to the group only once the group exists.",
			params:   []Parameter{{Name: "work_mem", Value: "1"}},
			observed: []resource.Name{instance},
		},
		"ExistingInstanceGroupExists": {
			reason:   "An existing instance references an existing group.",
			params:   []Parameter{{Name: "work_mem", Value: "1"}},
			observed: []resource.Name{instance, pg},
			want:     want{name: pg, ok: true},
		},
		"ListEmptiedGroupKept": {
			reason:   "Emptying the list keeps the group and the instances on it.",
			observed: []resource.Name{instance, pg},
			want:     want{name: pg, ok: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, func(s *AuroraSpec) { s.InstanceParameters = tc.params })
			o := observed{}
			for _, n := range tc.observed {
				o[n] = nil
			}
			p.engine, _ = p.planEngine(o)
			n, ok := p.instanceParameterGroupRef(o, instance)
			if diff := cmp.Diff(tc.want, want{n, ok}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("\n%s\ninstanceParameterGroupRef(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
