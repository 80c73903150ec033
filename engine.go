package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Engine versions and upgrades.
//
// spec.engineVersion is a major ("16": AWS's default minor at creation,
// later minors applied by AWS in the maintenance window) or MAJOR.MINOR
// (pinned: automatic minor upgrades off). Three rules follow from how RDS
// and provider-aws behave:
//
//   - Never ask for a version below the one that runs. RDS cannot
//     downgrade (InvalidParameterCombination: Cannot upgrade aurora-postgresql
//     from 16.8 to 16.6), and after AWS upgrades a minor in the maintenance
//     window a pinned lower version would be sent again on every update
//     (provider-upjet-aws#1504: its custom diff drops the engine_version diff,
//     but Terraform's update still sends engine_version whenever it differs
//     from engine_version_actual, with any other change:
//     hashicorp/terraform-provider-aws#48936, fixed in #49396 after the
//     provider's release). So the cluster asks for the running version
//     while the spec is behind it, and status says so.
//   - A major upgrade needs a cluster parameter group of the target family,
//     sent in the same ModifyDBCluster call as the version, with
//     AllowMajorVersionUpgrade (crossplane-contrib/provider-aws#1692,
//     hashicorp/terraform-provider-aws#35912). The group is composed first,
//     under its own name (names.go); the cluster moves to it only once it is
//     Ready; the old group goes only once the cluster runs the target major
//     on the new group.
//   - A reference, once resolved, is never resolved again
//     (crossplane-runtime's ResolutionRequest.IsNoOp caches the value), so
//     the cluster names a parameter group other than the one it was created
//     with explicitly, besides selecting it.

// annotationEngineVersion records, on the rds Cluster, the spec.engineVersion
// the function composed it from: the cluster's own engineVersion is the
// running version while the spec is behind it, so only this tells a user's
// downgrade from a spec that AWS overtook.
const annotationEngineVersion = "aurora-postgres.fn.crossplane.io/spec-engine-version"

// Upgrade phases of status.upgrade.
const (
	// upgradePreparing: the target family's parameter group is being
	// created; the cluster is not touched yet.
	upgradePreparing = "Preparing"
	// upgradeUpgrading: the cluster was asked for the target version on the
	// new parameter group; RDS applies it at once or in the maintenance
	// window (spec.applyImmediately).
	upgradeUpgrading = "Upgrading"
	// upgradeFinishing: the cluster runs the target; the old parameter
	// group goes once nothing uses it.
	upgradeFinishing = "Finishing"
)

// Engine lifecycle support (RDS Extended Support).
const (
	lifecycleExtendedSupport         = "open-source-rds-extended-support"
	lifecycleExtendedSupportDisabled = "open-source-rds-extended-support-disabled"
)

// version is an Aurora PostgreSQL version: a major, and a minor unless the
// version names a major only ("16").
type version struct {
	major, minor int
	hasMinor     bool
}

// parseVersion reads "16" or "16.6"; a trailing part after the minor
// ("16.6.1", "16.4-limitless") is ignored.
func parseVersion(s string) (version, bool) {
	ma, mi, hasMinor := strings.Cut(s, ".")
	major, err := strconv.Atoi(ma)
	if err != nil || major < 0 {
		return version{}, false
	}
	v := version{major: major}
	if !hasMinor {
		return v, true
	}
	end := 0
	for end < len(mi) && mi[end] >= '0' && mi[end] <= '9' {
		end++
	}
	minor, err := strconv.Atoi(mi[:end])
	if err != nil {
		return version{}, false
	}
	v.minor, v.hasMinor = minor, true
	return v, true
}

