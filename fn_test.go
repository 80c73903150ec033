package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testAccount is the account of the example Composition's input.
const testAccount = "111122223333"

// testPassword is what the function generates in tests; the leak test looks
// for it everywhere.
const testPassword = "bootstrap-Pa55word-0123456789abcd"

func TestMain(m *testing.M) {
	if err := registerTypes(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// testEnvironment is a key of the maps exampleInput returns that is not
// part of the function input: newRequest moves it into the request's
// pipeline context as the environment (example/environment.yaml), as
// function-environment-configs would.
const testEnvironment = "test:environment"

// exampleInput is the function input of apis/namespaced/composition.yaml,
// with the example's EnvironmentConfig, which names the account.
func exampleInput() map[string]any {
	return map[string]any{
		"apiVersion":        "aurorapostgres.fn.crossplane.io/v1beta1",
		"kind":              "Input",
		"providerConfigRef": map[string]any{"kind": "ClusterProviderConfig", "name": "default"},
		testEnvironment:     map[string]any{environmentAccountID: testAccount},
	}
}

// readObject reads one YAML object.
func readObject(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal(b, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return obj
}

// newRequest builds a RunFunctionRequest as Crossplane sends it.
func newRequest(xr, input map[string]any, observed map[string]*fnv1.Resource) *fnv1.RunFunctionRequest {
	return newUnprobedRequest(xr, input, withAnsweredProbe(xr, observed))
}

// withAnsweredProbe adds, where no cluster is observed, the observe-only
// probe of the XR's cluster identifier as the provider reports it once it
// found no such cluster (adopt.go): most tests start there, after the one
// call that only probes. Tests of the probe itself use newUnprobedRequest.
func withAnsweredProbe(xr map[string]any, observed map[string]*fnv1.Resource) map[string]*fnv1.Resource {
	if _, ok := observed["cluster"]; ok {
		return observed
	}
	spec, _ := xr["spec"].(map[string]any)
	if _, adopt := spec["adopt"]; adopt {
		return observed
	}
	if id, _ := spec["clusterIdentifier"].(string); preExistingAWS["Cluster/"+id] != nil {
		// The provider will find it: no made-up answer.
		return observed
	}
	out := make(map[string]*fnv1.Resource, len(observed)+1)
	for k, v := range observed {
		out[k] = v
	}
	region, _ := spec["region"].(string)
	probe := map[string]any{
		"apiVersion": "rds.aws.m.upbound.io/v1beta1",
		"kind":       "Cluster",
		"metadata":   map[string]any{"annotations": map[string]any{"crossplane.io/composition-resource-name": "cluster"}},
		"spec": map[string]any{
			"managementPolicies": []any{"Observe"},
			"forProvider":        map[string]any{"region": region},
		},
	}
	provider{}.observeOnly(probe)
	out["cluster"] = &fnv1.Resource{Resource: mustStruct(probe)}
	return out
}

// newUnprobedRequest is a request with exactly the observed resources given.
func newUnprobedRequest(xr, input map[string]any, observed map[string]*fnv1.Resource) *fnv1.RunFunctionRequest {
	in := make(map[string]any, len(input))
	for k, v := range input {
		in[k] = v
	}
	req := &fnv1.RunFunctionRequest{
		Observed: &fnv1.State{
			Composite: &fnv1.Resource{Resource: mustStruct(xr)},
			Resources: observed,
		},
	}
	if env, ok := in[testEnvironment]; ok {
		delete(in, testEnvironment)
		req.Context = mustStruct(map[string]any{contextKeyEnvironment: env})
	}
	req.Input = mustStruct(in)
	return req
}

// newTestFunction is the Function the tests call: silent, with the default
// TTLs and testPassword as every bootstrap password.
func newTestFunction() *Function {
	return &Function{log: logging.NewNopLogger(), password: func() (string, error) { return testPassword, nil }, ttl: defaultTTLs}
}

func run(t testing.TB, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	t.Helper()
	rsp, err := newTestFunction().RunFunction(context.Background(), req)
	if err != nil {
		t.Fatalf("RunFunction returned an error: %v", err)
	}
	return rsp
}

// converge plays Crossplane and the provider until the desired state stops
// changing (simulate, sim_test.go) and fails on a Fatal result. It returns
// every response, the final observed state and the final XR.
func converge(t testing.TB, xr, input map[string]any) ([]*fnv1.RunFunctionResponse, map[string]*fnv1.Resource, map[string]any) {
	t.Helper()
	sim := simulate(t, xr, input, nil)
	rsps := make([]*fnv1.RunFunctionResponse, 0, len(sim.steps))
	for _, st := range sim.steps {
		rsps = append(rsps, st.rsp)
	}
	if last := rsps[len(rsps)-1]; hasFatal(last) {
		t.Fatalf("fatal result while converging: %v", last.GetResults())
	}
	return rsps, sim.observed, sim.xr
}

// withStatus applies the desired XR's status to the observed XR, as
// Crossplane does between calls.
func withStatus(xr map[string]any, dxr *structpb.Struct) map[string]any {
	out := map[string]any{}
	for k, v := range xr {
		out[k] = v
	}
	if st, ok := dxr.AsMap()["status"]; ok {
		out["status"] = st
	}
	return out
}

// xrReady is the XR's readiness as Crossplane derives it from a response:
// the XR's own desired readiness when the function sets it, else every
// composed resource's (composite/reconciler.go: "If the composer explicitly
// specified the XR's readiness it supersedes readiness derived from
// composed resources").
func xrReady(rsp *fnv1.RunFunctionResponse) bool {
	switch rsp.GetDesired().GetComposite().GetReady() {
	case fnv1.Ready_READY_TRUE:
		return true
	case fnv1.Ready_READY_FALSE:
		return false
	}
	for _, r := range rsp.GetDesired().GetResources() {
		if r.GetReady() != fnv1.Ready_READY_TRUE {
			return false
		}
	}
	return true
}

// composedReadiness lists the composed resources that are not ready, for a
// failure message.
func composedReadiness(rsp *fnv1.RunFunctionResponse) []string {
	var out []string
	for n, r := range rsp.GetDesired().GetResources() {
		if r.GetReady() != fnv1.Ready_READY_TRUE {
			out = append(out, n+"="+r.GetReady().String())
		}
	}
	sort.Strings(out)
	return out
}

func hasFatal(rsp *fnv1.RunFunctionResponse) bool {
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			return true
		}
	}
	return false
}

// goldenDesired renders the desired composed resources as `crossplane
// render` prints them: one YAML document each, sorted by resource name.
func goldenDesired(t testing.TB, rsp *fnv1.RunFunctionResponse) []byte {
	t.Helper()
	names := make([]string, 0, len(rsp.GetDesired().GetResources()))
	for n := range rsp.GetDesired().GetResources() {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		obj := rsp.GetDesired().GetResources()[n].GetResource().AsMap()
		meta := obj["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		if ann == nil {
			ann = map[string]any{}
		}
		ann["crossplane.io/composition-resource-name"] = n
		meta["annotations"] = ann
		y, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return []byte(b.String())
}

// goldenState renders everything else the function says: the XR's desired
// status and readiness, its connection details, each composed resource's
// readiness, conditions, results and the TTL.
func goldenState(t testing.TB, rsp *fnv1.RunFunctionResponse) []byte {
	t.Helper()
	j, err := protojson.Marshal(rsp)
	if err != nil {
		t.Fatal(err)
	}
	full := map[string]any{}
	if err := json.Unmarshal(j, &full); err != nil {
		t.Fatal(err)
	}
	state := map[string]any{
		"results":    full["results"],
		"conditions": full["conditions"],
		// How soon Crossplane calls again if nothing changes (ttl.go).
		"ttl": rsp.GetMeta().GetTtl().AsDuration().String(),
	}
	if d := rsp.GetDesired(); d != nil {
		if c := d.GetComposite(); c != nil {
			state["composite"] = c.GetResource().AsMap()
			state["compositeReady"] = c.GetReady().String()
			if len(c.GetConnectionDetails()) > 0 {
				cd := map[string]string{}
				for k, v := range c.GetConnectionDetails() {
					cd[k] = string(v)
				}
				state["connectionDetails"] = cd
			}
		}
		ready := map[string]string{}
		for n, r := range d.GetResources() {
			ready[n] = r.GetReady().String()
		}
		state["resourcesReady"] = ready
	}
	y, err := yaml.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// compareGolden compares got with a golden file, or rewrites it with -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s: -want, +got (run go test -update and review the diff):\n%s", path, diff)
	}
}
