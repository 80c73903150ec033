package main

import "k8s.io/utils/ptr"

// Defaults, the same as the XRD's. The function applies them again because
// `crossplane render` and XRs created before a default was added skip the API
// server's defaulting.
const (
	// A major: AWS's default minor at creation, later minors in the
	// maintenance window. 16, the major of the previous default (16.6), so
	// no XR that relied on the default changes major: 16 is in Aurora
	// standard support until 2029-02-28.
	defaultEngineVersion              = "16"
	defaultDatabaseName               = "app"
	defaultMasterUsername             = "dbadmin"
	defaultPort                       = 5432
	defaultInstanceClass              = "db.r6g.large"
	defaultKMSDeletionWindowInDays    = 30
	defaultLogRetentionInDays         = 30
	defaultSlowQueryThresholdMs       = 1000
	defaultBackupRetentionDays        = 7
	defaultBackupWindow               = "03:00-04:00"
	defaultPreferredMaintenanceWindow = "sun:05:00-sun:06:00"
	logExportPostgreSQL               = "postgresql"
	logExportIAMDBAuthError           = "iam-db-auth-error"
)

// credentialDefaults fills the credentials and endpoint settings. The
// rotator defaults to AWS's Serverless Application Repository app when no
// source is given.
func credentialDefaults(s *AuroraSpec) {
	c := &s.Credentials
	if c.RecoveryWindowInDays == nil {
		c.RecoveryWindowInDays = ptr.To[int64](defaultRecoveryWindowInDays)
	}
	if c.Rotation.Enabled == nil {
		c.Rotation.Enabled = ptr.To(true)
	}
	if c.Rotation.Days == nil {
		c.Rotation.Days = ptr.To[int64](defaultRotationDays)
	}
	l := &c.Rotation.Lambda
	if c.Mode == CredentialsModeSelfManaged && l.S3 == nil && l.ExistingFunctionARN == "" && l.ServerlessRepo == nil {
		l.ServerlessRepo = &ServerlessRepoRotator{}
	}
	if l.ServerlessRepo != nil && l.ServerlessRepo.ApplicationID == "" {
		// Empty in a partition the function does not compose for, which
		// validation refuses.
		l.ServerlessRepo.ApplicationID = partitions[partitionOf(s.Region)].rotatorApp
	}
	if l.S3 != nil {
		if l.S3.Runtime == "" {
			l.S3.Runtime = defaultRotatorRuntime
		}
		if l.S3.Handler == "" {
			l.S3.Handler = defaultRotatorHandler
		}
	}
	if s.VPCEndpoint.Enabled == nil {
		s.VPCEndpoint.Enabled = ptr.To(true)
	}
	if s.VPCEndpoint.PrivateDNSEnabled == nil {
		// Off: on, the endpoint answers for every client of the VPC
		// (pitfall 17).
		s.VPCEndpoint.PrivateDNSEnabled = ptr.To(false)
	}
}

// withDefaults fills every unset field with its default. A nil instance list
// gets one writer; an explicitly empty one is left for validation to reject.
func withDefaults(s *AuroraSpec) {
	if s.EngineVersion == "" {
		s.EngineVersion = defaultEngineVersion
	}
	if s.ApplyImmediately == nil {
		s.ApplyImmediately = ptr.To(false)
	}
	if s.DatabaseName == "" {
		s.DatabaseName = defaultDatabaseName
	}
	if s.MasterUsername == "" {
		s.MasterUsername = defaultMasterUsername
	}
	if s.Adopt != nil && s.Adopt.Mode == "" {
		s.Adopt.Mode = AdoptModeObserve
	}
	if s.Port == nil {
		s.Port = ptr.To[int64](defaultPort)
	}
	if s.Network.NetworkType == "" {
		s.Network.NetworkType = networkTypeIPv4
	}
	if s.Instances == nil {
		s.Instances = []Instance{{InstanceClass: defaultInstanceClass}}
	}
	if s.Encryption.KMSDeletionWindowInDays == nil {
		s.Encryption.KMSDeletionWindowInDays = ptr.To[int64](defaultKMSDeletionWindowInDays)
	}
	if s.Credentials.Mode == "" {
		s.Credentials.Mode = CredentialsModeRDSManaged
	}
	credentialDefaults(s)
	if s.Logging.Exports == nil {
		s.Logging.Exports = []string{logExportPostgreSQL}
	}
	if s.Logging.RetentionInDays == nil {
		s.Logging.RetentionInDays = ptr.To[int64](defaultLogRetentionInDays)
	}
	if s.Logging.SlowQueryThresholdMs == nil {
		s.Logging.SlowQueryThresholdMs = ptr.To[int64](defaultSlowQueryThresholdMs)
	}
	if s.Backup.RetentionDays == nil {
		s.Backup.RetentionDays = ptr.To[int64](defaultBackupRetentionDays)
	}
	if s.Backup.PreferredWindow == "" {
		s.Backup.PreferredWindow = defaultBackupWindow
	}
	if s.PreferredMaintenanceWindow == "" {
		s.PreferredMaintenanceWindow = defaultPreferredMaintenanceWindow
	}
	if s.DeletionProtection == nil {
		s.DeletionProtection = ptr.To(true)
	}
	if s.IAMDatabaseAuthentication == nil {
		s.IAMDatabaseAuthentication = ptr.To(false)
	}
	withAccessDefaults(s)
	if s.FinalSnapshot == nil {
		s.FinalSnapshot = ptr.To(true)
	}
	withMonitoringDefaults(&s.Monitoring)
	withAutoscalingDefaults(s)
	withProxyDefaults(&s.Proxy)
}