// compareVersions orders two versions; a major-only version equals every
// version of its major (it asks for whichever minor AWS runs). Unparsable
// versions compare equal, so they never look like a downgrade.
func compareVersions(a, b string) int {
	va, oka := parseVersion(a)
	vb, okb := parseVersion(b)
	switch {
	case !oka || !okb:
		return 0
	case va.major != vb.major:
		return cmpInt(va.major, vb.major)
	case !va.hasMinor || !vb.hasMinor:
		return 0
	}
	return cmpInt(va.minor, vb.minor)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pinned reports whether a version names a minor.
func pinned(v string) bool {
	pv, ok := parseVersion(v)
	return ok && pv.hasMinor
}

// parameterGroup is one cluster parameter group: its composed resource, its
// name in AWS and its engine major.
type parameterGroup struct {
	name     resource.Name
	external string
	major    string
}

// enginePlan is what the cluster's engine version and parameter groups are
// on this call.
type enginePlan struct {
	// version is the cluster's engineVersion: the spec's, or the running
	// version while the spec is behind it.
	version string
	// running is the version the cluster runs (engineVersionActual), or ""
	// before it exists.
	running string
	// groups are the cluster parameter groups to compose; clusterGroup is
	// the one the cluster uses.
	groups       []parameterGroup
	clusterGroup parameterGroup
	// explicitGroup: the cluster names its group explicitly, as it moved
	// (or moves) away from the one its reference first resolved to.
	explicitGroup bool
	// allowMajorVersionUpgrade is set while the cluster moves to a higher
	// major.
	allowMajorVersionUpgrade bool
	// targetMajor is the major the cluster runs once any upgrade is done.
	targetMajor string
	// instanceGroups: the instances use DB parameter groups of their own
	// (spec.instanceParameters), one per family like the cluster's.
	instanceGroups bool
	// upgrade is status.upgrade, nil without one.
	upgrade *UpgradeStatus
	// behind says that the spec is below the running version, in words.
	behind string
}

// UpgradeStatus says where a major version upgrade (or a move to the
// running major's parameter group) is.
type UpgradeStatus struct {
	// Phase is Preparing, Upgrading or Finishing.
	Phase string `json:"phase"`
	// From is the version the cluster ran when the upgrade started, To the
	// version it upgrades to.
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	// Message says it in words, with what the XR waits for.
	Message string `json:"message"`
}

// clusterGroupName is the parameter group the observed cluster uses: what
// AWS reports, else what the cluster asked for.
func clusterGroupName(o observed) string {
	if n := o.str(nameCluster, "status", "atProvider", "dbClusterParameterGroupName"); n != "" {
		return n
	}
	return o.str(nameCluster, "spec", "forProvider", "dbClusterParameterGroupName")
}

// parameterGroupFor is the cluster parameter group of a major: the first
// group (cluster-parameter-group) for the family the cluster is created
// with, and one per family after a major upgrade (names.go).
func (p *plan) parameterGroupFor(o observed, major string) parameterGroup {
	base := o.str(nameClusterParameterGroup, "spec", "forProvider", "family")
	if base == clusterParameterGroupFamily(major) || (base == "" && !o.exists(nameCluster)) {
		return parameterGroup{name: nameClusterParameterGroup, external: p.clusterID, major: major}
	}
	return parameterGroup{name: nameClusterParameterGroupOf(major), external: clusterParameterGroupName(p.clusterID, major), major: major}
}

// planEngine decides the cluster's version and parameter groups from the
// spec and the observed cluster. It refuses a spec lowered below the
// running version: RDS cannot downgrade.
func (p *plan) planEngine(o observed) (enginePlan, field.ErrorList) {
	spec := p.spec.EngineVersion
	specMajor := engineMajor(spec)
	fp, exists := forProvider[rdsv1beta1.ClusterParameters](o, nameCluster)
	instanceGroups := p.composesInstanceParameterGroup(o)
	if !exists {
		g := p.parameterGroupFor(o, specMajor)
		return enginePlan{version: spec, targetMajor: specMajor, groups: []parameterGroup{g}, clusterGroup: g, instanceGroups: instanceGroups}, nil
	}
	asked := ptr.Deref(fp.EngineVersion, "")
	running := o.str(nameCluster, "status", "atProvider", "engineVersionActual")
	prevSpec := o.annotation(nameCluster, annotationEngineVersion)
	if prevSpec == "" {
		prevSpec = asked
	}
	path := field.NewPath("spec", "engineVersion")
	now := running
	if now == "" {
		now = asked
	}
	if now != "" && compareVersions(spec, now) < 0 && compareVersions(spec, prevSpec) < 0 {
		return enginePlan{}, field.ErrorList{field.Forbidden(path, fmt.Sprintf("cannot go from %s down to %s: the cluster runs %s and RDS cannot downgrade; keep %s or set a later version (a new XR restored from a snapshot is the only way back)", prevSpec, spec, now, prevSpec))}
	}

	e := enginePlan{version: spec, running: running, instanceGroups: instanceGroups}
	if now != "" && compareVersions(spec, now) < 0 {
		// AWS (or someone in the console) upgraded past the spec.
		e.version = now
		e.behind = fmt.Sprintf("spec.engineVersion %s is below the version the cluster runs, %s (upgraded by AWS in the maintenance window, or outside this XR): RDS cannot downgrade, so the cluster keeps %s; set spec.engineVersion to %s or %s", spec, now, now, engineMajor(now), now)
	}
	targetMajor := engineMajor(e.version)
	e.targetMajor = targetMajor
	runningMajor := engineMajor(now)
	if now == "" {
		// Neither reported nor asked yet: nothing to upgrade from.
		runningMajor = targetMajor
	}
	if runningMajor != targetMajor && !pinned(e.version) {
		// RDS upgrades a major only to the targets valid from the running
		// minor (ValidUpgradeTarget of DescribeDBEngineVersions); a bare
		// major asks for the new major's default minor, which may not be
		// one (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html).
		return enginePlan{}, field.ErrorList{field.Invalid(path, spec, fmt.Sprintf("a major upgrade from %s needs its target minor, such as %s.N, one of the targets RDS lists for %s (aws rds describe-db-engine-versions --engine aurora-postgresql --engine-version %s --query 'DBEngineVersions[].ValidUpgradeTarget[?IsMajorVersionUpgrade].EngineVersion'); once the cluster runs it, spec.engineVersion may name the major alone", now, targetMajor, now, now))}
	}
	target := p.parameterGroupFor(o, targetMajor)
	current := p.currentGroup(o, runningMajor)
	done := runningMajor == targetMajor && (current.external == target.external)
	e.groups = []parameterGroup{target}
	e.clusterGroup = target
	e.explicitGroup = target.name != nameClusterParameterGroup
	if done {
		if old := p.leftoverGroups(o, target); len(old) > 0 {
			e.upgrade = &UpgradeStatus{Phase: upgradeFinishing, To: now, Message: fmt.Sprintf("the cluster runs %s on parameter group %s; removing the previous parameter group(s) %s", now, target.external, strings.Join(old, ", "))}
		}
		return e, nil
	}
	if current.name != "" {
		e.groups = []parameterGroup{current, target}
	}
	to := e.version
	targetInstanceGroup := nameInstanceParameterGroup(clusterParameterGroupFamily(targetMajor))
	if !o.ready(target.name) || (instanceGroups && runningMajor != targetMajor && !o.ready(targetInstanceGroup)) {
		// The cluster stays as it is until the new group is Ready.
		e.version = asked
		if asked == "" || compareVersions(asked, now) < 0 {
			e.version = now
		}
		e.clusterGroup = current
		e.explicitGroup = current.name != nameClusterParameterGroup
		e.upgrade = &UpgradeStatus{Phase: upgradePreparing, From: now, To: to, Message: fmt.Sprintf("creating cluster parameter group %s (family %s) before upgrading the cluster from %s to %s", target.external, clusterParameterGroupFamily(targetMajor), now, to)}
		return e, nil
	}
	e.allowMajorVersionUpgrade = runningMajor != targetMajor
	when := "in the next maintenance window (" + p.spec.PreferredMaintenanceWindow + "); set spec.applyImmediately to upgrade now"
	if *p.spec.ApplyImmediately {
		when = "now (spec.applyImmediately)"
	}
	e.upgrade = &UpgradeStatus{Phase: upgradeUpgrading, From: now, To: to, Message: fmt.Sprintf("upgrading the cluster from %s to %s on parameter group %s: RDS applies it %s; the DB is unavailable while it upgrades", now, to, target.external, when)}
	return e, nil
}

// currentGroup is the parameter group the observed cluster uses: the
// observed group of that name, else the group of the running major.
func (p *plan) currentGroup(o observed, runningMajor string) parameterGroup {
	name := clusterGroupName(o)
	if name == "" {
		return p.parameterGroupFor(o, runningMajor)
	}
	for n := range o {
		if isClusterParameterGroup(n) && o.annotation(n, annotationExternalName) == name {
			major := strings.TrimPrefix(o.str(n, "spec", "forProvider", "family"), engineAuroraPostgreSQL)
			return parameterGroup{name: n, external: name, major: major}
		}
	}
	// A group this XR does not compose, such as the default group of the
	// new family after a major upgrade outside this XR: named, not composed.
	return parameterGroup{external: name, major: runningMajor}
}

// leftoverGroups are the AWS names of observed cluster parameter groups
// other than keep: the ones a finished upgrade leaves behind.
func (p *plan) leftoverGroups(o observed, keep parameterGroup) []string {
	var out []string
	for n := range o {
		if isClusterParameterGroup(n) && n != keep.name {
			out = append(out, o.annotation(n, annotationExternalName))
		}
	}
	slices.Sort(out)
	return out
}

// pending lists what the spec asks that the cluster and its instances do
// not run yet, where the provider reports what runs: the engine version
// (engineVersionActual) and instance classes (the instance's
// atProvider.instanceClass is what RDS runs; a deferred change shows only
// in RDS's PendingModifiedValues, which the provider does not report).
func (p *plan) pending(o observed, e enginePlan) []PendingChange {
	var out []PendingChange
	when := "in the maintenance window " + p.spec.PreferredMaintenanceWindow
	if *p.spec.ApplyImmediately {
		when = "now (spec.applyImmediately)"
	}
	if e.running != "" && compareVersions(e.version, e.running) > 0 {
		out = append(out, PendingChange{Resource: string(nameCluster), Field: "engineVersion", Desired: e.version, Running: e.running, Applies: when})
	}
	for i, in := range p.spec.Instances {
		n := nameInstance(instanceSuffix(i, in))
		running := o.str(n, "status", "atProvider", "instanceClass")
		if running != "" && running != in.InstanceClass {
			out = append(out, PendingChange{Resource: string(n), Field: "instanceClass", Desired: in.InstanceClass, Running: running, Applies: when})
		}
	}
	return out
}

// PendingChange is a change the spec asks for that RDS has not applied yet.
type PendingChange struct {
	// Resource is the composed resource (cluster, instance-<name>).
	Resource string `json:"resource"`
	// Field is the spec field as the provider names it: engineVersion,
	// instanceClass.
	Field   string `json:"field"`
	Desired string `json:"desired"`
	Running string `json:"running"`
	// Applies says when: now, or in the maintenance window.
	Applies string `json:"applies"`
}

// lifecycleSupport is the cluster's engineLifecycleSupport at creation:
// the spec's; for a cluster that exists, what it was created with (RDS sets
// it only at creation and restore); for a new cluster, Extended Support
// off.
func (p *plan) lifecycleSupport(o observed) string {
	if v := p.spec.EngineLifecycleSupport; v != "" {
		return v
	}
	if o.exists(nameCluster) {
		return o.str(nameCluster, "spec", "initProvider", "engineLifecycleSupport")
	}
	return lifecycleExtendedSupportDisabled
}
