package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
)

// Composed resource names: the keys of the desired state, and the values of
// the component label that reference selectors match. Changing one replaces
// real infrastructure, so they live here and nowhere else.
const (
	nameKMSKey                = resource.Name("kms-key")
	nameKMSAlias              = resource.Name("kms-alias")
	nameSubnetGroup           = resource.Name("subnet-group")
	nameSecurityGroup         = resource.Name("security-group")
	nameClusterParameterGroup = resource.Name("cluster-parameter-group")
	nameCluster               = resource.Name("cluster")
	nameConnectionSecret      = resource.Name("connection-secret")

	// Credentials (bootstrap.go, secrets.go, rotator.go, endpoint.go).
	nameBootstrapSecret        = resource.Name("bootstrap-secret")
	nameMasterSecret           = resource.Name("master-secret")
	nameMasterSecretVersion    = resource.Name("master-secret-version")
	nameMasterSecretPolicy     = resource.Name("master-secret-policy")
	nameSecretRotation         = resource.Name("secret-rotation")
	nameRotatorStack           = resource.Name("rotator-stack")
	nameRotatorFunction        = resource.Name("rotator-function")
	nameRotatorRole            = resource.Name("rotator-role")
	nameRotatorRolePolicy      = resource.Name("rotator-role-policy")
	nameRotatorVPCAccess       = resource.Name("rotator-vpc-access")
	nameRotatorPermission      = resource.Name("rotator-permission")
	nameRotatorSecurityGroup   = resource.Name("rotator-security-group")
	nameRotatorEgressDB        = resource.Name("rotator-egress-db")
	nameRotatorEgressEndpoint  = resource.Name("rotator-egress-endpoint")
	nameIngressFromRotator     = resource.Name("ingress-from-rotator")
	nameEndpoint               = resource.Name("secretsmanager-endpoint")
	nameEndpointSecurityGroup  = resource.Name("endpoint-security-group")
	nameEndpointIngressRotator = resource.Name("endpoint-ingress-rotator")
	nameEndpointSGAssociation  = resource.Name("endpoint-security-group-association")
	prefixEndpointSubnetAssoc  = "endpoint-subnet-"

	// Monitoring (monitoring.go).
	nameSlowQueryMetricFilter      = resource.Name("metric-filter-slow-queries")
	nameEventSubscriptionCluster   = resource.Name("event-subscription-cluster")
	nameEventSubscriptionInstances = resource.Name("event-subscription-instances")
	prefixAlarm                    = "alarm-"
	// Enhanced Monitoring (monitoring_role.go).
	nameMonitoringRole       = resource.Name("monitoring-role")
	nameMonitoringRolePolicy = resource.Name("monitoring-role-policy")

	// RDS Proxy (proxy.go).
	nameProxy              = resource.Name("proxy")
	nameProxySecurityGroup = resource.Name("proxy-security-group")
	nameProxyRole          = resource.Name("proxy-role")
	nameProxyRolePolicy    = resource.Name("proxy-role-policy")
	nameProxyTargetGroup   = resource.Name("proxy-target-group")
	nameProxyTarget        = resource.Name("proxy-target")
	nameProxyEgressDB      = resource.Name("proxy-egress-db")
	nameIngressFromProxy   = resource.Name("ingress-from-proxy")
	// The XR's allowed sources on the proxy.
	prefixProxyIngressCIDR          = "proxy-ingress-cidr-"
	prefixProxyIngressSecurityGroup = "proxy-ingress-sg-"

	// Deletion order (deletion.go).
	prefixUsage = "usage-"

	prefixIngressCIDR          = "ingress-cidr-"
	prefixIngressSecurityGroup = "ingress-sg-"
	// An existing rotator's security groups (rotation.lambda.
	// existingFunctionSecurityGroupIds) on the DB port and the endpoint;
	// the VPC's networks on a private-DNS endpoint.
	prefixIngressRotatorSecurityGroup  = "ingress-rotator-sg-"
	prefixEndpointIngressSecurityGroup = "endpoint-ingress-sg-"
	prefixEndpointIngressCIDR          = "endpoint-ingress-cidr-"
	prefixLogGroup                     = "log-group-"
	prefixInstance                     = "instance-"
	// A running instance of an adopted cluster that spec.instances does
	// not name (adopt.go).
	prefixMember = "member-"
)

