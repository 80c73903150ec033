package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// withoutStatus returns a copy of xr with no status, as after a restore from
// a backup that did not keep it.
func withoutStatus(xr map[string]any) map[string]any {
	out := mustStruct(xr).AsMap()
	delete(out, "status")
	return out
}

// setObserved replaces an observed resource's status.
func setObserved(observed map[string]*fnv1.Resource, name string, status map[string]any) {
	obj := observed[name].GetResource().AsMap()
	obj["status"] = status
	observed[name] = &fnv1.Resource{Resource: mustStruct(obj)}
}

// assertNoPassword fails if any desired resource other than the bootstrap
// Secret, the XR, a condition or a result carries the bootstrap password,
// or if anything still references the bootstrap Secret when want is false.
func assertNoPassword(t *testing.T, rsp *fnv1.RunFunctionResponse, allowBootstrapSecret bool) {
	t.Helper()
	for name, r := range rsp.GetDesired().GetResources() {
		obj := r.GetResource().AsMap()
		if name == string(nameBootstrapSecret) && allowBootstrapSecret {
			continue
		}
		j, _ := json.Marshal(obj)
		if strings.Contains(string(j), testPassword) {
			t.Errorf("desired resource %q carries the bootstrap password", name)
		}
		if data, ok := obj["data"].(map[string]any); ok {
			for k, v := range data {
				dec, _ := base64.StdEncoding.DecodeString(v.(string))
				if strings.Contains(string(dec), testPassword) {
					t.Errorf("desired Secret %q key %q carries the bootstrap password", name, k)
				}
			}
		}
		if !allowBootstrapSecret && strings.Contains(string(j), bootstrapSecretName(clusterIdentifier(xrMeta{Name: "orders", Namespace: "team-payments"}, &AuroraSpec{}))) {
			t.Errorf("desired resource %q still references the bootstrap Secret after the hand-off", name)
		}
	}
	if !allowBootstrapSecret {
		if _, ok := rsp.GetDesired().GetResources()[string(nameBootstrapSecret)]; ok {
			t.Error("the bootstrap Secret is composed after the hand-off")
		}
		if _, ok := rsp.GetDesired().GetResources()[string(nameMasterSecretVersion)]; ok {
			t.Error("a SecretVersion is composed after the hand-off: it would write the bootstrap password again")
		}
	}
	rest := &fnv1.RunFunctionResponse{Conditions: rsp.GetConditions(), Results: rsp.GetResults(), Desired: &fnv1.State{Composite: rsp.GetDesired().GetComposite()}, Requirements: rsp.GetRequirements()}
	j, _ := protojson.Marshal(rest)
	if strings.Contains(string(j), testPassword) || strings.Contains(string(j), base64.StdEncoding.EncodeToString([]byte(testPassword))) {
		t.Error("the XR, a condition, a result or a requirement carries the bootstrap password")
	}
}

