package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

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
	if was := ptr.Deref(fp.EngineVersion, ""); was != "" && engineMajor(was) != engineMajor(s.EngineVersion) {
		errs = append(errs, field.Forbidden(root.Child("engineVersion"), fmt.Sprintf("cannot change the major version from %s to %s in place: a major upgrade needs a new cluster parameter group family and a blue/green deployment", engineMajor(was), engineMajor(s.EngineVersion))))
	}
	wasMode := CredentialsModeSelfManaged
	if ptr.Deref(fp.ManageMasterUserPassword, false) {
		wasMode = CredentialsModeRDSManaged
	}
	forbid(root.Child("credentials", "mode"), "the credentials mode", wasMode, s.Credentials.Mode)
	if s.Encryption.ExistingKMSKeyARN != "" || !o.exists(nameKMSKey) {
		forbid(root.Child("encryption", "existingKmsKeyArn"), "the storage encryption key", ptr.Deref(fp.KMSKeyID, ""), f.status.KMSKeyARN)
	}
	return errs
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
