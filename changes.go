package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// checkChanges rejects edits RDS cannot apply to an existing cluster. The
// provider never replaces a resource: it would report "refuse to update the
// external resource because the following update requires replacing it" and
// retry forever while Ready stays True (pitfall 10). Rejecting the edit here
// leaves the running cluster untouched and tells the user why.
func (p *plan) checkChanges(o observed, f facts) field.ErrorList {
	fp, ok := forProvider[rdsv1beta1.ClusterParameters](o, nameCluster)
	if !ok || observeOnly(o, nameCluster) {
		return nil
	}
	root := field.NewPath("spec")
	s := p.spec
	var errs field.ErrorList
	forbid := func(path *field.Path, what, was, now string) {
		if was != "" && was != now {
			errs = append(errs, field.Forbidden(path, fmt.Sprintf("cannot change %s from %q to %q on an existing cluster: RDS can only set it at creation (create a new XR and migrate instead)", what, was, now)))
		}
	}
	forbid(root.Child("clusterIdentifier"), "the cluster identifier", o.annotation(nameCluster, annotationExternalName), p.clusterID)
	forbid(root.Child("region"), "the region", ptr.Deref(fp.Region, ""), s.Region)
	forbid(root.Child("databaseName"), "the database name", ptr.Deref(fp.DatabaseName, ""), s.DatabaseName)
	forbid(root.Child("masterUsername"), "the master username", ptr.Deref(fp.MasterUsername, ""), s.MasterUsername)
	// NOTE: RDS sets the engine lifecycle support only at creation and
	// restore (ModifyDBCluster has no EngineLifecycleSupport).
	if want := s.EngineLifecycleSupport; want != "" {
		was := o.str(nameCluster, "status", "atProvider", "engineLifecycleSupport")
		if was == "" {
			was = o.str(nameCluster, "spec", "initProvider", "engineLifecycleSupport")
		}
		if was != "" && was != want {
			errs = append(errs, field.Forbidden(root.Child("engineLifecycleSupport"), fmt.Sprintf("cannot change the engine lifecycle support from %q to %q on an existing cluster: RDS sets it only when it creates or restores a cluster (leave it unset, or set it to %q)", was, want, was)))
		}
	}
	wasMode := CredentialsModeSelfManaged
	if ptr.Deref(fp.ManageMasterUserPassword, false) {
		wasMode = CredentialsModeRDSManaged
	}
	forbid(root.Child("credentials", "mode"), "the credentials mode", wasMode, s.Credentials.Mode)
	keyPath := root.Child("encryption", "existingKmsKeyArn")
	switch was := ptr.Deref(fp.KMSKeyID, ""); {
	case s.Encryption.ExistingKMSKeyARN != "":
		forbid(keyPath, "the storage encryption key", was, s.Encryption.ExistingKMSKeyARN)
	case was != "" && !o.exists(nameKMSKey):
		// NOTE: f.status keeps the key the status reported before, so
		// comparing with it would let this through.
		errs = append(errs, field.Forbidden(keyPath, fmt.Sprintf("cannot unset it on an existing cluster: the cluster is encrypted with %q, and without it the function would create a new KMS key, which RDS can only set at creation (create a new XR and migrate instead)", was)))
	}
	errs = append(errs, p.checkInstanceIdentity(o)...)
	return errs
}

// checkInstanceIdentity refuses an edit of spec.instances that would delete
// or re-spec an instance the user did not remove. An instance without a
// name is keyed by its position (instanceSuffix: instance-1, instance-2,
// ...), so removing or inserting an instance before it would hand its key,
// and with it a running DB instance, to its neighbour: the neighbour's
// instance would be modified to the removed one's spec, or deleted and
// created again under a new key. Removing unnamed instances from the end,
// with the others unchanged, is what the keys say and goes through; so does
// any edit of named instances, whose keys are their names.
func (p *plan) checkInstanceIdentity(o observed) field.ErrorList {
	desired := map[resource.Name]bool{}
	for i, in := range p.spec.Instances {
		desired[nameInstance(instanceSuffix(i, in))] = true
	}
	var gone []string
	for n := range o {
		if suffix, ok := strings.CutPrefix(string(n), prefixInstance); ok && isPosition(suffix) && !desired[n] {
			gone = append(gone, string(n))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	sort.Strings(gone)
	var errs field.ErrorList
	for i, in := range p.spec.Instances {
		if in.Name != "" {
			continue
		}
		n := nameInstance(instanceSuffix(i, in))
		why := ""
		switch fp, ok := forProvider[rdsv1beta1.ClusterInstanceParameters](o, n); {
		case !ok:
			why = fmt.Sprintf("creates this entry anew as %s", n)
		case ptr.Deref(fp.InstanceClass, "") != in.InstanceClass:
			why = fmt.Sprintf("changes %s from %s to %s", n, ptr.Deref(fp.InstanceClass, ""), in.InstanceClass)
		case in.AvailabilityZone != "" && ptr.Deref(fp.AvailabilityZone, "") != in.AvailabilityZone:
			why = fmt.Sprintf("moves %s from %s to %s", n, ptr.Deref(fp.AvailabilityZone, ""), in.AvailabilityZone)
		case fp.PromotionTier != nil && int64(*fp.PromotionTier) != promotionTier(p.spec, i, in):
			why = fmt.Sprintf("changes the promotion tier of %s from %d to %d", n, int64(*fp.PromotionTier), promotionTier(p.spec, i, in))
		}
		if why == "" {
			continue
		}
		errs = append(errs, field.Forbidden(field.NewPath("spec", "instances").Index(i), fmt.Sprintf("this edit removes %s and %s: an instance without a name is known by its position, so removing or inserting one before it hands its DB instance to another entry. Name the unnamed instances after their positions first (name: \"1\", \"2\", ...: that keeps every instance as it is), then remove or insert the one you mean", strings.Join(gone, ", "), why)))
	}
	return errs
}

// isPosition reports whether an instance suffix is a position (1, 2, ...),
// the key of an instance without a name.
func isPosition(suffix string) bool {
	n, err := strconv.Atoi(suffix)
	return err == nil && n > 0 && strconv.Itoa(n) == suffix
}

// checkCreation refuses what AWS would accept for an existing resource but
// a new one must not get: the function keeps composing what exists, so a
// release that tightens a rule never freezes a running cluster.
func (p *plan) checkCreation(o observed) field.ErrorList {
	root := field.NewPath("spec")
	var errs field.ErrorList
	if engineMajor(p.spec.EngineVersion) == "13" && !o.exists(nameCluster) {
		// NOTE: RDS still creates it, and enrolls it in RDS Extended
		// Support, billed per vCPU-hour (Aurora user guide, "RDS Extended
		// Support").
		errs = append(errs, field.Forbidden(root.Child("engineVersion"), fmt.Sprintf("Aurora PostgreSQL 13 left standard support on 2026-02-28: a new cluster on %s would run on paid RDS Extended Support; create it on 14 or later (16 or 17 recommended)", p.spec.EngineVersion)))
	}
	if p.endpointOwned() && len(p.spec.VPCEndpoint.SubnetIDs) == 0 && !o.exists(nameEndpoint) {
		// NOTE: an interface endpoint takes one subnet per availability
		// zone (DuplicateSubnetsInSameZone), and subnet IDs do not say
		// their zone.
		errs = append(errs, field.Required(root.Child("vpcEndpoint", "subnetIds"), "the Secrets Manager endpoint's subnets, exactly one per availability zone, among spec.network.subnetIds (AWS refuses two subnets in one zone)"))
	}
	return errs
}
