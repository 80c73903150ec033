package main

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"k8s.io/utils/ptr"
)

// Finding rules about the network: the Secrets Manager endpoint (B1), the
// existing rotator's security groups (M2), the endpoint's subnets (minor 5)
// and IPv6 clients (minor 10).

// networkFindingRules are the network rules.
var networkFindingRules = []awsRule{
	{
		ID:        "SecretsManagerEndpointServesItsClients",
		Statement: "A VPCEndpoint is composed only for a rotator it serves (SelfManaged credentials, rotation on, vpcEndpoint enabled, no existingEndpointId); its privateDnsEnabled is spec.vpcEndpoint.privateDnsEnabled (default false); with private DNS its security group admits 443 from every spec.network.vpcCidrBlocks entry (which must be listed); every ingress rule of its security group is tcp 443.",
		Citations: []string{
			"https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html (PrivateDnsEnabled: the private hosted zone resolves the service's default DNS name to the endpoint in the VPC)",
			"https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns (private DNS answers for every resource in the VPC)",
			"https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html#interface-endpoint-security-groups (the endpoint's security group must admit its clients on HTTPS)",
			"https://github.com/hashicorp/terraform-provider-aws/issues/17535 (a second private-DNS endpoint for a service in a VPC fails: conflicting DNS domain)",
		},
		Check: checkSecretsManagerEndpointServesItsClients,
	},
	{
		ID:        "ExistingRotatorNetwork",
		Statement: "With spec.credentials.rotation.lambda.existingFunctionArn no rotator security group is composed (only the cluster's and the endpoint's), and each existingFunctionSecurityGroupIds entry is admitted on the DB port to the cluster's security group and on 443 to a composed endpoint's.",
		Citations: []string{
			"https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html (rotation fails when the function cannot reach the database or Secrets Manager)",
			"https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html (a function's network interfaces carry the security groups of its own VPC configuration)",
			"https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html (a rule admitting a security group admits the interfaces that carry it)",
		},
		Check: checkExistingRotatorNetwork,
	},
	{
		ID:        "EndpointSubnetsListed",
		Statement: "A VPCEndpointSubnetAssociation composed for the first time names a subnet of spec.vpcEndpoint.subnetIds (the user's one-per-zone list, never defaulted), and no subnet is associated with an endpoint twice.",
		Citations: []string{
			"https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html (SubnetIds: one subnet per Availability Zone)",
			"https://github.com/terraform-aws-modules/terraform-aws-vpc/issues/583 (DuplicateSubnetsInSameZone)",
		},
		Check: checkEndpointSubnetsListed,
	},
	{
		ID:        "IPv6NeedsDualStack",
		Statement: "An ingress rule with cidrIpv6 on the cluster's security group requires the rds Cluster's networkType DUAL.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.IP_addressing (dual-stack mode: IPv6 clients reach only a DUAL cluster)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (NetworkType: IPV4 | DUAL)",
		},
		Check: checkIPv6NeedsDualStack,
	},
}

// SecretsManagerEndpointServesItsClients.

