package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	kmsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/kms/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// DatabaseInsights is spec.monitoring.databaseInsights: CloudWatch Database
// Insights with Performance Insights on the cluster and every instance,
// encrypted with the cluster's KMS key. Absent, both are off.
type DatabaseInsights struct {
	// Mode is Standard or Advanced (paid, with 15 months of history).
	Mode string `json:"mode,omitempty"`
	// RetentionDays keeps Performance Insights data: 7, a multiple of 31
	// up to 713, or 731; Advanced needs 465. Default 7, 465 for Advanced.
	RetentionDays *int64 `json:"retentionDays,omitempty"`
}

// EnhancedMonitoring is spec.monitoring.enhancedMonitoring: OS metrics of
// every instance, every IntervalSeconds, through a composed IAM role.
type EnhancedMonitoring struct {
	// IntervalSeconds is 0 (off), 1, 5, 10, 15, 30 or 60.
	IntervalSeconds *int64 `json:"intervalSeconds,omitempty"`
}

// Database Insights modes, as the API spells them; RDS takes them in lower
// case (databaseInsightsMode: standard, advanced).
const (
	InsightsModeStandard = "Standard"
	InsightsModeAdvanced = "Advanced"
)

// Performance Insights retention, in days: 7 is the free tier; Advanced
// mode needs 465 (15 months), "To enable the Advanced mode of Database
// Insights, you must enable Performance Insights and set the Performance
// Insights retention period to at least 465 days"
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Considerations.html);
// the API takes 7, 31 times 1 to 23 months, or 731
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html,
// PerformanceInsightsRetentionPeriod).
const (
	defaultInsightsRetentionDays  = 7
	advancedInsightsRetentionDays = 465
)

// enhancedMonitoringIntervals are the intervals RDS accepts
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html,
// MonitoringInterval); 0 turns Enhanced Monitoring off.
var enhancedMonitoringIntervals = []int64{0, 1, 5, 10, 15, 30, 60}

// enhancedMonitoringPolicy is AWS's managed policy for the Enhanced
// Monitoring role: it lets RDS write the RDSOSMetrics log group, nothing
// else (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonRDSEnhancedMonitoringRole.html).
const enhancedMonitoringPolicy = "policy/service-role/AmazonRDSEnhancedMonitoringRole"

// withInsightsDefaults fills the unset fields of databaseInsights (when set)
// and enhancedMonitoring.
func withInsightsDefaults(m *Monitoring) {
	if di := m.DatabaseInsights; di != nil {
		if di.Mode == "" {
			di.Mode = InsightsModeStandard
		}
		if di.RetentionDays == nil {
			di.RetentionDays = ptr.To[int64](defaultInsightsRetentionDays)
			if di.Mode == InsightsModeAdvanced {
				di.RetentionDays = ptr.To[int64](advancedInsightsRetentionDays)
			}
		}
	}
	if m.EnhancedMonitoring.IntervalSeconds == nil {
		m.EnhancedMonitoring.IntervalSeconds = ptr.To[int64](0)
	}
}

// validInsightsRetention reports whether RDS accepts a Performance
// Insights retention period.
func validInsightsRetention(days int64) bool {
	return days == 7 || days == 731 || (days >= 31 && days <= 23*31 && days%31 == 0)
}

// validateInsights checks a defaulted databaseInsights and
// enhancedMonitoring; p is spec.monitoring.
func validateInsights(p *field.Path, m Monitoring) field.ErrorList {
	var errs field.ErrorList
	if di := m.DatabaseInsights; di != nil {
		dp := p.Child("databaseInsights")
		modes := []string{InsightsModeStandard, InsightsModeAdvanced}
		days := *di.RetentionDays
		switch {
		case !slices.Contains(modes, di.Mode):
			errs = append(errs, field.NotSupported(dp.Child("mode"), di.Mode, modes))
		case di.Mode == InsightsModeAdvanced && days != advancedInsightsRetentionDays:
			errs = append(errs, field.Invalid(dp.Child("retentionDays"), days, "the Advanced mode of Database Insights needs 465 (15 months) of Performance Insights data"))
		case !validInsightsRetention(days):
			errs = append(errs, field.Invalid(dp.Child("retentionDays"), days, "must be 7, a multiple of 31 from 31 to 713 (months), or 731"))
		}
	}
	if v := *m.EnhancedMonitoring.IntervalSeconds; !slices.Contains(enhancedMonitoringIntervals, v) {
		errs = append(errs, field.NotSupported(p.Child("enhancedMonitoring", "intervalSeconds"), v, []string{"0", "1", "5", "10", "15", "30", "60"}))
	}
	return errs
}

