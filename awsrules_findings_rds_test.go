package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Finding rules about the cluster and its instances: maintenance windows
// and applyImmediately (minors 8 and 9), engine support and auto-pause
// (minor 12), the serverless memory alarm (minor 15) and IAM
// authentication's log (minor 14).

// rdsFindingRules are the cluster rules.
var rdsFindingRules = []awsRule{
	{
		ID:        "InstancesFollowTheClusterWindow",
		Statement: "Every ClusterInstance sets the rds Cluster's preferredMaintenanceWindow, and both the Cluster and every ClusterInstance set applyImmediately explicitly.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html#Concepts.DBMaintenance (each DB instance has its own maintenance window; unset, a random 30 minutes)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Modifying.html (applyImmediately: changes wait for the maintenance window unless applied immediately)",
		},
		Check: checkInstancesFollowTheClusterWindow,
	},
	{
		ID:        "NoNewClusterPastStandardSupport",
		Statement: "An rds Cluster composed for the first time runs a major version with Aurora standard support (not 11, 12 or 13).",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html (Aurora PostgreSQL 13: end of standard support 2026-02-28)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/extended-support-overview.html (a new cluster of such a major is enrolled in Extended Support and charged for it)",
		},
		Check: checkNoNewClusterPastStandardSupport,
	},
	{
		ID:        "AutoPauseNeedsSupportedVersion",
		Statement: "An rds Cluster with serverlessv2ScalingConfiguration.minCapacity 0 runs Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or later (any 17+).",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html (auto-pause: 0 ACUs need Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or higher)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html (MinCapacity: 0 only for versions with auto-pause, else 0.5)",
		},
		Check: checkAutoPauseNeedsSupportedVersion,
	},
	{
		ID:        "NoMemoryFloorOnServerless",
		Statement: "No FreeableMemory or FreeLocalStorage MetricAlarm watches an instance (DBInstanceIdentifier) whose ClusterInstance has instanceClass db.serverless.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Monitoring.Metrics.RDSAvailability.html (FreeLocalStorage: this doesn't apply to Aurora Serverless v2)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html#aurora-serverless-v2.how-it-works.capacity (memory follows capacity: about 2 GiB per ACU)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.viewing.monitoring (ACUUtilization is the metric of running out)",
		},
		Check: checkNoMemoryFloorOnServerless,
	},
	{
		ID:        "IAMAuthLogNeedsIAMAuth",
		Statement: "An rds Cluster that exports iam-db-auth-error sets iamDatabaseAuthenticationEnabled true.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_LogAccess.Concepts.PostgreSQL.html#USER_LogAccess.Concepts.PostgreSQL.Log_Format.log-file-types (iam-db-auth-error logs IAM database authentication errors)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.Enabling.html",
		},
		Check: checkIAMAuthLogNeedsIAMAuth,
	},
}

// InstancesFollowTheClusterWindow.

// checkInstancesFollowTheClusterWindow (minors 8 and 9): an instance
// without a window gets a random one, so OS patches land outside the
// window validated against the backup window; an unset applyImmediately
// leaves the choice to the provider's default.
func checkInstancesFollowTheClusterWindow(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		if _, set := mrParamBool(c.Obj, "applyImmediately"); !set {
			out = append(out, ruleFinding{Resource: c.Name, Message: "sets no applyImmediately: say whether changes wait for the maintenance window"})
		}
		if mrParamString(c.Obj, "preferredMaintenanceWindow") == "" {
			out = append(out, ruleFinding{Resource: c.Name, Message: "sets no preferredMaintenanceWindow: RDS picks one at random"})
		}
	}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		if _, set := mrParamBool(in.Obj, "applyImmediately"); !set {
			out = append(out, ruleFinding{Resource: in.Name, Message: "sets no applyImmediately: say whether changes wait for the maintenance window"})
		}
		want, from := s.Spec.PreferredMaintenanceWindow, "spec.preferredMaintenanceWindow"
		c := s.selectedBy(in.Obj, "clusterIdentifierSelector")
		if c == "" {
			if tc := s.theCluster(); tc != nil {
				c = tc.Name
			}
		}
		if c != "" {
			want, from = mrParamString(s.Desired[c], "preferredMaintenanceWindow"), fmt.Sprintf("the window of %s", s.describe(c))
		}
		switch got := mrParamString(in.Obj, "preferredMaintenanceWindow"); {
		case got == "":
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("sets no preferredMaintenanceWindow, want %q (%s): RDS picks one at random, and patches the instance outside the cluster's window", want, from)})
		case got != want:
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("preferredMaintenanceWindow is %q, want %q (%s)", got, want, from)})
		}
	}
	return out
}

