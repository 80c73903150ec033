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
	"kms:Decrypt",
	"kms:DescribeKey",
	"kms:Encrypt",
	"kms:GenerateDataKey",
	"kms:GenerateDataKeyWithoutPlaintext",
	"kms:ReEncryptFrom",
	"kms:ReEncryptTo",
}

// keyGrantActions are what RDS (storage) and Lambda (the rotator's
// environment) use to hold on to the key: grants, which they create on the
// caller's behalf. Secrets Manager uses none.
var keyGrantActions = []string{
	"kms:CreateGrant",
	"kms:ListGrants",
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

// logsCallerKeyActions are what a principal reading or writing an encrypted
// log group needs when CloudWatch Logs calls KMS as that principal.
var logsCallerKeyActions = []string{
	"kms:Decrypt",
	"kms:GenerateDataKey",
}

// keyPolicy is the CMK's least-privilege key policy. In a key policy the
// resource "*" means "this key".
// NOTE: the account root must keep kms:PutKeyPolicy, or AWS refuses the
// policy (lockout safety check).
func (p *plan) keyPolicy() policyDocument {
	root := &policyPrincipal{AWS: []string{p.arn("iam", "", p.accountID, "root")}}
	viaServices := func(services ...string) map[string][]string {
		hosts := make([]string, 0, len(services))
		for _, s := range services {
			hosts = append(hosts, p.serviceHost(s))
		}
		return map[string][]string{"kms:ViaService": hosts, "kms:CallerAccount": {p.accountID}}
	}
	viaService := func(sid, service string) policyStatement {
		return policyStatement{Sid: sid, Effect: "Allow", Principal: root, Action: keyUseActions, Resource: []string{"*"},
			Condition: policyCondition{"StringEquals": viaServices(service)}}
	}
	logGroups := map[string][]string{"kms:EncryptionContext:aws:logs:arn": {p.arn("logs", p.region, p.accountID, "log-group:/aws/rds/cluster/"+p.clusterID+"/*")}}
	grantServices := []string{"rds"}
	doc := policyDocument{
		Version: policyVersion,
		Statement: []policyStatement{
			{Sid: "KeyAdministrationByAccount", Effect: "Allow", Principal: root, Action: keyAdminActions, Resource: []string{"*"}},
			// NOTE: also what Performance Insights needs to encrypt and
			// read its data with this key (kms:Decrypt, kms:GenerateDataKey
			// through rds.<region>: USER_PerfInsights.access-control.cmk-policy).
			viaService("UseThroughRDS", "rds"),
			viaService("UseThroughSecretsManager", "secretsmanager"),
			{
				Sid:       "EncryptClusterLogGroups",
				Effect:    "Allow",
				Principal: &policyPrincipal{Service: []string{p.serviceHost("logs")}},
				Action:    logsKeyActions,
				Resource:  []string{"*"},
				Condition: policyCondition{"ArnLike": logGroups},
			},
			// NOTE: CloudWatch Logs now also calls KMS as the principal that
			// reads or writes the log group, through kms:ViaService ("Encrypt
			// log data in CloudWatch Logs using AWS KMS"); without this
			// statement IAM cannot grant that path for this key.
			{
				Sid:       "UseThroughCloudWatchLogs",
				Effect:    "Allow",
				Principal: root,
				Action:    logsCallerKeyActions,
				Resource:  []string{"*"},
				Condition: policyCondition{"StringEquals": viaServices("logs"), "ArnLike": logGroups},
			},
			// DescribeKey carries no encryption context, so it cannot be
			// scoped to the log groups (AWS's CloudWatchLogsAPIKeyAccess
			// grants it the same way).
			{
				Sid:       "DescribeThroughCloudWatchLogs",
				Effect:    "Allow",
				Principal: root,
				Action:    []string{"kms:DescribeKey"},
				Resource:  []string{"*"},
				Condition: policyCondition{"StringEquals": viaServices("logs")},
			},
		},
	}
	if p.selfManaged() {
		// The rotator's environment is encrypted with this key; Lambda
		// encrypts it at deployment and decrypts it at start-up.
		doc.Statement = append(doc.Statement, viaService("UseThroughLambda", "lambda"))
		grantServices = append(grantServices, "lambda")
	}
	// NOTE: kms:GrantIsForAWSResource limits grants to those an integrated
	// service creates for its own resources, never a caller's own grant
	// (KMS developer guide, kms:GrantIsForAWSResource).
	doc.Statement = append(doc.Statement, policyStatement{
		Sid:       "GrantsForAWSResources",
		Effect:    "Allow",
		Principal: root,
		Action:    keyGrantActions,
		Resource:  []string{"*"},
		Condition: policyCondition{"StringEquals": viaServices(grantServices...), "Bool": {"kms:GrantIsForAWSResource": {"true"}}},
	})
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
