package main

import (
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
)

// The RDS Proxy's network (proxy.go): its own security group, open to the
// XR's allowed sources, and its way to the cluster.

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
