package main

import (
	"encoding/json"
	"regexp"

	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
	kmsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/kms/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
	smv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/secretsmanager/v1beta1"
	sarv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/serverlessrepo/v1beta1"
)

// facts are what the function learns from observed resources on each call.
type facts struct {
	// observedAccount is the account of observedAccountARN, an ARN of a
	// resource the provider created.
	observedAccount, observedAccountARN string
	status                              AuroraStatus
	// Values that resources without a reference selector for them wait for.
	masterSecretARN string
	rotatorSGID     string
	endpointDNS     string
	stackLambdaARN  string
	bootstrap       bootstrap
}

// reARNAccount extracts the account from any ARN.
var reARNAccount = regexp.MustCompile(`^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):`)

// observe reads the observed resources the status and the gates need. prev
// is the XR's current status: a value the function reported stays until an
// observed resource reports a new one, so a resource briefly missing a field
// does not blank the status or the connection secret.
func observe(m xrMeta, s *AuroraSpec, o observed, prev AuroraStatus) facts {
	st := prev
	st.ClusterIdentifier = clusterIdentifier(m, s)
	if s.Encryption.ExistingKMSKeyARN != "" {
		st.KMSKeyARN = s.Encryption.ExistingKMSKeyARN
	}
	if k, ok := atProvider[kmsv1beta1.KeyObservation](o, nameKMSKey); ok && s.Encryption.ExistingKMSKeyARN == "" {
		setIf(&st.KMSKeyARN, k.Arn)
	}
	var sgARN *string
	if sg, ok := atProvider[ec2v1beta1.SecurityGroupObservation_2](o, nameSecurityGroup); ok {
		setIf(&st.SecurityGroupID, sg.ID)
		sgARN = sg.Arn
	}
	if c, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster); ok {
		a := c
		setIf(&st.ClusterARN, a.Arn)
		setIf(&st.Endpoint, a.Endpoint)
		setIf(&st.ReaderEndpoint, a.ReaderEndpoint)
		setIf(&st.EngineVersionActual, a.EngineVersionActual)
		setIf(&st.ClusterResourceID, a.ClusterResourceID)
		if a.Port != nil {
			st.Port = int64(*a.Port)
		}
		if len(a.MasterUserSecret) > 0 && s.Credentials.Mode != CredentialsModeSelfManaged {
			setIf(&st.SecretARN, a.MasterUserSecret[0].SecretArn)
		}
	}
	if st.Port == 0 {
		st.Port = *s.Port
	}

	f := facts{}
	if sec, ok := atProvider[smv1beta1.SecretObservation](o, nameMasterSecret); ok {
		setIf(&f.masterSecretARN, sec.Arn)
	}
	if sg, ok := atProvider[ec2v1beta1.SecurityGroupObservation_2](o, nameRotatorSecurityGroup); ok {
		setIf(&f.rotatorSGID, sg.ID)
	}
	if ep, ok := atProvider[ec2v1beta1.VPCEndpointObservation_2](o, nameEndpoint); ok {
		setIf(&st.VPCEndpointID, ep.ID)
		if len(ep.DNSEntry) > 0 {
			setIf(&f.endpointDNS, ep.DNSEntry[0].DNSName)
		}
	}
	switch id := s.VPCEndpoint.ExistingEndpointID; {
	case id != "":
		st.VPCEndpointID = id
	case !s.endpointComposed():
		st.VPCEndpointID = ""
	}
	if stack, ok := atProvider[sarv1beta1.CloudFormationStackObservation](o, nameRotatorStack); ok {
		setIf(&f.stackLambdaARN, stack.Outputs["RotationLambdaARN"])
	}
	if px, ok := atProvider[rdsv1beta1.ProxyObservation](o, nameProxy); ok && ptr.Deref(s.Proxy.Enabled, false) {
		setIf(&st.ProxyEndpoint, px.Endpoint)
	} else if !ptr.Deref(s.Proxy.Enabled, false) {
		st.ProxyEndpoint = ""
	}
	if s.Credentials.Mode == CredentialsModeSelfManaged {
		// The function's own secret, not one RDS made.
		setIf(&st.SecretARN, &f.masterSecretARN)
	}
	st.RotationEnabled = ptr.To(ptr.Deref(s.Credentials.Rotation.Enabled, true))
	st.CustomEndpoints = customEndpointAddresses(s, o, prev.CustomEndpoints)
	st.AutoscaledReaders = autoscaledReaders(clusterIdentifier(m, s), s, o)
	f.status = st
	ownKey := ""
	if s.Encryption.ExistingKMSKeyARN == "" {
		ownKey = st.KMSKeyARN
	}
	f.observedAccount, f.observedAccountARN = observedAccount(sgARN, st.ClusterARN, f.masterSecretARN, ownKey)
	return f
}

// accountOf is the account in an ARN, or "".
func accountOf(arn string) string {
	if m := reARNAccount.FindStringSubmatch(arn); m != nil {
		return m[1]
	}
	return ""
}

// setIf overwrites dst with a non-empty observed value.
func setIf(dst *string, v *string) {
	if v != nil && *v != "" {
		*dst = *v
	}
}

// writeStatus sets the status fields on the desired XR.
func writeStatus(dxr *resource.Composite, st AuroraStatus) error {
	j, err := json.Marshal(st)
	if err != nil {
		return err
	}
	fields := map[string]any{}
	if err := json.Unmarshal(j, &fields); err != nil {
		return err
	}
	// fields is JSON data already: set it in place, without SetValue's
	// path parsing and second JSON round trip per field.
	status, _ := dxr.Resource.Object["status"].(map[string]any)
	if status == nil {
		status = make(map[string]any, len(fields))
		dxr.Resource.Object["status"] = status
	}
	for k, v := range fields {
		status[k] = v
	}
	return nil
}
