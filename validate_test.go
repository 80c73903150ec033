package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// validTestSpec is the smallest spec validate accepts: everything else takes
// its default. Cases mutate a fresh copy before defaulting, as a user would
// write the spec.
func validTestSpec() *AuroraSpec {
	return &AuroraSpec{
		Region: "us-east-1",
		Network: Network{
			VPCID:     "vpc-0123456789abcdef0",
			SubnetIDs: []string{"subnet-0123456789abcdef1", "subnet-0123456789abcdef2"},
		},
	}
}

// namespacedTestMeta is a namespaced (Crossplane v2) XR.
var namespacedTestMeta = xrMeta{Name: "orders", Namespace: "team-payments", UID: "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60"}

// errorMessages is every error of a list as the user reads it.
func errorMessages(errs field.ErrorList) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// retentionValues is the NotSupported list of spec.logging.retentionInDays.
const retentionValues = `"1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545", "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653"`

func TestValidate(t *testing.T) {
	const (
		idRule       = "must start with a lower-case letter and contain only lower-case letters, digits and single hyphens, not ending with a hyphen"
		nameRule     = "must start with a letter and contain only letters, digits and underscores (at most 63)"
		instanceRule = "must be at most 12 lower-case letters, digits and single hyphens, starting and ending with a letter or digit"
		keyID        = "1234abcd-12ab-34cd-56ef-1234567890ab"
		subnet1      = "subnet-0123456789abcdef1"
		subnet2      = "subnet-0123456789abcdef2"
	)
	many := func(n int) []Instance {
		out := make([]Instance, n)
		for i := range out {
			out[i] = Instance{InstanceClass: "db.r6g.large"}
		}
		return out
	}
	manyTags := func(n int) map[string]string {
		out := map[string]string{}
		for i := range n {
			out[fmt.Sprintf("key-%02d", i)] = "v"
		}
		return out
	}

	type args struct {
		meta xrMeta
		// mutate changes the valid spec before defaulting.
		mutate func(s *AuroraSpec)
	}
	type want struct {
		errs []string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		// Region and account.
		"ValidMinimal": {
			reason: "Region, VPC and two subnets are all a spec needs: every default must pass validation.",
			args:   args{mutate: func(*AuroraSpec) {}},
			want:   want{},
		},
		"MissingRegion": {
			reason: "The region is required.",
			args:   args{mutate: func(s *AuroraSpec) { s.Region = "" }},
			want: want{errs: []string{
				"spec.region: Required value: the AWS region of the cluster, e.g. us-east-1",
			}},
		},
		"BadRegion": {
			reason: "A region must look like an AWS region.",
			args:   args{mutate: func(s *AuroraSpec) { s.Region = "US-East-1" }},
			want: want{errs: []string{
				`spec.region: Invalid value: "US-East-1": must be an AWS region such as us-east-1`,
			}},
		},
		"GovCloudRegion": {
			reason: "GovCloud regions are regions too.",
			args:   args{mutate: func(s *AuroraSpec) { s.Region = "us-gov-west-1" }},
			want:   want{},
		},
		"BadAccountID": {
			reason: "An account ID has exactly 12 digits.",
			args:   args{mutate: func(s *AuroraSpec) { s.AccountID = "12345678901" }},
			want: want{errs: []string{
				`spec.accountId: Invalid value: "12345678901": must be a 12-digit AWS account ID`,
			}},
		},
		"ValidAccountID": {
			reason: "A 12-digit account ID is accepted.",
			args:   args{mutate: func(s *AuroraSpec) { s.AccountID = "111122223333" }},
			want:   want{},
		},

		// Cluster identifier.
		"ClusterIdentifierAtMaxLength": {
			reason: "A cluster identifier of exactly 50 characters is accepted.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = "a" + strings.Repeat("b", 49) }},
			want:   want{},
		},
		"ClusterIdentifierTooLong": {
			reason: "A cluster identifier longer than 50 characters leaves no room for instance names within RDS's 63.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = "a" + strings.Repeat("b", 50) }},
			want: want{errs: []string{
				"spec.clusterIdentifier: Too long: may not be more than 50 bytes",
			}},
		},
		"ClusterIdentifierUpperCase": {
			reason: "RDS identifiers are lower-case.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = "Orders" }},
			want: want{errs: []string{
				`spec.clusterIdentifier: Invalid value: "Orders": ` + idRule,
			}},
		},
		"ClusterIdentifierStartsWithDigit": {
			reason: "RDS identifiers start with a letter.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = "1orders" }},
			want: want{errs: []string{
				`spec.clusterIdentifier: Invalid value: "1orders": ` + idRule,
			}},
		},
		"ClusterIdentifierDoubleHyphen": {
			reason: "RDS identifiers must not contain two consecutive hyphens.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = "orders--db" }},
			want: want{errs: []string{
				`spec.clusterIdentifier: Invalid value: "orders--db": ` + idRule,
			}},
		},
		"ClusterIdentifierTrailingHyphen": {
			reason: "RDS identifiers must not end with a hyphen.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = "orders-" }},
			want: want{errs: []string{
				`spec.clusterIdentifier: Invalid value: "orders-": ` + idRule,
			}},
		},
		"ClusterIdentifierTooLongAndInvalid": {
			reason: "Both identifier rules are reported when both are broken.",
			args:   args{mutate: func(s *AuroraSpec) { s.ClusterIdentifier = strings.Repeat("A", 51) }},
			want: want{errs: []string{
				"spec.clusterIdentifier: Too long: may not be more than 50 bytes",
				`spec.clusterIdentifier: Invalid value: "` + strings.Repeat("A", 51) + `": ` + idRule,
			}},
		},

		// Engine, database and user.
		"EngineMajorTwelve": {
			reason: "PostgreSQL 12 is out of standard support.",
			args:   args{mutate: func(s *AuroraSpec) { s.EngineVersion = "12.22" }},
			want: want{errs: []string{
				`spec.engineVersion: Unsupported value: "12.22": supported values: "13", "14", "15", "16", "17"`,
			}},
		},
		"EngineMajorNineSix": {
			reason: "Old MAJOR.MINOR majors such as 9.6 are not supported.",
			args:   args{mutate: func(s *AuroraSpec) { s.EngineVersion = "9.6" }},
			want: want{errs: []string{
				`spec.engineVersion: Unsupported value: "9.6": supported values: "13", "14", "15", "16", "17"`,
			}},
		},
		"EngineVersionMajorOnly": {
			reason: "A major alone is valid: AWS's default minor, later minors in the maintenance window.",
			args:   args{mutate: func(s *AuroraSpec) { s.EngineVersion = "16" }},
		},
		"EngineVersionMalformed": {
			reason: "A version is a major or MAJOR.MINOR.",
			args:   args{mutate: func(s *AuroraSpec) { s.EngineVersion = "16.x" }},
			want: want{errs: []string{
				`spec.engineVersion: Invalid value: "16.x": must be an Aurora PostgreSQL major such as 16 (minors follow AWS) or a version MAJOR.MINOR such as 16.6 (pinned)`,
			}},
		},
		"EngineLifecycleSupportUnknown": {
			reason: "Only RDS's two lifecycle values are accepted.",
			args:   args{mutate: func(s *AuroraSpec) { s.EngineLifecycleSupport = "extended" }},
			want: want{errs: []string{
				`spec.engineLifecycleSupport: Unsupported value: "extended": supported values: "open-source-rds-extended-support", "open-source-rds-extended-support-disabled"`,
			}},
		},
		"EngineSeventeen": {
			reason: "The newest supported major is accepted.",
			args:   args{mutate: func(s *AuroraSpec) { s.EngineVersion = "17.4" }},
			want:   want{},
		},
		"DatabaseNameInvalid": {
			reason: "A database name starts with a letter.",
			args:   args{mutate: func(s *AuroraSpec) { s.DatabaseName = "1app" }},
			want: want{errs: []string{
				`spec.databaseName: Invalid value: "1app": ` + nameRule,
			}},
		},
		"DatabaseNameTooLong": {
			reason: "A database name has at most 63 characters.",
			args:   args{mutate: func(s *AuroraSpec) { s.DatabaseName = "a" + strings.Repeat("b", 63) }},
			want: want{errs: []string{
				`spec.databaseName: Invalid value: "a` + strings.Repeat("b", 63) + `": ` + nameRule,
			}},
		},
		"MasterUsernameInvalid": {
			reason: "A user name has no hyphens.",
			args:   args{mutate: func(s *AuroraSpec) { s.MasterUsername = "db-admin" }},
			want: want{errs: []string{
				`spec.masterUsername: Invalid value: "db-admin": ` + nameRule,
			}},
		},
		"MasterUsernameReserved": {
			reason: "rdsadmin is RDS's own user.",
			args:   args{mutate: func(s *AuroraSpec) { s.MasterUsername = "rdsadmin" }},
			want: want{errs: []string{
				`spec.masterUsername: Invalid value: "rdsadmin": is reserved by RDS`,
			}},
		},
		"MasterUsernameReservedAnyCase": {
			reason: "PostgreSQL folds unquoted names to lower case, so RDSAdmin is rdsadmin.",
			args:   args{mutate: func(s *AuroraSpec) { s.MasterUsername = "RDSAdmin" }},
			want: want{errs: []string{
				`spec.masterUsername: Invalid value: "RDSAdmin": is reserved by RDS`,
			}},
		},
		"PortTooLow": {
			reason: "Aurora ports start at 1150.",
			args:   args{mutate: func(s *AuroraSpec) { s.Port = ptr.To[int64](1149) }},
			want: want{errs: []string{
				"spec.port: Invalid value: 1149: must be between 1150 and 65535",
			}},
		},
		"PortTooHigh": {
			reason: "A port fits in 16 bits.",
			args:   args{mutate: func(s *AuroraSpec) { s.Port = ptr.To[int64](65536) }},
			want: want{errs: []string{
				"spec.port: Invalid value: 65536: must be between 1150 and 65535",
			}},
		},
		"PortLowerBound": {
			reason: "1150 is the lowest valid port.",
			args:   args{mutate: func(s *AuroraSpec) { s.Port = ptr.To[int64](1150) }},
			want:   want{},
		},
		"PortUpperBound": {
			reason: "65535 is a valid port.",
			args:   args{mutate: func(s *AuroraSpec) { s.Port = ptr.To[int64](65535) }},
			want:   want{},
		},

		// Network.
		"MissingVPC": {
			reason: "The VPC is required.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.VPCID = "" }},
			want: want{errs: []string{
				"spec.network.vpcId: Required value: the VPC of the subnets, e.g. vpc-0123456789abcdef0",
			}},
		},
		"BadVPC": {
			reason: "A VPC ID starts with vpc-.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.VPCID = "vpc_0123" }},
			want: want{errs: []string{
				`spec.network.vpcId: Invalid value: "vpc_0123": must be a VPC ID such as vpc-0123456789abcdef0`,
			}},
		},
		"OneSubnet": {
			reason: "A DB subnet group needs subnets in at least two availability zones.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.SubnetIDs = []string{subnet1} }},
			want: want{errs: []string{
				"spec.network.subnetIds: Invalid value: 1: must list at least 2 subnets, in different availability zones",
			}},
		},
		"NoSubnets": {
			reason: "No subnets at all is reported as fewer than two.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.SubnetIDs = nil }},
			want: want{errs: []string{
				"spec.network.subnetIds: Invalid value: 0: must list at least 2 subnets, in different availability zones",
			}},
		},
		"BadSubnet": {
			reason: "A subnet ID starts with subnet-.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.SubnetIDs[1] = "sn-0123" }},
			want: want{errs: []string{
				`spec.network.subnetIds[1]: Invalid value: "sn-0123": must be a subnet ID such as subnet-0123456789abcdef0`,
			}},
		},
		"DuplicateSubnet": {
			reason: "A subnet listed twice is a mistake, and does not count as a second subnet.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.SubnetIDs = []string{subnet1, subnet2, subnet1} }},
			want: want{errs: []string{
				`spec.network.subnetIds[2]: Duplicate value: "` + subnet1 + `"`,
			}},
		},
		"BadCIDR": {
			reason: "An allowed CIDR block must parse.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedCIDRBlocks = []string{"10.0.0.0"} }},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[0]: Invalid value: "10.0.0.0": must be a CIDR block such as 10.0.0.0/16`,
			}},
		},
		"NonCanonicalCIDR": {
			reason: "A CIDR block with host bits set is likely a typo; the message suggests the network address.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedCIDRBlocks = []string{"10.0.0.1/16"} }},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[0]: Invalid value: "10.0.0.1/16": must be a network address: did you mean 10.0.0.0/16?`,
			}},
		},
		"OpenToTheWorldIPv4": {
			reason: "0.0.0.0/0 would open the database to the internet.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedCIDRBlocks = []string{"0.0.0.0/0"} }},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[0]: Invalid value: "0.0.0.0/0": would open the database to every address: list the networks that need access`,
			}},
		},
		"OpenToTheWorldIPv6": {
			reason: "::/0 would open the database to the whole IPv6 internet.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedCIDRBlocks = []string{"::/0"} }},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[0]: Invalid value: "::/0": would open the database to every address: list the networks that need access`,
			}},
		},
		"DuplicateCIDR": {
			reason: "A CIDR block listed twice would compose the same ingress rule twice.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Network.AllowedCIDRBlocks = []string{"10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/16"}
			}},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[2]: Duplicate value: "10.0.0.0/16"`,
			}},
		},
		"IPv6CIDR": {
			reason: "IPv6 CIDR blocks are accepted alongside IPv4 ones for a dual-stack cluster.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Network.AllowedCIDRBlocks = []string{"10.0.0.0/16", "2001:db8::/32", "fd00:40::/56"}
				s.Network.NetworkType = "DUAL"
			}},
			want: want{},
		},
		"IPv6CIDRWithoutDualStack": {
			reason: "An IPv4-only cluster has no IPv6 address: an IPv6 rule would admit nobody.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Network.AllowedCIDRBlocks = []string{"10.0.0.0/16", "2001:db8::/32"}
			}},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[1]: Invalid value: "2001:db8::/32": an IPv6 network reaches only a dual-stack cluster: set spec.network.networkType to DUAL (the subnets need IPv6 CIDR blocks), or remove it`,
			}},
		},
		"UnknownNetworkType": {
			reason: "Aurora knows IPV4 and DUAL.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.NetworkType = "IPV6" }},
			want: want{errs: []string{
				`spec.network.networkType: Unsupported value: "IPV6": supported values: "IPV4", "DUAL"`,
			}},
		},
		"BadVPCNetwork": {
			reason: "The VPC's CIDR blocks are checked like the allowed ones.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.VPCCIDRBlocks = []string{"10.0.0.1/16", "0.0.0.0/0"} }},
			want: want{errs: []string{
				`spec.network.vpcCidrBlocks[0]: Invalid value: "10.0.0.1/16": must be a network address: did you mean 10.0.0.0/16?`,
				`spec.network.vpcCidrBlocks[1]: Invalid value: "0.0.0.0/0": is not a VPC's network: list the VPC's CIDR blocks`,
			}},
		},
		"NonCanonicalIPv6CIDR": {
			reason: "An IPv6 CIDR block with host bits set is rejected like an IPv4 one.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedCIDRBlocks = []string{"2001:db8::1/32"} }},
			want: want{errs: []string{
				`spec.network.allowedCidrBlocks[0]: Invalid value: "2001:db8::1/32": must be a network address: did you mean 2001:db8::/32?`,
			}},
		},
		"BadSecurityGroup": {
			reason: "A security group ID starts with sg-.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedSecurityGroupIDs = []string{"sg-0123", "group-1"} }},
			want: want{errs: []string{
				`spec.network.allowedSecurityGroupIds[1]: Invalid value: "group-1": must be a security group ID such as sg-0123456789abcdef0`,
			}},
		},
		"DuplicateSecurityGroup": {
			reason: "A security group listed twice would compose the same ingress rule twice.",
			args:   args{mutate: func(s *AuroraSpec) { s.Network.AllowedSecurityGroupIDs = []string{"sg-0123", "sg-0123"} }},
			want: want{errs: []string{
				`spec.network.allowedSecurityGroupIds[1]: Duplicate value: "sg-0123"`,
			}},
		},

		// Instances.
		"InstancesExplicitlyEmpty": {
			reason: "An explicitly empty instance list has no writer; it is not defaulted.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{} }},
			want: want{errs: []string{
				"spec.instances: Required value: at least one instance, the writer",
			}},
		},
		"InstancesNil": {
			reason: "A missing instance list gets the default writer, which is valid.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = nil }},
			want:   want{},
		},
		"SixteenInstances": {
			reason: "One writer and 15 readers is Aurora's maximum.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = many(16) }},
			want:   want{},
		},
		"SeventeenInstances": {
			reason: "Aurora clusters have at most 16 instances.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = many(17) }},
			want: want{errs: []string{
				"spec.instances: Too many: 17: must have at most 16 items",
			}},
		},
		"MissingInstanceClass": {
			reason: "Each instance needs a class.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{{}} }},
			want: want{errs: []string{
				"spec.instances[0].instanceClass: Required value: e.g. db.r6g.large, or db.serverless with spec.serverlessV2",
			}},
		},
		"BadInstanceClass": {
			reason: "An instance class starts with db.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{{InstanceClass: "r6g.large"}} }},
			want: want{errs: []string{
				`spec.instances[0].instanceClass: Invalid value: "r6g.large": must be a DB instance class such as db.r6g.large or db.serverless`,
			}},
		},
		"InstanceNameUpperCase": {
			reason: "Instance names become part of the RDS instance identifier, which is lower-case.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{{Name: "Writer", InstanceClass: "db.r6g.large"}} }},
			want: want{errs: []string{
				`spec.instances[0].name: Invalid value: "Writer": ` + instanceRule,
			}},
		},
		"InstanceNameTooLong": {
			reason: "Instance names have at most 12 characters, so cluster identifier, hyphen and name fit in 63.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{{Name: "abcdefghijklm", InstanceClass: "db.r6g.large"}} }},
			want: want{errs: []string{
				`spec.instances[0].name: Invalid value: "abcdefghijklm": ` + instanceRule,
			}},
		},
		"InstanceNameHyphens": {
			reason: "Instance names neither start nor end with a hyphen, nor contain two in a row.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{
					{Name: "-a", InstanceClass: "db.r6g.large"},
					{Name: "b-", InstanceClass: "db.r6g.large"},
					{Name: "c--d", InstanceClass: "db.r6g.large"},
					{Name: "e-f", InstanceClass: "db.r6g.large"},
				}
			}},
			want: want{errs: []string{
				`spec.instances[0].name: Invalid value: "-a": ` + instanceRule,
				`spec.instances[1].name: Invalid value: "b-": ` + instanceRule,
				`spec.instances[2].name: Invalid value: "c--d": ` + instanceRule,
			}},
		},
		"InstanceNameDigitsOnly": {
			reason: "A name of digits only is a valid instance name.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{{Name: "42", InstanceClass: "db.r6g.large"}} }},
			want:   want{},
		},
		"DuplicateInstanceNames": {
			reason: "Two instances with the same name would be the same RDS instance.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{Name: "a", InstanceClass: "db.r6g.large"}, {Name: "a", InstanceClass: "db.r6g.large"}}
			}},
			want: want{errs: []string{
				`spec.instances[1].name: Duplicate value: "a"`,
			}},
		},
		"NamedInstanceCollidesWithDefaultSuffix": {
			reason: "An instance named 2 collides with the unnamed instance at position 2, whose suffix is its position.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{Name: "2", InstanceClass: "db.r6g.large"}, {InstanceClass: "db.r6g.large"}}
			}},
			want: want{errs: []string{
				`spec.instances[1].name: Duplicate value: "2"`,
			}},
		},
		"DefaultSuffixCollidesWithLaterName": {
			reason: "An unnamed first instance is 1, so a later instance named 1 is a duplicate.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{InstanceClass: "db.r6g.large"}, {Name: "1", InstanceClass: "db.r6g.large"}}
			}},
			want: want{errs: []string{
				`spec.instances[1].name: Duplicate value: "1"`,
			}},
		},
		"NamedAsOwnPosition": {
			reason: "An instance named after its own position does not collide with anything.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{Name: "1", InstanceClass: "db.r6g.large"}, {InstanceClass: "db.r6g.large"}}
			}},
			want: want{},
		},
		"PromotionTierOutOfRange": {
			reason: "Promotion tiers are 0 to 15.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{
					{InstanceClass: "db.r6g.large", PromotionTier: ptr.To[int64](-1)},
					{InstanceClass: "db.r6g.large", PromotionTier: ptr.To[int64](16)},
					{InstanceClass: "db.r6g.large", PromotionTier: ptr.To[int64](0)},
					{InstanceClass: "db.r6g.large", PromotionTier: ptr.To[int64](15)},
				}
			}},
			want: want{errs: []string{
				"spec.instances[0].promotionTier: Invalid value: -1: must be between 0 and 15",
				"spec.instances[1].promotionTier: Invalid value: 16: must be between 0 and 15",
			}},
		},
		"AvailabilityZoneInRegion": {
			reason: "An availability zone of the cluster's region is accepted.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{InstanceClass: "db.r6g.large", AvailabilityZone: "us-east-1b"}}
			}},
			want: want{},
		},
		"AvailabilityZoneNotInRegion": {
			reason: "An instance cannot be placed in another region's availability zone, nor in a bare region.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{
					{InstanceClass: "db.r6g.large", AvailabilityZone: "us-west-2a"},
					{InstanceClass: "db.r6g.large", AvailabilityZone: "us-east-1"},
				}
			}},
			want: want{errs: []string{
				`spec.instances[0].availabilityZone: Invalid value: "us-west-2a": must be an availability zone of us-east-1, e.g. us-east-1a`,
				`spec.instances[1].availabilityZone: Invalid value: "us-east-1": must be an availability zone of us-east-1, e.g. us-east-1a`,
			}},
		},

		// Serverless v2.
		"ServerlessWithoutCapacity": {
			reason: "db.serverless instances scale within spec.serverlessV2, which is then required.",
			args:   args{mutate: func(s *AuroraSpec) { s.Instances = []Instance{{InstanceClass: "db.serverless"}} }},
			want: want{errs: []string{
				"spec.serverlessV2: Required value: instances of class db.serverless need a capacity range",
			}},
		},
		"ServerlessValid": {
			reason: "A serverless cluster that pauses after ten minutes at zero ACUs is valid.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{InstanceClass: "db.serverless"}}
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 16, SecondsUntilAutoPause: ptr.To[int64](600)}
			}},
			want: want{},
		},
		"ACUNotInHalfSteps": {
			reason: "Aurora capacities come in steps of 0.5 ACU.",
			args:   args{mutate: func(s *AuroraSpec) { s.ServerlessV2 = &ServerlessV2{MinCapacity: 0.3, MaxCapacity: 2.25} }},
			want: want{errs: []string{
				"spec.serverlessV2.minCapacity: Invalid value: 0.3: must be between 0 and 256 ACUs in steps of 0.5",
				"spec.serverlessV2.maxCapacity: Invalid value: 2.25: must be between 1 and 256 ACUs in steps of 0.5",
			}},
		},
		"ACUOutOfRange": {
			reason: "Capacities are at most 256 ACUs, maxCapacity at least 1, and neither negative.",
			args:   args{mutate: func(s *AuroraSpec) { s.ServerlessV2 = &ServerlessV2{MinCapacity: -1, MaxCapacity: 256.5} }},
			want: want{errs: []string{
				"spec.serverlessV2.minCapacity: Invalid value: -1: must be between 0 and 256 ACUs in steps of 0.5",
				"spec.serverlessV2.maxCapacity: Invalid value: 256.5: must be between 1 and 256 ACUs in steps of 0.5",
			}},
		},
		"MaxCapacityBelowOne": {
			reason: "maxCapacity 0.5 is below Aurora's minimum maximum of 1 ACU.",
			args:   args{mutate: func(s *AuroraSpec) { s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 0.5} }},
			want: want{errs: []string{
				"spec.serverlessV2.maxCapacity: Invalid value: 0.5: must be between 1 and 256 ACUs in steps of 0.5",
			}},
		},
		"MinAboveMax": {
			reason: "The capacity range must not be inverted.",
			args:   args{mutate: func(s *AuroraSpec) { s.ServerlessV2 = &ServerlessV2{MinCapacity: 8, MaxCapacity: 4} }},
			want: want{errs: []string{
				"spec.serverlessV2.minCapacity: Invalid value: 8: must not exceed maxCapacity",
			}},
		},
		"AutoPauseOutOfRange": {
			reason: "Auto-pause delays are 5 minutes to a day.",
			args: args{mutate: func(s *AuroraSpec) {
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: ptr.To[int64](299)}
			}},
			want: want{errs: []string{
				"spec.serverlessV2.secondsUntilAutoPause: Invalid value: 299: must be between 300 and 86400",
			}},
		},
		"AutoPauseOnTooOldMinor": {
			reason: "Scaling to 0 ACUs needs 16.3 or later in major 16: AWS would refuse the capacity after the cluster waited for it.",
			args: args{mutate: func(s *AuroraSpec) {
				s.EngineVersion = "16.2"
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 4}
			}},
			want: want{errs: []string{
				"spec.serverlessV2.minCapacity: Invalid value: 0: 0 (auto-pause) needs Aurora PostgreSQL 16.3 or later, not spec.engineVersion 16.2: use 0.5 or a later version",
			}},
		},
		"AutoPauseOnFirstMinor": {
			reason: "14.12 is the first 14 that pauses.",
			args: args{mutate: func(s *AuroraSpec) {
				s.EngineVersion = "14.12"
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 4}
			}},
			want: want{},
		},
		"AutoPauseOn17": {
			reason: "Every 17 pauses.",
			args: args{mutate: func(s *AuroraSpec) {
				s.EngineVersion = "17.4"
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 4}
			}},
			want: want{},
		},
		"IAMAuthErrorLogWithoutIAMAuth": {
			reason: "Without IAM authentication the iam-db-auth-error log group stays empty.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.Exports = []string{"postgresql", "iam-db-auth-error"} }},
			want: want{errs: []string{
				`spec.logging.exports[1]: Invalid value: "iam-db-auth-error": logs IAM database authentication errors: set spec.iamDatabaseAuthentication, or the log group stays empty`,
			}},
		},
		"IAMAuthErrorLogWithIAMAuth": {
			reason: "With IAM authentication the export is valid.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Logging.Exports = []string{"postgresql", "iam-db-auth-error"}
				s.IAMDatabaseAuthentication = ptr.To(true)
			}},
			want: want{},
		},
		"AutoPauseTooLong": {
			reason: "Auto-pause delays are at most a day.",
			args: args{mutate: func(s *AuroraSpec) {
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: ptr.To[int64](86401)}
			}},
			want: want{errs: []string{
				"spec.serverlessV2.secondsUntilAutoPause: Invalid value: 86401: must be between 300 and 86400",
			}},
		},
		"AutoPauseWithoutZeroMin": {
			reason: "Only a cluster that may scale to 0 ACUs can pause.",
			args: args{mutate: func(s *AuroraSpec) {
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0.5, MaxCapacity: 4, SecondsUntilAutoPause: ptr.To[int64](600)}
			}},
			want: want{errs: []string{
				"spec.serverlessV2.secondsUntilAutoPause: Invalid value: 600: applies only when minCapacity is 0 (auto-pause)",
			}},
		},

		// Encryption.
		"KMSAliasARN": {
			reason: "An alias ARN is not a key ARN: the cluster must be pinned to the key, not to a name that may move.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Encryption.ExistingKMSKeyARN = "arn:aws:kms:us-east-1:111122223333:alias/my-key"
			}},
			want: want{errs: []string{
				`spec.encryption.existingKmsKeyArn: Invalid value: "arn:aws:kms:us-east-1:111122223333:alias/my-key": must be a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)`,
			}},
		},
		"KMSKeyWrongRegion": {
			reason: "RDS encrypts only with a key in the cluster's region.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Encryption.ExistingKMSKeyARN = "arn:aws:kms:us-west-2:111122223333:key/" + keyID
			}},
			want: want{errs: []string{
				`spec.encryption.existingKmsKeyArn: Invalid value: "arn:aws:kms:us-west-2:111122223333:key/` + keyID + `": must be a key in the cluster's region us-east-1, not us-west-2`,
			}},
		},
		"KMSKeyWrongPartition": {
			reason: "A key in a GovCloud region has an aws-us-gov ARN.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Region = "us-gov-west-1"
				s.Encryption.ExistingKMSKeyARN = "arn:aws:kms:us-gov-west-1:111122223333:key/" + keyID
			}},
			want: want{errs: []string{
				`spec.encryption.existingKmsKeyArn: Invalid value: "arn:aws:kms:us-gov-west-1:111122223333:key/` + keyID + `": must be in the aws-us-gov partition of region us-gov-west-1`,
			}},
		},
		"KMSKeyGovCloudPartition": {
			reason: "A GovCloud key with an aws-us-gov ARN is accepted.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Region = "us-gov-west-1"
				s.Encryption.ExistingKMSKeyARN = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/" + keyID
			}},
			want: want{},
		},
		"ChinaRegion": {
			reason: "aws-cn names service principals and endpoint services differently, unverified here: refused with the reason.",
			args:   args{mutate: func(s *AuroraSpec) { s.Region = "cn-north-1" }},
			want: want{errs: []string{
				`spec.region: Invalid value: "cn-north-1": is in the aws-cn partition: the function composes in the aws and aws-us-gov partitions only (service principals, endpoint services and the rotator application differ in aws-cn)`,
			}},
		},
		"ISORegion": {
			reason: "The ISO partitions have their own DNS suffixes and no Serverless Application Repository: refused.",
			args:   args{mutate: func(s *AuroraSpec) { s.Region = "us-isob-east-1" }},
			want: want{errs: []string{
				`spec.region: Invalid value: "us-isob-east-1": is in the aws-iso-b partition: the function composes in the aws and aws-us-gov partitions only (service principals, endpoint services and the rotator application differ in aws-iso-b)`,
			}},
		},
		"KMSMultiRegionKey": {
			reason: "Multi-Region keys (mrk-) are keys too.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Encryption.ExistingKMSKeyARN = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
			}},
			want: want{},
		},
		"KMSDeletionWindowTooShort": {
			reason: "KMS waits 7 to 30 days before deleting a key.",
			args:   args{mutate: func(s *AuroraSpec) { s.Encryption.KMSDeletionWindowInDays = ptr.To[int64](6) }},
			want: want{errs: []string{
				"spec.encryption.kmsDeletionWindowInDays: Invalid value: 6: must be between 7 and 30",
			}},
		},
		"KMSDeletionWindowTooLong": {
			reason: "KMS waits 7 to 30 days before deleting a key.",
			args:   args{mutate: func(s *AuroraSpec) { s.Encryption.KMSDeletionWindowInDays = ptr.To[int64](31) }},
			want: want{errs: []string{
				"spec.encryption.kmsDeletionWindowInDays: Invalid value: 31: must be between 7 and 30",
			}},
		},

		// Credentials.
		"CredentialsModeUnknown": {
			reason: "Only RDSManaged and SelfManaged credentials exist.",
			args:   args{mutate: func(s *AuroraSpec) { s.Credentials.Mode = "Manual" }},
			want: want{errs: []string{
				`spec.credentials.mode: Unsupported value: "Manual": supported values: "RDSManaged", "SelfManaged"`,
			}},
		},
		"CredentialsModeSelfManaged": {
			reason: "SelfManaged credentials with the default rotator are supported.",
			args:   args{mutate: func(s *AuroraSpec) { s.Credentials.Mode = CredentialsModeSelfManaged }},
			want:   want{},
		},

		// Logging.
		"UnknownLogExport": {
			reason: "Aurora PostgreSQL exports only its postgresql and iam-db-auth-error logs.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.Exports = []string{"postgresql", "audit"} }},
			want: want{errs: []string{
				`spec.logging.exports[1]: Unsupported value: "audit": supported values: "postgresql", "iam-db-auth-error"`,
			}},
		},
		"DuplicateLogExport": {
			reason: "A log exported twice would compose its log group twice.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.Exports = []string{"postgresql", "postgresql"} }},
			want: want{errs: []string{
				`spec.logging.exports[1]: Duplicate value: "postgresql"`,
			}},
		},
		"NoLogExports": {
			reason: "An explicitly empty export list turns log exports off.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.Exports = []string{} }},
			want:   want{},
		},
		"RetentionNotAllowed": {
			reason: "CloudWatch Logs accepts only its fixed list of retention periods.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.RetentionInDays = ptr.To[int64](10) }},
			want: want{errs: []string{
				"spec.logging.retentionInDays: Unsupported value: 10: supported values: " + retentionValues,
			}},
		},
		"SlowQueryThresholdBelowOff": {
			reason: "-1 turns the slow-query log off; anything lower is meaningless.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.SlowQueryThresholdMs = ptr.To[int64](-2) }},
			want: want{errs: []string{
				"spec.logging.slowQueryThresholdMs: Invalid value: -2: must be -1 (off), 0 (every statement) or a duration in milliseconds",
			}},
		},
		"SlowQueryThresholdOff": {
			reason: "-1 (off) and 0 (every statement) are valid thresholds.",
			args:   args{mutate: func(s *AuroraSpec) { s.Logging.SlowQueryThresholdMs = ptr.To[int64](-1) }},
			want:   want{},
		},

		// Backup and maintenance windows.
		"BackupRetentionZero": {
			reason: "Aurora always keeps at least one day of backups.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.RetentionDays = ptr.To[int64](0) }},
			want: want{errs: []string{
				"spec.backup.retentionDays: Invalid value: 0: must be between 1 and 35",
			}},
		},
		"BackupRetentionTooLong": {
			reason: "Aurora keeps automated backups for at most 35 days.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.RetentionDays = ptr.To[int64](36) }},
			want: want{errs: []string{
				"spec.backup.retentionDays: Invalid value: 36: must be between 1 and 35",
			}},
		},
		"BackupWindowBadFormat": {
			reason: "The backup window is hh24:mi-hh24:mi.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.PreferredWindow = "3:00-4:00" }},
			want: want{errs: []string{
				`spec.backup.preferredWindow: Invalid value: "3:00-4:00": must be hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00`,
			}},
		},
		"BackupWindowTooShort": {
			reason: "RDS requires a backup window of at least 30 minutes.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.PreferredWindow = "03:00-03:29" }},
			want: want{errs: []string{
				`spec.backup.preferredWindow: Invalid value: "03:00-03:29": must be at least 30 minutes long`,
			}},
		},
		"BackupWindowExactlyThirtyMinutes": {
			reason: "A 30-minute backup window is long enough.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.PreferredWindow = "03:00-03:30" }},
			want:   want{},
		},
		"BackupWindowWrapsMidnight": {
			reason: "A backup window may run past midnight: 23:45-00:30 is 45 minutes long.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.PreferredWindow = "23:45-00:30" }},
			want:   want{},
		},
		"BackupWindowWrapsMidnightTooShort": {
			reason: "A window that wraps midnight is measured across it: 23:50-00:10 is 20 minutes long.",
			args:   args{mutate: func(s *AuroraSpec) { s.Backup.PreferredWindow = "23:50-00:10" }},
			want: want{errs: []string{
				`spec.backup.preferredWindow: Invalid value: "23:50-00:10": must be at least 30 minutes long`,
			}},
		},
		"MaintenanceWindowBadFormat": {
			reason: "The maintenance window is ddd:hh24:mi-ddd:hh24:mi.",
			args:   args{mutate: func(s *AuroraSpec) { s.PreferredMaintenanceWindow = "sunday 5am" }},
			want: want{errs: []string{
				`spec.preferredMaintenanceWindow: Invalid value: "sunday 5am": must be ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:06:00`,
			}},
		},
		"MaintenanceWindowTooShort": {
			reason: "RDS requires a maintenance window of at least 30 minutes.",
			args:   args{mutate: func(s *AuroraSpec) { s.PreferredMaintenanceWindow = "sun:05:00-sun:05:20" }},
			want: want{errs: []string{
				`spec.preferredMaintenanceWindow: Invalid value: "sun:05:00-sun:05:20": must be at least 30 minutes long`,
			}},
		},
		"MaintenanceWindowWrapsWeek": {
			reason: "A maintenance window may run from Sunday into Monday.",
			args:   args{mutate: func(s *AuroraSpec) { s.PreferredMaintenanceWindow = "sun:23:30-mon:00:30" }},
			want:   want{},
		},
		"MaintenanceOverlapsBackup": {
			reason: "RDS rejects a maintenance window that overlaps the daily backup window.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Backup.PreferredWindow = "05:00-06:00"
				s.PreferredMaintenanceWindow = "sun:05:30-sun:06:30"
			}},
			want: want{errs: []string{
				`spec.preferredMaintenanceWindow: Invalid value: "sun:05:30-sun:06:30": must not overlap the backup window 05:00-06:00`,
			}},
		},
		"MaintenanceAdjacentToBackup": {
			reason: "A maintenance window that starts when the backup window ends does not overlap it.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Backup.PreferredWindow = "05:00-06:00"
				s.PreferredMaintenanceWindow = "sun:06:00-sun:07:00"
			}},
			want: want{},
		},
		"MaintenanceOverlapsBackupAcrossMidnight": {
			reason: "A backup window that wraps midnight overlaps a maintenance window early on any day.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Backup.PreferredWindow = "23:45-00:30"
				s.PreferredMaintenanceWindow = "wed:00:15-wed:01:00"
			}},
			want: want{errs: []string{
				`spec.preferredMaintenanceWindow: Invalid value: "wed:00:15-wed:01:00": must not overlap the backup window 23:45-00:30`,
			}},
		},
		"MaintenanceAcrossWeekOverlapsBackup": {
			reason: "A maintenance window that wraps the week overlaps a backup window early on Monday.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Backup.PreferredWindow = "00:00-00:45"
				s.PreferredMaintenanceWindow = "sun:23:30-mon:00:30"
			}},
			want: want{errs: []string{
				`spec.preferredMaintenanceWindow: Invalid value: "sun:23:30-mon:00:30": must not overlap the backup window 00:00-00:45`,
			}},
		},

		// Tags.
		"FortySixTags": {
			reason: "AWS allows 50 tags per resource and the provider adds up to four crossplane-* tags.",
			args:   args{mutate: func(s *AuroraSpec) { s.Tags = manyTags(46) }},
			want:   want{},
		},
		"TooManyTags": {
			reason: "46 user tags and the provider's crossplane-* tags fill AWS's 50.",
			args:   args{mutate: func(s *AuroraSpec) { s.Tags = manyTags(47) }},
			want: want{errs: []string{
				"spec.tags: Too many: 47: must have at most 46 items",
			}},
		},
		"ReservedTagKey": {
			reason: "AWS reserves the aws: prefix, in any case.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Tags = map[string]string{"aws:owner": "me", "AWS:team": "x", "team": "payments"}
			}},
			want: want{errs: []string{
				`spec.tags[AWS:team]: Invalid value: "AWS:team": tag keys must not start with aws:, which AWS reserves`,
				`spec.tags[aws:owner]: Invalid value: "aws:owner": tag keys must not start with aws:, which AWS reserves`,
			}},
		},
		"TagValueTooLong": {
			reason: "Tag values have at most 256 characters.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Tags = map[string]string{"long": strings.Repeat("v", 257), "max": strings.Repeat("v", 256)}
			}},
			want: want{errs: []string{
				"spec.tags[long]: Too long: may not be more than 256 bytes",
			}},
		},
		"TagKeyLength": {
			reason: "Tag keys have 1 to 128 characters.",
			args:   args{mutate: func(s *AuroraSpec) { s.Tags = map[string]string{"": "x", strings.Repeat("k", 129): "x"} }},
			want: want{errs: []string{
				`spec.tags[]: Invalid value: "": tag keys must be 1 to 128 characters`,
				`spec.tags[` + strings.Repeat("k", 129) + `]: Invalid value: "` + strings.Repeat("k", 129) + `": tag keys must be 1 to 128 characters`,
			}},
		},

		// Connection secret.
		"ConnectionSecretNameInvalid": {
			reason: "A namespaced XR's connection secret is a Secret the function composes, so its name must be a valid object name.",
			args: args{
				meta:   namespacedTestMeta,
				mutate: func(s *AuroraSpec) { s.WriteConnectionSecretToRef = &ConnectionSecretRef{Name: "Bad_Name"} },
			},
			want: want{errs: []string{
				`spec.writeConnectionSecretToRef.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
			}},
		},
		"ConnectionSecretNameIgnoredForLegacyXR": {
			reason: "A legacy XR's writeConnectionSecretToRef is Crossplane's, not the function's: the function does not check it.",
			args: args{
				meta:   xrMeta{Name: "orders-x7k2p", UID: "uid", Legacy: true},
				mutate: func(s *AuroraSpec) { s.WriteConnectionSecretToRef = &ConnectionSecretRef{Name: "Bad_Name"} },
			},
			want: want{},
		},
		"ConnectionSecretNameValid": {
			reason: "A DNS subdomain name is a valid Secret name.",
			args: args{
				meta:   namespacedTestMeta,
				mutate: func(s *AuroraSpec) { s.WriteConnectionSecretToRef = &ConnectionSecretRef{Name: "orders-db.conn"} },
			},
			want: want{},
		},

		// Many problems at once.
		"ManyErrorsInOrder": {
			reason: "Every problem is reported at once, in spec order, each with its field path.",
			args: args{mutate: func(s *AuroraSpec) {
				s.Region = ""
				s.EngineVersion = "9.6"
				s.Port = ptr.To[int64](80)
				s.Network.SubnetIDs = []string{subnet1}
				s.Network.AllowedCIDRBlocks = []string{"10.0.0.1/16", "0.0.0.0/0", "not-a-cidr"}
				s.Instances = []Instance{{InstanceClass: "db.serverless"}}
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0.3, MaxCapacity: 300}
				s.Backup.PreferredWindow = "05:00-05:10"
				s.PreferredMaintenanceWindow = "sunday 5am"
				s.Tags = map[string]string{"aws:x": "y"}
			}},
			want: want{errs: []string{
				"spec.region: Required value: the AWS region of the cluster, e.g. us-east-1",
				`spec.engineVersion: Unsupported value: "9.6": supported values: "13", "14", "15", "16", "17"`,
				"spec.port: Invalid value: 80: must be between 1150 and 65535",
				"spec.network.subnetIds: Invalid value: 1: must list at least 2 subnets, in different availability zones",
				`spec.network.allowedCidrBlocks[0]: Invalid value: "10.0.0.1/16": must be a network address: did you mean 10.0.0.0/16?`,
				`spec.network.allowedCidrBlocks[1]: Invalid value: "0.0.0.0/0": would open the database to every address: list the networks that need access`,
				`spec.network.allowedCidrBlocks[2]: Invalid value: "not-a-cidr": must be a CIDR block such as 10.0.0.0/16`,
				"spec.serverlessV2.minCapacity: Invalid value: 0.3: must be between 0 and 256 ACUs in steps of 0.5",
				"spec.serverlessV2.maxCapacity: Invalid value: 300: must be between 1 and 256 ACUs in steps of 0.5",
				`spec.backup.preferredWindow: Invalid value: "05:00-05:10": must be at least 30 minutes long`,
				`spec.preferredMaintenanceWindow: Invalid value: "sunday 5am": must be ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:06:00`,
				`spec.tags[aws:x]: Invalid value: "aws:x": tag keys must not start with aws:, which AWS reserves`,
			}},
		},
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			tc.args.mutate(s)
			withDefaults(s)
			got := errorMessages(validate(tc.args.meta, s))
			if diff := cmp.Diff(tc.want.errs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "validate", diff)
			}
		})
	}
}

// TestValidateErrorTypes pins the kind of each error, which the XR's
// condition message starts with after the field path, for problems whose
// message is long.
func TestValidateErrorTypes(t *testing.T) {
	type want struct {
		field string
		typ   field.ErrorType
		// detail is a substring of the error's detail.
		detail string
	}
	cases := map[string]struct {
		reason string
		mutate func(s *AuroraSpec)
		want   []want
	}{
		"TooLongIdentifierIsTooLong": {
			reason: "A long identifier is a TooLong error, not an Invalid one.",
			mutate: func(s *AuroraSpec) { s.ClusterIdentifier = strings.Repeat("a", 64) },
			want:   []want{{field: "spec.clusterIdentifier", typ: field.ErrorTypeTooLong, detail: "50"}},
		},
		"UnsupportedEngine": {
			reason: "An engine major out of support is NotSupported, listing the supported ones.",
			mutate: func(s *AuroraSpec) { s.EngineVersion = "12.22" },
			want:   []want{{field: "spec.engineVersion", typ: field.ErrorTypeNotSupported, detail: `"17"`}},
		},
		"RetentionNotSupported": {
			reason: "An unknown retention is NotSupported, listing CloudWatch's values.",
			mutate: func(s *AuroraSpec) { s.Logging.RetentionInDays = ptr.To[int64](2) },
			want:   []want{{field: "spec.logging.retentionInDays", typ: field.ErrorTypeNotSupported, detail: `"3653"`}},
		},
		"EmptyInstancesRequired": {
			reason: "An empty instance list is Required, not Invalid.",
			mutate: func(s *AuroraSpec) { s.Instances = []Instance{} },
			want:   []want{{field: "spec.instances", typ: field.ErrorTypeRequired, detail: "writer"}},
		},
		"DuplicateSubnet": {
			reason: "A duplicate is a Duplicate error at the second occurrence.",
			mutate: func(s *AuroraSpec) { s.Network.SubnetIDs = append(s.Network.SubnetIDs, s.Network.SubnetIDs[0]) },
			want:   []want{{field: "spec.network.subnetIds[2]", typ: field.ErrorTypeDuplicate}},
		},
		"SecretNameInvalid": {
			reason: "A bad connection secret name is Invalid and quotes the RFC 1123 rule.",
			mutate: func(s *AuroraSpec) { s.WriteConnectionSecretToRef = &ConnectionSecretRef{Name: "-x"} },
			want:   []want{{field: "spec.writeConnectionSecretToRef.name", typ: field.ErrorTypeInvalid, detail: "RFC 1123 subdomain"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			tc.mutate(s)
			withDefaults(s)
			errs := validate(namespacedTestMeta, s)
			got := make([]want, 0, len(errs))
			for i, e := range errs {
				w := want{field: e.Field, typ: e.Type}
				if i < len(tc.want) && strings.Contains(e.Detail, tc.want[i].detail) {
					w.detail = tc.want[i].detail
				} else {
					w.detail = e.Detail
				}
				got = append(got, w)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "validate", diff)
			}
		})
	}
}
