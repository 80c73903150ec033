package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// awsRules are the rules TestAWSRules checks. Add a rule here and a good and
// a bad case to TestAWSRulesSelfTest.
var awsRules = []awsRule{
	{
		ID:        "ReferencesResolve",
		Statement: "Every reference selector (and every Usage's of/by) selects, with matchControllerRef, exactly one resource of the same desired state by its component label, of the kind the provider's reference marker names.",
		Citations: []string{
			"https://docs.crossplane.io/latest/managed-resources/managed-resources/#referencing-other-resources",
			"https://github.com/crossplane/upjet/blob/main/docs/configuring-a-resource.md#cross-resource-referencing",
			"https://docs.crossplane.io/latest/managed-resources/usages/",
		},
		Check: checkReferencesResolve,
	},
	{
		ID:        "RegionAndPartition",
		Statement: "Every forProvider.region is spec.region; every ARN is in spec.region's partition and, unless global, its region; every regional *.amazonaws.* host uses that region and the partition's DNS suffix; VPC endpoint service names are the partition's form for that region.",
		Citations: []string{
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html",
			"https://github.com/aws/aws-sdk-go-v2/blob/main/internal/endpoints/awsrulesfn/partitions.json",
			"https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html",
			"https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html",
			"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/serverlessapplicationrepository_cloudformation_stack",
		},
		Check: checkRegionAndPartition,
	},
	{
		ID:        "SecurityGroupNames",
		Statement: "EC2 security group names do not start with sg-; names and descriptions are at most 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*.",
		Citations: []string{
			"https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
		},
		Check: checkSecurityGroupNames,
	},
	{
		ID:        "PolicyDocuments",
		Statement: `Every policy document parses, has Version 2012-10-17, and no Allow grants Action "*" or "service:*", Principal "*", NotAction/NotResource/NotPrincipal, or (outside KMS key and trust policies) Resource "*" for actions that support resource-level permissions.`,
		Citations: []string{
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
			"https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html",
			"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
		},
		Check: checkPolicyDocuments,
	},
	{
		ID:        "TagsWithinLimit",
		Statement: "Every tags map leaves room for the provider's own crossplane-* tags within AWS's 50 per resource, uses none of their keys, and has keys of 1-128 characters (127 on EC2) not starting with aws: and values of at most 256.",
		Citations: []string{
			"https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions",
			"https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html",
			"https://github.com/crossplane/upjet/blob/main/pkg/config/resource.go (setExternalTagsWithPaved: crossplane-kind, crossplane-name, crossplane-providerconfig)",
			"https://github.com/crossplane-contrib/provider-upjet-aws/blob/main/config/namespaced/overrides.go (AddExternalTagsField: config.TagInitializer)",
		},
		Check: checkTagsWithinLimit,
	},
	{
		ID:        "LogGroupsBeforeCluster",
		Statement: "A call that composes the rds Cluster for the first time has observed every log group it exports to (/aws/rds/cluster/<id>/<export>) Ready.",
		Citations: []string{
			"https://github.com/terraform-aws-modules/terraform-aws-rds-aurora/issues/484",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.CloudWatch.html",
		},
		Check: checkLogGroupsBeforeCluster,
	},
	{
		ID:        "NoAuroraInvalidClusterFields",
		Statement: "The rds Cluster never carries dbClusterInstanceClass, allocatedStorage, iops or clusterMembers; ClusterInstance never carries engineVersion; every ClusterParameterGroup parameter sets applyMethod.",
		Citations: []string{
			"https://github.com/crossplane-contrib/provider-upjet-aws/issues/901",
			"https://github.com/crossplane-contrib/provider-upjet-aws/issues/2052",
			"https://github.com/crossplane-contrib/provider-upjet-aws/issues/1326",
			"https://github.com/crossplane-contrib/provider-upjet-aws/issues/1286",
			"https://github.com/crossplane-contrib/provider-upjet-aws/pull/2182",
		},
		Check: checkNoAuroraInvalidClusterFields,
	},
	ruleParameterApplyMethods,
	ruleTLSForced,
	ruleLabelValues,
	{
		ID:        "NoPasswordInDesired",
		Statement: "No desired resource but the bootstrap v1 Secret (bootstrap-secret), and neither the XR's status nor its connection details, contains the bootstrap password.",
		Citations: []string{
			"https://github.com/hashicorp/terraform-provider-aws/issues/25168",
			"https://github.com/terraform-aws-modules/terraform-aws-secrets-manager/issues/24",
			"https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
		},
		Check: checkNoPasswordInDesired,
	},
}

// ReferencesResolve.

