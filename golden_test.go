package main

import (
	"path/filepath"
	"testing"
)

// TestGolden renders each example case and compares the full desired state,
// and everything else the function says, with testdata/golden. The
// desired.yaml files are also validated against the provider-aws CRDs by
// `make test`.
func TestGolden(t *testing.T) {
	legacyInput := exampleInput()
	noAccount := exampleInput()
	delete(noAccount, "accountId")

	cases := map[string]struct {
		reason string
		xr     string
		input  map[string]any
		steady bool
	}{
		"Minimal": {
			reason: "Only region and network given: every default applies, and the cluster waits for its log group.",
			xr:     "testdata/xr/minimal.yaml",
		},
		"MinimalWithoutAccountID": {
			reason: "Without an account ID the CMK, whose policy names the account, waits; the rest is composed.",
			xr:     "testdata/xr/minimal.yaml",
			input:  noAccount,
		},
		"FullProvisioned": {
			reason: "The main example at its first reconcile: writer and reader held back until the cluster exists.",
			xr:     "example/xr.yaml",
		},
		"FullProvisionedSteadyState": {
			reason: "The main example with every resource observed and ready: status, connection secret and readiness filled.",
			xr:     "example/xr.yaml",
			steady: true,
		},
		"ServerlessV2": {
			reason: "db.serverless instances with a scaling range and auto-pause, IPv4 and IPv6 ingress.",
			xr:     "testdata/xr/serverless.yaml",
			steady: true,
		},
		"ExistingKMSKey": {
			reason: "An existing key: no Key or Alias composed, its ARN used directly everywhere.",
			xr:     "testdata/xr/existing-key.yaml",
			steady: true,
		},
		"LegacyClaimFirstReconcile": {
			reason: "A claim's cluster-scoped XR composes namespaced kinds into the claim's namespace.",
			xr:     "example/legacy/xr.yaml",
			input:  legacyInput,
		},
		"LegacyClaimSteadyState": {
			reason: "A claim's XR publishes composite connection details instead of composing a Secret.",
			xr:     "example/legacy/xr.yaml",
			input:  legacyInput,
			steady: true,
		},
		"InvalidSpec": {
			reason: "Every mistake is reported in one Fatal result with its field path, and nothing is composed.",
			xr:     "testdata/xr/invalid.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			input := tc.input
			if input == nil {
				input = exampleInput()
			}
			xr := readObject(t, tc.xr)
			rsp := run(t, newRequest(xr, input, nil))
			if tc.steady {
				rsps, _, _ := converge(t, xr, input)
				rsp = rsps[len(rsps)-1]
			}
			dir := filepath.Join("testdata", "golden", name)
			compareGolden(t, filepath.Join(dir, "desired.yaml"), goldenDesired(t, rsp))
			compareGolden(t, filepath.Join(dir, "state.yaml"), goldenState(t, rsp))
		})
	}
}
