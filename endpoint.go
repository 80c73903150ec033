package main

import (
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
)

// httpsPort is where the rotator calls Secrets Manager.
const httpsPort = 443

// endpointComposed reports whether the function composes the Secrets
// Manager endpoint: only for a rotator it runs in the VPC (SelfManaged
// credentials with rotation), when enabled and there is none to reuse.
func (s *AuroraSpec) endpointComposed() bool {
	e := s.VPCEndpoint
	return s.Credentials.Mode == CredentialsModeSelfManaged && ptr.Deref(s.Credentials.Rotation.Enabled, true) &&
		ptr.Deref(e.Enabled, true) && e.ExistingEndpointID == ""
}

// endpointOwned reports whether the function composes the endpoint.
func (p *plan) endpointOwned() bool {
	return p.spec.endpointComposed()
}

// endpointPrivateDNS reports whether the composed endpoint serves the
// regional Secrets Manager name for the whole VPC.
func (p *plan) endpointPrivateDNS() bool {
	return p.endpointOwned() && ptr.Deref(p.spec.VPCEndpoint.PrivateDNSEnabled, false)
}

// endpointSubnets are the subnets of the endpoint's network interfaces.
func (p *plan) endpointSubnets() []string {
	if s := p.spec.VPCEndpoint.SubnetIDs; len(s) > 0 {
		return s
	}
	return p.rotatorSubnets()
}

// secretsManagerURL is the URL the rotator calls. With private DNS the
// regional name resolves to the endpoint inside the VPC; without it, only
// the endpoint's own DNS name does.
func (p *plan) secretsManagerURL(endpointDNS string) string {
	if p.endpointOwned() && !p.endpointPrivateDNS() {
		return "https://" + endpointDNS
	}
	return "https://" + p.serviceHost("secretsmanager")
}

// endpoint is the Interface endpoint for Secrets Manager. Its subnets and
// security group are attached by their own resources, so each can change
// without replacing the endpoint.
// NOTE: private DNS is off unless asked for: with it, the regional Secrets
// Manager name resolves to this endpoint for every client in the VPC
// (pitfall 17), and only one such endpoint per service works in a VPC
// (hashicorp/terraform-provider-aws#17535).
func (p *plan) endpoint() *ec2v1beta1.VPCEndpoint {
	return &ec2v1beta1.VPCEndpoint{
		ObjectMeta: p.objectMeta(nameEndpoint, ""),
		Spec: ec2v1beta1.VPCEndpointSpec{ManagedResourceSpec: p.managed(), ForProvider: ec2v1beta1.VPCEndpointParameters_2{
			Region:            ptr.To(p.region),
			VPCID:             ptr.To(p.spec.Network.VPCID),
			ServiceName:       ptr.To("com.amazonaws." + p.region + ".secretsmanager"),
			VPCEndpointType:   ptr.To("Interface"),
			PrivateDNSEnabled: ptr.To(p.endpointPrivateDNS()),
			Tags:              p.tags(),
		}},
	}
}

// endpointSecurityGroup accepts HTTPS from the rotator and, with private
// DNS, from the VPC's networks: nothing else by itself.
func (p *plan) endpointSecurityGroup() *ec2v1beta1.SecurityGroup {
	sg := p.securityGroup()
	sg.ObjectMeta = p.objectMeta(nameEndpointSecurityGroup, "")
	sg.Spec.ForProvider.Name = ptr.To(securityGroupName(p.clusterID + "-secretsmanager-endpoint"))
	sg.Spec.ForProvider.Description = ptr.To("Secrets Manager endpoint of Aurora PostgreSQL cluster " + p.clusterID)
	return sg
}

// endpointIngressFromRotator opens the endpoint to the rotator on 443.
func (p *plan) endpointIngressFromRotator() *ec2v1beta1.SecurityGroupIngressRule {
	r := p.endpointIngress(nameEndpointIngressRotator, "HTTPS from the password rotator")
	r.Spec.ForProvider.ReferencedSecurityGroupIDSelector = selectorFor(nameRotatorSecurityGroup)
	return r
}

// endpointIngressFromSecurityGroup opens the endpoint on 443 to an existing
// rotator's security group.
func (p *plan) endpointIngressFromSecurityGroup(id string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.endpointIngress(nameEndpointIngressSecurityGroup(id), "HTTPS from the password rotator's "+id)
	r.Spec.ForProvider.ReferencedSecurityGroupID = ptr.To(id)
	return r
}

// endpointIngressFromCIDR opens a private-DNS endpoint on 443 to one of the
// VPC's networks: it is their Secrets Manager now.
func (p *plan) endpointIngressFromCIDR(cidr string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.endpointIngress(nameEndpointIngressCIDR(cidr), "HTTPS to Secrets Manager from the VPC's "+cidr)
	setCIDR(&r.Spec.ForProvider, cidr)
	return r
}

// endpointIngress is an HTTPS rule of the endpoint's security group.
func (p *plan) endpointIngress(name resource.Name, description string) *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(name, description)
	r.Spec.ForProvider.FromPort = ptr.To(float64(httpsPort))
	r.Spec.ForProvider.ToPort = ptr.To(float64(httpsPort))
	r.Spec.ForProvider.SecurityGroupIDSelector = selectorFor(nameEndpointSecurityGroup)
	return r
}

// endpointSecurityGroupAssociation attaches the endpoint's security group,
// replacing the VPC's default group on it.
func (p *plan) endpointSecurityGroupAssociation() *ec2v1beta1.VPCEndpointSecurityGroupAssociation {
	return &ec2v1beta1.VPCEndpointSecurityGroupAssociation{
		ObjectMeta: p.objectMeta(nameEndpointSGAssociation, ""),
		Spec: ec2v1beta1.VPCEndpointSecurityGroupAssociationSpec{ManagedResourceSpec: p.managed(), ForProvider: ec2v1beta1.VPCEndpointSecurityGroupAssociationParameters{
			Region:                    ptr.To(p.region),
			VPCEndpointIDSelector:     selectorFor(nameEndpoint),
			SecurityGroupIDSelector:   selectorFor(nameEndpointSecurityGroup),
			ReplaceDefaultAssociation: ptr.To(true),
		}},
	}
}

// endpointSubnetAssociation puts one endpoint network interface in a subnet.
func (p *plan) endpointSubnetAssociation(subnet string) *ec2v1beta1.VPCEndpointSubnetAssociation {
	return &ec2v1beta1.VPCEndpointSubnetAssociation{
		ObjectMeta: p.objectMeta(nameEndpointSubnetAssociation(subnet), ""),
		Spec: ec2v1beta1.VPCEndpointSubnetAssociationSpec{ManagedResourceSpec: p.managed(), ForProvider: ec2v1beta1.VPCEndpointSubnetAssociationParameters{
			Region:                ptr.To(p.region),
			VPCEndpointIDSelector: selectorFor(nameEndpoint),
			SubnetID:              ptr.To(subnet),
		}},
	}
}
