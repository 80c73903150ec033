package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

const testInsightsKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// TestValidateInsights rejects, with the field path, what RDS and
// CloudWatch would refuse about databaseInsights, enhancedMonitoring and
// the PostgreSQL alarms.
func TestValidateInsights(t *testing.T) {
	insights := func(mode string, days int64) func(*AuroraSpec) {
		return func(s *AuroraSpec) {
			s.Monitoring.DatabaseInsights = &DatabaseInsights{Mode: mode}
			if days != 0 {
				s.Monitoring.DatabaseInsights.RetentionDays = ptr.To(days)
			}
		}
	}
	cases := map[string]struct {
		reason string
		mutate func(*AuroraSpec)
		want   []string
	}{
		"AdvancedDefaultsTo465": {
			reason: "Advanced without a retention takes the 465 days it needs.",
			mutate: insights(InsightsModeAdvanced, 0),
		},
		"StandardWithMonths": {
			reason: "Standard takes 7, any whole number of 31-day months up to 23, or 731.",
			mutate: insights(InsightsModeStandard, 93),
		},
		"StandardWith731": {
			reason: "731 days (two years) is the longest retention.",
			mutate: insights("", 731),
		},
		"AdvancedWith7": {
			reason: "Advanced needs Performance Insights kept 465 days; RDS refuses less.",
			mutate: insights(InsightsModeAdvanced, 7),
			want:   []string{"spec.monitoring.databaseInsights.retentionDays: Invalid value: 7: the Advanced mode of Database Insights needs 465 (15 months) of Performance Insights data"},
		},
		"AdvancedWith731": {
			reason: "Advanced takes exactly 465.",
			mutate: insights(InsightsModeAdvanced, 731),
			want:   []string{"spec.monitoring.databaseInsights.retentionDays: Invalid value: 731: the Advanced mode of Database Insights needs 465 (15 months) of Performance Insights data"},
		},
		"RetentionNotMonths": {
			reason: "30 days is not a retention RDS offers.",
			mutate: insights(InsightsModeStandard, 30),
			want:   []string{"spec.monitoring.databaseInsights.retentionDays: Invalid value: 30: must be 7, a multiple of 31 from 31 to 713 (months), or 731"},
		},
		"RetentionTooLong": {
			reason: "24 months of 31 days (744) is past the 731-day maximum.",
			mutate: insights(InsightsModeStandard, 744),
			want:   []string{"spec.monitoring.databaseInsights.retentionDays: Invalid value: 744: must be 7, a multiple of 31 from 31 to 713 (months), or 731"},
		},
		"UnknownMode": {
			reason: "Only Standard and Advanced exist, in this spelling.",
			mutate: insights("advanced", 465),
			want:   []string{`spec.monitoring.databaseInsights.mode: Unsupported value: "advanced": supported values: "Standard", "Advanced"`},
		},
		"IntervalSeven": {
			reason: "Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds.",
			mutate: func(s *AuroraSpec) { s.Monitoring.EnhancedMonitoring.IntervalSeconds = ptr.To[int64](7) },
			want:   []string{`spec.monitoring.enhancedMonitoring.intervalSeconds: Unsupported value: 7: supported values: "0", "1", "5", "10", "15", "30", "60"`},
		},
		"IntervalOne": {
			reason: "1 second is the finest interval.",
			mutate: func(s *AuroraSpec) { s.Monitoring.EnhancedMonitoring.IntervalSeconds = ptr.To[int64](1) },
		},
		"WraparoundPastStopLimit": {
			reason: "An alarm above the point where PostgreSQL stops assigning transaction IDs never fires in time.",
			mutate: func(s *AuroraSpec) { s.Monitoring.Alarms.TransactionIDWraparound.Threshold = ptr.To(2.2e9) },
			want:   []string{"spec.monitoring.alarms.transactionIdWraparound.threshold: Invalid value: 2.2e+09: must be at least 1000000 and below 2144483648 transaction IDs (where PostgreSQL stops assigning them)"},
		},
		"FreeLocalStorageZero": {
			reason: "A floor of 0 MiB fires when the disk is already full.",
			mutate: func(s *AuroraSpec) { s.Monitoring.Alarms.FreeLocalStorage.Threshold = ptr.To(0.0) },
			want:   []string{"spec.monitoring.alarms.freeLocalStorage.threshold: Invalid value: 0: must be more than 0 and at most 2097152 MiB"},
		},
		"DeadlocksWindowTooLong": {
			reason: "The deadlocks alarm's window is checked like every alarm's.",
			mutate: func(s *AuroraSpec) {
				s.Monitoring.Alarms.Deadlocks.PeriodSeconds = ptr.To[int64](3600)
				s.Monitoring.Alarms.Deadlocks.EvaluationPeriods = ptr.To[int64](25)
			},
			want: []string{"spec.monitoring.alarms.deadlocks.evaluationPeriods: Invalid value: 25: times periodSeconds (3600) must not exceed 86400 seconds (one day)"},
		},
		"DeadlocksNegative": {
			reason: "A negative rate cannot be exceeded meaningfully.",
			mutate: func(s *AuroraSpec) { s.Monitoring.Alarms.Deadlocks.Threshold = ptr.To(-1.0) },
			want:   []string{"spec.monitoring.alarms.deadlocks.threshold: Invalid value: -1: must be between 0 and 1000 deadlocks per second"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			tc.mutate(s)
			withDefaults(s)
			got := errorMessages(validate(namespacedTestMeta, s))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nvalidate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestInsightsCEL runs the XRDs' CEL rules on databaseInsights, as the API
// server does at admission.
func TestInsightsCEL(t *testing.T) {
	base := func(di map[string]any) map[string]any {
		return setSpec(map[string]any{"spec": map[string]any{
			"region":  "us-east-1",
			"network": map[string]any{"vpcId": "vpc-0123456789abcdef0", "subnetIds": []any{"subnet-01", "subnet-02"}},
		}}, "monitoring.databaseInsights", di)
	}
	cases := map[string]struct {
		reason string
		di     map[string]any
		want   []string
	}{
		"AdvancedWithoutRetention": {
			reason: "The function defaults Advanced's retention to 465.",
			di:     map[string]any{"mode": "Advanced"},
		},
		"Advanced465": {
			reason: "465 days is what Advanced needs.",
			di:     map[string]any{"mode": "Advanced", "retentionDays": 465},
		},
		"AdvancedWith7": {
			reason: "Refused at admission, with the reason.",
			di:     map[string]any{"mode": "Advanced", "retentionDays": 7},
			want:   []string{"the Advanced mode of Database Insights needs retentionDays 465"},
		},
		"StandardWith62": {
			reason: "Two months.",
			di:     map[string]any{"retentionDays": 62},
		},
		"StandardWith60": {
			reason: "Not a whole number of 31-day months.",
			di:     map[string]any{"retentionDays": 60},
			want:   []string{"retentionDays must be 7, a multiple of 31"},
		},
	}
	for xrd, path := range xrdFiles {
		s, v := xrdStructural(t, path)
		for name, tc := range cases {
			t.Run(xrd+"/"+name, func(t *testing.T) {
				got := celValidate(s, v, base(tc.di), nil)
				if len(got) != len(tc.want) {
					t.Fatalf("\n%s\nCEL errors: want %v, got %v", tc.reason, tc.want, got)
				}
				for i, w := range tc.want {
					if !strings.Contains(got[i], w) {
						t.Errorf("\n%s\nCEL error %d: want it to contain %q, got %q", tc.reason, i, w, got[i])
					}
				}
			})
		}
	}
}

// observedAt sets an observed resource's status.atProvider.
func observedAt(o observed, n resource.Name, at map[string]any) observed {
	s, ok := o[n]
	if !ok {
		s = mustStruct(map[string]any{})
		o[n] = s
	}
	status := s.GetFields()["status"].GetStructValue()
	if status == nil {
		status = mustStruct(map[string]any{})
		s.Fields["status"] = structpb.NewStructValue(status)
	}
	status.Fields["atProvider"] = structpb.NewStructValue(mustStruct(at))
	return o
}

// TestInsightsSettings checks what the cluster and each instance say about
// Performance Insights: the same on both, with the cluster's key, and
// nothing at all before that key is known.
func TestInsightsSettings(t *testing.T) {
	type want struct {
		cluster  rdsv1beta1.ClusterParameters
		instance rdsv1beta1.ClusterInstanceParameters
	}
	cases := map[string]struct {
		reason   string
		spec     func(*AuroraSpec)
		observed observed
		want     want
	}{
		"AbsentNewCluster": {
			reason: "A new cluster is created with AWS's defaults (off, standard): nothing said.",
		},
		"Absent": {
			reason:   "Opt-in: absent is off, said explicitly once the cluster exists, so that removing it turns it off.",
			observed: observedState(map[resource.Name]bool{nameCluster: true}),
			want: want{
				cluster:  rdsv1beta1.ClusterParameters{DatabaseInsightsMode: ptr.To("standard"), PerformanceInsightsEnabled: ptr.To(false)},
				instance: rdsv1beta1.ClusterInstanceParameters{PerformanceInsightsEnabled: ptr.To(false)},
			},
		},
		"AdvancedWithExistingKey": {
			reason: "Advanced with 465 days, encrypted with the cluster's existing key, on the cluster and the instance alike.",
			spec: func(s *AuroraSpec) {
				s.Encryption.ExistingKMSKeyARN = testInsightsKey
				s.Monitoring.DatabaseInsights = &DatabaseInsights{Mode: InsightsModeAdvanced}
			},
			want: want{
				cluster: rdsv1beta1.ClusterParameters{DatabaseInsightsMode: ptr.To("advanced"), PerformanceInsightsEnabled: ptr.To(true),
					PerformanceInsightsKMSKeyID: ptr.To(testInsightsKey), PerformanceInsightsRetentionPeriod: ptr.To(465.0)},
				instance: rdsv1beta1.ClusterInstanceParameters{PerformanceInsightsEnabled: ptr.To(true),
					PerformanceInsightsKMSKeyID: ptr.To(testInsightsKey), PerformanceInsightsRetentionPeriod: ptr.To(465.0)},
			},
		},
		"StandardWithCMKNotYetKnown": {
			reason: "The function's CMK has no ARN yet: nothing is said, so RDS never picks its default aws/rds key.",
			spec:   func(s *AuroraSpec) { s.Monitoring.DatabaseInsights = &DatabaseInsights{} },
		},
		"StandardWithCMK": {
			reason:   "The CMK's observed ARN: the Cluster kind has no reference for performanceInsightsKmsKeyId.",
			spec:     func(s *AuroraSpec) { s.Monitoring.DatabaseInsights = &DatabaseInsights{} },
			observed: observedAt(observed{}, nameKMSKey, map[string]any{"arn": testInsightsKey}),
			want: want{
				cluster: rdsv1beta1.ClusterParameters{DatabaseInsightsMode: ptr.To("standard"), PerformanceInsightsEnabled: ptr.To(true),
					PerformanceInsightsKMSKeyID: ptr.To(testInsightsKey), PerformanceInsightsRetentionPeriod: ptr.To(7.0)},
				instance: rdsv1beta1.ClusterInstanceParameters{PerformanceInsightsEnabled: ptr.To(true),
					PerformanceInsightsKMSKeyID: ptr.To(testInsightsKey), PerformanceInsightsRetentionPeriod: ptr.To(7.0)},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, tc.spec)
			i := p.insightsFor(tc.observed)
			got := want{}
			i.cluster(&got.cluster)
			i.instance(&got.instance)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestComposeMonitoringRole checks the Enhanced Monitoring role's life and
// each instance's interval: the role before the instances use it, and
// after they stop.
func TestComposeMonitoringRole(t *testing.T) {
	interval := func(v int64) func(*AuroraSpec) {
		return func(s *AuroraSpec) { s.Monitoring.EnhancedMonitoring.IntervalSeconds = ptr.To(v) }
	}
	roleReady := func() observed {
		return observedState(map[resource.Name]bool{nameMonitoringRole: true, nameMonitoringRolePolicy: true, "instance-1": true})
	}
	type want struct {
		composed []string
		waiting  []string
		// interval and selected are instance-1's monitoringInterval and
		// whether it selects the role.
		interval *float64
		selected bool
	}
	cases := map[string]struct {
		reason   string
		spec     func(*AuroraSpec)
		observed observed
		noAcct   bool
		// noInstance: the cluster is not Ready yet, no instance composed.
		noInstance bool
		want       want
	}{
		"Off": {
			reason: "Interval 0: no role, and the instance says 0.",
			want:   want{interval: ptr.To(0.0)},
		},
		"OnRoleNotReady": {
			reason: "The role and its policy come first; the instance waits for them (RDS refuses a role it cannot assume).",
			spec:   interval(15),
			want:   want{composed: []string{"monitoring-role", "monitoring-role-policy"}, waiting: []string{"WaitingForMonitoringRole"}},
		},
		"OnNoInstanceYet": {
			reason:     "The role is composed early; nothing waits for it before an instance is composed.",
			spec:       interval(15),
			noInstance: true,
			want:       want{composed: []string{"monitoring-role", "monitoring-role-policy"}},
		},
		"OnRoleReady": {
			reason:   "Once the role is Ready the instance samples every 15 s through it.",
			spec:     interval(15),
			observed: roleReady(),
			want:     want{composed: []string{"monitoring-role", "monitoring-role-policy"}, interval: ptr.To(15.0), selected: true},
		},
		"OnRoleFlickers": {
			reason: "An instance that already samples keeps its interval while the role is momentarily not Ready.",
			spec:   interval(15),
			observed: observedAt(observedState(map[resource.Name]bool{nameMonitoringRole: false, nameMonitoringRolePolicy: true, "instance-1": true}),
				"instance-1", map[string]any{"monitoringInterval": 15}),
			want: want{composed: []string{"monitoring-role", "monitoring-role-policy"}, waiting: []string{"WaitingForMonitoringRole"}, interval: ptr.To(15.0), selected: true},
		},
		"TurnedOffStillInUse": {
			reason:   "Switched off, the role stays while an instance still reports Enhanced Monitoring.",
			observed: observedAt(roleReady(), "instance-1", map[string]any{"monitoringInterval": 15}),
			want:     want{composed: []string{"monitoring-role", "monitoring-role-policy"}, interval: ptr.To(0.0)},
		},
		"TurnedOffNoLongerInUse": {
			reason:   "Once every instance reports 0, the role goes.",
			observed: observedAt(roleReady(), "instance-1", map[string]any{"monitoringInterval": 0}),
			want:     want{interval: ptr.To(0.0)},
		},
		"AccountUnknown": {
			reason: "The trust policy names the account: no role until it is known.",
			spec:   interval(60),
			noAcct: true,
			want:   want{waiting: []string{"WaitingForAccountID"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, tc.spec)
			if tc.noAcct {
				p.accountID = ""
			}
			o := tc.observed
			if o == nil {
				o = observed{}
			}
			// As compose does: the instance, then the role.
			d := &desired{}
			n := nameInstance(instanceSuffix(0, p.spec.Instances[0]))
			ci := p.clusterInstance(0, p.spec.Instances[0])
			p.instanceEnhancedMonitoring(&ci.Spec.ForProvider, o, n)
			if !tc.noInstance {
				d.add(n, ci)
			}
			p.composeMonitoringRole(d, o)
			got := want{}
			for _, n := range d.order {
				if !strings.HasPrefix(string(n), prefixInstance) {
					got.composed = append(got.composed, string(n))
				}
			}
			for _, w := range d.waiting {
				got.waiting = append(got.waiting, w.Reason)
			}
			fp := ci.Spec.ForProvider
			got.interval, got.selected = fp.MonitoringInterval, fp.MonitoringRoleArnSelector != nil
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestMonitoringRolePartition checks the role's managed policy and service
// principal follow the partition.
func TestMonitoringRolePartition(t *testing.T) {
	cases := map[string]struct {
		reason     string
		region     string
		wantPolicy string
	}{
		"Commercial": {reason: "arn:aws in the commercial partition.", region: "us-east-1", wantPolicy: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"},
		"GovCloud":   {reason: "arn:aws-us-gov in GovCloud.", region: "us-gov-west-1", wantPolicy: "arn:aws-us-gov:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, func(s *AuroraSpec) { s.Region = tc.region })
			if diff := cmp.Diff(tc.wantPolicy, ptr.Deref(p.monitoringRolePolicy().Spec.ForProvider.PolicyArn, "")); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff("monitoring.rds.amazonaws.com", p.monitoringServicePrincipal()); diff != "" {
				t.Errorf("%s\nprincipal: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestAdoptInsightsDifferences checks what Observe says Manage would change
// about an adopted cluster's Performance Insights and an instance's
// Enhanced Monitoring.
func TestAdoptInsightsDifferences(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   func(*AuroraSpec)
		at     rdsv1beta1.ClusterObservation
		io     rdsv1beta1.ClusterInstanceObservation
		want   []string
	}{
		"RunsAsAsked": {
			reason: "Nothing on, nothing asked.",
		},
		"OnButAbsent": {
			reason: "Absent means off: Manage would turn Performance Insights off, which is said before.",
			at:     rdsv1beta1.ClusterObservation{PerformanceInsightsEnabled: ptr.To(true), DatabaseInsightsMode: ptr.To("advanced")},
			io:     rdsv1beta1.ClusterInstanceObservation{MonitoringInterval: ptr.To(60.0)},
			want: []string{
				"monitoring.databaseInsights: Performance Insights is on (mode advanced); Manage turns it off and its data is no longer kept: set spec.monitoring.databaseInsights to keep it",
				"Enhanced Monitoring every 60 s; Manage turns it off (set spec.monitoring.enhancedMonitoring.intervalSeconds to keep it, with the function's role)",
			},
		},
		"OtherKey": {
			reason: "Performance Insights on with AWS's default key: said, with the way out if RDS keeps the key.",
			spec: func(s *AuroraSpec) {
				s.Encryption.ExistingKMSKeyARN = testInsightsKey
				s.Monitoring.DatabaseInsights = &DatabaseInsights{}
			},
			at: rdsv1beta1.ClusterObservation{PerformanceInsightsEnabled: ptr.To(true), DatabaseInsightsMode: ptr.To("standard"), PerformanceInsightsRetentionPeriod: ptr.To(7.0),
				PerformanceInsightsKMSKeyID: ptr.To("arn:aws:kms:us-east-1:111122223333:key/aws-rds")},
			want: []string{
				"monitoring.databaseInsights: Performance Insights data is encrypted with arn:aws:kms:us-east-1:111122223333:key/aws-rds, not the cluster's key " + testInsightsKey + "; Manage asks for the cluster's key: if RDS refuses, leave spec.monitoring.databaseInsights out until Performance Insights is off, then set it again",
			},
		},
		"ModeAndRetention": {
			reason: "Standard with 7 days running, Advanced asked.",
			spec:   func(s *AuroraSpec) { s.Monitoring.DatabaseInsights = &DatabaseInsights{Mode: InsightsModeAdvanced} },
			at:     rdsv1beta1.ClusterObservation{PerformanceInsightsEnabled: ptr.To(true), DatabaseInsightsMode: ptr.To("standard"), PerformanceInsightsRetentionPeriod: ptr.To(7.0)},
			want: []string{
				"monitoring.databaseInsights.mode: runs standard, the spec asks advanced",
				"monitoring.databaseInsights.retentionDays: runs 7, the spec asks 465",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, tc.spec)
			got := append(p.adoptInsightsDifferences(&tc.at), p.adoptMonitoringDifferences(&tc.io)...)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