// prefixInstanceParameterGroup starts the names of the instances' DB
// parameter groups, one per family (parameters.go).
const prefixInstanceParameterGroup = "db-parameter-group-"

// labelComponent carries a composed resource's name, so reference selectors
// can pick exactly that resource among the XR's (matchControllerRef).
const labelComponent = "aurora-postgres.fn.crossplane.io/component"

// annotationExternalName is the provider's name for the resource in AWS.
const annotationExternalName = "crossplane.io/external-name"

// What Crossplane's usage controller and webhook put on a used resource.
const (
	labelInUse                = "crossplane.io/in-use"
	annotationDeletionAttempt = "usage.crossplane.io/deletion-attempt-with-policy"
)

// RDS identifier limits. Derived cluster identifiers stay short enough to
// leave room for "-<instance name>" within RDS's 63 characters.
const (
	maxClusterIdentifierLength = 50
	maxInstanceNameLength      = 12
)

// nameIngressCIDR names the rule of one CIDR block. IPv6 addresses are
// spelled out in full, so two blocks never share a name ("2001:db8::1/128"
// and "2001:db8:1::/128" would both sanitize to "2001-db8-1-128").
func nameIngressCIDR(cidr string) resource.Name {
	return resource.Name(prefixIngressCIDR + cidrSuffix(cidr))
}

func nameEndpointIngressCIDR(cidr string) resource.Name {
	return resource.Name(prefixEndpointIngressCIDR + cidrSuffix(cidr))
}

func cidrSuffix(cidr string) string {
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil || prefix.Addr().Is4() {
		return sanitize(cidr)
	}
	return strings.ReplaceAll(prefix.Addr().StringExpanded(), ":", "") + "-" + strconv.Itoa(prefix.Bits())
}

func nameIngressSecurityGroup(id string) resource.Name {
	return resource.Name(prefixIngressSecurityGroup + sanitize(id))
}

func nameIngressRotatorSecurityGroup(id string) resource.Name {
	return resource.Name(prefixIngressRotatorSecurityGroup + sanitize(id))
}

func nameEndpointIngressSecurityGroup(id string) resource.Name {
	return resource.Name(prefixEndpointIngressSecurityGroup + sanitize(id))
}

func nameProxyIngressCIDR(cidr string) resource.Name {
	return resource.Name(prefixProxyIngressCIDR + cidrSuffix(cidr))
}

func nameProxyIngressSecurityGroup(id string) resource.Name {
	return resource.Name(prefixProxyIngressSecurityGroup + sanitize(id))
}

// maxProxyNameLength is RDS's limit on a proxy's name (CreateDBProxy,
// DBProxyName: "An identifier must begin with a letter and must contain
// only ASCII letters, digits, and hyphens; it can't end with a hyphen or
// contain two consecutive hyphens"; 63 characters at most), which is also
// the name of its IAM role (64).
const maxProxyNameLength = 63

// proxyName is the proxy's name, and its role's: <cluster>-proxy. An
// adopted cluster's identifier may be 63 characters long; then it is cut
// and a hash of it keeps two such names apart.
func proxyName(clusterID string) string {
	const suffix = "-proxy"
	if len(clusterID)+len(suffix) <= maxProxyNameLength {
		return clusterID + suffix
	}
	h := sha256.Sum256([]byte(clusterID))
	return rdsIdentifier(clusterID, maxProxyNameLength-len(suffix)-9) + "-" + hex.EncodeToString(h[:])[:8] + suffix
}

func nameEndpointSubnetAssociation(subnet string) resource.Name {
	return resource.Name(prefixEndpointSubnetAssoc + sanitize(subnet))
}

// incarnationHash tells apart two XRs of the same name over time: 8 hex
// digits of the XR's UID.
func incarnationHash(uid string) string {
	h := sha256.Sum256([]byte(uid))
	return hex.EncodeToString(h[:])[:8]
}

