package main

import (
	"fmt"

	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	iamv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/iam/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Enhanced Monitoring: RDS reads OS metrics on each instance and writes
// them to CloudWatch Logs (RDSOSMetrics) through an IAM role it assumes
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html).
// It is set on the instances: ModifyDBCluster takes MonitoringInterval for
// Multi-AZ DB clusters only
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html),
// so a cluster-level setting could be created but never changed.

// monitoringServicePrincipal is the service that assumes the role.
func (p *plan) monitoringServicePrincipal() string {
	return "monitoring.rds." + partitions[p.partition].dnsSuffix
}

// monitoringRoleTrust lets RDS's monitoring service assume the role for
// this cluster's instances only: aws:SourceAccount and aws:SourceArn
// guard against the confused deputy, as AWS's own example does
// ("Protecting against the confused deputy problem", USER_Monitoring.OS.Enabling:
// aws:SourceArn may be a pattern under ArnLike). The pattern covers every
// instance identifier this cluster's instances get (<clusterID>-<suffix>,
// instanceIdentifier), so the trust never changes when an instance is
// added: listing exact ARNs made each new instance race the trust update
// (AWS review 6, finding 7).
func (p *plan) monitoringRoleTrust() policyDocument {
	return policyDocument{Version: policyVersion, Statement: []policyStatement{{
		Sid:       "RDSEnhancedMonitoring",
		Effect:    "Allow",
		Principal: &policyPrincipal{Service: []string{p.monitoringServicePrincipal()}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policyCondition{
			"StringEquals": {"aws:SourceAccount": {p.accountID}},
			"ArnLike":      {"aws:SourceArn": {p.arn("rds", p.region, p.accountID, "db:"+instanceIdentifier(p.clusterID, "*"))}},
		},
	}}}
}

// monitoringRole is the role RDS sends Enhanced Monitoring metrics with.
func (p *plan) monitoringRole() *iamv1beta1.Role {
	return &iamv1beta1.Role{
		ObjectMeta: p.objectMeta(nameMonitoringRole, p.names.monitoringRole),
		Spec: iamv1beta1.RoleSpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RoleParameters{
			Description:      ptr.To("Enhanced Monitoring of Aurora PostgreSQL cluster " + p.clusterID),
			AssumeRolePolicy: ptr.To(p.monitoringRoleTrust().String()),
			Tags:             p.tags(),
		}},
	}
}

// monitoringRolePolicy attaches AWS's managed policy, in the cluster's
// partition.
func (p *plan) monitoringRolePolicy() *iamv1beta1.RolePolicyAttachment {
	return &iamv1beta1.RolePolicyAttachment{
		ObjectMeta: p.objectMeta(nameMonitoringRolePolicy, ""),
		Spec: iamv1beta1.RolePolicyAttachmentSpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RolePolicyAttachmentParameters{
			RoleSelector: selectorFor(nameMonitoringRole),
			PolicyArn:    ptr.To(p.arn("iam", "", "aws", enhancedMonitoringPolicy)),
		}},
	}
}

// instanceMonitoringInterval is what the observed instance reports; 0 when
// unknown.
func instanceMonitoringInterval(o observed, n resource.Name) int64 {
	at, ok := atProvider[rdsv1beta1.ClusterInstanceObservation](o, n)
	if !ok {
		return 0
	}
	return int64(ptr.Deref(at.MonitoringInterval, 0))
}

// monitoringRoleInUse reports whether an observed instance of the spec
// still sends Enhanced Monitoring metrics: switched off, the role stays
// until none does.
func (p *plan) monitoringRoleInUse(o observed) bool {
	for i, in := range p.spec.Instances {
		if instanceMonitoringInterval(o, nameInstance(instanceSuffix(i, in))) > 0 {
			return true
		}
	}
	return false
}

// enhancedMonitoringReady reports whether the instance n can be given the
// role: the role and its policy are Ready, or the instance already uses
// it (a role momentarily not Ready must not switch monitoring off).
func (p *plan) enhancedMonitoringReady(o observed, n resource.Name) bool {
	return (o.ready(nameMonitoringRole) && o.ready(nameMonitoringRolePolicy)) || instanceMonitoringInterval(o, n) > 0
}

// instanceEnhancedMonitoring sets the instance's interval: 0 turns it off
// (said explicitly, as for Performance Insights, so the late-initialised
// interval does not keep it on); another interval only once the role can
// be used, so RDS never refuses the role ("IAM role ARN value is invalid
// or does not include the required permissions").
func (p *plan) instanceEnhancedMonitoring(fp *rdsv1beta1.ClusterInstanceParameters, o observed, n resource.Name) {
	v := *p.spec.Monitoring.EnhancedMonitoring.IntervalSeconds
	switch {
	case v == 0:
		fp.MonitoringInterval = ptr.To[float64](0)
	case p.enhancedMonitoringReady(o, n):
		fp.MonitoringInterval = ptr.To(float64(v))
		fp.MonitoringRoleArnSelector = selectorFor(nameMonitoringRole)
	}
}

// composeMonitoringRole adds the role and its policy while Enhanced
// Monitoring is on, and, once switched off, until no instance reports it
// any more: RDS turns it off on the next ModifyDBInstance, and a role
// deleted before would leave an instance sending with a role that is gone.
// The role's trust names the account, so it waits for the account ID.
func (p *plan) composeMonitoringRole(d *desired, o observed) {
	on := *p.spec.Monitoring.EnhancedMonitoring.IntervalSeconds > 0
	if !on && !p.monitoringRoleInUse(o) {
		return
	}
	if p.accountID == "" && !o.exists(nameMonitoringRole) {
		d.wait("WaitingForAccountID", "waiting to learn the AWS account ID before creating the Enhanced Monitoring role (its trust policy names the account)")
		return
	}
	d.add(nameMonitoringRole, p.monitoringRole())
	d.add(nameMonitoringRolePolicy, p.monitoringRolePolicy())
	if on && !(o.ready(nameMonitoringRole) && o.ready(nameMonitoringRolePolicy)) && p.anyInstanceDesired(d) {
		d.wait("WaitingForMonitoringRole", "waiting for iam Role %q and its policy to become ready before turning on Enhanced Monitoring (every %d s) on the instances", p.names.monitoringRole, *p.spec.Monitoring.EnhancedMonitoring.IntervalSeconds)
	}
}

// anyInstanceDesired reports whether an instance of the spec is composed:
// only then is there something waiting for the role.
func (p *plan) anyInstanceDesired(d *desired) bool {
	for i, in := range p.spec.Instances {
		if d.has(nameInstance(instanceSuffix(i, in))) {
			return true
		}
	}
	return false
}

// adoptMonitoringDifferences says how an adopted instance's Enhanced
// Monitoring differs from the spec.
func (p *plan) adoptMonitoringDifferences(io *rdsv1beta1.ClusterInstanceObservation) []string {
	v, want := int64(ptr.Deref(io.MonitoringInterval, 0)), *p.spec.Monitoring.EnhancedMonitoring.IntervalSeconds
	if v == want {
		return nil
	}
	if want == 0 {
		return []string{fmt.Sprintf("Enhanced Monitoring every %d s; Manage turns it off (set spec.monitoring.enhancedMonitoring.intervalSeconds to keep it, with the function's role)", v)}
	}
	return []string{fmt.Sprintf("Enhanced Monitoring interval %d s; Manage sets %d s with the function's role", v, want)}
}
