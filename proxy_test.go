package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/utils/ptr"
)

func TestValidateProxy(t *testing.T) {
	type args struct {
		// mutate changes the valid spec before defaulting.
		mutate func(s *AuroraSpec)
	}
	type want struct {
		errs []string
	}
	enabled := func(s *AuroraSpec) { s.Proxy.Enabled = ptr.To(true) }
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"OffByDefault": {
			reason: "No proxy unless asked for.",
			args:   args{mutate: func(*AuroraSpec) {}},
		},
		"EnabledWithDefaults": {
			reason: "An enabled proxy with every default (TLS, no IAM, 1800 s) is valid.",
			args:   args{mutate: enabled},
		},
		"EnabledWithIAMAndTimeout": {
			reason: "IAM authentication and the longest idle timeout are fine.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Proxy.IAMAuth = ptr.To(true)
				s.Proxy.IdleClientTimeoutSeconds = ptr.To[int64](28800)
			}},
		},
		"TLSOff": {
			reason: "The cluster forces TLS: its proxy must too.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Proxy.RequireTLS = ptr.To(false)
			}},
			want: want{errs: []string{
				"spec.proxy.requireTls: Invalid value: false: the cluster forces TLS (rds.force_ssl=1): its proxy must require TLS too, or clients would send the password and data in clear text to the proxy",
			}},
		},
		"TLSOffWhileDisabled": {
			reason: "The settings of a proxy that is off do not matter, within their bounds.",
			args:   args{mutate: func(s *AuroraSpec) { s.Proxy.RequireTLS = ptr.To(false) }},
		},
		"TimeoutZero": {
			reason: "RDS Proxy's idle timeout starts at 1 second, checked even while off (the XRD bounds it too).",
			args:   args{mutate: func(s *AuroraSpec) { s.Proxy.IdleClientTimeoutSeconds = ptr.To[int64](0) }},
			want: want{errs: []string{
				"spec.proxy.idleClientTimeoutSeconds: Invalid value: 0: must be between 1 and 28800 seconds (RDS Proxy's limits)",
			}},
		},
		"TimeoutPastEightHours": {
			reason: "RDS Proxy's idle timeout ends at 8 hours.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Proxy.IdleClientTimeoutSeconds = ptr.To[int64](28801)
			}},
			want: want{errs: []string{
				"spec.proxy.idleClientTimeoutSeconds: Invalid value: 28801: must be between 1 and 28800 seconds (RDS Proxy's limits)",
			}},
		},
		"CustomPort": {
			reason: "A PostgreSQL proxy listens on 5432: another cluster port would open the wrong port to the clients on one of them.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Port = ptr.To[int64](5433)
			}},
			want: want{errs: []string{
				"spec.port: Invalid value: 5433: must be 5432 with spec.proxy.enabled: an RDS Proxy for PostgreSQL listens on 5432, and the function opens the cluster's port to the XR's clients on both",
			}},
		},
		"CustomPortWithoutProxy": {
			reason: "Without a proxy any valid port is fine.",
			args:   args{mutate: func(s *AuroraSpec) { s.Port = ptr.To[int64](5433) }},
		},
		"AdoptObserve": {
			reason: "An observed cluster is not the function's to put a proxy in front of.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders"}
			}},
			want: want{errs: []string{
				"spec.proxy.enabled: Forbidden: an adopted cluster in mode Observe is not the function's to change: set spec.adopt.mode Manage first (the proxy reaches the cluster through the function's security group)",
			}},
		},
		"AdoptManage": {
			reason: "A managed adopted cluster may have a proxy.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Adopt = &Adopt{ClusterIdentifier: "legacy-orders", Mode: AdoptModeManage}
			}},
		},
		"SelfManaged": {
			reason: "The proxy reads the function's own master secret: every credentials mode works.",
			args: args{mutate: func(s *AuroraSpec) {
				enabled(s)
				s.Credentials.Mode = CredentialsModeSelfManaged
				s.VPCEndpoint.SubnetIDs = s.Network.SubnetIDs
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := validTestSpec()
			tc.args.mutate(s)
			withDefaults(s)
			got := errorMessages(validate(namespacedTestMeta, s))
			if diff := cmp.Diff(tc.want.errs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nvalidate(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestProxyName(t *testing.T) {
	// RDS's rule for DBProxyName (CreateDBProxy).
	rule := regexp.MustCompile(`^[a-zA-Z](-?[a-zA-Z0-9])*$`)
	long := "a" + strings.Repeat("b", 62)
	cases := map[string]struct {
		reason    string
		clusterID string
		want      string
	}{
		"Derived": {
			reason:    "A derived identifier (at most 50 characters) gets -proxy.",
			clusterID: "team-payments-orders-c2eb71",
			want:      "team-payments-orders-c2eb71-proxy",
		},
		"AtTheLimit": {
			reason:    "57 characters and -proxy make 63.",
			clusterID: strings.Repeat("a", 57),
			want:      strings.Repeat("a", 57) + "-proxy",
		},
		"AdoptedLong": {
			reason:    "A 63-character adopted identifier is cut and a hash of it keeps the name unique.",
			clusterID: long,
			want:      long[:48] + "-" + sha256Hex(long)[:8] + "-proxy",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := proxyName(tc.clusterID)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nproxyName(%q): -want, +got:\n%s", tc.reason, tc.clusterID, diff)
			}
			if len(got) > maxProxyNameLength || !rule.MatchString(got) {
				t.Errorf("%s\nproxyName(%q) = %q breaks RDS's rules (a letter first, letters, digits and single hyphens, at most %d)", tc.reason, tc.clusterID, got, maxProxyNameLength)
			}
		})
	}
	t.Run("LongIdentifiersStayApart", func(t *testing.T) {
		a, b := proxyName(long), proxyName(long[:62]+"c")
		if a == b {
			t.Errorf("two 63-character identifiers that differ only at the end share the proxy name %q", a)
		}
	})
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestXRDProxyRules runs both XRDs' schema and CEL rules, as the API
// server would, on specs with a proxy: what validateProxy refuses is
// refused at admission too.
func TestXRDProxyRules(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"spec": map[string]any{
			"region":  "us-east-1",
			"network": map[string]any{"vpcId": "vpc-0123456789abcdef0", "subnetIds": []any{"subnet-01", "subnet-02"}},
		}}
	}
	proxy := func(p map[string]any) map[string]any { return setSpec(base(), "proxy", p) }
	type want struct {
		// errs are substrings, one per expected error.
		errs []string
	}
	cases := map[string]struct {
		reason string
		xr     map[string]any
		want   want
	}{
		"Enabled": {
			reason: "An enabled proxy with its defaults passes.",
			xr:     proxy(map[string]any{"enabled": true}),
		},
		"TLSOffWhileOff": {
			reason: "requireTls false is refused only while the proxy is on.",
			xr:     proxy(map[string]any{"requireTls": false}),
		},
		"TLSOff": {
			reason: "The cluster forces TLS: its proxy must too.",
			xr:     proxy(map[string]any{"enabled": true, "requireTls": false}),
			want:   want{errs: []string{"spec.proxy.requireTls must be true while the proxy is enabled"}},
		},
		"CustomPort": {
			reason: "A PostgreSQL proxy listens on 5432.",
			xr:     setSpec(proxy(map[string]any{"enabled": true}), "port", int64(5433)),
			want:   want{errs: []string{"spec.port must be 5432 with spec.proxy.enabled"}},
		},
		"AdoptObserve": {
			reason: "Observe (the default mode) changes nothing around the adopted cluster.",
			xr:     setSpec(proxy(map[string]any{"enabled": true}), "adopt", map[string]any{"clusterIdentifier": "legacy-orders"}),
			want:   want{errs: []string{"spec.proxy.enabled needs spec.adopt.mode Manage"}},
		},
		"AdoptManage": {
			reason: "A managed adopted cluster may have a proxy.",
			xr:     setSpec(proxy(map[string]any{"enabled": true}), "adopt", map[string]any{"clusterIdentifier": "legacy-orders", "mode": "Manage"}),
		},
	}
	for xrd, path := range xrdFiles {
		s, v := xrdStructural(t, path)
		for name, tc := range cases {
			t.Run(xrd+"/"+name, func(t *testing.T) {
				got := celValidate(s, v, tc.xr, nil)
				if len(got) != len(tc.want.errs) {
					t.Fatalf("\n%s\nCEL errors: want %d %v, got %d:\n%s", tc.reason, len(tc.want.errs), tc.want.errs, len(got), strings.Join(got, "\n"))
				}
				for i, w := range tc.want.errs {
					if !strings.Contains(got[i], w) {
						t.Errorf("\n%s\nCEL error %d: want it to contain %q, got %q", tc.reason, i, w, got[i])
					}
				}
			})
		}
	}
}

// TestProxyOrder plays the proxy examples to their steady state and checks
// each proxy resource appears only after what it waits for.
func TestProxyOrder(t *testing.T) {
	type order struct{ later, earlier, why string }
	common := []order{
		{"proxy", "cluster", "the proxy waits for the cluster to be Ready"},
		{"proxy", "proxy-role-policy", "the proxy waits for its role to be able to read the secret"},
		{"proxy-role-policy", "proxy-role", "the policy selects the role"},
		{"proxy-target", "proxy", "RDS registers a target only with an available proxy"},
		{"proxy-target-group", "proxy", "RDS changes a target group only of an available proxy"},
	}
	cases := map[string]struct {
		reason string
		xr     string
		after  []order
	}{
		"RDSManaged": {
			reason: "The RDS-owned secret's ARN comes from the cluster.",
			xr:     "testdata/xr/proxy.yaml",
			after:  append(common, order{"proxy-role-policy", "cluster", "the policy names the RDS-owned secret, which the cluster reports"}),
		},
		"SelfManaged": {
			reason: "The function's own secret must hold the bootstrap value before the proxy reads it.",
			xr:     "testdata/xr/proxy-self-managed.yaml",
			after: append(common,
				order{"proxy-role-policy", "master-secret", "the policy names the master secret's ARN"},
				order{"proxy", "master-secret-version", "the proxy waits for the secret's first value"}),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsps, first, _ := firstCalls(t, tc.xr)
			for _, a := range tc.after {
				l, lok := first[a.later]
				e, eok := first[a.earlier]
				if !lok || !eok || l <= e {
					t.Errorf("%s\n%s: want %q (first at call %d, present %v) after %q (first at call %d, present %v)", tc.reason, a.why, a.later, l, lok, a.earlier, e, eok)
				}
			}
			if !xrReady(rsps[len(rsps)-1]) {
				t.Errorf("%s\nthe XR never became ready", tc.reason)
			}
		})
	}
}

// TestProxyTurnedOffOrder turns the proxy of a converged XR off and checks
// the deletion order the Usages give: nothing a remaining resource needs
// leaves before it.
func TestProxyTurnedOffOrder(t *testing.T) {
	sim := goldenChanged(t, goldenCases["ProxyTurnedOff"])
	for i, st := range sim.steps {
		observed := st.req.GetObserved().GetResources()
		desired := st.rsp.GetDesired().GetResources()
		for _, a := range []struct{ used, by string }{
			{"proxy", "proxy-target"},
			{"cluster", "proxy-target"},
			{"proxy-security-group", "proxy"},
			{"proxy-security-group", "ingress-from-proxy"},
			{"proxy-role", "proxy"},
		} {
			if _, ok := observed[a.by]; ok {
				if _, kept := desired[a.used]; !kept {
					t.Errorf("call %d: %q leaves the desired state while %q still exists", i+1, a.used, a.by)
				}
			}
		}
	}
	final := sim.steps[len(sim.steps)-1].rsp.GetDesired().GetResources()
	for n := range final {
		if strings.HasPrefix(n, "proxy") || n == "ingress-from-proxy" {
			t.Errorf("%q is still desired after the proxy was turned off", n)
		}
	}
	if got := sim.xr["status"].(map[string]any)["proxyEndpoint"]; got != nil {
		t.Errorf("status.proxyEndpoint is %v after the proxy was turned off, want none", got)
	}
}

// TestXRDProxyDefaultPassesItsRules checks spec.proxy's rule on its
// default, {}, as the API server does when it accepts the CRD: without the
// defaults of the fields inside it (an XRD whose default breaks a rule is
// never Established).
func TestXRDProxyDefaultPassesItsRules(t *testing.T) {
	for xrd, path := range xrdFiles {
		t.Run(xrd, func(t *testing.T) {
			s, _ := xrdStructural(t, path)
			proxy := s.Properties["spec"].Properties["proxy"]
			v := cel.NewValidator(&proxy, false, celconfig.PerCallLimit)
			if v == nil {
				t.Fatal("spec.proxy has no CEL rules")
			}
			errs, _ := v.Validate(context.Background(), field.NewPath("spec", "proxy"), &proxy, map[string]any{}, nil, celconfig.RuntimeCELCostBudget)
			if len(errs) > 0 {
				t.Errorf("spec.proxy's default {} fails its own rules: %v", errs.ToAggregate())
			}
		})
	}
}