// NoNewClusterPastStandardSupport.

// ruleMajorsPastStandardSupport are the Aurora PostgreSQL majors past the
// end of standard support, with its date.
var ruleMajorsPastStandardSupport = map[string]string{
	"11": "2024-02-29",
	"12": "2025-02-28",
	"13": "2026-02-28",
}

// checkNoNewClusterPastStandardSupport (minor 12): a new cluster of such a
// major is enrolled in RDS Extended Support and charged for it from day
// one; a cluster that exists is kept.
func checkNoNewClusterPastStandardSupport(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		if !s.firstComposed(c.Name) {
			continue
		}
		v := mrParamString(c.Obj, "engineVersion")
		major, _, _ := strings.Cut(v, ".")
		if end, ok := ruleMajorsPastStandardSupport[major]; ok {
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("is composed for the first time with engineVersion %s, whose major left standard support on %s: the new cluster is enrolled in RDS Extended Support and charged for it", v, end)})
		}
	}
	return out
}

// AutoPauseNeedsSupportedVersion.

// ruleAutoPauseMinMinor is, per major, the first minor whose Serverless v2
// scales to 0 ACU; later majors all do, earlier none.
var ruleAutoPauseMinMinor = map[int]int{13: 15, 14: 12, 15: 7, 16: 3}

// checkAutoPauseNeedsSupportedVersion (minor 12): CreateDBCluster refuses
// minCapacity 0 on a version without auto-pause.
func checkAutoPauseNeedsSupportedVersion(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		v, _ := mrParam(c.Obj, "serverlessv2ScalingConfiguration")
		if l, ok := v.([]any); ok && len(l) > 0 {
			v = l[0]
		}
		cfg, _ := v.(map[string]any)
		if minCap, ok := mrParamNumber(map[string]any{"spec": map[string]any{"forProvider": cfg}}, "minCapacity"); !ok || minCap != 0 {
			continue
		}
		version := mrParamString(c.Obj, "engineVersion")
		if !ruleSupportsAutoPause(version) {
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("scales to minCapacity 0 (auto-pause) on engineVersion %q, want 13.15, 14.12, 15.7, 16.3 or later: CreateDBCluster refuses 0 ACUs before those", version)})
		}
	}
	return out
}

// ruleSupportsAutoPause reports whether an Aurora PostgreSQL version
// (MAJOR.MINOR) scales to 0 ACUs.
func ruleSupportsAutoPause(version string) bool {
	ma, mi, ok := strings.Cut(version, ".")
	major, err1 := strconv.Atoi(ma)
	minor, err2 := strconv.Atoi(mi)
	if !ok || err1 != nil || err2 != nil {
		return false
	}
	if major > 16 {
		return true
	}
	first, ok := ruleAutoPauseMinMinor[major]
	return ok && minor >= first
}

// NoMemoryFloorOnServerless.

// checkNoMemoryFloorOnServerless (minor 15): a serverless instance's memory
// follows its capacity, so a fixed FreeableMemory floor alarms at low
// capacity and means nothing at high.
func checkNoMemoryFloorOnServerless(s *ruleState) []ruleFinding {
	// The instances' classes by identifier: the desired ClusterInstances',
	// and before they are composed, the spec's.
	classes := map[string]string{}
	if s.Meta.Name != "" {
		id := clusterIdentifier(s.Meta, s.Spec)
		for i, in := range s.Spec.Instances {
			classes[instanceIdentifier(id, instanceSuffix(i, in))] = in.InstanceClass
		}
	}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		classes[objAnnotation(in.Obj, ruleAnnotationExternalName)] = mrParamString(in.Obj, "instanceClass")
	}
	var out []ruleFinding
	for _, a := range s.desiredOf(ruleKindMetricAlarm) {
		metric := mrParamString(a.Obj, "metricName")
		if metric != "FreeableMemory" && metric != "FreeLocalStorage" {
			continue
		}
		v, _ := mrParam(a.Obj, "dimensions")
		dims, _ := v.(map[string]any)
		id, _ := dims["DBInstanceIdentifier"].(string)
		if class := classes[id]; class == instanceClassServerless && metric == "FreeableMemory" {
			out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("alarms on FreeableMemory of %s, a %s instance: its memory follows its capacity (about 2 GiB per ACU), so a fixed floor is noise at low capacity; ACUUtilization says it runs out", id, class)})
		} else if class == instanceClassServerless {
			out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("alarms on FreeLocalStorage of %s, a %s instance: AWS says the metric doesn't apply to Aurora Serverless v2", id, class)})
		}
	}
	return out
}

