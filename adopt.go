package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Adopt takes over an Aurora PostgreSQL cluster that exists in AWS and that
// this XR did not create.
type Adopt struct {
	ClusterIdentifier string `json:"clusterIdentifier"`
	// Mode is Observe (read it, change nothing, report how it differs
	// from the spec) or Manage (apply the spec to it).
	Mode string `json:"mode,omitempty"`
}

// Adoption modes.
const (
	AdoptModeObserve = "Observe"
	AdoptModeManage  = "Manage"
)

// tagOwnerXR marks the cluster as this XR's: its value is the XR's UID. A
// cluster found under the XR's identifier without it was made by someone
// else (another control plane, a person, Terraform), and is reported, not
// taken over (see clusterClaimOf).
const tagOwnerXR = "aurora-postgres.fn.crossplane.io/xr-uid"

// errNotExist is what crossplane-runtime's managed reconciler reports
// (Synced=False) for an observe-only MR whose external resource does not
// exist: "cannot observe external resource: external resource does not
// exist" (pkg/reconciler/managed/reconciler.go, errExternalResourceNotExist).
const errNotExist = "external resource does not exist"

// validateAdopt checks spec.adopt.
func validateAdopt(root *field.Path, s *AuroraSpec) field.ErrorList {
	a := s.Adopt
	if a == nil {
		return nil
	}
	p := root.Child("adopt")
	var errs field.ErrorList
	if a.ClusterIdentifier == "" {
		errs = append(errs, field.Required(p.Child("clusterIdentifier"), "the identifier of the existing Aurora PostgreSQL cluster to take over"))
	} else {
		errs = append(errs, validateIdentifier(p.Child("clusterIdentifier"), a.ClusterIdentifier, maxRDSIdentifierLength)...)
	}
	if modes := []string{AdoptModeObserve, AdoptModeManage}; !slices.Contains(modes, a.Mode) {
		errs = append(errs, field.NotSupported(p.Child("mode"), a.Mode, modes))
	}
	if s.ClusterIdentifier != "" && s.ClusterIdentifier != a.ClusterIdentifier {
		errs = append(errs, field.Invalid(root.Child("clusterIdentifier"), s.ClusterIdentifier, fmt.Sprintf("must be empty or spec.adopt.clusterIdentifier (%q): the adopted cluster keeps its identifier", a.ClusterIdentifier)))
	}
	if s.Restore != nil {
		errs = append(errs, field.Forbidden(root.Child("restore"), "a restore creates a new cluster: it cannot go with spec.adopt, which takes over one that exists"))
	}
	if a.Mode == AdoptModeManage {
		for i, in := range s.Instances {
			if id := instanceIdentifier(a.ClusterIdentifier, instanceSuffix(i, in)); len(id) > maxRDSIdentifierLength {
				errs = append(errs, field.Invalid(root.Child("instances").Index(i).Child("name"), in.Name, fmt.Sprintf("makes the instance identifier %q longer than RDS's %d characters", id, maxRDSIdentifierLength)))
			}
		}
	}
	if s.Credentials.Mode == CredentialsModeSelfManaged {
		// NOTE: the bootstrap hands a password to a cluster it creates
		// (bootstrap.go); an existing cluster's password would have to be
		// written to the function's secret instead, which it does not do.
		errs = append(errs, field.Forbidden(root.Child("credentials", "mode"), "an adopted cluster takes RDSManaged credentials: the SelfManaged bootstrap sets the password of a cluster it creates only; RDSManaged has RDS replace the master password with one in a secret it rotates (status.secretArn)"))
	}
	return errs
}

// clusterClaim is what the function knows about the AWS cluster under the
// XR's identifier, which decides what it may compose.
// reasonClusterExists: the identifier is a cluster this XR did not create.
const reasonClusterExists = "ClusterExists"

type clusterClaim int

