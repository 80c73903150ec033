package main

import (
	"k8s.io/utils/ptr"
)

// Monitoring is spec.monitoring: the slow-query metric, the CloudWatch
// alarms and the RDS event notifications of the cluster.
type Monitoring struct {
	SlowQueryMetrics SlowQueryMetrics `json:"slowQueryMetrics,omitempty"`
	Alarms           Alarms           `json:"alarms,omitempty"`
	// DatabaseInsights and EnhancedMonitoring: monitoring_insights.go.
	DatabaseInsights   *DatabaseInsights  `json:"databaseInsights,omitempty"`
	EnhancedMonitoring EnhancedMonitoring `json:"enhancedMonitoring,omitempty"`
}

// SlowQueryMetrics turns the slow-query log (log_min_duration_statement =
// spec.logging.slowQueryThresholdMs) into a CloudWatch metric, so the
// parameter, the exported log and the metric filter never disagree.
type SlowQueryMetrics struct {
	// Enabled composes the metric filter. It needs the postgresql log export
	// and a slow-query threshold other than -1.
	Enabled *bool `json:"enabled,omitempty"`
	// FilterPattern replaces the default pattern (slowQueryPattern).
	FilterPattern string `json:"filterPattern,omitempty"`
	// Threshold is the number of slow queries per alarm period above which
	// the slow-query alarm fires. 0 fires on the first one.
	Threshold *float64 `json:"threshold,omitempty"`
}

// Alarms are the CloudWatch alarms and the RDS event subscription. Enabled
// false removes all of them, and only them: logs and the metric filter stay.
type Alarms struct {
	Enabled *bool `json:"enabled,omitempty"`
	// ActionARNs are notified when an alarm fires: SNS topics, Lambda
	// functions, Systems Manager OpsItems or Incident Manager response
	// plans. SNS topics and Lambda functions also hear about recovery; the
	// first SNS topic receives the RDS events.
	ActionARNs      []string           `json:"actionArns,omitempty"`
	SlowQueries     SlowQueryAlarm     `json:"slowQueries,omitempty"`
	CPU             AlarmSettings      `json:"cpu,omitempty"`
	FreeableMemory  AlarmSettings      `json:"freeableMemory,omitempty"`
	Connections     AlarmSettings      `json:"connections,omitempty"`
	ReplicaLag      AlarmSettings      `json:"replicaLag,omitempty"`
	ACUUtilization  AlarmSettings      `json:"acuUtilization,omitempty"`
	RotationFailure AlarmSettings      `json:"rotationFailure,omitempty"`
	Events          EventNotifications `json:"events,omitempty"`
	// PostgreSQL's own failure modes (alarms_postgres.go).
	TransactionIDWraparound AlarmSettings `json:"transactionIdWraparound,omitempty"`
	FreeLocalStorage        AlarmSettings `json:"freeLocalStorage,omitempty"`
	Deadlocks               AlarmSettings `json:"deadlocks,omitempty"`
}

// AlarmSettings tunes one alarm. The threshold's unit is the alarm's own (see
// alarmSpecs): percent, MiB, connections, milliseconds or errors.
type AlarmSettings struct {
	Enabled           *bool    `json:"enabled,omitempty"`
	Threshold         *float64 `json:"threshold,omitempty"`
	PeriodSeconds     *int64   `json:"periodSeconds,omitempty"`
	EvaluationPeriods *int64   `json:"evaluationPeriods,omitempty"`
}

// SlowQueryAlarm tunes the slow-query alarm. It has no threshold of its own:
// spec.monitoring.slowQueryMetrics.threshold is the one place to set it.
type SlowQueryAlarm struct {
	Enabled           *bool  `json:"enabled,omitempty"`
	PeriodSeconds     *int64 `json:"periodSeconds,omitempty"`
	EvaluationPeriods *int64 `json:"evaluationPeriods,omitempty"`
}

// EventNotifications switches the RDS event subscriptions on or off.
type EventNotifications struct {
	Enabled *bool `json:"enabled,omitempty"`
	// InstanceEvents adds a second subscription, for the instances.
	InstanceEvents *bool `json:"instanceEvents,omitempty"`
}

// Alarm kinds. Each names an alarm's settings, its composed resource and,
// with the cluster identifier, its name in CloudWatch.
const (
	alarmSlowQueries     = "slow-queries"
	alarmCPU             = "cpu"
	alarmFreeableMemory  = "freeable-memory"
	alarmConnections     = "connections"
	alarmReplicaLag      = "replica-lag"
	alarmACUUtilization  = "acu-utilization"
	alarmRotationFailure = "rotation-failure"
	// alarms_postgres.go
	alarmTransactionIDWraparound = "transaction-id-wraparound"
	alarmFreeLocalStorage        = "free-local-storage"
	alarmDeadlocks               = "deadlocks"
)

