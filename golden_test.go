package main

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// goldenCase is one example XR rendered into testdata/golden/<name>.
type goldenCase struct {
	reason string
	// xr is the XR's file.
	xr string
	// input is the function input; nil for exampleInput().
	input map[string]any
	// steady renders the state converge ends in instead of the first
	// reconcile.
	steady bool
	// before, when set, is an XR converged first; then the XR is changed
	// to xr (its status kept) and converged again from what exists, with
	// aws changing what the provider reports (engine.go's cases).
	before string
	aws    func(name string, obj map[string]any)
	// unprobed renders the very first call, before the provider answered
	// the probe of the cluster identifier (adopt.go).
	unprobed bool
}

// goldenCases are TestGolden's cases, keyed by their directory in
// testdata/golden. TestAWSRules checks the same cases, so a case added here
// is checked against the AWS rules too.
var goldenCases = map[string]goldenCase{
	"Minimal": {
		reason: "Only region and network given: every default applies, and the cluster waits for its log group.",
		xr:     "testdata/xr/minimal.yaml",
	},
	"MinimalWithoutAccountID": {
		reason: "Without an account ID the CMK, whose policy names the account, waits; the rest is composed.",
		xr:     "testdata/xr/minimal.yaml",
		input:  exampleInputWithoutAccountID(),
	},
	"FullProvisioned": {
		reason: "The main example at its first reconcile: writer and reader held back until the cluster exists.",
		xr:     "example/xr.yaml",
	},
	"FullProvisionedSteadyState": {
		reason: "The main example with every resource observed and ready: status, connection secret and readiness filled.",
		xr:     "example/xr.yaml",
		steady: true,
	},
	"ServerlessV2": {
		reason: "db.serverless instances with a scaling range and auto-pause, IPv4 and IPv6 ingress.",
		xr:     "testdata/xr/serverless.yaml",
		steady: true,
	},
	"ExistingKMSKey": {
		reason: "An existing key: no Key or Alias composed, its ARN used directly everywhere.",
		xr:     "testdata/xr/existing-key.yaml",
		steady: true,
	},
	"LegacyClaimFirstReconcile": {
		reason: "A claim's cluster-scoped XR composes namespaced kinds into the claim's namespace.",
		xr:     "example/legacy/xr.yaml",
		input:  exampleInput(),
	},
	"LegacyClaimSteadyState": {
		reason: "A claim's XR publishes composite connection details instead of composing a Secret.",
		xr:     "example/legacy/xr.yaml",
		input:  exampleInput(),
		steady: true,
	},
	"Parameters": {
		reason: "spec.parameters on top of the function's own, and a DB parameter group every named instance references; apply methods by kind.",
		xr:     "testdata/xr/parameters.yaml",
		steady: true,
	},
	"CapacityFirstReconcile": {
		reason: "Reader autoscaling and custom endpoints at the first reconcile: the scalable target waits for the cluster and its writer, the endpoints for their instances.",
		xr:     "testdata/xr/capacity.yaml",
	},
	"CapacitySteadyState": {
		reason: "Reader autoscaling (target on cluster:<identifier>, CPU policy) and two custom endpoints over named instances, their addresses in status.",
		xr:     "testdata/xr/capacity.yaml",
		steady: true,
	},
	"CapacityReadersOffDraining": {
		reason: "Reader autoscaling turned off while the cluster has a replica Aurora Auto Scaling added: the target stays at 0..0 and the policy as it was, and Available says what is drained.",
		xr:     "testdata/xr/capacity-readers-off.yaml",
		before: "testdata/xr/capacity.yaml",
		aws:    awsAutoscaledReaders("application-autoscaling-6f1c2a0e-5b7d-4c1e-9a3f-2d4b6e8f0a1c"),
	},
	"CapacityAutoscaledReaders": {
		reason: "Reader autoscaling on with a replica Aurora Auto Scaling added: status.autoscaledReaders lists it and Available says deleting the XR now would block at the cluster.",
		xr:     "testdata/xr/capacity.yaml",
		before: "testdata/xr/capacity.yaml",
		aws:    awsAutoscaledReaders("application-autoscaling-6f1c2a0e-5b7d-4c1e-9a3f-2d4b6e8f0a1c"),
	},
	"CapacityReadersOffDrained": {
		reason: "Reader autoscaling turned off with no autoscaled replica left: the target and policy leave the desired state, the custom endpoints stay.",
		xr:     "testdata/xr/capacity-readers-off.yaml",
		before: "testdata/xr/capacity.yaml",
	},
	"RDSManagedRotationFirstReconcile": {
		reason: "RDS owns the password; the rotation schedule waits for the RDS-owned secret's ARN.",
		xr:     "testdata/xr/rds-managed.yaml",
	},
	"RDSManagedRotationSteadyState": {
		reason: "A SecretRotation without a Lambda sets the RDS-owned secret's schedule to rotation.days.",
		xr:     "testdata/xr/rds-managed.yaml",
		steady: true,
	},
	"SelfManagedS3RotatorFirstReconcile": {
		reason: "The seed's zip from S3: role, VPC access, bootstrap Secret, master secret and endpoint without private DNS.",
		xr:     "testdata/xr/s3-rotator.yaml",
	},
	"SelfManagedS3RotatorSteadyState": {
		reason: "The S3 rotator with its scoped role policy and environment, called through the endpoint's own DNS name.",
		xr:     "testdata/xr/s3-rotator.yaml",
		steady: true,
	},
	"SelfManagedExistingLambdaFirstReconcile": {
		reason: "An existing rotator and endpoint: no stack, no function, no endpoint composed.",
		xr:     "testdata/xr/existing-lambda.yaml",
	},
	"SelfManagedExistingLambdaSteadyState": {
		reason: "The existing rotator gets an invoke permission scoped to this secret and the secret policy names its role.",
		xr:     "testdata/xr/existing-lambda.yaml",
		steady: true,
	},
	"SelfManagedRotationOffFirstReconcile": {
		reason: "Rotation off: no rotator, no schedule, no rotator network.",
		xr:     "testdata/xr/rotation-off.yaml",
	},
	"SelfManagedRotationOffSteadyState": {
		reason: "Rotation off at steady state: secret, policy and endpoint only.",
		xr:     "testdata/xr/rotation-off.yaml",
		steady: true,
	},
	"SelfManagedPrivateDNSEndpointSteadyState": {
		reason: "A private-DNS endpoint answers for the whole VPC, so it admits HTTPS from the VPC's networks as well as from the rotator.",
		xr:     "testdata/xr/private-dns.yaml",
		steady: true,
	},
	"GovCloudSteadyState": {
		reason: "In aws-us-gov every ARN carries the partition and the rotator comes from GovCloud's Serverless Application Repository.",
		xr:     "testdata/xr/govcloud.yaml",
		steady: true,
	},
	"AlarmsOff": {
		reason: "alarms.enabled false removes alarms and event subscriptions only: export, parameter and metric filter stay.",
		xr:     "testdata/xr/alarms-off.yaml",
		steady: true,
	},
	"CustomPatternAndAlarmOverrides": {
		reason: "A custom filter pattern, one alarm off, thresholds overridden, SNS and Lambda actions.",
		xr:     "testdata/xr/custom-pattern.yaml",
		steady: true,
	},
	"MonitoringInsights": {
		reason: "The first reconcile with every monitoring feature on: the Enhanced Monitoring role from the start, before any instance waits for it; the PostgreSQL alarms with their overrides.",
		xr:     "testdata/xr/monitoring-insights.yaml",
	},
	"MonitoringInsightsSteadyState": {
		reason: "Database Insights Advanced (465 days, the cluster's key) on the cluster and the same Performance Insights settings on both instances; Enhanced Monitoring every 15 s on both through the composed role, its managed policy and Usages.",
		xr:     "testdata/xr/monitoring-insights.yaml",
		steady: true,
	},
	"MonitoringInsightsTurnedOff": {
		reason: "Both switched off again: mode standard and Performance Insights off on the cluster and instances, interval 0, and the role gone once the instances report Enhanced Monitoring off.",
		xr:     "testdata/xr/monitoring-insights-off.yaml",
		before: "testdata/xr/monitoring-insights.yaml",
	},
	"MonitoringInsightsStandardToAdvanced": {
		reason: "An existing cluster in Standard with 7 days moved to Advanced while RDS still reports 7 days: Performance Insights with 465 days and the key in mode standard first, as RDS refuses Advanced against a shorter current retention.",
		xr:     "testdata/xr/monitoring-insights.yaml",
		before: "testdata/xr/monitoring-insights-standard.yaml",
		aws:    awsInsightsRetention(7),
	},
	"MonitoringInsightsStandardToAdvancedDone": {
		reason: "The second step: once RDS reports 465 days the cluster asks for Advanced.",
		xr:     "testdata/xr/monitoring-insights.yaml",
		before: "testdata/xr/monitoring-insights-standard.yaml",
	},
	"MonitoringInsightsLeavingAdvanced": {
		reason: "Database Insights switched off while RDS still reports Advanced: mode standard first with Performance Insights still on, its retention and key; Performance Insights goes off once RDS reports standard (MonitoringInsightsTurnedOff).",
		xr:     "testdata/xr/monitoring-insights-off.yaml",
		before: "testdata/xr/monitoring-insights.yaml",
		aws:    awsInsightsMode("advanced"),
	},
	"MonitoringTurnedOffMidFlight": {
		reason: "Enhanced Monitoring switched off while RDS still reports it on the instances: they ask for interval 0, and the role and its policy stay until no instance uses them.",
		xr:     "testdata/xr/monitoring-insights-off.yaml",
		before: "testdata/xr/monitoring-insights.yaml",
		aws:    awsStillMonitors(15, "arn:aws:iam::111122223333:role/team-ops-insights-6d8d7a-em-4bdc41d1"),
	},
	"APISketch": {
		reason: "An XR written from shared/design/api.md's sketch alone renders at steady state.",
		xr:     "testdata/xr/api-sketch.yaml",
		steady: true,
	},
	"EngineMinorUpgradedByAWS": {
		reason: "AWS upgraded a pinned 16.6 to 16.8 in the maintenance window: the cluster asks for 16.8, never 16.6, and status says the spec is behind.",
		xr:     "testdata/xr/serverless.yaml",
		before: "testdata/xr/serverless.yaml",
		aws:    awsRunsVersion("16.8"),
	},
	"MajorUpgradeMidFlight": {
		reason: "15.10 to 16 waiting for the maintenance window: the 16 parameter group exists, the cluster asks for 16 on it with allowMajorVersionUpgrade, the 15 group stays, status says Upgrading.",
		xr:     "testdata/xr/upgrade-16.yaml",
		before: "testdata/xr/existing-key.yaml",
		aws:    awsDefersUpgrade("15.10", "finance-ledger"),
	},
	"MajorUpgradeDone": {
		reason: "15.10 to 16 applied: the cluster runs 16 on the 16 group, the 15 group and its Usage are gone.",
		xr:     "testdata/xr/upgrade-16.yaml",
		before: "testdata/xr/existing-key.yaml",
	},
	"MajorUpgradeWithInstanceParametersMidFlight": {
		reason: "15.10 to 16 with instance parameters, waiting for the window: both families' DB parameter groups, the cluster names the 16 one in dbInstanceParameterGroupName, the instances still name the 15 one.",
		xr:     "testdata/xr/upgrade-16-instance-parameters.yaml",
		before: "testdata/xr/existing-key-instance-parameters.yaml",
		aws:    awsDefersUpgrade("15.10", "finance-ledger"),
	},
	"MajorUpgradeWithInstanceParametersDone": {
		reason: "15.10 to 16 with instance parameters applied: the instances name the 16 family's DB parameter group explicitly (a switched selector would stay resolved to the 15 one), the 15 groups are gone.",
		xr:     "testdata/xr/upgrade-16-instance-parameters.yaml",
		before: "testdata/xr/existing-key-instance-parameters.yaml",
	},
	"IdentifierProbe": {
		reason:   "The very first call composes only an observe-only probe of the cluster identifier: nothing is created before the provider says no such cluster exists.",
		xr:       "testdata/xr/minimal.yaml",
		unprobed: true,
	},
	"IdentifierTaken": {
		reason: "The derived or given identifier exists in AWS without this XR's owner tag: reported, not taken over, nothing new composed.",
		xr:     "testdata/xr/identifier-taken.yaml",
		steady: true,
	},
	"RestoreFromSnapshot": {
		reason: "A restore from a snapshot ARN: no databaseName or masterUsername sent, the key encrypts the copy, instances name the cluster (provider-upjet-aws#1764).",
		xr:     "testdata/xr/restore-snapshot.yaml",
		steady: true,
	},
	"RestorePointInTime": {
		reason: "A point-in-time restore: restoreToPointInTime full-copy at a time, no engine version, database or master user sent.",
		xr:     "testdata/xr/restore-point-in-time.yaml",
		steady: true,
	},
	"RestorePointInTimeThenMajorUpgrade": {
		reason: "A cluster restored to a point in time, then upgraded to 17.4: engineVersion is sent once the cluster runs, with the 17 family's group and allowMajorVersionUpgrade (a restore that never sent it would ask RDS for a 17 group on a 16 cluster forever).",
		xr:     "testdata/xr/restore-point-in-time-upgrade-17.yaml",
		before: "testdata/xr/restore-point-in-time.yaml",
		aws:    awsDefersUpgrade("16.9", "team-payments-orders-pitr-2be269"),
	},
	"AdoptObserve": {
		reason: "An existing cluster observed: the cluster and its two instances observe-only, status filled, every difference from the spec in Available.",
		xr:     "testdata/xr/adopt-observe.yaml",
		steady: true,
	},
	"AdoptManage": {
		reason: "The existing cluster managed: its own subnet group kept, instances named by identifier, the spec applied.",
		xr:     "testdata/xr/adopt-manage.yaml",
		steady: true,
	},
	"AccessTLSIOOptimized": {
		reason: "IAM authentication with its log, every instance pinned to the spec's CA, sslmode verify-full with the region's bundle and the rds-db:connect ARN in the connection secret, I/O-Optimized storage.",
		xr:     "testdata/xr/access-tls-iopt.yaml",
		steady: true,
	},
	"ProductionFirstReconcile": {
		reason: "Every production feature on one XR at the first reconcile: the monitoring role, the proxy's security group, rules and role at once; the proxy, autoscaling and endpoints wait for the cluster and its instances.",
		xr:     "example/production/xr.yaml",
	},
	"ProductionSteadyState": {
		reason: "Every production feature converged: I/O-Optimized, IAM auth, the pinned CA and verify-full, Advanced Database Insights, Enhanced Monitoring, the PostgreSQL alarms, the proxy and proxy_host, reader autoscaling and the reporting endpoint's address in status.",
		xr:     "example/production/xr.yaml",
		steady: true,
	},
	"InvalidProductionSpec": {
		reason: "The production features' mistakes (an expired CA, an unknown storage type, Advanced insights without 465 days, an Enhanced Monitoring interval of 7, min above max readers, a custom endpoint over an instance the spec lacks, the IAM auth log without IAM auth) in one Fatal result, each with its field path; nothing is composed.",
		xr:     "testdata/xr/invalid-production.yaml",
	},
	"ProxyFirstReconcile": {
		reason: "spec.proxy at the first reconcile: its security group, rules and role come at once; the proxy waits for the cluster.",
		xr:     "testdata/xr/proxy.yaml",
	},
	"ProxySteadyState": {
		reason: "An RDS Proxy on the RDS-owned secret: role scoped to that secret and key, the cluster as its target, proxy_host in the connection secret.",
		xr:     "testdata/xr/proxy.yaml",
		steady: true,
	},
	"ProxySelfManagedSteadyState": {
		reason: "An RDS Proxy on the function's own master secret, selected by reference, next to the rotator.",
		xr:     "testdata/xr/proxy-self-managed.yaml",
		steady: true,
	},
	"ProxyTurnedOff": {
		reason: "Turning the proxy off removes every proxy resource, its Usages and proxy_host; the cluster and its own rules stay.",
		xr:     "testdata/xr/proxy-off.yaml",
		before: "testdata/xr/proxy.yaml",
	},
	"InvalidSpec": {
		reason: "Every mistake is reported in one Fatal result with its field path, and nothing is composed.",
		xr:     "testdata/xr/invalid.yaml",
	},
}