// TestBootstrapPasswordNeverComesBack replays observed state after two
// rotations, when AWS has removed the version the function wrote, and checks
// that no desired resource would write the bootstrap password again, whatever
// the XR's status remembers.
func TestBootstrapPasswordNeverComesBack(t *testing.T) {
	_, steady, xr := converge(t, readObject(t, "example/xr.yaml"), exampleInput())
	if got := xr["status"].(map[string]any)["bootstrap"].(map[string]any)["phase"]; got != bootstrapHandedOff {
		t.Fatalf("steady state: want bootstrap phase %s, got %v", bootstrapHandedOff, got)
	}

	// The observed state just before the hand-off: the version was written,
	// the bootstrap Secret still exists.
	rsps, _, _ := converge(t, readObject(t, "example/xr.yaml"), exampleInput())
	var beforeHandOff map[string]*fnv1.Resource
	pv := provider{account: testAccount, xrName: "orders"}
	for _, r := range rsps {
		if _, ok := r.GetDesired().GetResources()[string(nameMasterSecretVersion)]; ok {
			beforeHandOff = pv.observeAll(r.GetDesired().GetResources())
		}
	}
	if beforeHandOff == nil {
		t.Fatal("the SecretVersion was never composed")
	}
	rotatedAway := map[string]any{
		"atProvider": map[string]any{"versionId": "0f1e2d3c-aaaa-4bbb-8ccc-111122223333"},
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "False", "reason": "Unavailable"},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess"},
		},
	}
	setObserved(beforeHandOff, string(nameMasterSecretVersion), rotatedAway)

	writing := mustStruct(xr).AsMap()
	writing["status"].(map[string]any)["bootstrap"] = map[string]any{"phase": bootstrapWriting}

	cases := map[string]struct {
		reason   string
		xr       map[string]any
		observed map[string]*fnv1.Resource
	}{
		"SteadyState": {
			reason:   "After the hand-off nothing carries or references the bootstrap password.",
			xr:       xr,
			observed: steady,
		},
		"StatusLost": {
			reason:   "Without status.bootstrap, an existing cluster whose bootstrap Secret is gone is never bootstrapped again.",
			xr:       withoutStatus(xr),
			observed: steady,
		},
		"VersionRotatedAwayBeforeHandOffRecorded": {
			reason:   "The version the function wrote was created once and is gone after two rotations: it must not be written again, though the status still says Writing and the bootstrap Secret still exists.",
			xr:       writing,
			observed: beforeHandOff,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := run(t, newRequest(tc.xr, exampleInput(), tc.observed))
			if hasFatal(rsp) {
				t.Fatalf("%s\nunexpected fatal result: %v", tc.reason, rsp.GetResults())
			}
			assertNoPassword(t, rsp, false)
			cluster := rsp.GetDesired().GetResources()[string(nameCluster)].GetResource().AsMap()
			if ip, ok := cluster["spec"].(map[string]any)["initProvider"].(map[string]any)["masterPasswordSecretRef"]; ok {
				t.Errorf("%s\nthe cluster still carries initProvider.masterPasswordSecretRef %v after the hand-off", tc.reason, ip)
			}
		})
	}
}

// TestBootstrapPasswordOnlyInBootstrapSecret runs every SelfManaged example
// to its steady state and checks every response on the way: the password
// appears only in the bootstrap Secret, never in the XR, a condition, a
// result or another resource.
func TestBootstrapPasswordOnlyInBootstrapSecret(t *testing.T) {
	for _, path := range []string{"example/xr.yaml", "testdata/xr/s3-rotator.yaml", "testdata/xr/existing-lambda.yaml", "testdata/xr/rotation-off.yaml"} {
		t.Run(path, func(t *testing.T) {
			rsps, _, _ := converge(t, readObject(t, path), exampleInput())
			sawBootstrap := false
			for _, rsp := range rsps {
				if _, ok := rsp.GetDesired().GetResources()[string(nameBootstrapSecret)]; ok {
					sawBootstrap = true
				}
				assertNoPassword(t, rsp, true)
			}
			if !sawBootstrap {
				t.Error("the bootstrap Secret was never composed: the test proves nothing")
			}
		})
	}
}

