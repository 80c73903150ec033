package main

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Finding rules about policies: the key policy serves CloudWatch Logs'
// callers and grants only for AWS resources (minors 1 and 18), and every
// policy names one account, the provider's.

// policyFindingRules are the policy rules.
var policyFindingRules = []awsRule{
	{
		ID:        "KeyPolicyServesItsServices",
		Statement: "A composed kms Key's policy lets the account's principals use the key through CloudWatch Logs (kms:ViaService logs.<region>.<suffix> with a kms:EncryptionContext:aws:logs:arn condition), and every Allow of kms:CreateGrant carries Bool kms:GrantIsForAWSResource true.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html (CloudWatch Logs calls KMS on the caller's behalf through kms:ViaService; encryption context aws:logs:arn)",
			"https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
			"https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource (grants only when an integrated service creates them)",
		},
		Check: checkKeyPolicyServesItsServices,
	},
	{
		ID:        "PoliciesNameOneAccount",
		Statement: "Every account the composed resources name (in ARNs, principals, aws:SourceAccount, kms:CallerAccount, sourceAccount) is one account, the account of the ARNs the provider reported where it did, except AWS's own and the ARNs the user supplied.",
		Citations: []string{
			"https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key (the lockout safety check refuses a key policy the caller's account cannot manage)",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html (aws:SourceAccount names the account a service acts for)",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts",
		},
		Check: checkPoliciesNameOneAccount,
	},
}

// KeyPolicyServesItsServices.

// checkKeyPolicyServesItsServices (minors 1 and 18): CloudWatch Logs now
// calls KMS as the principal reading or writing an encrypted log group; a
// key policy without a statement for that path leaves IAM nothing to grant.
// A CreateGrant without kms:GrantIsForAWSResource lets a principal grant
// itself the key outside any service.
func checkKeyPolicyServesItsServices(s *ruleState) []ruleFinding {
	part, ok := rulePartitionOf(s.Spec.Region)
	if !ok {
		return nil
	}
	logs := "logs." + s.Spec.Region + "." + part.DNSSuffix
	var out []ruleFinding
	for _, k := range s.desiredOf(ruleKindKMSKey) {
		doc, err := parseRulePolicy(mrParamString(k.Obj, "policy"))
		if err != nil {
			out = append(out, ruleFinding{Resource: k.Name, Message: fmt.Sprintf("spec.forProvider.policy does not parse: %v", err)})
			continue
		}
		throughLogs := false
		for i, st := range doc.Statement {
			if st.Effect != "Allow" {
				continue
			}
			if keyStatementServesLogsCallers(st, logs) {
				throughLogs = true
			}
			for _, a := range st.Action {
				if !policyActionMatches(a, "kms:CreateGrant") {
					continue
				}
				if v := policyConditionValues(st.Condition, "Bool", "kms:GrantIsForAWSResource"); !slices.Equal(v, []string{"true"}) {
					out = append(out, ruleFinding{Resource: k.Name, Message: fmt.Sprintf("spec.forProvider.policy: %s allows %s without Bool kms:GrantIsForAWSResource true: a principal could grant itself the key outside any AWS service", st.name(i), a)})
				}
			}
		}
		if !throughLogs {
			out = append(out, ruleFinding{Resource: k.Name, Message: fmt.Sprintf("spec.forProvider.policy has no statement letting the account's principals use the key through CloudWatch Logs (Allow kms:Decrypt and kms:GenerateDataKey with kms:ViaService %s and a kms:EncryptionContext:aws:logs:arn condition): readers and writers of the encrypted log groups are refused once Logs calls KMS as them", logs)})
		}
	}
	return out
}

// keyStatementServesLogsCallers reports whether a key policy statement lets
// account principals decrypt and generate data keys through CloudWatch
// Logs, for log groups named in the encryption context.
func keyStatementServesLogsCallers(st parsedStatement, logs string) bool {
	rootPrincipal := false
	for _, p := range policyPrincipalsAWS(st.Principal) {
		if strings.HasSuffix(p, ":root") || ruleReAccountID.MatchString(p) {
			rootPrincipal = true
		}
	}
	via := append(policyConditionValues(st.Condition, "StringEquals", "kms:ViaService"), policyConditionValues(st.Condition, "StringLike", "kms:ViaService")...)
	actions := func(want string) bool {
		for _, a := range st.Action {
			if policyActionMatches(a, want) {
				return true
			}
		}
		return false
	}
	return rootPrincipal && slices.Contains(via, logs) && policyConditionHasKey(st.Condition, "kms:EncryptionContext:aws:logs:arn") &&
		actions("kms:Decrypt") && actions("kms:GenerateDataKey")
}

