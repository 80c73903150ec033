package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"sigs.k8s.io/yaml"
)

// The IAM policy the provider-aws identity needs for everything this function
// composes (docs/prerequisites.md explains it).
const (
	providerIAMPolicyFile = "docs/provider-iam-policy.json"

	// iamManagedPolicyMaxChars is IAM's limit for a customer managed policy.
	// IAM does not count white space.
	iamManagedPolicyMaxChars = 6144
)

// iamActionsByKind maps every kind the function composes (group/kind) to the
// IAM actions the provider calls to create, read, update, delete and tag it
// with the fields the function sets, plus the actions AWS checks on the
// caller's behalf while doing so (dependent actions). The calls are those of
// terraform-provider-aws, which provider-aws v2 runs in-process: the resource
// file named in source plus its package's find/wait/status helpers and
// tags_gen.go (v5.46, re-checked against the 6.x main branch where noted).
//
// Left out on purpose, because the function never sets the fields that need
// them: RDS restore paths and cluster IAM roles, Lambda code signing,
// reserved concurrency and versions, role permission boundaries and instance
// profiles, secret replicas, endpoint connection acceptance.
var iamActionsByKind = map[string]struct {
	source  string
	actions []string
}{
	"kms.aws.m.upbound.io/Key": {
		source: "internal/service/kms/key.go, find.go (main re-checked): CreateKey with Tags needs TagResource",
		actions: []string{
			"kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
			"kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
			"kms:EnableKey", "kms:DisableKey", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion",
			"kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
		},
	},
	"kms.aws.m.upbound.io/Alias": {
		source:  "internal/service/kms/alias.go, find.go: alias actions need the alias and the target key",
		actions: []string{"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"},
	},
	"rds.aws.m.upbound.io/Cluster": {
		source: "internal/service/rds/cluster.go; Aurora guide: final snapshot, CMK (CreateGrant, DescribeKey), " +
			"manageMasterUserPassword (CreateSecret, TagResource, KMS with a CMK), service-linked role",
		actions: []string{
			"rds:CreateDBCluster", "rds:DescribeDBClusters", "rds:ModifyDBCluster", "rds:DeleteDBCluster",
			"rds:DescribeGlobalClusters", "rds:CreateDBClusterSnapshot",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
			"kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey",
			"secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:RotateSecret",
			"iam:CreateServiceLinkedRole",
		},
	},
	"rds.aws.m.upbound.io/ClusterInstance": {
		source: "internal/service/rds/cluster_instance.go, find.go, wait.go",
		actions: []string{
			"rds:CreateDBInstance", "rds:DescribeDBInstances", "rds:DescribeDBClusters",
			"rds:ModifyDBInstance", "rds:RebootDBInstance", "rds:DeleteDBInstance",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		},
	},
	"rds.aws.m.upbound.io/ClusterParameterGroup": {
		source: "internal/service/rds/cluster_parameter_group.go",
		actions: []string{
			"rds:CreateDBClusterParameterGroup", "rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters",
			"rds:ModifyDBClusterParameterGroup", "rds:ResetDBClusterParameterGroup", "rds:DeleteDBClusterParameterGroup",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		},
	},
	"rds.aws.m.upbound.io/SubnetGroup": {
		source: "internal/service/rds/subnet_group.go",
		actions: []string{
			"rds:CreateDBSubnetGroup", "rds:DescribeDBSubnetGroups", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		},
	},
	"rds.aws.m.upbound.io/EventSubscription": {
		source: "internal/service/rds/event_subscription.go",
		actions: []string{
			"rds:CreateEventSubscription", "rds:DescribeEventSubscriptions", "rds:ModifyEventSubscription",
			"rds:AddSourceIdentifierToSubscription", "rds:RemoveSourceIdentifierFromSubscription", "rds:DeleteEventSubscription",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		},
	},
	"ec2.aws.m.upbound.io/SecurityGroup": {
		source: "internal/service/ec2/vpc_security_group.go (revokes the default egress rule on create; " +
			"deleteLingeringENIs in vpc_network_interface.go removes Lambda ENIs on delete)",
		actions: []string{
			"ec2:CreateSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DeleteSecurityGroup",
			"ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
			"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
			"ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface", "ec2:DeleteNetworkInterface",
			"ec2:CreateTags", "ec2:DeleteTags",
		},
	},
	"ec2.aws.m.upbound.io/SecurityGroupIngressRule": {
		source: "internal/service/ec2/vpc_security_group_ingress_rule.go",
		actions: []string{
			"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules",
			"ec2:ModifySecurityGroupRules", "ec2:CreateTags", "ec2:DeleteTags",
		},
	},
	"ec2.aws.m.upbound.io/SecurityGroupEgressRule": {
		source: "internal/service/ec2/vpc_security_group_egress_rule.go",
		actions: []string{
			"ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:DescribeSecurityGroupRules",
			"ec2:ModifySecurityGroupRules", "ec2:CreateTags", "ec2:DeleteTags",
		},
	},
	"ec2.aws.m.upbound.io/VPCEndpoint": {
		source: "internal/service/ec2/vpc_endpoint.go, find.go",
		actions: []string{
			"ec2:CreateVpcEndpoint", "ec2:DescribeVpcEndpoints", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
			"ec2:DescribeVpcEndpointServices", "ec2:DescribePrefixLists", "ec2:CreateTags", "ec2:DeleteTags",
		},
	},
	"ec2.aws.m.upbound.io/VPCEndpointSubnetAssociation": {
		source:  "internal/service/ec2/vpc_endpoint_subnet_association.go",
		actions: []string{"ec2:ModifyVpcEndpoint", "ec2:DescribeVpcEndpoints"},
	},
	"ec2.aws.m.upbound.io/VPCEndpointSecurityGroupAssociation": {
		source:  "internal/service/ec2/vpc_endpoint_security_group_association.go (replaceDefaultAssociation reads the groups)",
		actions: []string{"ec2:ModifyVpcEndpoint", "ec2:DescribeVpcEndpoints", "ec2:DescribeSecurityGroups"},
	},
	"cloudwatchlogs.aws.m.upbound.io/Group": {
		source: "internal/service/logs/group.go (main re-checked), tags_gen.go (TagResource API and the older TagLogGroup one)",
		actions: []string{
			"logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
			"logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:DeleteLogGroup",
			"logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
			"logs:TagLogGroup", "logs:UntagLogGroup", "logs:ListTagsLogGroup",
		},
	},
	"cloudwatchlogs.aws.m.upbound.io/MetricFilter": {
		source:  "internal/service/logs/metric_filter.go",
		actions: []string{"logs:PutMetricFilter", "logs:DescribeMetricFilters", "logs:DeleteMetricFilter"},
	},
	"cloudwatch.aws.m.upbound.io/MetricAlarm": {
		source: "internal/service/cloudwatch/metric_alarm.go, tags_gen.go",
		actions: []string{
			"cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
			"cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
		},
	},
	"secretsmanager.aws.m.upbound.io/Secret": {
		source: "internal/service/secretsmanager/secret.go, tags_gen.go; Secrets Manager guide: " +
			"a CMK needs GenerateDataKey and Decrypt through secretsmanager",
		actions: []string{
			"secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecret",
			"secretsmanager:DeleteSecret", "secretsmanager:GetResourcePolicy",
			"secretsmanager:TagResource", "secretsmanager:UntagResource",
			"kms:GenerateDataKey", "kms:Decrypt",
		},
	},
	"secretsmanager.aws.m.upbound.io/SecretVersion": {
		source: "internal/service/secretsmanager/secret_version.go",
		actions: []string{
			"secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds",
			"secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret",
			"kms:GenerateDataKey", "kms:Decrypt",
		},
	},
	"secretsmanager.aws.m.upbound.io/SecretPolicy": {
		source: "internal/service/secretsmanager/secret_policy.go",
		actions: []string{
			"secretsmanager:PutResourcePolicy", "secretsmanager:GetResourcePolicy", "secretsmanager:DeleteResourcePolicy",
		},
	},
	"secretsmanager.aws.m.upbound.io/SecretRotation": {
		source: "internal/service/secretsmanager/secret_rotation.go (main re-checked); RotateSecret API: " +
			"the caller also needs lambda:InvokeFunction on the rotator",
		actions: []string{
			"secretsmanager:RotateSecret", "secretsmanager:DescribeSecret", "secretsmanager:CancelRotateSecret",
			"lambda:InvokeFunction",
		},
	},
	"lambda.aws.m.upbound.io/Function": {
		source: "internal/service/lambda/function.go (main re-checked), tags_gen.go; Lambda guide: VPC config " +
			"checks (ec2 Describe*), env var CMK (CreateGrant, Encrypt, Decrypt), code from S3 fetched with the caller's rights",
		actions: []string{
			"lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
			"lambda:ListVersionsByFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
			"lambda:DeleteFunction", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
			"iam:PassRole", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
			"kms:CreateGrant", "kms:Encrypt", "kms:Decrypt", "s3:GetObject", "s3:GetObjectVersion",
		},
	},
	"lambda.aws.m.upbound.io/Permission": {
		source:  "internal/service/lambda/permission.go",
		actions: []string{"lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission", "lambda:GetFunction"},
	},
	"iam.aws.m.upbound.io/Role": {
		source: "internal/service/iam/role.go (read lists inline and attached policies; delete lists instance profiles)",
		actions: []string{
			"iam:CreateRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
			"iam:DeleteRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
			"iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
		},
	},
	"iam.aws.m.upbound.io/RolePolicy": {
		source:  "internal/service/iam/role_policy.go",
		actions: []string{"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"},
	},
	"iam.aws.m.upbound.io/RolePolicyAttachment": {
		source:  "internal/service/iam/role_policy_attachment.go",
		actions: []string{"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"},
	},
	"serverlessrepo.aws.m.upbound.io/CloudFormationStack": {
		source: "internal/service/serverlessrepo/cloudformation_stack.go, find.go and cloudformation/{stack,find,wait}.go; " +
			"SAR and CloudFormation then act with the caller's rights: the SAM transform, the change-set bucket, " +
			"and the app's IAM role, Lambda function and permission",
		actions: []string{
			"serverlessrepo:CreateCloudFormationChangeSet", "serverlessrepo:GetApplication",
			"cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
			"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:DeleteStack",
			"s3:GetObject",
			"iam:CreateRole", "iam:GetRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
			"iam:DeleteRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:PassRole",
			"lambda:CreateFunction", "lambda:GetFunction", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction",
			"lambda:AddPermission", "lambda:RemovePermission", "lambda:TagResource",
			"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
			"kms:CreateGrant",
		},
	},
}