// insightsKeyARN is the key Performance Insights encrypts with: the
// cluster's own, the existing key or the composed CMK once its ARN is
// observed (the Cluster kind has no reference for
// performanceInsightsKmsKeyId). Empty while unknown.
func (p *plan) insightsKeyARN(o observed) string {
	if k := p.spec.Encryption.ExistingKMSKeyARN; k != "" {
		return k
	}
	if k, ok := atProvider[kmsv1beta1.KeyObservation](o, nameKMSKey); ok {
		return ptr.Deref(k.Arn, "")
	}
	return ""
}

// insights is what the cluster and every instance say about Performance
// Insights: all instances the same, as Database Insights requires ("each DB
// instance in a DB cluster must have the same Performance Insights and
// Enhanced Monitoring settings", USER_DatabaseInsights.Considerations).
type insights struct {
	// set is false while the key is unknown: nothing is said then.
	set     bool
	enabled bool
	mode    string
	days    float64
	keyARN  string
}

// insightsFor resolves spec.monitoring.databaseInsights against the key.
// Absent, Performance Insights is off and the mode standard: said
// explicitly once the cluster exists, so that removing the setting turns it
// off (an unset field would keep what the provider late-initialised from
// AWS) and so that an adopted cluster under Manage follows the spec
// (adoptInsightsDifferences says so first); the provider sends a field
// only when it differs from what AWS reports, so this costs no call. A new
// cluster is created without them, with AWS's defaults (off, standard), so
// that its creation (or restore) never depends on Database Insights being
// offered in its region and engine version. Advanced is staged on an
// existing cluster (readyForAdvanced) and on the way off (leavingAdvanced).
func (p *plan) insightsFor(o observed) insights {
	di := p.spec.Monitoring.DatabaseInsights
	standard := strings.ToLower(InsightsModeStandard)
	at, _ := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if di == nil {
		if s, ok := p.leavingAdvanced(o, at); ok {
			return s
		}
		return insights{set: o.exists(nameCluster), mode: standard}
	}
	// NOTE: never with AWS's default key: RDS would encrypt the data with
	// aws/rds instead of the cluster's key. Said once the key is known.
	key := p.insightsKeyARN(o)
	if key == "" {
		return insights{}
	}
	i := insights{set: true, enabled: true, mode: strings.ToLower(di.Mode), days: float64(*di.RetentionDays), keyARN: key}
	if i.mode == strings.ToLower(InsightsModeAdvanced) && !readyForAdvanced(at) {
		i.mode = standard
	}
	return i
}

// insightsAdvancedMinDays is the retention Advanced mode needs.
const insightsAdvancedMinDays = 465

// readyForAdvanced reports whether the cluster may be asked for Advanced
// mode: it does not exist yet (CreateDBCluster takes Advanced with
// Performance Insights and 465 days in one call), it runs Advanced
// already, or AWS reports Performance Insights on with at least 465 days.
// NOTE: on an existing cluster RDS checks the mode against the retention
// it has, not the one in the same ModifyDBCluster: "To enable the Advanced
// mode of Database Insights, modify your cluster to enable Performance
// Insights and set the retention period ... to at least 465 days"
// (ansible-collections/amazon.aws#2543, pulumi/pulumi-aws#5286,
// hashicorp/terraform-provider-aws#41792); and the provider sends mode,
// Performance Insights and retention in one call whenever the mode changes
// (terraform-provider-aws internal/service/rds/cluster.go,
// resourceClusterUpdate). So Performance Insights with 465 days comes
// first, in mode standard, and Advanced in the next call.
func readyForAdvanced(at *rdsv1beta1.ClusterObservation) bool {
	if at == nil || at.DatabaseInsightsMode == nil {
		return true
	}
	if strings.EqualFold(*at.DatabaseInsightsMode, InsightsModeAdvanced) {
		return true
	}
	return ptr.Deref(at.PerformanceInsightsEnabled, false) && ptr.Deref(at.PerformanceInsightsRetentionPeriod, 0) >= insightsAdvancedMinDays
}

