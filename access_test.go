package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

func TestValidateAccess(t *testing.T) {
	type args struct {
		// mutate changes the valid spec before defaulting.
		mutate func(s *AuroraSpec)
	}
	type want struct {
		errs []string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"AllOn": {
			reason: "IAM authentication with its log, a current CA and I/O-Optimized storage are valid.",
			args: args{mutate: func(s *AuroraSpec) {
				s.IAMDatabaseAuthentication = ptr.To(true)
				s.Logging.Exports = []string{"postgresql", "iam-db-auth-error"}
				s.TLS = &TLS{CACertIdentifier: "rds-ca-ecc384-g1"}
				s.StorageType = "aurora-iopt1"
			}},
		},
		"EmptyTLS": {
			reason: "tls without a CA leaves the choice to the function.",
			args:   args{mutate: func(s *AuroraSpec) { s.TLS = &TLS{} }},
		},
		"MultiAZStorageType": {
			reason: "io1 is a Multi-AZ DB cluster's storage, not Aurora's.",
			args:   args{mutate: func(s *AuroraSpec) { s.StorageType = "io1" }},
			want: want{errs: []string{
				`spec.storageType: Unsupported value: "io1": supported values: "aurora", "aurora-iopt1"`,
			}},
		},
		"ExpiredCA": {
			reason: "rds-ca-2019 expired in August 2024.",
			args:   args{mutate: func(s *AuroraSpec) { s.TLS = &TLS{CACertIdentifier: "rds-ca-2019"} }},
			want: want{errs: []string{
				`spec.tls.caCertIdentifier: Invalid value: "rds-ca-2019": expired in August 2024: clients that verify the server certificate cannot connect; use rds-ca-rsa2048-g1 (the default), rds-ca-rsa4096-g1 or rds-ca-ecc384-g1`,
			}},
		},
		"UnknownCA": {
			reason: "A CA RDS does not have is refused with the current ones.",
			args:   args{mutate: func(s *AuroraSpec) { s.TLS = &TLS{CACertIdentifier: "rds-ca-rsa2048-g2"} }},
			want: want{errs: []string{
				`spec.tls.caCertIdentifier: Unsupported value: "rds-ca-rsa2048-g2": supported values: "rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"`,
			}},
		},
		"IAMLogWithoutIAM": {
			reason: "The IAM authentication log without IAM authentication stays empty.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.Exports = []string{"iam-db-auth-error"} }},
			want: want{errs: []string{
				`spec.logging.exports[0]: Invalid value: "iam-db-auth-error": logs IAM database authentication errors: set spec.iamDatabaseAuthentication, or the log group stays empty`,
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			tc.args.mutate(s)
			withDefaults(s)
			got := errorMessages(validate(xrMeta{Namespace: "team"}, s))
			if diff := cmp.Diff(tc.want.errs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nvalidate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// observedInstance is an observed ClusterInstance MR with a CA in
// forProvider (what was sent) and atProvider (what runs), observe-only if
// asked.
func observedInstance(sent, runs string, observeOnly bool) map[string]any {
	spec := map[string]any{"forProvider": map[string]any{}}
	if sent != "" {
		spec["forProvider"] = map[string]any{"caCertIdentifier": sent}
	}
	if observeOnly {
		spec["managementPolicies"] = []any{"Observe"}
	}
	return map[string]any{
		"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": "ClusterInstance",
		"spec":   spec,
		"status": map[string]any{"atProvider": map[string]any{"caCertIdentifier": runs}},
	}
}

func TestPlanTLS(t *testing.T) {
	two := []Instance{{InstanceClass: "db.r6g.large"}, {InstanceClass: "db.r6g.large"}}
	type args struct {
		tls      *TLS
		adopt    bool
		observed map[resource.Name]map[string]any
	}
	type want struct {
		ca         map[resource.Name]string
		verifyFull bool
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"NewInstances": {
			reason: "New instances get RDS's default CA, pinned.",
			want:   want{ca: map[resource.Name]string{"instance-1": caRSA2048G1, "instance-2": caRSA2048G1}, verifyFull: true},
		},
		"SpecWins": {
			reason: "spec.tls.caCertIdentifier is pinned on every instance, running ones included.",
			args: args{
				tls:      &TLS{CACertIdentifier: caECC384G1},
				observed: map[resource.Name]map[string]any{"instance-1": observedInstance(caRSA2048G1, caRSA2048G1, false)},
			},
			want: want{ca: map[resource.Name]string{"instance-1": caECC384G1, "instance-2": caECC384G1}, verifyFull: true},
		},
		"KeepWhatRuns": {
			reason: "Unset, a running instance keeps its current CA: a change would restart it.",
			args: args{observed: map[resource.Name]map[string]any{
				"instance-1": observedInstance("", caRSA4096G1, false),
				"instance-2": observedInstance("", caECC384G1, true),
			}},
			want: want{ca: map[resource.Name]string{"instance-1": caRSA4096G1, "instance-2": caECC384G1}, verifyFull: true},
		},
		"PendingChangeKept": {
			reason: "What was sent (a change pending for the maintenance window) wins over what runs.",
			args: args{observed: map[resource.Name]map[string]any{
				"instance-1": observedInstance(caRSA4096G1, caRSA2048G1, false),
			}},
			want: want{ca: map[resource.Name]string{"instance-1": caRSA4096G1, "instance-2": caRSA2048G1}, verifyFull: true},
		},
		"ExpiredReplaced": {
			reason: "An instance on an expired CA gets the default; until it runs it, verify-full would fail against it.",
			args: args{observed: map[resource.Name]map[string]any{
				"instance-1": observedInstance("", "rds-ca-2019", false),
			}},
			want: want{ca: map[resource.Name]string{"instance-1": caRSA2048G1, "instance-2": caRSA2048G1}, verifyFull: false},
		},
		"MemberNotObservedYet": {
			reason: "A member an adopted cluster reports but not observed yet could run any CA.",
			args: args{adopt: true, observed: map[resource.Name]map[string]any{
				"cluster": {"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": "Cluster", "status": map[string]any{"atProvider": map[string]any{"clusterMembers": []any{"legacy-1"}}}},
			}},
			want: want{ca: map[resource.Name]string{"instance-1": caRSA2048G1, "instance-2": caRSA2048G1}, verifyFull: false},
		},
		"OwnClusterMembers": {
			reason: "A cluster this XR created has only the instances it pins: what else it reports is not this XR's.",
			args: args{observed: map[resource.Name]map[string]any{
				"cluster": {"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": "Cluster", "status": map[string]any{"atProvider": map[string]any{"clusterMembers": []any{"console-made"}}}},
			}},
			want: want{ca: map[resource.Name]string{"instance-1": caRSA2048G1, "instance-2": caRSA2048G1}, verifyFull: true},
		},
		"ExpiredMember": {
			reason: "An adopted member outside the spec on an expired CA rules out verify-full.",
			args: args{observed: map[resource.Name]map[string]any{
				"member-legacy-2": observedInstance("", "rds-ca-2019", true),
			}},
			want: want{ca: map[resource.Name]string{"instance-1": caRSA2048G1, "instance-2": caRSA2048G1}, verifyFull: false},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := &AuroraSpec{Instances: two, TLS: tc.args.tls}
			if tc.args.adopt {
				s.Adopt = &Adopt{ClusterIdentifier: "legacy", Mode: AdoptModeObserve}
			}
			o := observed{}
			for n, obj := range tc.args.observed {
				o[n] = mustStruct(obj)
			}
			got := planTLS(s, o)
			if diff := cmp.Diff(tc.want.ca, got.ca); diff != "" {
				t.Errorf("%s\nplanTLS(...).ca: -want, +got:\n%s", tc.reason, diff)
			}
			if got.verifyFull != tc.want.verifyFull {
				t.Errorf("%s\nplanTLS(...).verifyFull: want %t, got %t", tc.reason, tc.want.verifyFull, got.verifyFull)
			}
		})
	}
}

func TestAccessConnectionDetails(t *testing.T) {
	const clusterARN = "arn:aws-us-gov:rds:us-gov-east-1:111122223333:cluster:orders"
	type args struct {
		iam        bool
		tls        *TLS
		verifyFull bool
		st         AuroraStatus
	}
	cases := map[string]struct {
		reason string
		args   args
		want   map[string]string
	}{
		"VerifyFullGovCloud": {
			reason: "GovCloud's bundles come from the us-gov-west-1 trust store.",
			args:   args{verifyFull: true},
			want: map[string]string{
				"sslmode":         "verify-full",
				"sslrootcert_url": "https://truststore.pki.us-gov-west-1.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem",
			},
		},
		"RequireWithoutPin": {
			reason: "Without a current CA everywhere, only require.",
			args:   args{tls: &TLS{CACertIdentifier: caRSA4096G1}},
			want:   map[string]string{"sslmode": "require"},
		},
		"IAMBeforeResourceID": {
			reason: "iam_connect_arn waits for the cluster's resource ID.",
			args:   args{iam: true, tls: &TLS{CACertIdentifier: caRSA4096G1}, verifyFull: true, st: AuroraStatus{ClusterARN: clusterARN}},
			want: map[string]string{
				"sslmode":            "verify-full",
				"sslrootcert_url":    "https://truststore.pki.us-gov-west-1.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem",
				"ca_cert_identifier": caRSA4096G1,
				"iam_auth":           "true",
			},
		},
		"IAM": {
			reason: "The rds-db:connect resource of every user of the cluster, in its partition.",
			args:   args{iam: true, st: AuroraStatus{ClusterARN: clusterARN, ClusterResourceID: "cluster-ABCDEFGHIJKL"}},
			want: map[string]string{
				"sslmode":         "require",
				"iam_auth":        "true",
				"iam_connect_arn": "arn:aws-us-gov:rds-db:us-gov-east-1:111122223333:dbuser:cluster-ABCDEFGHIJKL/*",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &plan{
				spec:      &AuroraSpec{IAMDatabaseAuthentication: ptr.To(tc.args.iam), TLS: tc.args.tls},
				region:    "us-gov-east-1",
				partition: "aws-us-gov",
				tls:       tlsPlan{verifyFull: tc.args.verifyFull},
			}
			d := map[string][]byte{}
			p.accessConnectionDetails(d, tc.args.st)
			got := map[string]string{}
			for k, v := range d {
				got[k] = string(v)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\naccessConnectionDetails(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAccessDifferences(t *testing.T) {
	type args struct {
		storageType string
		iam         bool
		at          rdsv1beta1.ClusterObservation
	}
	cases := map[string]struct {
		reason string
		args   args
		want   []string
	}{
		"StandardReportedEmpty": {
			reason: "RDS reports Aurora Standard as \"\": no difference from aurora.",
			args:   args{storageType: "aurora", at: rdsv1beta1.ClusterObservation{StorageType: ptr.To("")}},
		},
		"IOOptimizedRunning": {
			reason: "An I/O-Optimized cluster under a Standard spec, without IAM authentication.",
			args:   args{storageType: "aurora", iam: true, at: rdsv1beta1.ClusterObservation{StorageType: ptr.To("aurora-iopt1")}},
			want: []string{
				"iamDatabaseAuthentication: runs false, the spec asks true",
				"storageType: runs aurora-iopt1, the spec asks aurora; Manage switches it (to I/O-Optimized at most once every 30 days, back to Standard any time; NVMe-based instance classes restart)",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &plan{spec: &AuroraSpec{StorageType: tc.args.storageType, IAMDatabaseAuthentication: ptr.To(tc.args.iam)}}
			got := p.accessDifferences(&tc.args.at)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\naccessDifferences(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestInstanceAccessDifference(t *testing.T) {
	want := &rdsv1beta1.ClusterInstanceParameters{CACertIdentifier: ptr.To(caRSA2048G1)}
	cases := map[string]struct {
		reason    string
		runs      *string
		immediate bool
		want      string
	}{
		"Same":    {reason: "The pinned CA runs.", runs: ptr.To(caRSA2048G1)},
		"Unknown": {reason: "Nothing reported, nothing said."},
		"Window": {
			reason: "Another CA restarts the instance in the maintenance window.",
			runs:   ptr.To("rds-ca-2019"),
			want:   "CA rds-ca-2019; Manage pins rds-ca-rsa2048-g1, which restarts the instance in the maintenance window (its CA is not current: clients cannot verify it)",
		},
		"Immediately": {
			reason: "With applyImmediately, at once.",
			runs:   ptr.To(caECC384G1), immediate: true,
			want: "CA rds-ca-ecc384-g1; Manage pins rds-ca-rsa2048-g1, which restarts the instance at once (spec.applyImmediately) (set spec.tls.caCertIdentifier to rds-ca-ecc384-g1 to keep it)",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := instanceAccessDifference(want, &rdsv1beta1.ClusterInstanceObservation{CACertIdentifier: tc.runs}, tc.immediate)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ninstanceAccessDifference(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestXRDAccessRules runs both XRDs' CEL rules on spec.logging.exports:
// the IAM authentication log is refused at admission without IAM
// authentication, as validate refuses it.
func TestXRDAccessRules(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"spec": map[string]any{
			"region":  "us-east-1",
			"network": map[string]any{"vpcId": "vpc-0123456789abcdef0", "subnetIds": []any{"subnet-01", "subnet-02"}},
			"logging": map[string]any{"exports": []any{"postgresql", "iam-db-auth-error"}},
		}}
	}
	cases := map[string]struct {
		reason string
		obj    map[string]any
		want   []string
	}{
		"IAMLogWithoutIAM": {
			reason: "The log export without IAM authentication is refused.",
			obj:    base(),
			want:   []string{"spec.logging.exports iam-db-auth-error needs spec.iamDatabaseAuthentication"},
		},
		"IAMLogWithIAM": {
			reason: "With IAM authentication it is accepted, with a CA and I/O-Optimized storage.",
			obj:    setSpec(setSpec(setSpec(base(), "iamDatabaseAuthentication", true), "tls.caCertIdentifier", "rds-ca-ecc384-g1"), "storageType", "aurora-iopt1"),
		},
	}
	for xrd, path := range xrdFiles {
		s, v := xrdStructural(t, path)
		for name, tc := range cases {
			t.Run(xrd+"/"+name, func(t *testing.T) {
				got := celValidate(s, v, tc.obj, nil)
				if len(got) != len(tc.want) {
					t.Fatalf("%s\nCEL errors: want %q, got %q", tc.reason, tc.want, got)
				}
				for i, w := range tc.want {
					if !strings.Contains(got[i], w) {
						t.Errorf("%s\nCEL error %d: want it to contain %q, got %q", tc.reason, i, w, got[i])
					}
				}
			})
		}
	}
}

// TestLegacyConnectionSecretKeys: Crossplane copies to a legacy claim's
// connection secret only the keys the XRD lists (connectionSecretKeys), so
// every key the function can write must be there (the e2e suite's legacy
// claim lost sslrootcert_url before it was).
func TestLegacyConnectionSecretKeys(t *testing.T) {
	xrd := readObject(t, xrdFiles["Legacy"])
	listed := map[string]bool{}
	for _, k := range xrd["spec"].(map[string]any)["connectionSecretKeys"].([]any) {
		listed[k.(string)] = true
	}
	p := &plan{
		spec:      &AuroraSpec{IAMDatabaseAuthentication: ptr.To(true), TLS: &TLS{CACertIdentifier: caRSA4096G1}},
		region:    "us-east-1",
		partition: "aws",
		tls:       tlsPlan{verifyFull: true},
	}
	st := AuroraStatus{Endpoint: "e", ReaderEndpoint: "r", Port: 5432, SecretARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:x", ClusterARN: "arn:aws:rds:us-east-1:111122223333:cluster:c", ClusterResourceID: "cluster-X", ProxyEndpoint: "c-proxy.proxy-x.us-east-1.rds.amazonaws.com"}
	for k := range p.connectionDetails(st) {
		if !listed[k] {
			t.Errorf("%s: connectionSecretKeys lacks %q, which the function writes: Crossplane drops it from the claim's secret", xrdFiles["Legacy"], k)
		}
	}
}
