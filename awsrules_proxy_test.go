package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"k8s.io/utils/ptr"
)

// Rules about the RDS Proxy (proxy.go), checked on every golden and
// simulated state.

func init() {
	awsRules = append(awsRules, proxyRules...)
}

var (
	ruleKindRDSProxy   = objKind{"rds.aws.m.upbound.io/v1beta1", "Proxy"}
	ruleKindEgressRule = objKind{"ec2.aws.m.upbound.io/v1beta1", "SecurityGroupEgressRule"}
)

// proxyRules are the RDS Proxy rules.
var proxyRules = []awsRule{
	{
		ID:        "ProxyRoleReadsOnlyThisSecret",
		Statement: "An rds Proxy logs in with the cluster's secret (status.secretArn, or the composed master secret by selector); the role it assumes trusts only rds.amazonaws.com, with aws:SourceAccount or aws:SourceArn; its policies allow only secretsmanager:GetSecretValue on the cluster's secret (status.secretArn) and kms:Decrypt on the cluster's key (status.kmsKeyArn) with kms:ViaService secretsmanager.<region>.<suffix>, both of which it needs; no managed policy is attached to it.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-iam-setup.html (GetSecretValue on the secrets, kms:Decrypt on their key with kms:ViaService secretsmanager.<region>.amazonaws.com)",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html (aws:SourceAccount and aws:SourceArn in service trust policies)",
			"https://github.com/aws/aws-cdk/issues/28847 (a proxy whose role cannot decrypt the secret's key never connects: Credentials couldn't be retrieved)",
		},
		Check: checkProxyRoleReadsOnlyThisSecret,
	},
	{
		ID:        "ProxyNetwork",
		Statement: "An rds Proxy has its own security group, which admits exactly spec.network.allowedCidrBlocks and allowedSecurityGroupIds on tcp 5432 and lets out only tcp to the cluster's security group on the DB port; the cluster's security group admits the proxy's; every source the cluster's security group admits is an allowed source, a rotator's group or a proxy's group.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-network-prereqs.html (the proxy's security group must reach the database; the database's must admit the proxy)",
			"https://github.com/awsdocs/amazon-rds-user-guide/pull/194 (the outbound rule of the proxy's security group)",
			"https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group (the provider removes a new group's default allow-all egress rule)",
		},
		Check: checkProxyNetwork,
	},
	{
		ID:        "ProxyRequiresTLS",
		Statement: "Every rds Proxy has engineFamily POSTGRESQL, requireTls true while a cluster parameter group sets rds.force_ssl 1, idleClientTimeout within 1 to 28800, SECRETS auth with iamAuth REQUIRED exactly when spec.proxy.iamAuth, and a name (and role name) within RDS's identifier rules.",
		Citations: []string{
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-security.html (require TLS for the proxy's clients)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/PostgreSQL.Concepts.General.SSL.html (rds.force_ssl)",
			"https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html (DBProxyName rules, IdleClientTimeout 1 to 28,800, EngineFamily)",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (role names: 64 characters)",
		},
		Check: checkProxyRequiresTLS,
	},
}

// proxySecurityGroups are the security groups of the desired proxies and,
// while spec.proxy is on, the one composed for a proxy not composed yet.
func (s *ruleState) proxySecurityGroups() map[string]bool {
	out := map[string]bool{}
	for _, px := range s.desiredOf(ruleKindRDSProxy) {
		if sg := s.selectedBy(px.Obj, "vpcSecurityGroupIdSelector"); sg != "" {
			out[sg] = true
		}
	}
	if obj, ok := s.Desired[string(nameProxySecurityGroup)]; ok && ruleKindSecurityGroup.is(obj) && ptr.Deref(s.Spec.Proxy.Enabled, false) {
		out[string(nameProxySecurityGroup)] = true
	}
	return out
}

// proxies are the desired proxies the spec wants. A proxy the user turned
// off stays desired, as observed, until its Usages let it go (deletion.go):
// it is leaving, and what it needed is already gone.
func (s *ruleState) proxies() []ruleObject {
	if !ptr.Deref(s.Spec.Proxy.Enabled, false) {
		return nil
	}
	return s.desiredOf(ruleKindRDSProxy)
}