// exampleInputWithoutAccountID is the example input without the
// environment that names the account, so the function has to learn it from
// an observed ARN.
func exampleInputWithoutAccountID() map[string]any {
	in := exampleInput()
	delete(in, testEnvironment)
	return in
}

// TestGolden renders each example case and compares the full desired state,
// and everything else the function says, with testdata/golden. The
// desired.yaml files are also validated against the provider-aws CRDs by
// `make test`.
func TestGolden(t *testing.T) {
	for name, tc := range goldenCases {
		t.Run(name, func(t *testing.T) {
			input := tc.input
			if input == nil {
				input = exampleInput()
			}
			xr := readObject(t, tc.xr)
			req := newRequest(xr, input, nil)
			if tc.unprobed {
				req = newUnprobedRequest(xr, input, nil)
			}
			rsp := run(t, req)
			if tc.before != "" {
				rsp = lastStep(t, goldenChanged(t, tc))
			}
			if tc.steady {
				rsps, _, _ := converge(t, xr, input)
				rsp = rsps[len(rsps)-1]
			}
			dir := filepath.Join("testdata", "golden", name)
			compareGolden(t, filepath.Join(dir, "desired.yaml"), goldenDesired(t, rsp))
			compareGolden(t, filepath.Join(dir, "state.yaml"), goldenState(t, rsp))
		})
	}
}

