package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Hand-made states for the rules' self-test.

// selfTestLabel labels every self-test state.
const selfTestLabel = "self-test"

// testSpec is a defaulted spec in a region.
func testSpec(region string) *AuroraSpec {
	s := &AuroraSpec{Region: region}
	withDefaults(s)
	return s
}

// testState is a state of desired resources; observed is nil unless set.
func testState(region string, desired map[string]map[string]any) *ruleState {
	return &ruleState{Label: selfTestLabel, Spec: testSpec(region), Desired: desired, Observed: map[string]map[string]any{}}
}

// testMR is a namespaced provider-aws managed resource with its component
// label and spec.forProvider.
func testMR(k objKind, component string, forProvider map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": k.APIVersion,
		"kind":       k.Kind,
		"metadata":   map[string]any{"labels": map[string]any{labelComponent: component}},
		"spec":       map[string]any{"forProvider": forProvider},
	}
}

// withExternalName sets an object's external name.
func withExternalName(obj map[string]any, name string) map[string]any {
	obj["metadata"].(map[string]any)["annotations"] = map[string]any{ruleAnnotationExternalName: name}
	return obj
}

// withConditions gives an observed object Ready and Synced conditions.
func withConditions(obj map[string]any, ready, synced string) map[string]any {
	obj["status"] = map[string]any{"conditions": []any{
		map[string]any{"type": "Ready", "status": ready},
		map[string]any{"type": "Synced", "status": synced},
	}}
	return obj
}

// testSelector selects a composed resource of the XR by component.
func testSelector(component string) map[string]any {
	return map[string]any{"matchControllerRef": true, "matchLabels": map[string]any{labelComponent: component}}
}