// compositeStatus is a string of the XR's status the function reported.
func (s *ruleState) compositeStatus(key string) string {
	return objString(s.Composite, "status", key)
}

// ProxyRoleReadsOnlyThisSecret.

func checkProxyRoleReadsOnlyThisSecret(s *ruleState) []ruleFinding {
	var out []ruleFinding
	secretARN, keyARN := s.compositeStatus("secretArn"), s.compositeStatus("kmsKeyArn")
	via := "secretsmanager." + s.Spec.Region + "." + ruleDNSSuffix(s.Spec.Region)
	for _, px := range s.proxies() {
		role := s.selectedBy(px.Obj, "roleArnSelector")
		if role == "" {
			out = append(out, ruleFinding{Resource: px.Name, Message: "selects no composed role (roleArnSelector): the proxy would read the secret with a role the function does not scope"})
			continue
		}
		out = append(out, checkProxyTrust(role, s.Desired[role])...)
		auth, _ := mrParam(px.Obj, "auth")
		for i, e := range ruleList(auth) {
			m, _ := e.(map[string]any)
			sel, _ := m["secretArnSelector"].(map[string]any)
			switch got, selected := m["secretArn"], s.selected(sel); {
			case sel != nil && (selected == "" || !ruleKindSMSecret.is(s.Desired[selected])):
				out = append(out, ruleFinding{Resource: px.Name, Message: fmt.Sprintf("auth[%d] selects no composed secret", i)})
			case sel == nil && secretARN != "" && got != secretARN:
				out = append(out, ruleFinding{Resource: px.Name, Message: fmt.Sprintf("auth[%d] logs in with secret %v, want the cluster's %s: the one rotation changes and the role may read", i, got, secretARN)})
			}
		}
		for _, a := range s.desiredOf(ruleKindRolePolicyAttachment) {
			if s.selectedBy(a.Obj, "roleSelector") == role {
				out = append(out, ruleFinding{Resource: a.Name, Message: fmt.Sprintf("attaches %s to the proxy's role %q: it may do no more than read this cluster's secret", mrParamString(a.Obj, "policyArn"), role)})
			}
		}
		reads, decrypts := false, false
		for _, rp := range s.desiredOf(ruleKindIAMRolePolicy) {
			if s.selectedBy(rp.Obj, "roleSelector") != role {
				continue
			}
			doc, err := parseRulePolicy(mrParamString(rp.Obj, "policy"))
			if err != nil {
				out = append(out, ruleFinding{Resource: rp.Name, Message: "policy: " + err.Error()})
				continue
			}
			add := func(i int, st parsedStatement, format string, a ...any) {
				out = append(out, ruleFinding{Resource: rp.Name, Message: st.name(i) + " " + fmt.Sprintf(format, a...)})
			}
			for i, st := range doc.Statement {
				if st.Effect != "Allow" {
					continue
				}
				for _, action := range st.Action {
					switch {
					case strings.EqualFold(action, "secretsmanager:GetSecretValue"):
						if secretARN != "" && !slices.Equal(st.Resource, []string{secretARN}) {
							add(i, st, "allows %s on %v, want only the cluster's secret %s", action, st.Resource, secretARN)
						}
						reads = true
					case strings.EqualFold(action, "kms:Decrypt"):
						if keyARN != "" && !slices.Equal(st.Resource, []string{keyARN}) {
							add(i, st, "allows %s on %v, want only the cluster's key %s", action, st.Resource, keyARN)
						}
						if got := ruleConditionValues(st.Condition, "StringEquals", "kms:ViaService"); !slices.Equal(got, []string{via}) {
							add(i, st, "allows %s with kms:ViaService %v, want only %s: the key decrypts the secret through Secrets Manager, nothing else", action, got, via)
						}
						decrypts = true
					default:
						add(i, st, "allows %s: the proxy's role may only read the secret and decrypt it", action)
					}
				}
			}
		}
		if !reads || !decrypts {
			out = append(out, ruleFinding{Resource: px.Name, Message: fmt.Sprintf("its role %q cannot read the secret (GetSecretValue %t) and decrypt it (kms:Decrypt %t): connections fail with Credentials couldn't be retrieved", role, reads, decrypts)})
		}
	}
	return out
}

