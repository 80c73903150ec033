package main

import (
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
	iamv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/iam/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Proxy is spec.proxy: an RDS Proxy in front of the cluster, which pools
// client connections and reads the master credentials from Secrets Manager
// on each new database connection, so rotation keeps working through it.
type Proxy struct {
	Enabled                  *bool  `json:"enabled,omitempty"`
	RequireTLS               *bool  `json:"requireTls,omitempty"`
	IAMAuth                  *bool  `json:"iamAuth,omitempty"`
	IdleClientTimeoutSeconds *int64 `json:"idleClientTimeoutSeconds,omitempty"`
}

// Defaults of spec.proxy, the same as the XRD's.
const (
	defaultProxyIdleClientTimeoutSeconds = 1800
	// proxyTargetGroup is the target group RDS creates with every proxy;
	// a proxy has no other (RDS API reference, DBProxyTargetGroup:
	// "Currently, each target group is named default").
	proxyTargetGroup = "default"
	// proxyMaxConnectionsPercent leaves a tenth of max_connections to
	// direct connections: the password rotator and administrators connect
	// to the cluster, not through the proxy, as the same master user.
	proxyMaxConnectionsPercent = 90
	// AWS's defaults for the rest of the pool (RDS API reference,
	// ConnectionPoolConfiguration: MaxIdleConnectionsPercent "Default: ...
	// 50", ConnectionBorrowTimeout "Default: 120"), set so the provider
	// has nothing to late-initialize.
	proxyMaxIdleConnectionsPercent = 50
	proxyConnectionBorrowTimeout   = 120
)

// withProxyDefaults fills spec.proxy: off; when on, TLS required (the
// cluster refuses connections without it: rds.force_ssl), no IAM
// authentication, and AWS's default idle client timeout of 30 minutes.
func withProxyDefaults(px *Proxy) {
	if px.Enabled == nil {
		px.Enabled = ptr.To(false)
	}
	if px.RequireTLS == nil {
		px.RequireTLS = ptr.To(true)
	}
	if px.IAMAuth == nil {
		px.IAMAuth = ptr.To(false)
	}
	if px.IdleClientTimeoutSeconds == nil {
		px.IdleClientTimeoutSeconds = ptr.To[int64](defaultProxyIdleClientTimeoutSeconds)
	}
}

// proxyUsages order the proxy's deletion, whether the XR is deleted or the
// proxy turned off (deletion.go composes those whose two sides are
// desired).
var proxyUsages = []usage{
	// RDS deregisters the cluster before the proxy and the cluster go.
	{of: nameProxy, by: nameProxyTarget, reason: "the cluster is registered with this proxy: deregistered first"},
	{of: nameCluster, by: nameProxyTarget, reason: "the cluster is a target of the RDS Proxy: deregistered first"},
	// EC2 refuses to delete a security group that network interfaces are
	// in, or that another group's rule references (DependencyViolation).
	{of: nameProxySecurityGroup, by: nameProxy, reason: "the proxy's network interfaces are in this security group"},
	{of: nameProxySecurityGroup, by: nameIngressFromProxy, reason: "the cluster's security group admits this group in a rule"},
	{of: nameProxyRole, by: nameProxy, reason: "the proxy reads the master secret with this role for every new connection until it is gone"},
}

// proxyEnabled reports whether the XR wants a proxy.
func (p *plan) proxyEnabled() bool {
	return ptr.Deref(p.spec.Proxy.Enabled, false)
}

// proxySecretARN is the secret the proxy logs in with: the function's own
// master secret (SelfManaged) or the one RDS made and reports in the
// cluster's status (RDSManaged). Empty until observed.
func (p *plan) proxySecretARN(f facts) string {
	if p.selfManaged() {
		return f.masterSecretARN
	}
	return f.status.SecretARN
}

// composeProxy adds the proxy, its network, its role and its target. Off,
// every proxy resource leaves the desired state, the target before the
// proxy and the proxy before its security group and role.
func (p *plan) composeProxy(d *desired, o observed, f facts) {
	if !p.proxyEnabled() {
		// Turned off: each proxy resource leaves only once what uses it is
		// gone, whatever became of the Usage between them (it leaves with
		// its two sides). EC2 refuses to delete a security group while the
		// proxy's network interfaces are in it (DependencyViolation).
		for _, u := range proxyUsages {
			if u.of != nameCluster && o.exists(u.by) && !d.has(u.of) {
				d.keepObserved(o, u.of)
			}
		}
		return
	}
	d.add(nameProxySecurityGroup, p.proxySecurityGroup())
	for _, c := range p.spec.Network.AllowedCIDRBlocks {
		d.add(nameProxyIngressCIDR(c), p.proxyIngressFromCIDR(c))
	}
	for _, id := range p.spec.Network.AllowedSecurityGroupIDs {
		d.add(nameProxyIngressSecurityGroup(id), p.proxyIngressFromSecurityGroup(id))
	}
	d.add(nameProxyEgressDB, p.proxyEgressToDB())
	d.add(nameIngressFromProxy, p.ingressFromProxy())

	// The role's trust policy names the account (confused deputy).
	if p.accountID != "" || o.exists(nameProxyRole) {
		d.add(nameProxyRole, p.proxyRole())
	}
	secretARN, keyARN := p.proxySecretARN(f), f.status.KMSKeyARN
	inputsKnown := secretARN != "" && keyARN != "" && d.has(nameProxyRole)
	if inputsKnown {
		d.add(nameProxyRolePolicy, p.proxyRolePolicy(secretARN, keyARN))
	} else {
		d.keepObserved(o, nameProxyRolePolicy)
	}

	// NOTE: a proxy whose secret holds no password yet, or whose role cannot
	// read it, leaves its target UNAVAILABLE (AUTH_FAILURE) until the next
	// connection attempt; wait for the cluster, the secret's first value and
	// the role's policy instead. The cluster must be the function's own: an
	// adopted cluster still observed only is not in its security group.
	clusterReady := o.ready(nameCluster) && !p.adoptObserving(o)
	handedOff := !p.selfManaged() || f.bootstrap.phase == bootstrapHandedOff
	switch {
	case o.exists(nameProxy) && secretARN != "":
		d.add(nameProxy, p.proxy(secretARN))
	case o.exists(nameProxy):
		d.keepObserved(o, nameProxy)
	case !d.has(nameCluster):
	case !clusterReady:
		d.wait("WaitingForClusterBeforeProxy", "waiting for rds Cluster %q to become ready before creating its proxy %q", p.clusterID, proxyName(p.clusterID))
	case !inputsKnown || !handedOff:
		d.wait("WaitingForProxyCredentials", "waiting for the master secret's ARN and first value and the KMS key ARN before creating proxy %q, which logs in with that secret", proxyName(p.clusterID))
	case !o.ready(nameProxyRolePolicy):
		d.wait("WaitingForProxyRole", "waiting for the proxy's role %q and its policy to be ready before creating proxy %q", proxyName(p.clusterID), proxyName(p.clusterID))
	default:
		d.add(nameProxy, p.proxy(secretARN))
	}
	if !d.has(nameProxy) {
		return
	}
	// NOTE: RDS changes a target group and registers a target only with a
	// proxy that is available (ModifyDBProxyTargetGroup and
	// RegisterDBProxyTargets: InvalidDBProxyStateFault); the provider would
	// retry with back-off meanwhile.
	proxyReady := o.ready(nameProxy)
	if proxyReady || o.exists(nameProxyTargetGroup) {
		d.add(nameProxyTargetGroup, p.proxyTargetGroup())
	}
	if proxyReady || o.exists(nameProxyTarget) {
		d.add(nameProxyTarget, p.proxyTarget())
	}
	if !proxyReady && !o.exists(nameProxyTarget) {
		d.wait("WaitingForProxy", "waiting for proxy %q to become available before registering cluster %q as its target", proxyName(p.clusterID), p.clusterID)
	}
}

// proxy is the RDS Proxy. It logs in to the cluster with the master secret,
// which it reads again for every new database connection, so a rotated
// password takes effect through the proxy without a change here (Aurora
// user guide, "Setting up database credentials for RDS Proxy":
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-secrets-arns.html).
// Clients authenticate with SCRAM-SHA-256, or with IAM when iamAuth; TLS is
// required, as the cluster requires it (rds.force_ssl, parameters.go).
func (p *plan) proxy(secretARN string) *rdsv1beta1.Proxy {
	iamAuth := "DISABLED"
	if ptr.Deref(p.spec.Proxy.IAMAuth, false) {
		iamAuth = "REQUIRED"
	}
	auth := rdsv1beta1.AuthParameters{
		AuthScheme:             ptr.To("SECRETS"),
		ClientPasswordAuthType: ptr.To("POSTGRES_SCRAM_SHA_256"),
		Description:            ptr.To("Master user of Aurora PostgreSQL cluster " + p.clusterID),
		IAMAuth:                ptr.To(iamAuth),
	}
	if p.selfManaged() {
		auth.SecretArnSelector = selectorFor(nameMasterSecret)
	} else {
		auth.SecretArn = ptr.To(secretARN)
	}
	return &rdsv1beta1.Proxy{
		ObjectMeta: p.objectMeta(nameProxy, proxyName(p.clusterID)),
		Spec: rdsv1beta1.ProxySpec{ManagedResourceSpec: p.managed(), ForProvider: rdsv1beta1.ProxyParameters{
			Region:                     ptr.To(p.region),
			EngineFamily:               ptr.To("POSTGRESQL"),
			Auth:                       []rdsv1beta1.AuthParameters{auth},
			RequireTLS:                 ptr.To(ptr.Deref(p.spec.Proxy.RequireTLS, true)),
			IdleClientTimeout:          ptr.To(float64(*p.spec.Proxy.IdleClientTimeoutSeconds)),
			DebugLogging:               ptr.To(false),
			RoleArnSelector:            selectorFor(nameProxyRole),
			VPCSubnetIds:               p.subnetIDs(),
			VPCSecurityGroupIDSelector: selectorFor(nameProxySecurityGroup),
			Tags:                       p.tags(),
		}},
	}
}