// checkSecretsManagerEndpointServesItsClients (B1): with private DNS the
// endpoint answers secretsmanager.<region> for every client in the VPC,
// so a security group that admits only the rotator cuts every other client
// (and a provider running in the VPC) off Secrets Manager; a second
// private-DNS endpoint in the VPC fails outright. An endpoint without a
// rotator serves nobody.
func checkSecretsManagerEndpointServesItsClients(s *ruleState) []ruleFinding {
	var out []ruleFinding
	want := ptr.Deref(s.Spec.VPCEndpoint.PrivateDNSEnabled, false)
	for _, ep := range s.desiredOf(ruleKindVPCEndpoint) {
		add := func(format string, a ...any) {
			out = append(out, ruleFinding{Resource: ep.Name, Message: fmt.Sprintf(format, a...)})
		}
		if !ruleEndpointServesRotator(s.Spec) {
			add("is composed, but no rotator of this XR calls it (an endpoint is for SelfManaged credentials with rotation on, vpcEndpoint.enabled and no existingEndpointId)")
		}
		dns, set := mrParamBool(ep.Obj, "privateDnsEnabled")
		switch {
		case !set:
			add("sets no privateDnsEnabled, want %t (spec.vpcEndpoint.privateDnsEnabled) said explicitly rather than left to the provider", want)
		case dns != want:
			add("privateDnsEnabled is %t, want %t (spec.vpcEndpoint.privateDnsEnabled, default false)", dns, want)
		}
		sgs := s.endpointSecurityGroups(ep.Name)
		if len(sgs) == 0 {
			add("has no composed security group (VPCEndpointSecurityGroupAssociation): it would take the VPC's default group")
		}
		for _, sg := range sgs {
			for _, r := range s.ingressRulesOn(sg) {
				if got, ok := ruleTCPPort(r.Obj, ruleHTTPSPort); !ok {
					out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("admits %s to the Secrets Manager endpoint's security group %q, want tcp 443 only: the endpoint serves HTTPS", got, sg)})
				}
			}
		}
		if !(set && dns) && !want {
			continue
		}
		cidrs := s.Spec.Network.VPCCIDRBlocks
		if len(cidrs) == 0 {
			add("has private DNS, so it answers for every client in the VPC, but spec.network.vpcCidrBlocks is empty: its security group admits none of them")
		}
		for _, c := range cidrs {
			if !s.endpointAdmitsCIDR(sgs, c) {
				add("has private DNS, so secretsmanager.%s resolves to it in the whole VPC, but no ingress rule of its security group admits 443 from the VPC's %s: every other Secrets Manager client there times out", s.Spec.Region, c)
			}
		}
	}
	return out
}

// ruleHTTPSPort is where Secrets Manager's endpoint serves.
const ruleHTTPSPort = 443

// ruleEndpointServesRotator is spec.endpointComposed(), spelled out here
// so a change of the function's predicate cannot change the rule: an
// endpoint serves a rotator the function runs in the VPC (SelfManaged
// credentials with rotation on), when enabled and there is none to reuse.
func ruleEndpointServesRotator(spec *AuroraSpec) bool {
	return spec.Credentials.Mode == CredentialsModeSelfManaged && ptr.Deref(spec.Credentials.Rotation.Enabled, true) &&
		ptr.Deref(spec.VPCEndpoint.Enabled, true) && spec.VPCEndpoint.ExistingEndpointID == ""
}

// endpointAdmitsCIDR reports whether one of the security groups admits
// tcp 443 from a CIDR block.
func (s *ruleState) endpointAdmitsCIDR(sgs []string, cidr string) bool {
	for _, sg := range sgs {
		for _, r := range s.ingressRulesOn(sg) {
			_, on443 := ruleTCPPort(r.Obj, ruleHTTPSPort)
			if on443 && (mrParamString(r.Obj, "cidrIpv4") == cidr || mrParamString(r.Obj, "cidrIpv6") == cidr) {
				return true
			}
		}
	}
	return false
}

// ExistingRotatorNetwork.

// checkExistingRotatorNetwork (M2): an existing rotator runs in its own
// security groups; a group the function makes for it is attached to
// nothing, and only rules from the rotator's own groups let it reach the
// database and the endpoint.
func checkExistingRotatorNetwork(s *ruleState) []ruleFinding {
	l := s.Spec.Credentials.Rotation.Lambda
	if l.ExistingFunctionARN == "" || s.Spec.Credentials.Mode != CredentialsModeSelfManaged || !ptr.Deref(s.Spec.Credentials.Rotation.Enabled, true) {
		return nil
	}
	var out []ruleFinding
	clusterSG := s.clusterSecurityGroup()
	endpointSGs := map[string]bool{}
	for _, ep := range s.desiredOf(ruleKindVPCEndpoint) {
		for _, sg := range s.endpointSecurityGroups(ep.Name) {
			endpointSGs[sg] = true
		}
	}
	proxySGs := s.proxySecurityGroups()
	for _, sg := range s.desiredOf(ruleKindSecurityGroup) {
		if sg.Name != clusterSG && !endpointSGs[sg.Name] && !proxySGs[sg.Name] {
			out = append(out, ruleFinding{Resource: sg.Name, Message: "is composed, but the existing rotator (existingFunctionArn) runs in its own security groups (existingFunctionSecurityGroupIds): this one is attached to nothing"})
		}
	}
	port := float64(ptr.Deref(s.Spec.Port, defaultPort))
	for _, id := range l.ExistingFunctionSecurityGroupIDs {
		if clusterSG != "" && !s.admitsSecurityGroup(clusterSG, id, port) {
			out = append(out, ruleFinding{Resource: clusterSG, Message: fmt.Sprintf("admits no tcp %v from the existing rotator's security group %s: the rotator cannot reach the database", port, id)})
		}
		for _, sg := range sortedMapKeys(endpointSGs) {
			if !s.admitsSecurityGroup(sg, id, ruleHTTPSPort) {
				out = append(out, ruleFinding{Resource: sg, Message: fmt.Sprintf("admits no tcp 443 from the existing rotator's security group %s: the rotator cannot reach Secrets Manager", id)})
			}
		}
	}
	return out
}

