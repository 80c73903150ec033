package main

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// Rules about access and storage (access.go): the CA every instance pins,
// the sslmode the connection secret promises, and the cluster's storage
// configuration. IAM authentication's log is IAMAuthLogNeedsIAMAuth
// (awsrules_findings_rds_test.go).

func init() {
	awsRules = append(awsRules, accessRules...)
}

// ruleCurrentCAs are the RDS CAs that are neither expired nor retired.
var ruleCurrentCAs = []string{"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"}

// accessRules are the access and storage rules.
var accessRules = []awsRule{
	{
		ID:        "InstancesPinTheCA",
		Statement: "Every ClusterInstance sets caCertIdentifier to a current RDS CA: spec.tls.caCertIdentifier when set; unset, rds-ca-rsa2048-g1 for an instance not yet observed, and for an observed one the current CA it was given or runs (a change restarts the instance).",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html (certificate authorities: rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1; rds-ca-2019 expired in 2024)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL-certificate-rotation.html (changing the CA restarts the DB instance, now or in the maintenance window)",
		},
		Check: checkInstancesPinTheCA,
	},
	{
		ID:        "VerifyFullNeedsPinnedCA",
		Statement: "A connection secret or connection details say sslmode verify-full only when every managed ClusterInstance pins a current CA, every observed one that reports a CA (observe-only ones must) runs a current one, and sslrootcert_url is the region's bundle in its partition's trust store; else sslmode is require.",
		Citations: []string{
			"https://www.postgresql.org/docs/current/libpq-ssl.html (verify-full checks the server certificate against sslrootcert and the host name)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html#UsingWithRDS.SSL.RegionCertificates (per-region bundles; GovCloud's from truststore.pki.us-gov-west-1.rds.amazonaws.com)",
		},
		Check: checkVerifyFullNeedsPinnedCA,
	},
	{
		ID:        "StorageTypeExplicit",
		Statement: "Every rds Cluster sets storageType to spec.storageType, aurora or aurora-iopt1: never empty or left out (a cluster would stay I/O-Optimized), nor a Multi-AZ DB cluster type.",
		Citations: []string{
			"https://github.com/hashicorp/terraform-provider-aws/issues/41825 (storage_type \"\" does not revert aurora-iopt1)",
			"https://github.com/hashicorp/terraform-provider-aws/pull/41711 (removing storage_type does not revert to Standard)",
			"https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go (CustomizeDiff: \"aurora\" against a reported \"\" is no change)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.StorageReliability.html#aurora-storage-type",
		},
		Check: checkStorageTypeExplicit,
	},
}

// checkInstancesPinTheCA: an instance without a pinned CA gets whatever
// RDS defaults to, so clients cannot be told which root to trust; a pin
// that differs from what runs restarts the instance.
func checkInstancesPinTheCA(s *ruleState) []ruleFinding {
	var out []ruleFinding
	want := ""
	if s.Spec.TLS != nil {
		want = s.Spec.TLS.CACertIdentifier
	}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		ca := mrParamString(in.Obj, "caCertIdentifier")
		runs := ""
		if o := s.Observed[in.Name]; o != nil {
			runs = objString(o, "spec", "forProvider", "caCertIdentifier")
			if runs == "" {
				runs = objString(o, "status", "atProvider", "caCertIdentifier")
			}
		} else if o := s.ObservedObserveOnly[in.Name]; o != nil {
			runs = objString(o, "status", "atProvider", "caCertIdentifier")
		}
		switch {
		case ca == "":
			out = append(out, ruleFinding{Resource: in.Name, Message: "sets no caCertIdentifier: RDS picks the CA, and clients cannot verify the server certificate against a known root"})
		case !slices.Contains(ruleCurrentCAs, ca):
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("pins CA %q, not a current RDS CA (%s)", ca, strings.Join(ruleCurrentCAs, ", "))})
		case want != "" && ca != want:
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("pins CA %q, not spec.tls.caCertIdentifier %q", ca, want)})
		case want == "" && slices.Contains(ruleCurrentCAs, runs) && ca != runs:
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("changes the CA of a running instance from %q to %q though spec.tls.caCertIdentifier is unset: a restart nobody asked for", runs, ca)})
		case want == "" && s.ObservedKnown && !slices.Contains(ruleCurrentCAs, runs) && ca != "rds-ca-rsa2048-g1":
			out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("pins CA %q with spec.tls.caCertIdentifier unset, want the default rds-ca-rsa2048-g1", ca)})
		}
	}
	return out
}