// awsNames are the AWS names of resources AWS holds on to after they are
// deleted: a secret for its recovery window, a Lambda's security group and
// the CloudFormation stack that deployed it while the Lambda's network
// interfaces drain (20 to 45 minutes: hashicorp/terraform-provider-aws#10329).
// Derived from the cluster identifier alone, an XR deleted and filed again
// under the same name would collide with them (CreateSecret fails for a
// name scheduled for deletion), so they carry the XR's incarnation. A
// resource that exists keeps the name it was created with: renaming would
// replace it.
type awsNames struct {
	masterSecret         string
	rotatorStack         string
	rotatorFunction      string
	rotatorRole          string
	rotatorSecurityGroup string
	// monitoringRole is the Enhanced Monitoring role: IAM role names are
	// global to the account, so a cluster of the same identifier in
	// another region must not share it.
	monitoringRole string
}

// newAWSNames derives the names for this XR, or reads them from the
// observed resources that already carry them.
func newAWSNames(clusterID, uid, rotatorSource string, o observed) awsNames {
	inc := incarnationHash(uid)
	// At most 50+5+8 = 63 characters, within Lambda's and IAM's 64.
	rotator := clusterID + "-rot-" + inc
	n := awsNames{
		masterSecret:         "aurora/" + clusterID + "/master-" + inc,
		rotatorStack:         "rot-" + inc,
		rotatorFunction:      rotator,
		rotatorRole:          rotator,
		rotatorSecurityGroup: securityGroupName(rotator),
		// At most 50+4+8 = 62 characters, within IAM's 64.
		monitoringRole: clusterID + "-em-" + inc,
	}
	keep := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	keep(&n.masterSecret, o.str(nameMasterSecret, "spec", "forProvider", "name"))
	keep(&n.rotatorStack, o.str(nameRotatorStack, "spec", "forProvider", "name"))
	keep(&n.rotatorRole, o.annotation(nameRotatorRole, annotationExternalName))
	keep(&n.monitoringRole, o.annotation(nameMonitoringRole, annotationExternalName))
	keep(&n.rotatorSecurityGroup, o.str(nameRotatorSecurityGroup, "spec", "forProvider", "name"))
	switch rotatorSource {
	case rotatorFromServerlessRepo:
		keep(&n.rotatorFunction, o.str(nameRotatorStack, "spec", "forProvider", "parameters", "functionName"))
	case rotatorFromS3:
		keep(&n.rotatorFunction, o.annotation(nameRotatorFunction, annotationExternalName))
	}
	return n
}

// securityGroupName keeps a derived security group name valid: EC2 refuses
// names that start with "sg-", which a cluster identifier may.
func securityGroupName(name string) string {
	if strings.HasPrefix(name, "sg-") {
		return "aurora-" + name
	}
	return name
}

// bootstrapSecretName is the Kubernetes Secret that holds the bootstrap
// password until Secrets Manager has it (bootstrap.go).
func bootstrapSecretName(clusterID string) string {
	return clusterID + "-bootstrap"
}

// nameUsage names the Usage that keeps of until by is deleted.
func nameUsage(of, by resource.Name) resource.Name {
	return resource.Name(prefixUsage + string(of) + "-by-" + string(by))
}

func isUsage(n resource.Name) bool {
	return strings.HasPrefix(string(n), prefixUsage)
}

func nameLogGroup(export string) resource.Name {
	return resource.Name(prefixLogGroup + export)
}

// prefixConnectionSecret starts the key of a connection Secret renamed
// after it was created (nameConnectionSecretFor).
const prefixConnectionSecret = "connection-secret-"

