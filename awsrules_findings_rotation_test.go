package main

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Finding rules about the master password and its rotation: when the
// first rotation starts (M1), how often it rotates at once (M4), the S3
// rotator's gates (minor 7) and reach (minor 6), the password's limits
// (minor 3) and the names AWS keeps after deletion (minor 4).

// rotationFindingRules are the rotation rules.
var rotationFindingRules = []awsRule{
	{
		ID:        "RotationStartsWhenReachable",
		Statement: "A SecretRotation that names a rotation Lambda is composed for the first time only once the writer ClusterInstance (the spec's first instance) and every desired VPCEndpoint are observed Ready.",
		Citations: []string{
			"https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html (an AWSPENDING version not on AWSCURRENT makes every later RotateSecret fail)",
			"https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot_rotation.html (the rotation function must reach the database and Secrets Manager)",
		},
		Check: checkRotationStartsWhenReachable,
	},
	{
		ID:        "RotateImmediatelyOnlyFirst",
		Statement: "Every SecretRotation sets spec.forProvider.rotateImmediately; it is false without a rotation Lambda (RDSManaged), and true only while the rotation is not observed Ready.",
		Citations: []string{
			"https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/secretsmanager/secret_rotation.go (rotate_immediately defaults to true and is sent with RotateSecret on every rotation_rules or rotation_lambda_arn change)",
			"https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html (RotateImmediately: default true)",
		},
		Check: checkRotateImmediatelyOnlyFirst,
	},
	{
		ID:        "MasterPasswordWithinAuroraLimits",
		Statement: "The bootstrap v1 Secret's password (the key the cluster's masterPasswordSecretRef names) is 8 to 41 printable ASCII characters other than / \" @ ' and space.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (MasterUserPassword: 8 to 41 printable ASCII characters except /, \" and @)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/CHAP_Limits.html#RDS_Limits.Constraints (the master password excludes /, ', \", @ and space)",
		},
		Check: checkMasterPasswordWithinAuroraLimits,
	},
	{
		ID:        "S3RotatorAfterItsRole",
		Statement: "A lambda Function composed for the first time has the iam Role its roleSelector selects, and that role's RolePolicyAttachments, observed Ready; a SecretPolicy composed for the first time has every desired iam Role it names as principal observed Ready.",
		Citations: []string{
			"https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (InvalidParameterValueException when the execution role cannot create network interfaces: ec2:CreateNetworkInterface)",
			"https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions (AWSLambdaVPCAccessExecutionRole)",
			"https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html (MalformedPolicyDocumentException: a principal that does not exist)",
		},
		Check: checkS3RotatorAfterItsRole,
	},
	{
		ID:        "S3RotatorReachesOnlyItsServices",
		Statement: "A lambda Function's environment names no RDS or KMS ARN, and its role's policies allow only Secrets Manager actions on secrets, GetRandomPassword, and KMS actions on keys: what it reaches through its security group (the DB port and Secrets Manager's endpoint).",
		Citations: []string{
			"https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html (a function in a VPC reaches AWS APIs only through the VPC: endpoints or NAT)",
			"https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html (the rotation function's permissions: the secret, GetRandomPassword, the key)",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
		},
		Check: checkS3RotatorReachesOnlyItsServices,
	},
	{
		ID:        "NamesAWSKeepsCarryTheIncarnation",
		Statement: "When composed for the first time, the master secret's name, the rotator stack's name and functionName, the rotator Function's external name and the rotator security group's name contain incarnationHash of the XR's UID.",
		Citations: []string{
			"https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html (a deleted secret keeps its name for the recovery window; CreateSecret of that name fails)",
			"https://github.com/hashicorp/terraform-provider-aws/issues/10329 (a Lambda's network interfaces hold its security group for up to 45 minutes after deletion)",
			"https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-cli-creating-stack.html (a stack name is unique in the region while the stack exists)",
		},
		Check: checkNamesAWSKeepsCarryTheIncarnation,
	},
}

// RotationStartsWhenReachable.

// checkRotationStartsWhenReachable (M1): a rotation started before the
// writer instance exists fails in setSecret, fires the failure alarm on day
// 0 and leaves an AWSPENDING version that makes every later RotateSecret
// fail; the rotator calls Secrets Manager through the endpoint.
func checkRotationStartsWhenReachable(s *ruleState) []ruleFinding {
	if !s.ObservedKnown || len(s.Spec.Instances) == 0 {
		return nil
	}
	writer := string(nameInstance(instanceSuffix(0, s.Spec.Instances[0])))
	var out []ruleFinding
	for _, r := range s.desiredOf(ruleKindSecretRotation) {
		if !s.firstComposed(r.Name) || !namesRotationLambda(r.Obj) {
			continue
		}
		if why := s.notReady(writer, ruleKindRDSClusterInstance); why != "" {
			out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("is composed for the first time while the writer instance %q %s: setSecret cannot connect, and the AWSPENDING version the failed rotation leaves makes every later RotateSecret fail", writer, why)})
		}
		for _, ep := range s.desiredOf(ruleKindVPCEndpoint) {
			if why := s.notReady(ep.Name, ruleKindVPCEndpoint); why != "" {
				out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("is composed for the first time while the Secrets Manager endpoint %q %s: the rotator cannot call Secrets Manager", ep.Name, why)})
			}
		}
	}
	return out
}