// testSecret is a v1 Secret with data, base64-encoded as the API has it.
func testSecret(component string, data map[string]string) map[string]any {
	d := map[string]any{}
	for k, v := range data {
		d[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"metadata":   map[string]any{"labels": map[string]any{labelComponent: component}},
		"data":       d,
	}
}

// testUsage is a Crossplane v2 Usage of one composed resource by another.
func testUsage(of, by objKind, ofComponent, byComponent string) map[string]any {
	side := func(k objKind, c string) map[string]any {
		return map[string]any{"apiVersion": k.APIVersion, "kind": k.Kind, "resourceSelector": testSelector(c)}
	}
	return map[string]any{
		"apiVersion": "protection.crossplane.io/v1beta1",
		"kind":       "Usage",
		"metadata":   map[string]any{"labels": map[string]any{labelComponent: "usage"}},
		"spec":       map[string]any{"of": side(of, ofComponent), "by": side(by, byComponent), "replayDeletion": true},
	}
}

var (
	testKindAlias         = objKind{"kms.aws.m.upbound.io/v1beta1", "Alias"}
	testKindSecretPolicy  = objKind{"secretsmanager.aws.m.upbound.io/v1beta1", "SecretPolicy"}
	testKindSecretVersion = objKind{"secretsmanager.aws.m.upbound.io/v1beta1", "SecretVersion"}
	testKindFunction      = objKind{"lambda.aws.m.upbound.io/v1beta1", "Function"}
	testKindCFNStack      = objKind{"serverlessrepo.aws.m.upbound.io/v1beta1", "CloudFormationStack"}
)

// testTags is n tags.
func testTags(n int) map[string]any {
	t := map[string]any{}
	for i := range n {
		t["tag"+strings.Repeat("x", i%3)+string(rune('A'+i%26))+string(rune('a'+i/26))] = "v"
	}
	return t
}

// ruleSelfTest is one case of TestAWSRulesSelfTest: a rule, a hand-made
// state, and exactly the violations the rule must report.
type ruleSelfTest struct {
	reason string
	args   ruleSelfTestArgs
	want   ruleSelfTestWant
}

type ruleSelfTestArgs struct {
	rule  string
	state *ruleState
	// check replaces the rule's check, for a stand-in provider index.
	check func(*ruleState) []ruleFinding
}

type ruleSelfTestWant struct {
	violations []string
}

// TestAWSRulesSelfTest feeds each rule good and bad hand-made states and
// checks it reports exactly the expected violations, so a rule that stops
// seeing what it is for fails here rather than passing silently.
func TestAWSRulesSelfTest(t *testing.T) {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	const (
		kms   = "kms.aws.m.upbound.io/v1beta1"
		rdsGV = "rds.aws.m.upbound.io/v1beta1"
	)
	policy := func(doc string) string { return doc }
	cases := map[string]ruleSelfTest{
		// ReferencesResolve.
		"ReferencesResolveGood": {
			reason: "Selectors and a Usage that each select one composed resource of the marked kind pass.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"kms-key":              testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "us-east-1"}),
				"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": testSelector("kms-key")}),
				"cluster":              testMR(ruleKindRDSCluster, "cluster", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": testSelector("kms-key"), "vpcSecurityGroupIdSelector": testSelector("security-group")}),
				"security-group":       testMR(ruleKindSecurityGroup, "security-group", map[string]any{"region": "us-east-1"}),
				"usage":                testUsage(ruleKindKMSKey, ruleKindRDSCluster, "kms-key", "cluster"),
			})},
		},
		"ReferencesResolveNothingSelected": {
			reason: "A selector whose target is not in the desired state never resolves.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": testSelector("kms-key")}),
			})},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "log-group-postgresql" (cloudwatchlogs Group): spec.forProvider.kmsKeyIdSelector must select exactly one composed resource, selects 0`,
			}},
		},
		"ReferencesResolveWrongLabel": {
			reason: "A selector with a wrong label finds nothing although its target is composed: the provider's resolver would fail with no resources matched selector.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"kms-key":              testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "us-east-1"}),
				"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": testSelector("kms-keys")}),
			})},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "log-group-postgresql" (cloudwatchlogs Group): spec.forProvider.kmsKeyIdSelector must select exactly one composed resource, selects 0`,
			}},
		},
		"ReferencesResolveWrongKind": {
			reason: "A selector of a Key that selects the Alias is never resolved: the provider lists only Keys.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"kms-alias":            testMR(testKindAlias, "kms-alias", map[string]any{"region": "us-east-1"}),
				"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": testSelector("kms-alias")}),
			})},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "log-group-postgresql" (cloudwatchlogs Group): spec.forProvider.kmsKeyIdSelector selects "kms-alias", a ` + kms + ` Alias, but the provider resolves it among ` + kms + ` Key`,
			}},
		},
		"ReferencesResolveAmbiguousAndUncontrolled": {
			reason: "Two resources with one component label make the selection arbitrary; a selector without matchControllerRef can select another XR's resource.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"kms-key":   testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "us-east-1"}),
				"kms-key-2": testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "us-east-1"}),
				"kms-alias": testMR(testKindAlias, "kms-alias", map[string]any{"region": "us-east-1", "targetKeyIdSelector": testSelector("kms-key")}),
				"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": map[string]any{
					"matchLabels": map[string]any{labelComponent: "kms-key"},
				}}),
			})},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "kms-alias" (kms Alias): spec.forProvider.targetKeyIdSelector must select exactly one composed resource, selects 2 ("kms-key", "kms-key-2")`,
				`ReferencesResolve: self-test: "log-group-postgresql" (cloudwatchlogs Group): spec.forProvider.kmsKeyIdSelector does not set matchControllerRef: true, so it can select another XR's resource with the same labels`,
			}},
		},
		"ReferencesResolveUnknownSelector": {
			reason: "A selector the provider's types do not have is reported, not skipped.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "roleArnSelector": testSelector("rotator-role")}),
			})},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "log-group-postgresql" (cloudwatchlogs Group): spec.forProvider.roleArnSelector is not a reference selector of cloudwatchlogs.aws.m.upbound.io/v1beta1 Group in the provider's types`,
			}},
		},
		"ReferencesResolveUnmarkedSelector": {
			reason: "A selector field whose value field has no type marker is a violation, so a new field cannot slip through.",
			args: args{
				rule: "ReferencesResolve",
				state: testState("us-east-1", map[string]map[string]any{
					"log-group-postgresql": testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{"region": "us-east-1", "kmsKeyIdSelector": testSelector("kms-key")}),
				}),
				check: func(s *ruleState) []ruleFinding {
					return referencesResolve(providerReferenceIndex{ruleKindLogGroup: {Refs: map[string]providerReference{
						"spec.forProvider.kmsKeyIdSelector": {Source: "GroupParameters.KMSKeyIDSelector"},
					}}}, s)
				},
			},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "log-group-postgresql" (cloudwatchlogs Group): spec.forProvider.kmsKeyIdSelector has no +crossplane:generate:reference:type marker in the provider's types (GroupParameters.KMSKeyIDSelector), so what it selects is unknown`,
			}},
		},
		"ReferencesResolveUsageWrongKind": {
			reason: "A Usage of a Key whose selector matches the Alias protects nothing: Crossplane resolves it among Keys only.",
			args: args{rule: "ReferencesResolve", state: testState("us-east-1", map[string]map[string]any{
				"kms-alias": testMR(testKindAlias, "kms-alias", map[string]any{"region": "us-east-1"}),
				"cluster":   testMR(ruleKindRDSCluster, "cluster", map[string]any{"region": "us-east-1"}),
				"usage":     testUsage(ruleKindKMSKey, ruleKindRDSCluster, "kms-alias", "instance-writer"),
			})},
			want: want{violations: []string{
				`ReferencesResolve: self-test: "usage" (protection Usage): spec.by must select exactly one composed resource, selects 0`,
				`ReferencesResolve: self-test: "usage" (protection Usage): spec.of names ` + kms + ` Key but selects "kms-alias", a ` + kms + ` Alias`,
			}},
		},

		// RegionAndPartition.
		"RegionAndPartitionGood": {
			reason: "Regional ARNs and hosts of the spec's region, IAM ARNs without region, a global service principal, AWS's us-east-1 rotator app and an IAM kind without region pass.",
			args: args{rule: "RegionAndPartition", state: testState("eu-west-1", map[string]map[string]any{
				"kms-key": testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "eu-west-1", "policy": `{"Statement":[{"Principal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":["logs.eu-west-1.amazonaws.com"]},"Condition":{"StringEquals":{"kms:ViaService":["rds.eu-west-1.amazonaws.com"]}}}]}`}),
				"rotator-stack": testMR(testKindCFNStack, "rotator-stack", map[string]any{"region": "eu-west-1",
					"applicationId": "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser",
					"parameters":    map[string]any{"endpoint": "https://secretsmanager.eu-west-1.amazonaws.com"}}),
				"rotator-role":            testMR(ruleKindIAMRole, "rotator-role", map[string]any{"assumeRolePolicy": `{"Statement":[{"Principal":{"Service":"lambda.amazonaws.com"}}]}`}),
				"secretsmanager-endpoint": testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", map[string]any{"region": "eu-west-1", "serviceName": "com.amazonaws.eu-west-1.secretsmanager"}),
				"connection-secret":       testSecret("connection-secret", map[string]string{"host": "orders.cluster-c1.eu-west-1.rds.amazonaws.com"}),
			})},
		},
		"RegionAndPartitionGoodChina": {
			reason: "In aws-cn ARNs use aws-cn, regional hosts amazonaws.com.cn and endpoint service names cn.com.amazonaws.",
			args: args{rule: "RegionAndPartition", state: testState("cn-north-1", map[string]map[string]any{
				"kms-key":                 testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "cn-north-1", "policy": `{"Statement":[{"Principal":{"AWS":"arn:aws-cn:iam::111122223333:root","Service":"logs.cn-north-1.amazonaws.com.cn"}}]}`}),
				"secretsmanager-endpoint": testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", map[string]any{"region": "cn-north-1", "serviceName": "cn.com.amazonaws.cn-north-1.secretsmanager"}),
			})},
		},
		"RegionAndPartitionOtherRegion": {
			reason: "A resource, ARN, host or endpoint service of another region, an IAM ARN with a region and a regional kind without region are reported.",
			args: args{rule: "RegionAndPartition", state: func() *ruleState {
				s := testState("eu-west-1", map[string]map[string]any{
					"cluster": testMR(ruleKindRDSCluster, "cluster", map[string]any{"engine": "aurora-postgresql"}),
					"rotator-function": testMR(testKindFunction, "rotator-function", map[string]any{"region": "us-east-1", "environment": map[string]any{"variables": map[string]any{
						"SECRET_ARN":               "arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
						"ROLE_ARN":                 "arn:aws:iam:eu-west-1:111122223333:role/x",
						"SECRETS_MANAGER_ENDPOINT": "https://secretsmanager.us-east-1.amazonaws.com",
					}}}),
					"secretsmanager-endpoint": testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", map[string]any{"region": "eu-west-1", "serviceName": "com.amazonaws.us-east-1.secretsmanager"}),
				})
				s.Composite = map[string]any{"status": map[string]any{"endpoint": "orders.cluster-c1.us-east-1.rds.amazonaws.com"}}
				return s
			}()},
			want: want{violations: []string{
				`RegionAndPartition: self-test: "cluster" (rds Cluster): spec.forProvider.region is not set; the provider requires it`,
				`RegionAndPartition: self-test: "rotator-function" (lambda Function): spec.forProvider.environment.variables.ROLE_ARN: ARN arn:aws:iam:eu-west-1:111122223333:role/x names region "eu-west-1", but iam ARNs have none`,
				`RegionAndPartition: self-test: "rotator-function" (lambda Function): spec.forProvider.environment.variables.SECRETS_MANAGER_ENDPOINT: host secretsmanager.us-east-1.amazonaws.com is in region "us-east-1", want spec.region "eu-west-1"`,
				`RegionAndPartition: self-test: "rotator-function" (lambda Function): spec.forProvider.environment.variables.SECRET_ARN: ARN arn:aws:secretsmanager:us-east-1:111122223333:secret:x is in region "us-east-1", want spec.region "eu-west-1"`,
				`RegionAndPartition: self-test: "rotator-function" (lambda Function): spec.forProvider.region is "us-east-1", want spec.region "eu-west-1"`,
				`RegionAndPartition: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): spec.forProvider.serviceName is "com.amazonaws.us-east-1.secretsmanager", want com.amazonaws.eu-west-1.<service> in partition aws`,
				`RegionAndPartition: self-test: the XR: status.endpoint: host orders.cluster-c1.us-east-1.rds.amazonaws.com is in region "us-east-1", want spec.region "eu-west-1"`,
			}},
		},
		"RegionAndPartitionWrongPartition": {
			reason: "In aws-cn an aws ARN, a regional host without .cn and a com.amazonaws. service name are reported; so is a connection detail.",
			args: args{rule: "RegionAndPartition", state: func() *ruleState {
				s := testState("cn-north-1", map[string]map[string]any{
					"kms-key":                 testMR(ruleKindKMSKey, "kms-key", map[string]any{"region": "cn-north-1", "policy": `{"Statement":[{"Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":"logs.cn-north-1.amazonaws.com"}}]}`}),
					"secretsmanager-endpoint": testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", map[string]any{"region": "cn-north-1", "serviceName": "com.amazonaws.cn-north-1.secretsmanager"}),
				})
				s.ConnectionDetails = map[string][]byte{"secret_arn": []byte("arn:aws:secretsmanager:cn-north-1:111122223333:secret:x")}
				return s
			}()},
			want: want{violations: []string{
				`RegionAndPartition: self-test: "kms-key" (kms Key): spec.forProvider.policy: ARN arn:aws:iam::111122223333:root is in partition "aws", want "aws-cn" (spec.region cn-north-1)`,
				`RegionAndPartition: self-test: "kms-key" (kms Key): spec.forProvider.policy: host logs.cn-north-1.amazonaws.com does not end in amazonaws.com.cn, the DNS suffix of partition aws-cn`,
				`RegionAndPartition: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): spec.forProvider.serviceName is "com.amazonaws.cn-north-1.secretsmanager", want cn.com.amazonaws.cn-north-1.<service> in partition aws-cn`,
				`RegionAndPartition: self-test: the XR: connection detail "secret_arn": ARN arn:aws:secretsmanager:cn-north-1:111122223333:secret:x is in partition "aws", want "aws-cn" (spec.region cn-north-1)`,
			}},
		},
		"RegionAndPartitionISO": {
			reason: "An ISO region is not in the aws partition: an aws ARN there is reported, and endpoint service names there are not known.",
			args: args{rule: "RegionAndPartition", state: testState("us-iso-east-1", map[string]map[string]any{
				"secretsmanager-endpoint": testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", map[string]any{"region": "us-iso-east-1", "serviceName": "com.amazonaws.us-iso-east-1.secretsmanager", "tags": map[string]any{"owner": "arn:aws:iam::111122223333:root"}}),
			})},
			want: want{violations: []string{
				`RegionAndPartition: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): spec.forProvider.serviceName "com.amazonaws.us-iso-east-1.secretsmanager": this rule does not know the endpoint service names of partition aws-iso; add them before composing endpoints there`,
				`RegionAndPartition: self-test: "secretsmanager-endpoint" (ec2 VPCEndpoint): spec.forProvider.tags.owner: ARN arn:aws:iam::111122223333:root is in partition "aws", want "aws-iso" (spec.region us-iso-east-1)`,
			}},
		},

		// SecurityGroupNames.
		"SecurityGroupNamesGood": {
			reason: "A name and description of allowed characters pass.",
			args: args{rule: "SecurityGroupNames", state: testState("us-east-1", map[string]map[string]any{
				"security-group": testMR(ruleKindSecurityGroup, "security-group", map[string]any{"name": "team-a-orders-c2eb71-db", "description": "Aurora PostgreSQL cluster team-a-orders-c2eb71 (10.0.0.0/16)"}),
			})},
		},
		"SecurityGroupNamesBad": {
			reason: "A name starting with sg-, one over 255 characters and a description with characters EC2 refuses are reported.",
			args: args{rule: "SecurityGroupNames", state: testState("us-east-1", map[string]map[string]any{
				"security-group":          testMR(ruleKindSecurityGroup, "security-group", map[string]any{"name": "sg-orders-db", "description": "Cluster für Bestellungen"}),
				"endpoint-security-group": testMR(ruleKindSecurityGroup, "endpoint-security-group", map[string]any{"name": strings.Repeat("a", 256)}),
			})},
			want: want{violations: []string{
				`SecurityGroupNames: self-test: "endpoint-security-group" (ec2 SecurityGroup): spec.forProvider.name is 256 characters, more than EC2's 255`,
				`SecurityGroupNames: self-test: "security-group" (ec2 SecurityGroup): spec.forProvider.description "Cluster für Bestellungen" has characters EC2 refuses (allowed: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*)`,
				`SecurityGroupNames: self-test: "security-group" (ec2 SecurityGroup): spec.forProvider.name "sg-orders-db" starts with sg-, which EC2 refuses`,
			}},
		},

		// PolicyDocuments.
		"PolicyDocumentsGood": {
			reason: "A key policy on Resource \"*\", a trust policy without Resource, an identity policy with GetRandomPassword on \"*\" and a scoped resource policy pass.",
			args: args{rule: "PolicyDocuments", state: testState("us-east-1", map[string]map[string]any{
				"kms-key":      testMR(ruleKindKMSKey, "kms-key", map[string]any{"policy": policy(`{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:DescribeKey","kms:PutKeyPolicy"],"Resource":"*"}]}`)}),
				"rotator-role": testMR(ruleKindIAMRole, "rotator-role", map[string]any{"assumeRolePolicy": policy(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}`)}),
				"rotator-role-policy": testMR(ruleKindIAMRolePolicy, "rotator-role-policy", map[string]any{"policy": policy(`{"Version":"2012-10-17","Statement":[
					{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:x"},
					{"Effect":"Allow","Action":"secretsmanager:GetRandomPassword","Resource":"*"},
					{"Effect":"Deny","Action":"*","Resource":"*"}]}`)}),
				"master-secret-policy": testMR(testKindSecretPolicy, "master-secret-policy", map[string]any{"policy": policy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:x"}]}`)}),
			})},
		},
		"PolicyDocumentsBad": {
			reason: "Wildcard actions and principals, Resource \"*\", Not* elements, a wrong Version, a Principal in an identity policy, a resource policy without one and a policy that does not parse are reported, also in a field not named policy.",
			args: args{rule: "PolicyDocuments", state: testState("us-east-1", map[string]map[string]any{
				"kms-key":      testMR(ruleKindKMSKey, "kms-key", map[string]any{"policy": policy(`{"Version":"2012-10-17","Statement":[{"Sid":"Everyone","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}`)}),
				"rotator-role": testMR(ruleKindIAMRole, "rotator-role", map[string]any{"assumeRolePolicy": policy(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`)}),
				"rotator-role-policy": testMR(ruleKindIAMRolePolicy, "rotator-role-policy", map[string]any{"policy": policy(`{"Version":"2012-10-17","Statement":[
					{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"},
					{"Sid":"Secrets","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["secretsmanager:GetSecretValue","secretsmanager:GetRandomPassword"],"Resource":["*"]},
					{"Sid":"Rest","Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:iam::111122223333:role/x"}]}`)}),
				"master-secret-policy": testMR(testKindSecretPolicy, "master-secret-policy", map[string]any{"policy": "{not json"}),
				"rotator-function": testMR(testKindFunction, "rotator-function", map[string]any{"environment": map[string]any{"variables": map[string]any{
					"POLICY": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
				}}}),
			})},
			want: want{violations: []string{
				`PolicyDocuments: self-test: "kms-key" (kms Key): spec.forProvider.policy: statement "Everyone" allows Action "kms:*": name the actions`,
				`PolicyDocuments: self-test: "kms-key" (kms Key): spec.forProvider.policy: statement "Everyone" allows Principal "*": everyone`,
				`PolicyDocuments: self-test: "master-secret-policy" (secretsmanager SecretPolicy): spec.forProvider.policy does not parse as a policy document: not a JSON object: invalid character 'n' looking for beginning of object key string`,
				`PolicyDocuments: self-test: "rotator-function" (lambda Function): spec.forProvider.environment.variables.POLICY: statement 0 has no Principal, which a resource-based policy needs`,
				`PolicyDocuments: self-test: "rotator-role" (iam Role): spec.forProvider.assumeRolePolicy: Version is "2008-10-17", want "2012-10-17" (the older version has no policy variables)`,
				`PolicyDocuments: self-test: "rotator-role" (iam Role): spec.forProvider.assumeRolePolicy: statement 0 allows Principal "*": everyone`,
				`PolicyDocuments: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "All" allows * on Resource "*": name the resources`,
				`PolicyDocuments: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "All" allows Action "*": name the actions`,
				`PolicyDocuments: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Rest" allows with NotAction, which allows every other action`,
				`PolicyDocuments: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Rest" allows with NotResource, which allows every other resource`,
				`PolicyDocuments: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Secrets" allows secretsmanager:GetSecretValue on Resource "*": name the resources`,
				`PolicyDocuments: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Secrets" has a Principal, which an identity-based policy cannot have`,
			}},
		},

		// TagsWithinLimit.
		"TagsWithinLimitGood": {
			reason: "47 tags and the provider's 3 make 50; a 128-character key is fine outside EC2.",
			args: args{rule: "TagsWithinLimit", state: testState("us-east-1", map[string]map[string]any{
				"cluster":        testMR(ruleKindRDSCluster, "cluster", map[string]any{"tags": testTags(47)}),
				"subnet-group":   testMR(objKind{rdsGV, "SubnetGroup"}, "subnet-group", map[string]any{"tags": map[string]any{strings.Repeat("k", 128): strings.Repeat("v", 256)}}),
				"security-group": testMR(ruleKindSecurityGroup, "security-group", map[string]any{"tags": map[string]any{strings.Repeat("k", 127): "v"}}),
			})},
		},
		"TagsWithinLimitBad": {
			reason: "48 tags with the provider's are 51; a 128-character key on EC2, a reserved aws: key, a provider key and a long value are reported.",
			args: args{rule: "TagsWithinLimit", state: testState("us-east-1", map[string]map[string]any{
				"cluster": testMR(ruleKindRDSCluster, "cluster", map[string]any{"tags": testTags(48)}),
				"security-group": testMR(ruleKindSecurityGroup, "security-group", map[string]any{"tags": map[string]any{
					strings.Repeat("k", 128): "v",
					"aws:team":               "payments",
					"crossplane-name":        "x",
					"Owner":                  strings.Repeat("v", 257),
				}}),
			})},
			want: want{violations: []string{
				`TagsWithinLimit: self-test: "cluster" (rds Cluster): 48 tags, with the provider's crossplane-kind, crossplane-name, crossplane-providerconfig, are 51: more than AWS's 50 per resource`,
				`TagsWithinLimit: self-test: "security-group" (ec2 SecurityGroup): spec.forProvider.tags["Owner"]: the value is 257 characters, more than 256`,
				`TagsWithinLimit: self-test: "security-group" (ec2 SecurityGroup): spec.forProvider.tags["aws:team"]: keys starting with aws: are reserved for AWS`,
				`TagsWithinLimit: self-test: "security-group" (ec2 SecurityGroup): spec.forProvider.tags["crossplane-name"] is a key the provider sets itself, overwriting it`,
				`TagsWithinLimit: self-test: "security-group" (ec2 SecurityGroup): spec.forProvider.tags["` + strings.Repeat("k", 128) + `"]: the key is 128 characters, want 1 to 127`,
			}},
		},

		// LogGroupsBeforeCluster.
		"LogGroupsBeforeClusterGood": {
			reason: "The cluster is composed for the first time once its log group is observed Ready; a cluster that exists already is not judged again.",
			args: args{rule: "LogGroupsBeforeCluster", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{
					"cluster": withExternalName(testMR(ruleKindRDSCluster, "cluster", map[string]any{"enabledCloudwatchLogsExports": []any{"postgresql"}}), "orders"),
				})
				s.Observed["log-group-postgresql"] = withConditions(withExternalName(testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{}), "/aws/rds/cluster/orders/postgresql"), "True", "True")
				s.ObservedKnown = true
				return s
			}()},
		},
		"LogGroupsBeforeClusterGoldenFile": {
			reason: "A golden file does not record what was observed, so the order of creation is not judged there.",
			args: args{rule: "LogGroupsBeforeCluster", state: testState("us-east-1", map[string]map[string]any{
				"cluster": withExternalName(testMR(ruleKindRDSCluster, "cluster", map[string]any{}), "orders"),
			})},
		},
		"LogGroupsBeforeClusterBad": {
			reason: "A first cluster while one log group is not Ready (Synced=False) and another is not observed is reported.",
			args: args{rule: "LogGroupsBeforeCluster", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{
					"cluster": withExternalName(testMR(ruleKindRDSCluster, "cluster", map[string]any{"enabledCloudwatchLogsExports": []any{"postgresql", "iam-db-auth-error"}}), "orders"),
				})
				s.Observed["log-group-postgresql"] = withConditions(withExternalName(testMR(ruleKindLogGroup, "log-group-postgresql", map[string]any{}), "/aws/rds/cluster/orders/postgresql"), "True", "False")
				s.ObservedKnown = true
				return s
			}()},
			want: want{violations: []string{
				`LogGroupsBeforeCluster: self-test: "cluster" (rds Cluster): is composed for the first time while log group /aws/rds/cluster/orders/iam-db-auth-error is not observed: RDS would create it without retention or encryption`,
				`LogGroupsBeforeCluster: self-test: "cluster" (rds Cluster): is composed for the first time while log group /aws/rds/cluster/orders/postgresql ("log-group-postgresql") is not Ready`,
			}},
		},

		// NoAuroraInvalidClusterFields.
		"NoAuroraInvalidClusterFieldsGood": {
			reason: "A cluster, an instance and a parameter group as the function composes them pass.",
			args: args{rule: "NoAuroraInvalidClusterFields", state: testState("us-east-1", map[string]map[string]any{
				"cluster":                 testMR(ruleKindRDSCluster, "cluster", map[string]any{"engine": "aurora-postgresql", "engineVersion": "16.6"}),
				"instance-writer":         testMR(ruleKindRDSClusterInstance, "instance-writer", map[string]any{"instanceClass": "db.r6g.large"}),
				"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}}}),
			})},
		},
		"NoAuroraInvalidClusterFieldsBad": {
			reason: "Multi-AZ-only fields, clusterMembers (also in initProvider), an instance engineVersion and parameters without a valid applyMethod are reported.",
			args: args{rule: "NoAuroraInvalidClusterFields", state: func() *ruleState {
				cluster := testMR(ruleKindRDSCluster, "cluster", map[string]any{"dbClusterInstanceClass": "db.r6gd.large", "allocatedStorage": 100.0, "iops": 1000.0})
				cluster["spec"].(map[string]any)["initProvider"] = map[string]any{"clusterMembers": []any{"orders-writer"}}
				return testState("us-east-1", map[string]map[string]any{
					"cluster":         cluster,
					"instance-writer": testMR(ruleKindRDSClusterInstance, "instance-writer", map[string]any{"engineVersion": "16.6"}),
					"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{
						map[string]any{"name": "rds.force_ssl", "value": "1"},
						map[string]any{"name": "log_min_duration_statement", "value": "500", "applyMethod": "now"},
					}}),
				})
			}()},
			want: want{violations: []string{
				`NoAuroraInvalidClusterFields: self-test: "cluster" (rds Cluster): sets spec.forProvider.allocatedStorage: Multi-AZ DB clusters only; Aurora storage is not allocated (provider-upjet-aws#901)`,
				`NoAuroraInvalidClusterFields: self-test: "cluster" (rds Cluster): sets spec.forProvider.dbClusterInstanceClass: Multi-AZ DB clusters only; Aurora refuses it (provider-upjet-aws#901)`,
				`NoAuroraInvalidClusterFields: self-test: "cluster" (rds Cluster): sets spec.forProvider.iops: Multi-AZ DB clusters only (provider-upjet-aws#901)`,
				`NoAuroraInvalidClusterFields: self-test: "cluster" (rds Cluster): sets spec.initProvider.clusterMembers: late-initialised once and never refreshed, so it fights the instances (provider-upjet-aws#2052)`,
				`NoAuroraInvalidClusterFields: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): spec.forProvider.parameter[0] (rds.force_ssl) sets no applyMethod: the provider then updates the group on every poll (provider-upjet-aws#1286)`,
				`NoAuroraInvalidClusterFields: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): spec.forProvider.parameter[1] (log_min_duration_statement) has applyMethod "now", want immediate or pending-reboot`,
				`NoAuroraInvalidClusterFields: self-test: "instance-writer" (rds ClusterInstance): sets spec.forProvider.engineVersion: an Aurora instance runs its cluster's version, and the provider tries to downgrade it after every minor upgrade (provider-upjet-aws#1326)`,
			}},
		},

		// ParameterApplyMethods.
		"ParameterApplyMethodsGood": {
			reason: "Parameter groups as the function composes them pass: an explicit method, pending-reboot for a static parameter.",
			args: args{rule: "ParameterApplyMethods", state: testState("us-east-1", map[string]map[string]any{
				"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{
					map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"},
					map[string]any{"name": "shared_preload_libraries", "value": "pg_stat_statements", "applyMethod": "pending-reboot"},
				}}),
				"db-parameter-group-16": testMR(ruleKindRDSParamGroup, "db-parameter-group-16", map[string]any{"parameter": []any{
					map[string]any{"name": "work_mem", "value": "65536", "applyMethod": "immediate"},
				}}),
			})},
		},
		"ParameterApplyMethodsBad": {
			reason: "No method, an unknown method, immediate for a static parameter and a name twice are reported, in both kinds of group.",
			args: args{rule: "ParameterApplyMethods", state: testState("us-east-1", map[string]map[string]any{
				"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{
					map[string]any{"name": "rds.force_ssl", "value": "1"},
					map[string]any{"name": "shared_preload_libraries", "value": "x", "applyMethod": "immediate"},
				}}),
				"db-parameter-group-16": testMR(ruleKindRDSParamGroup, "db-parameter-group-16", map[string]any{"parameter": []any{
					map[string]any{"name": "work_mem", "value": "1", "applyMethod": "now"},
					map[string]any{"name": "work_mem", "value": "2", "applyMethod": "immediate"},
				}}),
			})},
			want: want{violations: []string{
				`ParameterApplyMethods: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): spec.forProvider.parameter[0] (rds.force_ssl) sets no applyMethod: the provider then updates the group on every poll (provider-upjet-aws#1286)`,
				`ParameterApplyMethods: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): spec.forProvider.parameter[1] (shared_preload_libraries) is static but has applyMethod immediate: AWS accepts only pending-reboot`,
				`ParameterApplyMethods: self-test: "db-parameter-group-16" (rds ParameterGroup): spec.forProvider.parameter[0] (work_mem) has applyMethod "now", want immediate or pending-reboot`,
				`ParameterApplyMethods: self-test: "db-parameter-group-16" (rds ParameterGroup): spec.forProvider.parameter[1] names work_mem again`,
			}},
		},

		// LabelValues.
		"LabelValuesGood": {
			reason: "Component labels of names within 63 characters pass.",
			args: args{rule: "LabelValues", state: testState("us-east-1", map[string]map[string]any{
				"usage-db-parameter-group-16-by-instance-reader-12345": testMR(ruleKindRDSParamGroup, "usage-db-parameter-group-16-by-instance-reader-12345", map[string]any{}),
			})},
		},
		"LabelValuesBad": {
			reason: "A component label over 63 characters is refused by the API server.",
			args: args{rule: "LabelValues", state: testState("us-east-1", map[string]map[string]any{
				"usage-db-parameter-group-aurora-postgresql16-by-instance-reader-b": testMR(ruleKindRDSParamGroup, "usage-db-parameter-group-aurora-postgresql16-by-instance-reader-b", map[string]any{}),
			})},
			want: want{violations: []string{
				`LabelValues: self-test: "usage-db-parameter-group-aurora-postgresql16-by-instance-reader-b" (rds ParameterGroup): label aurora-postgres.fn.crossplane.io/component="usage-db-parameter-group-aurora-postgresql16-by-instance-reader-b": must be no more than 63 bytes`,
			}},
		},

		// TLSForced.
		"TLSForcedGood": {
			reason: "A cluster parameter group forcing TLS once, and an instance group that leaves TLS alone, pass.",
			args: args{rule: "TLSForced", state: testState("us-east-1", map[string]map[string]any{
				"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{
					map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"},
					map[string]any{"name": "ssl_min_protocol_version", "value": "TLSv1.3", "applyMethod": "immediate"},
				}}),
				"db-parameter-group-16": testMR(ruleKindRDSParamGroup, "db-parameter-group-16", map[string]any{"parameter": []any{
					map[string]any{"name": "work_mem", "value": "65536", "applyMethod": "immediate"},
				}}),
			})},
		},
		"TLSForcedBad": {
			reason: "A cluster group without rds.force_ssl 1, and groups that turn ssl off or allow TLS 1.0, are reported.",
			args: args{rule: "TLSForced", state: testState("us-east-1", map[string]map[string]any{
				"cluster-parameter-group": testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{
					map[string]any{"name": "rds.force_ssl", "value": "0", "applyMethod": "immediate"},
					map[string]any{"name": "ssl_min_protocol_version", "value": "TLSv1", "applyMethod": "immediate"},
				}}),
				"db-parameter-group-16": testMR(ruleKindRDSParamGroup, "db-parameter-group-16", map[string]any{"parameter": []any{
					map[string]any{"name": "ssl", "value": "0", "applyMethod": "pending-reboot"},
				}}),
			})},
			want: want{violations: []string{
				`TLSForced: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): sets rds.force_ssl to 1 0 times, want once`,
				`TLSForced: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): spec.forProvider.parameter[0] sets rds.force_ssl to "0": connections without TLS would be accepted`,
				`TLSForced: self-test: "cluster-parameter-group" (rds ClusterParameterGroup): spec.forProvider.parameter[1] allows TLSv1: below TLS 1.2`,
				`TLSForced: self-test: "db-parameter-group-16" (rds ParameterGroup): spec.forProvider.parameter[0] turns ssl off ("0")`,
			}},
		},

		// NoPasswordInDesired.
		"NoPasswordInDesiredGood": {
			reason: "The bootstrap Secret holds the password; the cluster only references it.",
			args: args{rule: "NoPasswordInDesired", state: testState("us-east-1", map[string]map[string]any{
				"bootstrap-secret": testSecret("bootstrap-secret", map[string]string{"password": testPassword}),
				"cluster": testMR(ruleKindRDSCluster, "cluster", map[string]any{"masterPasswordSecretRef": map[string]any{
					"name": "orders-bootstrap", "key": "password",
				}}),
			})},
		},
		"NoPasswordInDesiredBad": {
			reason: "The password in a SecretVersion, base64-encoded in another Secret, in a non-Secret resource named bootstrap-secret, in the XR's status or in a connection detail is reported.",
			args: args{rule: "NoPasswordInDesired", state: func() *ruleState {
				s := testState("us-east-1", map[string]map[string]any{
					"master-secret-version": testMR(testKindSecretVersion, "master-secret-version", map[string]any{"secretString": `{"username":"dbadmin","password":"` + testPassword + `"}`}),
					"connection-secret":     testSecret("connection-secret", map[string]string{"password": testPassword}),
					"bootstrap-secret":      testMR(testKindSecretVersion, "bootstrap-secret", map[string]any{"secretString": testPassword}),
				})
				s.Composite = map[string]any{"status": map[string]any{"note": "password " + testPassword}}
				s.ConnectionDetails = map[string][]byte{"password": []byte(testPassword)}
				return s
			}()},
			want: want{violations: []string{
				`NoPasswordInDesired: self-test: "bootstrap-secret" (secretsmanager SecretVersion): spec.forProvider.secretString contains the bootstrap password`,
				`NoPasswordInDesired: self-test: "connection-secret" (v1 Secret): data.password (base64-decoded) contains the bootstrap password`,
				`NoPasswordInDesired: self-test: "connection-secret" (v1 Secret): data.password contains the bootstrap password`,
				`NoPasswordInDesired: self-test: "master-secret-version" (secretsmanager SecretVersion): spec.forProvider.secretString contains the bootstrap password`,
				`NoPasswordInDesired: self-test: the XR: connection detail "password" contains the bootstrap password`,
				`NoPasswordInDesired: self-test: the XR: status.note contains the bootstrap password`,
			}},
		},
	}
	for name, tc := range findingSelfTests() {
		if _, ok := cases[name]; ok {
			t.Fatalf("self-test case %s is declared twice", name)
		}
		cases[name] = tc
	}

	rules := map[string]awsRule{}
	for _, r := range awsRules {
		rules[r.ID] = r
	}
	good, bad := map[string]bool{}, map[string]bool{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, ok := rules[tc.args.rule]
			if !ok {
				t.Fatalf("no rule %q", tc.args.rule)
			}
			if tc.args.check != nil {
				r.Check = tc.args.check
			}
			got := checkRule(r, tc.args.state)
			if diff := cmp.Diff(tc.want.violations, got); diff != "" {
				t.Errorf("%s\n%s: -want, +got:\n%s", tc.reason, tc.args.rule, diff)
			}
		})
		if len(tc.want.violations) == 0 {
			good[tc.args.rule] = true
		} else {
			bad[tc.args.rule] = true
		}
	}
	for id := range rules {
		if !good[id] || !bad[id] {
			t.Errorf("rule %s needs a good and a bad case in TestAWSRulesSelfTest", id)
		}
	}
}

