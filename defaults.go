package main

import "k8s.io/utils/ptr"

// Defaults, the same as the XRD's. The function applies them again because
// `crossplane render` and XRs created before a default was added skip the API
// server's defaulting.
const (
	defaultEngineVersion              = "16.6"
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
)

// withDefaults fills every unset field with its default. A nil instance list
// gets one writer; an explicitly empty one is left for validation to reject.
func withDefaults(s *AuroraSpec) {
	if s.EngineVersion == "" {
		s.EngineVersion = defaultEngineVersion
	}
	if s.DatabaseName == "" {
		s.DatabaseName = defaultDatabaseName
	}
	if s.MasterUsername == "" {
		s.MasterUsername = defaultMasterUsername
	}
	if s.Port == nil {
		s.Port = ptr.To[int64](defaultPort)
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
	if s.FinalSnapshot == nil {
		s.FinalSnapshot = ptr.To(true)
	}
}