// ruleList is a list parameter, or nil.
func ruleList(v any) []any {
	l, _ := v.([]any)
	return l
}

// checkProxyTrust checks the proxy role's trust policy.
func checkProxyTrust(name string, role map[string]any) []ruleFinding {
	var out []ruleFinding
	doc, err := parseRulePolicy(mrParamString(role, "assumeRolePolicy"))
	if err != nil {
		return []ruleFinding{{Resource: name, Message: "assumeRolePolicy: " + err.Error()}}
	}
	for i, st := range doc.Statement {
		if st.Effect != "Allow" {
			continue
		}
		p, _ := st.Principal.(map[string]any)
		services, _ := policyStringOrList(p["Service"])
		if len(p) != 1 || !slices.Equal(services, []string{"rds.amazonaws.com"}) {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s trusts %v, want only the service rds.amazonaws.com", st.name(i), st.Principal)})
		}
		if ruleConditionValues(st.Condition, "StringEquals", "aws:SourceAccount") == nil && ruleConditionValues(st.Condition, "ArnEquals", "aws:SourceArn") == nil &&
			ruleConditionValues(st.Condition, "StringEquals", "aws:SourceArn") == nil {
			out = append(out, ruleFinding{Resource: name, Message: fmt.Sprintf("%s has no aws:SourceAccount or aws:SourceArn condition: RDS acting for another account could assume it (confused deputy)", st.name(i))})
		}
	}
	return out
}

// ruleConditionValues are the values of one key under one operator of a
// statement's condition, or nil.
func ruleConditionValues(c map[string]any, op, key string) []string {
	kv, _ := c[op].(map[string]any)
	l, _ := policyStringOrList(kv[key])
	return l
}

// ruleDNSSuffix is the DNS suffix of a region's partition.
func ruleDNSSuffix(region string) string {
	for _, p := range rulePartitions {
		if p.Regions.MatchString(region) {
			return p.DNSSuffix
		}
	}
	return "amazonaws.com"
}

// ProxyNetwork.