// TestExampleObserved writes example/observed.yaml and
// example/production/observed.yaml: each example's composed resources as the
// provider reports them at steady state, for `make render
// OBSERVED=example/observed.yaml` (and the production one) and the e2e
// render.
func TestExampleObserved(t *testing.T) {
	for _, dir := range []string{"example", "example/production"} {
		t.Run(dir, func(t *testing.T) {
			_, observed, _ := converge(t, readObject(t, dir+"/xr.yaml"), exampleInput())
			rsp := &fnv1.RunFunctionResponse{Desired: &fnv1.State{Resources: observed}}
			// No document separator before the first resource: render reads a
			// comment-only document as an empty resource.
			docs := strings.TrimPrefix(string(goldenDesired(t, rsp)), "---\n")
			compareGolden(t, dir+"/observed.yaml", []byte("# "+dir+"/xr.yaml's composed resources at steady state, as the provider\n# reports them (generated by TestExampleObserved; go test -update).\n"+docs))
		})
	}
}

// goldenChanged simulates a changed case: its before XR to convergence, then
// its XR, with its AWS behaviour, from there.
func goldenChanged(t testing.TB, tc goldenCase) simulation {
	t.Helper()
	input := goldenInput(tc)
	_, observed, xr := converge(t, readObject(t, tc.before), input)
	changed := readObject(t, tc.xr)
	changed["status"] = xr["status"]
	changed["metadata"] = xr["metadata"]
	return simulateWith(t, changed, input, simOptions{observed: observed, aws: tc.aws})
}