// RotateImmediatelyOnlyFirst.

// checkRotateImmediatelyOnlyFirst (M4): the provider sends rotateImmediately
// with RotateSecret on every schedule change, and Terraform defaults it to
// true, so an edit of rotation.days would rotate the password under the
// applications. Only the first rotation of a password that was in
// Kubernetes should run at once.
func checkRotateImmediatelyOnlyFirst(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, r := range s.desiredOf(ruleKindSecretRotation) {
		now, set := forProviderBool(r.Obj, "rotateImmediately")
		switch {
		case !set:
			out = append(out, ruleFinding{Resource: r.Name, Message: "sets no spec.forProvider.rotateImmediately: the provider sends Terraform's default, true, and every schedule change rotates the password at once"})
		case !now:
		case !namesRotationLambda(r.Obj):
			out = append(out, ruleFinding{Resource: r.Name, Message: "sets rotateImmediately true on the RDS-managed secret's schedule (no rotation Lambda): every schedule change rotates the password under the applications"})
		case s.ObservedKnown && s.Observed[r.Name] != nil && observedReady(s.Observed[r.Name]):
			out = append(out, ruleFinding{Resource: r.Name, Message: "sets rotateImmediately true while the rotation is observed Ready: the first rotation has started, and the next schedule change would rotate the password under the applications"})
		}
	}
	return out
}

// MasterPasswordWithinAuroraLimits.

// checkMasterPasswordWithinAuroraLimits (minor 3): CreateDBCluster refuses a
// password outside Aurora's limits, so the cluster is never created and the
// bootstrap never completes.
func checkMasterPasswordWithinAuroraLimits(s *ruleState) []ruleFinding {
	type ref struct{ name, key string }
	// Where the password is: the Secret and key the cluster reads, and the
	// bootstrap Secret before the cluster is composed.
	var refs []ref
	for _, c := range s.desiredOf(ruleKindRDSCluster) {
		for _, b := range mrParameters(c.Obj) {
			if r := objMap(b.Params, "masterPasswordSecretRef"); r != nil {
				refs = append(refs, ref{name: objString(r, "name"), key: objString(r, "key")})
			}
		}
	}
	var out []ruleFinding
	judged := map[string]bool{}
	judge := func(name, key string) {
		obj := s.Desired[name]
		if judged[name+"/"+key] || !ruleKindSecret.is(obj) {
			return
		}
		judged[name+"/"+key] = true
		path := "data." + key
		enc, ok := objMap(obj, "data")[key].(string)
		if !ok {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("has no %s, the master password the cluster reads", path)})
			return
		}
		pw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s is not base64: %v", path, err)})
			return
		}
		for _, m := range auroraPasswordProblems(string(pw)) {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s (base64-decoded) %s: CreateDBCluster refuses it", path, m)})
		}
	}
	for _, r := range refs {
		for _, n := range s.desiredNames() {
			if objString(s.Desired[n], "metadata", "name") == r.name {
				judge(n, r.key)
			}
		}
	}
	judge(string(nameBootstrapSecret), bootstrapKeyPassword)
	return out
}

// auroraPasswordProblems is what Aurora refuses in a master password,
// without repeating the password.
func auroraPasswordProblems(pw string) []string {
	var out []string
	if n := utf8.RuneCountInString(pw); n < 8 || n > 41 {
		out = append(out, fmt.Sprintf("is %d characters, want 8 to 41", n))
	}
	var bad []string
	for _, r := range pw {
		if r <= ' ' || r > '~' || strings.ContainsRune(`/"@'`, r) {
			if q := fmt.Sprintf("%q", r); !slices.Contains(bad, q) {
				bad = append(bad, q)
			}
		}
	}
	if len(bad) > 0 {
		out = append(out, fmt.Sprintf("has %s, want printable ASCII other than / \" @ ' and space", strings.Join(bad, ", ")))
	}
	return out
}

// TestAWSRulesGeneratedPassword: the states above carry the
// tests' fixed password, so the generator the function runs in production
// is held to the same limits here.
func TestAWSRulesGeneratedPassword(t *testing.T) {
	for range 200 {
		pw, err := generatePassword()
		if err != nil {
			t.Fatal(err)
		}
		if p := auroraPasswordProblems(pw); len(p) > 0 {
			t.Fatalf("generatePassword: a password that %s", strings.Join(p, "; "))
		}
	}
}

// S3RotatorAfterItsRole.

