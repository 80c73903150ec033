package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Access: IAM database authentication, the CA that signs the instances'
// server certificates, and the cluster's storage configuration.

// TLS chooses the certificate authority of the instances' server
// certificates, which clients verify with sslmode verify-full.
type TLS struct {
	// CACertIdentifier is pinned on every instance. Empty: an instance that
	// exists keeps the current CA it has, a new one gets defaultCACert.
	CACertIdentifier string `json:"caCertIdentifier,omitempty"`
}

// Certificate authorities RDS signs DB server certificates with. All three
// are current and rotate the server certificate automatically; rds-ca-2019
// expired in August 2024
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html,
// "Certificate authorities";
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL-certificate-rotation.html).
const (
	caRSA2048G1 = "rds-ca-rsa2048-g1"
	caRSA4096G1 = "rds-ca-rsa4096-g1"
	caECC384G1  = "rds-ca-ecc384-g1"
	// defaultCACert is the CA RDS gives new instances by default.
	defaultCACert = caRSA2048G1
)

// currentCACerts are the CAs spec.tls.caCertIdentifier takes.
var currentCACerts = []string{caRSA2048G1, caRSA4096G1, caECC384G1}

// expiredCACerts are CAs an old instance may still report, with when
// they expired: refused with a hint rather than as merely unknown.
var expiredCACerts = map[string]string{
	"rds-ca-2019": "August 2024",
	"rds-ca-2015": "March 2020",
}

// Aurora storage configurations (StorageType of CreateDBCluster and
// ModifyDBCluster): Aurora Standard and Aurora I/O-Optimized
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.StorageReliability.html#aurora-storage-type).
const (
	storageTypeStandard     = "aurora"
	storageTypeIOOptimized  = "aurora-iopt1"
	defaultStorageType      = storageTypeStandard
	sslModeVerifyFull       = "verify-full"
	sslModeRequire          = "require"
	connKeySSLRootCertURL   = "sslrootcert_url"
	connKeyIAMAuth          = "iam_auth"
	connKeyIAMConnectARN    = "iam_connect_arn"
	connKeyCACertIdentifier = "ca_cert_identifier"
)

// storageTypes are the values spec.storageType takes.
var storageTypes = []string{storageTypeStandard, storageTypeIOOptimized}

// withAccessDefaults fills spec.storageType. spec.tls.caCertIdentifier has
// no default here: which CA an instance keeps depends on what it runs
// (planTLS).
func withAccessDefaults(s *AuroraSpec) {
	if s.StorageType == "" {
		s.StorageType = defaultStorageType
	}
}

// validateAccess checks spec.storageType, spec.tls and the IAM
// authentication log.
func validateAccess(root *field.Path, s *AuroraSpec) field.ErrorList {
	var errs field.ErrorList
	if !slices.Contains(storageTypes, s.StorageType) {
		errs = append(errs, field.NotSupported(root.Child("storageType"), s.StorageType, storageTypes))
	}
	if s.TLS != nil && s.TLS.CACertIdentifier != "" {
		p, ca := root.Child("tls", "caCertIdentifier"), s.TLS.CACertIdentifier
		if when, ok := expiredCACerts[ca]; ok {
			errs = append(errs, field.Invalid(p, ca, fmt.Sprintf("expired in %s: clients that verify the server certificate cannot connect; use %s (the default), %s or %s", when, caRSA2048G1, caRSA4096G1, caECC384G1)))
		} else if !slices.Contains(currentCACerts, ca) {
			errs = append(errs, field.NotSupported(p, ca, currentCACerts))
		}
	}
	for i, e := range s.Logging.Exports {
		if e == logExportIAMDBAuthError && !*s.IAMDatabaseAuthentication {
			errs = append(errs, field.Invalid(root.Child("logging", "exports").Index(i), e, "logs IAM database authentication errors: set spec.iamDatabaseAuthentication, or the log group stays empty"))
		}
	}
	return errs
}

