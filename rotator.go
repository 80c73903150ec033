package main

import (
	"strings"

	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
	iamv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/iam/v1beta1"
	lambdav1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/lambda/v1beta1"
	sarv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/serverlessrepo/v1beta1"
)

// Where the SelfManaged rotator comes from.
const (
	rotatorFromServerlessRepo = "serverlessRepo"
	rotatorFromS3             = "s3"
	rotatorFromExisting       = "existingFunction"
)

// Defaults of an S3 rotator: the layout of AWS's rotation templates.
const (
	defaultRotatorRuntime = "python3.12"
	defaultRotatorHandler = "lambda_function.lambda_handler"
	rotatorTimeoutSeconds = 30
)

// rotatorSource says where the rotator comes from; defaults made it exactly
// one.
func (p *plan) rotatorSource() string {
	l := p.spec.Credentials.Rotation.Lambda
	switch {
	case l.S3 != nil:
		return rotatorFromS3
	case l.ExistingFunctionARN != "":
		return rotatorFromExisting
	default:
		return rotatorFromServerlessRepo
	}
}

// rotatorFunctionName is the rotator's Lambda function name.
func (p *plan) rotatorFunctionName() string {
	if arn := p.spec.Credentials.Rotation.Lambda.ExistingFunctionARN; arn != "" {
		// arn:partition:lambda:region:account:function:NAME[:QUALIFIER]
		if parts := strings.Split(arn, ":"); len(parts) > 6 {
			return parts[6]
		}
	}
	return p.names.rotatorFunction
}

// rotatorPrincipal is the rotator's execution role, as a secret policy
// principal. The Serverless Application Repository stack names its role
// itself, so that role is matched by the stack's name prefix.
func (p *plan) rotatorPrincipal() (*policyPrincipal, policyCondition, bool) {
	switch p.rotatorSource() {
	case rotatorFromS3:
		return &policyPrincipal{AWS: []string{p.rotatorRoleARN()}}, nil, true
	case rotatorFromExisting:
		if r := p.spec.Credentials.Rotation.Lambda.ExistingFunctionRoleARN; r != "" {
			return &policyPrincipal{AWS: []string{r}}, nil, true
		}
		return nil, nil, false
	default:
		return &policyPrincipal{AWS: []string{p.arn("iam", "", p.accountID, "root")}},
			policyCondition{"ArnLike": {"aws:PrincipalArn": {p.arn("iam", "", p.accountID, "role/serverlessrepo-"+p.names.rotatorStack+"-*")}}},
			true
	}
}

// rotatorRoleARN is the ARN of the S3 rotator's role, known before it exists
// because the function names it.
func (p *plan) rotatorRoleARN() string {
	return p.arn("iam", "", p.accountID, "role/"+p.names.rotatorRole)
}

// rotatorSubnets are the subnets the rotator runs in.
func (p *plan) rotatorSubnets() []string {
	if s := p.spec.Credentials.Rotation.Lambda.SubnetIDs; len(s) > 0 {
		return s
	}
	return p.spec.Network.SubnetIDs
}

// rotatorStack deploys AWS's single-user PostgreSQL rotator from the
// Serverless Application Repository into the VPC. The app needs native
// libraries a bare zip lacks (pitfall 1), so it is the default.
func (p *plan) rotatorStack(securityGroupID, kmsKeyARN, endpointURL string) *sarv1beta1.CloudFormationStack {
	app := p.spec.Credentials.Rotation.Lambda.ServerlessRepo
	fp := sarv1beta1.CloudFormationStackParameters{
		Region: ptr.To(p.region),
		// NOTE: short, so CloudFormation keeps it whole in the name it gives
		// the stack's role ("serverlessrepo-<stack>-<logical id>-..."),
		// which the secret policy matches.
		Name:          ptr.To(p.names.rotatorStack),
		ApplicationID: ptr.To(app.ApplicationID),
		Capabilities:  []*string{ptr.To("CAPABILITY_IAM"), ptr.To("CAPABILITY_RESOURCE_POLICY")},
		Parameters: map[string]*string{
			"endpoint":            ptr.To(endpointURL),
			"functionName":        ptr.To(p.rotatorFunctionName()),
			"vpcSubnetIds":        ptr.To(strings.Join(p.rotatorSubnets(), ",")),
			"vpcSecurityGroupIds": ptr.To(securityGroupID),
			"kmsKeyArn":           ptr.To(kmsKeyARN),
		},
		Tags: p.tags(),
	}
	if app.SemanticVersion != "" {
		fp.SemanticVersion = ptr.To(app.SemanticVersion)
	}
	return &sarv1beta1.CloudFormationStack{
		ObjectMeta: p.objectMeta(nameRotatorStack, ""),
		Spec:       sarv1beta1.CloudFormationStackSpec{ManagedResourceSpec: p.managed(), ForProvider: fp},
	}
}