// admitsSecurityGroup reports whether a desired security group has an
// ingress rule from another group (referencedSecurityGroupId) on a port.
func (s *ruleState) admitsSecurityGroup(sg, from string, port float64) bool {
	for _, r := range s.ingressRulesOn(sg) {
		_, ok := ruleTCPPort(r.Obj, port)
		if ok && mrParamString(r.Obj, "referencedSecurityGroupId") == from {
			return true
		}
	}
	return false
}

// EndpointSubnetsListed.

// checkEndpointSubnetsListed (minor 5): an interface endpoint takes one
// subnet per Availability Zone; the cluster's subnets, a default, may have
// several in one zone, and EC2 refuses the second
// (DuplicateSubnetsInSameZone). Only the user knows the zones.
func checkEndpointSubnetsListed(s *ruleState) []ruleFinding {
	var out []ruleFinding
	listed := s.Spec.VPCEndpoint.SubnetIDs
	// seen is, per endpoint, who associated each subnet first.
	seen := map[string]map[string]string{}
	for _, ep := range s.desiredOf(ruleKindVPCEndpoint) {
		seen[ep.Name] = map[string]string{}
		for _, sn := range ruleStringList(ep.Obj, "subnetIds") {
			seen[ep.Name][sn] = ep.Name + "'s subnetIds"
		}
	}
	for _, a := range s.desiredOf(ruleKindVPCEndpointSubnetAssociation) {
		subnet := mrParamString(a.Obj, "subnetId")
		ep := s.selectedBy(a.Obj, "vpcEndpointIdSelector")
		if ep == "" {
			ep = mrParamString(a.Obj, "vpcEndpointId")
		}
		if seen[ep] == nil {
			seen[ep] = map[string]string{}
		}
		if first, ok := seen[ep][subnet]; ok {
			out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("associates subnet %s with endpoint %q again (also %s): EC2 takes each subnet, and each zone, once", subnet, ep, first)})
		} else {
			seen[ep][subnet] = fmt.Sprintf("%q", a.Name)
		}
		if !s.firstComposed(a.Name) || slices.Contains(listed, subnet) {
			continue
		}
		if len(listed) == 0 {
			out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("is composed for the first time with subnet %s, but spec.vpcEndpoint.subnetIds is empty: a defaulted list can hold two subnets of one zone (DuplicateSubnetsInSameZone)", subnet)})
			continue
		}
		out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("is composed for the first time with subnet %s, which is not in spec.vpcEndpoint.subnetIds (%s), the user's one subnet per zone", subnet, strings.Join(listed, ", "))})
	}
	return out
}

// IPv6NeedsDualStack.

// checkIPv6NeedsDualStack (minor 10): an IPv4-only cluster has no IPv6
// address, so a rule admitting IPv6 clients opens the group to no one and
// misleads whoever reads it.
func checkIPv6NeedsDualStack(s *ruleState) []ruleFinding {
	sg := s.clusterSecurityGroup()
	if sg == "" {
		return nil
	}
	networkType, where := s.Spec.Network.NetworkType, "spec.network.networkType"
	if c := s.theCluster(); c != nil {
		networkType, where = mrParamString(c.Obj, "networkType"), fmt.Sprintf("the rds Cluster %q's networkType", c.Name)
	}
	if networkType == "DUAL" {
		return nil
	}
	var out []ruleFinding
	for _, r := range s.ingressRulesOn(sg) {
		v6 := mrParamString(r.Obj, "cidrIpv6")
		if v6 == "" {
			continue
		}
		if p, err := netip.ParsePrefix(v6); err == nil && !p.Addr().Is6() {
			continue
		}
		got := networkType
		if got == "" {
			got = "unset (IPV4)"
		}
		out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("admits IPv6 network %s to the cluster's security group %q, but %s is %s, want DUAL: an IPv4-only cluster has no IPv6 address", v6, sg, where, got)})
	}
	return out
}