// tlsPlan is the CA each instance pins and whether clients can verify
// every instance's certificate.
type tlsPlan struct {
	// ca is the CA of each instance of spec.instances, by composed name.
	ca map[resource.Name]string
	// verifyFull is true when every instance the endpoints can route to
	// runs a current CA, or, not reported yet, pins one.
	verifyFull bool
}

// planTLS resolves each instance's CA: spec.tls.caCertIdentifier when set;
// else, for an instance that exists, the current CA it was given before or
// runs (changing it restarts the instance: never done for a default); else
// defaultCACert.
func planTLS(s *AuroraSpec, o observed) tlsPlan {
	t := tlsPlan{ca: make(map[resource.Name]string, len(s.Instances)), verifyFull: true}
	want := ""
	if s.TLS != nil {
		want = s.TLS.CACertIdentifier
	}
	for i, in := range s.Instances {
		n := nameInstance(instanceSuffix(i, in))
		ca := want
		if ca == "" {
			ca = runningCA(o, n)
		}
		if !slices.Contains(currentCACerts, ca) {
			ca = defaultCACert
		}
		t.ca[n] = ca
	}
	// NOTE: every member an adopted cluster reports counts, observed or
	// not yet (its members are observed a call after it); a cluster this
	// XR created has only the instances it composes.
	seen := map[string]bool{}
	for n := range o {
		if !strings.HasPrefix(string(n), prefixMember) && !strings.HasPrefix(string(n), prefixInstance) {
			continue
		}
		seen[o.annotation(n, annotationExternalName)] = true
		// An instance still on an expired CA until its restart in the
		// maintenance window fails verify-full: what runs counts, the pin
		// only until RDS reports one.
		runs := o.str(n, "status", "atProvider", "caCertIdentifier")
		if (runs != "" || observeOnly(o, n)) && !slices.Contains(currentCACerts, runs) {
			t.verifyFull = false
		}
	}
	if at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster); ok && s.Adopt != nil {
		for _, id := range members(at) {
			if !seen[id] {
				t.verifyFull = false
			}
		}
	}
	return t
}

// runningCA is the CA an observed instance was given (a pending change
// included) or, observe-only, runs.
func runningCA(o observed, n resource.Name) string {
	if !observeOnly(o, n) {
		if ca := o.str(n, "spec", "forProvider", "caCertIdentifier"); ca != "" {
			return ca
		}
	}
	return o.str(n, "status", "atProvider", "caCertIdentifier")
}

// caFor is the CA an instance pins; defaultCACert for a name planTLS did
// not see (a plan made without planTLS, in tests).
func (t tlsPlan) caFor(n resource.Name) string {
	if ca, ok := t.ca[n]; ok {
		return ca
	}
	return defaultCACert
}

// instanceAccess pins the instance's CA. NOTE: a changed CA restarts the
// instance, at once with spec.applyImmediately, else in the maintenance
// window
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL-certificate-rotation.html,
// "Updating your CA certificate by modifying your DB instance").
func (p *plan) instanceAccess(fp *rdsv1beta1.ClusterInstanceParameters, n resource.Name) {
	fp.CACertIdentifier = ptr.To(p.tls.caFor(n))
}

// clusterAccess sets the storage configuration. NOTE: always "aurora" or
// "aurora-iopt1", never "" nor left out: RDS reports "" for Aurora
// Standard, and terraform-provider-aws suppresses the diff of "aurora"
// against it (aws_rds_cluster's CustomizeDiff: "The control plane will
// always return an empty string if a cluster is created with a
// storage_type of aurora"), so "aurora" does not churn; but "" or no value
// is never sent, so a cluster would stay I/O-Optimized
// (hashicorp/terraform-provider-aws#41825, #41711).
func (p *plan) clusterAccess(fp *rdsv1beta1.ClusterParameters) {
	fp.StorageType = ptr.To(p.spec.StorageType)
}