// nameConnectionSecretFor is the composed resource of the connection Secret
// named secretName (spec.writeConnectionSecretToRef.name). Crossplane keeps
// the name of a composed resource that exists, whatever the desired object
// says (crossplane v2.3.4, internal/controller/apiextensions/composite/
// composition_functions.go: "maintain its name and namespace"), so a rename
// under the same key would be silently ignored. A renamed Secret therefore
// gets a key of its own, and the old key leaves the desired state:
// Crossplane deletes the old Secret and creates the new one. The key is the
// observed one that already holds a Secret of that name; else
// connection-secret while that is free (every XR until its first rename);
// else connection-secret-<8 hex digits of the name>.
func nameConnectionSecretFor(o observed, secretName string) resource.Name {
	keys := []resource.Name{nameConnectionSecret}
	for n := range o {
		if strings.HasPrefix(string(n), prefixConnectionSecret) {
			keys = append(keys, n)
		}
	}
	sort.Slice(keys[1:], func(i, j int) bool { return keys[1+i] < keys[1+j] })
	for _, n := range keys {
		if o.exists(n) && o.str(n, "metadata", "name") == secretName {
			return n
		}
	}
	if !o.exists(nameConnectionSecret) {
		return nameConnectionSecret
	}
	h := sha256.Sum256([]byte(secretName))
	return resource.Name(prefixConnectionSecret + hex.EncodeToString(h[:])[:8])
}

// nameInstanceParameterGroup is the composed DB parameter group of the
// instances for one parameter group family: db-parameter-group-16 for
// aurora-postgresql16, so a major upgrade composes the new family's group
// next to the old one. "db-", as AWS calls an instance's parameter group,
// not "instance-", the prefix of the instances; short, because the Usage of
// it by an instance carries both names in a label value (63 characters).
func nameInstanceParameterGroup(family string) resource.Name {
	return resource.Name(prefixInstanceParameterGroup + strings.TrimPrefix(family, engineAuroraPostgreSQL))
}

// instanceParameterGroupName is the AWS name of the instances' DB parameter
// group of one family: the hook a major upgrade uses to move the instances
// to the new family's group. At most 50+1+19 characters, within RDS's 255.
func instanceParameterGroupName(clusterID, family string) string {
	return clusterID + "-" + family
}

func nameInstance(suffix string) resource.Name {
	return resource.Name(prefixInstance + suffix)
}

// nameMember names a running instance of an adopted cluster by its
// identifier.
func nameMember(id string) resource.Name {
	return resource.Name(prefixMember + sanitize(id))
}

// instanceSuffix is an instance's name within the cluster: its own name, or
// its 1-based position.
func instanceSuffix(i int, in Instance) string {
	if in.Name != "" {
		return in.Name
	}
	return fmt.Sprintf("%d", i+1)
}

// instanceIdentifier is the RDS DB instance identifier.
func instanceIdentifier(clusterID, suffix string) string {
	return clusterID + "-" + suffix
}

// logGroupName is where RDS writes an exported log. RDS picks this name, so
// the function must create the group under exactly this name.
func logGroupName(clusterID, export string) string {
	return "/aws/rds/cluster/" + clusterID + "/" + export
}

// kmsAliasName is the alias of a CMK created for the cluster.
func kmsAliasName(clusterID string) string {
	return "alias/aurora/" + clusterID
}

// finalSnapshotIdentifier must be unique in the account and region: the XR's
// UID tells apart two clusters that reuse an identifier over time.
func finalSnapshotIdentifier(clusterID, uid string) string {
	return clusterID + "-final-" + incarnationHash(uid)
}

// clusterIdentifier is the RDS cluster identifier: spec.clusterIdentifier, or
// derived from where the user filed the XR (the claim for legacy XRs), which
// is unique within a control plane and stable for the XR's life:
// <namespace>-<name>-<hash of the identity>.
func clusterIdentifier(m xrMeta, s *AuroraSpec) string {
	if s.Adopt != nil && s.Adopt.ClusterIdentifier != "" {
		return s.Adopt.ClusterIdentifier
	}
	if s.ClusterIdentifier != "" {
		return s.ClusterIdentifier
	}
	scope, ns, name := "xr", m.Namespace, m.Name
	if m.ClaimName != "" {
		scope, ns, name = "claim", m.ClaimNamespace, m.ClaimName
	}
	base := name
	if ns != "" {
		base = ns + "-" + name
	}
	// NOTE: joining with a hyphen is ambiguous (team + a-b and team-a + b),
	// and a claim and an XR may share a namespace and name; a hash of the
	// exact identity keeps their AWS names apart.
	h := sha256.Sum256([]byte(scope + "/" + ns + "/" + name))
	return rdsIdentifier(base, maxClusterIdentifierLength-identityHashLength-1) + "-" + hex.EncodeToString(h[:])[:identityHashLength]
}