// TestAWSRulesDeclared checks every rule is complete: a unique ID, a
// one-line statement, a citation and a check.
func TestAWSRulesDeclared(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range awsRules {
		switch {
		case r.ID == "" || strings.ContainsAny(r.ID, " /"):
			t.Errorf("rule %q: the ID must be one word, usable in -run", r.ID)
		case seen[r.ID]:
			t.Errorf("rule %s is declared twice", r.ID)
		}
		seen[r.ID] = true
		if r.Statement == "" || strings.Contains(r.Statement, "\n") {
			t.Errorf("rule %s: the statement must be one line", r.ID)
		}
		if len(r.Citations) == 0 {
			t.Errorf("rule %s cites nothing: name the AWS documentation or provider issue that makes it true", r.ID)
		}
		for _, c := range r.Citations {
			if !strings.HasPrefix(c, "https://") {
				t.Errorf("rule %s: citation %q is not a URL", r.ID, c)
			}
		}
		if r.Check == nil {
			t.Errorf("rule %s has no check", r.ID)
		}
	}
}

// TestProviderReferenceIndex reads reference markers from a stand-in types
// file: a default and an overridden selector name, a bare type in the own
// package, a selector in a nested list, an embedded struct, and a selector
// without marker; and it checks the real internal/aws has a marker on every
// selector of every kind in kinds.txt.
func TestProviderReferenceIndex(t *testing.T) {
	t.Run("StandIn", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "things", "v1beta1")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		src := `package v1beta1

import (
	"github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	CRDGroup   = "things.aws.m.upbound.io"
	CRDVersion = "v1beta1"
)

type Common struct {
	// +crossplane:generate:reference:type=github.com/upbound/provider-aws/v2/apis/namespaced/kms/v1beta1.Key
	KMSKeyID *string ` + "`json:\"kmsKeyId,omitempty\"`" + `
	KMSKeyIDSelector *v1.NamespacedSelector ` + "`json:\"kmsKeyIdSelector,omitempty\"`" + `
}

type RuleParameters struct {
	// +crossplane:generate:reference:type=github.com/upbound/provider-aws/v2/apis/cluster/ec2/v1beta1.SecurityGroup
	// +crossplane:generate:reference:refFieldName=SecurityGroupIDRefs
	// +crossplane:generate:reference:selectorFieldName=SecurityGroupIDSelector
	SecurityGroupIds []*string ` + "`json:\"securityGroupIds,omitempty\"`" + `
	SecurityGroupIDSelector *v1.NamespacedSelector ` + "`json:\"securityGroupIdSelector,omitempty\"`" + `
}

type ThingParameters struct {
	Common ` + "`json:\",inline\"`" + `

	// +crossplane:generate:reference:type=Thing
	// +crossplane:generate:reference:extractor=github.com/crossplane/upjet/v2/pkg/resource.ExtractParamPath("arn",true)
	ParentArn *string ` + "`json:\"parentArn,omitempty\"`" + `
	ParentArnSelector *v1.NamespacedSelector ` + "`json:\"parentArnSelector,omitempty\"`" + `

	RoleSelector *v1.NamespacedSelector ` + "`json:\"roleSelector,omitempty\"`" + `

	Rule []RuleParameters ` + "`json:\"rule,omitempty\"`" + `
}

type ThingSpec struct {
	ForProvider ThingParameters ` + "`json:\"forProvider\"`" + `
}

type Thing struct {
	metav1.TypeMeta ` + "`json:\",inline\"`" + `
	Spec ThingSpec ` + "`json:\"spec\"`" + `
}
`
		if err := os.WriteFile(filepath.Join(dir, "zz_generated.types.go"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := loadProviderReferences(filepath.Dir(filepath.Dir(dir)))
		if err != nil {
			t.Fatal(err)
		}
		thing := objKind{"things.aws.m.upbound.io/v1beta1", "Thing"}
		want := providerReferenceIndex{thing: {
			Refs: map[string]providerReference{
				"spec.forProvider.kmsKeyIdSelector":             {Target: objKind{"kms.aws.m.upbound.io/v1beta1", "Key"}, Marked: true, Source: "Common.KMSKeyIDSelector"},
				"spec.forProvider.parentArnSelector":            {Target: thing, Extractor: `github.com/crossplane/upjet/v2/pkg/resource.ExtractParamPath("arn",true)`, Marked: true, Source: "ThingParameters.ParentArnSelector"},
				"spec.forProvider.roleSelector":                 {Source: "ThingParameters.RoleSelector"},
				"spec.forProvider.rule.securityGroupIdSelector": {Target: objKind{"ec2.aws.upbound.io/v1beta1", "SecurityGroup"}, Marked: true, Source: "RuleParameters.SecurityGroupIDSelector"},
			},
			Fields: map[string]bool{
				"spec.forProvider":                              true,
				"spec.forProvider.kmsKeyId":                     true,
				"spec.forProvider.kmsKeyIdSelector":             true,
				"spec.forProvider.parentArn":                    true,
				"spec.forProvider.parentArnSelector":            true,
				"spec.forProvider.roleSelector":                 true,
				"spec.forProvider.rule":                         true,
				"spec.forProvider.rule.securityGroupIds":        true,
				"spec.forProvider.rule.securityGroupIdSelector": true,
			},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("loadProviderReferences: -want, +got:\n%s", diff)
		}
	})
	t.Run("InternalAWS", func(t *testing.T) {
		idx, err := providerReferences()
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(providerTypesDir, "kinds.txt"))
		if err != nil {
			t.Fatal(err)
		}
		kinds := 0
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || strings.HasPrefix(f[0], "#") {
				continue
			}
			group, version, _ := strings.Cut(f[0], "/")
			for _, k := range f[1:] {
				kinds++
				info, ok := idx[objKind{group + ruleProviderAWSGroupSuffix + "/" + version, k}]
				if !ok {
					t.Errorf("%s %s of kinds.txt has no types in %s", f[0], k, providerTypesDir)
					continue
				}
				for _, p := range sortedMapKeys(info.Refs) {
					if !info.Refs[p].Marked {
						t.Errorf("%s %s: %s (%s) has no reference type marker", f[0], k, p, info.Refs[p].Source)
					}
				}
			}
		}
		if kinds == 0 {
			t.Error("kinds.txt lists no kinds")
		}
	})
}

