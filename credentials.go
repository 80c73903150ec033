package main

import (
	"encoding/base64"
	"fmt"

	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	smv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/secretsmanager/v1beta1"
)

// Defaults of the credentials API.
const (
	defaultRotationDays         = 90
	defaultRecoveryWindowInDays = 30
)

// selfManaged reports whether the function owns the master password.
func (p *plan) selfManaged() bool {
	return p.spec.Credentials.Mode == CredentialsModeSelfManaged
}

// rotationEnabled reports whether the password rotates on a schedule.
func (p *plan) rotationEnabled() bool {
	return ptr.Deref(p.spec.Credentials.Rotation.Enabled, true)
}

// observeBootstrap derives the password's phase from the recorded status and
// what is observed (see bootstrap.go). It generates a password only for a
// cluster that does not exist yet, and returns "" for a password it still
// waits for (spec.credentials.passwordSecretRef not yet read).
func (p *plan) observeBootstrap(o observed, prev *BootstrapStatus, st AuroraStatus, supplied string, generate func() (string, error)) (bootstrap, error) {
	b := bootstrap{}
	if !p.selfManaged() {
		return b, nil
	}
	b.rotationStarted = o.ready(nameSecretRotation)
	if prev != nil {
		b.rotationStarted = b.rotationStarted || prev.RotationStarted
		b.versionID = prev.SecretVersionID
		if prev.Phase == bootstrapHandedOff {
			b.phase = bootstrapHandedOff
			return b, nil
		}
	}
	// A version that was written once, even if rotation has since removed
	// it, or a rotation schedule, means Secrets Manager owns the password.
	if v, ok := atProvider[smv1beta1.SecretVersionObservation](o, nameMasterSecretVersion); ok && (o.ready(nameMasterSecretVersion) || ptr.Deref(v.VersionID, "") != "") {
		b.phase = bootstrapHandedOff
		setIf(&b.versionID, v.VersionID)
		return b, nil
	}
	if o.exists(nameSecretRotation) {
		b.phase = bootstrapHandedOff
		return b, nil
	}
	b.password = observedSecretValue(o, nameBootstrapSecret, bootstrapKeyPassword)
	if b.password == "" {
		if o.exists(nameCluster) {
			// The cluster exists but its bootstrap password is gone: it was
			// handed off. Never bootstrap an existing cluster again.
			b.phase = bootstrapHandedOff
			return b, nil
		}
		b.password = supplied
		if b.password == "" && p.spec.Credentials.PasswordSecretRef == nil {
			pw, err := generate()
			if err != nil {
				return b, err
			}
			b.password = pw
		}
	}
	b.phase = bootstrapPending
	if st.Endpoint != "" {
		b.phase = bootstrapWriting
	}
	return b, nil
}

// observedSecretValue reads one key of an observed composed Secret.
func observedSecretValue(o observed, n resource.Name, key string) string {
	s, ok := o[n]
	if !ok {
		return ""
	}
	enc := s.GetFields()["data"].GetStructValue().GetFields()[key].GetStringValue()
	v, err := decodeBase64(enc)
	if err != nil {
		return ""
	}
	return v
}

// decodeBase64 decodes a Secret's data value.
func decodeBase64(s string) (string, error) {
	v, err := base64.StdEncoding.DecodeString(s)
	return string(v), err
}

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