// TestPasswordSecretRef reads the bootstrap password from the user's Secret
// through Crossplane's required resources.
func TestPasswordSecretRef(t *testing.T) {
	xr := setSpec(readObject(t, "testdata/xr/rotation-off.yaml"), "credentials.passwordSecretRef", map[string]any{"name": "reports-db-initial", "key": "password"})
	secret := func(data map[string]any) map[string]*fnv1.Resources {
		return map[string]*fnv1.Resources{requiredPasswordSecret: {Items: []*fnv1.Resource{{Resource: mustStruct(map[string]any{
			"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": "reports-db-initial", "namespace": "team-data"},
			"data":     data,
		})}}}}
	}
	supplied := "Supplied-Pa55word-9876"
	const badPassword = `spec.credentials.passwordSecretRef: Invalid value: "reports-db-initial/password": the password must be 8 to 41 printable ASCII characters other than /, @, ", ' and space (Aurora's limits)`
	cases := map[string]struct {
		reason        string
		required      map[string]*fnv1.Resources
		wantPassword  string
		wantFatal     string
		wantCondition string
	}{
		"NotFetchedYet": {
			reason:        "The first call asks Crossplane for the Secret and waits.",
			wantCondition: "WaitingForPassword",
		},
		"Fetched": {
			reason:       "The password from the Secret goes into the bootstrap Secret.",
			required:     secret(map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(supplied))}),
			wantPassword: supplied,
		},
		"MissingKey": {
			reason:    "A Secret without the named key is a mistake in the spec.",
			required:  secret(map[string]any{"other": "eA=="}),
			wantFatal: `spec.credentials.passwordSecretRef.key: Invalid value: "password": Secret "reports-db-initial" has no key "password"`,
		},
		"BadPassword": {
			reason:    "A password RDS would refuse is reported without revealing it.",
			required:  secret(map[string]any{"password": base64.StdEncoding.EncodeToString([]byte("has/slash"))}),
			wantFatal: badPassword,
		},
		"LongestPassword": {
			reason:       "Aurora takes up to 41 characters.",
			required:     secret(map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 41)))}),
			wantPassword: strings.Repeat("a", 41),
		},
		"PasswordTooLong": {
			reason:    "42 characters pass RDS's general rule but fail CreateDBCluster for Aurora, after the cluster waited for them.",
			required:  secret(map[string]any{"password": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 42)))}),
			wantFatal: badPassword,
		},
		"PasswordWithQuote": {
			reason:    "The Aurora user guide excludes the single quote too.",
			required:  secret(map[string]any{"password": base64.StdEncoding.EncodeToString([]byte("it's-a-password"))}),
			wantFatal: badPassword,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(xr, exampleInput(), nil)
			req.RequiredResources = tc.required
			rsp := run(t, req)
			sel := rsp.GetRequirements().GetResources()[requiredPasswordSecret]
			if sel.GetMatchName() != "reports-db-initial" || sel.GetNamespace() != "team-data" || sel.GetKind() != "Secret" {
				t.Errorf("%s\nwant a requirement for Secret team-data/reports-db-initial, got %v", tc.reason, sel)
			}
			if tc.wantFatal != "" {
				if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), tc.wantFatal) {
					t.Errorf("%s\nwant fatal %q, got %v", tc.reason, tc.wantFatal, rsp.GetResults())
				}
				if strings.Contains(rsp.GetResults()[0].GetMessage(), "has/slash") {
					t.Errorf("%s\nthe error reveals the password", tc.reason)
				}
				return
			}
			if hasFatal(rsp) {
				t.Fatalf("%s\nunexpected fatal: %v", tc.reason, rsp.GetResults())
			}
			if tc.wantCondition != "" && rsp.GetConditions()[0].GetReason() != tc.wantCondition {
				t.Errorf("%s\nwant reason %q, got %q", tc.reason, tc.wantCondition, rsp.GetConditions()[0].GetReason())
			}
			bs, ok := rsp.GetDesired().GetResources()[string(nameBootstrapSecret)]
			if tc.wantPassword == "" {
				if ok {
					t.Errorf("%s\nthe bootstrap Secret must wait for the supplied password, not generate one", tc.reason)
				}
				return
			}
			got := bs.GetResource().AsMap()["data"].(map[string]any)["password"].(string)
			if got != base64.StdEncoding.EncodeToString([]byte(tc.wantPassword)) {
				t.Errorf("%s\nthe bootstrap Secret does not hold the supplied password", tc.reason)
			}
		})
	}
}

