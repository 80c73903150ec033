package main

import (
	"fmt"

	"k8s.io/utils/ptr"
)

// Alarms on PostgreSQL's own failure modes, part of the alarm set
// (spec.monitoring.alarms): on whenever alarms are, like CPU or memory,
// since each watches a way the database stops serving that the load alarms
// do not see. The metrics are Aurora PostgreSQL's, in AWS/RDS
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html).

// Limits of the transaction ID space (PostgreSQL documentation, "Preventing
// Transaction ID Wraparound Failures",
// https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-WRAPAROUND):
// a database refuses new transaction IDs 3 million short of 2^31, and
// autovacuum forces an anti-wraparound vacuum of a table once its age
// passes autovacuum_freeze_max_age (200 million by default).
const (
	xidStopLimit         = 1<<31 - 3_000_000
	defaultWraparoundAge = 1_000_000_000
)

// transactionIDWraparoundAlarm watches MaximumUsedTransactionIDs, the age of
// the oldest unfrozen transaction ID (max(age(datfrozenxid))), on the
// writer. Autovacuum keeps it near autovacuum_freeze_max_age (200 million);
// at 1 billion anti-wraparound vacuums have been failing or blocked (a
// forgotten prepared transaction, a replication slot, a long transaction)
// for 800 million transactions, with about 1.1 billion left before the
// database stops accepting writes: days to weeks on a busy cluster, time
// to find the blocker rather than an emergency single-user VACUUM. AWS
// publishes the metric for exactly this alarm ("Implement an Early Warning
// System for Transaction ID Wraparound in Amazon RDS for PostgreSQL",
// https://aws.amazon.com/blogs/database/implement-an-early-warning-system-for-transaction-id-wraparound-in-amazon-rds-for-postgresql/).
// NOTE: treatMissingData missing: AWS documents the metric per instance and
// the DBClusterIdentifier+Role dimension pair only generically
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html),
// so if no data arrives under that pair the alarm must show
// INSUFFICIENT_DATA, not a silent OK, for the alarm that guards against the
// database refusing writes (AWS review 6, finding 8). Deadlocks keep
// notBreaching: an idle writer publishes nothing there, and no data is no
// deadlock.
var transactionIDWraparoundAlarm = alarmSpec{
	metric: "MaximumUsedTransactionIDs", namespace: awsRDSNamespace, statistic: "Maximum", comparison: "GreaterThanThreshold",
	treatMissingData: "missing", unit: "transaction IDs", scale: 1,
	valid:    func(v float64) bool { return v >= 1_000_000 && v < xidStopLimit },
	rule:     fmt.Sprintf("must be at least 1000000 and below %d transaction IDs (where PostgreSQL stops assigning them)", xidStopLimit),
	defaults: AlarmSettings{Threshold: ptr.To[float64](defaultWraparoundAge), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](1)},
}

// freeLocalStorageAlarm watches FreeLocalStorage of each instance: its own
// disk for temporary files (sorts and hashes spilling past work_mem, temp
// tables) and logs, sized by its class, not Aurora's shared cluster
// volume. When it fills, queries fail with "could not write to file" and
// the instance may restart. 2 GiB free is a floor a sort spill of a large
// query can cross within minutes on any class; below it, someone should
// look before the disk is full.
var freeLocalStorageAlarm = alarmSpec{
	metric: "FreeLocalStorage", namespace: awsRDSNamespace, statistic: "Minimum", comparison: "LessThanThreshold",
	treatMissingData: "notBreaching", unit: "MiB", scale: mebibyte,
	valid: func(v float64) bool { return v > 0 && v <= 2*mebibyte }, rule: "must be more than 0 and at most 2097152 MiB",
	defaults: AlarmSettings{Threshold: ptr.To(2048.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](2)},
}

// deadlocksAlarm watches Deadlocks (deadlocks per second, averaged over a
// minute) on the writer, where the write locks are. PostgreSQL resolves a
// deadlock by cancelling one transaction, which a well-written client
// retries, so one deadlock is not an incident; deadlocks in every one of
// three five-minute periods are a locking order bug that keeps failing
// transactions. Threshold 0: any deadlock in a period counts.
var deadlocksAlarm = alarmSpec{
	metric: "Deadlocks", namespace: awsRDSNamespace, statistic: "Maximum", comparison: "GreaterThanThreshold",
	treatMissingData: "notBreaching", unit: "deadlocks per second", scale: 1,
	valid: func(v float64) bool { return v >= 0 && v <= 1000 }, rule: "must be between 0 and 1000 deadlocks per second",
	defaults: AlarmSettings{Threshold: ptr.To(0.0), PeriodSeconds: ptr.To[int64](defaultAlarmPeriodSeconds), EvaluationPeriods: ptr.To[int64](3)},
}

// writerAlarms are the alarms on the writer, whichever instance it is:
// per cluster with Role=WRITER, so a failover moves them along (as the
// replica lag alarm's Role=READER does).
func (p *plan) writerAlarms(m Monitoring) []namedAlarm {
	var out []namedAlarm
	dims := map[string]string{"DBClusterIdentifier": p.clusterID, "Role": "WRITER"}
	for _, kind := range []string{alarmTransactionIDWraparound, alarmDeadlocks} {
		s := *m.Alarms.settings()[kind]
		if !*s.Enabled {
			continue
		}
		out = append(out, p.metricAlarm(m, kind, "", s, alarmSpecs[kind].metric, dims,
			fmt.Sprintf("Aurora PostgreSQL cluster %s, its writer", p.clusterID)))
	}
	return out
}