// rotatorFunction is the seed's rotator, from a zip in S3 (Lambda cannot take
// a local file: pitfall 1). Its environment is encrypted with the CMK.
// NOTE: its network reaches the database and Secrets Manager only, so the
// zip must call no other AWS API (no RDS, no KMS): AWS's rotators call
// neither, and it is told neither the cluster's nor the key's ARN.
func (p *plan) rotatorFunction(secretARN, kmsKeyARN, endpointURL string) *lambdav1beta1.Function {
	s3 := p.spec.Credentials.Rotation.Lambda.S3
	subnets := make([]*string, 0, len(p.rotatorSubnets()))
	for _, s := range p.rotatorSubnets() {
		subnets = append(subnets, ptr.To(s))
	}
	fp := lambdav1beta1.FunctionParameters{
		Region:       ptr.To(p.region),
		Description:  ptr.To("Rotates the master password of Aurora PostgreSQL cluster " + p.clusterID),
		S3Bucket:     ptr.To(s3.Bucket),
		S3Key:        ptr.To(s3.Key),
		Runtime:      ptr.To(s3.Runtime),
		Handler:      ptr.To(s3.Handler),
		Timeout:      ptr.To(float64(rotatorTimeoutSeconds)),
		RoleSelector: selectorFor(nameRotatorRole),
		KMSKeyArn:    ptr.To(kmsKeyARN),
		VPCConfig: &lambdav1beta1.VPCConfigParameters{
			SubnetIds:               subnets,
			SecurityGroupIDSelector: selectorFor(nameRotatorSecurityGroup),
		},
		Environment: &lambdav1beta1.EnvironmentParameters{Variables: map[string]*string{
			"SECRET_ARN":               ptr.To(secretARN),
			"DB_ENGINE":                ptr.To("postgres"),
			"SECRETS_MANAGER_ENDPOINT": ptr.To(endpointURL),
		}},
		Tags: p.tags(),
	}
	if s3.ObjectVersion != "" {
		fp.S3ObjectVersion = ptr.To(s3.ObjectVersion)
	}
	return &lambdav1beta1.Function{
		ObjectMeta: p.objectMeta(nameRotatorFunction, p.rotatorFunctionName()),
		Spec:       lambdav1beta1.FunctionSpec{ManagedResourceSpec: p.managed(), ForProvider: fp},
	}
}

// rotatorRole is the S3 rotator's execution role, assumable only by Lambda
// on behalf of this account's rotator function.
func (p *plan) rotatorRole() *iamv1beta1.Role {
	trust := policyDocument{Version: policyVersion, Statement: []policyStatement{{
		Sid:       "LambdaAssumesRotatorRole",
		Effect:    "Allow",
		Principal: &policyPrincipal{Service: []string{"lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policyCondition{"StringEquals": {"aws:SourceAccount": {p.accountID}}},
	}}}
	return &iamv1beta1.Role{
		ObjectMeta: p.objectMeta(nameRotatorRole, p.names.rotatorRole),
		Spec: iamv1beta1.RoleSpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RoleParameters{
			Description:      ptr.To("Rotates the master password of Aurora PostgreSQL cluster " + p.clusterID),
			AssumeRolePolicy: ptr.To(trust.String()),
			Tags:             p.tags(),
		}},
	}
}

// rotatorRolePolicyDocument scopes the S3 rotator to this secret and this
// key: all it can reach besides the database is Secrets Manager.
// NOTE: secretsmanager:GetRandomPassword has no resource-level permission:
// AWS accepts only "*" for it, so that one statement names "*".
func (p *plan) rotatorRolePolicyDocument(secretARN, kmsKeyARN string) policyDocument {
	return policyDocument{Version: policyVersion, Statement: []policyStatement{
		{Sid: "RotateThisSecret", Effect: "Allow", Action: secretActionsForRotator, Resource: []string{secretARN}},
		{Sid: "GenerateRandomPassword", Effect: "Allow", Action: []string{"secretsmanager:GetRandomPassword"}, Resource: []string{"*"}},
		{Sid: "UseThisKey", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}, Resource: []string{kmsKeyARN}},
	}}
}