// checkReferencesResolve: a selector that matches nothing leaves the
// resource unresolved forever, one that matches several resolves to
// whichever the provider lists first, and one of the wrong kind is never
// matched at all (the provider lists only the marked kind). A selector
// without matchControllerRef can pick another XR's resource carrying the
// same component label in the namespace.
func checkReferencesResolve(s *ruleState) []ruleFinding {
	idx, err := providerReferences()
	if err != nil {
		return []ruleFinding{{Message: fmt.Sprintf("cannot read the provider's reference markers: %v", err)}}
	}
	return referencesResolve(idx, s)
}

// referencesResolve checks a state's selectors against an index of the
// provider's types.
func referencesResolve(idx providerReferenceIndex, s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, name := range s.desiredNames() {
		obj := s.Desired[name]
		if isUsageObject(obj) {
			out = append(out, checkUsageSelects(s, name, obj)...)
			continue
		}
		kind := objKindOf(obj)
		forEachSelector(obj, func(path, schemaPath string, sel map[string]any) {
			add := func(format string, a ...any) {
				out = append(out, ruleFinding{Resource: name, Message: path + " " + fmt.Sprintf(format, a...)})
			}
			info, known := idx[kind]
			var ref providerReference
			ok := false
			if known {
				ref, ok = info.Refs[schemaPath]
			}
			switch {
			case !known:
				add("is a selector of %s, a kind whose provider types are not in %s: add it to internal/aws/kinds.txt", kind, providerTypesDir)
				return
			case !ok:
				add("is not a reference selector of %s in the provider's types", kind)
				return
			case !ref.Marked:
				add("has no +crossplane:generate:reference:type marker in the provider's types (%s), so what it selects is unknown", ref.Source)
				return
			}
			matches, problem := selectMatches(s, sel)
			if problem != "" {
				add("%s", problem)
				return
			}
			if len(matches) != 1 {
				add("must select exactly one composed resource, selects %d%s", len(matches), listNames(matches))
				return
			}
			if got := objKindOf(s.Desired[matches[0]]); got != ref.Target {
				add("selects %q, a %s, but the provider resolves it among %s", matches[0], got, ref.Target)
			}
		})
	}
	return out
}

// forEachSelector calls fn for every reference selector in obj's spec: an
// object under a key ending in "Selector". path has list indices,
// schemaPath does not.
func forEachSelector(obj map[string]any, fn func(path, schemaPath string, sel map[string]any)) {
	var walk func(v any, path, schemaPath string)
	walk = func(v any, path, schemaPath string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedMapKeys(v) {
				if m, ok := v[k].(map[string]any); ok && strings.HasSuffix(k, "Selector") {
					fn(path+"."+k, schemaPath+"."+k, m)
					continue
				}
				walk(v[k], path+"."+k, schemaPath+"."+k)
			}
		case []any:
			for i, e := range v {
				walk(e, fmt.Sprintf("%s[%d]", path, i), schemaPath)
			}
		}
	}
	walk(obj["spec"], "spec", "spec")
}

// selectMatches is the desired resources a selector (matchControllerRef,
// matchLabels) matches, or why it cannot be judged.
func selectMatches(s *ruleState, sel map[string]any) ([]string, string) {
	if mcr, _ := sel["matchControllerRef"].(bool); !mcr {
		return nil, "does not set matchControllerRef: true, so it can select another XR's resource with the same labels"
	}
	labels, _ := sel["matchLabels"].(map[string]any)
	if _, ok := labels[labelComponent].(string); !ok {
		return nil, fmt.Sprintf("does not select by the label %s, so which composed resource it selects is not fixed", labelComponent)
	}
	var matches []string
	for _, n := range s.desiredNames() {
		have := objLabels(s.Desired[n])
		all := true
		for k, v := range labels {
			if want, ok := v.(string); !ok || have[k] != want {
				all = false
				break
			}
		}
		if all {
			matches = append(matches, n)
		}
	}
	return matches, ""
}

