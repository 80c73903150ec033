package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Parameter is one engine parameter of spec.parameters (the cluster
// parameter group) or spec.instanceParameters (the DB parameter group of
// every instance).
type Parameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// ApplyMethod is immediate or pending-reboot; it defaults by the
	// parameter's kind (defaultApplyMethod).
	ApplyMethod string `json:"applyMethod,omitempty"`
}

// Parameter group apply methods. AWS accepts immediate for dynamic
// parameters only, pending-reboot for both (RDS API reference,
// ModifyDBClusterParameterGroup and ModifyDBParameterGroup, "Parameters":
// "You can use the immediate value with dynamic parameters only. You can use
// the pending-reboot value for both dynamic and static parameters.").
//
// NOTE: every parameter the function composes carries an explicit apply
// method matching its kind. Left out, the provider sends Terraform's default
// (immediate), AWS refuses it for a static parameter or reads back another
// method, and the parameter group never converges: provider-upjet-aws#1286.
const (
	applyImmediate     = "immediate"
	applyPendingReboot = "pending-reboot"
)

// Limits of the parameter lists (the XRD's maxItems bounds the cost of its
// CEL rules too).
const (
	maxParameters         = 100
	maxParameterNameLen   = 255
	maxParameterValueLen  = 4096
	parameterForceSSL     = "rds.force_ssl"
	parameterSSL          = "ssl"
	parameterSSLMinProto  = "ssl_min_protocol_version"
	parameterSlowQueryLog = "log_min_duration_statement"
)

// reParameterName is a PostgreSQL or RDS parameter name: lower-case letters,
// digits and underscores, in dot-separated parts (rds.force_ssl,
// pg_stat_statements.track).
var reParameterName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// staticParameters are the common Aurora PostgreSQL parameters whose
// changes apply only after a reboot. RDS reports each parameter's kind as
// its ApplyType, static or dynamic (DescribeDBClusterParameters and
// DescribeDBParameters for the aurora-postgresql<major> families; Aurora
// user guide, "Overview of parameter groups": "Static and dynamic DB cluster
// parameters", "Static and dynamic DB instance parameters"). For
// PostgreSQL's own parameters it follows pg_settings.context: "postmaster"
// settings "can only be applied when the server starts" (PostgreSQL
// documentation, "pg_settings"); the rds.* and extension parameters below
// are static in RDS's engine defaults.
var staticParameters = []string{
	"autovacuum_freeze_max_age",
	"autovacuum_max_workers",
	"autovacuum_multixact_freeze_max_age",
	"cron.database_name",
	"cron.max_running_jobs",
	"huge_pages",
	"max_connections",
	"max_files_per_process",
	"max_locks_per_transaction",
	"max_logical_replication_workers",
	"max_pred_locks_per_transaction",
	"max_prepared_transactions",
	"max_replication_slots",
	"max_wal_senders",
	"max_worker_processes",
	"old_snapshot_threshold",
	"pg_stat_statements.max",
	"rds.enable_plan_management",
	"rds.logical_replication",
	"rds.restrict_password_commands",
	"shared_buffers",
	"shared_preload_libraries",
	"superuser_reserved_connections",
	"track_activity_query_size",
	"track_commit_timestamp",
	"wal_buffers",
}

// dynamicParameters are the common Aurora PostgreSQL parameters that apply
// without a reboot (pg_settings.context user, superuser or sighup; same
// sources as staticParameters). A name in neither list defaults to
// pending-reboot, which AWS accepts for both kinds: a slower change, never a
// refused one or a loop.
var dynamicParameters = []string{
	"apg_plan_mgmt.capture_plan_baselines",
	"apg_plan_mgmt.use_plan_baselines",
	"auto_explain.log_analyze",
	"auto_explain.log_min_duration",
	"autovacuum",
	"autovacuum_analyze_scale_factor",
	"autovacuum_analyze_threshold",
	"autovacuum_naptime",
	"autovacuum_vacuum_cost_delay",
	"autovacuum_vacuum_cost_limit",
	"autovacuum_vacuum_insert_scale_factor",
	"autovacuum_vacuum_scale_factor",
	"autovacuum_vacuum_threshold",
	"autovacuum_work_mem",
	"deadlock_timeout",
	"default_statistics_target",
	"default_transaction_isolation",
	"effective_cache_size",
	"effective_io_concurrency",
	"hash_mem_multiplier",
	"idle_in_transaction_session_timeout",
	"idle_session_timeout",
	"jit",
	"lock_timeout",
	"log_autovacuum_min_duration",
	"log_connections",
	"log_disconnections",
	"log_error_verbosity",
	"log_lock_waits",
	"log_min_duration_statement",
	"log_min_error_statement",
	"log_min_messages",
	"log_statement",
	"log_temp_files",
	"maintenance_work_mem",
	"max_parallel_maintenance_workers",
	"max_parallel_workers",
	"max_parallel_workers_per_gather",
	"password_encryption",
	"pg_stat_statements.track",
	"pg_stat_statements.track_utility",
	"pgaudit.log",
	"pgaudit.role",
	"random_page_cost",
	"rds.force_ssl",
	"rds.log_retention_period",
	"search_path",
	"seq_page_cost",
	"session_replication_role",
	"ssl_min_protocol_version",
	"statement_timeout",
	"synchronous_commit",
	"tcp_keepalives_count",
	"tcp_keepalives_idle",
	"tcp_keepalives_interval",
	"temp_file_limit",
	"timezone",
	"track_functions",
	"track_io_timing",
	"vacuum_cost_limit",
	"work_mem",
}