// reIAMRoleARN is an IAM role ARN, with the role's name (after its path).
var reIAMRoleARN = regexp.MustCompile(`^arn:[^:]+:iam::[0-9]{12}:role/(?:.*/)?([^/]+)$`)

// checkS3RotatorAfterItsRole (minor 7): Lambda refuses a VPC function whose
// role cannot yet create network interfaces, and Secrets Manager refuses a
// policy naming a role that does not exist yet; both retry with back-off,
// for minutes.
func checkS3RotatorAfterItsRole(s *ruleState) []ruleFinding {
	if !s.ObservedKnown {
		return nil
	}
	var out []ruleFinding
	for _, f := range s.desiredOf(ruleKindLambdaFunction) {
		role := s.selectedBy(f.Obj, "roleSelector")
		if !s.firstComposed(f.Name) || role == "" || !ruleKindIAMRole.is(s.Desired[role]) {
			continue
		}
		if why := s.notReady(role, ruleKindIAMRole); why != "" {
			out = append(out, ruleFinding{Resource: f.Name, Message: fmt.Sprintf("is composed for the first time while its execution role %q %s: CreateFunction refuses a role it cannot assume yet", role, why)})
		}
		for _, a := range s.desiredOf(ruleKindRolePolicyAttachment) {
			if s.selectedBy(a.Obj, "roleSelector") != role {
				continue
			}
			if why := s.notReady(a.Name, ruleKindRolePolicyAttachment); why != "" {
				out = append(out, ruleFinding{Resource: f.Name, Message: fmt.Sprintf("is composed for the first time while %q (%s on its role) %s: CreateFunction refuses a VPC function whose role cannot create network interfaces", a.Name, mrParamString(a.Obj, "policyArn"), why)})
			}
		}
	}
	for _, p := range s.desiredOf(ruleKindSecretPolicy) {
		if !s.firstComposed(p.Name) {
			continue
		}
		doc, err := parseRulePolicy(mrParamString(p.Obj, "policy"))
		if err != nil {
			continue
		}
		var named []string
		for _, st := range doc.Statement {
			for _, principal := range policyPrincipalsAWS(st.Principal) {
				m := reIAMRoleARN.FindStringSubmatch(principal)
				if m == nil {
					continue
				}
				if role := s.desiredByExternalName(ruleKindIAMRole, m[1]); role != "" && !slices.Contains(named, role) {
					named = append(named, role)
					if why := s.notReady(role, ruleKindIAMRole); why != "" {
						out = append(out, ruleFinding{Resource: p.Name, Message: fmt.Sprintf("is composed for the first time naming %s (%q) as principal, which %s: PutResourcePolicy refuses a principal that does not exist yet", principal, role, why)})
					}
				}
			}
		}
	}
	return out
}

// S3RotatorReachesOnlyItsServices.

var (
	reSecretARN = regexp.MustCompile(`^arn:[^:]+:secretsmanager:[^:]+:[0-9]{12}:secret:[^*]+$`)
	reKeyARN    = regexp.MustCompile(`^arn:[^:]+:kms:[^:]+:[0-9]{12}:key/[^*]+$`)
)

// checkS3RotatorReachesOnlyItsServices (minor 6): the rotator's security
// group lets it out only to the database port and the Secrets Manager
// endpoint; a call to any other AWS API hangs until the function times out,
// and a permission for one grants what the function cannot use.
func checkS3RotatorReachesOnlyItsServices(s *ruleState) []ruleFinding {
	var out []ruleFinding
	for _, f := range s.desiredOf(ruleKindLambdaFunction) {
		for _, b := range mrParameters(f.Obj) {
			vars := objMap(b.Params, "environment", "variables")
			for _, k := range sortedMapKeys(vars) {
				v, _ := vars[k].(string)
				for _, arn := range ruleReARN.FindAllString(v, -1) {
					if svc := strings.SplitN(arn, ":", 6)[2]; svc == "rds" || svc == "kms" {
						out = append(out, ruleFinding{Resource: f.Name, Message: fmt.Sprintf("%s.environment.variables.%s names %s ARN %s: the rotator's network reaches only the DB port and Secrets Manager's endpoint, so a call to %s hangs until it times out", b.Path, k, strings.ToUpper(svc), arn, strings.ToUpper(svc))})
					}
				}
			}
		}
		role := s.selectedBy(f.Obj, "roleSelector")
		if role == "" {
			continue
		}
		type doc struct{ resource, path, policy string }
		var docs []doc
		for i, p := range objSlice(s.Desired[role], "spec", "forProvider", "inlinePolicy") {
			pm, _ := p.(map[string]any)
			if v, ok := pm["policy"].(string); ok {
				docs = append(docs, doc{role, fmt.Sprintf("spec.forProvider.inlinePolicy[%d].policy", i), v})
			}
		}
		for _, rp := range s.desiredOf(ruleKindIAMRolePolicy) {
			if s.selectedBy(rp.Obj, "roleSelector") == role {
				docs = append(docs, doc{rp.Name, "spec.forProvider.policy", mrParamString(rp.Obj, "policy")})
			}
		}
		for _, d := range docs {
			parsed, err := parseRulePolicy(d.policy)
			if err != nil {
				continue
			}
			for i, st := range parsed.Statement {
				if st.Effect != "Allow" {
					continue
				}
				for _, m := range rotatorActionProblems(st) {
					out = append(out, ruleFinding{Resource: d.resource, Message: fmt.Sprintf("%s: %s %s", d.path, st.name(i), m)})
				}
			}
		}
	}
	return out
}