func lastStep(t testing.TB, sim simulation) *fnv1.RunFunctionResponse {
	t.Helper()
	return sim.steps[len(sim.steps)-1].rsp
}

// awsRunsVersion is AWS having upgraded the cluster to v in the
// maintenance window: engineVersionActual says v.
func awsRunsVersion(v string) func(string, map[string]any) {
	return func(name string, obj map[string]any) {
		if name == string(nameCluster) {
			obj["status"].(map[string]any)["atProvider"].(map[string]any)["engineVersionActual"] = v
		}
	}
}

// awsStillMonitors is RDS not having applied an instance's new Enhanced
// Monitoring interval yet: every instance still reports interval seconds
// with role.
func awsStillMonitors(interval float64, role string) func(string, map[string]any) {
	return func(name string, obj map[string]any) {
		if strings.HasPrefix(name, prefixInstance) {
			at := obj["status"].(map[string]any)["atProvider"].(map[string]any)
			at["monitoringInterval"] = interval
			at["monitoringRoleArn"] = role
		}
	}
}

// awsInsightsRetention is RDS not having applied a new Performance Insights
// retention yet: the cluster still reports days.
func awsInsightsRetention(days float64) func(string, map[string]any) {
	return func(name string, obj map[string]any) {
		if name == string(nameCluster) {
			obj["status"].(map[string]any)["atProvider"].(map[string]any)["performanceInsightsRetentionPeriod"] = days
		}
	}
}

