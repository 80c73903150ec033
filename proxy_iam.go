package main

import (
	"k8s.io/utils/ptr"

	iamv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/iam/v1beta1"
)

// The RDS Proxy's role (proxy.go): what the proxy may read.

// proxyRole is the role the proxy assumes to read the master secret. Only
// RDS may assume it, and only for this account (confused deputy: IAM user
// guide, "The confused deputy problem",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
func (p *plan) proxyRole() *iamv1beta1.Role {
	trust := policyDocument{Version: policyVersion, Statement: []policyStatement{{
		Sid:       "RDSAssumesProxyRole",
		Effect:    "Allow",
		Principal: &policyPrincipal{Service: []string{"rds.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: policyCondition{"StringEquals": {"aws:SourceAccount": {p.accountID}}},
	}}}
	return &iamv1beta1.Role{
		ObjectMeta: p.objectMeta(nameProxyRole, proxyName(p.clusterID)),
		Spec: iamv1beta1.RoleSpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RoleParameters{
			Description:      ptr.To("Lets RDS Proxy " + proxyName(p.clusterID) + " read the master secret of Aurora PostgreSQL cluster " + p.clusterID),
			AssumeRolePolicy: ptr.To(trust.String()),
			Tags:             p.tags(),
		}},
	}
}

// proxyRolePolicyDocument lets the proxy read this cluster's secret and
// decrypt it with this cluster's key through Secrets Manager, nothing else
// (Aurora user guide, "Configuring IAM authentication for RDS Proxy":
// secretsmanager:GetSecretValue on the secrets, kms:Decrypt on their key
// with kms:ViaService secretsmanager.<region>.amazonaws.com,
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-iam-setup.html).
// NOTE: this identity policy is enough: within one account IAM allows a
// request that either the identity's or the resource's policy allows and
// none denies (IAM user guide, "Policy evaluation logic"), the master
// secret's policy (secrets.go) denies nothing, and the function's key
// policy lets the account's principals use the key through Secrets Manager
// (kms.go, UseThroughSecretsManager).
func (p *plan) proxyRolePolicyDocument(secretARN, kmsKeyARN string) policyDocument {
	return policyDocument{Version: policyVersion, Statement: []policyStatement{
		{Sid: "ReadThisSecret", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{secretARN}},
		{
			Sid: "DecryptThisSecret", Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{kmsKeyARN},
			Condition: policyCondition{"StringEquals": {"kms:ViaService": {p.serviceHost("secretsmanager")}}},
		},
	}}
}

// proxyRolePolicy attaches the scoped policy to the proxy's role.
func (p *plan) proxyRolePolicy(secretARN, kmsKeyARN string) *iamv1beta1.RolePolicy {
	return &iamv1beta1.RolePolicy{
		ObjectMeta: p.objectMeta(nameProxyRolePolicy, ""),
		Spec: iamv1beta1.RolePolicySpec{ManagedResourceSpec: p.managed(), ForProvider: iamv1beta1.RolePolicyParameters{
			RoleSelector: selectorFor(nameProxyRole),
			Policy:       ptr.To(p.proxyRolePolicyDocument(secretARN, kmsKeyARN).String()),
		}},
	}
}
