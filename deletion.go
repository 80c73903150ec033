package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"

	protectionv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/crossplane/protection/v1beta1"
)

// What deleting an XR does. Crossplane v2 removes the XR at once and the
// Kubernetes garbage collector deletes every composed resource concurrently
// (pitfall 18). Left alone, the CMK would be scheduled for deletion while
// the cluster still runs on it (RDS then marks the cluster
// inaccessible-encryption-credentials), and the final snapshot would be
// encrypted with a key that is gone 7 to 30 days later. So:
//   - Usages (protection.crossplane.io) make Crossplane's admission webhook
//     refuse to delete what the cluster needs until the cluster is gone, and
//     the cluster until its instances are gone (AWS deletes a cluster only
//     once it has no instances);
//   - with a final snapshot, the composed key is never deleted: its
//     management policies leave out Delete, so the provider orphans it.
// https://docs.crossplane.io/latest/managed-resources/usages/

// usage is one deletion-blocking relationship: Of is deleted only after By.
type usage struct {
	of, by resource.Name
	reason string
}

// usages are the relationships the desired resources need, in a fixed order.
func (p *plan) usages() []usage {
	us := []usage{
		{of: nameKMSKey, by: nameCluster, reason: "the cluster's storage, automated backups and snapshots are encrypted with this KMS key: it must outlive the cluster"},
		{of: nameSecurityGroup, by: nameCluster, reason: "the cluster's network interfaces are in this security group"},
		{of: nameSubnetGroup, by: nameCluster, reason: "the cluster and its instances run in this DB subnet group"},
		{of: nameClusterParameterGroup, by: nameCluster, reason: "the cluster uses this parameter group"},
	}
	// A major upgrade's parameter groups: the old one until the cluster
	// left it, the new one from before the cluster moves to it (engine.go).
	for _, g := range p.engine.groups {
		if g.name != nameClusterParameterGroup {
			us = append(us, usage{of: g.name, by: nameCluster, reason: "the cluster uses, or is moving to, this parameter group"})
		}
	}
	for _, e := range p.spec.Logging.Exports {
		us = append(us, usage{of: nameLogGroup(e), by: nameCluster, reason: "the cluster exports its logs to this group: deleted first, RDS would create it again without retention or encryption"})
	}
	// Network interfaces hold a security group until they are gone: EC2
	// refuses to delete it before (DependencyViolation), Lambda's for up
	// to 45 minutes (hashicorp/terraform-provider-aws#10329).
	switch p.rotatorSource() {
	case rotatorFromServerlessRepo:
		us = append(us, usage{of: nameRotatorSecurityGroup, by: nameRotatorStack, reason: "the rotator's network interfaces are in this security group"})
	case rotatorFromS3:
		us = append(us, usage{of: nameRotatorSecurityGroup, by: nameRotatorFunction, reason: "the rotator's network interfaces are in this security group"})
	}
	us = append(us, usage{of: nameEndpointSecurityGroup, by: nameEndpoint, reason: "the Secrets Manager endpoint's network interfaces are in this security group"})
	for i, in := range p.spec.Instances {
		us = append(us, usage{of: nameCluster, by: nameInstance(instanceSuffix(i, in)), reason: "RDS deletes a cluster only once it has no instances"})
	}
	// Only where both are desired: with Enhanced Monitoring (monitoring_role.go).
	for i, in := range p.spec.Instances {
		us = append(us, usage{of: nameMonitoringRole, by: nameInstance(instanceSuffix(i, in)), reason: "the instance sends Enhanced Monitoring metrics through this role"})
	}
	us = append(us, proxyUsages...)
	// Only where both are desired (composeUsages): with spec.instanceParameters.
	pg := nameInstanceParameterGroup(p.instanceParameterGroupFamily())
	for i, in := range p.spec.Instances {
		us = append(us, usage{of: pg, by: nameInstance(instanceSuffix(i, in)), reason: "the instance uses this DB parameter group: RDS refuses to delete a group in use (InvalidDBParameterGroupState)"})
	}
	return us
}