// networkFindingSelfTests are the network rules' cases.
func networkFindingSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	selfManaged := func(c func(*AuroraSpec)) func(*AuroraSpec) {
		return func(s *AuroraSpec) {
			s.Credentials.Mode = CredentialsModeSelfManaged
			if c != nil {
				c(s)
			}
		}
	}
	endpoint := func(dns any) map[string]any {
		fp := map[string]any{"serviceName": "com.amazonaws.us-east-1.secretsmanager", "vpcEndpointType": "Interface"}
		if dns != nil {
			fp["privateDnsEnabled"] = dns
		}
		return testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", fp)
	}
	association := testMR(ruleKindVPCEndpointSGAssociation, "endpoint-security-group-association", map[string]any{
		"vpcEndpointIdSelector":   testSelector("secretsmanager-endpoint"),
		"securityGroupIdSelector": testSelector("endpoint-security-group"),
	})
	ingress := func(name, sg string, port float64, from map[string]any) map[string]any {
		fp := map[string]any{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "securityGroupIdSelector": testSelector(sg)}
		for k, v := range from {
			fp[k] = v
		}
		return testMR(ruleKindIngressRule, name, fp)
	}
	sgRef := func(c string) map[string]any {
		return map[string]any{"referencedSecurityGroupIdSelector": testSelector(c)}
	}
	cidr4 := func(c string) map[string]any { return map[string]any{"cidrIpv4": c} }
	cidr6 := func(c string) map[string]any { return map[string]any{"cidrIpv6": c} }
	sg := func(name string) map[string]any { return testMR(ruleKindSecurityGroup, name, map[string]any{}) }
	cluster := func(params map[string]any) map[string]any {
		return testMR(ruleKindRDSCluster, "cluster", withParamsMap(map[string]any{"vpcSecurityGroupIdSelector": testSelector("security-group")}, params))
	}
	existingRotator := selfManaged(func(s *AuroraSpec) {
		s.Credentials.Rotation.Lambda = RotationLambda{ExistingFunctionARN: "arn:aws:lambda:us-east-1:111122223333:function:rotator", ExistingFunctionSecurityGroupIDs: []string{"sg-0123456789abcdef7"}}
	})
	subnetAssoc := func(subnet string) map[string]any {
		return testMR(ruleKindVPCEndpointSubnetAssociation, "endpoint-subnet-"+subnet, map[string]any{"vpcEndpointIdSelector": testSelector("secretsmanager-endpoint"), "subnetId": subnet})
	}
	return map[string]ruleSelfTest{
		// SecretsManagerEndpointServesItsClients.
		"SecretsManagerEndpointServesItsClientsGood": {
			reason: "A SelfManaged rotator's endpoint without private DNS, open on 443 to the rotator only.",
			args: args{rule: "SecretsManagerEndpointServesItsClients", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"secretsmanager-endpoint":             endpoint(false),
				"endpoint-security-group":             sg("endpoint-security-group"),
				"rotator-security-group":              sg("rotator-security-group"),
				"endpoint-security-group-association": association,
				"endpoint-ingress-rotator":            ingress("endpoint-ingress-rotator", "endpoint-security-group", 443, sgRef("rotator-security-group")),
			}), selfManaged(nil))},
		},
		"SecretsManagerEndpointServesItsClientsPrivateDNS": {
			reason: "With private DNS asked for, the endpoint admits the VPC's IPv4 and IPv6 networks on 443.",
			args: args{rule: "SecretsManagerEndpointServesItsClients", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"secretsmanager-endpoint":             endpoint(true),
				"endpoint-security-group":             sg("endpoint-security-group"),
				"endpoint-security-group-association": association,
				"endpoint-ingress-cidr-10-40-0-0-16":  ingress("endpoint-ingress-cidr-10-40-0-0-16", "endpoint-security-group", 443, cidr4("10.40.0.0/16")),
				"endpoint-ingress-cidr-fd00":          ingress("endpoint-ingress-cidr-fd00", "endpoint-security-group", 443, cidr6("fd00:40::/56")),
			}), selfManaged(func(s *AuroraSpec) {
				s.VPCEndpoint.PrivateDNSEnabled = ptr.To(true)
				s.Network.VPCCIDRBlocks = []string{"10.40.0.0/16", "fd00:40::/56"}
			}))},
		},
		"SecretsManagerEndpointServesItsClientsBad": {
			reason: "Private DNS on by default, a VPC network not admitted, another on the DB port, and an all-traffic rule are reported.",
			args: args{rule: "SecretsManagerEndpointServesItsClients", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"secretsmanager-endpoint":             endpoint(true),
				"endpoint-security-group":             sg("endpoint-security-group"),
				"endpoint-security-group-association": association,
				"endpoint-ingress-cidr-10-40-0-0-16":  ingress("endpoint-ingress-cidr-10-40-0-0-16", "endpoint-security-group", 5432, cidr4("10.40.0.0/16")),
				"endpoint-ingress-all":                testMR(ruleKindIngressRule, "endpoint-ingress-all", map[string]any{"ipProtocol": "-1", "securityGroupIdSelector": testSelector("endpoint-security-group"), "cidrIpv4": "100.64.0.0/20"}),
			}), selfManaged(func(s *AuroraSpec) {
				s.Network.VPCCIDRBlocks = []string{"10.40.0.0/16"}
			}))},
			want: want{violations: []string{
				`SecretsManagerEndpointServesItsClients: self-test: "endpoint-ingress-all" (ec2 SecurityGroupIngressRule): admits every protocol and port to the Secrets Manager endpoint's security group "endpoint-security-group", want tcp 443 only: the endpoint serves HTTPS`,
				`SecretsManagerEndpointServesItsClients: self-test: "endpoint-ingress-cidr-10-40-0-0-16" (ec2 SecurityGroupIngressRule): admits tcp 5432 to the Secrets Manager endpoint's security group "endpoint-security-group", want tcp 443 only: the endpoint serves HTTPS`,
				`SecretsManagerEndpointServesItsClients: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): has private DNS, so secretsmanager.us-east-1 resolves to it in the whole VPC, but no ingress rule of its security group admits 443 from the VPC's 10.40.0.0/16: every other Secrets Manager client there times out`,
				`SecretsManagerEndpointServesItsClients: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): privateDnsEnabled is true, want false (spec.vpcEndpoint.privateDnsEnabled, default false)`,
			}},
		},
		"SecretsManagerEndpointServesItsClientsWithoutRotator": {
			reason: "An endpoint with rotation off, without privateDnsEnabled, without a security group and with private DNS asked for but no VPC networks listed is reported.",
			args: args{rule: "SecretsManagerEndpointServesItsClients", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"secretsmanager-endpoint": endpoint(nil),
			}), selfManaged(func(s *AuroraSpec) {
				s.Credentials.Rotation.Enabled = ptr.To(false)
				s.VPCEndpoint.PrivateDNSEnabled = ptr.To(true)
			}))},
			want: want{violations: []string{
				`SecretsManagerEndpointServesItsClients: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): has no composed security group (VPCEndpointSecurityGroupAssociation): it would take the VPC's default group`,
				`SecretsManagerEndpointServesItsClients: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): has private DNS, so it answers for every client in the VPC, but spec.network.vpcCidrBlocks is empty: its security group admits none of them`,
				`SecretsManagerEndpointServesItsClients: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): is composed, but no rotator of this XR calls it (an endpoint is for SelfManaged credentials with rotation on, vpcEndpoint.enabled and no existingEndpointId)`,
				`SecretsManagerEndpointServesItsClients: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): sets no privateDnsEnabled, want true (spec.vpcEndpoint.privateDnsEnabled) said explicitly rather than left to the provider`,
			}},
		},

		// ExistingRotatorNetwork.
		"ExistingRotatorNetworkGood": {
			reason: "The existing rotator's group reaches the DB port through an allowed group's rule and the endpoint through its own; no rotator group is composed.",
			args: args{rule: "ExistingRotatorNetwork", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"cluster":                                  cluster(nil),
				"security-group":                           sg("security-group"),
				"ingress-sg-sg-0123456789abcdef7":          ingress("ingress-sg-sg-0123456789abcdef7", "security-group", 5432, map[string]any{"referencedSecurityGroupId": "sg-0123456789abcdef7"}),
				"secretsmanager-endpoint":                  endpoint(false),
				"endpoint-security-group":                  sg("endpoint-security-group"),
				"endpoint-security-group-association":      association,
				"endpoint-ingress-sg-sg-0123456789abcdef7": ingress("endpoint-ingress-sg-sg-0123456789abcdef7", "endpoint-security-group", 443, map[string]any{"referencedSecurityGroupId": "sg-0123456789abcdef7"}),
			}), existingRotator)},
		},
		"ExistingRotatorNetworkBad": {
			reason: "A rotator group nobody uses, and the existing rotator's group admitted to neither the DB port nor the endpoint (a rule on the wrong port does not count), are reported.",
			args: args{rule: "ExistingRotatorNetwork", state: withSpec(testState("us-east-1", map[string]map[string]any{
				"security-group":                      sg("security-group"),
				"rotator-security-group":              sg("rotator-security-group"),
				"ingress-from-rotator":                ingress("ingress-from-rotator", "security-group", 5432, sgRef("rotator-security-group")),
				"ingress-sg-sg-0123456789abcdef7":     ingress("ingress-sg-sg-0123456789abcdef7", "security-group", 443, map[string]any{"referencedSecurityGroupId": "sg-0123456789abcdef7"}),
				"secretsmanager-endpoint":             endpoint(false),
				"endpoint-security-group":             sg("endpoint-security-group"),
				"endpoint-security-group-association": association,
				"endpoint-ingress-rotator":            ingress("endpoint-ingress-rotator", "endpoint-security-group", 443, sgRef("rotator-security-group")),
			}), existingRotator)},
			want: want{violations: []string{
				`ExistingRotatorNetwork: self-test: "endpoint-security-group" (ec2 SecurityGroup): admits no tcp 443 from the existing rotator's security group sg-0123456789abcdef7: the rotator cannot reach Secrets Manager`,
				`ExistingRotatorNetwork: self-test: "rotator-security-group" (ec2 SecurityGroup): is composed, but the existing rotator (existingFunctionArn) runs in its own security groups (existingFunctionSecurityGroupIds): this one is attached to nothing`,
				`ExistingRotatorNetwork: self-test: "security-group" (ec2 SecurityGroup): admits no tcp 5432 from the existing rotator's security group sg-0123456789abcdef7: the rotator cannot reach the database`,
			}},
		},

		// EndpointSubnetsListed.
		"EndpointSubnetsListedGood": {
			reason: "Associations of the user's subnets, one each; an association that exists already is not judged again.",
			args: args{rule: "EndpointSubnetsListed", state: withObserved(withSpec(testState("us-east-1", map[string]map[string]any{
				"secretsmanager-endpoint":          endpoint(false),
				"endpoint-subnet-subnet-a":         subnetAssoc("subnet-a"),
				"endpoint-subnet-subnet-b":         subnetAssoc("subnet-b"),
				"endpoint-subnet-subnet-defaulted": subnetAssoc("subnet-defaulted"),
			}), selfManaged(func(s *AuroraSpec) { s.VPCEndpoint.SubnetIDs = []string{"subnet-a", "subnet-b"} })), map[string]map[string]any{
				"endpoint-subnet-subnet-defaulted": subnetAssoc("subnet-defaulted"),
			})},
		},
		"EndpointSubnetsListedBad": {
			reason: "A new association of a subnet the user did not list, one with no list at all, and a subnet associated twice are reported.",
			args: args{rule: "EndpointSubnetsListed", state: func() *ruleState {
				s := withObserved(withSpec(testState("us-east-1", map[string]map[string]any{
					"secretsmanager-endpoint":  endpoint(false),
					"endpoint-subnet-subnet-a": subnetAssoc("subnet-a"),
					"endpoint-subnet-subnet-c": subnetAssoc("subnet-c"),
					"endpoint-subnet-again":    testMR(ruleKindVPCEndpointSubnetAssociation, "endpoint-subnet-again", map[string]any{"vpcEndpointIdSelector": testSelector("secretsmanager-endpoint"), "subnetId": "subnet-a"}),
				}), selfManaged(func(s *AuroraSpec) { s.VPCEndpoint.SubnetIDs = []string{"subnet-a", "subnet-b"} })), map[string]map[string]any{
					"endpoint-subnet-again": subnetAssoc("subnet-a"),
				})
				return s
			}()},
			want: want{violations: []string{
				`EndpointSubnetsListed: self-test: "endpoint-subnet-subnet-a" (ec2 VPCEndpointSubnetAssociation): associates subnet subnet-a with endpoint "secretsmanager-endpoint" again (also "endpoint-subnet-again"): EC2 takes each subnet, and each zone, once`,
				`EndpointSubnetsListed: self-test: "endpoint-subnet-subnet-c" (ec2 VPCEndpointSubnetAssociation): is composed for the first time with subnet subnet-c, which is not in spec.vpcEndpoint.subnetIds (subnet-a, subnet-b), the user's one subnet per zone`,
			}},
		},
		"EndpointSubnetsListedDefaulted": {
			reason: "Subnets composed while spec.vpcEndpoint.subnetIds is empty were defaulted.",
			args: args{rule: "EndpointSubnetsListed", state: withObserved(withSpec(testState("us-east-1", map[string]map[string]any{
				"secretsmanager-endpoint":  endpoint(false),
				"endpoint-subnet-subnet-a": subnetAssoc("subnet-a"),
			}), selfManaged(nil)), nil)},
			want: want{violations: []string{
				`EndpointSubnetsListed: self-test: "endpoint-subnet-subnet-a" (ec2 VPCEndpointSubnetAssociation): is composed for the first time with subnet subnet-a, but spec.vpcEndpoint.subnetIds is empty: a defaulted list can hold two subnets of one zone (DuplicateSubnetsInSameZone)`,
			}},
		},

		// IPv6NeedsDualStack.
		"IPv6NeedsDualStackGood": {
			reason: "An IPv6 rule on a DUAL cluster's group, and an IPv6 rule on another group of an IPv4 cluster, pass.",
			args: args{rule: "IPv6NeedsDualStack", state: testState("us-east-1", map[string]map[string]any{
				"cluster":                 cluster(map[string]any{"networkType": "DUAL"}),
				"security-group":          sg("security-group"),
				"ingress-cidr-fd00":       ingress("ingress-cidr-fd00", "security-group", 5432, cidr6("fd00:40::/56")),
				"endpoint-security-group": sg("endpoint-security-group"),
				"endpoint-ingress-fd00":   ingress("endpoint-ingress-fd00", "endpoint-security-group", 443, cidr6("fd00:40::/56")),
			})},
		},
		"IPv6NeedsDualStackBad": {
			reason: "An IPv6 rule on an IPv4 cluster's group is reported, its IPv4 rule is not.",
			args: args{rule: "IPv6NeedsDualStack", state: testState("us-east-1", map[string]map[string]any{
				"cluster":           cluster(map[string]any{"networkType": "IPV4"}),
				"security-group":    sg("security-group"),
				"ingress-cidr-10":   ingress("ingress-cidr-10", "security-group", 5432, cidr4("10.40.0.0/16")),
				"ingress-cidr-fd00": ingress("ingress-cidr-fd00", "security-group", 5432, cidr6("fd00:40::/56")),
			})},
			want: want{violations: []string{
				`IPv6NeedsDualStack: self-test: "ingress-cidr-fd00" (ec2 SecurityGroupIngressRule): admits IPv6 network fd00:40::/56 to the cluster's security group "security-group", but the rds Cluster "cluster"'s networkType is IPV4, want DUAL: an IPv4-only cluster has no IPv6 address`,
			}},
		},
		"IPv6NeedsDualStackBeforeCluster": {
			reason: "Before the cluster is composed, the spec's network type decides.",
			args: args{rule: "IPv6NeedsDualStack", state: testState("us-east-1", map[string]map[string]any{
				"security-group":    sg("security-group"),
				"ingress-cidr-fd00": ingress("ingress-cidr-fd00", "security-group", 5432, cidr6("fd00:40::/56")),
			})},
			want: want{violations: []string{
				`IPv6NeedsDualStack: self-test: "ingress-cidr-fd00" (ec2 SecurityGroupIngressRule): admits IPv6 network fd00:40::/56 to the cluster's security group "security-group", but spec.network.networkType is IPV4, want DUAL: an IPv4-only cluster has no IPv6 address`,
			}},
		},
	}
}

// withParamsMap adds params to a parameter map.
func withParamsMap(base, params map[string]any) map[string]any {
	for k, v := range params {
		base[k] = v
	}
	return base
}