// rotatorActionProblems judges one Allow statement of the rotator's role.
func rotatorActionProblems(st parsedStatement) []string {
	var out []string
	outside := func(re *regexp.Regexp) []string {
		var bad []string
		for _, r := range st.Resource {
			if !re.MatchString(r) {
				bad = append(bad, r)
			}
		}
		return bad
	}
	for _, a := range st.Action {
		la := strings.ToLower(a)
		switch {
		case la == "secretsmanager:getrandompassword":
		case strings.HasPrefix(la, "secretsmanager:"):
			if bad := outside(reSecretARN); len(bad) > 0 {
				out = append(out, fmt.Sprintf("allows %s on %s, want the secret it rotates only", a, strings.Join(bad, ", ")))
			}
		case strings.HasPrefix(la, "kms:"):
			if bad := outside(reKeyARN); len(bad) > 0 {
				out = append(out, fmt.Sprintf("allows %s on %s, want the secret's key only", a, strings.Join(bad, ", ")))
			}
		default:
			out = append(out, fmt.Sprintf("allows %s, which the rotator cannot reach: its security group lets it out only to the DB port and Secrets Manager's endpoint", a))
		}
	}
	return out
}

// NamesAWSKeepsCarryTheIncarnation.

// checkNamesAWSKeepsCarryTheIncarnation (minor 4): AWS keeps a deleted
// secret's name for its recovery window, and a deleted Lambda's network
// interfaces hold its security group (and so its stack) for up to 45
// minutes; an XR deleted and created again under the same name must not
// reuse those names.
func checkNamesAWSKeepsCarryTheIncarnation(s *ruleState) []ruleFinding {
	if !s.ObservedKnown {
		return nil
	}
	inc := incarnationHash(s.Meta.UID)
	var out []ruleFinding
	check := func(name, what, value, why string) {
		if value != "" && !strings.Contains(value, inc) {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("is composed for the first time with %s %q, which does not carry the XR's incarnation %s (incarnationHash of its UID): %s", what, value, inc, why)})
		}
	}
	const secretWhy = "a deleted secret keeps its name for its recovery window, and CreateSecret refuses it"
	const eniWhy = "a deleted rotator's network interfaces hold it for up to 45 minutes"
	for _, o := range s.desiredOf(ruleKindSMSecret) {
		if s.firstComposed(o.Name) {
			check(o.Name, "spec.forProvider.name", mrParamString(o.Obj, "name"), secretWhy)
		}
	}
	for _, o := range s.desiredOf(ruleKindCFNStack) {
		if s.firstComposed(o.Name) {
			check(o.Name, "spec.forProvider.name", mrParamString(o.Obj, "name"), "the stack of a deleted XR stays while its rotator's network interfaces drain")
			fn, _ := objField(o.Obj, "spec", "forProvider", "parameters", "functionName")
			v, _ := fn.(string)
			check(o.Name, "spec.forProvider.parameters.functionName", v, "the function of a deleted XR's stack stays while its network interfaces drain")
		}
	}
	rotatorSGs := []string{}
	if obj, ok := s.Desired[string(nameRotatorSecurityGroup)]; ok && ruleKindSecurityGroup.is(obj) {
		rotatorSGs = append(rotatorSGs, string(nameRotatorSecurityGroup))
	}
	for _, o := range s.desiredOf(ruleKindLambdaFunction) {
		if s.firstComposed(o.Name) {
			check(o.Name, "external name", objAnnotation(o.Obj, ruleAnnotationExternalName), "the function of a deleted XR stays while its network interfaces drain")
		}
		if sg := s.selected(objMap(o.Obj, "spec", "forProvider", "vpcConfig", "securityGroupIdSelector")); sg != "" && !slices.Contains(rotatorSGs, sg) {
			rotatorSGs = append(rotatorSGs, sg)
		}
	}
	for _, sg := range rotatorSGs {
		if s.firstComposed(sg) {
			check(sg, "spec.forProvider.name", mrParamString(s.Desired[sg], "name"), eniWhy)
		}
	}
	return out
}

