package main

import (
	"strconv"

	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// instanceClassServerless is the instance class of Aurora Serverless v2.
const instanceClassServerless = "db.serverless"

// Parameter group apply methods. Dynamic parameters apply at once; always
// setting the method avoids a drift loop (provider-upjet-aws#1286).
const (
	applyImmediate = "immediate"
)

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

// clusterParameterGroupFamily is the parameter group family of the engine's
// major version.
func clusterParameterGroupFamily(engineVersion string) string {
	return engineAuroraPostgreSQL + engineMajor(engineVersion)
}

// clusterParameterGroup forces TLS and logs statements slower than the
// slow-query threshold (the source of the slow-query metric).
func (p *plan) clusterParameterGroup() *rdsv1beta1.ClusterParameterGroup {
	param := func(name, value string) rdsv1beta1.ClusterParameterGroupParameterParameters {
		return rdsv1beta1.ClusterParameterGroupParameterParameters{
			Name:        ptr.To(name),
			Value:       ptr.To(value),
			ApplyMethod: ptr.To(applyImmediate),
		}
	}
	return &rdsv1beta1.ClusterParameterGroup{
		ObjectMeta: p.objectMeta(nameClusterParameterGroup, p.clusterID),
		Spec: rdsv1beta1.ClusterParameterGroupSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: rdsv1beta1.ClusterParameterGroupParameters{
				Region:      ptr.To(p.region),
				Family:      ptr.To(clusterParameterGroupFamily(p.spec.EngineVersion)),
				Description: ptr.To("Aurora PostgreSQL cluster " + p.clusterID),
				Parameter: []rdsv1beta1.ClusterParameterGroupParameterParameters{
					param("log_min_duration_statement", strconv.FormatInt(*p.spec.Logging.SlowQueryThresholdMs, 10)),
					param("rds.force_ssl", "1"),
				},
				Tags: p.tags(),
			},
		},
	}
}

// cluster is the Aurora PostgreSQL cluster. It never carries
// clusterMembers (late-initialised once, then a drift loop:
// provider-upjet-aws#2052) nor the Multi-AZ DB cluster fields
// dbClusterInstanceClass, allocatedStorage and iops (provider-upjet-aws#901).
func (p *plan) cluster(kmsKeyARN string, b bootstrap) *rdsv1beta1.Cluster {
	s := p.spec
	exports := make([]*string, 0, len(s.Logging.Exports))
	for _, e := range s.Logging.Exports {
		exports = append(exports, ptr.To(e))
	}
	fp := rdsv1beta1.ClusterParameters{
		Region:                              ptr.To(p.region),
		Engine:                              ptr.To(engineAuroraPostgreSQL),
		EngineMode:                          ptr.To("provisioned"),
		EngineVersion:                       ptr.To(s.EngineVersion),
		DatabaseName:                        ptr.To(s.DatabaseName),
		MasterUsername:                      ptr.To(s.MasterUsername),
		Port:                                p.port(),
		StorageEncrypted:                    ptr.To(true),
		DBSubnetGroupNameSelector:           selectorFor(nameSubnetGroup),
		VPCSecurityGroupIDSelector:          selectorFor(nameSecurityGroup),
		NetworkType:                         ptr.To(s.Network.NetworkType),
		DBClusterParameterGroupNameSelector: selectorFor(nameClusterParameterGroup),
		EnabledCloudwatchLogsExports:        exports,
		BackupRetentionPeriod:               ptr.To(float64(*s.Backup.RetentionDays)),
		PreferredBackupWindow:               ptr.To(s.Backup.PreferredWindow),
		PreferredMaintenanceWindow:          ptr.To(s.PreferredMaintenanceWindow),
		DeletionProtection:                  ptr.To(*s.DeletionProtection),
		// NOTE: edits to the class, the version or parameters wait for the
		// maintenance window, as AWS's default; said explicitly so the
		// provider never sends Terraform's own default.
		ApplyImmediately:                 ptr.To(false),
		IAMDatabaseAuthenticationEnabled: ptr.To(*s.IAMDatabaseAuthentication),
		SkipFinalSnapshot:                ptr.To(!*s.FinalSnapshot),
		CopyTagsToSnapshot:               ptr.To(true),
		Tags:                             p.clusterTags(),
	}
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
	p.restoreInto(&fp)
	c := &rdsv1beta1.Cluster{
		ObjectMeta: p.objectMeta(nameCluster, p.clusterID),
		Spec: rdsv1beta1.ClusterSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider:         fp,
		},
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

// clusterInstance is one writer or reader. It carries no engineVersion: the
// cluster owns it, and a copy on the instance loops (provider-upjet-aws#1326).
func (p *plan) clusterInstance(i int, in Instance) *rdsv1beta1.ClusterInstance {
	suffix := instanceSuffix(i, in)
	tier := int64(0)
	if i > 0 {
		tier = 1
	}
	if in.PromotionTier != nil {
		tier = *in.PromotionTier
	}
	fp := rdsv1beta1.ClusterInstanceParameters{
		Region:                    ptr.To(p.region),
		Engine:                    ptr.To(engineAuroraPostgreSQL),
		InstanceClass:             ptr.To(in.InstanceClass),
		ClusterIdentifierSelector: selectorFor(nameCluster),
		DBSubnetGroupNameSelector: selectorFor(nameSubnetGroup),
		PromotionTier:             ptr.To(float64(tier)),
		PubliclyAccessible:        ptr.To(false),
		AutoMinorVersionUpgrade:   ptr.To(true),
		// NOTE: an instance has its own maintenance window, picked at random
		// by RDS when unset: OS patches would land outside the window the
		// spec validated against the backup window.
		PreferredMaintenanceWindow: ptr.To(p.spec.PreferredMaintenanceWindow),
		ApplyImmediately:           ptr.To(false),
		CopyTagsToSnapshot:         ptr.To(true),
		Tags:                       p.tags(),
	}
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
