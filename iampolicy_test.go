package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// The IAM policies the provider-aws identity needs for everything this
// function composes (docs/prerequisites.md explains them). They are split by
// what needs them, because together they are over IAM's managed policy size:
// the cluster (KMS, RDS, EC2), its log groups, alarms and master secret, and
// the SelfManaged rotator. The identity gets all three (the rotator one only
// with SelfManaged rotation); the tests check each file and their union.
var providerIAMPolicyFiles = []string{
	"docs/provider-iam-policy.json",
	"docs/provider-iam-policy-logs-alarms-secrets.json",
	"docs/provider-iam-policy-rotator.json",
	"docs/provider-iam-policy-capacity.json",
	"docs/provider-iam-policy-proxy.json",
	"docs/provider-iam-policy-monitoring.json",
}

const (
	// iamManagedPolicyMaxChars is IAM's limit for a customer managed policy.
	// IAM does not count white space.
	iamManagedPolicyMaxChars = 6144

	// iamTagKey is the tag provider-aws puts on everything it creates, with
	// the name of the ProviderConfig as its value: upjet's TagInitializer
	// (pkg/config/resource.go, setExternalTagsWithPaved) sets crossplane-kind,
	// crossplane-name and crossplane-providerconfig on every kind with a tags
	// field, and provider-upjet-aws adds that initializer to every such kind,
	// namespaced ones included (config/overrides.go AddExternalTagsField,
	// config/registry_namespaced.go), unless the provider runs with
	// --skip-default-tags. crossplane-kind and crossplane-name differ from
	// kind to kind and from resource to resource; crossplane-providerconfig is
	// the same on everything one ProviderConfig creates, so a policy can ask
	// for its presence, or for its value.
	iamTagKey = "crossplane-providerconfig"
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
	"rds.aws.m.upbound.io/ParameterGroup": {
		source: "internal/service/rds/parameter_group.go",
		actions: []string{
			"rds:CreateDBParameterGroup", "rds:DescribeDBParameterGroups", "rds:DescribeDBParameters",
			"rds:ModifyDBParameterGroup", "rds:ResetDBParameterGroup", "rds:DeleteDBParameterGroup",
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
	"rds.aws.m.upbound.io/ClusterEndpoint": {
		source: "internal/service/rds/cluster_endpoint.go",
		actions: []string{
			"rds:CreateDBClusterEndpoint", "rds:DescribeDBClusterEndpoints", "rds:ModifyDBClusterEndpoint", "rds:DeleteDBClusterEndpoint",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		},
	},
	"appautoscaling.aws.m.upbound.io/Target": {
		source: "internal/service/appautoscaling/target.go; Application Auto Scaling user guide, service-linked roles: " +
			"the first registration of an Aurora cluster creates AWSServiceRoleForApplicationAutoScaling_RDSCluster",
		actions: []string{
			"application-autoscaling:RegisterScalableTarget", "application-autoscaling:DescribeScalableTargets",
			"application-autoscaling:DeregisterScalableTarget", "application-autoscaling:TagResource",
			"application-autoscaling:UntagResource", "application-autoscaling:ListTagsForResource",
			"iam:CreateServiceLinkedRole",
		},
	},
	"appautoscaling.aws.m.upbound.io/Policy": {
		source: "internal/service/appautoscaling/policy.go; Application Auto Scaling user guide, \"Permissions required for " +
			"API actions\": a target-tracking policy's caller creates and deletes its CloudWatch alarms",
		actions: []string{
			"application-autoscaling:PutScalingPolicy", "application-autoscaling:DescribeScalingPolicies",
			"application-autoscaling:DeleteScalingPolicy",
			"cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
		},
	},
	"rds.aws.m.upbound.io/Proxy": {
		source: "internal/service/rds/proxy.go (create passes the role; waits on DescribeDBProxies)",
		actions: []string{
			"rds:CreateDBProxy", "rds:DescribeDBProxies", "rds:ModifyDBProxy", "rds:DeleteDBProxy",
			"rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource", "iam:PassRole",
		},
	},
	"rds.aws.m.upbound.io/ProxyDefaultTargetGroup": {
		source:  "internal/service/rds/proxy_default_target_group.go (create adopts and modifies the default group RDS made; delete does nothing in RDS)",
		actions: []string{"rds:DescribeDBProxyTargetGroups", "rds:ModifyDBProxyTargetGroup", "rds:DescribeDBProxies"},
	},
	"rds.aws.m.upbound.io/ProxyTarget": {
		source:  "internal/service/rds/proxy_target.go",
		actions: []string{"rds:RegisterDBProxyTargets", "rds:DescribeDBProxyTargets", "rds:DeregisterDBProxyTargets"},
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
		source: "internal/service/logs/group.go (main re-checked), tags_gen.go (6.x: TagResource, UntagResource, " +
			"ListTagsForResource; the deprecated TagLogGroup API is no longer called). CreateLogGroup API: tags in " +
			"the create need logs:TagResource or logs:TagLogGroup",
		actions: []string{
			"logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
			"logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:DeleteLogGroup",
			"logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
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

// providerIAMPolicies reads the published policies: each file's bytes and
// parsed policy, and their union (the statements of all of them, as IAM
// evaluates the policies attached to one identity).
func providerIAMPolicies(t *testing.T) (map[string][]byte, map[string]iamPolicy, iamPolicy) {
	t.Helper()
	raws := map[string][]byte{}
	policies := map[string]iamPolicy{}
	union := iamPolicy{Version: "2012-10-17"}
	for _, f := range providerIAMPolicyFiles {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p iamPolicy
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		raws[f], policies[f] = raw, p
		union.Statement = append(union.Statement, p.Statement...)
	}
	return raws, policies, union
}

// TestProviderIAMPolicyDocument checks the published policies, each and
// together, and that the checks catch what they are meant to.
func TestProviderIAMPolicyDocument(t *testing.T) {
	raws, _, union := providerIAMPolicies(t)
	stmt := func(s string) []byte {
		return []byte(`{"Version":"2012-10-17","Statement":[` + s + `]}`)
	}
	tooLarge := stmt(`{"Sid":"A","Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"arn:aws:rds:*:*:cluster:` +
		strings.Repeat("a", iamManagedPolicyMaxChars) + `"}`)
	type documentCase struct {
		reason string
		raw    []byte
		want   []string
	}
	cases := map[string]documentCase{
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
	for _, f := range providerIAMPolicyFiles {
		cases["ProviderPolicy "+f] = documentCase{
			reason: "Each published policy is valid and within IAM's managed policy size limit.",
			raw:    raws[f],
		}
	}
	unionRaw, err := json.Marshal(union)
	if err != nil {
		t.Fatal(err)
	}
	cases["ProviderPoliciesTogether"] = documentCase{
		reason: "Attached together, the policies still have unique Sids; only their joint size is over one managed policy's limit.",
		raw:    unionRaw,
		want:   []string{fmt.Sprintf("%d characters without white space, IAM allows %d", iamPolicySize(unionRaw), iamManagedPolicyMaxChars)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := iamPolicyProblems(tc.raw)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\niamPolicyProblems(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	for _, f := range providerIAMPolicyFiles {
		t.Logf("%s: %d characters without white space (IAM limit %d)", f, iamPolicySize(raws[f]), iamManagedPolicyMaxChars)
	}
}

// TestProviderIAMPolicyFilesListed checks providerIAMPolicyFiles names every
// docs/provider-iam-policy*.json, so a new file is never left unchecked.
func TestProviderIAMPolicyFilesListed(t *testing.T) {
	found, err := filepath.Glob("docs/provider-iam-policy*.json")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{}, providerIAMPolicyFiles...)
	sort.Strings(want)
	sort.Strings(found)
	if diff := cmp.Diff(want, found); diff != "" {
		t.Errorf("docs/provider-iam-policy*.json: -providerIAMPolicyFiles, +on disk:\n%s", diff)
	}
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

// TestProviderIAMPolicyAllowsComposedKinds checks the policies together allow
// every action each composed kind needs. It checks actions only: whether the
// conditions hold for the function's own resources is what the tag and name
// scoping below is designed for.
func TestProviderIAMPolicyAllowsComposedKinds(t *testing.T) {
	_, _, p := providerIAMPolicies(t)
	for kind, tc := range iamActionsByKind {
		t.Run(kind, func(t *testing.T) {
			var missing []string
			for _, a := range tc.actions {
				if !iamAllowed(p, a) {
					missing = append(missing, a)
				}
			}
			if diff := cmp.Diff([]string(nil), missing); diff != "" {
				t.Errorf("\n%s needs these actions (%s), which %s together do not allow: -want, +got:\n%s", kind, tc.source, strings.Join(providerIAMPolicyFiles, ", "), diff)
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

// Resources of the shared resource types that this function did not create:
// another team's key, cluster, log group or role in the same account. Where
// the function derives a name from an arbitrary cluster identifier, the
// sample follows that naming (aurora-<id>-..., /aws/rds/cluster/<id>/...), so
// only the tag can tell it apart. Where the function's names carry the XR's
// 8 hex incarnation digits, the samples are names that merely resemble them
// (the review's x-rotation-admin and eu-rotterdam-app).
const (
	iamForeignKey          = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	iamForeignAlias        = "arn:aws:kms:us-east-1:111122223333:alias/billing-prod"
	iamForeignCluster      = "arn:aws:rds:us-east-1:111122223333:cluster:billing-prod"
	iamForeignInstance     = "arn:aws:rds:us-east-1:111122223333:db:billing-prod-1"
	iamForeignClusterPG    = "arn:aws:rds:us-east-1:111122223333:cluster-pg:billing-prod"
	iamForeignPG           = "arn:aws:rds:us-east-1:111122223333:pg:billing-prod"
	iamForeignSubnetGroup  = "arn:aws:rds:us-east-1:111122223333:subgrp:billing-prod"
	iamForeignSubscription = "arn:aws:rds:us-east-1:111122223333:es:aurora-billing-prod-cluster-events"
	iamForeignGroup        = "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0"
	iamForeignGroupRule    = "arn:aws:ec2:us-east-1:111122223333:security-group-rule/sgr-0123456789abcdef0"
	iamForeignEndpoint     = "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0123456789abcdef0"
	iamForeignLogGroup     = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/rds/cluster/billing-prod/postgresql"
	iamForeignAlarm        = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:aurora-billing-prod-cpu-writer"
	iamForeignSecret       = "arn:aws:secretsmanager:us-east-1:111122223333:secret:aurora/billing-prod/master-1a2b3c4d-AbCdEf"
	iamForeignOldSecret    = "arn:aws:secretsmanager:us-east-1:111122223333:secret:aurora/billing-prod/master-AbCdEf"
	iamForeignFunction     = "arn:aws:lambda:us-east-1:111122223333:function:x-rotation-admin"
	iamForeignFunction2    = "arn:aws:lambda:us-east-1:111122223333:function:eu-rotterdam-app"
	iamForeignRole         = "arn:aws:iam::111122223333:role/x-rotation-admin"
	iamForeignRole2        = "arn:aws:iam::111122223333:role/eu-rotterdam-app"
	iamForeignStack        = "arn:aws:cloudformation:us-east-1:111122223333:stack/network-prod/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	iamForeignApplication  = "arn:aws:serverlessrepo:us-east-1:111122223333:applications/SecretsManagerRDSPostgreSQLRotationSingleUser"
	iamForeignProxy        = "arn:aws:rds:us-east-1:111122223333:db-proxy:prx-0123456789abcdef0"
	iamForeignTargetGroup  = "arn:aws:rds:us-east-1:111122223333:target-group:prx-tg-0123456789abcdef0"
	iamForeignProxyRole    = "arn:aws:iam::111122223333:role/billing-prod-proxy"
)

// iamSharedResourceAction is a destructive or mutating action on a resource
// type the account shares with other workloads.
type iamSharedResourceAction struct {
	// foreign are resources of the action's type (its required resource in
	// the Service Authorization Reference) that the function did not create.
	foreign []string
	// scopedBy is a condition key that scopes the action instead of the tag,
	// with the reason, for the few actions whose targets carry no tag.
	scopedBy string
}

// iamSharedResourceActions must, in every statement that allows them on one
// of their foreign resources, carry a condition that the resource carries the
// provider's tag (aws:ResourceTag) or that the request puts it on a new
// resource (aws:RequestTag); for a tagging action, aws:RequestTag alone counts
// only if iamRequestTagOnlyTagging lists the action. A statement that names
// the function's own resources (alias/aurora/*, *-rot-????????,
// serverlessrepo-rot-????????-*, a final snapshot, the default parameter
// groups a new instance references) matches no foreign sample and needs no
// condition.
//
// The alias actions need the alias and the key. The key's side is not
// tag-conditioned: KMS's ABAC lags a new key's tags by up to five minutes,
// and an alias adds no access to a key. The alias's side, alias/aurora/*, is
// the scope, so their sample is an alias outside it. CloudFormation stack
// tags change only inside the stack calls that carry them
// (cloudformation:CreateAction).
//
// Left out on purpose, and documented in docs/prerequisites.md:
//   - kms:EnableKeyRotation: it only turns rotation on, and TF calls it in the
//     same create as CreateKey, before KMS's ABAC sees the new key's tags (up
//     to five minutes, KMS developer guide, ABAC for AWS KMS).
//   - ec2:DeleteNetworkInterface, ec2:DetachNetworkInterface: the Lambda ENIs
//     that keep a rotator's security group alive carry no tags and no name.
//     EC2 deletes only detached ENIs, and detaching needs the instance too,
//     which the policy never names.
//   - the RDS-owned master secret (rds!cluster-*): RDS creates and tags it
//     with its own tags, not the provider's.
var iamSharedResourceActions = map[string]iamSharedResourceAction{
	"kms:PutKeyPolicy":                           {foreign: []string{iamForeignKey}},
	"kms:ScheduleKeyDeletion":                    {foreign: []string{iamForeignKey}},
	"kms:DisableKey":                             {foreign: []string{iamForeignKey}},
	"kms:DisableKeyRotation":                     {foreign: []string{iamForeignKey}},
	"kms:EnableKey":                              {foreign: []string{iamForeignKey}},
	"kms:UpdateKeyDescription":                   {foreign: []string{iamForeignKey}},
	"kms:TagResource":                            {foreign: []string{iamForeignKey}},
	"kms:UntagResource":                          {foreign: []string{iamForeignKey}},
	"kms:CreateAlias":                            {foreign: []string{iamForeignAlias}},
	"kms:UpdateAlias":                            {foreign: []string{iamForeignAlias}},
	"kms:DeleteAlias":                            {foreign: []string{iamForeignAlias}},
	"kms:CreateGrant":                            {foreign: []string{iamForeignKey}, scopedBy: "kms:GrantIsForAWSResource"},
	"rds:CreateDBCluster":                        {foreign: []string{iamForeignCluster}},
	"rds:ModifyDBCluster":                        {foreign: []string{iamForeignCluster}},
	"rds:DeleteDBCluster":                        {foreign: []string{iamForeignCluster}},
	"rds:CreateDBClusterSnapshot":                {foreign: []string{iamForeignCluster}},
	"rds:CreateDBInstance":                       {foreign: []string{iamForeignInstance}},
	"rds:ModifyDBInstance":                       {foreign: []string{iamForeignInstance}},
	"rds:RebootDBInstance":                       {foreign: []string{iamForeignInstance}},
	"rds:DeleteDBInstance":                       {foreign: []string{iamForeignInstance}},
	"rds:ModifyDBClusterParameterGroup":          {foreign: []string{iamForeignClusterPG}},
	"rds:ResetDBClusterParameterGroup":           {foreign: []string{iamForeignClusterPG}},
	"rds:DeleteDBClusterParameterGroup":          {foreign: []string{iamForeignClusterPG}},
	"rds:ModifyDBParameterGroup":                 {foreign: []string{iamForeignPG}},
	"rds:ResetDBParameterGroup":                  {foreign: []string{iamForeignPG}},
	"rds:DeleteDBParameterGroup":                 {foreign: []string{iamForeignPG}},
	"rds:ModifyDBSubnetGroup":                    {foreign: []string{iamForeignSubnetGroup}},
	"rds:DeleteDBSubnetGroup":                    {foreign: []string{iamForeignSubnetGroup}},
	"rds:ModifyEventSubscription":                {foreign: []string{iamForeignSubscription}},
	"rds:DeleteEventSubscription":                {foreign: []string{iamForeignSubscription}},
	"rds:AddSourceIdentifierToSubscription":      {foreign: []string{iamForeignSubscription}},
	"rds:RemoveSourceIdentifierFromSubscription": {foreign: []string{iamForeignSubscription}},
	"rds:CreateDBProxy":                          {foreign: []string{iamForeignProxy}},
	"rds:ModifyDBProxy":                          {foreign: []string{iamForeignProxy}},
	"rds:DeleteDBProxy":                          {foreign: []string{iamForeignProxy}},
	"rds:ModifyDBProxyTargetGroup":               {foreign: []string{iamForeignTargetGroup}},
	"rds:RegisterDBProxyTargets":                 {foreign: []string{iamForeignProxy, iamForeignTargetGroup, iamForeignCluster}},
	"rds:DeregisterDBProxyTargets":               {foreign: []string{iamForeignProxy, iamForeignTargetGroup, iamForeignCluster}},
	"rds:AddTagsToResource": {foreign: []string{
		iamForeignCluster, iamForeignInstance, iamForeignClusterPG, iamForeignPG, iamForeignSubnetGroup, iamForeignSubscription,
		iamForeignProxy, iamForeignTargetGroup,
	}},
	"rds:RemoveTagsFromResource": {foreign: []string{
		iamForeignCluster, iamForeignInstance, iamForeignClusterPG, iamForeignPG, iamForeignSubnetGroup, iamForeignSubscription,
		iamForeignProxy, iamForeignTargetGroup,
	}},
	"ec2:DeleteSecurityGroup":           {foreign: []string{iamForeignGroup}},
	"ec2:AuthorizeSecurityGroupIngress": {foreign: []string{iamForeignGroup}},
	"ec2:AuthorizeSecurityGroupEgress":  {foreign: []string{iamForeignGroup}},
	"ec2:RevokeSecurityGroupIngress":    {foreign: []string{iamForeignGroup}},
	"ec2:RevokeSecurityGroupEgress":     {foreign: []string{iamForeignGroup}},
	"ec2:ModifySecurityGroupRules":      {foreign: []string{iamForeignGroup}},
	"ec2:ModifyVpcEndpoint":             {foreign: []string{iamForeignEndpoint}},
	"ec2:DeleteVpcEndpoints":            {foreign: []string{iamForeignEndpoint}},
	// Tagging on create is scoped by the creating action instead.
	"ec2:CreateTags":                          {foreign: []string{iamForeignGroup, iamForeignGroupRule, iamForeignEndpoint}, scopedBy: "ec2:CreateAction"},
	"ec2:DeleteTags":                          {foreign: []string{iamForeignGroup, iamForeignGroupRule, iamForeignEndpoint}},
	"logs:CreateLogGroup":                     {foreign: []string{iamForeignLogGroup}},
	"logs:TagResource":                        {foreign: []string{iamForeignLogGroup}},
	"logs:DeleteLogGroup":                     {foreign: []string{iamForeignLogGroup}},
	"logs:PutRetentionPolicy":                 {foreign: []string{iamForeignLogGroup}},
	"logs:DeleteRetentionPolicy":              {foreign: []string{iamForeignLogGroup}},
	"logs:AssociateKmsKey":                    {foreign: []string{iamForeignLogGroup}},
	"logs:DisassociateKmsKey":                 {foreign: []string{iamForeignLogGroup}},
	"logs:PutMetricFilter":                    {foreign: []string{iamForeignLogGroup}},
	"logs:DeleteMetricFilter":                 {foreign: []string{iamForeignLogGroup}},
	"logs:UntagResource":                      {foreign: []string{iamForeignLogGroup}},
	"cloudwatch:PutMetricAlarm":               {foreign: []string{iamForeignAlarm}},
	"cloudwatch:DeleteAlarms":                 {foreign: []string{iamForeignAlarm}},
	"cloudwatch:TagResource":                  {foreign: []string{iamForeignAlarm}},
	"cloudwatch:UntagResource":                {foreign: []string{iamForeignAlarm}},
	"secretsmanager:CreateSecret":             {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:UpdateSecret":             {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:DeleteSecret":             {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:TagResource":              {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:UntagResource":            {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:PutResourcePolicy":        {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:DeleteResourcePolicy":     {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:PutSecretValue":           {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:GetSecretValue":           {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:UpdateSecretVersionStage": {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:RotateSecret":             {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"secretsmanager:CancelRotateSecret":       {foreign: []string{iamForeignSecret, iamForeignOldSecret}},
	"lambda:CreateFunction":                   {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	"lambda:UpdateFunctionCode":               {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	"lambda:UpdateFunctionConfiguration":      {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	"lambda:DeleteFunction":                   {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	"lambda:TagResource":                      {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	"lambda:UntagResource":                    {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	"lambda:InvokeFunction":                   {foreign: []string{iamForeignFunction, iamForeignFunction2}},
	// An existing rotator may have any name; only Secrets Manager is let in.
	"lambda:AddPermission":                         {foreign: []string{iamForeignFunction, iamForeignFunction2}, scopedBy: "lambda:Principal"},
	"lambda:RemovePermission":                      {foreign: []string{iamForeignFunction, iamForeignFunction2}, scopedBy: "lambda:Principal"},
	"iam:CreateRole":                               {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:DeleteRole":                               {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:UpdateRole":                               {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:UpdateAssumeRolePolicy":                   {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:PutRolePolicy":                            {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:DeleteRolePolicy":                         {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:AttachRolePolicy":                         {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:DetachRolePolicy":                         {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:TagRole":                                  {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:UntagRole":                                {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"iam:PassRole":                                 {foreign: []string{iamForeignRole, iamForeignRole2, iamForeignProxyRole}},
	"cloudformation:CreateChangeSet":               {foreign: []string{iamForeignStack}},
	"cloudformation:ExecuteChangeSet":              {foreign: []string{iamForeignStack}},
	"cloudformation:DeleteStack":                   {foreign: []string{iamForeignStack}},
	"cloudformation:TagResource":                   {foreign: []string{iamForeignStack}, scopedBy: "cloudformation:CreateAction"},
	"cloudformation:UntagResource":                 {foreign: []string{iamForeignStack}, scopedBy: "cloudformation:CreateAction"},
	"serverlessrepo:CreateCloudFormationChangeSet": {foreign: []string{iamForeignApplication}},
}

// iamTaggingActions put tags on a resource that may already exist. Each
// service here also checks its tagging action in a create call that carries
// tags, which is why the policies allow them with aws:RequestTag; but the
// same permission then lets the provider tag an existing resource, which the
// tag conditions on every other action then treat as its own.
var iamTaggingActions = []string{
	"kms:TagResource", "rds:AddTagsToResource", "ec2:CreateTags", "secretsmanager:TagResource",
	"lambda:TagResource", "iam:TagRole", "logs:TagResource", "logs:TagLogGroup",
	"cloudwatch:TagResource", "cloudformation:TagResource",
}

// iamRequestTagOnlyTagging lists the tagging actions a statement may allow
// with only an aws:RequestTag condition, and why. Such a statement lets the
// provider put its tag on any existing resource the statement's Resource
// matches, and so bring it into the reach of the aws:ResourceTag statements
// (docs/prerequisites.md, "What the tag does not stop"). A tagging action
// not listed here must be conditioned on the resource's tag, or on a key
// that tells a create from a later tagging call (ec2:CreateAction,
// cloudformation:CreateAction).
var iamRequestTagOnlyTagging = map[string]string{
	"kms:TagResource": "CreateKey with tags checks kms:TagResource, KMS has no key names and no create-action key, " +
		"and tag-on-create permission must not be limited to particular keys (KMS developer guide, tag permissions): " +
		"reaches every key whose key policy delegates to IAM",
	"rds:AddTagsToResource": "the RDS Create* calls with tags check rds:AddTagsToResource and RDS has no create-action key: " +
		"reaches every cluster, instance, cluster parameter group, subnet group and proxy, and the aurora-* event subscriptions",
	"secretsmanager:TagResource": "CreateSecret with tags checks secretsmanager:TagResource: " +
		"reaches secrets named like a master secret, aurora/<id>/master-*",
	"cloudwatch:TagResource": "PutMetricAlarm with tags checks cloudwatch:TagResource: reaches alarms named aurora-*",
	"logs:TagResource":       "CreateLogGroup with tags checks logs:TagResource: reaches log groups under /aws/rds/cluster/",
	"lambda:TagResource": "CreateFunction with tags checks lambda:TagResource (the S3 rotator): " +
		"reaches functions named *-rot-<8 hex> or *-rotator",
	"iam:TagRole": "CreateRole with tags checks iam:TagRole (the S3 rotator's role, the proxy's role): " +
		"reaches roles named *-rot-<8 hex>, *-rotator or *-proxy",
}

// iamIsTaggingAction reports whether action is one of iamTaggingActions.
func iamIsTaggingAction(action string) bool {
	for _, t := range iamTaggingActions {
		if strings.EqualFold(t, action) {
			return true
		}
	}
	return false
}

// iamTagConditionedOn reports whether s holds only when the key
// aws:<kind>/crossplane-providerconfig is present: a Null check that it is
// present, or a String match on its value. ...IfExists operators and set
// operators hold without the key, so they do not count.
func iamTagConditionedOn(s iamPolicyStatement, kind string) bool {
	for op, kv := range s.Condition {
		for k, v := range kv {
			if !strings.EqualFold(k, "aws:"+kind+"/"+iamTagKey) {
				continue
			}
			switch op {
			case "Null":
				if v == "false" || v == false {
					return true
				}
			case "StringEquals", "StringLike":
				if iamConditionValuesNonEmpty(v) {
					return true
				}
			}
		}
	}
	return false
}

// iamTagConditioned reports whether s scopes action to what the provider
// created: the resource carries the provider's tag (aws:ResourceTag), or,
// except for a tagging action not in iamRequestTagOnlyTagging, the request
// puts it on a resource it creates (aws:RequestTag).
func iamTagConditioned(s iamPolicyStatement, action string) bool {
	if iamTagConditionedOn(s, "ResourceTag") {
		return true
	}
	if !iamTagConditionedOn(s, "RequestTag") {
		return false
	}
	return !iamIsTaggingAction(action) || iamRequestTagOnlyTagging[action] != ""
}

// iamRequestTagOnly reports whether s's only conditions are on the request's
// tags (aws:RequestTag, aws:TagKeys), one of them the provider's tag.
func iamRequestTagOnly(s iamPolicyStatement) bool {
	if !iamTagConditionedOn(s, "RequestTag") || iamTagConditionedOn(s, "ResourceTag") {
		return false
	}
	for _, kv := range s.Condition {
		for k := range kv {
			if !strings.HasPrefix(strings.ToLower(k), "aws:requesttag/") && !strings.EqualFold(k, "aws:TagKeys") {
				return false
			}
		}
	}
	return true
}

// iamRequestTagOnlyTaggingActions returns, for every tagging action some
// statement of p allows with only a request-tag condition, those
// statements' Sids.
func iamRequestTagOnlyTaggingActions(p iamPolicy) map[string][]string {
	found := map[string][]string{}
	for _, s := range p.Statement {
		if s.Effect != "Allow" || !iamRequestTagOnly(s) {
			continue
		}
		for _, t := range iamTaggingActions {
			for _, a := range s.Action {
				if iamActionMatches(a, t) {
					found[t] = append(found[t], s.Sid)
					break
				}
			}
		}
	}
	return found
}

// iamRequestTagOnlyTaggingProblems returns every statement of p that allows
// a tagging action with only a request-tag condition although
// iamRequestTagOnlyTagging does not list it.
func iamRequestTagOnlyTaggingProblems(p iamPolicy) []string {
	found := iamRequestTagOnlyTaggingActions(p)
	var problems []string
	for _, t := range iamTaggingActions {
		if iamRequestTagOnlyTagging[t] != "" {
			continue
		}
		for _, sid := range found[t] {
			problems = append(problems, fmt.Sprintf("%s allows %s with only aws:RequestTag/%s: that tags existing resources too; list it in iamRequestTagOnlyTagging with the reason, or condition it on the resource", sid, t, iamTagKey))
		}
	}
	return problems
}

// iamConditionedOn reports whether s has a condition on key that holds only
// when the key is in the request.
func iamConditionedOn(s iamPolicyStatement, key string) bool {
	for op, kv := range s.Condition {
		if strings.HasSuffix(op, "IfExists") || op == "Null" {
			continue
		}
		for k, v := range kv {
			if strings.EqualFold(k, key) && iamConditionValuesNonEmpty(v) {
				return true
			}
		}
	}
	return false
}

func iamConditionValuesNonEmpty(v any) bool {
	switch v := v.(type) {
	case string:
		return v != ""
	case bool:
		return true
	case []any:
		return len(v) > 0
	}
	return false
}

// iamResourceMatches reports whether a policy's Resource pattern, with its *
// and ? wildcards, matches an ARN. Unlike actions, ARNs are case-sensitive.
func iamResourceMatches(pattern, arn string) bool {
	return iamGlobMatch(pattern, arn)
}

// iamUnscopedSharedActions returns every statement of p that allows one of
// iamSharedResourceActions on one of its foreign resources without the tag
// condition (or the action's own scoping condition).
func iamUnscopedSharedActions(p iamPolicy) []string {
	var problems []string
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, action := range iamSortedKeys(iamSharedResourceActionNames()) {
			sa := iamSharedResourceActions[action]
			if iamTagConditioned(s, action) || sa.scopedBy != "" && iamConditionedOn(s, sa.scopedBy) {
				continue
			}
			allowed := false
			for _, a := range s.Action {
				if iamActionMatches(a, action) {
					allowed = true
				}
			}
			if !allowed {
				continue
			}
			for _, f := range sa.foreign {
				for _, r := range s.Resource {
					if iamResourceMatches(r, f) {
						problems = append(problems, fmt.Sprintf("%s allows %s on %s (%s) without a condition on aws:ResourceTag/%s or aws:RequestTag/%s", s.Sid, action, f, r, iamTagKey, iamTagKey))
					}
				}
			}
		}
	}
	return problems
}

func iamSharedResourceActionNames() map[string]bool {
	m := make(map[string]bool, len(iamSharedResourceActions))
	for a := range iamSharedResourceActions {
		m[a] = true
	}
	return m
}

// iamAttachablePolicies are the only managed policies the provider may attach
// to a role: the S3 rotator's role gets the VPC access policy
// (rotator.go, rotatorVPCAccess), and the role the Serverless Application
// Repository stack creates gets what SAM attaches to a function's generated
// role: AWSLambdaBasicExecutionRole always, AWSLambdaVPCAccessExecutionRole
// with VpcConfig (aws/serverless-application-model,
// samtranslator/model/sam_resources.py, _construct_role); the template's
// other policies (VPCAccessPolicy, AWSSecretsManagerRotationPolicy, the KMS
// statement) are inline.
var iamAttachablePolicies = map[string]bool{
	"arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole": true,
	"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole":     true,
	// The Enhanced Monitoring role gets AWS's policy for it (monitoring_role.go).
	"arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole": true,
}

// iamAttachPolicyProblems returns every statement of p that allows attaching
// or detaching a managed policy without an iam:PolicyARN condition limited to
// iamAttachablePolicies.
func iamAttachPolicyProblems(p iamPolicy) []string {
	var problems []string
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		attaches := false
		for _, a := range s.Action {
			if iamActionMatches(a, "iam:AttachRolePolicy") || iamActionMatches(a, "iam:DetachRolePolicy") {
				attaches = true
			}
		}
		if !attaches {
			continue
		}
		var arns []string
		for _, op := range []string{"ArnEquals", "StringEquals"} {
			for k, v := range s.Condition[op] {
				if !strings.EqualFold(k, "iam:PolicyARN") {
					continue
				}
				switch v := v.(type) {
				case string:
					arns = append(arns, v)
				case []any:
					for _, e := range v {
						arns = append(arns, fmt.Sprint(e))
					}
				}
			}
		}
		if len(arns) == 0 {
			problems = append(problems, fmt.Sprintf("%s attaches or detaches any policy: no ArnEquals iam:PolicyARN condition", s.Sid))
		}
		for _, a := range arns {
			if !iamAttachablePolicies[a] {
				problems = append(problems, fmt.Sprintf("%s attaches or detaches %s", s.Sid, a))
			}
		}
	}
	return problems
}

// TestProviderIAMPolicyScopesSharedResources checks that no published policy
// lets the provider modify, delete or retag what it did not create: every
// destructive or mutating action on a shared resource type is conditioned on
// the provider's tag or limited to the function's own names, and managed
// policies are attached only from a fixed list. A future edit that widens one
// fails here.
func TestProviderIAMPolicyScopesSharedResources(t *testing.T) {
	_, policies, union := providerIAMPolicies(t)
	for _, f := range providerIAMPolicyFiles {
		t.Run(f, func(t *testing.T) {
			if got := iamUnscopedSharedActions(policies[f]); len(got) > 0 {
				t.Errorf("\n%s lets the provider act on resources it did not create:\n%s", f, strings.Join(got, "\n"))
			}
			if got := iamAttachPolicyProblems(policies[f]); len(got) > 0 {
				t.Errorf("\n%s:\n%s", f, strings.Join(got, "\n"))
			}
			if got := iamRequestTagOnlyTaggingProblems(policies[f]); len(got) > 0 {
				t.Errorf("\n%s lets the provider tag existing resources:\n%s", f, strings.Join(got, "\n"))
			}
		})
	}
	t.Run("EveryRequestTagOnlyTaggingExceptionIsUsed", func(t *testing.T) {
		// An exception no statement needs is one a later edit could
		// silently start using.
		used := iamRequestTagOnlyTaggingActions(union)
		var stale []string
		for a := range iamRequestTagOnlyTagging {
			if len(used[a]) == 0 {
				stale = append(stale, a)
			}
		}
		sort.Strings(stale)
		if diff := cmp.Diff([]string(nil), stale); diff != "" {
			t.Errorf("\niamRequestTagOnlyTagging lists actions no statement allows with only aws:RequestTag: -want, +got:\n%s", diff)
		}
		for _, a := range iamTaggingActions {
			if len(used[a]) > 0 {
				t.Logf("%s with only aws:RequestTag in %v: %s", a, used[a], iamRequestTagOnlyTagging[a])
			}
		}
	})
	t.Run("EveryTableActionIsAllowed", func(t *testing.T) {
		// An entry for an action no policy allows checks nothing: the
		// table is stale or the policy lost a permission.
		var stale []string
		for a := range iamSharedResourceActions {
			if !iamAllowed(union, a) {
				stale = append(stale, a)
			}
		}
		sort.Strings(stale)
		if diff := cmp.Diff([]string(nil), stale); diff != "" {
			t.Errorf("\niamSharedResourceActions lists actions no policy allows: -want, +got:\n%s", diff)
		}
	})
}

// TestIAMScopingChecks checks that the scoping checks catch what they are
// meant to.
func TestIAMScopingChecks(t *testing.T) {
	policy := func(s string) iamPolicy {
		var p iamPolicy
		if err := json.Unmarshal([]byte(`{"Version":"2012-10-17","Statement":[`+s+`]}`), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const hasTag = `"Condition":{"Null":{"aws:ResourceTag/crossplane-providerconfig":"false"}}`
	cases := map[string]struct {
		reason string
		p      iamPolicy
		want   []string
	}{
		"BareKeyWildcard": {
			reason: "Scheduling deletion of every key/* in the account is what the review found.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"kms:ScheduleKeyDeletion","Resource":"arn:aws:kms:*:*:key/*"}`),
			want:   []string{"A allows kms:ScheduleKeyDeletion on " + iamForeignKey + " (arn:aws:kms:*:*:key/*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig"},
		},
		"TaggedKeys": {
			reason: "The same action on keys that carry the provider's tag is scoped.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"kms:ScheduleKeyDeletion","Resource":"arn:aws:kms:*:*:key/*",` + hasTag + `}`),
		},
		"RequestTagOnCreate": {
			reason: "Creating only with the tag in the request is scoped.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"rds:CreateDBCluster","Resource":"arn:aws:rds:*:*:cluster:*","Condition":{"StringLike":{"aws:RequestTag/crossplane-providerconfig":"*"}}}`),
		},
		"RequestTagOnlyTaggingListed": {
			reason: "RDS checks AddTagsToResource in a create with tags; iamRequestTagOnlyTagging accepts it with only the request tag, and says why.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":["rds:CreateDBCluster","rds:AddTagsToResource"],"Resource":"arn:aws:rds:*:*:cluster:*","Condition":{"Null":{"aws:RequestTag/crossplane-providerconfig":"false"}}}`),
		},
		"RequestTagOnlyTaggingNotListed": {
			reason: "A tagging action with only the request tag tags existing resources too: unless listed, it is not scoped.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:ec2:*:*:security-group/*","Condition":{"Null":{"aws:RequestTag/crossplane-providerconfig":"false"}}}`),
			want: []string{
				"A allows ec2:CreateTags on " + iamForeignGroup + " (arn:aws:ec2:*:*:security-group/*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig",
				"A allows ec2:CreateTags with only aws:RequestTag/crossplane-providerconfig: that tags existing resources too; list it in iamRequestTagOnlyTagging with the reason, or condition it on the resource",
			},
		},
		"RequestTagOnlyTaggingByWildcard": {
			reason: "A wildcard action that covers an unlisted tagging action is caught too.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"cloudformation:Tag*","Resource":"arn:aws:cloudformation:*:*:stack/serverlessrepo-rot-????????/*","Condition":{"StringLike":{"aws:RequestTag/crossplane-providerconfig":"*"}}}`),
			want:   []string{"A allows cloudformation:TagResource with only aws:RequestTag/crossplane-providerconfig: that tags existing resources too; list it in iamRequestTagOnlyTagging with the reason, or condition it on the resource"},
		},
		"TaggingOnResourceTag": {
			reason: "Tagging what already carries the provider's tag is scoped.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:ec2:*:*:security-group/*",` + hasTag + `}`),
		},
		"StackTagsInStackCalls": {
			reason: "CloudFormation stack tags changed only inside the stack calls are scoped by cloudformation:CreateAction.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":["cloudformation:TagResource","cloudformation:UntagResource"],"Resource":"arn:aws:cloudformation:*:*:stack/*","Condition":{"StringEquals":{"cloudformation:CreateAction":["CreateChangeSet","ExecuteChangeSet"]}}}`),
		},
		"AliasOutsideAurora": {
			reason: "The alias side is the scope of the alias actions: alias/* reaches other teams' aliases.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"kms:UpdateAlias","Resource":["arn:aws:kms:*:*:alias/*","arn:aws:kms:*:*:key/*"]}`),
			want:   []string{"A allows kms:UpdateAlias on " + iamForeignAlias + " (arn:aws:kms:*:*:alias/*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig"},
		},
		"IfExistsIsNotScoping": {
			reason: "An ...IfExists condition holds on resources without the tag.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"rds:DeleteDBCluster","Resource":"*","Condition":{"StringLikeIfExists":{"aws:ResourceTag/crossplane-providerconfig":"*"}}}`),
			want:   []string{"A allows rds:DeleteDBCluster on " + iamForeignCluster + " (*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig"},
		},
		"NullTrueIsNotScoping": {
			reason: "Null true asks for resources without the tag.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"ec2:RevokeSecurityGroupIngress","Resource":"arn:aws:ec2:*:*:security-group/*","Condition":{"Null":{"aws:ResourceTag/crossplane-providerconfig":"true"}}}`),
			want:   []string{"A allows ec2:RevokeSecurityGroupIngress on " + iamForeignGroup + " (arn:aws:ec2:*:*:security-group/*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig"},
		},
		"ContainsRot": {
			reason: "A name that merely contains -rot matches other teams' functions.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"lambda:DeleteFunction","Resource":"arn:aws:lambda:*:*:function:*-rot*"}`),
			want: []string{
				"A allows lambda:DeleteFunction on " + iamForeignFunction + " (arn:aws:lambda:*:*:function:*-rot*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig",
				"A allows lambda:DeleteFunction on " + iamForeignFunction2 + " (arn:aws:lambda:*:*:function:*-rot*) without a condition on aws:ResourceTag/crossplane-providerconfig or aws:RequestTag/crossplane-providerconfig",
			},
		},
		"IncarnationNames": {
			reason: "The function's own names, with their 8 hex digits, match no other team's function.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":["lambda:DeleteFunction","iam:DeleteRole"],"Resource":["arn:aws:lambda:*:*:function:*-rot-????????","arn:aws:iam::*:role/serverlessrepo-rot-????????-*"]}`),
		},
		"ReferencedResourceOnly": {
			reason: "Naming the default parameter group a new instance references does not let the provider modify others' instances.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":["rds:CreateDBInstance","rds:ModifyDBInstance"],"Resource":"arn:aws:rds:*:*:pg:default.*"}`),
		},
		"ScopedByOwnCondition": {
			reason: "Adding a permission for Secrets Manager on an existing rotator of any name is scoped by the principal.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"lambda:AddPermission","Resource":"arn:aws:lambda:*:*:function:*","Condition":{"StringEquals":{"lambda:Principal":"secretsmanager.amazonaws.com"}}}`),
		},
		"TagOnCreateOnly": {
			reason: "EC2 tags on create are scoped by the creating action.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:ec2:*:*:security-group/*","Condition":{"StringEquals":{"ec2:CreateAction":"CreateSecurityGroup"}}}`),
		},
		"AttachAnyPolicy": {
			reason: "Attaching any policy to a rotator role would make it an administrator.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::*:role/*-rot-????????",` + hasTag + `}`),
			want:   []string{"A attaches or detaches any policy: no ArnEquals iam:PolicyARN condition"},
		},
		"AttachOtherPolicy": {
			reason: "Only the Lambda execution policies may be attached.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":"iam:*RolePolicy","Resource":"arn:aws:iam::*:role/*-rot-????????","Condition":{"ArnEquals":{"iam:PolicyARN":["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole","arn:aws:iam::aws:policy/AdministratorAccess"]},"Null":{"aws:ResourceTag/crossplane-providerconfig":"false"}}}`),
			want:   []string{"A attaches or detaches arn:aws:iam::aws:policy/AdministratorAccess"},
		},
		"AttachLambdaPolicies": {
			reason: "The Lambda execution policies are what the rotators need.",
			p:      policy(`{"Sid":"A","Effect":"Allow","Action":["iam:AttachRolePolicy","iam:DetachRolePolicy"],"Resource":"arn:aws:iam::*:role/serverlessrepo-rot-????????-*","Condition":{"ArnEquals":{"iam:PolicyARN":["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole","arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]}}}`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := append(iamUnscopedSharedActions(tc.p), iamAttachPolicyProblems(tc.p)...)
			got = append(got, iamRequestTagOnlyTaggingProblems(tc.p)...)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\nscoping problems: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

const (
	// iamInlinePoliciesMaxChars is IAM's limit for all of a role's inline
	// policies together.
	iamInlinePoliciesMaxChars = 10240

	// iamNarrowRecipe is the shell recipe docs/prerequisites.md gives for
	// fixing Region, account and ProviderConfig in the policies; iamNarrow
	// applies it as sed does.
	iamNarrowRecipe = `region=us-east-1 account=111122223333 providerconfig=default
for f in docs/provider-iam-policy*.json; do
  sed -e "s/:\*:\*:/:$region:$account:/g" -e "s/iam::\*:/iam::$account:/g" \
      -e "s/\.\*\.amazonaws\.com/.$region.amazonaws.com/g" \
      -e 's/"Null": {/"StringEquals": {/' \
      -e "s/\(Tag\/crossplane-providerconfig\": \)\"false\"/\1\"$providerconfig\"/" \
      "$f" > "narrowed-$(basename "$f")"
done`

	// iamNarrowPartitionRecipe is the doc's further step for aws-us-gov.
	iamNarrowPartitionRecipe = `sed -i -e 's/arn:aws:/arn:aws-us-gov:/g' \
    -e 's/serverlessrepo:us-east-1:297356227824:/serverlessrepo:us-gov-west-1:023102451235:/' narrowed-*.json`

	// iamSplitRecipe is the doc's jq command that moves the statements whose
	// Sid starts with a prefix out of a narrowed file (%[1]s the prefix, %[2]s
	// the file, %[3]s the new file's suffix).
	iamSplitRecipe = `jq '.Statement |= map(select(.Sid | startswith("%[1]s")))' narrowed-%[2]s.json > narrowed-%[2]s-%[3]s.json
jq '.Statement |= map(select(.Sid | startswith("%[1]s") | not))' narrowed-%[2]s.json > narrowed-%[2]s-rest.json`
)

// iamNarrowing is one way of filling in the doc's recipe.
type iamNarrowing struct {
	partition, region, account, providerConfig string
}

// iamNarrowingExample is the doc's own example.
var iamNarrowingExample = iamNarrowing{partition: "aws", region: "us-east-1", account: "111122223333", providerConfig: "default"}

// iamNarrowingWorst are the longest values the recipe can be filled in with
// for the partitions the function composes: the longest Region names of aws
// (14 characters: ap-southeast-2, ap-northeast-3, ...) and aws-us-gov, whose
// ARNs are also 7 characters longer, and a ProviderConfig name of 253
// characters, the most Kubernetes allows an object name.
var iamNarrowingWorst = []iamNarrowing{
	{partition: "aws", region: "ap-southeast-2", account: "111122223333", providerConfig: strings.Repeat("p", 253)},
	{partition: "aws-us-gov", region: "us-gov-west-1", account: "111122223333", providerConfig: strings.Repeat("p", 253)},
}

// iamSplitPrefixes says which statements the doc moves out of which file when
// a narrowed file is over the managed policy limit: by Sid prefix.
var iamSplitPrefixes = map[string]string{
	"docs/provider-iam-policy.json":         "EC2",
	"docs/provider-iam-policy-rotator.json": "IAM",
}

// iamNarrow applies the doc's recipe to a policy file as sed would: the
// "Null" substitution has no g flag, so it changes the first match on a line.
func iamNarrow(raw []byte, n iamNarrowing) []byte {
	t := string(raw)
	t = strings.ReplaceAll(t, ":*:*:", ":"+n.region+":"+n.account+":")
	t = strings.ReplaceAll(t, "iam::*:", "iam::"+n.account+":")
	t = strings.ReplaceAll(t, ".*.amazonaws.com", "."+n.region+".amazonaws.com")
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		l = strings.Replace(l, `"Null": {`, `"StringEquals": {`, 1)
		lines[i] = strings.Replace(l, `Tag/crossplane-providerconfig": "false"`, `Tag/crossplane-providerconfig": "`+n.providerConfig+`"`, 1)
	}
	t = strings.Join(lines, "\n")
	if n.partition == "aws-us-gov" {
		t = strings.ReplaceAll(t, "arn:aws:", "arn:aws-us-gov:")
		t = strings.Replace(t, "serverlessrepo:us-east-1:297356227824:", "serverlessrepo:us-gov-west-1:023102451235:", 1)
	}
	return []byte(t)
}

// iamSplit returns the statements of raw whose Sid starts with prefix, and
// the rest, as two policies.
func iamSplit(t *testing.T, raw []byte, prefix string) ([]byte, []byte) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	statements, _ := doc["Statement"].([]any)
	var with, without []any
	for _, s := range statements {
		sid, _ := s.(map[string]any)["Sid"].(string)
		if strings.HasPrefix(sid, prefix) {
			with = append(with, s)
		} else {
			without = append(without, s)
		}
	}
	part := func(ss []any) []byte {
		b, err := json.Marshal(map[string]any{"Version": doc["Version"], "Statement": ss})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return part(with), part(without)
}

// iamDuplicateKeys returns every object key that occurs twice in one JSON
// object of raw: encoding/json keeps the last, IAM refuses the document.
func iamDuplicateKeys(raw []byte) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	type object struct{ keys map[string]bool }
	var stack []*object
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1] != nil }
	var dups []string
	inValue := map[int]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return dups, nil
		}
		if err != nil {
			return dups, err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				inValue[len(stack)] = false
				stack = append(stack, &object{keys: map[string]bool{}})
			case '[':
				inValue[len(stack)] = false
				stack = append(stack, nil)
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if expectKey() && !inValue[len(stack)] {
				o := stack[len(stack)-1]
				if o.keys[v] {
					dups = append(dups, v)
				}
				o.keys[v] = true
				inValue[len(stack)] = true
				continue
			}
		}
		if expectKey() {
			inValue[len(stack)] = false
		}
	}
}

// TestProviderIAMPolicyNarrowing checks the doc's recipe for narrowing the
// policies to a Region, an account and a ProviderConfig: it yields valid
// policies with every tag condition narrowed; with the doc's example values
// each file stays within IAM's managed policy limit; with the longest values
// each file fits as an inline policy on its own, and within the managed
// policy limit once split as the doc says. The doc's sizes are checked too.
func TestProviderIAMPolicyNarrowing(t *testing.T) {
	raws, _, _ := providerIAMPolicies(t)
	docBytes, err := os.ReadFile("docs/prerequisites.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(docBytes)
	for name, recipe := range map[string]string{"Narrowing": iamNarrowRecipe, "Partition": iamNarrowPartitionRecipe} {
		if !iamDocContains(doc, recipe) {
			t.Errorf("docs/prerequisites.md does not give the %s recipe this test applies:\n%s", name, recipe)
		}
	}
	check := func(t *testing.T, what string, raw []byte, limit int) int {
		t.Helper()
		var p iamPolicy
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&p); err != nil {
			t.Errorf("%s: not a valid policy: %v", what, err)
		}
		if dups, err := iamDuplicateKeys(raw); err != nil || len(dups) > 0 {
			t.Errorf("%s: duplicate keys %v (%v): IAM refuses the document", what, dups, err)
		}
		if strings.Contains(string(raw), `"Null"`) || strings.Contains(string(raw), `crossplane-providerconfig": "false"`) {
			t.Errorf("%s: a Null condition is left: the recipe did not narrow every tag condition", what)
		}
		n := iamPolicySize(raw)
		if n > limit {
			t.Errorf("%s: %d characters without white space, over %d", what, n, limit)
		}
		return n
	}
	total := 0
	for _, f := range providerIAMPolicyFiles {
		t.Run(f, func(t *testing.T) {
			base := strings.TrimSuffix(filepath.Base(f), ".json")
			shipped := iamPolicySize(raws[f])
			total += shipped
			example := check(t, "example", iamNarrow(raws[f], iamNarrowingExample), iamManagedPolicyMaxChars)
			worst, split := 0, "not needed"
			var worstParts [2]int
			for _, n := range iamNarrowingWorst {
				narrowed := iamNarrow(raws[f], n)
				prefix, splits := iamSplitPrefixes[f]
				limit := iamManagedPolicyMaxChars
				if splits {
					limit = iamInlinePoliciesMaxChars
				}
				worst = max(worst, check(t, n.partition+" "+n.region, narrowed, limit))
				if !splits {
					continue
				}
				with, without := iamSplit(t, narrowed, prefix)
				worstParts[0] = max(worstParts[0], check(t, n.partition+" "+n.region+" "+prefix+" statements", with, iamManagedPolicyMaxChars))
				worstParts[1] = max(worstParts[1], check(t, n.partition+" "+n.region+" other statements", without, iamManagedPolicyMaxChars))
			}
			if prefix, splits := iamSplitPrefixes[f]; splits {
				if recipe := fmt.Sprintf(iamSplitRecipe, prefix, base, strings.ToLower(prefix)); !iamDocContains(doc, recipe) {
					t.Errorf("docs/prerequisites.md does not give the split this test checks:\n%s", recipe)
				}
				split = fmt.Sprintf("%s statements %s, the rest %s", prefix, iamThousands(worstParts[0]), iamThousands(worstParts[1]))
			}
			row := fmt.Sprintf("| `%s.json` | %s | %s | %s | %s |", base, iamThousands(shipped), iamThousands(example), iamThousands(worst), split)
			if !strings.Contains(doc, row) {
				t.Errorf("docs/prerequisites.md does not have this row in its table of sizes:\n%s", row)
			}
			t.Logf("%s: shipped %d, narrowed (example) %d, narrowed (worst) %d, %s", f, shipped, example, worst, split)
		})
	}
	if together := fmt.Sprintf("together they have %s characters", iamThousands(total)); !strings.Contains(doc, together) {
		t.Errorf("docs/prerequisites.md does not say %q", together)
	}
}

// iamDocContains reports whether doc holds snippet, ignoring each line's
// indentation: the doc indents code blocks inside list items.
func iamDocContains(doc, snippet string) bool {
	dedent := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimLeft(l, " \t")
		}
		return strings.Join(lines, "\n")
	}
	return strings.Contains(dedent(doc), dedent(snippet))
}

// iamThousands formats n as the doc does: 12,345.
func iamThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestIAMDuplicateKeys checks the duplicate key detection the narrowing test
// relies on.
func TestIAMDuplicateKeys(t *testing.T) {
	cases := map[string]struct {
		reason string
		raw    string
		want   []string
	}{
		"TwoOperators": {
			reason: "Narrowing a Null next to a StringEquals gives one condition two StringEquals.",
			raw:    `{"Condition":{"StringEquals":{"a":"1"},"StringEquals":{"b":"2"}}}`,
			want:   []string{"StringEquals"},
		},
		"SameKeyInSiblings": {
			reason: "The same key in two statements is no duplicate.",
			raw:    `{"Statement":[{"Sid":"A","Action":["x"]},{"Sid":"B","Action":"y"}]}`,
		},
		"KeyEqualToValue": {
			reason: "A value equal to a key name is not a key.",
			raw:    `{"Sid":"Sid","Effect":{"Sid":"Effect"}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := iamDuplicateKeys([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\niamDuplicateKeys(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
