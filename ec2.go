package main

import (
	"net/netip"

	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
)

// securityGroup is the cluster's own security group. It opens nothing by
// itself: each allowed source gets its own ingress rule, on the DB port only.
func (p *plan) securityGroup() *ec2v1beta1.SecurityGroup {
	return &ec2v1beta1.SecurityGroup{
		ObjectMeta: p.objectMeta(nameSecurityGroup, ""),
		Spec: ec2v1beta1.SecurityGroupSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: ec2v1beta1.SecurityGroupParameters_2{
				Region:      ptr.To(p.region),
				Name:        ptr.To(securityGroupName(p.clusterID + "-db")),
				Description: ptr.To("Aurora PostgreSQL cluster " + p.clusterID),
				VPCID:       ptr.To(p.spec.Network.VPCID),
				Tags:        p.tags(),
			},
		},
	}
}

// ingressFromCIDR allows one CIDR block (IPv4 or IPv6) to the DB port.
func (p *plan) ingressFromCIDR(cidr string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(nameIngressCIDR(cidr), "PostgreSQL from "+cidr)
	setCIDR(&r.Spec.ForProvider, cidr)
	return r
}

// setCIDR sets a rule's source network, IPv4 or IPv6 (validated before).
func setCIDR(fp *ec2v1beta1.SecurityGroupIngressRuleParameters, cidr string) {
	if netip.MustParsePrefix(cidr).Addr().Is4() {
		fp.CidrIPv4 = ptr.To(cidr)
		return
	}
	fp.CidrIPv6 = ptr.To(cidr)
}

// ingressFromExistingRotator allows an existing rotator's security group to
// the DB port.
func (p *plan) ingressFromExistingRotator(id string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(nameIngressRotatorSecurityGroup(id), "PostgreSQL from the password rotator's "+id)
	r.Spec.ForProvider.ReferencedSecurityGroupID = ptr.To(id)
	return r
}

// ingressFromSecurityGroup allows members of another security group to the
// DB port.
func (p *plan) ingressFromSecurityGroup(id string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(nameIngressSecurityGroup(id), "PostgreSQL from "+id)
	r.Spec.ForProvider.ReferencedSecurityGroupID = ptr.To(id)
	return r
}

func (p *plan) ingressRule(name resource.Name, description string) *ec2v1beta1.SecurityGroupIngressRule {
	return &ec2v1beta1.SecurityGroupIngressRule{
		ObjectMeta: p.objectMeta(name, ""),
		Spec: ec2v1beta1.SecurityGroupIngressRuleSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: ec2v1beta1.SecurityGroupIngressRuleParameters{
				Region:                  ptr.To(p.region),
				Description:             ptr.To(description),
				IPProtocol:              ptr.To("tcp"),
				FromPort:                p.port(),
				ToPort:                  p.port(),
				SecurityGroupIDSelector: selectorFor(nameSecurityGroup),
				Tags:                    p.tags(),
			},
		},
	}
}