// listNames formats names for a message: ` ("a", "b")`, or nothing.
func listNames(names []string) string {
	if len(names) == 0 {
		return ""
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return " (" + strings.Join(q, ", ") + ")"
}

// isUsageObject reports whether obj is a Crossplane Usage: protection.crossplane.io
// (Crossplane v2) or apiextensions.crossplane.io (v1).
func isUsageObject(obj map[string]any) bool {
	k := objKindOf(obj)
	group, _, _ := strings.Cut(k.APIVersion, "/")
	return (group == "protection.crossplane.io" || group == "apiextensions.crossplane.io") && (k.Kind == "Usage" || k.Kind == "ClusterUsage")
}

// checkUsageSelects: Crossplane resolves a Usage's of and by among resources of
// exactly the apiVersion and kind it names; a Usage that selects nothing
// blocks nothing, so the deletion it was meant to order happens anyway.
func checkUsageSelects(s *ruleState, name string, obj map[string]any) []ruleFinding {
	var out []ruleFinding
	for _, side := range []string{"of", "by"} {
		path := "spec." + side
		m := objMap(obj, "spec", side)
		if m == nil {
			if side == "of" {
				out = append(out, ruleFinding{Resource: name, Message: "a Usage without spec.of protects nothing"})
			}
			continue
		}
		want := objKind{APIVersion: objString(m, "apiVersion"), Kind: objString(m, "kind")}
		var matches []string
		switch {
		case objMap(m, "resourceSelector") != nil:
			var problem string
			matches, problem = selectMatches(s, objMap(m, "resourceSelector"))
			if problem != "" {
				out = append(out, ruleFinding{Resource: name, Message: path + ".resourceSelector " + problem})
				continue
			}
		case objString(m, "resourceRef", "name") != "":
			ref := objString(m, "resourceRef", "name")
			for _, n := range s.desiredNames() {
				if objString(s.Desired[n], "metadata", "name") == ref && want.is(s.Desired[n]) {
					matches = append(matches, n)
				}
			}
		default:
			out = append(out, ruleFinding{Resource: name, Message: path + " names no resource (resourceRef or resourceSelector)"})
			continue
		}
		if len(matches) != 1 {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s must select exactly one composed resource, selects %d%s", path, len(matches), listNames(matches))})
			continue
		}
		if got := objKindOf(s.Desired[matches[0]]); got != want {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s names %s but selects %q, a %s", path, want, matches[0], got)})
		}
	}
	return out
}

// RegionAndPartition.

// rulePartition is what differs between AWS partitions, from the AWS SDK's
// partitions.json (aws-sdk-go-v2 internal/endpoints/awsrulesfn).
type rulePartition struct {
	ID        string
	DNSSuffix string
	Regions   *regexp.Regexp
	// EndpointServicePrefix starts the VPC endpoint service name of an AWS
	// service, before "<region>.<service>"; empty where this test does not
	// know the form.
	EndpointServicePrefix string
}

// rulePartitions are AWS's partitions as partitions.json lists them; the
// endpoint service name forms are from the PrivateLink documentation.
var rulePartitions = []rulePartition{
	{ID: "aws", DNSSuffix: "amazonaws.com", Regions: regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$`), EndpointServicePrefix: "com.amazonaws."},
	{ID: "aws-cn", DNSSuffix: "amazonaws.com.cn", Regions: regexp.MustCompile(`^cn-\w+-\d+$`), EndpointServicePrefix: "cn.com.amazonaws."},
	{ID: "aws-us-gov", DNSSuffix: "amazonaws.com", Regions: regexp.MustCompile(`^us-gov-\w+-\d+$`), EndpointServicePrefix: "com.amazonaws."},
	{ID: "aws-eusc", DNSSuffix: "amazonaws.eu", Regions: regexp.MustCompile(`^eusc-(de)-\w+-\d+$`)},
	{ID: "aws-iso", DNSSuffix: "c2s.ic.gov", Regions: regexp.MustCompile(`^us-iso-\w+-\d+$`)},
	{ID: "aws-iso-b", DNSSuffix: "sc2s.sgov.gov", Regions: regexp.MustCompile(`^us-isob-\w+-\d+$`)},
	{ID: "aws-iso-e", DNSSuffix: "cloud.adc-e.uk", Regions: regexp.MustCompile(`^eu-isoe-\w+-\d+$`)},
	{ID: "aws-iso-f", DNSSuffix: "csp.hci.ic.gov", Regions: regexp.MustCompile(`^us-isof-\w+-\d+$`)},
}

// rulePartitionOf is the partition a region is in.
func rulePartitionOf(region string) (rulePartition, bool) {
	for _, p := range rulePartitions {
		if p.Regions.MatchString(region) {
			return p, true
		}
	}
	return rulePartition{}, false
}

// ruleIsRegion reports whether a DNS label is a region of any partition.
func ruleIsRegion(label string) bool {
	_, ok := rulePartitionOf(label)
	return ok
}

var (
	// ruleReARN finds ARNs in any string, JSON policy documents included; an
	// ARN ends at a space, quote, comma or closing bracket.
	ruleReARN = regexp.MustCompile(`\barn:[^:\s"']*:[^:\s"']*:[^:\s"']*:[^:\s"']*:[^\s"',\]}]*`)
	// ruleReAWSHost finds *.amazonaws.com, *.amazonaws.com.cn and
	// *.amazonaws.eu host names (service principals and kms:ViaService
	// values included).
	ruleReAWSHost = regexp.MustCompile(`(?i)\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.amazonaws\.(?:com\.cn|com|eu)\b`)
)

// Services whose ARNs have no region (IAM, STS, CloudFront, Route 53,
// Organizations), and S3, whose bucket ARNs have none but whose access
// points do.
var (
	regionlessARNServices = map[string]bool{"iam": true, "sts": true, "cloudfront": true, "route53": true, "organizations": true}
	optionalRegionARN     = map[string]bool{"s3": true}
)

// crossRegionARN reports ARNs that are right in another region: AWS's
// public Serverless Application Repository rotation apps are published in
// one region of each partition (us-east-1, account 297356227824;
// us-gov-west-1, account 023102451235: the ARNs AWS CDK's
// SecretRotationApplication uses) and deployed by that ARN from any region
// of the partition (see the Terraform example in the citations).
func crossRegionARN(partition, service, region, account string) bool {
	if service != "serverlessrepo" {
		return false
	}
	return (partition == "aws" && region == "us-east-1" && account == "297356227824") ||
		(partition == "aws-us-gov" && region == "us-gov-west-1" && account == "023102451235")
}

// checkRegionAndPartition: a resource in another region than the cluster
// cannot reference it (the provider looks the ID up in its own region), an
// ARN of another partition never matches (a policy silently grants nothing,
// a reference fails), and a host of another region or partition does not
// resolve or reaches the wrong endpoint.
func checkRegionAndPartition(s *ruleState) []ruleFinding {
	if len(s.Desired) == 0 {
		return nil
	}
	region := s.Spec.Region
	part, ok := rulePartitionOf(region)
	if !ok {
		return []ruleFinding{{Message: fmt.Sprintf("spec.region %q is in no AWS partition", region)}}
	}
	// The provider's types say which kinds are regional (IAM's are not);
	// a kind they do not know is taken to be.
	idx, err := providerReferences()
	if err != nil {
		return []ruleFinding{{Message: fmt.Sprintf("cannot read the provider's types: %v", err)}}
	}
	regional := func(obj map[string]any) bool {
		info, ok := idx[objKindOf(obj)]
		return !ok || info.Fields["spec.forProvider.region"]
	}
	// strs judges every string of v; prefix says whose they are.
	strs := func(name, prefix string, v any) []ruleFinding {
		var out []ruleFinding
		forEachString(v, "", func(path, value string) {
			for _, m := range regionAndPartitionProblems(value, region, part) {
				out = append(out, ruleFinding{Resource: name, Message: prefix + path + ": " + m})
			}
		})
		return out
	}
	var out []ruleFinding
	for _, name := range s.desiredNames() {
		obj := s.Desired[name]
		if isProviderAWS(obj) && regional(obj) {
			switch r := objString(obj, "spec", "forProvider", "region"); {
			case r == "":
				out = append(out, ruleFinding{Resource: name, Message: "spec.forProvider.region is not set; the provider requires it"})
			case r != region:
				out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("spec.forProvider.region is %q, want spec.region %q", r, region)})
			}
			if r, ok := objField(obj, "spec", "initProvider", "region"); ok && r != region {
				out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("spec.initProvider.region is %v, want spec.region %q", r, region)})
			}
		}
		if ruleKindVPCEndpoint.is(obj) {
			for _, b := range mrParameters(obj) {
				sn, ok := b.Params["serviceName"].(string)
				if !ok {
					continue
				}
				switch want := part.EndpointServicePrefix + region + "."; {
				case part.EndpointServicePrefix == "":
					out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s.serviceName %q: this rule does not know the endpoint service names of partition %s; add them before composing endpoints there", b.Path, sn, part.ID)})
				case !strings.HasPrefix(sn, want) || len(sn) == len(want):
					out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s.serviceName is %q, want %s<service> in partition %s", b.Path, sn, want, part.ID)})
				}
			}
		}
		out = append(out, strs(name, "", obj)...)
	}
	out = append(out, strs("", "", s.Composite)...)
	for _, k := range sortedMapKeys(s.ConnectionDetails) {
		for _, m := range regionAndPartitionProblems(string(s.ConnectionDetails[k]), region, part) {
			out = append(out, ruleFinding{Message: fmt.Sprintf("connection detail %q: %s", k, m)})
		}
	}
	return out
}