// TestRotateImmediatelyOnlyFirst checks that only the creation of a
// SelfManaged rotation rotates at once (the bootstrap password has been in
// Kubernetes): once it exists, a schedule edit must not rotate the password
// under the applications, and RDSManaged never rotates at once.
func TestRotateImmediatelyOnlyFirst(t *testing.T) {
	rotateImmediately := func(rsp *fnv1.RunFunctionResponse) (bool, bool) {
		r, ok := rsp.GetDesired().GetResources()["secret-rotation"]
		if !ok {
			return false, false
		}
		v, _ := r.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["rotateImmediately"].(bool)
		return v, true
	}
	cases := map[string]struct {
		reason    string
		xr        string
		wantFirst bool
	}{
		"SelfManaged": {
			reason:    "The first SelfManaged rotation replaces the bootstrap password at once; later ones keep the schedule.",
			xr:        "example/xr.yaml",
			wantFirst: true,
		},
		"RDSManaged": {
			reason: "RDS created the password inside AWS: nothing to replace at once.",
			xr:     "testdata/xr/rds-managed.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := readObject(t, tc.xr)
			rsps, observed, final := converge(t, xr, exampleInput())
			seen := false
			for i, rsp := range rsps {
				got, ok := rotateImmediately(rsp)
				if !ok {
					continue
				}
				if !seen && got != tc.wantFirst {
					t.Errorf("%s\ncall %d composes the rotation with rotateImmediately %v, want %v", tc.reason, i, got, tc.wantFirst)
				}
				seen = true
			}
			if got, _ := rotateImmediately(rsps[len(rsps)-1]); got {
				t.Errorf("%s\nat steady state rotateImmediately must be false", tc.reason)
			}
			// A schedule edit once the rotation exists.
			rsp := run(t, newRequest(setSpec(final, "credentials.rotation.days", 45), exampleInput(), observed))
			if got, ok := rotateImmediately(rsp); !ok || got {
				t.Errorf("%s\na schedule edit must keep rotateImmediately false, got %v (composed %v)", tc.reason, got, ok)
			}
		})
	}
}

// TestRotationBackOnDoesNotRotateAtOnce checks that switching rotation off
// and on again schedules rotation without rotating at once: the bootstrap
// password was replaced long ago, and the applications hold the current one.
func TestRotationBackOnDoesNotRotateAtOnce(t *testing.T) {
	observed, steady := steadyState(t, "example/xr.yaml")
	st := steady["status"].(map[string]any)["bootstrap"].(map[string]any)
	if st["rotationStarted"] != true {
		t.Fatalf("status.bootstrap.rotationStarted: want true at steady state, got %v", st["rotationStarted"])
	}
	// Rotation off: the schedule and the rotator go.
	off := setSpec(steady, "credentials.rotation.enabled", false)
	rsp := run(t, newRequest(off, exampleInput(), observed))
	next := map[string]*fnv1.Resource{}
	for n, r := range observed {
		if _, ok := rsp.GetDesired().GetResources()[n]; ok {
			next[n] = r
		}
	}
	if _, ok := next["secret-rotation"]; ok {
		t.Fatal("rotation off must remove the schedule")
	}
	// And on again: converge from there, the XR keeping its status.
	on := withStatus(off, rsp.GetDesired().GetComposite().GetResource())
	on = setSpec(on, "credentials.rotation.enabled", true)
	pv := forXR(on, testAccount)
	for range 8 {
		rsp = run(t, newRequest(on, exampleInput(), next))
		if r, ok := rsp.GetDesired().GetResources()["secret-rotation"]; ok {
			if v := r.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["rotateImmediately"]; v != false {
				t.Errorf("rotation back on: rotateImmediately %v, want false", v)
			}
			return
		}
		on = withStatus(on, rsp.GetDesired().GetComposite().GetResource())
		next = pv.observeAll(rsp.GetDesired().GetResources())
	}
	t.Fatal("rotation back on never composed the schedule")
}