// ruleTrustStores are the partitions' certificate bundle hosts.
var ruleTrustStores = map[string]string{
	"aws":        "https://truststore.pki.rds.amazonaws.com",
	"aws-us-gov": "https://truststore.pki.us-gov-west-1.rds.amazonaws.com",
	"aws-cn":     "https://rds-truststore.s3.cn-north-1.amazonaws.com.cn",
}

// checkVerifyFullNeedsPinnedCA: verify-full against an instance whose CA
// is unknown or expired fails every connection to it.
func checkVerifyFullNeedsPinnedCA(s *ruleState) []ruleFinding {
	type details struct {
		resource string
		data     map[string]string
	}
	var all []details
	for _, n := range s.desiredNames() {
		obj := s.Desired[n]
		if objString(obj, "kind") != "Secret" || objMap(obj, "data")["sslmode"] == nil {
			continue
		}
		d := map[string]string{}
		for k, v := range objMap(obj, "data") {
			b, _ := base64.StdEncoding.DecodeString(fmt.Sprint(v))
			d[k] = string(b)
		}
		all = append(all, details{resource: n, data: d})
	}
	if len(s.ConnectionDetails) > 0 {
		d := map[string]string{}
		for k, v := range s.ConnectionDetails {
			d[k] = string(v)
		}
		all = append(all, details{data: d})
	}
	var unpinned []string
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		if !slices.Contains(ruleCurrentCAs, mrParamString(in.Obj, "caCertIdentifier")) {
			unpinned = append(unpinned, in.Name)
		}
	}
	for _, n := range sortedMapKeys(s.ObservedObserveOnly) {
		o := s.ObservedObserveOnly[n]
		if ruleKindRDSClusterInstance.is(o) && !slices.Contains(ruleCurrentCAs, objString(o, "status", "atProvider", "caCertIdentifier")) {
			unpinned = append(unpinned, n)
		}
	}
	// What runs until the restart that applies the pin.
	for _, o := range s.observedOf(ruleKindRDSClusterInstance) {
		if runs := objString(o.Obj, "status", "atProvider", "caCertIdentifier"); runs != "" && !slices.Contains(ruleCurrentCAs, runs) && !slices.Contains(unpinned, o.Name) {
			unpinned = append(unpinned, o.Name)
		}
	}
	part, _ := rulePartitionOf(s.Spec.Region)
	bundle := fmt.Sprintf("%s/%s/%s-bundle.pem", ruleTrustStores[part.ID], s.Spec.Region, s.Spec.Region)
	var out []ruleFinding
	for _, d := range all {
		switch mode := d.data["sslmode"]; {
		case mode == "verify-full" && len(unpinned) > 0:
			out = append(out, ruleFinding{Resource: d.resource, Message: fmt.Sprintf("says sslmode verify-full, but %s pin(s) or run(s) no current CA", strings.Join(unpinned, ", "))})
		case mode == "verify-full" && d.data["sslrootcert_url"] != bundle:
			out = append(out, ruleFinding{Resource: d.resource, Message: fmt.Sprintf("says sslmode verify-full with sslrootcert_url %q, want %q", d.data["sslrootcert_url"], bundle)})
		case mode != "verify-full" && mode != "require":
			out = append(out, ruleFinding{Resource: d.resource, Message: fmt.Sprintf("says sslmode %q: the cluster forces TLS, so verify-full or require", mode)})
		}
	}
	return out
}