const (
	// claimManaged: the cluster MR is fully managed (or spec.adopt says
	// Manage): compose as usual.
	claimManaged clusterClaim = iota
	// claimUnknown: no cluster MR yet, or its observe-only probe has no
	// answer yet: compose the probe and nothing new.
	claimUnknown
	// claimFree: the probe says no such cluster exists: compose as usual,
	// the cluster with full management once its gates open.
	claimFree
	// claimOwned: the probe found the cluster with this XR's tag (its MR
	// was lost): manage it again.
	claimOwned
	// claimForeign: the probe found a cluster this XR did not create:
	// report it, compose nothing new.
	claimForeign
	// claimObserve: spec.adopt mode Observe.
	claimObserve
)

// clusterClaimOf decides the claim from spec.adopt and the observed cluster
// MR. An XR whose cluster MR is fully managed stays so: only a new cluster
// is probed, and never is an existing one flipped to observe-only.
func clusterClaimOf(m xrMeta, s *AuroraSpec, o observed) clusterClaim {
	if a := s.Adopt; a != nil {
		if !o.exists(nameCluster) {
			// NOTE: Manage too starts by observing: the running cluster's
			// subnet group and key must be known before the spec applies.
			return claimObserve
		}
		if !observeOnly(o, nameCluster) {
			return claimManaged
		}
		at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
		if a.Mode == AdoptModeObserve || !ok || ptr.Deref(at.Arn, "") == "" {
			return claimObserve
		}
		return claimManaged
	}
	if !o.exists(nameCluster) {
		return claimUnknown
	}
	if !observeOnly(o, nameCluster) {
		return claimManaged
	}
	if status, msg := condition(o[nameCluster], xpv1.TypeSynced); status == "False" && strings.Contains(msg, errNotExist) {
		return claimFree
	}
	at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if !ok || ptr.Deref(at.Arn, "") == "" {
		return claimUnknown
	}
	if m.UID != "" && (ptr.Deref(at.TagsAll[tagOwnerXR], "") == m.UID || ptr.Deref(at.Tags[tagOwnerXR], "") == m.UID) {
		return claimOwned
	}
	return claimForeign
}

// observeOnly reports whether the named MR may only observe.
func observeOnly(o observed, n resource.Name) bool {
	pols := o[n].GetFields()["spec"].GetStructValue().GetFields()["managementPolicies"].GetListValue().GetValues()
	return len(pols) == 1 && pols[0].GetStringValue() == string(xpv1.ManagementActionObserve)
}

// adoptObserving reports whether the observed cluster is observed only,
// for spec.adopt or as a probe: nothing of the spec applies to it yet.
func (p *plan) adoptObserving(o observed) bool {
	return o.exists(nameCluster) && observeOnly(o, nameCluster)
}

// withoutProbe is what the builders and gates see: a cluster that is only
// probed or observed for a later take-over does not exist for them yet
// (it is neither this XR's nor created), so its status is not reported and
// nothing waits on it as if it were.
func (c clusterClaim) withoutProbe(o observed) observed {
	if c != claimUnknown && c != claimFree && c != claimForeign {
		return o
	}
	if !o.exists(nameCluster) {
		return o
	}
	out := make(observed, len(o))
	for n, r := range o {
		if n != nameCluster {
			out[n] = r
		}
	}
	return out
}

// clusterTags are the cluster's tags: the user's and the owner tag that
// tells a later probe the cluster is this XR's. NOTE: the owner tag is
// left out when the user's tags use all of the 46 the XRD allows, so AWS's
// 50 per resource are never exceeded (the provider adds its own).
func (p *plan) clusterTags() map[string]*string {
	t := p.tags()
	if p.meta.UID == "" || len(p.spec.Tags) >= maxTags {
		return t
	}
	if t == nil {
		t = map[string]*string{}
	}
	t[tagOwnerXR] = ptr.To(p.meta.UID)
	return t
}

