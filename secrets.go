package main

import (
	"fmt"

	"k8s.io/utils/ptr"

	smv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/secretsmanager/v1beta1"
)

// The Secrets Manager side of SelfManaged credentials: the master secret,
// its resource policy and, for both modes, the rotation schedule.

// masterSecret holds the master credentials, encrypted with the CMK.
func (p *plan) masterSecret() *smv1beta1.Secret {
	fp := smv1beta1.SecretParameters{
		Region:               ptr.To(p.region),
		Name:                 ptr.To(p.names.masterSecret),
		Description:          ptr.To(fmt.Sprintf("Master credentials of Aurora PostgreSQL cluster %s", p.clusterID)),
		RecoveryWindowInDays: ptr.To(float64(*p.spec.Credentials.RecoveryWindowInDays)),
		Tags:                 p.tags(),
	}
	if arn := p.spec.Encryption.ExistingKMSKeyARN; arn != "" {
		fp.KMSKeyID = ptr.To(arn)
	} else {
		fp.KMSKeyIDSelector = selectorFor(nameKMSKey)
	}
	return &smv1beta1.Secret{
		ObjectMeta: p.objectMeta(nameMasterSecret, ""),
		Spec:       smv1beta1.SecretSpec{ManagedResourceSpec: p.managed(), ForProvider: fp},
	}
}

// secretActionsForRotator are what a single-user rotator does to its secret.
var secretActionsForRotator = []string{
	"secretsmanager:DescribeSecret",
	"secretsmanager:GetSecretValue",
	"secretsmanager:PutSecretValue",
	"secretsmanager:UpdateSecretVersionStage",
}

// secretActionsForAccount let the account administer the secret through
// IAM. Spelled out: no wildcard action.
var secretActionsForAccount = []string{
	"secretsmanager:CancelRotateSecret",
	"secretsmanager:DeleteResourcePolicy",
	"secretsmanager:DeleteSecret",
	"secretsmanager:DescribeSecret",
	"secretsmanager:GetResourcePolicy",
	"secretsmanager:GetSecretValue",
	"secretsmanager:ListSecretVersionIds",
	"secretsmanager:PutResourcePolicy",
	"secretsmanager:PutSecretValue",
	"secretsmanager:RestoreSecret",
	"secretsmanager:RotateSecret",
	"secretsmanager:TagResource",
	"secretsmanager:UntagResource",
	"secretsmanager:UpdateSecret",
	"secretsmanager:UpdateSecretVersionStage",
	"secretsmanager:ValidateResourcePolicy",
}

// masterSecretPolicyDocument names only the rotation role and the account
// root, on this secret only.
func (p *plan) masterSecretPolicyDocument(secretARN string) policyDocument {
	root := p.arn("iam", "", p.accountID, "root")
	statements := []policyStatement{{
		Sid:       "AccountAdministration",
		Effect:    "Allow",
		Principal: &policyPrincipal{AWS: []string{root}},
		Action:    secretActionsForAccount,
		Resource:  []string{secretARN},
	}}
	if principal, condition, ok := p.rotatorPrincipal(); ok && p.selfManaged() && p.rotationEnabled() {
		statements = append(statements, policyStatement{
			Sid:       "RotationFunction",
			Effect:    "Allow",
			Principal: principal,
			Action:    secretActionsForRotator,
			Resource:  []string{secretARN},
			Condition: condition,
		})
	}
	return policyDocument{Version: policyVersion, Statement: statements}
}

// masterSecretPolicy attaches the policy; blockPublicPolicy makes Secrets
// Manager refuse any later policy that would open the secret to the world.
func (p *plan) masterSecretPolicy(secretARN string) *smv1beta1.SecretPolicy {
	return &smv1beta1.SecretPolicy{
		ObjectMeta: p.objectMeta(nameMasterSecretPolicy, ""),
		Spec: smv1beta1.SecretPolicySpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: smv1beta1.SecretPolicyParameters{
				Region:            ptr.To(p.region),
				SecretArnSelector: selectorFor(nameMasterSecret),
				Policy:            ptr.To(p.masterSecretPolicyDocument(secretARN).String()),
				BlockPublicPolicy: ptr.To(true),
			},
		},
	}
}

// secretRotation rotates a secret every spec.credentials.rotation.days. For
// RDSManaged it only sets the schedule of the RDS-owned secret (RDS rotates
// it without a Lambda); for SelfManaged it names the rotator.
//
// NOTE: the provider calls RotateSecret with rotateImmediately whenever the
// schedule or the rotator changes, and Terraform defaults it to true
// (terraform-provider-aws secretsmanager/secret_rotation.go), so a schedule
// edit would rotate the password at once and break every client holding
// it. It is true only for the first rotation of a SelfManaged password,
// which has been in Kubernetes; a change of rotateImmediately alone calls
// nothing.
func (p *plan) secretRotation(secretARN, lambdaARN string, first bool) *smv1beta1.SecretRotation {
	fp := smv1beta1.SecretRotationParameters{
		Region: ptr.To(p.region),
		RotationRules: &smv1beta1.RotationRulesParameters{
			AutomaticallyAfterDays: ptr.To(float64(*p.spec.Credentials.Rotation.Days)),
		},
		RotateImmediately: ptr.To(first && p.selfManaged()),
	}
	if p.selfManaged() {
		fp.SecretIDSelector = selectorFor(nameMasterSecret)
		if lambdaARN != "" {
			fp.RotationLambdaArn = ptr.To(lambdaARN)
		} else {
			fp.RotationLambdaArnSelector = selectorFor(nameRotatorFunction)
		}
	} else {
		fp.SecretID = ptr.To(secretARN)
	}
	return &smv1beta1.SecretRotation{
		ObjectMeta: p.objectMeta(nameSecretRotation, ""),
		Spec:       smv1beta1.SecretRotationSpec{ManagedResourceSpec: p.managed(), ForProvider: fp},
	}
}