// TestWithResolverTargets: the selector targets come from the provider's
// resolvers (fakeprovider.References), and a marker that disagrees with
// them fails loading.
func TestWithResolverTargets(t *testing.T) {
	const path = "spec.forProvider.kmsKeyIdSelector"
	gvk := func(group, kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group + ".aws.m.upbound.io", Version: "v1beta1", Kind: kind}
	}
	index := func(target objKind) providerReferenceIndex {
		return providerReferenceIndex{ruleKindLogGroup: {Refs: map[string]providerReference{
			path: {Target: target, Marked: true, Source: "GroupParameters.KMSKeyIDSelector"},
		}}}
	}
	type want struct {
		target objKind
		err    string
	}
	cases := map[string]struct {
		reason  string
		idx     providerReferenceIndex
		targets map[string]schema.GroupVersionKind
		want    want
	}{
		"Agree": {
			reason:  "The resolver lists the kind the marker names.",
			idx:     index(ruleKindKMSKey),
			targets: map[string]schema.GroupVersionKind{path: gvk("kms", "Key")},
			want:    want{target: ruleKindKMSKey},
		},
		"Disagree": {
			reason:  "A marker naming another kind than the resolver lists is an error, not a guess.",
			idx:     index(testKindAlias),
			targets: map[string]schema.GroupVersionKind{path: gvk("kms", "Key")},
			want:    want{err: "lists kms.aws.m.upbound.io/v1beta1 Key in the provider's resolver, but its marker names kms.aws.m.upbound.io/v1beta1 Alias"},
		},
		"NotResolved": {
			reason:  "A selector field the resolver never lists is an error.",
			idx:     index(ruleKindKMSKey),
			targets: map[string]schema.GroupVersionKind{},
			want:    want{err: "the provider's resolver does not resolve " + path},
		},
		"UncomposedTarget": {
			reason:  "A target in a group nothing is composed of keeps its marker's kind.",
			idx:     index(testKindAlias),
			targets: map[string]schema.GroupVersionKind{path: {}},
			want:    want{target: testKindAlias},
		},
		"KindNotComposed": {
			reason: "A kind the table does not have (internal/aws copies it only because a composed kind references it) keeps its markers' kinds.",
			idx:    index(testKindAlias),
			want:   want{target: testKindAlias},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := withResolverTargets(tc.idx, func(schema.GroupVersionKind) (map[string]schema.GroupVersionKind, bool) {
				return tc.targets, tc.targets != nil
			})
			got := want{}
			if err != nil {
				got.err = err.Error()
			} else {
				got.target = tc.idx[ruleKindLogGroup].Refs[path].Target
			}
			if tc.want.err != "" && strings.Contains(got.err, tc.want.err) {
				got.err = tc.want.err
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nwithResolverTargets(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