// regionAndPartitionProblems judges every ARN and *.amazonaws.* host in one
// string.
func regionAndPartitionProblems(v, region string, part rulePartition) []string {
	var out []string
	for _, arn := range ruleReARN.FindAllString(v, -1) {
		f := strings.SplitN(arn, ":", 6)
		partition, service, arnRegion, account := f[1], f[2], f[3], f[4]
		switch {
		case partition != part.ID:
			out = append(out, fmt.Sprintf("ARN %s is in partition %q, want %q (spec.region %s)", arn, partition, part.ID, region))
		case regionlessARNServices[service]:
			if arnRegion != "" {
				out = append(out, fmt.Sprintf("ARN %s names region %q, but %s ARNs have none", arn, arnRegion, service))
			}
		case optionalRegionARN[service] && arnRegion == "":
		case crossRegionARN(partition, service, arnRegion, account):
		case arnRegion != region:
			out = append(out, fmt.Sprintf("ARN %s is in region %q, want spec.region %q", arn, arnRegion, region))
		}
	}
	for _, host := range ruleReAWSHost.FindAllString(v, -1) {
		host = strings.ToLower(host)
		// The region of a regional name is one of the two labels before the
		// suffix: <service>.<region>.amazonaws.com,
		// <id>.cluster-<x>.<region>.rds.amazonaws.com,
		// <endpoint>.<service>.<region>.vpce.amazonaws.com. Names without one
		// (service principals such as lambda.amazonaws.com) are global, and
		// their form in other partitions is the service's own: not judged.
		base := host
		for _, p := range rulePartitions {
			if b, ok := strings.CutSuffix(host, "."+p.DNSSuffix); ok && strings.HasPrefix(p.DNSSuffix, "amazonaws.") {
				base = b
				break
			}
		}
		if strings.HasPrefix(host, "truststore.pki.") {
			// NOTE: RDS's certificate bundles are served from one region
			// per partition (GovCloud's from us-gov-west-1 for both
			// regions): UsingWithRDS.SSL.html#UsingWithRDS.SSL.RegionCertificates.
			continue
		}
		labels := strings.Split(base, ".")
		var named []string
		for i := max(0, len(labels)-2); i < len(labels); i++ {
			if ruleIsRegion(labels[i]) {
				named = append(named, labels[i])
			}
		}
		if len(named) == 0 {
			continue
		}
		for _, r := range named {
			if r != region {
				out = append(out, fmt.Sprintf("host %s is in region %q, want spec.region %q", host, r, region))
			}
		}
		if !strings.HasSuffix(host, "."+part.DNSSuffix) {
			out = append(out, fmt.Sprintf("host %s does not end in %s, the DNS suffix of partition %s", host, part.DNSSuffix, part.ID))
		}
	}
	return out
}

