package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	xpv2 "github.com/crossplane/crossplane-runtime/v2/apis/common/v2"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"

	cloudwatchv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatch/v1beta1"
	logsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatchlogs/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// ARNs of alarm actions in the test plan's region and account.
const (
	testTopic     = "arn:aws:sns:us-east-1:111122223333:db-alerts"
	testTopic2    = "arn:aws:sns:us-east-1:111122223333:db-pager"
	testLambda    = "arn:aws:lambda:us-east-1:111122223333:function:notify-chat:prod"
	testOpsItem   = "arn:aws:ssm:us-east-1:111122223333:opsitem:2#CATEGORY=Performance"
	testResponse  = "arn:aws:ssm-incidents::111122223333:responseplan/database-outage"
	testRotator   = "ns-db-rotator"
	testClusterID = "ns-db"
)

// testMonitoring is a defaulted Monitoring after mutate.
func testMonitoring(mutate func(*Monitoring)) Monitoring {
	m := Monitoring{}
	if mutate != nil {
		mutate(&m)
	}
	withMonitoringDefaults(&m)
	return m
}

func TestMonitoringDefaults(t *testing.T) {
	all := func(threshold float64, period, evaluations int64) AlarmSettings {
		return AlarmSettings{Enabled: ptr.To(true), Threshold: ptr.To(threshold), PeriodSeconds: ptr.To(period), EvaluationPeriods: ptr.To(evaluations)}
	}
	defaults := Monitoring{
		SlowQueryMetrics: SlowQueryMetrics{Enabled: ptr.To(true), Threshold: ptr.To(10.0)},
		Alarms: Alarms{
			Enabled:         ptr.To(true),
			SlowQueries:     SlowQueryAlarm{Enabled: ptr.To(true), PeriodSeconds: ptr.To[int64](300), EvaluationPeriods: ptr.To[int64](1)},
			CPU:             all(80, 300, 3),
			FreeableMemory:  all(512, 300, 3),
			Connections:     all(1000, 300, 2),
			ReplicaLag:      all(1000, 60, 5),
			ACUUtilization:  all(90, 300, 3),
			RotationFailure: all(0, 300, 1),
			Events:          EventNotifications{Enabled: ptr.To(true), InstanceEvents: ptr.To(false)},
			// alarms_postgres.go
			TransactionIDWraparound: all(1e9, 300, 1),
			FreeLocalStorage:        all(2048, 300, 2),
			Deadlocks:               all(0, 300, 3),
		},
		EnhancedMonitoring: EnhancedMonitoring{IntervalSeconds: ptr.To[int64](0)},
	}
	cases := map[string]struct {
		reason string
		in     Monitoring
		want   func() Monitoring
	}{
		"Empty": {
			reason: "Everything on, with each alarm's defaults.",
			want:   func() Monitoring { return defaults },
		},
		"SetValuesKept": {
			reason: "Values the user set, false and zero included, are kept; the rest is defaulted.",
			in: Monitoring{
				SlowQueryMetrics: SlowQueryMetrics{Enabled: ptr.To(false), FilterPattern: "ERROR", Threshold: ptr.To(0.0)},
				Alarms: Alarms{
					Enabled:    ptr.To(false),
					ActionARNs: []string{testTopic},
					CPU:        AlarmSettings{Enabled: ptr.To(false), Threshold: ptr.To(95.0)},
					ReplicaLag: AlarmSettings{PeriodSeconds: ptr.To[int64](120)},
					Events:     EventNotifications{Enabled: ptr.To(false)},
				},
			},
			want: func() Monitoring {
				m := defaults
				m.SlowQueryMetrics = SlowQueryMetrics{Enabled: ptr.To(false), FilterPattern: "ERROR", Threshold: ptr.To(0.0)}
				m.Alarms.Enabled = ptr.To(false)
				m.Alarms.ActionARNs = []string{testTopic}
				m.Alarms.CPU = AlarmSettings{Enabled: ptr.To(false), Threshold: ptr.To(95.0), PeriodSeconds: ptr.To[int64](300), EvaluationPeriods: ptr.To[int64](3)}
				m.Alarms.ReplicaLag = all(1000, 120, 5)
				m.Alarms.Events = EventNotifications{Enabled: ptr.To(false), InstanceEvents: ptr.To(false)}
				return m
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := tc.in
			withMonitoringDefaults(&got)
			if diff := cmp.Diff(tc.want(), got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidateMonitoring(t *testing.T) {
	cases := map[string]struct {
		reason string
		region string
		mutate func(*Monitoring)
		want   []string
	}{
		"Defaults": {
			reason: "The defaults are valid.",
		},
		"EveryActionKind": {
			reason: "SNS, Lambda (with an alias), OpsItem (with a category) and response plan ARNs are valid.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{testTopic, testLambda, testOpsItem, testResponse, "arn:aws:lambda:us-east-1:111122223333:function:notify"}
			},
		},
		"GovCloud": {
			reason: "ARNs in the region's own partition are valid.",
			region: "us-gov-west-1",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{"arn:aws-us-gov:sns:us-gov-west-1:111122223333:db-alerts"}
			},
		},
		"CustomPattern": {
			reason: "A custom pattern within CloudWatch's limit is valid.",
			mutate: func(m *Monitoring) { m.SlowQueryMetrics.FilterPattern = `"duration:"` },
		},
		"BlankPattern": {
			reason: "A blank pattern is a mistake, not the default.",
			mutate: func(m *Monitoring) { m.SlowQueryMetrics.FilterPattern = "   " },
			want:   []string{`spec.monitoring.slowQueryMetrics.filterPattern: Invalid value: "   ": must not be blank: leave it empty for the default pattern`},
		},
		"PatternTooLong": {
			reason: "CloudWatch takes patterns of at most 1024 characters.",
			mutate: func(m *Monitoring) { m.SlowQueryMetrics.FilterPattern = strings.Repeat("x", 1025) },
			want:   []string{`spec.monitoring.slowQueryMetrics.filterPattern: Too long: may not be more than 1024 bytes`},
		},
		"NegativeSlowQueryThreshold": {
			reason: "The slow-query alarm threshold is a count.",
			mutate: func(m *Monitoring) { m.SlowQueryMetrics.Threshold = ptr.To(-1.0) },
			want:   []string{`spec.monitoring.slowQueryMetrics.threshold: Invalid value: -1: must be between 0 and 1000000 slow queries per period`},
		},
		"BadActions": {
			reason: "Each action ARN is checked for its kind, region, partition and duplicates.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{
					"arn:aws:automate:us-east-1:ec2:reboot",
					"arn:aws:autoscaling:us-east-1:111122223333:scalingPolicy:1a2b:autoScalingGroupName/web:policyName/up",
					"arn:aws:sns:eu-west-1:111122223333:db-alerts",
					"arn:aws-cn:sns:us-east-1:111122223333:db-alerts",
					"db-alerts",
				}
			},
			want: []string{
				`spec.monitoring.alarms.actionArns[0]: Invalid value: "arn:aws:automate:us-east-1:ec2:reboot": EC2 actions work only on alarms on EC2 instance metrics, not on this cluster's: use ` + actionARNsAccepted,
				`spec.monitoring.alarms.actionArns[1]: Invalid value: "arn:aws:autoscaling:us-east-1:111122223333:scalingPolicy:1a2b:autoScalingGroupName/web:policyName/up": Auto Scaling policies are not accepted: a database alarm notifies, it does not scale EC2 groups; use ` + actionARNsAccepted,
				`spec.monitoring.alarms.actionArns[2]: Invalid value: "arn:aws:sns:eu-west-1:111122223333:db-alerts": must be in the cluster's region us-east-1, not eu-west-1`,
				`spec.monitoring.alarms.actionArns[3]: Invalid value: "arn:aws-cn:sns:us-east-1:111122223333:db-alerts": must be in the aws partition of region us-east-1`,
				`spec.monitoring.alarms.actionArns[4]: Invalid value: "db-alerts": must be ` + actionARNsAccepted,
			},
		},
		"SWFAction": {
			reason: "The SWF form of an EC2 action is an EC2 action too.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{"arn:aws:swf:us-east-1:111122223333:action/actions/AWS_EC2.InstanceId.Reboot/1.0"}
			},
			want: []string{`spec.monitoring.alarms.actionArns[0]: Invalid value: "arn:aws:swf:us-east-1:111122223333:action/actions/AWS_EC2.InstanceId.Reboot/1.0": EC2 actions work only on alarms on EC2 instance metrics, not on this cluster's: use ` + actionARNsAccepted},
		},
		"MalformedLookalikes": {
			reason: "An OpsItem severity outside 1-4 and a FIFO topic are not actions CloudWatch runs.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{"arn:aws:ssm:us-east-1:111122223333:opsitem:5", "arn:aws:sns:us-east-1:111122223333:db-alerts.fifo"}
			},
			want: []string{
				`spec.monitoring.alarms.actionArns[0]: Invalid value: "arn:aws:ssm:us-east-1:111122223333:opsitem:5": must be ` + actionARNsAccepted,
				`spec.monitoring.alarms.actionArns[1]: Invalid value: "arn:aws:sns:us-east-1:111122223333:db-alerts.fifo": must be ` + actionARNsAccepted,
			},
		},
		"DuplicateAndTooMany": {
			reason: "CloudWatch takes at most 5 actions, each once.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{testTopic, testTopic2, testLambda, testOpsItem, testResponse, testTopic}
			},
			want: []string{
				`spec.monitoring.alarms.actionArns: Too many: 6: must have at most 5 items`,
				`spec.monitoring.alarms.actionArns[5]: Duplicate value: "` + testTopic + `"`,
			},
		},
		"ThresholdsOutOfRange": {
			reason: "Each threshold is checked in its alarm's unit.",
			mutate: func(m *Monitoring) {
				m.Alarms.CPU.Threshold = ptr.To(100.0)
				m.Alarms.FreeableMemory.Threshold = ptr.To(0.0)
				m.Alarms.Connections.Threshold = ptr.To(0.0)
				m.Alarms.ReplicaLag.Threshold = ptr.To(-5.0)
				m.Alarms.ACUUtilization.Threshold = ptr.To(150.0)
				m.Alarms.RotationFailure.Threshold = ptr.To(-1.0)
			},
			want: []string{
				`spec.monitoring.alarms.cpu.threshold: Invalid value: 100: must be a percentage greater than 0 and less than 100`,
				`spec.monitoring.alarms.freeableMemory.threshold: Invalid value: 0: must be more than 0 and at most 2097152 MiB`,
				`spec.monitoring.alarms.connections.threshold: Invalid value: 0: must be between 1 and 262143 connections (PostgreSQL's maximum max_connections)`,
				`spec.monitoring.alarms.replicaLag.threshold: Invalid value: -5: must be more than 0 and at most 3600000 milliseconds`,
				`spec.monitoring.alarms.acuUtilization.threshold: Invalid value: 150: must be a percentage greater than 0 and less than 100`,
				`spec.monitoring.alarms.rotationFailure.threshold: Invalid value: -1: must be between 0 and 1000 errors per period`,
			},
		},
		"Windows": {
			reason: "Periods are whole minutes up to a day, and an alarm evaluates at most a day.",
			mutate: func(m *Monitoring) {
				m.Alarms.SlowQueries.PeriodSeconds = ptr.To[int64](30)
				m.Alarms.CPU.PeriodSeconds = ptr.To[int64](90)
				m.Alarms.FreeableMemory.EvaluationPeriods = ptr.To[int64](0)
				m.Alarms.Connections.PeriodSeconds = ptr.To[int64](3600)
				m.Alarms.Connections.EvaluationPeriods = ptr.To[int64](25)
				m.Alarms.ReplicaLag.PeriodSeconds = ptr.To[int64](172800)
			},
			want: []string{
				`spec.monitoring.alarms.slowQueries.periodSeconds: Invalid value: 30: must be a multiple of 60 seconds, at most 86400`,
				`spec.monitoring.alarms.cpu.periodSeconds: Invalid value: 90: must be a multiple of 60 seconds, at most 86400`,
				`spec.monitoring.alarms.freeableMemory.evaluationPeriods: Invalid value: 0: must be at least 1`,
				`spec.monitoring.alarms.connections.evaluationPeriods: Invalid value: 25: times periodSeconds (3600) must not exceed 86400 seconds (one day)`,
				`spec.monitoring.alarms.replicaLag.periodSeconds: Invalid value: 172800: must be a multiple of 60 seconds, at most 86400`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			region := tc.region
			if region == "" {
				region = "us-east-1"
			}
			errs := validateMonitoring(field.NewPath("spec", "monitoring"), testMonitoring(tc.mutate), region)
			if diff := cmp.Diff(tc.want, errorStrings(errs)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestValidateMonitoringLogging(t *testing.T) {
	cases := map[string]struct {
		reason  string
		pattern string
		enabled bool
		logging Logging
		want    []string
	}{
		"DefaultPatternWithoutLog": {
			reason:  "Without a custom pattern, metrics just stay off when there is no slow-query log.",
			enabled: true,
			logging: Logging{Exports: []string{"iam-db-auth-error"}, SlowQueryThresholdMs: ptr.To[int64](-1)},
		},
		"CustomPatternWithLog": {
			reason:  "A custom pattern on the exported postgresql log is fine.",
			pattern: "ERROR", enabled: true,
			logging: Logging{Exports: []string{"postgresql"}, SlowQueryThresholdMs: ptr.To[int64](500)},
		},
		"CustomPatternWithoutExport": {
			reason:  "A custom pattern needs the postgresql log export.",
			pattern: "ERROR", enabled: true,
			logging: Logging{Exports: []string{"iam-db-auth-error"}, SlowQueryThresholdMs: ptr.To[int64](500)},
			want:    []string{`spec.monitoring.slowQueryMetrics.filterPattern: Invalid value: "ERROR": has no log to filter: add "postgresql" to spec.logging.exports`},
		},
		"CustomPatternWithLogOff": {
			reason:  "A custom pattern is never used while the slow-query log is off.",
			pattern: "ERROR", enabled: true,
			logging: Logging{Exports: []string{"postgresql"}, SlowQueryThresholdMs: ptr.To[int64](-1)},
			want:    []string{`spec.monitoring.slowQueryMetrics.filterPattern: Invalid value: "ERROR": has no effect while spec.logging.slowQueryThresholdMs is -1 (slow-query log off)`},
		},
		"CustomPatternDisabled": {
			reason:  "A pattern kept while slow-query metrics are off is not a mistake.",
			pattern: "ERROR", enabled: false,
			logging: Logging{Exports: []string{"postgresql"}, SlowQueryThresholdMs: ptr.To[int64](-1)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := testMonitoring(func(m *Monitoring) {
				m.SlowQueryMetrics.FilterPattern = tc.pattern
				m.SlowQueryMetrics.Enabled = ptr.To(tc.enabled)
			})
			errs := validateMonitoringLogging(field.NewPath("spec", "monitoring"), m, tc.logging)
			if diff := cmp.Diff(tc.want, errorStrings(errs)); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func errorStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// testManaged is the managed resource spec of the test plan.
var testManaged = xpv2.ManagedResourceSpec{ProviderConfigReference: &xpv1.ProviderConfigReference{Name: "default", Kind: "ClusterProviderConfig"}}

// testMeta is the object meta the plan gives a composed resource.
func testMeta(name resource.Name, externalName string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Labels:      map[string]string{labelComponent: string(name)},
		Annotations: map[string]string{annotationExternalName: externalName},
	}
}

func TestSlowQueryMetricFilter(t *testing.T) {
	filter := func(pattern string) *logsv1beta1.MetricFilter {
		return &logsv1beta1.MetricFilter{
			ObjectMeta: testMeta(nameSlowQueryMetricFilter, "aurora-ns-db-slow-queries"),
			Spec: logsv1beta1.MetricFilterSpec{
				ManagedResourceSpec: testManaged,
				ForProvider: logsv1beta1.MetricFilterParameters{
					Region:               ptr.To("us-east-1"),
					LogGroupNameSelector: selectorFor("log-group-postgresql"),
					Pattern:              ptr.To(pattern),
					MetricTransformation: &logsv1beta1.MetricTransformationParameters{
						Namespace:    ptr.To("AuroraPostgreSQL/SlowQueries"),
						Name:         ptr.To(testClusterID),
						Value:        ptr.To("1"),
						DefaultValue: ptr.To("0"),
						Unit:         ptr.To("Count"),
					},
				},
			},
		}
	}
	cases := map[string]struct {
		reason string
		spec   func(*AuroraSpec)
		mutate func(*Monitoring)
		want   *logsv1beta1.MetricFilter
	}{
		"DefaultPattern": {
			reason: "The default pattern uses the cluster's slow-query threshold, on the postgresql log group, into a metric named after the cluster.",
			spec:   func(s *AuroraSpec) { s.Logging.SlowQueryThresholdMs = ptr.To[int64](750) },
			want:   filter(`[date, time, prefix="*:LOG:", label="duration:", duration >= 750, unit="ms", statement="statement:*" || statement="execute*"]`),
		},
		"CustomPattern": {
			reason: "A custom pattern is used as it is.",
			mutate: func(m *Monitoring) { m.SlowQueryMetrics.FilterPattern = `"duration:"` },
			want:   filter(`"duration:"`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := testPlan(t, tc.spec).slowQueryMetricFilter(testMonitoring(tc.mutate))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// alarmNames lists the composed resource names of alarms.
func alarmNames(as []namedAlarm) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, string(a.name))
	}
	return out
}

func TestAlarmsPerTopology(t *testing.T) {
	serverless := func(s *AuroraSpec) {
		s.Instances = []Instance{{Name: "a", InstanceClass: instanceClassServerless}, {Name: "b", InstanceClass: instanceClassServerless}}
		s.ServerlessV2 = &ServerlessV2{MinCapacity: 0.5, MaxCapacity: 16}
	}
	cases := map[string]struct {
		reason string
		spec   func(*AuroraSpec)
		mutate func(*Monitoring)
		want   []string
	}{
		"SingleWriter": {
			reason: "One provisioned writer: slow queries, and CPU, memory and connections of the writer; no replica lag without readers, no ACU without serverless.",
			want:   []string{"alarm-slow-queries", "alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
		"ProvisionedWithReader": {
			reason: "With a reader: per-instance alarms for both, and replica lag.",
			spec: func(s *AuroraSpec) {
				s.Instances = []Instance{{Name: "writer", InstanceClass: "db.r6g.large"}, {Name: "reader1", InstanceClass: "db.r6g.large"}}
			},
			want: []string{
				"alarm-slow-queries",
				"alarm-cpu-writer", "alarm-freeable-memory-writer", "alarm-connections-writer", "alarm-free-local-storage-writer",
				"alarm-cpu-reader1", "alarm-freeable-memory-reader1", "alarm-connections-reader1", "alarm-free-local-storage-reader1",
				"alarm-replica-lag", "alarm-transaction-id-wraparound", "alarm-deadlocks",
			},
		},
		"ServerlessWithReader": {
			reason: "db.serverless instances get ACU utilization instead of a fixed freeable-memory floor: their memory follows their capacity; no FreeLocalStorage floor, a metric AWS says does not apply to Aurora Serverless v2.",
			spec:   serverless,
			want: []string{
				"alarm-slow-queries",
				"alarm-cpu-a", "alarm-connections-a", "alarm-acu-utilization-a",
				"alarm-cpu-b", "alarm-connections-b", "alarm-acu-utilization-b",
				"alarm-replica-lag", "alarm-transaction-id-wraparound", "alarm-deadlocks",
			},
		},
		"MixedClasses": {
			reason: "ACU utilization only for the db.serverless instance, freeable memory and free local storage only for the provisioned one.",
			spec: func(s *AuroraSpec) {
				s.Instances = []Instance{{InstanceClass: "db.r6g.large"}, {InstanceClass: instanceClassServerless}}
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0.5, MaxCapacity: 16}
			},
			want: []string{
				"alarm-slow-queries",
				"alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1",
				"alarm-cpu-2", "alarm-connections-2", "alarm-acu-utilization-2",
				"alarm-replica-lag", "alarm-transaction-id-wraparound", "alarm-deadlocks",
			},
		},
		"EachAlarmOff": {
			reason: "Each alarm switches off on its own.",
			spec:   serverless,
			mutate: func(m *Monitoring) {
				m.Alarms.SlowQueries.Enabled = ptr.To(false)
				m.Alarms.CPU.Enabled = ptr.To(false)
				m.Alarms.ACUUtilization.Enabled = ptr.To(false)
				m.Alarms.ReplicaLag.Enabled = ptr.To(false)
				m.Alarms.FreeLocalStorage.Enabled = ptr.To(false)
				m.Alarms.TransactionIDWraparound.Enabled = ptr.To(false)
				m.Alarms.Deadlocks.Enabled = ptr.To(false)
			},
			want: []string{"alarm-connections-a", "alarm-connections-b"},
		},
		"MemoryAndConnectionsOff": {
			reason: "... the other two as well.",
			mutate: func(m *Monitoring) {
				m.Alarms.FreeableMemory.Enabled = ptr.To(false)
				m.Alarms.Connections.Enabled = ptr.To(false)
			},
			want: []string{"alarm-slow-queries", "alarm-cpu-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
		"AlarmsOff": {
			reason: "monitoring.alarms.enabled false: no alarms at all.",
			spec:   serverless,
			mutate: func(m *Monitoring) { m.Alarms.Enabled = ptr.To(false) },
			want:   []string{},
		},
		"SlowQueryMetricsOff": {
			reason: "No metric filter, no slow-query alarm.",
			mutate: func(m *Monitoring) { m.SlowQueryMetrics.Enabled = ptr.To(false) },
			want:   []string{"alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
		"SlowQueryLogOff": {
			reason: "A threshold of -1 logs no slow queries: no slow-query alarm.",
			spec:   func(s *AuroraSpec) { s.Logging.SlowQueryThresholdMs = ptr.To[int64](-1) },
			want:   []string{"alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
		"PostgreSQLLogNotExported": {
			reason: "Without the postgresql export there is no log to count: no slow-query alarm.",
			spec: func(s *AuroraSpec) {
				s.Logging.Exports = []string{"iam-db-auth-error"}
				s.IAMDatabaseAuthentication = ptr.To(true)
			},
			want: []string{"alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := alarmNames(testPlan(t, tc.spec).alarms(testMonitoring(tc.mutate)))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// wantAlarm is a MetricAlarm as the plan composes it, with every field the
// alarms share filled in.
func wantAlarm(name resource.Name, externalName string, fp cloudwatchv1beta1.MetricAlarmParameters) *cloudwatchv1beta1.MetricAlarm {
	fp.Region = ptr.To("us-east-1")
	fp.ActionsEnabled = ptr.To(true)
	fp.DatapointsToAlarm = fp.EvaluationPeriods
	fp.Tags = map[string]*string{"team": ptr.To("payments")}
	return &cloudwatchv1beta1.MetricAlarm{
		ObjectMeta: testMeta(name, externalName),
		Spec:       cloudwatchv1beta1.MetricAlarmSpec{ManagedResourceSpec: testManaged, ForProvider: fp},
	}
}

func TestAlarmDetails(t *testing.T) {
	p := testPlan(t, func(s *AuroraSpec) {
		// A serverless writer (ACU utilization) and a provisioned reader
		// (freeable memory).
		s.Instances = []Instance{{Name: "writer", InstanceClass: instanceClassServerless}, {Name: "reader", InstanceClass: "db.r6g.large"}}
		s.ServerlessV2 = &ServerlessV2{MinCapacity: 0.5, MaxCapacity: 16}
		s.Tags = map[string]string{"team": "payments"}
	})
	m := testMonitoring(func(m *Monitoring) {
		m.Alarms.ActionARNs = []string{testTopic, testOpsItem, testLambda, testResponse}
		m.Alarms.FreeableMemory.Threshold = ptr.To(256.0)
		m.SlowQueryMetrics.Threshold = ptr.To(25.0)
	})
	onAlarm := []*string{ptr.To(testTopic), ptr.To(testOpsItem), ptr.To(testLambda), ptr.To(testResponse)}
	onOK := []*string{ptr.To(testTopic), ptr.To(testLambda)}
	instance := func(id string) map[string]*string { return map[string]*string{"DBInstanceIdentifier": ptr.To(id)} }
	want := map[string]*cloudwatchv1beta1.MetricAlarm{
		"alarm-slow-queries": wantAlarm("alarm-slow-queries", "aurora-ns-db-slow-queries", cloudwatchv1beta1.MetricAlarmParameters{
			AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db: more than 25 slow queries (statements of at least 1000 ms) in 1 period(s) of 300 s."),
			Namespace:          ptr.To("AuroraPostgreSQL/SlowQueries"),
			MetricName:         ptr.To(testClusterID),
			Statistic:          ptr.To("Sum"),
			ComparisonOperator: ptr.To("GreaterThanThreshold"),
			Threshold:          ptr.To(25.0),
			Period:             ptr.To(300.0),
			EvaluationPeriods:  ptr.To(1.0),
			TreatMissingData:   ptr.To("notBreaching"),
			AlarmActions:       onAlarm,
			OkActions:          onOK,
		}),
		"alarm-cpu-writer": wantAlarm("alarm-cpu-writer", "aurora-ns-db-cpu-writer", cloudwatchv1beta1.MetricAlarmParameters{
			AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db, instance ns-db-writer: AWS/RDS CPUUtilization (Average) above 80 % for 3 period(s) of 300 s."),
			Namespace:          ptr.To("AWS/RDS"),
			MetricName:         ptr.To("CPUUtilization"),
			Dimensions:         instance("ns-db-writer"),
			Statistic:          ptr.To("Average"),
			ComparisonOperator: ptr.To("GreaterThanThreshold"),
			Threshold:          ptr.To(80.0),
			Period:             ptr.To(300.0),
			EvaluationPeriods:  ptr.To(3.0),
			TreatMissingData:   ptr.To("notBreaching"),
			AlarmActions:       onAlarm,
			OkActions:          onOK,
		}),
		"alarm-freeable-memory-reader": wantAlarm("alarm-freeable-memory-reader", "aurora-ns-db-freeable-memory-reader", cloudwatchv1beta1.MetricAlarmParameters{
			AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db, instance ns-db-reader: AWS/RDS FreeableMemory (Average) below 256 MiB for 3 period(s) of 300 s."),
			Namespace:          ptr.To("AWS/RDS"),
			MetricName:         ptr.To("FreeableMemory"),
			Dimensions:         instance("ns-db-reader"),
			Statistic:          ptr.To("Average"),
			ComparisonOperator: ptr.To("LessThanThreshold"),
			Threshold:          ptr.To(256.0 * 1024 * 1024),
			Period:             ptr.To(300.0),
			EvaluationPeriods:  ptr.To(3.0),
			TreatMissingData:   ptr.To("notBreaching"),
			AlarmActions:       onAlarm,
			OkActions:          onOK,
		}),
		"alarm-connections-writer": wantAlarm("alarm-connections-writer", "aurora-ns-db-connections-writer", cloudwatchv1beta1.MetricAlarmParameters{
			AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db, instance ns-db-writer: AWS/RDS DatabaseConnections (Maximum) above 1000 connections for 2 period(s) of 300 s."),
			Namespace:          ptr.To("AWS/RDS"),
			MetricName:         ptr.To("DatabaseConnections"),
			Dimensions:         instance("ns-db-writer"),
			Statistic:          ptr.To("Maximum"),
			ComparisonOperator: ptr.To("GreaterThanThreshold"),
			Threshold:          ptr.To(1000.0),
			Period:             ptr.To(300.0),
			EvaluationPeriods:  ptr.To(2.0),
			TreatMissingData:   ptr.To("notBreaching"),
			AlarmActions:       onAlarm,
			OkActions:          onOK,
		}),
		"alarm-acu-utilization-writer": wantAlarm("alarm-acu-utilization-writer", "aurora-ns-db-acu-utilization-writer", cloudwatchv1beta1.MetricAlarmParameters{
			AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db, instance ns-db-writer: AWS/RDS ACUUtilization (Average) above 90 % for 3 period(s) of 300 s."),
			Namespace:          ptr.To("AWS/RDS"),
			MetricName:         ptr.To("ACUUtilization"),
			Dimensions:         instance("ns-db-writer"),
			Statistic:          ptr.To("Average"),
			ComparisonOperator: ptr.To("GreaterThanThreshold"),
			Threshold:          ptr.To(90.0),
			Period:             ptr.To(300.0),
			EvaluationPeriods:  ptr.To(3.0),
			TreatMissingData:   ptr.To("notBreaching"),
			AlarmActions:       onAlarm,
			OkActions:          onOK,
		}),
		"alarm-replica-lag": wantAlarm("alarm-replica-lag", "aurora-ns-db-replica-lag", cloudwatchv1beta1.MetricAlarmParameters{
			AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db, its most lagging reader: AWS/RDS AuroraReplicaLag (Maximum) above 1000 ms for 5 period(s) of 60 s."),
			Namespace:          ptr.To("AWS/RDS"),
			MetricName:         ptr.To("AuroraReplicaLag"),
			Dimensions:         map[string]*string{"DBClusterIdentifier": ptr.To(testClusterID), "Role": ptr.To("READER")},
			Statistic:          ptr.To("Maximum"),
			ComparisonOperator: ptr.To("GreaterThanThreshold"),
			Threshold:          ptr.To(1000.0),
			Period:             ptr.To(60.0),
			EvaluationPeriods:  ptr.To(5.0),
			TreatMissingData:   ptr.To("notBreaching"),
			AlarmActions:       onAlarm,
			OkActions:          onOK,
		}),
	}
	got := map[string]*cloudwatchv1beta1.MetricAlarm{}
	for _, a := range p.alarms(m) {
		if _, ok := want[string(a.name)]; ok {
			got[string(a.name)] = a.alarm
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alarms: -want, +got:\n%s", diff)
	}
}

func TestAlarmsWithoutActions(t *testing.T) {
	for _, a := range testPlan(t, nil).alarms(testMonitoring(nil)) {
		fp := a.alarm.Spec.ForProvider
		if fp.AlarmActions != nil || fp.OkActions != nil {
			t.Errorf("%s: without actionArns an alarm has no actions, got %v / %v", a.name, fp.AlarmActions, fp.OkActions)
		}
		if fp.ComparisonOperator == nil || fp.EvaluationPeriods == nil {
			t.Errorf("%s: the MetricAlarm CRD requires comparisonOperator and evaluationPeriods", a.name)
		}
	}
}

func TestRotationFailureAlarm(t *testing.T) {
	cases := map[string]struct {
		reason   string
		mutate   func(*Monitoring)
		function string
		want     *cloudwatchv1beta1.MetricAlarm
	}{
		"Rotator": {
			reason:   "The rotator's Errors, summed; a failure stays in ALARM until the next rotation reports.",
			mutate:   func(m *Monitoring) { m.Alarms.ActionARNs = []string{testTopic} },
			function: testRotator,
			want: wantAlarm("alarm-rotation-failure", "aurora-ns-db-rotation-failure", cloudwatchv1beta1.MetricAlarmParameters{
				AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db: master secret rotation by Lambda ns-db-rotator: AWS/Lambda Errors (Sum) above 0 errors for 1 period(s) of 300 s."),
				Namespace:          ptr.To("AWS/Lambda"),
				MetricName:         ptr.To("Errors"),
				Dimensions:         map[string]*string{"FunctionName": ptr.To(testRotator)},
				Statistic:          ptr.To("Sum"),
				ComparisonOperator: ptr.To("GreaterThanThreshold"),
				Threshold:          ptr.To(0.0),
				Period:             ptr.To(300.0),
				EvaluationPeriods:  ptr.To(1.0),
				TreatMissingData:   ptr.To("ignore"),
				AlarmActions:       []*string{ptr.To(testTopic)},
				OkActions:          []*string{ptr.To(testTopic)},
			}),
		},
		"RotatorARN": {
			reason:   "A rotator given by qualified ARN is watched by its function name.",
			function: "arn:aws:lambda:us-east-1:111122223333:function:" + testRotator + ":live",
			want: wantAlarm("alarm-rotation-failure", "aurora-ns-db-rotation-failure", cloudwatchv1beta1.MetricAlarmParameters{
				AlarmDescription:   ptr.To("Aurora PostgreSQL cluster ns-db: master secret rotation by Lambda ns-db-rotator: AWS/Lambda Errors (Sum) above 0 errors for 1 period(s) of 300 s."),
				Namespace:          ptr.To("AWS/Lambda"),
				MetricName:         ptr.To("Errors"),
				Dimensions:         map[string]*string{"FunctionName": ptr.To(testRotator)},
				Statistic:          ptr.To("Sum"),
				ComparisonOperator: ptr.To("GreaterThanThreshold"),
				Threshold:          ptr.To(0.0),
				Period:             ptr.To(300.0),
				EvaluationPeriods:  ptr.To(1.0),
				TreatMissingData:   ptr.To("ignore"),
			}),
		},
		"AlarmsOff": {
			reason:   "monitoring.alarms.enabled false turns it off.",
			mutate:   func(m *Monitoring) { m.Alarms.Enabled = ptr.To(false) },
			function: testRotator,
		},
		"ThisAlarmOff": {
			reason:   "So does its own enabled.",
			mutate:   func(m *Monitoring) { m.Alarms.RotationFailure.Enabled = ptr.To(false) },
			function: testRotator,
		},
		"NoRotator": {
			reason: "No rotator, no alarm.",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, func(s *AuroraSpec) { s.Tags = map[string]string{"team": "payments"} })
			a, ok := p.rotationFailureAlarm(testMonitoring(tc.mutate), tc.function)
			if ok != (tc.want != nil) {
				t.Fatalf("%s\ncomposed: want %t, got %t", tc.reason, tc.want != nil, ok)
			}
			if !ok {
				return
			}
			if a.name != nameAlarm(alarmRotationFailure, "") {
				t.Errorf("name: want %q, got %q", nameAlarm(alarmRotationFailure, ""), a.name)
			}
			if diff := cmp.Diff(tc.want, a.alarm); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestEventSubscriptions(t *testing.T) {
	subscription := func(name resource.Name, externalName, topic, source string, ids, categories []string) *rdsv1beta1.EventSubscription {
		toPtrs := func(ss []string) []*string {
			out := []*string{}
			for _, s := range ss {
				out = append(out, ptr.To(s))
			}
			return out
		}
		return &rdsv1beta1.EventSubscription{
			ObjectMeta: testMeta(name, externalName),
			Spec: rdsv1beta1.EventSubscriptionSpec{
				ManagedResourceSpec: testManaged,
				ForProvider: rdsv1beta1.EventSubscriptionParameters{
					Region:          ptr.To("us-east-1"),
					Enabled:         ptr.To(true),
					SnsTopic:        ptr.To(topic),
					SourceType:      ptr.To(source),
					SourceIds:       toPtrs(ids),
					EventCategories: toPtrs(categories),
				},
			},
		}
	}
	clusterSub := func(topic string) *rdsv1beta1.EventSubscription {
		return subscription(nameEventSubscriptionCluster, "aurora-ns-db-cluster-events", topic, "db-cluster", []string{testClusterID}, []string{"failover", "failure", "maintenance"})
	}
	instanceSub := func(topic string, ids ...string) *rdsv1beta1.EventSubscription {
		return subscription(nameEventSubscriptionInstances, "aurora-ns-db-instance-events", topic, "db-instance", ids, []string{"availability", "failover", "failure", "maintenance"})
	}
	cases := map[string]struct {
		reason    string
		mutate    func(*Monitoring)
		cluster   bool
		instances []string
		want      map[resource.Name]*rdsv1beta1.EventSubscription
	}{
		"FirstSNSTopic": {
			reason:    "Cluster events go to the first SNS topic only; Lambda and OpsItem ARNs are skipped. One subscription per cluster: RDS allows 20 per account and region.",
			mutate:    func(m *Monitoring) { m.Alarms.ActionARNs = []string{testLambda, testOpsItem, testTopic, testTopic2} },
			cluster:   true,
			instances: []string{"1", "2"},
			want: map[resource.Name]*rdsv1beta1.EventSubscription{
				nameEventSubscriptionCluster: clusterSub(testTopic),
			},
		},
		"InstanceEvents": {
			reason: "instanceEvents adds the instances' subscription, a second one.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{testTopic}
				m.Alarms.Events.InstanceEvents = ptr.To(true)
			},
			cluster:   true,
			instances: []string{"1", "2"},
			want: map[resource.Name]*rdsv1beta1.EventSubscription{
				nameEventSubscriptionCluster:   clusterSub(testTopic),
				nameEventSubscriptionInstances: instanceSub(testTopic, "ns-db-1", "ns-db-2"),
			},
		},
		"ClusterOnly": {
			reason:  "Before any instance exists, only the cluster's events: an empty source list would mean every instance in the account.",
			mutate:  func(m *Monitoring) { m.Alarms.ActionARNs = []string{testTopic} },
			cluster: true,
			want: map[resource.Name]*rdsv1beta1.EventSubscription{
				nameEventSubscriptionCluster: clusterSub(testTopic),
			},
		},
		"NothingYet": {
			reason: "RDS refuses sources that do not exist: nothing before the cluster.",
			mutate: func(m *Monitoring) { m.Alarms.ActionARNs = []string{testTopic} },
			want:   map[resource.Name]*rdsv1beta1.EventSubscription{},
		},
		"NoSNSTopic": {
			reason:    "Without an SNS topic there is nowhere to send events.",
			mutate:    func(m *Monitoring) { m.Alarms.ActionARNs = []string{testLambda} },
			cluster:   true,
			instances: []string{"1"},
			want:      map[resource.Name]*rdsv1beta1.EventSubscription{},
		},
		"AlarmsOff": {
			reason:    "monitoring.alarms.enabled false turns the subscriptions off too.",
			mutate:    func(m *Monitoring) { m.Alarms.ActionARNs = []string{testTopic}; m.Alarms.Enabled = ptr.To(false) },
			cluster:   true,
			instances: []string{"1"},
			want:      map[resource.Name]*rdsv1beta1.EventSubscription{},
		},
		"EventsOff": {
			reason: "monitoring.alarms.events.enabled false turns the subscriptions off.",
			mutate: func(m *Monitoring) {
				m.Alarms.ActionARNs = []string{testTopic}
				m.Alarms.Events.Enabled = ptr.To(false)
			},
			cluster:   true,
			instances: []string{"1"},
			want:      map[resource.Name]*rdsv1beta1.EventSubscription{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := map[resource.Name]*rdsv1beta1.EventSubscription{}
			for _, s := range testPlan(t, nil).eventSubscriptions(testMonitoring(tc.mutate), tc.cluster, tc.instances) {
				got[s.name] = s.subscription
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// observedState builds observed composed resources: true for Ready, false
// for existing but not Ready.
func observedState(state map[resource.Name]bool) observed {
	o := observed{}
	for n, ready := range state {
		u := composed.New()
		if ready {
			u.SetConditions(xpv1.Available(), xpv1.ReconcileSuccess())
		} else {
			u.SetConditions(xpv1.Creating(), xpv1.ReconcileSuccess())
		}
		o[n] = resource.MustStructObject(u)
	}
	return o
}

func TestComposeMonitoring(t *testing.T) {
	twoInstances := func(s *AuroraSpec) {
		s.Instances = []Instance{{Name: "writer", InstanceClass: "db.r6g.large"}, {Name: "reader", InstanceClass: "db.r6g.large"}}
	}
	withTopic := func(m *Monitoring) { m.Alarms.ActionARNs = []string{testTopic} }
	withInstanceEvents := func(m *Monitoring) {
		withTopic(m)
		m.Alarms.Events.InstanceEvents = ptr.To(true)
	}
	alarmsOf := []string{
		"alarm-slow-queries",
		"alarm-cpu-writer", "alarm-freeable-memory-writer", "alarm-connections-writer", "alarm-free-local-storage-writer",
		"alarm-cpu-reader", "alarm-freeable-memory-reader", "alarm-connections-reader", "alarm-free-local-storage-reader",
		"alarm-replica-lag", "alarm-transaction-id-wraparound", "alarm-deadlocks",
	}
	with := func(head []string, tail ...string) []string { return append(append([]string{}, head...), tail...) }
	cases := map[string]struct {
		reason        string
		spec          func(*AuroraSpec)
		mutate        func(*Monitoring)
		logGroup      bool
		observed      map[resource.Name]bool
		want          []string
		wantInstances []string
	}{
		"FirstCall": {
			reason:   "The log group is composed but not Ready yet: alarms only.",
			spec:     twoInstances,
			mutate:   withTopic,
			logGroup: true,
			want:     alarmsOf,
		},
		"LogGroupReady": {
			reason:   "The filter follows once the log group is Ready, before the alarms.",
			spec:     twoInstances,
			mutate:   withTopic,
			logGroup: true,
			observed: map[resource.Name]bool{"log-group-postgresql": true},
			want:     with([]string{"metric-filter-slow-queries"}, alarmsOf...),
		},
		"FilterKeptOnceItExists": {
			reason:   "An existing filter stays while the log group is not Ready.",
			spec:     twoInstances,
			mutate:   withTopic,
			logGroup: true,
			observed: map[resource.Name]bool{"log-group-postgresql": false, "metric-filter-slow-queries": true},
			want:     with([]string{"metric-filter-slow-queries"}, alarmsOf...),
		},
		"NoLogGroupComposed": {
			reason:   "No filter while the log group itself is not composed (it waits for the key).",
			spec:     twoInstances,
			mutate:   withTopic,
			observed: map[resource.Name]bool{"log-group-postgresql": true},
			want:     alarmsOf,
		},
		"ClusterReady": {
			reason:   "The cluster's event subscription follows the cluster; by default the instances get none.",
			spec:     twoInstances,
			mutate:   withTopic,
			logGroup: true,
			observed: map[resource.Name]bool{"log-group-postgresql": true, "cluster": true, "instance-writer": true, "instance-reader": true},
			want:     with([]string{"metric-filter-slow-queries"}, with(alarmsOf, "event-subscription-cluster")...),
		},
		"ClusterAndInstancesReady": {
			reason:        "With instanceEvents, event subscriptions follow the cluster and each Ready instance.",
			spec:          twoInstances,
			mutate:        withInstanceEvents,
			logGroup:      true,
			observed:      map[resource.Name]bool{"log-group-postgresql": true, "cluster": true, "instance-writer": true, "instance-reader": false},
			want:          with([]string{"metric-filter-slow-queries"}, with(alarmsOf, "event-subscription-cluster", "event-subscription-instances")...),
			wantInstances: []string{"ns-db-writer"},
		},
		"SubscribedInstanceKept": {
			reason:        "Once subscribed, an instance that exists stays a source while it is not Ready.",
			spec:          twoInstances,
			mutate:        withInstanceEvents,
			logGroup:      true,
			observed:      map[resource.Name]bool{"log-group-postgresql": true, "cluster": false, "event-subscription-cluster": true, "event-subscription-instances": true, "instance-writer": false, "instance-reader": true},
			want:          with([]string{"metric-filter-slow-queries"}, with(alarmsOf, "event-subscription-cluster", "event-subscription-instances")...),
			wantInstances: []string{"ns-db-writer", "ns-db-reader"},
		},
		"AlarmsOff": {
			reason:   "monitoring.alarms.enabled false removes alarms and subscriptions; the filter stays.",
			spec:     twoInstances,
			mutate:   func(m *Monitoring) { withTopic(m); m.Alarms.Enabled = ptr.To(false) },
			logGroup: true,
			observed: map[resource.Name]bool{"log-group-postgresql": true, "cluster": true, "instance-writer": true, "instance-reader": true},
			want:     []string{"metric-filter-slow-queries"},
		},
		"SlowQueryMetricsOff": {
			reason:   "slowQueryMetrics.enabled false removes the filter and its alarm; the other alarms stay.",
			mutate:   func(m *Monitoring) { m.SlowQueryMetrics.Enabled = ptr.To(false) },
			logGroup: true,
			observed: map[resource.Name]bool{"log-group-postgresql": true},
			want:     []string{"alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
		"SlowQueryLogOff": {
			reason:   "A slow-query threshold of -1 leaves no log lines to count: no filter.",
			spec:     func(s *AuroraSpec) { s.Logging.SlowQueryThresholdMs = ptr.To[int64](-1) },
			logGroup: true,
			observed: map[resource.Name]bool{"log-group-postgresql": true},
			want:     []string{"alarm-cpu-1", "alarm-freeable-memory-1", "alarm-connections-1", "alarm-free-local-storage-1", "alarm-transaction-id-wraparound", "alarm-deadlocks"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, tc.spec)
			d := &desired{}
			if tc.logGroup {
				d.add(nameLogGroup(logExportPostgreSQL), p.logGroup(logExportPostgreSQL, ""))
			}
			p.composeMonitoring(d, testMonitoring(tc.mutate), observedState(tc.observed))
			var got []string
			for _, n := range d.order {
				if n != nameLogGroup(logExportPostgreSQL) {
					got = append(got, string(n))
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ncomposed, in order: -want, +got:\n%s", tc.reason, diff)
			}
			if s, ok := d.objects[nameEventSubscriptionInstances].(*rdsv1beta1.EventSubscription); ok {
				ids := []string{}
				for _, id := range s.Spec.ForProvider.SourceIds {
					ids = append(ids, *id)
				}
				if diff := cmp.Diff(tc.wantInstances, ids); diff != "" {
					t.Errorf("%s\ninstance event sources: -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

// TestMonitoringNames keeps the names AWS sees derived from the cluster
// identifier and the composed resource names distinct.
func TestMonitoringNames(t *testing.T) {
	got := []string{
		alarmName(testClusterID, alarmCPU, "writer"),
		alarmName(testClusterID, alarmReplicaLag, ""),
		slowQueryMetricFilterName(testClusterID),
		eventSubscriptionName(testClusterID, eventSourceCluster),
		eventSubscriptionName(testClusterID, eventSourceInstance),
		string(nameAlarm(alarmCPU, "writer")),
		string(nameAlarm(alarmReplicaLag, "")),
	}
	want := []string{
		"aurora-ns-db-cpu-writer",
		"aurora-ns-db-replica-lag",
		"aurora-ns-db-slow-queries",
		"aurora-ns-db-cluster-events",
		"aurora-ns-db-instance-events",
		"alarm-cpu-writer",
		"alarm-replica-lag",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names: -want, +got:\n%s", diff)
	}
}
