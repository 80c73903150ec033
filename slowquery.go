package main

import (
	"fmt"
	"slices"

	"k8s.io/utils/ptr"

	logsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatchlogs/v1beta1"
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