// CloudWatch and RDS names and limits monitoring works with.
const (
	slowQueryMetricNamespace = "AuroraPostgreSQL/SlowQueries"
	awsRDSNamespace          = "AWS/RDS"
	awsLambdaNamespace       = "AWS/Lambda"
	eventSourceCluster       = "db-cluster"
	eventSourceInstance      = "db-instance"
	maxAlarmActions          = 5    // PutMetricAlarm takes at most 5 alarm actions
	maxFilterPatternLength   = 1024 // PutMetricFilter's limit
	maxAlarmWindowSeconds    = 86400
	mebibyte                 = 1 << 20
)

// Defaults shared by several alarms; alarmSpecs holds each alarm's own.
const (
	defaultSlowQueryAlarmThreshold   = 10
	defaultAlarmPeriodSeconds        = 300
	defaultSlowQueryEvaluationPeriod = 1
)

// alarmSpec is what one kind of alarm watches and how; the user's
// AlarmSettings add the threshold, period and evaluation periods.
type alarmSpec struct {
	metric     string
	namespace  string
	statistic  string
	comparison string
	// treatMissingData is chosen per alarm; see alarmSpecs.
	treatMissingData string
	// unit is the threshold's unit in the API and in descriptions; scale
	// converts it to the metric's unit.
	unit  string
	scale float64
	// valid and rule check a threshold and say what is allowed.
	valid func(float64) bool
	rule  string
	// defaults are the settings an unset field takes.
	defaults AlarmSettings
}

// alarmSpecs are the alarms and their defaults.
//
// Dimensions: CPU, memory, connections and ACU are per instance
// (DBInstanceIdentifier): an instance's identifier survives failover while
// its role does not, max_connections and memory are per instance, and an
// aggregate by role would hide which instance is in trouble. Replica lag is
// per cluster with Role=READER and Maximum: the worst reader, whichever
// instances are readers after a failover.
//
// Missing data: an instance that is being created, paused (serverless v2
// auto-pause), stopped or replaced reports nothing; that is not load, and the
// RDS event subscription reports outages, so the load alarms treat it as not
// breaching (and do not flap to INSUFFICIENT_DATA and back to OK, which would
// notify). The slow-query metric has data only while the log has lines, so
// no data means no slow queries. The rotation Lambda reports Errors only when
// it runs, every few weeks: "ignore" keeps a failed rotation in ALARM until
// the next rotation succeeds, instead of pretending it recovered after one
// quiet period.
var alarmSpecs = map[string]alarmSpec{
	alarmSlowQueries: {
		metric: "", namespace: slowQueryMetricNamespace, statistic: "Sum", comparison: "GreaterThanThreshold",
		treatMissingData: "notBreaching", unit: "slow queries", scale: 1,
		valid: func(v float64) bool { return v >= 0 && v <= 1e6 }, rule: "must be between 0 and 1000000 slow queries per period",
		defaults: AlarmSettings{Threshold: ptr.To[float64](defaultSlowQueryAlarmThreshold), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](defaultSlowQueryEvaluationPeriod)},
	},
	alarmCPU: {
		metric: "CPUUtilization", namespace: awsRDSNamespace, statistic: "Average", comparison: "GreaterThanThreshold",
		treatMissingData: "notBreaching", unit: "%", scale: 1,
		valid: func(v float64) bool { return v > 0 && v < 100 }, rule: "must be a percentage greater than 0 and less than 100",
		defaults: AlarmSettings{Threshold: ptr.To(80.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](3)},
	},
	alarmFreeableMemory: {
		metric: "FreeableMemory", namespace: awsRDSNamespace, statistic: "Average", comparison: "LessThanThreshold",
		treatMissingData: "notBreaching", unit: "MiB", scale: mebibyte,
		valid: func(v float64) bool { return v > 0 && v <= 2*mebibyte }, rule: "must be more than 0 and at most 2097152 MiB",
		defaults: AlarmSettings{Threshold: ptr.To(512.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](3)},
	},
	alarmConnections: {
		metric: "DatabaseConnections", namespace: awsRDSNamespace, statistic: "Maximum", comparison: "GreaterThanThreshold",
		treatMissingData: "notBreaching", unit: "connections", scale: 1,
		valid: func(v float64) bool { return v >= 1 && v <= 262143 }, rule: "must be between 1 and 262143 connections (PostgreSQL's maximum max_connections)",
		defaults: AlarmSettings{Threshold: ptr.To(1000.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](2)},
	},
	alarmReplicaLag: {
		metric: "AuroraReplicaLag", namespace: awsRDSNamespace, statistic: "Maximum", comparison: "GreaterThanThreshold",
		treatMissingData: "notBreaching", unit: "ms", scale: 1,
		valid: func(v float64) bool { return v > 0 && v <= 3600000 }, rule: "must be more than 0 and at most 3600000 milliseconds",
		defaults: AlarmSettings{Threshold: ptr.To(1000.0), PeriodSeconds: ptr.To[int64](60), EvaluationPeriods: ptr.To[int64](5)},
	},
	alarmACUUtilization: {
		metric: "ACUUtilization", namespace: awsRDSNamespace, statistic: "Average", comparison: "GreaterThanThreshold",
		treatMissingData: "notBreaching", unit: "%", scale: 1,
		valid: func(v float64) bool { return v > 0 && v < 100 }, rule: "must be a percentage greater than 0 and less than 100",
		defaults: AlarmSettings{Threshold: ptr.To(90.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](3)},
	},
	alarmRotationFailure: {
		metric: "Errors", namespace: awsLambdaNamespace, statistic: "Sum", comparison: "GreaterThanThreshold",
		treatMissingData: "ignore", unit: "errors", scale: 1,
		valid: func(v float64) bool { return v >= 0 && v <= 1000 }, rule: "must be between 0 and 1000 errors per period",
		defaults: AlarmSettings{Threshold: ptr.To(0.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](1)},
	},
	alarmTransactionIDWraparound: transactionIDWraparoundAlarm,
	alarmFreeLocalStorage:        freeLocalStorageAlarm,
	alarmDeadlocks:               deadlocksAlarm,
}

