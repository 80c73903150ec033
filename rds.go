package main

import (
	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// instanceClassServerless is the instance class of Aurora Serverless v2.
const instanceClassServerless = "db.serverless"

// subnetGroup places the cluster in the user's subnets.
func (p *plan) subnetGroup() *rdsv1beta1.SubnetGroup {
	ids := make([]*string, 0, len(p.spec.Network.SubnetIDs))
	for _, id := range p.spec.Network.SubnetIDs {
		ids = append(ids, ptr.To(id))
	}
	return &rdsv1beta1.SubnetGroup{
		ObjectMeta: p.objectMeta(nameSubnetGroup, p.clusterID),
		Spec: rdsv1beta1.SubnetGroupSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: rdsv1beta1.SubnetGroupParameters{
				Region:      ptr.To(p.region),
				Description: ptr.To("Aurora PostgreSQL cluster " + p.clusterID),
				SubnetIds:   ids,
				Tags:        p.tags(),
			},
		},
	}
}

// clusterParameterGroupFamily is the parameter group family of an engine
// major version.
func clusterParameterGroupFamily(major string) string {
	return engineAuroraPostgreSQL + major
}

// clusterParameterGroup forces TLS and logs statements slower than the
// slow-query threshold (the source of the slow-query metric), with the
// user's spec.parameters on top (parameters.go); one per family (engine.go).
func (p *plan) clusterParameterGroup(g parameterGroup) *rdsv1beta1.ClusterParameterGroup {
	return &rdsv1beta1.ClusterParameterGroup{
		ObjectMeta: p.objectMeta(g.name, g.external),
		Spec: rdsv1beta1.ClusterParameterGroupSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: rdsv1beta1.ClusterParameterGroupParameters{
				Region:      ptr.To(p.region),
				Family:      ptr.To(clusterParameterGroupFamily(g.major)),
				Description: ptr.To("Aurora PostgreSQL cluster " + p.clusterID),
				Parameter:   p.clusterParameters(),
				Tags:        p.tags(),
			},
		},
	}
}