// iamPolicy is an identity-based policy as this repository writes it: no
// NotAction, NotResource or Principal.
type iamPolicy struct {
	Version   string               `json:"Version"`
	Statement []iamPolicyStatement `json:"Statement"`
}

type iamPolicyStatement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Action    iamStrings                `json:"Action"`
	Resource  iamStrings                `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// iamStrings is IAM's "a string or a list of strings".
type iamStrings []string

func (s *iamStrings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = iamStrings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

var (
	iamSid          = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	iamActionSyntax = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?]+$`)
)

// iamPolicyProblems returns every way raw is not a policy this repository
// accepts: valid JSON, Version 2012-10-17, only Allow statements each with a
// unique Sid, actions and resources, no wildcard service action, and within
// IAM's managed policy size.
func iamPolicyProblems(raw []byte) []string {
	var problems []string
	if n := iamPolicySize(raw); n > iamManagedPolicyMaxChars {
		problems = append(problems, fmt.Sprintf("%d characters without white space, IAM allows %d", n, iamManagedPolicyMaxChars))
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	var p iamPolicy
	if err := d.Decode(&p); err != nil {
		return append(problems, "not a valid policy document")
	}
	if p.Version != "2012-10-17" {
		problems = append(problems, fmt.Sprintf("Version %q, want \"2012-10-17\"", p.Version))
	}
	if len(p.Statement) == 0 {
		problems = append(problems, "no statements")
	}
	sids := map[string]bool{}
	for i, s := range p.Statement {
		at := fmt.Sprintf("statement %d (%s)", i, s.Sid)
		switch {
		case s.Sid == "":
			problems = append(problems, fmt.Sprintf("statement %d has no Sid", i))
		case !iamSid.MatchString(s.Sid):
			problems = append(problems, at+": Sid must be letters and digits only")
		case sids[s.Sid]:
			problems = append(problems, at+": duplicate Sid")
		}
		sids[s.Sid] = true
		if s.Effect != "Allow" {
			problems = append(problems, fmt.Sprintf("%s: Effect %q, want Allow", at, s.Effect))
		}
		if len(s.Action) == 0 {
			problems = append(problems, at+": no Action")
		}
		for _, a := range s.Action {
			_, name, _ := strings.Cut(a, ":")
			switch {
			case a == "*" || name == "*":
				problems = append(problems, fmt.Sprintf("%s: wildcard service action %q", at, a))
			case !iamActionSyntax.MatchString(a):
				problems = append(problems, fmt.Sprintf("%s: action %q is not service:Action", at, a))
			}
		}
		if len(s.Resource) == 0 {
			problems = append(problems, at+": no Resource")
		}
		for _, r := range s.Resource {
			if r != "*" && (!strings.HasPrefix(r, "arn:aws:") || strings.Contains(r, "${")) {
				problems = append(problems, fmt.Sprintf("%s: resource %q is neither \"*\" nor an arn:aws: pattern without ${...} placeholders", at, r))
			}
		}
	}
	return problems
}

// iamPolicySize counts characters as IAM does for the managed policy limit:
// white space does not count.
func iamPolicySize(raw []byte) int {
	n := 0
	for _, r := range string(raw) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// iamActionMatches reports whether an IAM action pattern, with its * and ?
// wildcards, matches an action. IAM compares actions case-insensitively.
func iamActionMatches(pattern, action string) bool {
	return iamGlobMatch(strings.ToLower(pattern), strings.ToLower(action))
}

func iamGlobMatch(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := 0; i <= len(s); i++ {
				if iamGlobMatch(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return s == ""
}

// iamAllowed reports whether some Allow statement of p names action.
func iamAllowed(p iamPolicy, action string) bool {
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Action {
			if iamActionMatches(a, action) {
				return true
			}
		}
	}
	return false
}

func readProviderIAMPolicy(t *testing.T) ([]byte, iamPolicy) {
	t.Helper()
	raw, err := os.ReadFile(providerIAMPolicyFile)
	if err != nil {
		t.Fatal(err)
	}
	var p iamPolicy
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("%s: %v", providerIAMPolicyFile, err)
	}
	return raw, p
}

// TestProviderIAMPolicyDocument checks the published policy, and that the
// checks catch what they are meant to.
func TestProviderIAMPolicyDocument(t *testing.T) {
	raw, _ := readProviderIAMPolicy(t)
	stmt := func(s string) []byte {
		return []byte(`{"Version":"2012-10-17","Statement":[` + s + `]}`)
	}
	tooLarge := stmt(`{"Sid":"A","Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"arn:aws:rds:*:*:cluster:` +
		strings.Repeat("a", iamManagedPolicyMaxChars) + `"}`)
	cases := map[string]struct {
		reason string
		raw    []byte
		want   []string
	}{
		"ProviderPolicy": {
			reason: "The published policy is valid, scoped and within IAM's size limit.",
			raw:    raw,
		},
		"InvalidJSON": {
			reason: "A policy that is not JSON is rejected.",
			raw:    []byte(`{"Version":"2012-10-17","Statement":[`),
			want:   []string{"not a valid policy document"},
		},
		"UnknownElement": {
			reason: "An identity policy names no Principal.",
			raw:    stmt(`{"Sid":"A","Effect":"Allow","Principal":"*","Action":"rds:DescribeDBClusters","Resource":"*"}`),
			want:   []string{"not a valid policy document"},
		},
		"WrongVersion": {
			reason: "Only Version 2012-10-17 supports policy variables and current features.",
			raw:    []byte(`{"Version":"2008-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"*"}]}`),
			want:   []string{`Version "2008-10-17", want "2012-10-17"`},
		},
		"MissingSid": {
			reason: "Every statement says what it is for.",
			raw:    stmt(`{"Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"*"}`),
			want:   []string{"statement 0 has no Sid"},
		},
		"DuplicateSid": {
			reason: "Sids are unique.",
			raw: stmt(`{"Sid":"A","Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"*"},` +
				`{"Sid":"A","Effect":"Allow","Action":"rds:DescribeDBInstances","Resource":"*"}`),
			want: []string{"statement 1 (A): duplicate Sid"},
		},
		"WildcardAction": {
			reason: "No statement allows every action.",
			raw:    stmt(`{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"}`),
			want:   []string{`statement 0 (A): wildcard service action "*"`},
		},
		"WildcardServiceAction": {
			reason: "No statement allows every action of a service.",
			raw:    stmt(`{"Sid":"A","Effect":"Allow","Action":["rds:Describe*","kms:*"],"Resource":"*"}`),
			want:   []string{`statement 0 (A): wildcard service action "kms:*"`},
		},
		"Deny": {
			reason: "The policy only allows; a Deny would need resource-aware checks.",
			raw:    stmt(`{"Sid":"A","Effect":"Deny","Action":"rds:DeleteDBCluster","Resource":"*"}`),
			want:   []string{`statement 0 (A): Effect "Deny", want Allow`},
		},
		"PlaceholderARN": {
			reason: "${Partition}-style placeholders are not IAM.",
			raw:    stmt(`{"Sid":"A","Effect":"Allow","Action":"rds:DeleteDBCluster","Resource":"arn:${Partition}:rds:*:*:cluster:*"}`),
			want:   []string{`statement 0 (A): resource "arn:${Partition}:rds:*:*:cluster:*" is neither "*" nor an arn:aws: pattern without ${...} placeholders`},
		},
		"TooLarge": {
			reason: "A policy over IAM's managed policy limit cannot be created.",
			raw:    tooLarge,
			want:   []string{fmt.Sprintf("%d characters without white space, IAM allows %d", iamPolicySize(tooLarge), iamManagedPolicyMaxChars)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := iamPolicyProblems(tc.raw)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\niamPolicyProblems(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	t.Logf("%s: %d characters without white space (IAM limit %d)", providerIAMPolicyFile, iamPolicySize(raw), iamManagedPolicyMaxChars)
}

// TestIAMActionMatches checks the IAM action wildcard matching the other
// tests rely on.
func TestIAMActionMatches(t *testing.T) {
	type args struct{ pattern, action string }
	cases := map[string]struct {
		reason string
		args   args
		want   bool
	}{
		"Exact":             {reason: "An action matches itself.", args: args{"rds:CreateDBCluster", "rds:CreateDBCluster"}, want: true},
		"CaseInsensitive":   {reason: "IAM compares actions case-insensitively.", args: args{"RDS:createdbcluster", "rds:CreateDBCluster"}, want: true},
		"TrailingWildcard":  {reason: "A trailing * matches any suffix.", args: args{"rds:Describe*", "rds:DescribeDBClusters"}, want: true},
		"LeadingWildcard":   {reason: "A * may start the action name.", args: args{"secretsmanager:*ResourcePolicy", "secretsmanager:GetResourcePolicy"}, want: true},
		"InnerWildcard":     {reason: "A * may sit inside the action name.", args: args{"rds:*SourceIdentifier*Subscription", "rds:RemoveSourceIdentifierFromSubscription"}, want: true},
		"QuestionMark":      {reason: "? matches exactly one character.", args: args{"kms:GetKey?olicy", "kms:GetKeyPolicy"}, want: true},
		"OtherService":      {reason: "A pattern never crosses services.", args: args{"rds:*DBSubnetGroup", "ec2:CreateDBSubnetGroup"}, want: false},
		"SuffixMustMatch":   {reason: "Without a trailing * the name must end there.", args: args{"kms:*Alias", "kms:ListAliases"}, want: false},
		"PrefixIsNotEnough": {reason: "An action name is not a prefix match.", args: args{"rds:CreateDBCluster", "rds:CreateDBClusterSnapshot"}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := iamActionMatches(tc.args.pattern, tc.args.action)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\niamActionMatches(%q, %q): -want, +got:\n%s", tc.reason, tc.args.pattern, tc.args.action, diff)
			}
		})
	}
}

// TestProviderIAMPolicyAllowsComposedKinds checks the policy allows every
// action each composed kind needs.
func TestProviderIAMPolicyAllowsComposedKinds(t *testing.T) {
	_, p := readProviderIAMPolicy(t)
	for kind, tc := range iamActionsByKind {
		t.Run(kind, func(t *testing.T) {
			var missing []string
			for _, a := range tc.actions {
				if !iamAllowed(p, a) {
					missing = append(missing, a)
				}
			}
			if diff := cmp.Diff([]string(nil), missing); diff != "" {
				t.Errorf("\n%s needs these actions (%s), which %s does not allow: -want, +got:\n%s", kind, tc.source, providerIAMPolicyFile, diff)
			}
		})
	}
}

// TestProviderIAMPolicyCoversComposedKinds checks iamActionsByKind names
// exactly the AWS kinds the function composes: those in the golden outputs
// and those registered in composedKinds. A new kind without IAM actions, or
// an entry for a kind the function no longer composes, fails.
func TestProviderIAMPolicyCoversComposedKinds(t *testing.T) {
	fromGolden := goldenAWSKinds(t)
	fromScheme := schemeAWSKinds()
	composed := iamUnion(fromGolden, fromScheme)
	inTable := map[string]bool{}
	for k := range iamActionsByKind {
		inTable[k] = true
	}
	table := iamSortedKeys(inTable)

	cases := map[string]struct {
		reason string
		want   []string
		got    []string
	}{
		"EveryGoldenKindHasActions": {
			reason: "Every AWS kind in testdata/golden/*/desired.yaml is composed, so iamActionsByKind lists its IAM actions.",
			want:   fromGolden,
			got:    iamIntersect(table, fromGolden),
		},
		"EveryRegisteredKindHasActions": {
			reason: "Every AWS kind in composedKinds (scheme.go) may be composed, so iamActionsByKind lists its IAM actions.",
			want:   fromScheme,
			got:    iamIntersect(table, fromScheme),
		},
		"NoKindTheFunctionDoesNotCompose": {
			reason: "iamActionsByKind lists no kind the function no longer composes.",
			want:   iamIntersect(table, composed),
			got:    table,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("\n%s\niamActionsByKind kinds: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// goldenAWSKinds returns the group/kind of every composed resource in the
// golden outputs, leaving out core (v1) kinds and Crossplane Usages: those
// are Kubernetes objects, not AWS resources.
func goldenAWSKinds(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/golden/*/desired.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/golden/*/desired.yaml")
	}
	docSep := regexp.MustCompile(`(?m)^---\s*$`)
	kinds := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docSep.Split(string(b), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var tm struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			group, _, found := strings.Cut(tm.APIVersion, "/")
			if !found || group == "protection.crossplane.io" {
				continue
			}
			kinds[group+"/"+tm.Kind] = true
		}
	}
	return iamSortedKeys(kinds)
}

// schemeAWSKinds returns the group/kind of every provider-aws kind in
// composedKinds: not Kubernetes' core group nor Crossplane's Usage, which
// no AWS call backs.
func schemeAWSKinds() []string {
	kinds := map[string]bool{}
	for gv, objs := range composedKinds {
		if gv.Group == "" || gv.Group == "protection.crossplane.io" {
			continue
		}
		for _, o := range objs {
			kinds[gv.Group+"/"+reflect.TypeOf(o).Elem().Name()] = true
		}
	}
	return iamSortedKeys(kinds)
}

func iamSortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func iamUnion(a, b []string) []string {
	m := map[string]bool{}
	for _, s := range append(append([]string{}, a...), b...) {
		m[s] = true
	}
	return iamSortedKeys(m)
}

func iamIntersect(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	m := map[string]bool{}
	for _, s := range a {
		if in[s] {
			m[s] = true
		}
	}
	return iamSortedKeys(m)
}