// composeUsages adds a Usage for every relationship whose two resources are
// desired, from the call that composes the later of the two: an XR deleted
// a moment after its cluster was created must not lose the key first. The
// Usage resolves its selectors once both exist (Crossplane retries until
// then). A Usage goes when either side leaves the desired state.
//
// A used resource that leaves the desired state stays until its Usage is
// gone: Crossplane deletes both in one pass, in no particular order, and the
// webhook would refuse the used one while its Usage still exists.
func (p *plan) composeUsages(d *desired, o observed) {
	for _, u := range p.usages() {
		n := nameUsage(u.of, u.by)
		if d.has(u.of) && d.has(u.by) {
			d.add(n, p.usage(n, u, d))
		}
	}
	var leaving []resource.Name
	for n := range o {
		if isUsage(n) && !d.has(n) {
			if of := o.usageOf(n); of != "" && o.exists(of) && !d.has(of) {
				leaving = append(leaving, of)
			}
		}
	}
	slices.Sort(leaving)
	d.keepObserved(o, slices.Compact(leaving)...)
}

// usage is the Usage of u.of by u.by. Both are selected as this XR's
// composed resources by their component label, as reference selectors are.
func (p *plan) usage(n resource.Name, u usage, d *desired) *protectionv1beta1.Usage {
	ref := func(name resource.Name) protectionv1beta1.Resource {
		gvk := gvkOf(d.objects[name])
		return protectionv1beta1.Resource{
			APIVersion: gvk.GroupVersion().String(),
			Kind:       gvk.Kind,
			ResourceSelector: &protectionv1beta1.ResourceSelector{
				MatchControllerRef: ptr.To(true),
				MatchLabels:        map[string]string{labelComponent: string(name)},
			},
		}
	}
	by := ref(u.by)
	return &protectionv1beta1.Usage{
		ObjectMeta: p.objectMeta(n, ""),
		Spec: protectionv1beta1.UsageSpec{
			Of:             ref(u.of),
			By:             &by,
			Reason:         ptr.To(u.reason),
			ReplayDeletion: ptr.To(true),
		},
	}
}

// gvkOf is a composed object's kind: set on unstructured objects, looked up
// in composed.Scheme for typed ones, whose TypeMeta is set only on encoding.
func gvkOf(o runtime.Object) schema.GroupVersionKind {
	if u, ok := o.(*unstructured.Unstructured); ok {
		return u.GroupVersionKind()
	}
	gvks, _, err := composed.Scheme.ObjectKinds(o)
	if err != nil || len(gvks) == 0 {
		// Every builder's kind is registered at start-up (scheme.go); a
		// test fails first if one is not.
		return schema.GroupVersionKind{}
	}
	return gvks[0]
}

// usageOf is the component an observed Usage protects, read from its
// selector.
func (o observed) usageOf(n resource.Name) resource.Name {
	of := o[n].GetFields()["spec"].GetStructValue().GetFields()["of"].GetStructValue()
	sel := of.GetFields()["resourceSelector"].GetStructValue()
	return resource.Name(sel.GetFields()["matchLabels"].GetStructValue().GetFields()[labelComponent].GetStringValue())
}

// keepsKey reports whether deleting the XR leaves the composed KMS key in
// AWS: whenever RDS takes a final snapshot, which is encrypted with it.
func (p *plan) keepsKey() bool {
	return p.spec.Encryption.ExistingKMSKeyARN == "" && *p.spec.FinalSnapshot
}

// DeletionStatus says what deleting the XR will do and what it leaves
// behind, so nobody finds out from the bill or from a snapshot they cannot
// restore.
type DeletionStatus struct {
	// FinalSnapshotIdentifier is the cluster snapshot RDS takes on deletion.
	FinalSnapshotIdentifier string `json:"finalSnapshotIdentifier,omitempty"`
	// KMSKeyRetained is true when the composed KMS key stays in AWS after
	// the XR is deleted, because the final snapshot is encrypted with it.
	KMSKeyRetained bool `json:"kmsKeyRetained,omitempty"`
	// Message says it in words.
	Message string `json:"message"`
}