// proxyTargetGroup sets the connection pool of the proxy's default target
// group.
func (p *plan) proxyTargetGroup() *rdsv1beta1.ProxyDefaultTargetGroup {
	return &rdsv1beta1.ProxyDefaultTargetGroup{
		ObjectMeta: p.objectMeta(nameProxyTargetGroup, ""),
		Spec: rdsv1beta1.ProxyDefaultTargetGroupSpec{ManagedResourceSpec: p.managed(), ForProvider: rdsv1beta1.ProxyDefaultTargetGroupParameters{
			Region:              ptr.To(p.region),
			DBProxyNameSelector: selectorFor(nameProxy),
			ConnectionPoolConfig: &rdsv1beta1.ConnectionPoolConfigParameters{
				MaxConnectionsPercent:     ptr.To[float64](proxyMaxConnectionsPercent),
				MaxIdleConnectionsPercent: ptr.To[float64](proxyMaxIdleConnectionsPercent),
				ConnectionBorrowTimeout:   ptr.To[float64](proxyConnectionBorrowTimeout),
			},
		}},
	}
}

// proxyTarget registers the cluster with the proxy's default target group.
// The provider has no reference to a cluster here: its identifier is
// known.
func (p *plan) proxyTarget() *rdsv1beta1.ProxyTarget {
	return &rdsv1beta1.ProxyTarget{
		ObjectMeta: p.objectMeta(nameProxyTarget, ""),
		Spec: rdsv1beta1.ProxyTargetSpec{ManagedResourceSpec: p.managed(), ForProvider: rdsv1beta1.ProxyTargetParameters{
			Region:              ptr.To(p.region),
			DBProxyNameSelector: selectorFor(nameProxy),
			TargetGroupName:     ptr.To(proxyTargetGroup),
			DBClusterIdentifier: ptr.To(p.clusterID),
		}},
	}
}