// withMonitoringDefaults fills every unset monitoring field with its default,
// the same as the XRD's.
func withMonitoringDefaults(m *Monitoring) {
	sq := &m.SlowQueryMetrics
	if sq.Enabled == nil {
		sq.Enabled = ptr.To(true)
	}
	if sq.Threshold == nil {
		sq.Threshold = ptr.To(*alarmSpecs[alarmSlowQueries].defaults.Threshold)
	}
	a := &m.Alarms
	if a.Enabled == nil {
		a.Enabled = ptr.To(true)
	}
	if a.Events.Enabled == nil {
		a.Events.Enabled = ptr.To(true)
	}
	if a.Events.InstanceEvents == nil {
		a.Events.InstanceEvents = ptr.To(false)
	}
	sqa := &a.SlowQueries
	d := alarmSpecs[alarmSlowQueries].defaults
	if sqa.Enabled == nil {
		sqa.Enabled = ptr.To(true)
	}
	if sqa.PeriodSeconds == nil {
		sqa.PeriodSeconds = ptr.To(*d.PeriodSeconds)
	}
	if sqa.EvaluationPeriods == nil {
		sqa.EvaluationPeriods = ptr.To(*d.EvaluationPeriods)
	}
	withInsightsDefaults(m)
	for kind, s := range a.settings() {
		d := alarmSpecs[kind].defaults
		if s.Enabled == nil {
			s.Enabled = ptr.To(true)
		}
		if s.Threshold == nil {
			s.Threshold = ptr.To(*d.Threshold)
		}
		if s.PeriodSeconds == nil {
			s.PeriodSeconds = ptr.To(*d.PeriodSeconds)
		}
		if s.EvaluationPeriods == nil {
			s.EvaluationPeriods = ptr.To(*d.EvaluationPeriods)
		}
	}
}

// settings are the alarms with AlarmSettings of their own, by kind.
func (a *Alarms) settings() map[string]*AlarmSettings {
	return map[string]*AlarmSettings{
		alarmCPU:             &a.CPU,
		alarmFreeableMemory:  &a.FreeableMemory,
		alarmConnections:     &a.Connections,
		alarmReplicaLag:      &a.ReplicaLag,
		alarmACUUtilization:  &a.ACUUtilization,
		alarmRotationFailure: &a.RotationFailure,
		// alarms_postgres.go
		alarmTransactionIDWraparound: &a.TransactionIDWraparound,
		alarmFreeLocalStorage:        &a.FreeLocalStorage,
		alarmDeadlocks:               &a.Deadlocks,
	}
}

// alarmFields are the JSON names of the alarm settings, for field paths.
var alarmFields = map[string]string{
	alarmSlowQueries:     "slowQueries",
	alarmCPU:             "cpu",
	alarmFreeableMemory:  "freeableMemory",
	alarmConnections:     "connections",
	alarmReplicaLag:      "replicaLag",
	alarmACUUtilization:  "acuUtilization",
	alarmRotationFailure: "rotationFailure",
	// alarms_postgres.go
	alarmTransactionIDWraparound: "transactionIdWraparound",
	alarmFreeLocalStorage:        "freeLocalStorage",
	alarmDeadlocks:               "deadlocks",
}

// slowQuerySettings are the slow-query alarm's settings, with the threshold
// from slowQueryMetrics.
func (m Monitoring) slowQuerySettings() AlarmSettings {
	s := m.Alarms.SlowQueries
	return AlarmSettings{Enabled: s.Enabled, Threshold: m.SlowQueryMetrics.Threshold, PeriodSeconds: s.PeriodSeconds, EvaluationPeriods: s.EvaluationPeriods}
}