// rotationFindingSelfTests are the rotation rules' cases.
func rotationFindingSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	rotation := func(params map[string]any) map[string]any {
		return testMR(ruleKindSecretRotation, "secret-rotation", withParamsMap(map[string]any{
			"secretIdSelector":          testSelector("master-secret"),
			"rotationLambdaArnSelector": testSelector("rotator-function"),
		}, params))
	}
	rdsRotation := func(params map[string]any) map[string]any {
		return testMR(ruleKindSecretRotation, "secret-rotation", withParamsMap(map[string]any{
			"secretId": "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!cluster-x",
		}, params))
	}
	instance := func() map[string]any {
		return testMR(ruleKindRDSClusterInstance, "instance-writer", map[string]any{})
	}
	endpoint := func() map[string]any {
		return testMR(ruleKindVPCEndpoint, "secretsmanager-endpoint", map[string]any{})
	}
	withWriter := func(s *ruleState) *ruleState {
		s.Spec.Instances = []Instance{{Name: "writer"}, {Name: "reader"}}
		return s
	}
	bootstrap := func(pw string) map[string]any {
		sec := testSecret("bootstrap-secret", map[string]string{"password": pw})
		sec["metadata"].(map[string]any)["name"] = "orders-bootstrap"
		return sec
	}
	passwordCluster := func() map[string]any {
		c := testMR(ruleKindRDSCluster, "cluster", map[string]any{})
		c["spec"].(map[string]any)["initProvider"] = map[string]any{"masterPasswordSecretRef": map[string]any{"name": "orders-bootstrap", "key": "password"}}
		return c
	}
	function := func() map[string]any {
		return testMR(ruleKindLambdaFunction, "rotator-function", map[string]any{
			"roleSelector": testSelector("rotator-role"),
			"vpcConfig":    map[string]any{"securityGroupIdSelector": testSelector("rotator-security-group")},
		})
	}
	role := func() map[string]any {
		return withExternalName(testMR(ruleKindIAMRole, "rotator-role", map[string]any{}), "orders-rot-1a2b3c4d")
	}
	attachment := func() map[string]any {
		return testMR(ruleKindRolePolicyAttachment, "rotator-vpc-access", map[string]any{
			"roleSelector": testSelector("rotator-role"),
			"policyArn":    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
		})
	}
	secretPolicy := func() map[string]any {
		return testMR(ruleKindSecretPolicy, "master-secret-policy", map[string]any{"policy": `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":"secretsmanager:DescribeSecret","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:x"},
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/orders-rot-1a2b3c4d"},"Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:x"}]}`})
	}
	const secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:aurora/orders/master-1a2b3c4d-AbCdEf"
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	rolePolicy := func(doc string) map[string]any {
		return testMR(ruleKindIAMRolePolicy, "rotator-role-policy", map[string]any{"roleSelector": testSelector("rotator-role"), "policy": doc})
	}
	// incarnated is a state of an XR whose UID's incarnation hash is
	// what NamesAWSKeepsCarryTheIncarnation looks for.
	incarnated := func(desired map[string]map[string]any, observed map[string]map[string]any) *ruleState {
		s := withObserved(testState("us-east-1", desired), observed)
		s.Meta = xrMeta{Name: "orders", Namespace: "team", UID: "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60"}
		return s
	}
	inc := incarnationHash("0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60")
	named := func(k objKind, component string, params map[string]any) map[string]any {
		return testMR(k, component, params)
	}
	return map[string]ruleSelfTest{
		// RotationStartsWhenReachable.
		"RotationStartsWhenReachableGood": {
			reason: "The first SelfManaged rotation once the writer and the endpoint are Ready; an RDS-managed schedule needs neither.",
			args: args{rule: "RotationStartsWhenReachable", state: withObserved(withWriter(testState("us-east-1", map[string]map[string]any{
				"secret-rotation":         rotation(nil),
				"instance-writer":         instance(),
				"secretsmanager-endpoint": endpoint(),
			})), map[string]map[string]any{
				"instance-writer":         instance(),
				"secretsmanager-endpoint": endpoint(),
			})},
		},
		"RotationStartsWhenReachableRDSManaged": {
			reason: "RDS rotates its own secret without a Lambda: the schedule needs no instance.",
			args: args{rule: "RotationStartsWhenReachable", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"secret-rotation": rdsRotation(nil),
			}), nil)},
		},
		"RotationStartsWhenReachableBad": {
			reason: "A first rotation while the writer (a reader is Ready) is not observed and the endpoint is not Ready is reported.",
			args: args{rule: "RotationStartsWhenReachable", state: func() *ruleState {
				s := withObserved(withWriter(testState("us-east-1", map[string]map[string]any{
					"secret-rotation":         rotation(nil),
					"secretsmanager-endpoint": endpoint(),
				})), map[string]map[string]any{
					"instance-reader": testMR(ruleKindRDSClusterInstance, "instance-reader", map[string]any{}),
				})
				s.Observed["secretsmanager-endpoint"] = withConditions(endpoint(), "False", "True")
				return s
			}()},
			want: want{violations: []string{
				`RotationStartsWhenReachable: self-test: "secret-rotation" (secretsmanager SecretRotation): is composed for the first time while the Secrets Manager endpoint "secretsmanager-endpoint" is not Ready: the rotator cannot call Secrets Manager`,
				`RotationStartsWhenReachable: self-test: "secret-rotation" (secretsmanager SecretRotation): is composed for the first time while the writer instance "instance-writer" is not observed: setSecret cannot connect, and the AWSPENDING version the failed rotation leaves makes every later RotateSecret fail`,
			}},
		},

		// RotateImmediatelyOnlyFirst.
		"RotateImmediatelyOnlyFirstGood": {
			reason: "The first SelfManaged rotation rotates at once; an RDS-managed schedule never does.",
			args: args{rule: "RotateImmediatelyOnlyFirst", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"secret-rotation":     rotation(map[string]any{"rotateImmediately": true}),
				"rds-secret-rotation": rdsRotation(map[string]any{"rotateImmediately": false}),
			}), nil)},
		},
		"RotateImmediatelyOnlyFirstSteady": {
			reason: "Once the rotation is Ready it no longer rotates at once.",
			args: args{rule: "RotateImmediatelyOnlyFirst", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"secret-rotation": rotation(map[string]any{"rotateImmediately": false}),
			}), map[string]map[string]any{"secret-rotation": rotation(map[string]any{"rotateImmediately": true})})},
		},
		"RotateImmediatelyOnlyFirstBad": {
			reason: "rotateImmediately true on a Ready rotation, true on an RDS-managed schedule, and unset (Terraform's default true) are reported.",
			args: args{rule: "RotateImmediatelyOnlyFirst", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"secret-rotation":       rotation(map[string]any{"rotateImmediately": true}),
				"rds-secret-rotation":   rdsRotation(map[string]any{"rotateImmediately": true}),
				"unset-secret-rotation": rdsRotation(nil),
			}), map[string]map[string]any{"secret-rotation": rotation(map[string]any{"rotateImmediately": true})})},
			want: want{violations: []string{
				`RotateImmediatelyOnlyFirst: self-test: "rds-secret-rotation" (secretsmanager SecretRotation): sets rotateImmediately true on the RDS-managed secret's schedule (no rotation Lambda): every schedule change rotates the password under the applications`,
				`RotateImmediatelyOnlyFirst: self-test: "secret-rotation" (secretsmanager SecretRotation): sets rotateImmediately true while the rotation is observed Ready: the first rotation has started, and the next schedule change would rotate the password under the applications`,
				`RotateImmediatelyOnlyFirst: self-test: "unset-secret-rotation" (secretsmanager SecretRotation): sets no spec.forProvider.rotateImmediately: the provider sends Terraform's default, true, and every schedule change rotates the password at once`,
			}},
		},

		// MasterPasswordWithinAuroraLimits.
		"MasterPasswordWithinAuroraLimitsGood": {
			reason: "The test password: 33 characters Aurora accepts.",
			args: args{rule: "MasterPasswordWithinAuroraLimits", state: testState("us-east-1", map[string]map[string]any{
				"bootstrap-secret": bootstrap(testPassword),
				"cluster":          passwordCluster(),
			})},
		},
		"MasterPasswordWithinAuroraLimitsBad": {
			reason: "42 characters with a slash, a quote and a space are reported once each, in the Secret the cluster reads.",
			args: args{rule: "MasterPasswordWithinAuroraLimits", state: testState("us-east-1", map[string]map[string]any{
				"bootstrap-secret": bootstrap("abc/def'ghi jkl/" + strings.Repeat("x", 26)),
				"cluster":          passwordCluster(),
			})},
			want: want{violations: []string{
				`MasterPasswordWithinAuroraLimits: self-test: "bootstrap-secret" (v1 Secret): data.password (base64-decoded) has '/', '\'', ' ', want printable ASCII other than / " @ ' and space: CreateDBCluster refuses it`,
				`MasterPasswordWithinAuroraLimits: self-test: "bootstrap-secret" (v1 Secret): data.password (base64-decoded) is 42 characters, want 8 to 41: CreateDBCluster refuses it`,
			}},
		},
		"MasterPasswordWithinAuroraLimitsBeforeCluster": {
			reason: "Before the cluster is composed the bootstrap Secret is judged by its component name.",
			args: args{rule: "MasterPasswordWithinAuroraLimits", state: testState("us-east-1", map[string]map[string]any{
				"bootstrap-secret": bootstrap("short@"),
			})},
			want: want{violations: []string{
				`MasterPasswordWithinAuroraLimits: self-test: "bootstrap-secret" (v1 Secret): data.password (base64-decoded) has '@', want printable ASCII other than / " @ ' and space: CreateDBCluster refuses it`,
				`MasterPasswordWithinAuroraLimits: self-test: "bootstrap-secret" (v1 Secret): data.password (base64-decoded) is 6 characters, want 8 to 41: CreateDBCluster refuses it`,
			}},
		},

		// S3RotatorAfterItsRole.
		"S3RotatorAfterItsRoleGood": {
			reason: "The function and the secret policy come once the role and its VPC access are Ready.",
			args: args{rule: "S3RotatorAfterItsRole", state: withObserved(testState("us-east-1", map[string]map[string]any{
				"rotator-function":     function(),
				"rotator-role":         role(),
				"rotator-vpc-access":   attachment(),
				"master-secret-policy": secretPolicy(),
			}), map[string]map[string]any{
				"rotator-role":       role(),
				"rotator-vpc-access": attachment(),
			})},
		},
		"S3RotatorAfterItsRoleBad": {
			reason: "A first function while the VPC access attachment is not Ready and the role not observed, and a first secret policy naming that role, are reported.",
			args: args{rule: "S3RotatorAfterItsRole", state: func() *ruleState {
				s := withObserved(testState("us-east-1", map[string]map[string]any{
					"rotator-function":     function(),
					"rotator-role":         role(),
					"rotator-vpc-access":   attachment(),
					"master-secret-policy": secretPolicy(),
				}), nil)
				s.Observed["rotator-vpc-access"] = withConditions(attachment(), "True", "False")
				return s
			}()},
			want: want{violations: []string{
				`S3RotatorAfterItsRole: self-test: "master-secret-policy" (secretsmanager SecretPolicy): is composed for the first time naming arn:aws:iam::111122223333:role/orders-rot-1a2b3c4d ("rotator-role") as principal, which is not observed: PutResourcePolicy refuses a principal that does not exist yet`,
				`S3RotatorAfterItsRole: self-test: "rotator-function" (lambda Function): is composed for the first time while "rotator-vpc-access" (arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole on its role) is not Ready: CreateFunction refuses a VPC function whose role cannot create network interfaces`,
				`S3RotatorAfterItsRole: self-test: "rotator-function" (lambda Function): is composed for the first time while its execution role "rotator-role" is not observed: CreateFunction refuses a role it cannot assume yet`,
			}},
		},

		// S3RotatorReachesOnlyItsServices.
		"S3RotatorReachesOnlyItsServicesGood": {
			reason: "The secret's ARN and the endpoint in the environment; the secret, GetRandomPassword and the key in the role policy.",
			args: args{rule: "S3RotatorReachesOnlyItsServices", state: testState("us-east-1", map[string]map[string]any{
				"rotator-function": withParams(function(), map[string]any{"kmsKeyArn": keyARN, "environment": map[string]any{"variables": map[string]any{
					"SECRET_ARN": secretARN, "SECRETS_MANAGER_ENDPOINT": "https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com",
				}}}),
				"rotator-role": role(),
				"rotator-role-policy": rolePolicy(`{"Version":"2012-10-17","Statement":[
					{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:PutSecretValue"],"Resource":"` + secretARN + `"},
					{"Effect":"Allow","Action":"secretsmanager:GetRandomPassword","Resource":"*"},
					{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"` + keyARN + `"},
					{"Effect":"Deny","Action":"rds:*","Resource":"*"}]}`),
			})},
		},
		"S3RotatorReachesOnlyItsServicesBad": {
			reason: "The cluster's and the key's ARN in the environment, rds:DescribeDBClusters, secret actions on every secret and a key action on an alias are reported.",
			args: args{rule: "S3RotatorReachesOnlyItsServices", state: testState("us-east-1", map[string]map[string]any{
				"rotator-function": withParams(function(), map[string]any{"environment": map[string]any{"variables": map[string]any{
					"SECRET_ARN": secretARN, "RDS_CLUSTER_ARN": "arn:aws:rds:us-east-1:111122223333:cluster:orders", "KMS_KEY_ARN": keyARN,
				}}}),
				"rotator-role": role(),
				"rotator-role-policy": rolePolicy(`{"Version":"2012-10-17","Statement":[
					{"Sid":"Secrets","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:*"},
					{"Sid":"Cluster","Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"arn:aws:rds:us-east-1:111122223333:cluster:orders"},
					{"Sid":"Key","Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111122223333:alias/aurora/orders"}]}`),
			})},
			want: want{violations: []string{
				`S3RotatorReachesOnlyItsServices: self-test: "rotator-function" (lambda Function): spec.forProvider.environment.variables.KMS_KEY_ARN names KMS ARN ` + keyARN + `: the rotator's network reaches only the DB port and Secrets Manager's endpoint, so a call to KMS hangs until it times out`,
				`S3RotatorReachesOnlyItsServices: self-test: "rotator-function" (lambda Function): spec.forProvider.environment.variables.RDS_CLUSTER_ARN names RDS ARN arn:aws:rds:us-east-1:111122223333:cluster:orders: the rotator's network reaches only the DB port and Secrets Manager's endpoint, so a call to RDS hangs until it times out`,
				`S3RotatorReachesOnlyItsServices: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Cluster" allows rds:DescribeDBClusters, which the rotator cannot reach: its security group lets it out only to the DB port and Secrets Manager's endpoint`,
				`S3RotatorReachesOnlyItsServices: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Key" allows kms:Decrypt on arn:aws:kms:us-east-1:111122223333:alias/aurora/orders, want the secret's key only`,
				`S3RotatorReachesOnlyItsServices: self-test: "rotator-role-policy" (iam RolePolicy): spec.forProvider.policy: statement "Secrets" allows secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:111122223333:secret:*, want the secret it rotates only`,
			}},
		},

		// NamesAWSKeepsCarryTheIncarnation.
		"NamesAWSKeepsCarryTheIncarnationGood": {
			reason: "First composed names carry the incarnation; a secret that exists keeps the name it was created with.",
			args: args{rule: "NamesAWSKeepsCarryTheIncarnation", state: incarnated(map[string]map[string]any{
				"master-secret":          named(ruleKindSMSecret, "master-secret", map[string]any{"name": "aurora/orders/master-" + inc}),
				"old-secret":             named(ruleKindSMSecret, "old-secret", map[string]any{"name": "aurora/orders/master"}),
				"rotator-stack":          named(ruleKindCFNStack, "rotator-stack", map[string]any{"name": "rot-" + inc, "parameters": map[string]any{"functionName": "orders-rot-" + inc}}),
				"rotator-function":       withExternalName(function(), "orders-rot-"+inc),
				"rotator-security-group": named(ruleKindSecurityGroup, "rotator-security-group", map[string]any{"name": "orders-rot-" + inc}),
			}, map[string]map[string]any{
				"old-secret": named(ruleKindSMSecret, "old-secret", map[string]any{"name": "aurora/orders/master"}),
			})},
		},
		"NamesAWSKeepsCarryTheIncarnationGoldenFile": {
			reason: "A golden file does not say what is composed for the first time.",
			args: args{rule: "NamesAWSKeepsCarryTheIncarnation", state: testState("us-east-1", map[string]map[string]any{
				"master-secret": named(ruleKindSMSecret, "master-secret", map[string]any{"name": "aurora/orders/master"}),
			})},
		},
		"NamesAWSKeepsCarryTheIncarnationBad": {
			reason: "A secret, a stack and its function name, a function and the security group its vpcConfig selects, named without the incarnation, are reported.",
			args: args{rule: "NamesAWSKeepsCarryTheIncarnation", state: incarnated(map[string]map[string]any{
				"master-secret":          named(ruleKindSMSecret, "master-secret", map[string]any{"name": "aurora/orders/master"}),
				"rotator-stack":          named(ruleKindCFNStack, "rotator-stack", map[string]any{"name": "rot-fc3a7ff7", "parameters": map[string]any{"functionName": "orders-rot"}}),
				"rotator-function":       withExternalName(function(), "orders-rot"),
				"rotator-security-group": named(ruleKindSecurityGroup, "rotator-security-group", map[string]any{"name": "orders-rot"}),
			}, nil)},
			want: want{violations: []string{
				`NamesAWSKeepsCarryTheIncarnation: self-test: "master-secret" (secretsmanager Secret): is composed for the first time with spec.forProvider.name "aurora/orders/master", which does not carry the XR's incarnation ` + inc + ` (incarnationHash of its UID): a deleted secret keeps its name for its recovery window, and CreateSecret refuses it`,
				`NamesAWSKeepsCarryTheIncarnation: self-test: "rotator-function" (lambda Function): is composed for the first time with external name "orders-rot", which does not carry the XR's incarnation ` + inc + ` (incarnationHash of its UID): the function of a deleted XR stays while its network interfaces drain`,
				`NamesAWSKeepsCarryTheIncarnation: self-test: "rotator-security-group" (ec2 SecurityGroup): is composed for the first time with spec.forProvider.name "orders-rot", which does not carry the XR's incarnation ` + inc + ` (incarnationHash of its UID): a deleted rotator's network interfaces hold it for up to 45 minutes`,
				`NamesAWSKeepsCarryTheIncarnation: self-test: "rotator-stack" (serverlessrepo CloudFormationStack): is composed for the first time with spec.forProvider.name "rot-fc3a7ff7", which does not carry the XR's incarnation ` + inc + ` (incarnationHash of its UID): the stack of a deleted XR stays while its rotator's network interfaces drain`,
				`NamesAWSKeepsCarryTheIncarnation: self-test: "rotator-stack" (serverlessrepo CloudFormationStack): is composed for the first time with spec.forProvider.parameters.functionName "orders-rot", which does not carry the XR's incarnation ` + inc + ` (incarnationHash of its UID): the function of a deleted XR's stack stays while its network interfaces drain`,
			}},
		},
	}
}