// checkStorageTypeExplicit: "" or no storageType is never sent by the
// provider, so a cluster switched to I/O-Optimized could never be switched
// back; "aurora" against the "" RDS reports is no diff.
func checkStorageTypeExplicit(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		v, set := mrParam(c.Obj, "storageType")
		st, _ := v.(string)
		switch {
		case !set || st == "":
			out = append(out, ruleFinding{Resource: c.Name, Message: "sets no storageType: the provider sends nothing, so an I/O-Optimized cluster stays I/O-Optimized; send aurora or aurora-iopt1"})
		case st != "aurora" && st != "aurora-iopt1":
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("sets storageType %q, not an Aurora storage configuration (aurora, aurora-iopt1)", st)})
		case st != s.Spec.StorageType:
			out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("sets storageType %q, not spec.storageType %q", st, s.Spec.StorageType)})
		}
	}
	return out
}

// accessSelfTests are the access rules' cases.
func accessSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	instance := func(name, ca string) map[string]any {
		fp := map[string]any{}
		if ca != "" {
			fp["caCertIdentifier"] = ca
		}
		return testMR(ruleKindRDSClusterInstance, name, fp)
	}
	observedInstance := func(ca string) map[string]any {
		o := testMR(ruleKindRDSClusterInstance, "instance-1", map[string]any{})
		o["status"] = map[string]any{"atProvider": map[string]any{"caCertIdentifier": ca}}
		return o
	}
	secret := func(mode, url string) map[string]any {
		d := map[string]string{"sslmode": mode}
		if url != "" {
			d["sslrootcert_url"] = url
		}
		return testSecret("connection-secret", d)
	}
	const bundle = "https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem"
	cluster := func(params map[string]any) map[string]any { return testMR(ruleKindRDSCluster, "cluster", params) }
	return map[string]ruleSelfTest{
		"InstancesPinTheCAGood": {
			reason: "New instances pin the default CA; a running one keeps the current CA it runs.",
			args: args{rule: "InstancesPinTheCA", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{
					"instance-1": instance("instance-1", "rds-ca-ecc384-g1"),
					"instance-2": instance("instance-2", "rds-ca-rsa2048-g1"),
				})
				s.ObservedKnown = true
				s.Observed["instance-1"] = observedInstance("rds-ca-ecc384-g1")
				return s
			}()},
		},
		"InstancesPinTheCABad": {
			reason: "No pin, an expired CA, another CA than the spec's, and a changed CA of a running instance with the spec unset are reported.",
			args: args{rule: "InstancesPinTheCA", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{
					"instance-1": instance("instance-1", "rds-ca-rsa2048-g1"),
					"instance-2": instance("instance-2", ""),
					"instance-3": instance("instance-3", "rds-ca-2019"),
				})
				s.ObservedKnown = true
				s.Observed["instance-1"] = observedInstance("rds-ca-rsa4096-g1")
				return s
			}()},
			want: want{violations: []string{
				`InstancesPinTheCA: self-test: "instance-1" (rds ClusterInstance): changes the CA of a running instance from "rds-ca-rsa4096-g1" to "rds-ca-rsa2048-g1" though spec.tls.caCertIdentifier is unset: a restart nobody asked for`,
				`InstancesPinTheCA: self-test: "instance-2" (rds ClusterInstance): sets no caCertIdentifier: RDS picks the CA, and clients cannot verify the server certificate against a known root`,
				`InstancesPinTheCA: self-test: "instance-3" (rds ClusterInstance): pins CA "rds-ca-2019", not a current RDS CA (rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1)`,
			}},
		},
		"InstancesPinTheCASpec": {
			reason: "With spec.tls.caCertIdentifier, every instance pins it.",
			args: args{rule: "InstancesPinTheCA", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{"instance-1": instance("instance-1", "rds-ca-rsa2048-g1")})
				s.Spec.TLS = &TLS{CACertIdentifier: "rds-ca-rsa4096-g1"}
				return s
			}()},
			want: want{violations: []string{
				`InstancesPinTheCA: self-test: "instance-1" (rds ClusterInstance): pins CA "rds-ca-rsa2048-g1", not spec.tls.caCertIdentifier "rds-ca-rsa4096-g1"`,
			}},
		},
		"VerifyFullNeedsPinnedCAGood": {
			reason: "verify-full with every instance pinned and the region's bundle; require without a pin.",
			args: args{rule: "VerifyFullNeedsPinnedCA", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{
					"instance-1":        instance("instance-1", "rds-ca-rsa2048-g1"),
					"connection-secret": secret("verify-full", bundle),
				})
				s.ConnectionDetails = map[string][]byte{"sslmode": []byte("verify-full"), "sslrootcert_url": []byte(bundle)}
				return s
			}()},
		},
		"VerifyFullNeedsPinnedCABad": {
			reason: "verify-full with an unpinned instance, an observe-only member on an expired CA, a wrong bundle, and sslmode disable are reported.",
			args: args{rule: "VerifyFullNeedsPinnedCA", state: func() *ruleState {
				s := testState("us-gov-east-1", map[string]map[string]any{
					"instance-1":        instance("instance-1", ""),
					"connection-secret": secret("verify-full", "https://truststore.pki.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem"),
				})
				s.ObservedObserveOnly = map[string]map[string]any{"member-legacy-2": observedInstance("rds-ca-2019")}
				s.Observed["instance-3"] = observedInstance("rds-ca-2019")
				s.ConnectionDetails = map[string][]byte{"sslmode": []byte("disable")}
				return s
			}()},
			want: want{violations: []string{
				`VerifyFullNeedsPinnedCA: self-test: "connection-secret" (v1 Secret): says sslmode verify-full, but instance-1, member-legacy-2, instance-3 pin(s) or run(s) no current CA`,
				`VerifyFullNeedsPinnedCA: self-test: the XR: says sslmode "disable": the cluster forces TLS, so verify-full or require`,
			}},
		},
		"VerifyFullNeedsPinnedCAWrongBundle": {
			reason: "GovCloud's bundles come from the us-gov-west-1 trust store, for both regions.",
			args: args{rule: "VerifyFullNeedsPinnedCA", state: testState("us-gov-east-1", map[string]map[string]any{
				"instance-1":        instance("instance-1", "rds-ca-rsa2048-g1"),
				"connection-secret": secret("verify-full", "https://truststore.pki.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem"),
			})},
			want: want{violations: []string{
				`VerifyFullNeedsPinnedCA: self-test: "connection-secret" (v1 Secret): says sslmode verify-full with sslrootcert_url "https://truststore.pki.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem", want "https://truststore.pki.us-gov-west-1.rds.amazonaws.com/us-gov-east-1/us-gov-east-1-bundle.pem"`,
			}},
		},
		"StorageTypeExplicitGood": {
			reason: "Standard storage sent as aurora.",
			args:   args{rule: "StorageTypeExplicit", state: testState("us-east-1", map[string]map[string]any{"cluster": cluster(map[string]any{"storageType": "aurora"})})},
		},
		"StorageTypeExplicitBad": {
			reason: "No storageType, an empty one and a Multi-AZ type are reported.",
			args: args{rule: "StorageTypeExplicit", state: testState("us-east-1", map[string]map[string]any{
				"cluster":   cluster(map[string]any{}),
				"cluster-2": testMR(ruleKindRDSCluster, "cluster-2", map[string]any{"storageType": ""}),
				"cluster-3": testMR(ruleKindRDSCluster, "cluster-3", map[string]any{"storageType": "io1"}),
			})},
			want: want{violations: []string{
				`StorageTypeExplicit: self-test: "cluster" (rds Cluster): sets no storageType: the provider sends nothing, so an I/O-Optimized cluster stays I/O-Optimized; send aurora or aurora-iopt1`,
				`StorageTypeExplicit: self-test: "cluster-2" (rds Cluster): sets no storageType: the provider sends nothing, so an I/O-Optimized cluster stays I/O-Optimized; send aurora or aurora-iopt1`,
				`StorageTypeExplicit: self-test: "cluster-3" (rds Cluster): sets storageType "io1", not an Aurora storage configuration (aurora, aurora-iopt1)`,
			}},
		},
	}
}