// observedCluster is the cluster as an observe-only MR: the probe of a new
// identifier, or an adopted cluster in Observe mode. It has no references:
// the provider resolves them before it observes, and the probe must answer
// before anything it would reference exists.
func (p *plan) observedCluster() *rdsv1beta1.Cluster {
	return &rdsv1beta1.Cluster{
		ObjectMeta: p.objectMeta(nameCluster, p.clusterID),
		Spec: rdsv1beta1.ClusterSpec{
			ManagedResourceSpec: withPolicies(p.managed(), xpv1.ManagementActionObserve),
			ForProvider:         rdsv1beta1.ClusterParameters{Region: ptr.To(p.region)},
		},
	}
}

// observedInstance is a running instance of an adopted cluster as an
// observe-only MR.
func (p *plan) observedInstance(n resource.Name, id string) *rdsv1beta1.ClusterInstance {
	return &rdsv1beta1.ClusterInstance{
		ObjectMeta: p.objectMeta(n, id),
		Spec: rdsv1beta1.ClusterInstanceSpec{
			ManagedResourceSpec: withPolicies(p.managed(), xpv1.ManagementActionObserve),
			ForProvider:         rdsv1beta1.ClusterInstanceParameters{Region: ptr.To(p.region)},
		},
	}
}

// memberName is the composed name of a running instance of an adopted
// cluster: the spec's instance of that identifier, or a member of its own.
func (p *plan) memberName(id string) (resource.Name, bool) {
	for i, in := range p.spec.Instances {
		suffix := instanceSuffix(i, in)
		if instanceIdentifier(p.clusterID, suffix) == id {
			return nameInstance(suffix), true
		}
	}
	return nameMember(id), false
}