// PoliciesNameOneAccount.

// ruleReAccountID is an AWS account ID.
var ruleReAccountID = regexp.MustCompile(`^[0-9]{12}$`)

// ruleAccountConditionKeys are the condition keys whose values are
// accounts.
var ruleAccountConditionKeys = []string{"aws:SourceAccount", "kms:CallerAccount", "aws:PrincipalAccount", "aws:ResourceAccount"}

// accountMention is one place a composed resource names an account.
type accountMention struct {
	resource, path, account string
}

// checkPoliciesNameOneAccount: the function builds the account into key,
// secret, trust and resource policies and into the ARNs it passes on; two
// accounts mean one of them is wrong, which the key policy's lockout check
// refuses or, worse, a policy trusts a stranger's account.
func checkPoliciesNameOneAccount(s *ruleState) []ruleFinding {
	mentions := s.accountMentions()
	if len(mentions) == 0 {
		return nil
	}
	want, because := "", ""
	if s.ObservedKnown {
		want, because = s.providerAccount()
	}
	if want == "" {
		// The account most mentions name; ties go to the first in order.
		count := map[string]int{}
		for _, m := range mentions {
			count[m.account]++
		}
		accounts := sortedMapKeys(count)
		sort.SliceStable(accounts, func(i, j int) bool { return count[accounts[i]] > count[accounts[j]] })
		want = accounts[0]
		if len(accounts) == 1 {
			return nil
		}
		because = fmt.Sprintf("the account the other %d mention(s) name", count[want])
	}
	var out []ruleFinding
	for _, m := range mentions {
		if m.account != want {
			out = append(out, ruleFinding{Resource: m.resource, Message: fmt.Sprintf("%s names account %s, want %s (%s)", m.path, m.account, want, because)})
		}
	}
	return out
}

// providerAccount is the account of the first ARN the provider reported
// for an observed security group or cluster, with that ARN.
func (s *ruleState) providerAccount() (string, string) {
	for _, k := range []objKind{ruleKindSecurityGroup, ruleKindRDSCluster} {
		for _, o := range s.observedOf(k) {
			arn := objString(o.Obj, "status", "atProvider", "arn")
			if f := strings.SplitN(arn, ":", 6); len(f) == 6 && f[0] == "arn" && f[4] != "" {
				return f[4], fmt.Sprintf("the provider created %q in it: %s", o.Name, arn)
			}
		}
	}
	return "", ""
}

// userSuppliedARNs are the ARNs the spec gives, which may be in any
// account.
func (s *ruleState) userSuppliedARNs() []string {
	l := s.Spec.Credentials.Rotation.Lambda
	out := []string{s.Spec.Encryption.ExistingKMSKeyARN, l.ExistingFunctionARN, l.ExistingFunctionRoleARN}
	if l.ServerlessRepo != nil {
		out = append(out, l.ServerlessRepo.ApplicationID)
	}
	out = append(out, s.Spec.Monitoring.Alarms.ActionARNs...)
	return slices.DeleteFunc(out, func(a string) bool { return a == "" })
}