// identityHashLength is how many hex digits of the XR's identity end a
// derived cluster identifier.
const identityHashLength = 6

// rdsIdentifier fits s to RDS's identifier rules: lower-case letters, digits
// and single hyphens, starting with a letter, not ending with a hyphen, at
// most maxLen long. Callers that cut make it unique with a hash.
func rdsIdentifier(s string, maxLen int) string {
	id := sanitize(s)
	if id == "" || id[0] < 'a' || id[0] > 'z' {
		id = strings.TrimRight("db-"+id, "-")
	}
	if len(id) > maxLen {
		id = strings.TrimRight(id[:maxLen], "-")
	}
	return id
}

// sanitize lower-cases s and turns every run of other characters into a
// single hyphen.
func sanitize(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			hyphen = false
			continue
		}
		if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// nameAlarm is the composed resource of one alarm; suffix is the instance's
// for per-instance alarms, empty for cluster-wide ones.
func nameAlarm(kind, suffix string) resource.Name {
	if suffix == "" {
		return resource.Name(prefixAlarm + kind)
	}
	return resource.Name(prefixAlarm + kind + "-" + suffix)
}

// alarmName is the alarm's name in CloudWatch, which is also its external
// name (the provider identifies a MetricAlarm by alarm_name). Unique per
// region, like the cluster identifier it starts from.
func alarmName(clusterID, kind, suffix string) string {
	n := "aurora-" + clusterID + "-" + kind
	if suffix != "" {
		n += "-" + suffix
	}
	return n
}

// slowQueryMetricFilterName is the metric filter's name on the log group.
func slowQueryMetricFilterName(clusterID string) string {
	return "aurora-" + clusterID + "-slow-queries"
}

// eventSubscriptionName is the RDS event subscription's name: letters,
// digits and hyphens, unique per account and region.
func eventSubscriptionName(clusterID, source string) string {
	if source == eventSourceCluster {
		return "aurora-" + clusterID + "-cluster-events"
	}
	return "aurora-" + clusterID + "-instance-events"
}

// nameClusterParameterGroupOf is the cluster parameter group of one major
// after a major upgrade: the cluster keeps cluster-parameter-group for the
// family it was created with, and each later family gets its own, so the
// new group exists (and is Ready) before the cluster moves to it and the
// old one is deleted after.
func nameClusterParameterGroupOf(major string) resource.Name {
	return resource.Name(string(nameClusterParameterGroup) + "-" + major)
}

// isClusterParameterGroup reports whether a composed resource is a cluster
// parameter group, of any family.
func isClusterParameterGroup(n resource.Name) bool {
	return n == nameClusterParameterGroup || strings.HasPrefix(string(n), string(nameClusterParameterGroup)+"-")
}

// clusterParameterGroupName is the AWS name of the cluster parameter group
// of a major after a major upgrade: <cluster identifier>-<family>, e.g.
// orders-aurora-postgresql17 (letters, digits and hyphens, at most 255).
func clusterParameterGroupName(clusterID, major string) string {
	return clusterID + "-" + engineAuroraPostgreSQL + major
}

// Capacity (autoscaling.go, endpoints_custom.go).
const (
	nameReaderScalingTarget = resource.Name("autoscaling-readers-target")
	nameReaderScalingPolicy = resource.Name("autoscaling-readers-policy")
	prefixCustomEndpoint    = "custom-endpoint-"
)

// nameCustomEndpoint is the composed resource of spec.customEndpoints[].name.
func nameCustomEndpoint(name string) resource.Name {
	return resource.Name(prefixCustomEndpoint + name)
}

// customEndpointIdentifier is a custom endpoint's identifier, unique per
// account and region like the cluster identifier it starts with.
func customEndpointIdentifier(clusterID, name string) string {
	return clusterID + "-" + name
}

// readerScalingResourceID is how Application Auto Scaling names an Aurora
// cluster: cluster:<identifier>.
func readerScalingResourceID(clusterID string) string {
	return "cluster:" + clusterID
}

// readerScalingPolicyName is the policy's name, unique per scalable target.
func readerScalingPolicyName(clusterID string) string {
	return "aurora-" + clusterID + "-readers"
}