// kmsKeyMonthlyCost is what AWS charges for a customer managed key, per
// month, before request charges (https://aws.amazon.com/kms/pricing/).
const kmsKeyMonthlyCost = "USD 1"

// deletionStatus describes deletion for status.deletion.
func (p *plan) deletionStatus(st AuroraStatus) *DeletionStatus {
	s := p.spec
	ds := &DeletionStatus{}
	var b strings.Builder
	if *s.DeletionProtection {
		fmt.Fprintf(&b, "Deletion protection is on: deleting this XR deletes the DB instances, but RDS refuses to delete the cluster, which stays with its data, KMS key, security group, subnet group, parameter group and log groups. Set spec.deletionProtection to false and let it apply before deleting the XR; once the XR is gone only AWS can turn it off (aws rds modify-db-cluster --db-cluster-identifier %s --no-deletion-protection --apply-immediately), as the provider only retries the delete. Then the cluster ", p.clusterID)
	} else {
		b.WriteString("Deleting this XR deletes the DB instances, then the cluster ")
	}
	switch {
	case !*s.FinalSnapshot && s.Encryption.ExistingKMSKeyARN != "":
		b.WriteString("goes without a final snapshot, with its automated backups: the data cannot be recovered. The existing KMS key is not this XR's and stays.")
	case !*s.FinalSnapshot:
		b.WriteString("goes without a final snapshot, with its automated backups, and then its KMS key (after the key's deletion window): the data cannot be recovered.")
	default:
		ds.FinalSnapshotIdentifier = finalSnapshotIdentifier(p.clusterID, p.meta.UID)
		fmt.Fprintf(&b, "goes once RDS has taken final snapshot %q; its automated backups are retained until their retention period ends. ", ds.FinalSnapshotIdentifier)
		if !p.keepsKey() {
			b.WriteString("Both are encrypted with the existing KMS key, which is not this XR's: keep it as long as you keep them.")
			break
		}
		ds.KMSKeyRetained = true
		key := "the KMS key"
		if st.KMSKeyARN != "" {
			key = "KMS key " + st.KMSKeyARN
		}
		fmt.Fprintf(&b, "Both are encrypted with %s, so the key is kept, not deleted (its alias %s is deleted; the key's description names the snapshot): it costs %s a month until you schedule its deletion (aws kms schedule-key-deletion) after deleting the snapshot and once the retained backups have expired.", key, kmsAliasName(p.clusterID), kmsKeyMonthlyCost)
	}
	if gone := p.goneAtOnce(); len(gone) > 0 {
		b.WriteString(" Whatever stays, these go at once: " + strings.Join(gone, ", ") + ".")
	}
	b.WriteString(p.capacityDeletionNote())
	ds.Message = b.String()
	return ds
}

// goneAtOnce lists, in words, what deleting the XR deletes without waiting
// for the cluster.
func (p *plan) goneAtOnce() []string {
	s := p.spec
	var gone []string
	if len(s.Network.AllowedCIDRBlocks)+len(s.Network.AllowedSecurityGroupIDs) > 0 {
		gone = append(gone, "the security group's ingress rules")
	}
	if *s.Monitoring.Alarms.Enabled {
		gone = append(gone, "the alarms")
		if *s.Monitoring.Alarms.Events.Enabled && eventTopic(s.Monitoring) != "" {
			gone = append(gone, "the RDS event subscription")
		}
	}
	if s.WriteConnectionSecretToRef != nil && !p.meta.Legacy {
		gone = append(gone, "the connection Secret")
	}
	if p.proxyEnabled() {
		gone = append(gone, "the RDS Proxy")
	}
	if !p.selfManaged() {
		return gone
	}
	if p.rotationEnabled() {
		gone = append(gone, "the rotator and its network")
	}
	if w := *s.Credentials.RecoveryWindowInDays; w > 0 {
		gone = append(gone, fmt.Sprintf("the master secret (recoverable for %d days)", w))
	} else {
		gone = append(gone, "the master secret (at once, not recoverable)")
	}
	return gone
}