// SecurityGroupNames.

// ruleReSecurityGroupText is what EC2 accepts in a VPC security group's name and
// description.
var ruleReSecurityGroupText = regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$`)

// ruleMaxSecurityGroupText is EC2's limit on a security group's name and
// description.
const ruleMaxSecurityGroupText = 255

// checkSecurityGroupNames: EC2 refuses these at CreateSecurityGroup, and the
// provider retries forever; a name of the XR's identifier (which users may
// set) can start with sg-.
func checkSecurityGroupNames(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, sg := range s.desiredOf(ruleKindSecurityGroup) {
		for _, b := range mrParameters(sg.Obj) {
			for _, f := range []string{"name", "description"} {
				v, ok := b.Params[f].(string)
				if !ok {
					continue
				}
				path := b.Path + "." + f
				if f == "name" && strings.HasPrefix(v, "sg-") {
					out = append(out, ruleFinding{Resource: sg.Name, Message: fmt.Sprintf("%s %q starts with sg-, which EC2 refuses", path, v)})
				}
				if n := utf8.RuneCountInString(v); n > ruleMaxSecurityGroupText {
					out = append(out, ruleFinding{Resource: sg.Name, Message: fmt.Sprintf("%s is %d characters, more than EC2's %d", path, n, ruleMaxSecurityGroupText)})
				}
				if !ruleReSecurityGroupText.MatchString(v) {
					out = append(out, ruleFinding{Resource: sg.Name, Message: fmt.Sprintf("%s %q has characters EC2 refuses (allowed: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*)", path, v)})
				}
			}
		}
	}
	return out
}

// PolicyDocuments.

// parsedPolicyKind is what a policy document is attached to, which decides the
// elements it must and must not have.
type parsedPolicyKind int

const (
	// parsedPolicyResource is a resource-based policy (secret, Lambda, ...):
	// Principal required.
	parsedPolicyResource parsedPolicyKind = iota
	// parsedPolicyKey is a KMS key policy: Principal required, Resource "*"
	// means this key.
	parsedPolicyKey
	// parsedPolicyTrust is an IAM role's trust policy: Principal required, no
	// Resource (the role is the resource).
	parsedPolicyTrust
	// parsedPolicyIdentity is an IAM identity-based policy: no Principal.
	parsedPolicyIdentity
)

// actionsWithoutResourceLevelPermissions are actions AWS documents as not
// supporting resource-level permissions: they are allowed only on "*".
var actionsWithoutResourceLevelPermissions = map[string]bool{
	"secretsmanager:getrandompassword": true,
}

// parsedPolicyKindOf classifies the policy at path in obj.
func parsedPolicyKindOf(obj map[string]any, path string) parsedPolicyKind {
	switch {
	case rulePathLastKey(path) == "assumeRolePolicy":
		return parsedPolicyTrust
	case ruleKindKMSKey.is(obj):
		return parsedPolicyKey
	case ruleKindIAMRolePolicy.is(obj), ruleKindIAMPolicy.is(obj), ruleKindIAMRole.is(obj):
		return parsedPolicyIdentity
	default:
		return parsedPolicyResource
	}
}

// checkPolicyDocuments: an unparsable policy fails at apply and the provider
// retries forever; a wildcard grants more than the function means to.
func checkPolicyDocuments(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, name := range s.desiredNames() {
		obj := s.Desired[name]
		walkStrings(obj, "", func(path, v string) {
			key := rulePathLastKey(path)
			named := key == "policy" || key == "assumeRolePolicy"
			if !named && !looksLikePolicy(v) {
				return
			}
			doc, err := parseRulePolicy(v)
			if err != nil {
				out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s does not parse as a policy document: %v", path, err)})
				return
			}
			for _, m := range parsedPolicyProblems(doc, parsedPolicyKindOf(obj, path)) {
				out = append(out, ruleFinding{Resource: name, Message: path + ": " + m})
			}
		})
	}
	return out
}

// looksLikePolicy reports whether a string is a JSON object with a
// Statement: a policy in a field not named policy (a parameter, an
// environment variable).
func looksLikePolicy(v string) bool {
	if !strings.Contains(v, `"Statement"`) {
		return false
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return false
	}
	_, ok := m["Statement"]
	return ok
}

// parsedPolicyProblems judges one parsed policy.
func parsedPolicyProblems(doc parsedPolicy, kind parsedPolicyKind) []string {
	var out []string
	if doc.Version != "2012-10-17" {
		out = append(out, fmt.Sprintf("Version is %q, want \"2012-10-17\" (the older version has no policy variables)", doc.Version))
	}
	if len(doc.Statement) == 0 {
		out = append(out, "has no statement")
	}
	for i, st := range doc.Statement {
		name := st.name(i)
		switch st.Effect {
		case "Allow":
		case "Deny":
			continue
		default:
			out = append(out, fmt.Sprintf("%s has Effect %q, want Allow or Deny", name, st.Effect))
			continue
		}
		if len(st.NotAction) > 0 {
			out = append(out, fmt.Sprintf("%s allows with NotAction, which allows every other action", name))
		}
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			out = append(out, fmt.Sprintf("%s names no Action", name))
		}
		for _, a := range st.Action {
			svc, act, ok := strings.Cut(a, ":")
			switch {
			case a == "*" || (ok && act == "*"):
				out = append(out, fmt.Sprintf("%s allows Action %q: name the actions", name, a))
			case !ok || svc == "" || act == "":
				out = append(out, fmt.Sprintf("%s has Action %q, want service:Action", name, a))
			}
		}
		if st.NotPrincipal != nil {
			out = append(out, fmt.Sprintf("%s allows with NotPrincipal, which allows everyone else", name))
		}
		switch {
		case kind == parsedPolicyIdentity && st.HasPrincipal:
			out = append(out, fmt.Sprintf("%s has a Principal, which an identity-based policy cannot have", name))
		case kind != parsedPolicyIdentity && !st.HasPrincipal:
			out = append(out, fmt.Sprintf("%s has no Principal, which a resource-based policy needs", name))
		case principalHasWildcard(st.Principal):
			out = append(out, fmt.Sprintf("%s allows Principal \"*\": everyone", name))
		}
		if kind == parsedPolicyKey || kind == parsedPolicyTrust {
			continue
		}
		if len(st.NotResource) > 0 {
			out = append(out, fmt.Sprintf("%s allows with NotResource, which allows every other resource", name))
		}
		if len(st.Resource) == 0 && len(st.NotResource) == 0 {
			out = append(out, fmt.Sprintf("%s names no Resource", name))
		}
		if slices.Contains(st.Resource, "*") {
			var scoped []string
			for _, a := range st.Action {
				if !actionsWithoutResourceLevelPermissions[strings.ToLower(a)] {
					scoped = append(scoped, a)
				}
			}
			if len(scoped) > 0 {
				out = append(out, fmt.Sprintf("%s allows %s on Resource \"*\": name the resources", name, strings.Join(scoped, ", ")))
			}
		}
	}
	return out
}

// TagsWithinLimit.

// ruleMaxTagsPerResource is AWS's limit of user tags per resource, for every
// service this function composes.
const ruleMaxTagsPerResource = 50

// ruleProviderTagKeys are the tags provider-aws adds to every resource with a
// tags field (upjet's config.TagInitializer), overwriting any of the same
// key. crossplane-runtime's GetExternalTags also computes
// crossplane-namespace and crossplane-providerconfig-kind, but upjet copies
// only these three.
var ruleProviderTagKeys = []string{"crossplane-kind", "crossplane-name", "crossplane-providerconfig"}

// ruleMaxTagKey is the longest tag key a service accepts: EC2 127 characters,
// the others 128. Values are at most 256 everywhere.
func ruleMaxTagKey(obj map[string]any) int {
	if strings.HasPrefix(objString(obj, "apiVersion"), "ec2.") {
		return 127
	}
	return 128
}

const ruleMaxTagValue = 256

// checkTagsWithinLimit: AWS refuses a create or tag call over the limits,
// and the provider retries forever; the limit counts the provider's tags.
func checkTagsWithinLimit(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, name := range s.desiredNames() {
		obj := s.Desired[name]
		if !isProviderAWS(obj) {
			continue
		}
		keys := map[string]bool{}
		for _, b := range mrParameters(obj) {
			tags, ok := b.Params["tags"]
			if !ok {
				continue
			}
			tm, ok := tags.(map[string]any)
			if !ok {
				out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s.tags is not a map", b.Path)})
				continue
			}
			for _, k := range sortedMapKeys(tm) {
				keys[k] = true
				path := fmt.Sprintf("%s.tags[%q]", b.Path, k)
				if slices.Contains(ruleProviderTagKeys, k) {
					out = append(out, ruleFinding{Resource: name, Message: path + " is a key the provider sets itself, overwriting it"})
				}
				if n := utf8.RuneCountInString(k); n == 0 || n > ruleMaxTagKey(obj) {
					out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s: the key is %d characters, want 1 to %d", path, n, ruleMaxTagKey(obj))})
				}
				if strings.HasPrefix(strings.ToLower(k), "aws:") {
					out = append(out, ruleFinding{Resource: name, Message: path + ": keys starting with aws: are reserved for AWS"})
				}
				switch v := tm[k].(type) {
				case string:
					if n := utf8.RuneCountInString(v); n > ruleMaxTagValue {
						out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s: the value is %d characters, more than %d", path, n, ruleMaxTagValue)})
					}
				default:
					out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s: the value is %T, want a string", path, v)})
				}
			}
		}
		if len(keys) == 0 {
			continue
		}
		total := len(keys)
		for _, k := range ruleProviderTagKeys {
			if !keys[k] {
				total++
			}
		}
		if total > ruleMaxTagsPerResource {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%d tags, with the provider's %s, are %d: more than AWS's %d per resource", len(keys), strings.Join(ruleProviderTagKeys, ", "), total, ruleMaxTagsPerResource)})
		}
	}
	return out
}

// LogGroupsBeforeCluster.

// checkLogGroupsBeforeCluster (pitfall 9): a cluster that exports to a log
// group that does not exist yet makes RDS create it, without retention or
// encryption, and the Group MR's create then conflicts.
func checkLogGroupsBeforeCluster(s *ruleState) []ruleFinding {
	if !s.ObservedKnown {
		return nil
	}
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		if _, ok := s.Observed[c.Name]; ok {
			continue
		}
		id := objAnnotation(c.Obj, ruleAnnotationExternalName)
		if id == "" {
			out = append(out, ruleFinding{Resource: c.Name, Message: "has no crossplane.io/external-name, so the log groups it exports to are unknown"})
			continue
		}
		exports := map[string]bool{}
		for _, e := range s.Spec.Logging.Exports {
			exports[e] = true
		}
		for _, b := range mrParameters(c.Obj) {
			l, _ := policyStringOrList(b.Params["enabledCloudwatchLogsExports"])
			for _, e := range l {
				exports[e] = true
			}
		}
		for _, e := range sortedMapKeys(exports) {
			want := "/aws/rds/cluster/" + id + "/" + e
			var found *ruleObject
			for _, g := range s.observedOf(ruleKindLogGroup) {
				if objAnnotation(g.Obj, ruleAnnotationExternalName) == want || objString(g.Obj, "spec", "forProvider", "name") == want {
					found = &g
					break
				}
			}
			switch {
			case found == nil:
				out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("is composed for the first time while log group %s is not observed: RDS would create it without retention or encryption", want)})
			case !observedReady(found.Obj):
				out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("is composed for the first time while log group %s (%q) is not Ready", want, found.Name)})
			}
		}
	}
	return out
}

// NoAuroraInvalidClusterFields.

// auroraInvalidClusterFields are the rds Cluster fields that must never be
// set on Aurora, and why.
var auroraInvalidClusterFields = map[string]string{
	"dbClusterInstanceClass": "Multi-AZ DB clusters only; Aurora refuses it (provider-upjet-aws#901)",
	"allocatedStorage":       "Multi-AZ DB clusters only; Aurora storage is not allocated (provider-upjet-aws#901)",
	"iops":                   "Multi-AZ DB clusters only (provider-upjet-aws#901)",
	"clusterMembers":         "late-initialised once and never refreshed, so it fights the instances (provider-upjet-aws#2052)",
}

// checkNoAuroraInvalidClusterFields: each of these makes the provider fail
// or loop.
func checkNoAuroraInvalidClusterFields(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		for _, b := range mrParameters(c.Obj) {
			for _, f := range sortedMapKeys(auroraInvalidClusterFields) {
				if _, ok := b.Params[f]; ok {
					out = append(out, ruleFinding{Resource: c.Name, Message: fmt.Sprintf("sets %s.%s: %s", b.Path, f, auroraInvalidClusterFields[f])})
				}
			}
		}
	}
	for _, in := range s.desiredOf(ruleKindRDSClusterInstance) {
		for _, b := range mrParameters(in.Obj) {
			if _, ok := b.Params["engineVersion"]; ok {
				out = append(out, ruleFinding{Resource: in.Name, Message: fmt.Sprintf("sets %s.engineVersion: an Aurora instance runs its cluster's version, and the provider tries to downgrade it after every minor upgrade (provider-upjet-aws#1326)", b.Path)})
			}
		}
	}
	for _, pg := range s.desiredOf(ruleKindRDSClusterParamGroup) {
		for _, b := range mrParameters(pg.Obj) {
			for i, p := range objSlice(b.Params, "parameter") {
				pm, _ := p.(map[string]any)
				switch am, _ := pm["applyMethod"].(string); am {
				case "immediate", "pending-reboot":
				case "":
					out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s.parameter[%d] (%v) sets no applyMethod: the provider then updates the group on every poll (provider-upjet-aws#1286)", b.Path, i, pm["name"])})
				default:
					out = append(out, ruleFinding{Resource: pg.Name, Message: fmt.Sprintf("%s.parameter[%d] (%v) has applyMethod %q, want immediate or pending-reboot", b.Path, i, pm["name"], am)})
				}
			}
		}
	}
	return out
}

// NoPasswordInDesired.

// nameBootstrapSecretResource is the one composed resource that may hold the
// bootstrap password.
const nameBootstrapSecretResource = "bootstrap-secret"

// checkNoPasswordInDesired (pitfall 5): anything else that carries the
// bootstrap password leaks it into etcd and can write it back after
// rotation.
func checkNoPasswordInDesired(s *ruleState) []ruleFinding {
	encoded := base64.StdEncoding.EncodeToString([]byte(testPassword))
	leaks := func(v string) bool { return strings.Contains(v, testPassword) || strings.Contains(v, encoded) }
	var out []ruleFinding
	for _, name := range s.desiredNames() {
		obj := s.Desired[name]
		if name == nameBootstrapSecretResource && ruleKindSecret.is(obj) {
			continue
		}
		forEachString(obj, "", func(path, v string) {
			if leaks(v) {
				out = append(out, ruleFinding{Resource: name, Message: path + " contains the bootstrap password"})
			}
		})
	}
	forEachString(s.Composite, "", func(path, v string) {
		if leaks(v) {
			out = append(out, ruleFinding{Message: path + " contains the bootstrap password"})
		}
	})
	for _, k := range sortedMapKeys(s.ConnectionDetails) {
		if leaks(string(s.ConnectionDetails[k])) {
			out = append(out, ruleFinding{Message: fmt.Sprintf("connection detail %q contains the bootstrap password", k)})
		}
	}
	return out
}