// proxyRole is the role the proxy assumes to read the master secret. Only
// RDS may assume it, and only for this account (confused deputy: IAM user
// guide, "The confused deputy problem",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
func (p *plan) proxyRole() *iamv1beta1.Role {
	trust := policyDocument{Version: policyVersion, Statement: []policyStatement{{
		Sid:       "RDSAssumesProxyRole",
		Effect:    "Allow",
		Principal: &policyPrincipal{Service: []string{"rds.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policyCondition{"StringEquals": {"aws:SourceAccount": {p.accountID}}},
	}}}
	return &iamv1beta1.Role{
		ObjectMeta: p.objectMeta(nameProxyRole, proxyName(p.clusterID)),
		Spec: iamv1beta1.RoleSpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RoleParameters{
			Description:      ptr.To("Lets RDS Proxy " + proxyName(p.clusterID) + " read the master secret of Aurora PostgreSQL cluster " + p.clusterID),
			AssumeRolePolicy: ptr.To(trust.String()),
			Tags:             p.tags(),
		}},
	}
}

// proxyRolePolicyDocument lets the proxy read this cluster's secret and
// decrypt it with this cluster's key through Secrets Manager, nothing else
// (Aurora user guide, "Configuring IAM authentication for RDS Proxy":
// secretsmanager:GetSecretValue on the secrets, kms:Decrypt on their key
// with kms:ViaService secretsmanager.<region>.amazonaws.com,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-iam-setup.html).
// NOTE: this identity policy is enough: within one account IAM allows a
// request that either the identity's or the resource's policy allows and
// none denies (IAM user guide, "Policy evaluation logic"), the master
// secret's policy (secrets.go) denies nothing, and the function's key
// policy lets the account's principals use the key through Secrets Manager
// (kms.go, UseThroughSecretsManager).
func (p *plan) proxyRolePolicyDocument(secretARN, kmsKeyARN string) policyDocument {
	return policyDocument{Version: policyVersion, Statement: []policyStatement{
		{Sid: "ReadThisSecret", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{secretARN}},
		{
			Sid: "DecryptThisSecret", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{kmsKeyARN},
			Condition: policyCondition{"StringEquals": {"kms:ViaService": {p.serviceHost("secretsmanager")}}},
		},
	}}
}

// proxyRolePolicy attaches the scoped policy to the proxy's role.
func (p *plan) proxyRolePolicy(secretARN, kmsKeyARN string) *iamv1beta1.RolePolicy {
	return &iamv1beta1.RolePolicy{
		ObjectMeta: p.objectMeta(nameProxyRolePolicy, ""),
		Spec: iamv1beta1.RolePolicySpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RolePolicyParameters{
			RoleSelector: selectorFor(nameProxyRole),
			Policy:       ptr.To(p.proxyRolePolicyDocument(secretARN, kmsKeyARN).String()),
		}},
	}
}