// accountMentions is every account the desired managed resources name,
// except AWS's own and those of ARNs the user supplied.
func (s *ruleState) accountMentions() []accountMention {
	supplied := s.userSuppliedARNs()
	userARN := func(arn string) bool {
		for _, u := range supplied {
			// A qualified function ARN starts with the function's.
			if arn == u || strings.HasPrefix(arn, u+":") {
				return true
			}
		}
		return false
	}
	reAccount := ruleReAccountID
	var out []accountMention
	for _, name := range s.desiredNames() {
		obj := s.Desired[name]
		if !isProviderAWS(obj) {
			continue
		}
		forEachString(obj["spec"], "spec", func(path, v string) {
			for _, arn := range ruleReARN.FindAllString(v, -1) {
				f := strings.SplitN(arn, ":", 6)
				if acc := f[4]; reAccount.MatchString(acc) && !userARN(arn) && !crossRegionARN(f[1], f[2], f[3], acc) {
					out = append(out, accountMention{resource: name, path: fmt.Sprintf("%s (ARN %s)", path, arn), account: acc})
				}
			}
			if rulePathLastKey(path) == "sourceAccount" && reAccount.MatchString(v) {
				out = append(out, accountMention{resource: name, path: path, account: v})
			}
			if !looksLikePolicy(v) {
				return
			}
			doc, err := parseRulePolicy(v)
			if err != nil {
				return
			}
			for i, st := range doc.Statement {
				for op := range st.Condition {
					for _, key := range ruleAccountConditionKeys {
						for _, acc := range policyConditionValues(st.Condition, op, key) {
							out = append(out, accountMention{resource: name, path: fmt.Sprintf("%s: %s condition %s", path, st.name(i), key), account: acc})
						}
					}
				}
				for _, p := range policyPrincipalsAWS(st.Principal) {
					if reAccount.MatchString(p) {
						out = append(out, accountMention{resource: name, path: fmt.Sprintf("%s: %s principal", path, st.name(i)), account: p})
					}
				}
			}
		})
	}
	return out
}