// leavingAdvanced is the first step of turning Database Insights off on a
// cluster that runs Advanced: mode standard with Performance Insights still
// on, with the retention and key AWS reports. Performance Insights goes off
// in a later call, once AWS reports standard.
// NOTE: Advanced needs Performance Insights on (USER_DatabaseInsights.
// Considerations); whether RDS takes Performance Insights off together with
// the mode change, with the late-initialised 465 days in the same call, is
// not documented (AWS review 6, finding 3), so it is never asked.
func (p *plan) leavingAdvanced(o observed, at *rdsv1beta1.ClusterObservation) (insights, bool) {
	if at == nil || !strings.EqualFold(ptr.Deref(at.DatabaseInsightsMode, ""), InsightsModeAdvanced) {
		return insights{}, false
	}
	key := ptr.Deref(at.PerformanceInsightsKMSKeyID, "")
	if key == "" {
		key = p.insightsKeyARN(o)
	}
	days := ptr.Deref(at.PerformanceInsightsRetentionPeriod, 0)
	if key == "" || days == 0 {
		// Nothing known to keep: say nothing rather than something wrong.
		return insights{}, true
	}
	return insights{set: true, enabled: true, mode: strings.ToLower(InsightsModeStandard), days: days, keyARN: key}, true
}

// cluster sets Database Insights on the cluster: on Aurora the mode
// is the cluster's, and "You can't manage Database Insights for a DB
// instance in a DB cluster" (USER_DatabaseInsights.Considerations).
func (i insights) cluster(fp *rdsv1beta1.ClusterParameters) {
	if !i.set {
		return
	}
	fp.DatabaseInsightsMode = ptr.To(i.mode)
	fp.PerformanceInsightsEnabled = ptr.To(i.enabled)
	if i.enabled {
		fp.PerformanceInsightsKMSKeyID = ptr.To(i.keyARN)
		fp.PerformanceInsightsRetentionPeriod = ptr.To(i.days)
	}
}

// instance sets the same Performance Insights settings on an instance.
// NOTE: said on the instance too, not left to inherit from the cluster:
// the provider late-initialises unset fields from what AWS reports, and a
// stale performanceInsightsEnabled true on the instance would conflict
// with the cluster's after it is turned off ("cannot be set to a value
// that conflicts with the cluster's configuration", Terraform's
// aws_rds_cluster_instance performance_insights_enabled).
func (i insights) instance(fp *rdsv1beta1.ClusterInstanceParameters) {
	if !i.set {
		return
	}
	fp.PerformanceInsightsEnabled = ptr.To(i.enabled)
	if i.enabled {
		fp.PerformanceInsightsKMSKeyID = ptr.To(i.keyARN)
		fp.PerformanceInsightsRetentionPeriod = ptr.To(i.days)
	}
}

// adoptInsightsDifferences says how an adopted cluster's Performance
// Insights differ from the spec, and what Manage does about it.
func (p *plan) adoptInsightsDifferences(at *rdsv1beta1.ClusterObservation) []string {
	on := ptr.Deref(at.PerformanceInsightsEnabled, false)
	mode := ptr.Deref(at.DatabaseInsightsMode, "")
	di := p.spec.Monitoring.DatabaseInsights
	switch {
	case di == nil && on:
		return []string{fmt.Sprintf("monitoring.databaseInsights: Performance Insights is on (mode %s); Manage turns it off and its data is no longer kept: set spec.monitoring.databaseInsights to keep it", orNone(mode, "standard"))}
	case di == nil:
		return nil
	case !on:
		return []string{fmt.Sprintf("monitoring.databaseInsights: Performance Insights is off; Manage turns it on (%s, %d days)", di.Mode, *di.RetentionDays)}
	}
	var diffs []string
	if want := strings.ToLower(di.Mode); mode != "" && mode != want {
		diffs = append(diffs, fmt.Sprintf("monitoring.databaseInsights.mode: runs %s, the spec asks %s", mode, want))
	}
	if v := int64(ptr.Deref(at.PerformanceInsightsRetentionPeriod, 0)); v != 0 && v != *di.RetentionDays {
		diffs = append(diffs, fmt.Sprintf("monitoring.databaseInsights.retentionDays: runs %d, the spec asks %d", v, *di.RetentionDays))
	}
	if k := ptr.Deref(at.PerformanceInsightsKMSKeyID, ""); k != "" && p.spec.Encryption.ExistingKMSKeyARN != "" && k != p.spec.Encryption.ExistingKMSKeyARN {
		// NOTE: RDS takes the key when Performance Insights is turned on;
		// whether ModifyDBCluster changes it later is not documented, so
		// the way that surely works is said: off first, then on.
		diffs = append(diffs, fmt.Sprintf("monitoring.databaseInsights: Performance Insights data is encrypted with %s, not the cluster's key %s; Manage asks for the cluster's key: if RDS refuses, leave spec.monitoring.databaseInsights out until Performance Insights is off, then set it again", k, p.spec.Encryption.ExistingKMSKeyARN))
	}
	return diffs
}