// IAMAuthLogNeedsIAMAuth.

// checkIAMAuthLogNeedsIAMAuth (minor 14): without IAM database
// authentication the iam-db-auth-error log stays empty, a log group that
// costs and says nothing.
func checkIAMAuthLogNeedsIAMAuth(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		for _, e := range ruleStringList(c.Obj, "enabledCloudwatchLogsExports") {
			if e != logExportIAMDBAuthError {
				continue
			}
			if on, _ := mrParamBool(c.Obj, "iamDatabaseAuthenticationEnabled"); !on {
				out = append(out, ruleFinding{Resource: c.Name, Message: "exports iam-db-auth-error without iamDatabaseAuthenticationEnabled: true: the log stays empty"})
			}
		}
	}
	return out
}

// rdsFindingSelfTests are the cluster rules' cases.
func rdsFindingSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	const window = "sun:05:00-sun:06:00"
	cluster := func(params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSCluster, "cluster", params), "orders")
	}
	instance := func(name string, params map[string]any) map[string]any {
		return withExternalName(testMR(ruleKindRDSClusterInstance, name, withParamsMap(map[string]any{"clusterIdentifierSelector": testSelector("cluster")}, params)), "orders-"+strings.TrimPrefix(name, "instance-"))
	}
	alarm := func(name, metric, id string) map[string]any {
		return testMR(ruleKindMetricAlarm, name, map[string]any{"namespace": "AWS/RDS", "metricName": metric, "dimensions": map[string]any{"DBInstanceIdentifier": id}})
	}
	scaling := func(minCap float64, version string) map[string]any {
		return cluster(map[string]any{"engineVersion": version, "serverlessv2ScalingConfiguration": map[string]any{"minCapacity": minCap, "maxCapacity": 16.0}})
	}
	return map[string]ruleSelfTest{
		// InstancesFollowTheClusterWindow.
		"InstancesFollowTheClusterWindowGood": {
			reason: "The instances take the cluster's window, and everything says applyImmediately.",
			args: args{rule: "InstancesFollowTheClusterWindow", state: testState("us-east-1", map[string]map[string]any{
				"cluster":    cluster(map[string]any{"preferredMaintenanceWindow": window, "applyImmediately": false}),
				"instance-1": instance("instance-1", map[string]any{"preferredMaintenanceWindow": window, "applyImmediately": false}),
				"instance-2": instance("instance-2", map[string]any{"preferredMaintenanceWindow": window, "applyImmediately": true}),
			})},
		},
		"InstancesFollowTheClusterWindowBad": {
			reason: "An instance without a window, one with its own, and a cluster and instance without applyImmediately are reported.",
			args: args{rule: "InstancesFollowTheClusterWindow", state: testState("us-east-1", map[string]map[string]any{
				"cluster":    cluster(map[string]any{"preferredMaintenanceWindow": window}),
				"instance-1": instance("instance-1", map[string]any{"applyImmediately": false}),
				"instance-2": instance("instance-2", map[string]any{"preferredMaintenanceWindow": "mon:01:00-mon:01:30"}),
			})},
			want: want{violations: []string{
				`InstancesFollowTheClusterWindow: self-test: "cluster" (rds Cluster): sets no applyImmediately: say whether changes wait for the maintenance window`,
				`InstancesFollowTheClusterWindow: self-test: "instance-1" (rds ClusterInstance): sets no preferredMaintenanceWindow, want "sun:05:00-sun:06:00" (the window of "cluster" (rds Cluster)): RDS picks one at random, and patches the instance outside the cluster's window`,
				`InstancesFollowTheClusterWindow: self-test: "instance-2" (rds ClusterInstance): preferredMaintenanceWindow is "mon:01:00-mon:01:30", want "sun:05:00-sun:06:00" (the window of "cluster" (rds Cluster))`,
				`InstancesFollowTheClusterWindow: self-test: "instance-2" (rds ClusterInstance): sets no applyImmediately: say whether changes wait for the maintenance window`,
			}},
		},

		// NoNewClusterPastStandardSupport.
		"NoNewClusterPastStandardSupportGood": {
			reason: "A new 14 cluster, and a 13 cluster that exists already, pass.",
			args: args{rule: "NoNewClusterPastStandardSupport", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster":     cluster(map[string]any{"engineVersion": "14.15"}),
				"old-cluster": testMR(ruleKindRDSCluster, "old-cluster", map[string]any{"engineVersion": "13.20"}),
			}), map[string]map[string]any{"old-cluster": testMR(ruleKindRDSCluster, "old-cluster", map[string]any{"engineVersion": "13.20"})})},
		},
		"NoNewClusterPastStandardSupportBad": {
			reason: "A new cluster of 13 is reported.",
			args: args{rule: "NoNewClusterPastStandardSupport", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"engineVersion": "13.20"}),
			}), nil)},
			want: want{violations: []string{
				`NoNewClusterPastStandardSupport: self-test: "cluster" (rds Cluster): is composed for the first time with engineVersion 13.20, whose major left standard support on 2026-02-28: the new cluster is enrolled in RDS Extended Support and charged for it`,
			}},
		},

		// AutoPauseNeedsSupportedVersion.
		"AutoPauseNeedsSupportedVersionGood": {
			reason: "0 ACUs on 16.3 and 17.1, and 0.5 ACUs on 16.1, pass.",
			args: args{rule: "AutoPauseNeedsSupportedVersion", state: testState("us-east-1", map[string]map[string]any{
				"cluster":   scaling(0, "16.3"),
				"cluster17": scaling(0, "17.1"),
				"half":      scaling(0.5, "16.1"),
			})},
		},
		"AutoPauseNeedsSupportedVersionBad": {
			reason: "0 ACUs on 16.2 and 14.11 are reported.",
			args: args{rule: "AutoPauseNeedsSupportedVersion", state: testState("us-east-1", map[string]map[string]any{
				"cluster":   scaling(0, "16.2"),
				"cluster14": scaling(0, "14.11"),
			})},
			want: want{violations: []string{
				`AutoPauseNeedsSupportedVersion: self-test: "cluster" (rds Cluster): scales to minCapacity 0 (auto-pause) on engineVersion "16.2", want 13.15, 14.12, 15.7, 16.3 or later: CreateDBCluster refuses 0 ACUs before those`,
				`AutoPauseNeedsSupportedVersion: self-test: "cluster14" (rds Cluster): scales to minCapacity 0 (auto-pause) on engineVersion "14.11", want 13.15, 14.12, 15.7, 16.3 or later: CreateDBCluster refuses 0 ACUs before those`,
			}},
		},

		// NoMemoryFloorOnServerless.
		"NoMemoryFloorOnServerlessGood": {
			reason: "A memory alarm on a provisioned instance, and an ACU alarm on a serverless one, pass.",
			args: args{rule: "NoMemoryFloorOnServerless", state: testState("us-east-1", map[string]map[string]any{
				"instance-1":                 instance("instance-1", map[string]any{"instanceClass": "db.r6g.large"}),
				"instance-2":                 instance("instance-2", map[string]any{"instanceClass": "db.serverless"}),
				"alarm-freeable-memory-1":    alarm("alarm-freeable-memory-1", "FreeableMemory", "orders-1"),
				"alarm-acu-utilization-2":    alarm("alarm-acu-utilization-2", "ACUUtilization", "orders-2"),
				"alarm-freeable-memory-none": alarm("alarm-freeable-memory-none", "FreeableMemory", "orders-9"),
			})},
		},
		"NoMemoryFloorOnServerlessBad": {
			reason: "A FreeableMemory alarm on a serverless instance is reported.",
			args: args{rule: "NoMemoryFloorOnServerless", state: testState("us-east-1", map[string]map[string]any{
				"instance-2":              instance("instance-2", map[string]any{"instanceClass": "db.serverless"}),
				"alarm-freeable-memory-2": alarm("alarm-freeable-memory-2", "FreeableMemory", "orders-2"),
			})},
			want: want{violations: []string{
				`NoMemoryFloorOnServerless: self-test: "alarm-freeable-memory-2" (cloudwatch MetricAlarm): alarms on FreeableMemory of orders-2, a db.serverless instance: its memory follows its capacity (about 2 GiB per ACU), so a fixed floor is noise at low capacity; ACUUtilization says it runs out`,
			}},
		},
		"NoMemoryFloorOnServerlessLocalStorage": {
			reason: "A FreeLocalStorage alarm on a serverless instance is reported; on a provisioned one it passes.",
			args: args{rule: "NoMemoryFloorOnServerless", state: testState("us-east-1", map[string]map[string]any{
				"instance-1":                 instance("instance-1", map[string]any{"instanceClass": "db.r6g.large"}),
				"instance-2":                 instance("instance-2", map[string]any{"instanceClass": "db.serverless"}),
				"alarm-free-local-storage-1": alarm("alarm-free-local-storage-1", "FreeLocalStorage", "orders-1"),
				"alarm-free-local-storage-2": alarm("alarm-free-local-storage-2", "FreeLocalStorage", "orders-2"),
			})},
			want: want{violations: []string{
				`NoMemoryFloorOnServerless: self-test: "alarm-free-local-storage-2" (cloudwatch MetricAlarm): alarms on FreeLocalStorage of orders-2, a db.serverless instance: AWS says the metric doesn't apply to Aurora Serverless v2`,
			}},
		},
		"NoMemoryFloorOnServerlessBeforeInstances": {
			reason: "Alarms come before the instances: the spec says which are serverless.",
			args: args{rule: "NoMemoryFloorOnServerless", state: func() *ruleState {
				s := testState("us-east-1", nil)
				s.Meta = xrMeta{Name: "orders", Namespace: "team", UID: "u"}
				s.Spec.Instances = []Instance{{InstanceClass: "db.serverless"}}
				id := instanceIdentifier(clusterIdentifier(s.Meta, s.Spec), "1")
				s.Desired = map[string]map[string]any{"alarm-freeable-memory-1": alarm("alarm-freeable-memory-1", "FreeableMemory", id)}
				return s
			}()},
			want: want{violations: []string{
				`NoMemoryFloorOnServerless: self-test: "alarm-freeable-memory-1" (cloudwatch MetricAlarm): alarms on FreeableMemory of team-orders-fe04b7-1, a db.serverless instance: its memory follows its capacity (about 2 GiB per ACU), so a fixed floor is noise at low capacity; ACUUtilization says it runs out`,
			}},
		},

		// IAMAuthLogNeedsIAMAuth.
		"IAMAuthLogNeedsIAMAuthGood": {
			reason: "The IAM authentication log with IAM authentication on.",
			args: args{rule: "IAMAuthLogNeedsIAMAuth", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"enabledCloudwatchLogsExports": []any{"postgresql", "iam-db-auth-error"}, "iamDatabaseAuthenticationEnabled": true}),
			})},
		},
		"IAMAuthLogNeedsIAMAuthBad": {
			reason: "The IAM authentication log without IAM authentication is reported.",
			args: args{rule: "IAMAuthLogNeedsIAMAuth", state: testState("us-east-1", map[string]map[string]any{
				"cluster": cluster(map[string]any{"enabledCloudwatchLogsExports": []any{"iam-db-auth-error"}, "iamDatabaseAuthenticationEnabled": false}),
			})},
			want: want{violations: []string{
				`IAMAuthLogNeedsIAMAuth: self-test: "cluster" (rds Cluster): exports iam-db-auth-error without iamDatabaseAuthenticationEnabled: true: the log stays empty`,
			}},
		},
	}
}