// rotatorRolePolicy attaches the scoped policy to the rotator's role.
func (p *plan) rotatorRolePolicy(secretARN, kmsKeyARN string) *iamv1beta1.RolePolicy {
	return &iamv1beta1.RolePolicy{
		ObjectMeta: p.objectMeta(nameRotatorRolePolicy, ""),
		Spec: iamv1beta1.RolePolicySpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RolePolicyParameters{
			RoleSelector: selectorFor(nameRotatorRole),
			Policy:       ptr.To(p.rotatorRolePolicyDocument(secretARN, kmsKeyARN).String()),
		}},
	}
}

// rotatorVPCAccess lets the rotator create its network interfaces in the
// VPC and write its logs.
func (p *plan) rotatorVPCAccess() *iamv1beta1.RolePolicyAttachment {
	return &iamv1beta1.RolePolicyAttachment{
		ObjectMeta: p.objectMeta(nameRotatorVPCAccess, ""),
		Spec: iamv1beta1.RolePolicyAttachmentSpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RolePolicyAttachmentParameters{
			RoleSelector: selectorFor(nameRotatorRole),
			PolicyArn:    ptr.To(p.arn("iam", "", "aws", "policy/service-role/AWSLambdaVPCAccessExecutionRole")),
		}},
	}
}

// rotatorPermission lets Secrets Manager invoke the rotator for this secret
// only: sourceArn prevents confused-deputy invocation (pitfall 2).
func (p *plan) rotatorPermission(secretARN string) *lambdav1beta1.Permission {
	fp := lambdav1beta1.PermissionParameters{
		Region:        ptr.To(p.region),
		Action:        ptr.To("lambda:InvokeFunction"),
		Principal:     ptr.To("secretsmanager.amazonaws.com"),
		SourceArn:     ptr.To(secretARN),
		SourceAccount: ptr.To(p.accountID),
		StatementID:   ptr.To("SecretsManagerRotation-" + p.clusterID),
	}
	switch p.rotatorSource() {
	case rotatorFromS3:
		fp.FunctionNameSelector = selectorFor(nameRotatorFunction)
	case rotatorFromExisting:
		fp.FunctionName = ptr.To(p.spec.Credentials.Rotation.Lambda.ExistingFunctionARN)
	default:
		fp.FunctionName = ptr.To(p.rotatorFunctionName())
	}
	return &lambdav1beta1.Permission{
		ObjectMeta: p.objectMeta(nameRotatorPermission, ""),
		Spec:       lambdav1beta1.PermissionSpec{ManagedResourceSpec: p.managed(), ForProvider: fp},
	}
}

// rotatorSecurityGroup holds the rotator's network interfaces: no ingress,
// egress only to the database and to Secrets Manager.
func (p *plan) rotatorSecurityGroup() *ec2v1beta1.SecurityGroup {
	sg := p.securityGroup()
	sg.ObjectMeta = p.objectMeta(nameRotatorSecurityGroup, "")
	sg.Spec.ForProvider.Name = ptr.To(p.names.rotatorSecurityGroup)
	sg.Spec.ForProvider.Description = ptr.To("Password rotator of Aurora PostgreSQL cluster " + p.clusterID)
	return sg
}

// rotatorEgress lets the rotator reach one destination on one port.
func (p *plan) rotatorEgress(name resource.Name, description string, port float64, to resource.Name) *ec2v1beta1.SecurityGroupEgressRule {
	fp := ec2v1beta1.SecurityGroupEgressRuleParameters{
		Region:                  ptr.To(p.region),
		Description:             ptr.To(description),
		IPProtocol:              ptr.To("tcp"),
		FromPort:                ptr.To(port),
		ToPort:                  ptr.To(port),
		SecurityGroupIDSelector: selectorFor(nameRotatorSecurityGroup),
		Tags:                    p.tags(),
	}
	if to != "" {
		fp.ReferencedSecurityGroupIDSelector = selectorFor(to)
	} else {
		// NOTE: an existing endpoint's security group is not ours to name;
		// HTTPS leaves the group for any address, and that endpoint's own
		// group decides what it accepts.
		fp.CidrIPv4 = ptr.To("0.0.0.0/0")
	}
	return &ec2v1beta1.SecurityGroupEgressRule{
		ObjectMeta: p.objectMeta(name, ""),
		Spec:       ec2v1beta1.SecurityGroupEgressRuleSpec{ManagedResourceSpec: p.managed(), ForProvider: fp},
	}
}

// ingressFromRotator lets the rotator reach the database port.
func (p *plan) ingressFromRotator() *ec2v1beta1.SecurityGroupIngressRule {
	r := p.ingressRule(nameIngressFromRotator, "PostgreSQL from the password rotator")
	r.Spec.ForProvider.ReferencedSecurityGroupIDSelector = selectorFor(nameRotatorSecurityGroup)
	return r
}