func checkProxyNetwork(s *ruleState) []ruleFinding {
	var out []ruleFinding
	clusterSG := s.clusterSecurityGroup()
	port := float64(ptr.Deref(s.Spec.Port, defaultPort))
	proxySGs := s.proxySecurityGroups()
	for _, px := range s.proxies() {
		sg := s.selectedBy(px.Obj, "vpcSecurityGroupIdSelector")
		switch {
		case sg == "":
			out = append(out, ruleFinding{Resource: px.Name, Message: "selects no composed security group: it would take the VPC's default group"})
			continue
		case sg == clusterSG:
			out = append(out, ruleFinding{Resource: px.Name, Message: "shares the cluster's security group: the proxy's clients would reach the cluster directly and the proxy's rules could not differ"})
			continue
		}
		want := append(append([]string{}, s.Spec.Network.AllowedCIDRBlocks...), s.Spec.Network.AllowedSecurityGroupIDs...)
		var got []string
		for _, r := range s.ingressRulesOn(sg) {
			src := ruleSource(s, r.Obj)
			got = append(got, src)
			if what, ok := ruleTCPPort(r.Obj, proxyPort); !ok {
				out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("admits %s from %s to the proxy, want tcp %d only", what, src, proxyPort)})
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			out = append(out, ruleFinding{Resource: sg, Message: fmt.Sprintf("the proxy's security group admits %v, want exactly the XR's allowed sources %v", got, want)})
		}
		egress := 0
		for _, r := range s.desiredOf(ruleKindEgressRule) {
			if s.selectedBy(r.Obj, "securityGroupIdSelector") != sg {
				continue
			}
			egress++
			what, ok := ruleTCPPort(r.Obj, port)
			if to := s.selectedBy(r.Obj, "referencedSecurityGroupIdSelector"); !ok || to == "" || to != clusterSG {
				out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("lets the proxy out with %s to %q, want tcp %v to the cluster's security group %q only", what, to+mrParamString(r.Obj, "cidrIpv4")+mrParamString(r.Obj, "referencedSecurityGroupId"), port, clusterSG)})
			}
		}
		if egress == 0 {
			out = append(out, ruleFinding{Resource: sg, Message: "has no egress rule: the proxy cannot reach the cluster"})
		}
		if clusterSG != "" && !s.admitsSelected(clusterSG, sg, port) {
			out = append(out, ruleFinding{Resource: clusterSG, Message: fmt.Sprintf("admits no tcp %v from the proxy's security group %q: the proxy cannot reach the cluster", port, sg)})
		}
	}
	if clusterSG == "" {
		return out
	}
	allowed := map[string]bool{}
	l := s.Spec.Credentials.Rotation.Lambda
	for _, src := range slices.Concat(s.Spec.Network.AllowedCIDRBlocks, s.Spec.Network.AllowedSecurityGroupIDs, l.ExistingFunctionSecurityGroupIDs) {
		allowed[src] = true
	}
	for _, r := range s.ingressRulesOn(clusterSG) {
		sel, _ := mrParam(r.Obj, "referencedSecurityGroupIdSelector")
		selected := s.selectedBy(r.Obj, "referencedSecurityGroupIdSelector")
		switch {
		case sel != nil && (proxySGs[selected] || selected == string(nameRotatorSecurityGroup)):
		case sel == nil && allowed[ruleSource(s, r.Obj)]:
		default:
			out = append(out, ruleFinding{Resource: r.Name, Message: fmt.Sprintf("the cluster's security group admits %s, which is neither an allowed source, a rotator's group nor a proxy's", ruleSource(s, r.Obj))})
		}
	}
	return out
}

// ruleSource is what an ingress rule admits: a CIDR block, a security
// group ID, or the composed group its selector selects.
func ruleSource(s *ruleState, obj map[string]any) string {
	for _, k := range []string{"cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"} {
		if v := mrParamString(obj, k); v != "" {
			return v
		}
	}
	if sg := s.selectedBy(obj, "referencedSecurityGroupIdSelector"); sg != "" {
		return "composed security group " + sg
	}
	return "nothing"
}

// admitsSelected reports whether a desired security group has an ingress
// rule from a composed group (by selector) on a port.
func (s *ruleState) admitsSelected(sg, from string, port float64) bool {
	for _, r := range s.ingressRulesOn(sg) {
		_, ok := ruleTCPPort(r.Obj, port)
		if ok && s.selectedBy(r.Obj, "referencedSecurityGroupIdSelector") == from {
			return true
		}
	}
	return false
}

// ProxyRequiresTLS.