// cluster is the Aurora PostgreSQL cluster. It never carries
// clusterMembers (late-initialised once, then a drift loop:
// provider-upjet-aws#2052) nor the Multi-AZ DB cluster fields
// dbClusterInstanceClass, allocatedStorage and iops (provider-upjet-aws#901).
func (p *plan) cluster(kmsKeyARN string, b bootstrap, o observed) *rdsv1beta1.Cluster {
	s := p.spec
	exports := make([]*string, 0, len(s.Logging.Exports))
	for _, e := range s.Logging.Exports {
		exports = append(exports, ptr.To(e))
	}
	fp := rdsv1beta1.ClusterParameters{
		Region:                              ptr.To(p.region),
		Engine:                              ptr.To(engineAuroraPostgreSQL),
		EngineMode:                          ptr.To("provisioned"),
		EngineVersion:                       ptr.To(p.engine.version),
		DatabaseName:                        ptr.To(s.DatabaseName),
		MasterUsername:                      ptr.To(s.MasterUsername),
		Port:                                p.port(),
		StorageEncrypted:                    ptr.To(true),
		DBSubnetGroupNameSelector:           selectorFor(nameSubnetGroup),
		VPCSecurityGroupIDSelector:          selectorFor(nameSecurityGroup),
		NetworkType:                         ptr.To(s.Network.NetworkType),
		DBClusterParameterGroupNameSelector: selectorFor(p.engine.clusterGroup.name),
		EnabledCloudwatchLogsExports:        exports,
		BackupRetentionPeriod:               ptr.To(float64(*s.Backup.RetentionDays)),
		PreferredBackupWindow:               ptr.To(s.Backup.PreferredWindow),
		PreferredMaintenanceWindow:          ptr.To(s.PreferredMaintenanceWindow),
		DeletionProtection:                  ptr.To(*s.DeletionProtection),
		// NOTE: edits to the version or parameters apply now or wait for
		// the maintenance window (spec.applyImmediately, AWS's default
		// false); said explicitly so the provider never sends Terraform's
		// own default.
		ApplyImmediately:                 ptr.To(*s.ApplyImmediately),
		IAMDatabaseAuthenticationEnabled: ptr.To(*s.IAMDatabaseAuthentication),
		SkipFinalSnapshot:                ptr.To(!*s.FinalSnapshot),
		CopyTagsToSnapshot:               ptr.To(true),
		Tags:                             p.clusterTags(),
	}
	p.clusterEngine(&fp)
	p.clusterAccess(&fp)
	if *s.FinalSnapshot {
		fp.FinalSnapshotIdentifier = ptr.To(finalSnapshotIdentifier(p.clusterID, p.meta.UID))
	}
	// NOTE: with a final snapshot the automated backups are retained too
	// (point-in-time restore within their retention period after the
	// cluster is gone; the key they need is kept: deletion.go); without
	// one, nothing of the data is meant to survive.
	fp.DeleteAutomatedBackups = ptr.To(!*s.FinalSnapshot)
	if kmsKeyARN != "" {
		fp.KMSKeyID = ptr.To(kmsKeyARN)
	} else {
		fp.KMSKeyIDSelector = selectorFor(nameKMSKey)
	}
	if s.Credentials.Mode == CredentialsModeRDSManaged {
		fp.ManageMasterUserPassword = ptr.To(true)
		if kmsKeyARN != "" {
			fp.MasterUserSecretKMSKeyID = ptr.To(kmsKeyARN)
		} else {
			fp.MasterUserSecretKMSKeyIDSelector = selectorFor(nameKMSKey)
		}
	}
	if v2 := s.ServerlessV2; v2 != nil {
		fp.Serverlessv2ScalingConfiguration = &rdsv1beta1.Serverlessv2ScalingConfigurationParameters{
			MinCapacity: ptr.To(v2.MinCapacity),
			MaxCapacity: ptr.To(v2.MaxCapacity),
		}
		if v2.SecondsUntilAutoPause != nil {
			fp.Serverlessv2ScalingConfiguration.SecondsUntilAutoPause = ptr.To(float64(*v2.SecondsUntilAutoPause))
		}
	}
	p.restoreInto(&fp, o.str(nameCluster, "status", "atProvider", "engineVersionActual") != "")
	p.keepAdoptedClusterAsItRuns(&fp, o)
	c := &rdsv1beta1.Cluster{
		ObjectMeta: p.objectMeta(nameCluster, p.clusterID),
		Spec: rdsv1beta1.ClusterSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider:         fp,
		},
	}
	c.Annotations[annotationEngineVersion] = s.EngineVersion
	// NOTE: RDS sets the engine lifecycle support at creation (and restore)
	// only: ModifyDBCluster has no such parameter (API_ModifyDBCluster),
	// so it goes in initProvider, which the provider applies at creation.
	if ls := p.lifecycleSupport(o); ls != "" {
		c.Spec.InitProvider.EngineLifecycleSupport = ptr.To(ls)
	}
	// NOTE: the bootstrap password goes in initProvider, which the provider
	// applies at creation only, and is dropped at the hand-off: a rotated
	// password is never overwritten (pitfall 5).
	if p.selfManaged() && b.phase != bootstrapHandedOff {
		c.Spec.InitProvider.MasterPasswordSecretRef = &xpv1.LocalSecretKeySelector{
			LocalSecretReference: xpv1.LocalSecretReference{Name: bootstrapSecretName(p.clusterID)},
			Key:                  bootstrapKeyPassword,
		}
	}
	return c
}

// promotionTier is an instance's failover priority: its own, else 0 for the
// writer, 15 for a reader that only READER custom endpoints name
// (readerEndpointOnly) and 1 for the other readers.
func promotionTier(s *AuroraSpec, i int, in Instance) int64 {
	switch {
	case in.PromotionTier != nil:
		return *in.PromotionTier
	case i == 0:
		return 0
	case s.readerEndpointOnly(instanceSuffix(i, in)):
		return maxPromotionTier
	default:
		return 1
	}
}

