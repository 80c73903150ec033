package main

import (
	"k8s.io/utils/ptr"

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

// subnetIDs are the cluster's subnets, as the provider's types want them.
func (p *plan) subnetIDs() []*string {
	ids := make([]*string, 0, len(p.spec.Network.SubnetIDs))
	for _, id := range p.spec.Network.SubnetIDs {
		ids = append(ids, ptr.To(id))
	}
	return ids
}