// isStaticParameter reports whether a parameter's change needs a reboot, as
// far as the function knows: unknown names count as static.
func isStaticParameter(name string) bool {
	if slices.Contains(staticParameters, name) {
		return true
	}
	return !slices.Contains(dynamicParameters, name)
}

// defaultApplyMethod is immediate for a known dynamic parameter and
// pending-reboot otherwise.
func defaultApplyMethod(name string) string {
	if isStaticParameter(name) {
		return applyPendingReboot
	}
	return applyImmediate
}

// applyMethodOf is a parameter's apply method: its own, or the default for
// its kind.
func applyMethodOf(p Parameter) string {
	if p.ApplyMethod != "" {
		return p.ApplyMethod
	}
	return defaultApplyMethod(p.Name)
}

// validateParameters checks spec.parameters or spec.instanceParameters: a
// name at most once, names and methods AWS accepts, and none of the
// function's own parameters turned against it: TLS stays forced, and the
// slow-query log (the source of the slow-query metric) stays the one
// spec.logging.slowQueryThresholdMs sets.
func validateParameters(p *field.Path, params []Parameter) field.ErrorList {
	var errs field.ErrorList
	if len(params) > maxParameters {
		errs = append(errs, field.TooMany(p, len(params), maxParameters))
	}
	seen := map[string]bool{}
	for i, pm := range params {
		ip := p.Index(i)
		switch {
		case pm.Name == "":
			errs = append(errs, field.Required(ip.Child("name"), "a parameter name, e.g. work_mem"))
		case len(pm.Name) > maxParameterNameLen || !reParameterName.MatchString(pm.Name):
			errs = append(errs, field.Invalid(ip.Child("name"), pm.Name, "must be a parameter name: lower-case letters, digits and underscores, in parts separated by dots, e.g. pg_stat_statements.track"))
		case seen[pm.Name]:
			errs = append(errs, field.Duplicate(ip.Child("name"), pm.Name))
		}
		seen[pm.Name] = true
		switch {
		case pm.Value == "":
			errs = append(errs, field.Required(ip.Child("value"), "a value, as a string, e.g. \"65536\""))
		case len(pm.Value) > maxParameterValueLen:
			errs = append(errs, field.TooLong(ip.Child("value"), "", maxParameterValueLen))
		}
		switch pm.ApplyMethod {
		case "", applyPendingReboot:
		case applyImmediate:
			if slices.Contains(staticParameters, pm.Name) {
				errs = append(errs, field.Invalid(ip.Child("applyMethod"), pm.ApplyMethod, fmt.Sprintf("%s is a static parameter: it applies only after a reboot, so AWS accepts only pending-reboot (leave applyMethod out for the right default)", pm.Name)))
			}
		default:
			errs = append(errs, field.NotSupported(ip.Child("applyMethod"), pm.ApplyMethod, []string{applyImmediate, applyPendingReboot}))
		}
		if err := checkOwnParameter(ip, pm); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkOwnParameter refuses an override of what the function sets itself.
func checkOwnParameter(ip *field.Path, pm Parameter) *field.Error {
	switch pm.Name {
	case parameterForceSSL:
		if pm.Value != "1" {
			return field.Invalid(ip.Child("value"), pm.Value, "rds.force_ssl must stay 1: the function forces TLS on every connection")
		}
	case parameterSSL:
		if !slices.Contains([]string{"1", "on", "true"}, strings.ToLower(pm.Value)) {
			return field.Invalid(ip.Child("value"), pm.Value, "ssl must stay on: the function forces TLS on every connection")
		}
	case parameterSSLMinProto:
		if !slices.Contains([]string{"TLSv1.2", "TLSv1.3"}, pm.Value) {
			return field.NotSupported(ip.Child("value"), pm.Value, []string{"TLSv1.2", "TLSv1.3"})
		}
	case parameterSlowQueryLog:
		return field.Forbidden(ip.Child("name"), "the function sets log_min_duration_statement from spec.logging.slowQueryThresholdMs (the slow-query metric reads it): set that instead")
	}
	return nil
}

// checkParameterValues refuses parameter values that are not strings, with
// the index the JSON decoder's type error would not give (RDS parameter
// values are strings, "500" not 500), and turns them into strings so the
// rest of the spec is still checked. raw is the XR's spec as decoded JSON.
func checkParameterValues(raw any) field.ErrorList {
	spec, ok := raw.(map[string]any)
	if !ok {
		return nil
	}
	var errs field.ErrorList
	for _, list := range []string{"parameters", "instanceParameters"} {
		items, ok := spec[list].([]any)
		if !ok {
			continue
		}
		for i, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			v, ok := m["value"]
			if _, isString := v.(string); !ok || isString || v == nil {
				continue
			}
			errs = append(errs, field.Invalid(field.NewPath("spec", list).Index(i).Child("value"), v, fmt.Sprintf("must be a string: quote it, e.g. \"%v\"", v)))
			m["value"] = fmt.Sprint(v)
		}
	}
	return errs
}

// clusterParameters are the cluster parameter group's parameters: the
// function's own first, then the user's, each with an explicit apply method.
func (p *plan) clusterParameters() []rdsv1beta1.ClusterParameterGroupParameterParameters {
	param := func(name, value, method string) rdsv1beta1.ClusterParameterGroupParameterParameters {
		return rdsv1beta1.ClusterParameterGroupParameterParameters{
			Name:        ptr.To(name),
			Value:       ptr.To(value),
			ApplyMethod: ptr.To(method),
		}
	}
	out := []rdsv1beta1.ClusterParameterGroupParameterParameters{
		param(parameterSlowQueryLog, fmt.Sprint(*p.spec.Logging.SlowQueryThresholdMs), applyImmediate),
		param(parameterForceSSL, "1", applyImmediate),
	}
	for _, pm := range p.spec.Parameters {
		if pm.Name == parameterForceSSL {
			// Already there, with the only value validation lets through.
			continue
		}
		out = append(out, param(pm.Name, pm.Value, applyMethodOf(pm)))
	}
	return out
}

// instanceParameterGroupFamily is the family of the DB parameter group the
// instances use: the major the cluster runs. During a major upgrade
// (engine.go) the instances stay on the running major's group, the target
// family's group is composed next to it (instanceParameterGroupFamilies)
// and named in the cluster's dbInstanceParameterGroupName, and RDS moves
// the instances with the upgrade (hashicorp/terraform-provider-aws#35912);
// their dbParameterGroupName follows once the cluster runs the target
// major, and the old group goes after its Usages.
func (p *plan) instanceParameterGroupFamily() string {
	major := p.engine.targetMajor
	if r := p.engine.running; r != "" && engineMajor(r) != major {
		major = engineMajor(r)
	}
	return clusterParameterGroupFamily(major)
}

// instanceParameterGroupFamilies are the families of the DB parameter
// groups to compose: the instances' and, during a major upgrade, the
// target's.
func (p *plan) instanceParameterGroupFamilies() []string {
	families := []string{p.instanceParameterGroupFamily()}
	if target := clusterParameterGroupFamily(p.engine.targetMajor); target != families[0] {
		families = append(families, target)
	}
	return families
}

// composesInstanceParameterGroup reports whether the instances get DB
// parameter groups of their own: once spec.instanceParameters lists one,
// and for good once one exists (emptying the list resets the group's
// parameters to the family defaults but keeps the instances on it: moving
// them back to the default group would need a reboot for nothing).
func (p *plan) composesInstanceParameterGroup(o observed) bool {
	if len(p.spec.InstanceParameters) > 0 {
		return true
	}
	for n := range o {
		if strings.HasPrefix(string(n), prefixInstanceParameterGroup) {
			return true
		}
	}
	return false
}

// instanceParameterGroup is the DB parameter group of every instance, of
// the given family.
func (p *plan) instanceParameterGroup(family string) *rdsv1beta1.ParameterGroup {
	params := make([]rdsv1beta1.ParameterParameters, 0, len(p.spec.InstanceParameters))
	for _, pm := range p.spec.InstanceParameters {
		params = append(params, rdsv1beta1.ParameterParameters{
			Name:        ptr.To(pm.Name),
			Value:       ptr.To(pm.Value),
			ApplyMethod: ptr.To(applyMethodOf(pm)),
		})
	}
	return &rdsv1beta1.ParameterGroup{
		ObjectMeta: p.objectMeta(nameInstanceParameterGroup(family), instanceParameterGroupName(p.clusterID, family)),
		Spec: rdsv1beta1.ParameterGroupSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: rdsv1beta1.ParameterGroupParameters{
				Region:      ptr.To(p.region),
				Family:      ptr.To(family),
				Description: ptr.To("Aurora PostgreSQL instances of cluster " + p.clusterID),
				Parameter:   params,
				Tags:        p.tags(),
			},
		},
	}
}

// instanceParameterGroupRef is the composed DB parameter group an instance
// references, and whether it references one: a new instance as soon as the
// group is composed (it waits for the cluster, long after the group), an
// existing one once the group exists, so the provider never modifies the
// instance towards a group AWS does not have yet.
func (p *plan) instanceParameterGroupRef(o observed, instance resource.Name) (resource.Name, bool) {
	if !p.engine.instanceGroups {
		return "", false
	}
	n := nameInstanceParameterGroup(p.instanceParameterGroupFamily())
	if o.exists(instance) && !o.exists(n) {
		return "", false
	}
	return n, true
}