// proxySecurityGroup holds the proxy's network interfaces: clients reach
// it from the XR's allowed sources, and it reaches the cluster, both on the
// DB port. The provider removes the default allow-all egress rule of a new
// group (terraform-provider-aws, aws_security_group), so the one egress
// rule is all it may open.
func (p *plan) proxySecurityGroup() *ec2v1beta1.SecurityGroup {
	sg := p.securityGroup()
	sg.ObjectMeta = p.objectMeta(nameProxySecurityGroup, "")
	sg.Spec.ForProvider.Name = ptr.To(securityGroupName(p.clusterID + "-proxy"))
	sg.Spec.ForProvider.Description = ptr.To("RDS Proxy of Aurora PostgreSQL cluster " + p.clusterID)
	return sg
}

// proxyIngressFromCIDR opens the proxy to one of the XR's allowed CIDRs.
func (p *plan) proxyIngressFromCIDR(cidr string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.proxyIngress(nameProxyIngressCIDR(cidr), "PostgreSQL through the proxy from "+cidr)
	setCIDR(&r.Spec.ForProvider, cidr)
	return r
}

// proxyIngressFromSecurityGroup opens the proxy to one of the XR's allowed
// security groups.
func (p *plan) proxyIngressFromSecurityGroup(id string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.proxyIngress(nameProxyIngressSecurityGroup(id), "PostgreSQL through the proxy from "+id)
	r.Spec.ForProvider.ReferencedSecurityGroupID = ptr.To(id)
	return r
}

func (p *plan) proxyIngress(name resource.Name, description string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(name, description)
	r.Spec.ForProvider.SecurityGroupIDSelector = selectorFor(nameProxySecurityGroup)
	return r
}

// proxyEgressToDB lets the proxy reach the cluster's security group on the
// DB port: the group's only way out (AWS: "the security group must allow
// access to the database the proxy connects to", Aurora user guide,
// "Setting up network prerequisites for RDS Proxy",
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-network-prereqs.html;
// awsdocs/amazon-rds-user-guide#194).
func (p *plan) proxyEgressToDB() *ec2v1beta1.SecurityGroupEgressRule {
	return &ec2v1beta1.SecurityGroupEgressRule{
		ObjectMeta: p.objectMeta(nameProxyEgressDB, ""),
		Spec: ec2v1beta1.SecurityGroupEgressRuleSpec{ManagedResourceSpec: p.managed(), ForProvider: ec2v1beta1.SecurityGroupEgressRuleParameters{
			Region:                            ptr.To(p.region),
			Description:                       ptr.To("PostgreSQL from the proxy to the cluster"),
			IPProtocol:                        ptr.To("tcp"),
			FromPort:                          p.port(),
			ToPort:                            p.port(),
			SecurityGroupIDSelector:           selectorFor(nameProxySecurityGroup),
			ReferencedSecurityGroupIDSelector: selectorFor(nameSecurityGroup),
			Tags:                              p.tags(),
		}},
	}
}

// ingressFromProxy admits the proxy's security group to the DB port.
func (p *plan) ingressFromProxy() *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(nameIngressFromProxy, "PostgreSQL from the RDS Proxy")
	r.Spec.ForProvider.ReferencedSecurityGroupIDSelector = selectorFor(nameProxySecurityGroup)
	return r
}

// subnetIDs are the cluster's subnets, as the provider's types want them.
func (p *plan) subnetIDs() []*string {
	ids := make([]*string, 0, len(p.spec.Network.SubnetIDs))
	for _, id := range p.spec.Network.SubnetIDs {
		ids = append(ids, ptr.To(id))
	}
	return ids
}