// awsInsightsMode is RDS still reporting Database Insights mode.
func awsInsightsMode(mode string) func(string, map[string]any) {
	return func(name string, obj map[string]any) {
		if name == string(nameCluster) {
			obj["status"].(map[string]any)["atProvider"].(map[string]any)["databaseInsightsMode"] = mode
		}
	}
}

// awsDefersUpgrade is a cluster whose upgrade waits for the maintenance
// window: it still runs v on parameter group group.
func awsDefersUpgrade(v, group string) func(string, map[string]any) {
	return func(name string, obj map[string]any) {
		if name == string(nameCluster) {
			at := obj["status"].(map[string]any)["atProvider"].(map[string]any)
			at["engineVersionActual"] = v
			at["dbClusterParameterGroupName"] = group
		}
	}
}

// TestExampleProbed writes example/probed.yaml: what the provider reports
// for the main example's first call, the observe-only probe of its cluster
// identifier, answered "does not exist", for `make render
// OBSERVED=example/probed.yaml` (the second call).
func TestExampleProbed(t *testing.T) {
	xr := readObject(t, "example/xr.yaml")
	first := run(t, newUnprobedRequest(xr, exampleInput(), nil))
	probe := forXR(xr, testAccount).observe("cluster", first.GetDesired().GetResources()["cluster"].GetResource())
	rsp := &fnv1.RunFunctionResponse{Desired: &fnv1.State{Resources: map[string]*fnv1.Resource{"cluster": probe}}}
	docs := strings.TrimPrefix(string(goldenDesired(t, rsp)), "---\n")
	compareGolden(t, "example/probed.yaml", []byte("# The main example's first call composes only an observe-only probe of its\n# cluster identifier; this is the provider's answer: no such cluster exists\n# (generated by TestExampleProbed; go test -update).\n"+docs))
}

// exampleXRFiles are the example XRs (example/xr.yaml, example/*/xr.yaml)
// and the test XRs (testdata/xr/*.yaml), sorted; the invalid ones too.
func exampleXRFiles(tb testing.TB) []string {
	tb.Helper()
	var files []string
	for _, pattern := range []string{"example/xr.yaml", "example/*/xr.yaml", "testdata/xr/*.yaml"} {
		f, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, f...)
	}
	sort.Strings(files)
	return files
}