// members are the identifiers of the observed cluster's instances, sorted.
func members(at *rdsv1beta1.ClusterObservation) []string {
	var ids []string
	for _, m := range at.ClusterMembers {
		if id := ptr.Deref(m, ""); id != "" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// claim applies the cluster claim to what compose built (o is every
// observed resource, the probe included).
func (p *plan) claim(c clusterClaim, d *desired, o observed) *desired {
	switch c {
	case claimObserve:
		return p.composeObserve(o)
	case claimUnknown, claimForeign:
		held := &desired{waiting: nil}
		for _, n := range d.order {
			// NOTE: what exists stays composed, whatever the probe says:
			// a resource left out would be deleted.
			if o.exists(n) && n != nameCluster {
				held.add(n, d.objects[n])
			}
		}
		held.add(nameCluster, p.observedCluster())
		if c == claimForeign {
			held.wait(reasonClusterExists, "cluster %q already exists in AWS and was not created by this XR (it has no tag %s=%s): not taking it over and composing nothing new; to take it over set spec.adopt {clusterIdentifier: %s, mode: Observe} (then Manage), or choose another spec.clusterIdentifier", p.clusterID, tagOwnerXR, p.meta.UID, p.clusterID)
			return held
		}
		held.wait("CheckingClusterIdentifier", "checking that cluster identifier %q is free in AWS (an observe-only rds Cluster) before creating anything under it", p.clusterID)
		return held
	case claimFree:
		// NOTE: until the cluster's gates open, the probe stays: dropped, it
		// would be probed again from scratch.
		if !d.has(nameCluster) {
			d.add(nameCluster, p.observedCluster())
		}
	case claimManaged:
		if a := p.spec.Adopt; a != nil && a.Mode == AdoptModeManage {
			p.manageAdopted(d, o)
		}
	}
	return d
}

// composeObserve is spec.adopt mode Observe: the cluster and its running
// instances, observe-only, and nothing else, so nothing in AWS is created
// or changed; the Available condition lists how the cluster differs from
// the spec.
func (p *plan) composeObserve(o observed) *desired {
	d := &desired{}
	d.add(nameCluster, p.observedCluster())
	at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if !ok || ptr.Deref(at.Arn, "") == "" {
		d.keepObservedMembers(o)
		if status, msg := condition(o[nameCluster], xpv1.TypeSynced); status == "False" && strings.Contains(msg, errNotExist) {
			d.wait("AdoptedClusterNotFound", "cluster %q (spec.adopt.clusterIdentifier) does not exist in region %s", p.clusterID, p.region)
			return d
		}
		d.wait("Observing", "observing cluster %q (spec.adopt mode %s): waiting for the provider to report it", p.clusterID, p.spec.Adopt.Mode)
		return d
	}
	for _, id := range members(at) {
		n, _ := p.memberName(id)
		d.add(n, p.observedInstance(n, id))
	}
	diffs := p.adoptDifferences(o, at)
	if len(diffs) == 0 {
		d.wait("Observing", "observing cluster %q (spec.adopt mode Observe): it runs as the spec asks; set spec.adopt.mode Manage to manage it", p.clusterID)
		return d
	}
	d.wait("Observing", "observing cluster %q (spec.adopt mode Observe); before spec.adopt.mode Manage, it differs from the spec: %s", p.clusterID, strings.Join(diffs, "; "))
	return d
}

// manageAdopted fits the composed resources to a cluster that was not
// created here: it keeps its DB subnet group (create-only for a cluster
// and its instances: ForceNew in Terraform's aws_rds_cluster and
// aws_rds_cluster_instance), instances name the cluster directly, and
// running instances the spec does not list stay observe-only: the take-over
// neither deletes nor re-specs them.
func (p *plan) manageAdopted(d *desired, o observed) {
	at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if !ok {
		d.keepObservedMembers(o)
		return
	}
	// NOTE: the group it ran in when it was taken over, then the one the
	// function set since.
	group := ptr.Deref(at.DBSubnetGroupName, "")
	if fp, ok := forProvider[rdsv1beta1.ClusterParameters](o, nameCluster); ok && ptr.Deref(fp.DBSubnetGroupName, "") != "" && !observeOnly(o, nameCluster) {
		group = *fp.DBSubnetGroupName
	}
	if group != "" {
		if !o.exists(nameSubnetGroup) {
			d.remove(nameSubnetGroup, nameUsage(nameSubnetGroup, nameCluster))
		}
		if c, ok := d.objects[nameCluster].(*rdsv1beta1.Cluster); ok {
			c.Spec.ForProvider.DBSubnetGroupNameSelector = nil
			c.Spec.ForProvider.DBSubnetGroupName = ptr.To(group)
		}
	}
	for _, obj := range d.objects {
		if in, ok := obj.(*rdsv1beta1.ClusterInstance); ok {
			in.Spec.ForProvider.ClusterIdentifierSelector = nil
			in.Spec.ForProvider.ClusterIdentifier = ptr.To(p.clusterID)
			if group != "" {
				in.Spec.ForProvider.DBSubnetGroupNameSelector = nil
				in.Spec.ForProvider.DBSubnetGroupName = ptr.To(group)
			}
		}
	}
	for _, id := range members(at) {
		if n, inSpec := p.memberName(id); !inSpec {
			d.add(n, p.observedInstance(n, id))
		}
	}
	if observeOnly(o, nameCluster) {
		p.holdTakeOver(d, o, at)
	}
}

// keepObservedMembers keeps the observed members of an adopted cluster
// (its own, and observe-only instances of the spec) that are not desired: while the provider does not report the cluster's members
// (an observation lost for a moment, found by FuzzLifecycle), a member left
// out of the desired state would have its managed resource deleted.
func (d *desired) keepObservedMembers(o observed) {
	names := make([]string, 0, len(o))
	for n := range o {
		member := strings.HasPrefix(string(n), prefixMember) || (strings.HasPrefix(string(n), prefixInstance) && observeOnly(o, n))
		if member && !d.has(n) {
			names = append(names, string(n))
		}
	}
	sort.Strings(names)
	for _, n := range names {
		d.keepObserved(o, resource.Name(n))
	}
}

// holdTakeOver keeps the adopted cluster and its instances observe-only
// until its log groups are Ready: the spec's log exports would otherwise
// let RDS create them without retention or encryption (pitfall 9), as for
// a new cluster.
func (p *plan) holdTakeOver(d *desired, o observed, at *rdsv1beta1.ClusterObservation) {
	var pending []string
	for _, e := range p.spec.Logging.Exports {
		if !o.ready(nameLogGroup(e)) {
			pending = append(pending, logGroupName(p.clusterID, e))
		}
	}
	if len(pending) == 0 {
		return
	}
	d.objects[nameCluster] = p.observedCluster()
	running := members(at)
	for i, in := range p.spec.Instances {
		suffix := instanceSuffix(i, in)
		n, id := nameInstance(suffix), instanceIdentifier(p.clusterID, suffix)
		switch {
		case !d.has(n):
		case slices.Contains(running, id):
			d.objects[n] = p.observedInstance(n, id)
		default:
			d.remove(n)
		}
	}
	// NOTE: no deletion order is needed for what the XR does not manage
	// yet; Usages of it come with the take-over.
	for _, u := range p.usages() {
		if n := nameUsage(u.of, u.by); (u.of == nameCluster || u.by == nameCluster || isObserveOnlyObject(d.objects[u.by])) && !o.exists(n) {
			d.remove(n)
		}
	}
	d.wait("WaitingForLogGroups", "waiting for log group(s) %s to become ready before managing cluster %q, so RDS exports into groups with retention and encryption", strings.Join(pending, ", "), p.clusterID)
}

// adoptDifferences says, one item each, how the running cluster differs
// from the spec, and what Manage would do about it.
func (p *plan) adoptDifferences(o observed, at *rdsv1beta1.ClusterObservation) []string {
	s := p.spec
	var diffs []string
	add := func(format string, a ...any) { diffs = append(diffs, fmt.Sprintf(format, a...)) }
	if v := ptr.Deref(at.EngineVersionActual, ptr.Deref(at.EngineVersion, "")); v != "" && v != s.EngineVersion {
		add("engineVersion: runs %s, the spec asks %s", v, s.EngineVersion)
	}
	if !ptr.Deref(at.StorageEncrypted, false) {
		add("encryption: the cluster is not encrypted (RDS encrypts only at creation: restore a snapshot of it with spec.restore instead)")
	} else if k := ptr.Deref(at.KMSKeyID, ""); k != s.Encryption.ExistingKMSKeyARN {
		add("encryption.existingKmsKeyArn: the cluster is encrypted with %s, the spec asks %s (set it to the running key)", k, orNone(s.Encryption.ExistingKMSKeyARN, "a new key"))
	}
	if v := ptr.Deref(at.DatabaseName, ""); v != "" && v != s.DatabaseName {
		add("databaseName: runs %q, the spec asks %q", v, s.DatabaseName)
	}
	if v := ptr.Deref(at.MasterUsername, ""); v != "" && v != s.MasterUsername {
		add("masterUsername: runs %q, the spec asks %q", v, s.MasterUsername)
	}
	if rds := ptr.Deref(at.ManageMasterUserPassword, false); rds != (s.Credentials.Mode == CredentialsModeRDSManaged) {
		mode := CredentialsModeSelfManaged
		if rds {
			mode = CredentialsModeRDSManaged
		}
		add("credentials.mode: runs %s, the spec asks %s", mode, s.Credentials.Mode)
		if !rds {
			add("the master password: Manage turns on RDS-managed passwords, and RDS replaces the current password with one in a secret it owns (status.secretArn): move clients to it first")
		}
	}
	if v := ptr.Deref(at.Port, 0); v != 0 && int64(v) != *s.Port {
		add("port: runs %d, the spec asks %d", int64(v), *s.Port)
	}
	if v := ptr.Deref(at.DeletionProtection, false); v != *s.DeletionProtection {
		add("deletionProtection: runs %t, the spec asks %t", v, *s.DeletionProtection)
	}
	if v := int64(ptr.Deref(at.BackupRetentionPeriod, 0)); v != 0 && v != *s.Backup.RetentionDays {
		if v > *s.Backup.RetentionDays {
			add("backup.retentionDays: runs %d, the spec asks %d; Manage deletes the automated backups older than %d days", v, *s.Backup.RetentionDays, *s.Backup.RetentionDays)
		} else {
			add("backup.retentionDays: runs %d, the spec asks %d", v, *s.Backup.RetentionDays)
		}
	}
	if v := ptr.Deref(at.PreferredBackupWindow, ""); v != "" && v != s.Backup.PreferredWindow {
		add("backup.preferredWindow: runs %s, the spec asks %s", v, s.Backup.PreferredWindow)
	}
	if v := ptr.Deref(at.PreferredMaintenanceWindow, ""); v != "" && v != s.PreferredMaintenanceWindow {
		add("preferredMaintenanceWindow: runs %s, the spec asks %s", v, s.PreferredMaintenanceWindow)
	}
	if v := ptr.Deref(at.NetworkType, ""); v != "" && v != s.Network.NetworkType {
		add("network.networkType: runs %s, the spec asks %s; Manage changes it (set spec.network.networkType to keep it)", v, s.Network.NetworkType)
	}
	if running, want := sortedSet(derefAll(at.EnabledCloudwatchLogsExports)), sortedSet(s.Logging.Exports); !slices.Equal(running, want) {
		add("logging.exports: runs [%s], the spec asks [%s]", strings.Join(running, ", "), strings.Join(want, ", "))
	}
	diffs = append(diffs, p.accessDifferences(at)...)
	if v := ptr.Deref(at.DBClusterParameterGroupName, ""); v != "" && v != p.clusterID {
		kept := fmt.Sprintf(" and none of %q's own settings unless spec.parameters repeats them", v)
		if strings.HasPrefix(v, "default.") {
			kept = ""
		}
		add("cluster parameter group: runs %q; Manage moves it to the function's %q, with rds.force_ssl 1 applied at once (clients without TLS are refused)%s", v, p.clusterID, kept)
	}
	if sgs := derefAll(at.VPCSecurityGroupIds); len(sgs) > 0 {
		add("security groups: runs with %s; Manage replaces them with the function's own group, open only to spec.network.allowedCidrBlocks and allowedSecurityGroupIds", strings.Join(sgs, ", "))
	}
	if removed := removedTags(at.Tags, func(k string) bool { _, kept := s.Tags[k]; return kept || k == tagOwnerXR }); len(removed) > 0 {
		add("tags: Manage removes %s (not in spec.tags)", strings.Join(removed, ", "))
	}
	diffs = append(diffs, p.adoptInsightsDifferences(at)...)
	running := members(at)
	for _, id := range running {
		n, inSpec := p.memberName(id)
		if !inSpec {
			add("instance %q is not in spec.instances: Manage keeps it observe-only (name a spec instance %q to manage it)", id, strings.TrimPrefix(id, p.clusterID+"-"))
			continue
		}
		if io, ok := atProvider[rdsv1beta1.ClusterInstanceObservation](o, n); ok {
			for i, in := range s.Instances {
				if nameInstance(instanceSuffix(i, in)) == n {
					diffs = append(diffs, p.adoptInstanceDifferences(i, in, id, io)...)
				}
			}
		}
	}
	for i, in := range s.Instances {
		if id := instanceIdentifier(p.clusterID, instanceSuffix(i, in)); !slices.Contains(running, id) {
			add("spec.instances[%d]: %q does not run; Manage creates it", i, id)
		}
	}
	return diffs
}

// adoptInstanceDifferences says how a running member that spec.instances[i]
// names differs from what Manage composes for it (clusterInstance).
func (p *plan) adoptInstanceDifferences(i int, in Instance, id string, io *rdsv1beta1.ClusterInstanceObservation) []string {
	want := p.clusterInstance(i, in).Spec.ForProvider
	var diffs []string
	add := func(format string, a ...any) {
		diffs = append(diffs, fmt.Sprintf("spec.instances[%d] (%s): ", i, id)+fmt.Sprintf(format, a...))
	}
	if v := ptr.Deref(io.InstanceClass, in.InstanceClass); v != in.InstanceClass {
		add("runs %s, the spec asks %s", v, in.InstanceClass)
	}
	if ptr.Deref(io.PubliclyAccessible, false) {
		add("publicly accessible; Manage makes it private, at once whatever spec.applyImmediately says (ModifyDBInstance applies PubliclyAccessible immediately)")
	}
	if v, w := ptr.Deref(io.PromotionTier, *want.PromotionTier), *want.PromotionTier; v != w {
		why := "failover order"
		if in.PromotionTier == nil && i > 0 && p.spec.readerEndpointOnly(instanceSuffix(i, in)) {
			why += ": only READER custom endpoints name it, so it is the last failover target"
		}
		add("promotion tier %d; Manage sets %d (%s)", int64(v), int64(w), why)
	}
	if v, w := ptr.Deref(io.AutoMinorVersionUpgrade, *want.AutoMinorVersionUpgrade), *want.AutoMinorVersionUpgrade; v != w {
		add("autoMinorVersionUpgrade %t; Manage sets %t (spec.engineVersion %s)", v, w, p.spec.EngineVersion)
	}
	if d := instanceAccessDifference(&want, io, *p.spec.ApplyImmediately); d != "" {
		add("%s", d)
	}
	for _, d := range p.adoptMonitoringDifferences(io) {
		add("%s", d)
	}
	if removed := removedTags(io.Tags, func(k string) bool { _, kept := want.Tags[k]; return kept }); len(removed) > 0 {
		add("Manage removes tags %s (not in spec.tags)", strings.Join(removed, ", "))
	}
	return diffs
}

// removedTags are the running tags, sorted, that Manage removes: those not
// kept, except upjet's own crossplane-* tags, which the provider's field
// manager owns.
func removedTags(running map[string]*string, kept func(string) bool) []string {
	var out []string
	for k := range running {
		if !kept(k) && !strings.HasPrefix(k, "crossplane-") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// checkAdoption refuses what Manage cannot do to an adopted cluster: values
// RDS sets only at creation (the provider would retry a replacement
// forever, pitfall 10), and going back from Manage to Observe, which would
// delete what Manage composed around the cluster (its key, security group,
// parameter group, log groups, secrets).
func (p *plan) checkAdoption(o observed) field.ErrorList {
	a := p.spec.Adopt
	if !o.exists(nameCluster) {
		return nil
	}
	root := field.NewPath("spec")
	var errs field.ErrorList
	if a != nil && a.Mode == AdoptModeObserve && !observeOnly(o, nameCluster) {
		return append(errs, field.Forbidden(root.Child("adopt", "mode"), fmt.Sprintf("cluster %q is managed: going back to Observe would delete what Manage composed around it (security group, parameter group, log groups, secrets); keep mode Manage", p.clusterID)))
	}
	if a == nil || a.Mode != AdoptModeManage || !observeOnly(o, nameCluster) {
		return nil
	}
	at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if !ok || ptr.Deref(at.Arn, "") == "" {
		// Not observed yet: it is observed first (clusterClaimOf).
		return nil
	}
	s := p.spec
	// Engine and engine mode are ForceNew in Terraform's aws_rds_cluster: a
	// take-over of anything but a provisioned Aurora PostgreSQL cluster
	// would plan to replace it.
	if e := ptr.Deref(at.Engine, ""); e != "" && e != engineAuroraPostgreSQL {
		errs = append(errs, field.Forbidden(root.Child("adopt", "clusterIdentifier"), fmt.Sprintf("cluster %q runs engine %s: only Aurora PostgreSQL (aurora-postgresql) clusters can be adopted", p.clusterID, e)))
	}
	if m := ptr.Deref(at.EngineMode, ""); m != "" && m != "provisioned" {
		errs = append(errs, field.Forbidden(root.Child("adopt", "clusterIdentifier"), fmt.Sprintf("cluster %q has engine mode %s: only provisioned clusters (with provisioned or Serverless v2 instances) can be adopted", p.clusterID, m)))
	}
	immutable := func(path *field.Path, what, running, spec string) {
		if running != "" && running != spec {
			errs = append(errs, field.Invalid(path, spec, fmt.Sprintf("the adopted cluster's %s is %q and RDS cannot change it: set it to %q before mode Manage", what, running, running)))
		}
	}
	immutable(root.Child("databaseName"), "database name", ptr.Deref(at.DatabaseName, ""), s.DatabaseName)
	immutable(root.Child("masterUsername"), "master username", ptr.Deref(at.MasterUsername, ""), s.MasterUsername)
	if !ptr.Deref(at.StorageEncrypted, false) {
		errs = append(errs, field.Forbidden(root.Child("adopt"), fmt.Sprintf("cluster %q is not encrypted, and RDS encrypts only at creation: restore a snapshot of it with spec.restore (a new XR) for an encrypted copy", p.clusterID)))
	} else {
		immutable(root.Child("encryption", "existingKmsKeyArn"), "storage key", ptr.Deref(at.KMSKeyID, ""), s.Encryption.ExistingKMSKeyARN)
	}
	if v := ptr.Deref(at.EngineVersionActual, ptr.Deref(at.EngineVersion, "")); v != "" && engineMajor(v) != engineMajor(s.EngineVersion) {
		errs = append(errs, field.Invalid(root.Child("engineVersion"), s.EngineVersion, fmt.Sprintf("the adopted cluster runs %s: the spec must ask the same major version", v)))
	}
	return errs
}

// keepAdoptedClusterAsItRuns sends an adopted cluster what RDS cannot
// change as it already is. A cluster created without a database name (the
// console's default) must not be asked for spec.databaseName: it is ForceNew
// in Terraform's aws_rds_cluster, so the provider would plan to replace the
// cluster
// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster#database_name).
// The key of a master secret RDS already manages cannot be changed by
// ModifyDBCluster
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html,
// MasterUserSecretKmsKeyId: "only if ... turning on ManageMasterUserPassword"),
// so the secret keeps the key it has.
func (p *plan) keepAdoptedClusterAsItRuns(fp *rdsv1beta1.ClusterParameters, o observed) {
	if p.spec.Adopt == nil {
		return
	}
	at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if !ok || ptr.Deref(at.Arn, "") == "" {
		return
	}
	// What AWS reports, or what the take-over already sent: atProvider is
	// the provider's latest observation.
	if ptr.Deref(at.DatabaseName, "") == "" && o.str(nameCluster, "spec", "forProvider", "databaseName") == "" {
		fp.DatabaseName = nil
	}
	if len(at.MasterUserSecret) > 0 {
		if k := ptr.Deref(at.MasterUserSecret[0].KMSKeyID, ""); k != "" && fp.ManageMasterUserPassword != nil {
			fp.MasterUserSecretKMSKeyID = ptr.To(k)
			fp.MasterUserSecretKMSKeyIDSelector = nil
		}
	}
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// sortedSet is in sorted, without duplicates, in a new slice.
func sortedSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func derefAll(in []*string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if v := ptr.Deref(s, ""); v != "" {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// isObserveOnlyObject reports whether a composed object is an observe-only
// MR.
func isObserveOnlyObject(obj runtime.Object) bool {
	switch r := obj.(type) {
	case *rdsv1beta1.Cluster:
		return slices.Equal(r.Spec.ManagementPolicies, xpv1.ManagementPolicies{xpv1.ManagementActionObserve})
	case *rdsv1beta1.ClusterInstance:
		return slices.Equal(r.Spec.ManagementPolicies, xpv1.ManagementPolicies{xpv1.ManagementActionObserve})
	}
	return false
}

// remove drops composed resources that do not exist yet.
func (d *desired) remove(names ...resource.Name) {
	for _, n := range names {
		if !d.has(n) {
			continue
		}
		delete(d.objects, n)
		d.order = slices.DeleteFunc(d.order, func(x resource.Name) bool { return x == n })
	}
}