// accessConnectionDetails adds the TLS and IAM keys to the connection
// details. sslmode is verify-full only while every instance has a current
// CA, whose root the regional bundle sslrootcert_url names holds.
func (p *plan) accessConnectionDetails(d map[string][]byte, st AuroraStatus) {
	d[connKeySSLMode] = []byte(sslModeRequire)
	if p.tls.verifyFull {
		d[connKeySSLMode] = []byte(sslModeVerifyFull)
		d[connKeySSLRootCertURL] = []byte(p.caBundleURL())
		if p.spec.TLS != nil && p.spec.TLS.CACertIdentifier != "" {
			d[connKeyCACertIdentifier] = []byte(p.spec.TLS.CACertIdentifier)
		}
	}
	if !*p.spec.IAMDatabaseAuthentication {
		return
	}
	d[connKeyIAMAuth] = []byte("true")
	if arn := iamConnectARN(st); arn != "" {
		d[connKeyIAMConnectARN] = []byte(arn)
	}
}

// caBundleURL is the region's certificate bundle, which holds the roots of
// every current CA
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html#UsingWithRDS.SSL.RegionCertificates).
func (p *plan) caBundleURL() string {
	return partitions[p.partition].trustStore + "/" + p.region + "/" + p.region + "-bundle.pem"
}

// iamConnectARN is the resource of rds-db:connect for every database user
// of the cluster, arn:<partition>:rds-db:<region>:<account>:dbuser:<cluster
// resource ID>/*: replace * with a user name to allow that user only
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html).
// Empty until the cluster's ARN and resource ID are known.
func iamConnectARN(st AuroraStatus) string {
	f := strings.SplitN(st.ClusterARN, ":", 6)
	if len(f) < 6 || st.ClusterResourceID == "" {
		return ""
	}
	return fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/*", f[1], f[3], f[4], st.ClusterResourceID)
}

// accessDifferences says how an adopted cluster differs from the spec in
// IAM authentication and storage, and what Manage would do. NOTE: "You can
// switch from Aurora Standard to Aurora I/O-Optimized once every 30 days",
// back at any time; without downtime except on NVMe-based instances, whose
// engine restarts (Aurora.Overview.StorageReliability.html#aurora-storage-type).
// The function cannot know when the cluster last switched: RDS refuses a
// second switch within 30 days and the provider reports it (Synced=False).
func (p *plan) accessDifferences(at *rdsv1beta1.ClusterObservation) []string {
	s := p.spec
	var diffs []string
	if v := ptr.Deref(at.IAMDatabaseAuthenticationEnabled, false); v != *s.IAMDatabaseAuthentication {
		diffs = append(diffs, fmt.Sprintf("iamDatabaseAuthentication: runs %t, the spec asks %t", v, *s.IAMDatabaseAuthentication))
	}
	// NOTE: RDS reports "" for Aurora Standard.
	runs := ptr.Deref(at.StorageType, "")
	if runs == "" {
		runs = storageTypeStandard
	}
	if runs != s.StorageType {
		diffs = append(diffs, fmt.Sprintf("storageType: runs %s, the spec asks %s; Manage switches it (to I/O-Optimized at most once every 30 days, back to Standard any time; NVMe-based instance classes restart)", runs, s.StorageType))
	}
	return diffs
}

// instanceAccessDifference says how a running member's CA differs from the
// one Manage pins.
func instanceAccessDifference(want *rdsv1beta1.ClusterInstanceParameters, io *rdsv1beta1.ClusterInstanceObservation, applyImmediately bool) string {
	runs, pin := ptr.Deref(io.CACertIdentifier, ""), ptr.Deref(want.CACertIdentifier, "")
	if runs == "" || runs == pin {
		return ""
	}
	when := "in the maintenance window"
	if applyImmediately {
		when = "at once (spec.applyImmediately)"
	}
	keep := fmt.Sprintf("set spec.tls.caCertIdentifier to %s to keep it", runs)
	if !slices.Contains(currentCACerts, runs) {
		keep = "its CA is not current: clients cannot verify it"
	}
	return fmt.Sprintf("CA %s; Manage pins %s, which restarts the instance %s (%s)", runs, pin, when, keep)
}
