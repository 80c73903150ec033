package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	cloudwatchv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatch/v1beta1"
)

// namedAlarm is one alarm with its composed resource name.
type namedAlarm struct {
	name  resource.Name
	alarm *cloudwatchv1beta1.MetricAlarm
}

// alarms are the cluster's metric alarms, in order: slow queries, then per
// instance CPU, freeable memory (provisioned only), connections, ACU
// utilization (db.serverless only) and free local storage, then replica
// lag when the cluster has readers, then the writer's (alarms_postgres.go).
// Alarms on
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
			// NOTE: a serverless instance's memory follows its capacity
			// (about 2 GiB per ACU), so a fixed FreeableMemory floor is noise
			// at 0.5-1 ACU and meaningless at 64; ACUUtilization is what
			// says it runs out. No FreeLocalStorage either: AWS says the
			// metric "doesn't apply to Aurora Serverless v2"
			// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Monitoring.Metrics.RDSAvailability.html),
			// and a fixed floor on storage that scales with ACUs would be
			// noise at low capacity (AWS review 6, finding 9).
			kinds = []string{alarmCPU, alarmConnections, alarmACUUtilization}
		} else {
			kinds = append(kinds, alarmFreeLocalStorage)
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
	return append(out, p.writerAlarms(m)...)
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