// clusterInstance is one writer or reader. It carries no engineVersion: the
// cluster owns it, and a copy on the instance loops (provider-upjet-aws#1326).
func (p *plan) clusterInstance(i int, in Instance) *rdsv1beta1.ClusterInstance {
	suffix := instanceSuffix(i, in)
	tier := promotionTier(p.spec, i, in)
	fp := rdsv1beta1.ClusterInstanceParameters{
		Region:                    ptr.To(p.region),
		Engine:                    ptr.To(engineAuroraPostgreSQL),
		InstanceClass:             ptr.To(in.InstanceClass),
		ClusterIdentifierSelector: selectorFor(nameCluster),
		DBSubnetGroupNameSelector: selectorFor(nameSubnetGroup),
		PromotionTier:             ptr.To(float64(tier)),
		PubliclyAccessible:        ptr.To(false),
		// NOTE: a major-only spec.engineVersion leaves the minor to AWS,
		// which upgrades it in the maintenance window; a pinned one turns
		// that off. Aurora upgrades a cluster's minor only when every
		// instance allows it (Aurora user guide, "Automatic minor version
		// upgrades for Aurora DB clusters").
		AutoMinorVersionUpgrade: ptr.To(!pinned(p.spec.EngineVersion)),
		// NOTE: an instance has its own maintenance window, picked at random
		// by RDS when unset: OS patches would land outside the window the
		// spec validated against the backup window.
		PreferredMaintenanceWindow: ptr.To(p.spec.PreferredMaintenanceWindow),
		// NOTE: a class change applies now or in the maintenance window.
		ApplyImmediately:   ptr.To(*p.spec.ApplyImmediately),
		CopyTagsToSnapshot: ptr.To(true),
		Tags:               p.tags(),
	}
	p.instanceAccess(&fp, nameInstance(suffix))
	if in.AvailabilityZone != "" {
		fp.AvailabilityZone = ptr.To(in.AvailabilityZone)
	}
	if p.spec.Restore != nil {
		// NOTE: an instance of a restored cluster cannot resolve a reference
		// to it ("referenced field was empty", provider-upjet-aws#1764):
		// it names the cluster itself.
		fp.ClusterIdentifierSelector = nil
		fp.ClusterIdentifier = ptr.To(p.clusterID)
	}
	return &rdsv1beta1.ClusterInstance{
		ObjectMeta: p.objectMeta(nameInstance(suffix), instanceIdentifier(p.clusterID, suffix)),
		Spec: rdsv1beta1.ClusterInstanceSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider:         fp,
		},
	}
}

// clusterEngine sets the cluster's version and parameter group as the
// engine plan says (engine.go).
func (p *plan) clusterEngine(fp *rdsv1beta1.ClusterParameters) {
	e := p.engine
	if e.clusterGroup.name == "" {
		// A group this XR does not compose: named only.
		fp.DBClusterParameterGroupNameSelector = nil
	}
	if e.explicitGroup || e.clusterGroup.name == "" {
		fp.DBClusterParameterGroupName = ptr.To(e.clusterGroup.external)
	}
	if e.allowMajorVersionUpgrade {
		fp.AllowMajorVersionUpgrade = ptr.To(true)
		// With instance parameter groups, RDS refuses a major upgrade
		// unless the same ModifyDBCluster call names the target family's
		// DB parameter group (hashicorp/terraform-provider-aws#35912): it
		// is composed and Ready before (planEngine), and RDS moves the
		// instances to it; their dbParameterGroupName follows once the
		// cluster runs the target major (instanceParameterGroupFamily).
		if e.instanceGroups {
			fp.DBInstanceParameterGroupName = ptr.To(instanceParameterGroupName(p.clusterID, clusterParameterGroupFamily(e.targetMajor)))
		}
	}
}