// ruleProxyName is RDS's rule for a proxy's name (CreateDBProxy).
var ruleProxyName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$`)

func checkProxyRequiresTLS(s *ruleState) []ruleFinding {
	var out []ruleFinding
	forced := false
	for _, pg := range s.desiredOf(ruleKindRDSClusterParamGroup) {
		for _, b := range mrParameters(pg.Obj) {
			params, _ := b.Params["parameter"].([]any)
			for _, p := range params {
				m, _ := p.(map[string]any)
				if m["name"] == parameterForceSSL && m["value"] == "1" {
					forced = true
				}
			}
		}
	}
	wantIAM := "DISABLED"
	if ptr.Deref(s.Spec.Proxy.IAMAuth, false) {
		wantIAM = "REQUIRED"
	}
	for _, px := range s.proxies() {
		add := func(format string, a ...any) {
			out = append(out, ruleFinding{Resource: px.Name, Message: fmt.Sprintf(format, a...)})
		}
		if f := mrParamString(px.Obj, "engineFamily"); f != "POSTGRESQL" {
			add("engineFamily is %q, want POSTGRESQL", f)
		}
		if tls, set := mrParamBool(px.Obj, "requireTls"); forced && (!set || !tls) {
			add("does not require TLS (requireTls %t, set %t) while the cluster forces it (rds.force_ssl 1): clients would reach the proxy in clear text", tls, set)
		}
		if t, ok := mrParamNumber(px.Obj, "idleClientTimeout"); !ok || t < minProxyIdleClientTimeout || t > maxProxyIdleClientTimeout {
			add("idleClientTimeout is %v (set %t), want 1 to 28800", t, ok)
		}
		auth, _ := mrParam(px.Obj, "auth")
		entries, _ := auth.([]any)
		if len(entries) == 0 {
			add("has no auth entry: the proxy cannot log in to the cluster")
		}
		for i, e := range entries {
			m, _ := e.(map[string]any)
			if m["authScheme"] != "SECRETS" || m["iamAuth"] != wantIAM {
				add("auth[%d] has authScheme %v and iamAuth %v, want SECRETS and %s (spec.proxy.iamAuth)", i, m["authScheme"], m["iamAuth"], wantIAM)
			}
		}
		if n := objAnnotation(px.Obj, ruleAnnotationExternalName); len(n) > maxProxyNameLength || !ruleProxyName.MatchString(n) {
			add("is named %q: RDS wants a letter first, letters, digits and single hyphens, no hyphen at the end, at most %d characters", n, maxProxyNameLength)
		}
		if role := s.selectedBy(px.Obj, "roleArnSelector"); role != "" {
			if n := objAnnotation(s.Desired[role], ruleAnnotationExternalName); n == "" || len(n) > 64 {
				out = append(out, ruleFinding{Resource: role, Message: fmt.Sprintf("is named %q, want 1 to 64 characters (IAM)", n)})
			}
		}
	}
	return out
}

// proxySelfTests are the proxy rules' good and bad cases.
func proxySelfTests() map[string]ruleSelfTest {
	type args = ruleSelfTestArgs
	type want = ruleSelfTestWant
	const (
		secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!cluster-1234-AbCdEf"
		key    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	scoped := `{"Version":"2012-10-17","Statement":[{"Sid":"ReadThisSecret","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"` + secret + `"},` +
		`{"Sid":"DecryptThisSecret","Effect":"Allow","Action":"kms:Decrypt","Resource":"` + key + `","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}]}`
	ingress := func(name, sg string, from map[string]any) map[string]any {
		fp := map[string]any{"ipProtocol": "tcp", "fromPort": float64(5432), "toPort": float64(5432), "securityGroupIdSelector": testSelector(sg)}
		maps.Copy(fp, from)
		return testMR(ruleKindIngressRule, name, fp)
	}
	proxy := func(params map[string]any) map[string]any {
		fp := map[string]any{
			"engineFamily": "POSTGRESQL", "requireTls": true, "idleClientTimeout": float64(1800),
			"roleArnSelector": testSelector("proxy-role"), "vpcSecurityGroupIdSelector": testSelector("proxy-security-group"),
			"auth": []any{map[string]any{"authScheme": "SECRETS", "iamAuth": "DISABLED", "secretArn": secret}},
		}
		maps.Copy(fp, params)
		return withExternalName(testMR(ruleKindRDSProxy, "proxy", fp), "orders-proxy")
	}
	state := func(change func(d map[string]map[string]any)) *ruleState {
		d := map[string]map[string]any{
			"cluster":                        testMR(ruleKindRDSCluster, "cluster", map[string]any{"vpcSecurityGroupIdSelector": testSelector("security-group")}),
			"cluster-parameter-group":        testMR(ruleKindRDSClusterParamGroup, "cluster-parameter-group", map[string]any{"parameter": []any{map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"}}}),
			"security-group":                 testMR(ruleKindSecurityGroup, "security-group", map[string]any{}),
			"proxy-security-group":           testMR(ruleKindSecurityGroup, "proxy-security-group", map[string]any{}),
			"ingress-cidr-10-0-0-0-16":       ingress("ingress-cidr-10-0-0-0-16", "security-group", map[string]any{"cidrIpv4": "10.0.0.0/16"}),
			"ingress-from-proxy":             ingress("ingress-from-proxy", "security-group", map[string]any{"referencedSecurityGroupIdSelector": testSelector("proxy-security-group")}),
			"proxy-ingress-cidr-10-0-0-0-16": ingress("proxy-ingress-cidr-10-0-0-0-16", "proxy-security-group", map[string]any{"cidrIpv4": "10.0.0.0/16"}),
			"proxy-egress-db": testMR(ruleKindEgressRule, "proxy-egress-db", map[string]any{
				"ipProtocol": "tcp", "fromPort": float64(5432), "toPort": float64(5432),
				"securityGroupIdSelector": testSelector("proxy-security-group"), "referencedSecurityGroupIdSelector": testSelector("security-group"),
			}),
			"proxy":             proxy(nil),
			"proxy-role":        withExternalName(testMR(ruleKindIAMRole, "proxy-role", map[string]any{"assumeRolePolicy": trust}), "orders-proxy"),
			"proxy-role-policy": testMR(ruleKindIAMRolePolicy, "proxy-role-policy", map[string]any{"roleSelector": testSelector("proxy-role"), "policy": scoped}),
		}
		if change != nil {
			change(d)
		}
		s := withSpec(testState("us-east-1", d), func(s *AuroraSpec) {
			s.Proxy.Enabled = ptr.To(true)
			s.Network.AllowedCIDRBlocks = []string{"10.0.0.0/16"}
		})
		s.Composite = map[string]any{"status": map[string]any{"secretArn": secret, "kmsKeyArn": key}}
		return s
	}
	return map[string]ruleSelfTest{
		"ProxyRoleReadsOnlyThisSecretGood": {
			reason: "A role RDS alone assumes for this account, reading only the cluster's secret and decrypting only with its key through Secrets Manager.",
			args:   args{rule: "ProxyRoleReadsOnlyThisSecret", state: state(nil)},
		},
		"ProxyRoleReadsOnlyThisSecretBad": {
			reason: "Another secret for the proxy, any secret for the role, decryption outside Secrets Manager, a write action and a trust without a source condition are reported.",
			args: args{rule: "ProxyRoleReadsOnlyThisSecret", state: state(func(d map[string]map[string]any) {
				d["proxy"] = proxy(map[string]any{"auth": []any{map[string]any{"authScheme": "SECRETS", "iamAuth": "DISABLED", "secretArn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:other-AbCdEf"}}})
				d["proxy-role"] = withExternalName(testMR(ruleKindIAMRole, "proxy-role", map[string]any{"assumeRolePolicy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["rds.amazonaws.com","lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`}), "orders-proxy")
				d["proxy-role-policy"] = testMR(ruleKindIAMRolePolicy, "proxy-role-policy", map[string]any{"roleSelector": testSelector("proxy-role"), "policy": `{"Version":"2012-10-17","Statement":[` +
					`{"Sid":"A","Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:PutSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:*"},` +
					`{"Sid":"B","Effect":"Allow","Action":"kms:Decrypt","Resource":"` + key + `"}]}`})
			})},
			want: want{violations: []string{
				`ProxyRoleReadsOnlyThisSecret: self-test: "proxy" (rds Proxy): auth[0] logs in with secret arn:aws:secretsmanager:us-east-1:111122223333:secret:other-AbCdEf, want the cluster's ` + secret + `: the one rotation changes and the role may read`,
				`ProxyRoleReadsOnlyThisSecret: self-test: "proxy-role" (iam Role): statement 0 has no aws:SourceAccount or aws:SourceArn condition: RDS acting for another account could assume it (confused deputy)`,
				`ProxyRoleReadsOnlyThisSecret: self-test: "proxy-role" (iam Role): statement 0 trusts map[Service:[rds.amazonaws.com lambda.amazonaws.com]], want only the service rds.amazonaws.com`,
				`ProxyRoleReadsOnlyThisSecret: self-test: "proxy-role-policy" (iam RolePolicy): statement "A" allows secretsmanager:GetSecretValue on [arn:aws:secretsmanager:us-east-1:111122223333:secret:*], want only the cluster's secret ` + secret,
				`ProxyRoleReadsOnlyThisSecret: self-test: "proxy-role-policy" (iam RolePolicy): statement "A" allows secretsmanager:PutSecretValue: the proxy's role may only read the secret and decrypt it`,
				`ProxyRoleReadsOnlyThisSecret: self-test: "proxy-role-policy" (iam RolePolicy): statement "B" allows kms:Decrypt with kms:ViaService [], want only secretsmanager.us-east-1.amazonaws.com: the key decrypts the secret through Secrets Manager, nothing else`,
			}},
		},
		"ProxyNetworkGood": {
			reason: "The proxy's own group admits the allowed CIDR, reaches the cluster's group, which admits it.",
			args:   args{rule: "ProxyNetwork", state: state(nil)},
		},
		"ProxyNetworkBad": {
			reason: "The proxy open to the world instead of the allowed sources, without a way to the cluster, and the cluster's group admitting another composed group are reported.",
			args: args{rule: "ProxyNetwork", state: state(func(d map[string]map[string]any) {
				d["proxy-ingress-cidr-10-0-0-0-16"] = ingress("proxy-ingress-cidr-10-0-0-0-16", "proxy-security-group", map[string]any{"cidrIpv4": "0.0.0.0/0"})
				delete(d, "proxy-egress-db")
				d["ingress-from-proxy"] = ingress("ingress-from-proxy", "security-group", map[string]any{"referencedSecurityGroupIdSelector": testSelector("other")})
				d["other"] = testMR(ruleKindSecurityGroup, "other", map[string]any{})
			})},
			want: want{violations: []string{
				`ProxyNetwork: self-test: "ingress-from-proxy" (ec2 SecurityGroupIngressRule): the cluster's security group admits composed security group other, which is neither an allowed source, a rotator's group nor a proxy's`,
				`ProxyNetwork: self-test: "proxy-security-group" (ec2 SecurityGroup): has no egress rule: the proxy cannot reach the cluster`,
				`ProxyNetwork: self-test: "proxy-security-group" (ec2 SecurityGroup): the proxy's security group admits [0.0.0.0/0], want exactly the XR's allowed sources [10.0.0.0/16]`,
				`ProxyNetwork: self-test: "security-group" (ec2 SecurityGroup): admits no tcp 5432 from the proxy's security group "proxy-security-group": the proxy cannot reach the cluster`,
			}},
		},
		"ProxyRequiresTLSGood": {
			reason: "A PostgreSQL proxy requiring TLS, on the secret, without IAM authentication as the spec says.",
			args:   args{rule: "ProxyRequiresTLS", state: state(nil)},
		},
		"ProxyRequiresTLSBad": {
			reason: "TLS off under rds.force_ssl, IAM authentication the spec did not ask for, a timeout past 8 hours and a name with a double hyphen are reported.",
			args: args{rule: "ProxyRequiresTLS", state: state(func(d map[string]map[string]any) {
				d["proxy"] = withExternalName(proxy(map[string]any{
					"requireTls": false, "idleClientTimeout": float64(28801),
					"auth": []any{map[string]any{"authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": secret}},
				}), "orders--proxy")
			})},
			want: want{violations: []string{
				`ProxyRequiresTLS: self-test: "proxy" (rds Proxy): auth[0] has authScheme SECRETS and iamAuth REQUIRED, want SECRETS and DISABLED (spec.proxy.iamAuth)`,
				`ProxyRequiresTLS: self-test: "proxy" (rds Proxy): does not require TLS (requireTls false, set true) while the cluster forces it (rds.force_ssl 1): clients would reach the proxy in clear text`,
				`ProxyRequiresTLS: self-test: "proxy" (rds Proxy): idleClientTimeout is 28801 (set true), want 1 to 28800`,
				`ProxyRequiresTLS: self-test: "proxy" (rds Proxy): is named "orders--proxy": RDS wants a letter first, letters, digits and single hyphens, no hyphen at the end, at most 63 characters`,
			}},
		},
	}
}
