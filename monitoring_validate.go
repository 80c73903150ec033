package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Alarm action ARNs CloudWatch accepts for an alarm on RDS or Lambda
// metrics (PutMetricAlarm's AlarmActions). EC2 actions (arn:...:automate:
// <region>:ec2:..., arn:...:swf:...:AWS_EC2...) and Auto Scaling policies
// are valid only on EC2 and Auto Scaling metrics, so they are refused with a
// reason.
var (
	reSNSTopicARN      = bounded(`^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):([0-9]{12}):([A-Za-z0-9_-]+)$`, groupBound{4, 256})
	reLambdaARN        = bounded(`^arn:(aws|aws-cn|aws-us-gov):lambda:([a-z0-9-]+):([0-9]{12}):function:([A-Za-z0-9_-]+)(:(\$LATEST|[A-Za-z0-9_-]+))?$`, groupBound{4, 64}, groupBound{6, 128})
	reOpsItemARN       = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):ssm:([a-z0-9-]+):([0-9]{12}):opsitem:[1-4](#CATEGORY=(Availability|Cost|Performance|Recovery|Security))?$`)
	reResponsePlanARN  = bounded(`^arn:(aws|aws-cn|aws-us-gov):ssm-incidents::([0-9]{12}):responseplan/([A-Za-z0-9_-]+)$`, groupBound{3, 200})
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
		re   submatcher
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
	for _, kind := range []string{alarmCPU, alarmFreeableMemory, alarmConnections, alarmReplicaLag, alarmACUUtilization, alarmRotationFailure, alarmTransactionIDWraparound, alarmFreeLocalStorage, alarmDeadlocks} {
		s := *a.settings()[kind]
		kp := ap.Child(alarmFields[kind])
		if spec := alarmSpecs[kind]; !spec.valid(*s.Threshold) {
			errs = append(errs, field.Invalid(kp.Child("threshold"), *s.Threshold, spec.rule))
		}
		errs = append(errs, validateAlarmWindow(kp, *s.PeriodSeconds, *s.EvaluationPeriods)...)
	}
	return append(errs, validateInsights(p, m)...)
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
