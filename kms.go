package main

import (
	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"

	kmsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/kms/v1beta1"
)

// keyAdminActions let the account manage the key (through IAM) without
// being able to use it outside the services below. Spelled out: no wildcard
// action appears in any policy this function writes.
var keyAdminActions = []string{
	"kms:CancelKeyDeletion",
	"kms:CreateAlias",
	"kms:DeleteAlias",
	"kms:DescribeKey",
	"kms:DisableKey",
	"kms:DisableKeyRotation",
	"kms:EnableKey",
	"kms:EnableKeyRotation",
	"kms:GetKeyPolicy",
	"kms:GetKeyRotationStatus",
	"kms:ListGrants",
	"kms:ListKeyPolicies",
	"kms:ListKeyRotations",
	"kms:ListResourceTags",
	"kms:PutKeyPolicy",
	"kms:RevokeGrant",
	"kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion",
	"kms:TagResource",
	"kms:UntagResource",
	"kms:UpdateAlias",
	"kms:UpdateKeyDescription",
}

// keyUseActions are what an AWS service needs to encrypt with the key on a
// caller's behalf.
var keyUseActions = []string{
	"kms:CreateGrant",
	"kms:Decrypt",
	"kms:DescribeKey",
	"kms:Encrypt",
	"kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext",
	"kms:ListGrants",
	"kms:ReEncryptFrom",
	"kms:ReEncryptTo",
}

// logsKeyActions are what CloudWatch Logs needs for an encrypted log group.
var logsKeyActions = []string{
	"kms:Decrypt",
	"kms:DescribeKey",
	"kms:Encrypt",
	"kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext",
	"kms:ReEncryptFrom",
	"kms:ReEncryptTo",
}

// keyPolicy is the CMK's least-privilege key policy. In a key policy the
// resource "*" means "this key".
// NOTE: the account root must keep kms:PutKeyPolicy, or AWS refuses the
// policy (lockout safety check).
func (p *plan) keyPolicy() policyDocument {
	root := p.arn("iam", "", p.accountID, "root")
	viaService := func(sid, service string) policyStatement {
		return policyStatement{
			Sid:       sid,
			Effect:    "Allow",
			Principal: &policyPrincipal{AWS: []string{root}},
			Action:    keyUseActions,
			Resource:  []string{"*"},
			Condition: policyCondition{
				"StringEquals": {
					"kms:ViaService":    {p.serviceHost(service)},
					"kms:CallerAccount": {p.accountID},
				},
			},
		}
	}
	doc := policyDocument{
		Version: policyVersion,
		Statement: []policyStatement{
			{
				Sid:       "KeyAdministrationByAccount",
				Effect:    "Allow",
				Principal: &policyPrincipal{AWS: []string{root}},
				Action:    keyAdminActions,
				Resource:  []string{"*"},
			},
			viaService("UseThroughRDS", "rds"),
			viaService("UseThroughSecretsManager", "secretsmanager"),
			{
				Sid:       "EncryptClusterLogGroups",
				Effect:    "Allow",
				Principal: &policyPrincipal{Service: []string{p.serviceHost("logs")}},
				Action:    logsKeyActions,
				Resource:  []string{"*"},
				Condition: policyCondition{
					"ArnLike": {
						"kms:EncryptionContext:aws:logs:arn": {p.arn("logs", p.region, p.accountID, "log-group:/aws/rds/cluster/"+p.clusterID+"/*")},
					},
				},
			},
		},
	}
	if p.selfManaged() {
		// The rotator's environment is encrypted with this key; Lambda
		// encrypts it at deployment and decrypts it at start-up.
		doc.Statement = append(doc.Statement, viaService("UseThroughLambda", "lambda"))
	}
	return doc
}

// kmsKey is the cluster's CMK: storage, log groups and the master secret.
func (p *plan) kmsKey() *kmsv1beta1.Key {
	description := "Aurora PostgreSQL cluster " + p.clusterID + ": storage, logs and credentials"
	managed := p.managed()
	if p.keepsKey() {
		// NOTE: no Delete: the provider orphans the key when the XR is
		// deleted, because the final snapshot is encrypted with it
		// (deletion.go).
		managed = withPolicies(managed, xpv1.ManagementActionObserve, xpv1.ManagementActionCreate, xpv1.ManagementActionUpdate, xpv1.ManagementActionLateInitialize)
		description += "; kept after the cluster is deleted for final snapshot " + finalSnapshotIdentifier(p.clusterID, p.meta.UID)
	}
	return &kmsv1beta1.Key{
		ObjectMeta: p.objectMeta(nameKMSKey, ""),
		Spec: kmsv1beta1.KeySpec{
			ManagedResourceSpec: managed,
			ForProvider: kmsv1beta1.KeyParameters{
				Region:               ptr.To(p.region),
				Description:          ptr.To(description),
				KeyUsage:             ptr.To("ENCRYPT_DECRYPT"),
				EnableKeyRotation:    ptr.To(true),
				DeletionWindowInDays: ptr.To(float64(*p.spec.Encryption.KMSDeletionWindowInDays)),
				Policy:               ptr.To(p.keyPolicy().String()),
				Tags:                 p.tags(),
			},
		},
	}
}

// kmsAlias names the CMK after the cluster, so people find it in the console.
func (p *plan) kmsAlias() *kmsv1beta1.Alias {
	return &kmsv1beta1.Alias{
		ObjectMeta: p.objectMeta(nameKMSAlias, kmsAliasName(p.clusterID)),
		Spec: kmsv1beta1.AliasSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: kmsv1beta1.AliasParameters{
				Region:              ptr.To(p.region),
				TargetKeyIDSelector: selectorFor(nameKMSKey),
			},
		},
	}
}

// arn builds an ARN in the plan's partition.
func (p *plan) arn(service, region, account, res string) string {
	return "arn:" + p.partition + ":" + service + ":" + region + ":" + account + ":" + res
}
