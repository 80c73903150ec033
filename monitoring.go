package main

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	cloudwatchv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/cloudwatch/v1beta1"
	logsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/cloudwatchlogs/v1beta1"
	rdsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/rds/v1beta1"
)

// Monitoring is spec.monitoring: the slow-query metric, the CloudWatch
// alarms and the RDS event notifications of the cluster.
type Monitoring struct {
	SlowQueryMetrics SlowQueryMetrics `json:"slowQueryMetrics,omitempty"`
	Alarms           Alarms           `json:"alarms,omitempty"`
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

// EventNotifications switches the RDS event subscription on or off.
type EventNotifications struct {
	Enabled *bool `json:"enabled,omitempty"`
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

// slowQueryMetricName is the slow-query metric of one cluster, in
// slowQueryMetricNamespace.
// NOTE: a metric filter's dimensions can only take values of fields the
// pattern extracts from the log line, and no field of an RDS PostgreSQL log
// line names the cluster. So the cluster is the metric's name, not a
// dimension; a filter with dimensions could not have its default value of 0
// either.
func slowQueryMetricName(clusterID string) string {
	return clusterID
}

// slowQueryPattern is the default metric filter pattern: a space-delimited
// pattern that matches the slow-query lines log_min_duration_statement
// writes, at or above thresholdMs, such as (log_line_prefix %t:%r:%u@%d:[%p]:
// on RDS)
//
//	2026-11-26 12:00:01 UTC:10.0.1.23(51234):app@orders:[12345]:LOG:  duration: 1532.123 ms  statement: SELECT ...
//	2026-11-26 12:00:01 UTC:10.0.1.23(51234):app@orders:[12345]:LOG:  duration: 1532.123 ms  execute <unnamed>: SELECT ...
//
// CloudWatch splits the line on runs of spaces ("LOG:  duration" is two
// fields, not three), so the fields are: date, time, the prefix ending in
// ":LOG:", "duration:", the milliseconds, "ms", and the last field, which
// takes the rest of the line. Anchoring every field from the start means a
// statement whose text contains "duration: 99999 ms" cannot match, and no
// ellipsis is needed. Each slow query counts once: simple-protocol
// "statement:" and extended-protocol "execute" lines count; "parse" and
// "bind" lines of the same query, auto_explain "plan:" lines and
// log_duration lines without a statement do not. ERROR and other lines fail
// the prefix or label fields. monitoring_pattern_test.go proves all this
// against sample lines.
func slowQueryPattern(thresholdMs int64) string {
	return fmt.Sprintf(`[date, time, prefix="*:LOG:", label="duration:", duration >= %d, unit="ms", statement="statement:*" || statement="execute*"]`, thresholdMs)
}

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
}

// slowQuerySettings are the slow-query alarm's settings, with the threshold
// from slowQueryMetrics.
func (m Monitoring) slowQuerySettings() AlarmSettings {
	s := m.Alarms.SlowQueries
	return AlarmSettings{Enabled: s.Enabled, Threshold: m.SlowQueryMetrics.Threshold, PeriodSeconds: s.PeriodSeconds, EvaluationPeriods: s.EvaluationPeriods}
}

// Alarm action ARNs CloudWatch accepts for an alarm on RDS or Lambda
// metrics (PutMetricAlarm's AlarmActions). EC2 actions (arn:...:automate:
// <region>:ec2:..., arn:...:swf:...:AWS_EC2...) and Auto Scaling policies
// are valid only on EC2 and Auto Scaling metrics, so they are refused with a
// reason.
var (
	reSNSTopicARN      = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):([0-9]{12}):[A-Za-z0-9_-]{1,256}$`)
	reLambdaARN        = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):lambda:([a-z0-9-]+):([0-9]{12}):function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$`)
	reOpsItemARN       = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):ssm:([a-z0-9-]+):([0-9]{12}):opsitem:[1-4](#CATEGORY=(Availability|Cost|Performance|Recovery|Security))?$`)
	reResponsePlanARN  = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):ssm-incidents::([0-9]{12}):responseplan/[A-Za-z0-9_-]{1,200}$`)
	reEC2ActionARN     = regexp.MustCompile(`^arn:[a-z-]+:(automate:[a-z0-9-]*:ec2:|swf:.*AWS_EC2\.)`)
	reAutoScalingARN   = regexp.MustCompile(`^arn:[a-z-]+:autoscaling:`)
	actionARNsAccepted = "an SNS topic (arn:aws:sns:<region>:<account>:<topic>), a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]), a Systems Manager OpsItem (arn:aws:ssm:<region>:<account>:opsitem:<severity 1-4>[#CATEGORY=<category>]) or an Incident Manager response plan (arn:aws:ssm-incidents::<account>:responseplan/<name>)"
)

// actionKind is what an alarm action ARN does.
type actionKind int

const (
	actionInvalid actionKind = iota
	actionSNS
	actionLambda
	actionOpsItem
	actionResponsePlan
)

// classifyAction returns what an ARN is, with its partition and region
// (empty for response plans, which have none).
func classifyAction(arn string) (kind actionKind, partition, region string) {
	for _, c := range []struct {
		re   *regexp.Regexp
		kind actionKind
	}{{reSNSTopicARN, actionSNS}, {reLambdaARN, actionLambda}, {reOpsItemARN, actionOpsItem}} {
		if m := c.re.FindStringSubmatch(arn); m != nil {
			return c.kind, m[1], m[2]
		}
	}
	if m := reResponsePlanARN.FindStringSubmatch(arn); m != nil {
		return actionResponsePlan, m[1], ""
	}
	return actionInvalid, "", ""
}

// validateMonitoring checks a defaulted spec.monitoring; region is the
// cluster's. Every problem comes with its field path.
func validateMonitoring(p *field.Path, m Monitoring, region string) field.ErrorList {
	var errs field.ErrorList
	sq := m.SlowQueryMetrics
	sp := p.Child("slowQueryMetrics")
	if fp := sq.FilterPattern; fp != "" {
		switch {
		case strings.TrimSpace(fp) == "":
			errs = append(errs, field.Invalid(sp.Child("filterPattern"), fp, "must not be blank: leave it empty for the default pattern"))
		case len(fp) > maxFilterPatternLength:
			errs = append(errs, field.TooLong(sp.Child("filterPattern"), fp, maxFilterPatternLength))
		}
	}
	if t := *sq.Threshold; !alarmSpecs[alarmSlowQueries].valid(t) {
		errs = append(errs, field.Invalid(sp.Child("threshold"), t, alarmSpecs[alarmSlowQueries].rule))
	}

	ap := p.Child("alarms")
	a := m.Alarms
	errs = append(errs, validateActionARNs(ap.Child("actionArns"), a.ActionARNs, region)...)
	errs = append(errs, validateAlarmWindow(ap.Child(alarmFields[alarmSlowQueries]), *a.SlowQueries.PeriodSeconds, *a.SlowQueries.EvaluationPeriods)...)
	for _, kind := range []string{alarmCPU, alarmFreeableMemory, alarmConnections, alarmReplicaLag, alarmACUUtilization, alarmRotationFailure} {
		s := *a.settings()[kind]
		kp := ap.Child(alarmFields[kind])
		if spec := alarmSpecs[kind]; !spec.valid(*s.Threshold) {
			errs = append(errs, field.Invalid(kp.Child("threshold"), *s.Threshold, spec.rule))
		}
		errs = append(errs, validateAlarmWindow(kp, *s.PeriodSeconds, *s.EvaluationPeriods)...)
	}
	return errs
}

// validateMonitoringLogging cross-checks spec.monitoring with spec.logging: a
// custom filter pattern that would never be used is a mistake worth saying.
// Without a custom pattern, slow-query metrics just stay off when the log
// is off.
func validateMonitoringLogging(p *field.Path, m Monitoring, l Logging) field.ErrorList {
	fp := m.SlowQueryMetrics.FilterPattern
	if fp == "" || !*m.SlowQueryMetrics.Enabled {
		return nil
	}
	pp := p.Child("slowQueryMetrics", "filterPattern")
	switch {
	case !slices.Contains(l.Exports, logExportPostgreSQL):
		return field.ErrorList{field.Invalid(pp, fp, `has no log to filter: add "postgresql" to spec.logging.exports`)}
	case *l.SlowQueryThresholdMs < 0:
		return field.ErrorList{field.Invalid(pp, fp, "has no effect while spec.logging.slowQueryThresholdMs is -1 (slow-query log off)")}
	}
	return nil
}

// validateActionARNs checks that each action is one CloudWatch can run for
// this cluster's alarms, in its region and partition.
func validateActionARNs(p *field.Path, arns []string, region string) field.ErrorList {
	var errs field.ErrorList
	if len(arns) > maxAlarmActions {
		errs = append(errs, field.TooMany(p, len(arns), maxAlarmActions))
	}
	partition := partitionOf(region)
	seen := map[string]bool{}
	for i, arn := range arns {
		ip := p.Index(i)
		kind, part, r := classifyAction(arn)
		switch {
		case reEC2ActionARN.MatchString(arn):
			errs = append(errs, field.Invalid(ip, arn, "EC2 actions work only on alarms on EC2 instance metrics, not on this cluster's: use "+actionARNsAccepted))
		case reAutoScalingARN.MatchString(arn):
			errs = append(errs, field.Invalid(ip, arn, "Auto Scaling policies are not accepted: a database alarm notifies, it does not scale EC2 groups; use "+actionARNsAccepted))
		case kind == actionInvalid:
			errs = append(errs, field.Invalid(ip, arn, "must be "+actionARNsAccepted))
		case part != partition:
			errs = append(errs, field.Invalid(ip, arn, fmt.Sprintf("must be in the %s partition of region %s", partition, region)))
		case r != "" && r != region:
			errs = append(errs, field.Invalid(ip, arn, fmt.Sprintf("must be in the cluster's region %s, not %s", region, r)))
		case seen[arn]:
			errs = append(errs, field.Duplicate(ip, arn))
		}
		seen[arn] = true
	}
	return errs
}

// validateAlarmWindow checks an alarm's period and evaluation periods. RDS
// and Lambda publish one-minute metrics, so periods are whole minutes; an
// alarm evaluates at most one day of data.
func validateAlarmWindow(p *field.Path, period, evaluationPeriods int64) field.ErrorList {
	var errs field.ErrorList
	if period < 60 || period > maxAlarmWindowSeconds || period%60 != 0 {
		errs = append(errs, field.Invalid(p.Child("periodSeconds"), period, "must be a multiple of 60 seconds, at most 86400"))
		return errs
	}
	switch {
	case evaluationPeriods < 1:
		errs = append(errs, field.Invalid(p.Child("evaluationPeriods"), evaluationPeriods, "must be at least 1"))
	case period*evaluationPeriods > maxAlarmWindowSeconds:
		errs = append(errs, field.Invalid(p.Child("evaluationPeriods"), evaluationPeriods, fmt.Sprintf("times periodSeconds (%d) must not exceed 86400 seconds (one day)", period)))
	}
	return errs
}

// slowQueryMetricsOn reports whether the slow-query metric filter belongs to
// the cluster: enabled, with a slow-query log to read.
func (p *plan) slowQueryMetricsOn(m Monitoring) bool {
	return *m.SlowQueryMetrics.Enabled &&
		*p.spec.Logging.SlowQueryThresholdMs >= 0 &&
		slices.Contains(p.spec.Logging.Exports, logExportPostgreSQL)
}

// slowQueryFilterPattern is the user's pattern or the default one for the
// cluster's slow-query threshold.
func (p *plan) slowQueryFilterPattern(m Monitoring) string {
	if fp := m.SlowQueryMetrics.FilterPattern; fp != "" {
		return fp
	}
	return slowQueryPattern(*p.spec.Logging.SlowQueryThresholdMs)
}

// slowQueryMetricFilter counts slow queries in the cluster's postgresql log
// group: 1 per matching line, and 0 for a minute with log lines but none
// matching, so the metric reads 0 rather than nothing on a quiet but live
// cluster.
func (p *plan) slowQueryMetricFilter(m Monitoring) *logsv1beta1.MetricFilter {
	return &logsv1beta1.MetricFilter{
		ObjectMeta: p.objectMeta(nameSlowQueryMetricFilter, slowQueryMetricFilterName(p.clusterID)),
		Spec: logsv1beta1.MetricFilterSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: logsv1beta1.MetricFilterParameters{
				Region:               ptr.To(p.region),
				LogGroupNameSelector: selectorFor(nameLogGroup(logExportPostgreSQL)),
				Pattern:              ptr.To(p.slowQueryFilterPattern(m)),
				MetricTransformation: &logsv1beta1.MetricTransformationParameters{
					Namespace:    ptr.To(slowQueryMetricNamespace),
					Name:         ptr.To(slowQueryMetricName(p.clusterID)),
					Value:        ptr.To("1"),
					DefaultValue: ptr.To("0"),
					Unit:         ptr.To("Count"),
				},
			},
		},
	}
}

// namedAlarm is one alarm with its composed resource name.
type namedAlarm struct {
	name  resource.Name
	alarm *cloudwatchv1beta1.MetricAlarm
}

// alarms are the cluster's metric alarms, in order: slow queries, then per
// instance CPU, freeable memory, connections and (db.serverless only) ACU
// utilization, then replica lag when the cluster has readers. Alarms on
// instances that do not exist yet are harmless: they wait for data. None
// when monitoring.alarms.enabled is false.
func (p *plan) alarms(m Monitoring) []namedAlarm {
	a := m.Alarms
	if !*a.Enabled {
		return nil
	}
	var out []namedAlarm
	if sq := m.slowQuerySettings(); *sq.Enabled && p.slowQueryMetricsOn(m) {
		what := fmt.Sprintf("statements of at least %d ms", *p.spec.Logging.SlowQueryThresholdMs)
		if m.SlowQueryMetrics.FilterPattern != "" {
			what = "log lines matching the custom filter pattern"
		}
		out = append(out, p.metricAlarm(m, alarmSlowQueries, "", sq, slowQueryMetricName(p.clusterID), nil,
			fmt.Sprintf("Aurora PostgreSQL cluster %s: more than %s slow queries (%s)", p.clusterID, formatThreshold(*sq.Threshold), what)))
	}
	for i, in := range p.spec.Instances {
		suffix := instanceSuffix(i, in)
		id := instanceIdentifier(p.clusterID, suffix)
		dims := map[string]string{"DBInstanceIdentifier": id}
		kinds := []string{alarmCPU, alarmFreeableMemory, alarmConnections}
		if in.InstanceClass == instanceClassServerless {
			kinds = append(kinds, alarmACUUtilization)
		}
		for _, kind := range kinds {
			s := *a.settings()[kind]
			if !*s.Enabled {
				continue
			}
			out = append(out, p.metricAlarm(m, kind, suffix, s, alarmSpecs[kind].metric, dims,
				fmt.Sprintf("Aurora PostgreSQL cluster %s, instance %s", p.clusterID, id)))
		}
	}
	if s := a.ReplicaLag; *s.Enabled && len(p.spec.Instances) > 1 {
		out = append(out, p.metricAlarm(m, alarmReplicaLag, "", s, alarmSpecs[alarmReplicaLag].metric,
			map[string]string{"DBClusterIdentifier": p.clusterID, "Role": "READER"},
			fmt.Sprintf("Aurora PostgreSQL cluster %s, its most lagging reader", p.clusterID)))
	}
	return out
}

// rotationFailureAlarm fires when the rotation Lambda of the master secret
// fails. function is the rotator's name or ARN (a qualifier is dropped: the
// metric is per function). It reports false when alarms, or this alarm, are
// off. Compose it only when the cluster has a rotator (SelfManaged
// credentials).
//
// Why the Lambda's Errors metric rather than an EventBridge rule on Secrets
// Manager's RotationFailed event: every failed rotation step is a failed
// invocation of the rotator (exceptions and timeouts both count as Errors),
// so one MetricAlarm covers it with the same actions, the same
// validation and, unlike a one-shot event, an OK when the next rotation
// succeeds. The event route needs RotationFailed delivered through
// CloudTrail, plus an EventBridge rule, a target and an SNS topic policy
// letting events.amazonaws.com publish, and cannot take Lambda, OpsItem or
// response plan actions the same way. What it would catch that Errors does
// not: Secrets Manager failing to invoke the rotator at all (for example, a
// missing lambda Permission), which the credentials feature's own readiness
// checks cover.
func (p *plan) rotationFailureAlarm(m Monitoring, function string) (namedAlarm, bool) {
	functionName := lambdaFunctionName(function)
	s := m.Alarms.RotationFailure
	if !*m.Alarms.Enabled || !*s.Enabled || functionName == "" {
		return namedAlarm{}, false
	}
	return p.metricAlarm(m, alarmRotationFailure, "", s, alarmSpecs[alarmRotationFailure].metric,
		map[string]string{"FunctionName": functionName},
		fmt.Sprintf("Aurora PostgreSQL cluster %s: master secret rotation by Lambda %s", p.clusterID, functionName)), true
}

// lambdaFunctionName is the FunctionName dimension of a Lambda function
// given by name or by (qualified) ARN.
func lambdaFunctionName(function string) string {
	if _, rest, ok := strings.Cut(function, ":function:"); ok && strings.HasPrefix(function, "arn:") {
		name, _, _ := strings.Cut(rest, ":")
		return name
	}
	return function
}

// metricAlarm builds one alarm of a kind from its settings.
func (p *plan) metricAlarm(m Monitoring, kind, suffix string, s AlarmSettings, metric string, dims map[string]string, subject string) namedAlarm {
	spec := alarmSpecs[kind]
	onAlarm, onOK := alarmActions(m.Alarms.ActionARNs)
	var dimensions map[string]*string
	if len(dims) > 0 {
		dimensions = make(map[string]*string, len(dims))
		for k, v := range dims {
			dimensions[k] = ptr.To(v)
		}
	}
	name := nameAlarm(kind, suffix)
	above := "above"
	if spec.comparison == "LessThanThreshold" {
		above = "below"
	}
	desc := fmt.Sprintf("%s: %s %s (%s) %s %s %s for %d period(s) of %d s.", subject, spec.namespace, metric, spec.statistic, above,
		formatThreshold(*s.Threshold), spec.unit, *s.EvaluationPeriods, *s.PeriodSeconds)
	if kind == alarmSlowQueries {
		desc = fmt.Sprintf("%s in %d period(s) of %d s.", subject, *s.EvaluationPeriods, *s.PeriodSeconds)
	}
	return namedAlarm{name: name, alarm: &cloudwatchv1beta1.MetricAlarm{
		ObjectMeta: p.objectMeta(name, alarmName(p.clusterID, kind, suffix)),
		Spec: cloudwatchv1beta1.MetricAlarmSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: cloudwatchv1beta1.MetricAlarmParameters{
				Region:             ptr.To(p.region),
				AlarmDescription:   ptr.To(desc),
				Namespace:          ptr.To(spec.namespace),
				MetricName:         ptr.To(metric),
				Dimensions:         dimensions,
				Statistic:          ptr.To(spec.statistic),
				ComparisonOperator: ptr.To(spec.comparison),
				Threshold:          ptr.To(*s.Threshold * spec.scale),
				Period:             ptr.To(float64(*s.PeriodSeconds)),
				EvaluationPeriods:  ptr.To(float64(*s.EvaluationPeriods)),
				DatapointsToAlarm:  ptr.To(float64(*s.EvaluationPeriods)),
				TreatMissingData:   ptr.To(spec.treatMissingData),
				ActionsEnabled:     ptr.To(true),
				AlarmActions:       onAlarm,
				OkActions:          onOK,
				Tags:               p.tags(),
			},
		},
	}}
}

// alarmActions splits the action ARNs into those run on ALARM (all) and on
// OK (notifications only: SNS and Lambda). Opening an OpsItem or an incident
// because an alarm recovered would be noise.
func alarmActions(arns []string) (onAlarm, onOK []*string) {
	for _, arn := range arns {
		onAlarm = append(onAlarm, ptr.To(arn))
		if kind, _, _ := classifyAction(arn); kind == actionSNS || kind == actionLambda {
			onOK = append(onOK, ptr.To(arn))
		}
	}
	return onAlarm, onOK
}

// formatThreshold prints a threshold without a needless fraction.
func formatThreshold(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// eventTopic is the SNS topic RDS events go to: the first SNS ARN of the
// alarm actions, or empty when there is none.
//
// Why one topic, not one subscription per topic: RDS allows 20 event
// subscriptions per account and region, shared by every cluster, and each
// cluster needs two (a subscription has one source type: db-cluster or
// db-instance). Fan out by subscribing more endpoints to that topic.
func eventTopic(m Monitoring) string {
	for _, arn := range m.Alarms.ActionARNs {
		if kind, _, _ := classifyAction(arn); kind == actionSNS {
			return arn
		}
	}
	return ""
}

// Event categories the subscriptions send: what an on-call engineer must
// know about, not routine notifications. A db-instance has no failover of
// its own in Aurora but takes the category; availability reports restarts
// and shutdowns.
var (
	clusterEventCategories  = []string{"failover", "failure", "maintenance"}
	instanceEventCategories = []string{"availability", "failover", "failure", "maintenance"}
)

// namedEventSubscription is one RDS event subscription with its composed
// resource name.
type namedEventSubscription struct {
	name         resource.Name
	subscription *rdsv1beta1.EventSubscription
}

// eventSubscriptions send the cluster's and its instances' failover, failure
// and maintenance events to eventTopic. RDS refuses a subscription to a
// source that does not exist yet, so the caller says whether the cluster
// exists and which instances do (by suffix); no instances, no instance
// subscription: an empty source list would subscribe to every instance in
// the account. None when monitoring.alarms.enabled or .events.enabled is
// false.
func (p *plan) eventSubscriptions(m Monitoring, clusterExists bool, instanceSuffixes []string) []namedEventSubscription {
	topic := eventTopic(m)
	if topic == "" || !*m.Alarms.Enabled || !*m.Alarms.Events.Enabled {
		return nil
	}
	var out []namedEventSubscription
	if clusterExists {
		out = append(out, p.eventSubscription(nameEventSubscriptionCluster, topic, eventSourceCluster, []string{p.clusterID}, clusterEventCategories))
	}
	if len(instanceSuffixes) > 0 {
		ids := make([]string, 0, len(instanceSuffixes))
		for _, s := range instanceSuffixes {
			ids = append(ids, instanceIdentifier(p.clusterID, s))
		}
		out = append(out, p.eventSubscription(nameEventSubscriptionInstances, topic, eventSourceInstance, ids, instanceEventCategories))
	}
	return out
}

func (p *plan) eventSubscription(name resource.Name, topic, source string, ids, categories []string) namedEventSubscription {
	toPtrs := func(ss []string) []*string {
		out := make([]*string, 0, len(ss))
		for _, s := range ss {
			out = append(out, ptr.To(s))
		}
		return out
	}
	return namedEventSubscription{name: name, subscription: &rdsv1beta1.EventSubscription{
		ObjectMeta: p.objectMeta(name, eventSubscriptionName(p.clusterID, source)),
		Spec: rdsv1beta1.EventSubscriptionSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: rdsv1beta1.EventSubscriptionParameters{
				Region:          ptr.To(p.region),
				Enabled:         ptr.To(true),
				SnsTopic:        ptr.To(topic),
				SourceType:      ptr.To(source),
				SourceIds:       toPtrs(ids),
				EventCategories: toPtrs(categories),
				Tags:            p.tags(),
			},
		},
	}}
}

// composeMonitoring adds the monitoring resources to d, in order: the
// slow-query metric filter, the alarms, the event subscriptions. Call it
// after the log groups, the cluster and the instances were added. Gates,
// each passed for good once the gated resource exists:
//   - the metric filter waits for the postgresql log group to be composed
//     and Ready (PutMetricFilter fails on a missing group);
//   - the alarms are composed at once;
//   - the event subscriptions wait for the cluster, and for each instance,
//     to be Ready (RDS refuses unknown source identifiers).
//
// monitoring.alarms.enabled false leaves out alarms and subscriptions only.
func (p *plan) composeMonitoring(d *desired, m Monitoring, o observed) {
	logGroup := nameLogGroup(logExportPostgreSQL)
	if _, composed := d.objects[logGroup]; composed && p.slowQueryMetricsOn(m) && (o.ready(logGroup) || o.exists(nameSlowQueryMetricFilter)) {
		d.add(nameSlowQueryMetricFilter, p.slowQueryMetricFilter(m))
	}
	if !*m.Alarms.Enabled {
		return
	}
	for _, a := range p.alarms(m) {
		d.add(a.name, a.alarm)
	}
	subscribed := o.exists(nameEventSubscriptionInstances)
	var instances []string
	for i, in := range p.spec.Instances {
		s := instanceSuffix(i, in)
		if n := nameInstance(s); o.ready(n) || (subscribed && o.exists(n)) {
			instances = append(instances, s)
		}
	}
	for _, s := range p.eventSubscriptions(m, o.ready(nameCluster) || o.exists(nameEventSubscriptionCluster), instances) {
		d.add(s.name, s.subscription)
	}
}
