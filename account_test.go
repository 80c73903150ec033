package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestAccount checks where the account comes from, and that an explicit
// account the provider's ARNs contradict is refused naming its source.
func TestAccount(t *testing.T) {
	const other = "444455556666"
	withEnv := func(account string) map[string]any {
		in := exampleInput()
		in[testEnvironment] = map[string]any{environmentAccountID: account}
		return in
	}
	noEnv := func() map[string]any {
		in := exampleInput()
		delete(in, testEnvironment)
		return in
	}
	withInput := func(in map[string]any, account string) map[string]any {
		in["accountId"] = account
		return in
	}
	cases := map[string]struct {
		reason string
		xr     map[string]any
		input  map[string]any
		// observedAccount, when set, is the account of the ARNs the
		// provider reports for the XR's resources.
		observedAccount string
		wantAccount     string
		wantFatal       string
	}{
		"FromEnvironment": {
			reason:      "The platform's EnvironmentConfig names the account.",
			input:       exampleInput(),
			wantAccount: testAccount,
		},
		"FromSpec": {
			reason:      "Without a platform source an XR's spec.accountId names the account.",
			xr:          map[string]any{"accountId": other},
			input:       noEnv(),
			wantAccount: other,
		},
		"SpecAgreesWithEnvironment": {
			reason:      "A spec that repeats the platform's account is fine.",
			xr:          map[string]any{"accountId": testAccount},
			input:       exampleInput(),
			wantAccount: testAccount,
		},
		"SpecDisagreesWithEnvironment": {
			reason:    "An XR author cannot point the policies at another account than the platform's.",
			xr:        map[string]any{"accountId": other},
			input:     exampleInput(),
			wantFatal: `invalid XAuroraCluster: spec.accountId: Invalid value: "444455556666": disagrees with environment.awsAccountId "111122223333"`,
		},
		"FromInput": {
			reason:      "A Composition that serves one account may name it in its input.",
			input:       withInput(noEnv(), other),
			wantAccount: other,
		},
		"InputDisagreesWithEnvironment": {
			reason:    "Two platform sources that disagree are a platform mistake, refused rather than guessed.",
			input:     withInput(exampleInput(), other),
			wantFatal: `invalid XAuroraCluster: input.accountId: Invalid value: "444455556666": disagrees with environment.awsAccountId "111122223333"`,
		},
		"LearnedFromARN": {
			reason:          "Without any explicit source the account is the provider's, from an observed ARN.",
			input:           noEnv(),
			observedAccount: other,
			wantAccount:     other,
		},
		"EnvironmentContradicted": {
			reason:          "An environment naming another account than the provider's would put a stranger in the key policy.",
			input:           exampleInput(),
			observedAccount: other,
			wantFatal:       `invalid XAuroraCluster: environment.awsAccountId: Invalid value: "111122223333": the provider created this XR's resources in account 444455556666 (arn:aws:ec2:us-east-1:444455556666:security-group/`,
		},
		"SpecContradicted": {
			reason:          "A wrong spec.accountId is refused naming spec.accountId.",
			xr:              map[string]any{"accountId": "999988887777"},
			input:           noEnv(),
			observedAccount: other,
			wantFatal:       `invalid XAuroraCluster: spec.accountId: Invalid value: "999988887777": the provider created this XR's resources in account 444455556666`,
		},
		"BadInputAccount": {
			reason:    "The input's account is checked: Crossplane applies no input validation.",
			input:     withInput(exampleInput(), "1234"),
			wantFatal: `invalid function input: input.accountId: Invalid value: "1234": must be a 12-digit AWS account ID`,
		},
		"BadEnvironmentAccount": {
			reason:    "The environment's account is checked too.",
			input:     withEnv("acct-1"),
			wantFatal: `invalid function input: environment.awsAccountId: Invalid value: "acct-1": must be a 12-digit AWS account ID`,
		},
		"BadProviderConfigKind": {
			reason: "Only provider-aws's two config kinds exist.",
			input: func() map[string]any {
				in := exampleInput()
				in["providerConfigRef"] = map[string]any{"name": "team", "kind": "ProviderConfigs"}
				return in
			}(),
			wantFatal: `invalid function input: input.providerConfigRef.kind: Unsupported value: "ProviderConfigs": supported values: "ClusterProviderConfig", "ProviderConfig"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := readObject(t, "testdata/xr/minimal.yaml")
			for k, v := range tc.xr {
				xr = setSpec(xr, k, v)
			}
			observed := map[string]*fnv1.Resource{}
			if tc.observedAccount != "" {
				// The provider reports the security group it created.
				pv := provider{account: tc.observedAccount, xrName: "minimal"}
				first := run(t, newRequest(xr, noEnv(), nil))
				observed["security-group"] = pv.observe("security-group", first.GetDesired().GetResources()["security-group"].GetResource())
			}
			rsp := run(t, newRequest(xr, tc.input, observed))
			if tc.wantFatal != "" {
				if !hasFatal(rsp) || !strings.HasPrefix(rsp.GetResults()[0].GetMessage(), tc.wantFatal) {
					t.Fatalf("%s\nwant a Fatal result starting %q, got %v", tc.reason, tc.wantFatal, rsp.GetResults())
				}
				if n := len(rsp.GetDesired().GetResources()); n > 0 {
					t.Errorf("%s\na Fatal result must compose nothing, got %d resources", tc.reason, n)
				}
				return
			}
			if hasFatal(rsp) {
				t.Fatalf("%s\nunexpected Fatal: %v", tc.reason, rsp.GetResults())
			}
			key, ok := rsp.GetDesired().GetResources()["kms-key"]
			if !ok {
				t.Fatalf("%s\nthe key should be composed once the account is known", tc.reason)
			}
			policy := key.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["policy"].(string)
			if !strings.Contains(policy, "arn:aws:iam::"+tc.wantAccount+":root") {
				t.Errorf("%s\nkey policy should name account %s, got %s", tc.reason, tc.wantAccount, policy)
			}
		})
	}
}

// TestProviderConfigDefaults checks that the input's provider config gets
// the input CRD's defaults, which Crossplane does not apply.
func TestProviderConfigDefaults(t *testing.T) {
	in := exampleInput()
	in["providerConfigRef"] = map[string]any{"name": "team-payments"}
	rsp := run(t, newRequest(readObject(t, "testdata/xr/minimal.yaml"), in, nil))
	got := rsp.GetDesired().GetResources()["subnet-group"].GetResource().AsMap()["spec"].(map[string]any)["providerConfigRef"]
	want := map[string]any{"name": "team-payments", "kind": "ClusterProviderConfig"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("providerConfigRef: -want, +got:\n%s", diff)
	}
}

// TestShippedCompositionsNameNoAccount checks that no Composition in apis/
// (and so in the Configuration package) names an account: one would end up
// in the key and secret policies of every XR it serves.
func TestShippedCompositionsNameNoAccount(t *testing.T) {
	files, err := filepath.Glob("apis/*/composition.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no compositions: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		comp := struct {
			Spec struct {
				Pipeline []struct {
					Step  string         `json:"step"`
					Input map[string]any `json:"input"`
				} `json:"pipeline"`
			} `json:"spec"`
		}{}
		if err := yaml.Unmarshal(b, &comp); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, s := range comp.Spec.Pipeline {
			if a, ok := s.Input["accountId"]; ok {
				t.Errorf("%s: step %q names account %v: ship Compositions without one", f, s.Step, a)
			}
		}
	}
}