// policyFindingSelfTests are the policy rules' cases.
func policyFindingSelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	key := func(policy string) map[string]any {
		return testMR(ruleKindKMSKey, "kms-key", map[string]any{"policy": policy})
	}
	const logsStatement = `{"Sid":"UseThroughCloudWatchLogs","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":["*"],
		"Condition":{"StringEquals":{"kms:ViaService":["logs.us-east-1.amazonaws.com"],"kms:CallerAccount":["111122223333"]},"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:aws:logs:us-east-1:111122223333:log-group:/aws/rds/cluster/orders/*"]}}}`
	const grants = `{"Sid":"GrantsForAWSResources","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kms:CreateGrant","kms:ListGrants"],"Resource":["*"],
		"Condition":{"Bool":{"kms:GrantIsForAWSResource":["true"]},"StringEquals":{"kms:ViaService":["rds.us-east-1.amazonaws.com"]}}}`
	observedSG := func(arn string) map[string]any {
		sg := testMR(ruleKindSecurityGroup, "security-group", map[string]any{})
		sg["status"] = map[string]any{"atProvider": map[string]any{"arn": arn}}
		return sg
	}
	permission := func(account string) map[string]any {
		return testMR(ruleKindLambdaPermission, "rotator-permission", map[string]any{
			"sourceArn":     "arn:aws:secretsmanager:us-east-1:" + account + ":secret:aurora/orders/master-1a2b3c4d-AbCdEf",
			"sourceAccount": account,
			"functionName":  "arn:aws:lambda:us-east-1:444455556666:function:shared-rotator:live",
		})
	}
	existingFunction := func(s *ruleState) *ruleState {
		s.Spec.Credentials.Mode = CredentialsModeSelfManaged
		s.Spec.Credentials.Rotation.Lambda = RotationLambda{ExistingFunctionARN: "arn:aws:lambda:us-east-1:444455556666:function:shared-rotator"}
		return s
	}
	return map[string]ruleSelfTest{
		// KeyPolicyServesItsServices.
		"KeyPolicyServesItsServicesGood": {
			reason: "The CloudWatch Logs caller statement, and CreateGrant only for AWS resources.",
			args: args{rule: "KeyPolicyServesItsServices", state: testState("us-east-1", map[string]map[string]any{
				"kms-key": key(`{"Version":"2012-10-17","Statement":[` + logsStatement + `,` + grants + `]}`),
			})},
		},
		"KeyPolicyServesItsServicesBad": {
			reason: "No CloudWatch Logs caller statement (one without the encryption context does not count), and CreateGrant without kms:GrantIsForAWSResource, are reported.",
			args: args{rule: "KeyPolicyServesItsServices", state: testState("us-east-1", map[string]map[string]any{
				"kms-key": key(`{"Version":"2012-10-17","Statement":[
					{"Sid":"UseThroughCloudWatchLogs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"logs.us-east-1.amazonaws.com"}}},
					{"Sid":"UseThroughRDS","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Decrypt","kms:CreateGrant"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"rds.us-east-1.amazonaws.com"}}}]}`),
			})},
			want: want{violations: []string{
				`KeyPolicyServesItsServices: self-test: "kms-key" (kms Key): spec.forProvider.policy has no statement letting the account's principals use the key through CloudWatch Logs (Allow kms:Decrypt and kms:GenerateDataKey with kms:ViaService logs.us-east-1.amazonaws.com and a kms:EncryptionContext:aws:logs:arn condition): readers and writers of the encrypted log groups are refused once Logs calls KMS as them`,
				`KeyPolicyServesItsServices: self-test: "kms-key" (kms Key): spec.forProvider.policy: statement "UseThroughRDS" allows kms:CreateGrant without Bool kms:GrantIsForAWSResource true: a principal could grant itself the key outside any AWS service`,
			}},
		},

		// PoliciesNameOneAccount.
		"PoliciesNameOneAccountGood": {
			reason: "One account throughout, the provider's; the user's existing function in another account and AWS's managed policy are not judged.",
			args: args{rule: "PoliciesNameOneAccount", state: existingFunction(withObserved(testState("us-east-1", map[string]map[string]any{
				"kms-key":            key(`{"Version":"2012-10-17","Statement":[` + logsStatement + `]}`),
				"rotator-permission": permission("111122223333"),
				"rotator-vpc-access": testMR(ruleKindRolePolicyAttachment, "rotator-vpc-access", map[string]any{"policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}),
			}), map[string]map[string]any{
				"security-group": observedSG("arn:aws:ec2:us-east-1:111122223333:security-group/sg-1"),
			}))},
		},
		"PoliciesNameOneAccountBad": {
			reason: "Policies and ARNs of an account other than the one the provider created the security group in are reported.",
			args: args{rule: "PoliciesNameOneAccount", state: existingFunction(withObserved(testState("us-east-1", map[string]map[string]any{
				"kms-key":            key(`{"Version":"2012-10-17","Statement":[` + logsStatement + `]}`),
				"rotator-permission": permission("999988887777"),
			}), map[string]map[string]any{
				"security-group": observedSG("arn:aws:ec2:us-east-1:999988887777:security-group/sg-1"),
			}))},
			want: want{violations: []string{
				`PoliciesNameOneAccount: self-test: "kms-key" (kms Key): spec.forProvider.policy (ARN arn:aws:iam::111122223333:root) names account 111122223333, want 999988887777 (the provider created "security-group" in it: arn:aws:ec2:us-east-1:999988887777:security-group/sg-1)`,
				`PoliciesNameOneAccount: self-test: "kms-key" (kms Key): spec.forProvider.policy (ARN arn:aws:logs:us-east-1:111122223333:log-group:/aws/rds/cluster/orders/*) names account 111122223333, want 999988887777 (the provider created "security-group" in it: arn:aws:ec2:us-east-1:999988887777:security-group/sg-1)`,
				`PoliciesNameOneAccount: self-test: "kms-key" (kms Key): spec.forProvider.policy: statement "UseThroughCloudWatchLogs" condition kms:CallerAccount names account 111122223333, want 999988887777 (the provider created "security-group" in it: arn:aws:ec2:us-east-1:999988887777:security-group/sg-1)`,
			}},
		},
		"PoliciesNameOneAccountMixed": {
			reason: "Without observed ARNs, the account fewer mentions name is reported.",
			args: args{rule: "PoliciesNameOneAccount", state: testState("us-east-1", map[string]map[string]any{
				"kms-key":            key(`{"Version":"2012-10-17","Statement":[` + logsStatement + `]}`),
				"rotator-permission": permission("999988887777"),
			})},
			want: want{violations: []string{
				`PoliciesNameOneAccount: self-test: "rotator-permission" (lambda Permission): spec.forProvider.functionName (ARN arn:aws:lambda:us-east-1:444455556666:function:shared-rotator:live) names account 444455556666, want 111122223333 (the account the other 3 mention(s) name)`,
				`PoliciesNameOneAccount: self-test: "rotator-permission" (lambda Permission): spec.forProvider.sourceAccount names account 999988887777, want 111122223333 (the account the other 3 mention(s) name)`,
				`PoliciesNameOneAccount: self-test: "rotator-permission" (lambda Permission): spec.forProvider.sourceArn (ARN arn:aws:secretsmanager:us-east-1:999988887777:secret:aurora/orders/master-1a2b3c4d-AbCdEf) names account 999988887777, want 111122223333 (the account the other 3 mention(s) name)`,
			}},
		},
	}
}
