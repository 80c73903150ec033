package main

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composite"
)

// fuzzOddSpecs are specs no example has: empty, of the wrong type, with
// wrong field types, and with values just outside what validation accepts.
var fuzzOddSpecs = []string{
	`{}`,
	`null`,
	`[]`,
	`"spec"`,
	`42`,
	`{"spec":null}`,
	`{"region":null,"network":null,"instances":null}`,
	`{"port":"abc"}`,
	`{"port":5432.5}`,
	`{"port":1e30}`,
	`{"network":{"subnetIds":"subnet-1"}}`,
	`{"tags":{"a":null,"b":1}}`,
	`{"instances":[{}]}`,
	`{"instances":[null]}`,
	`{"serverlessV2":{"minCapacity":-1}}`,
	`{"serverlessV2":null,"instances":[{"instanceClass":"db.serverless"}]}`,
	`{"region":"us-east-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"]},"instances":[]}`,
	`{"region":"us-east-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"],"allowedCidrBlocks":["2001:db8::/32","10.0.0.0/8"]},"instances":[{"name":"2","instanceClass":"db.r6g.large"},{"instanceClass":"db.r6g.large"}]}`,
	`{"region":"us-east-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"]},"credentials":{"mode":"SelfManaged","rotation":{"lambda":{"s3":{}}}}}`,
	`{"region":"us-east-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"]},"credentials":{"mode":"SelfManaged","rotation":{"lambda":{"s3":{"bucket":"b","key":"k"},"subnetIds":["subnet-1"]}}}}`,
	`{"region":"cn-north-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"]},"instances":[{"instanceClass":"db.serverless"}],"serverlessV2":{"minCapacity":0,"maxCapacity":1,"secondsUntilAutoPause":300}}`,
	`{"region":"us-gov-west-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"]},"logging":{"exports":[],"slowQueryThresholdMs":-1},"monitoring":{"alarms":{"enabled":false}}}`,
}

// fuzzSeedSpecs is the JSON of every example spec, then the odd ones.
func fuzzSeedSpecs(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, file := range exampleXRFiles(f) {
		j, err := json.Marshal(readObject(f, file)["spec"])
		if err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		seeds = append(seeds, j)
	}
	for _, s := range fuzzOddSpecs {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// fuzzXR is an XR with the given spec: namespaced, or cluster-scoped and
// bound to a claim.
func fuzzXR(spec any, legacy bool) map[string]any {
	meta := map[string]any{
		"name":      "fuzz",
		"namespace": "team-fuzz",
		"uid":       "0f0f0f0f-1111-4222-8333-444455556666",
	}
	if legacy {
		delete(meta, "namespace")
		meta["name"] = "fuzz-x7k2p"
		meta["labels"] = map[string]any{labelClaimName: "fuzz", labelClaimNamespace: "team-fuzz"}
	}
	return map[string]any{
		"apiVersion": "aws.platform.example.org/v1alpha1",
		"kind":       "XAuroraCluster",
		"metadata":   meta,
		"spec":       spec,
	}
}

// FuzzRunFunction calls the function with arbitrary specs, and then again
// with what the provider would observe, for up to three calls. Whatever the
// spec, the function must not panic or fail, must not answer a Fatal result
// with half-built desired state, must compose only resources in the spec's
// region, and must encode each exactly as the SDK would.
func FuzzRunFunction(f *testing.F) {
	for i, s := range fuzzSeedSpecs(f) {
		f.Add(s, i%2 == 1, uint8(i%3))
	}
	f.Fuzz(func(t *testing.T, specJSON []byte, legacy bool, rounds uint8) {
		var spec any
		if err := json.Unmarshal(specJSON, &spec); err != nil {
			t.Skip("not JSON")
		}
		checkRunFunction(t, spec, legacy, int(rounds%3)+1)
	})
}

// checkRunFunction calls RunFunction up to calls times with an XR of the
// given spec, each time observing what the previous call desired, and checks
// every response.
func checkRunFunction(t *testing.T, spec any, legacy bool, calls int) {
	t.Helper()
	// The spec's region as the function reads it (encoding/json).
	region := struct {
		Region string `json:"region"`
	}{}
	if j, err := json.Marshal(spec); err == nil {
		_ = json.Unmarshal(j, &region)
	}
	xr := fuzzXR(spec, legacy)
	if _, err := structpb.NewStruct(xr); err != nil {
		t.Skip("not representable in a RunFunctionRequest")
	}
	pv := provider{account: testAccount, xrName: "fuzz"}
	if !legacy {
		pv.xrNamespace = "team-fuzz"
	}
	observed := map[string]*fnv1.Resource{}
	for call := 0; call < calls; call++ {
		req := newRequest(xr, exampleInput(), observed)
		rsp := run(t, req)
		desired := rsp.GetDesired().GetResources()
		if hasFatal(rsp) {
			if len(desired) > 0 {
				names := make([]string, 0, len(desired))
				for n := range desired {
					names = append(names, n)
				}
				sort.Strings(names)
				t.Fatalf("call %d: a Fatal result (%v) with %d desired composed resources: %v", call, rsp.GetResults(), len(desired), names)
			}
			return
		}
		if rsp.GetDesired().GetComposite() == nil {
			t.Fatalf("call %d: no Fatal result and no desired composite resource", call)
		}
		// Every composed resource is what the SDK's own conversion gives.
		checkDesiredMatchesSDK(t, req, rsp)
		for n, r := range desired {
			obj := r.GetResource().AsMap()
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			if apiVersion == "" || kind == "" {
				t.Fatalf("call %d: desired %q has apiVersion %q and kind %q", call, n, apiVersion, kind)
			}
			sp, _ := obj["spec"].(map[string]any)
			fp, _ := sp["forProvider"].(map[string]any)
			got, hasRegion := fp["region"]
			switch {
			case apiVersion == "v1" && kind == "Secret":
			case kind == "Usage":
				// A Crossplane object, not an AWS one.
			case strings.HasPrefix(apiVersion, "iam.aws."):
				// IAM is global: its resources have no region.
				if hasRegion {
					t.Errorf("call %d: desired %q (%s) is global but has region %v", call, n, kind, got)
				}
			case got != region.Region:
				t.Errorf("call %d: desired %q (%s %s) has region %v, want the spec's %q", call, n, apiVersion, kind, got, region.Region)
			}
		}
		observed = pv.observeAll(desired)
		xr = withStatus(xr, rsp.GetDesired().GetComposite().GetResource())
	}
}

// FuzzValidate decodes, defaults and validates arbitrary specs, as
// RunFunction does, and checks the properties the builders rely on.
func FuzzValidate(f *testing.F) {
	for i, s := range fuzzSeedSpecs(f) {
		f.Add(s, "fuzz", []string{"team-fuzz", ""}[i%2])
	}
	f.Add([]byte(`{"region":"us-east-1","network":{"vpcId":"vpc-1","subnetIds":["subnet-1","subnet-2"]}}`), "Ä--"+strings.Repeat("x", 70), "1-team")
	f.Fuzz(func(t *testing.T, specJSON []byte, name, namespace string) {
		var spec any
		if err := json.Unmarshal(specJSON, &spec); err != nil {
			t.Skip("not JSON")
		}
		checkValidate(t, spec, name, namespace)
	})
}

// checkValidate decodes, defaults and validates an XR of the given spec and
// checks what the builders rely on once validation passed.
func checkValidate(t *testing.T, spec any, name, namespace string) {
	t.Helper()
	obj := map[string]any{
		"apiVersion": "aws.platform.example.org/v1alpha1",
		"kind":       "XAuroraCluster",
		"metadata":   map[string]any{"name": name, "namespace": namespace, "uid": "uid"},
		"spec":       spec,
	}
	oxr := &resource.Composite{Resource: &composite.Unstructured{Unstructured: unstructured.Unstructured{Object: obj}}}

	m, s, err := decodeXR(oxr)
	if err != nil {
		if s != nil {
			t.Fatalf("decodeXR(...): a spec and an error (%v)", err)
		}
		if !strings.Contains(err.Error(), "spec") {
			t.Errorf("decodeXR(...): error %q does not say which field", err)
		}
		return
	}
	if s == nil {
		t.Fatal("decodeXR(...): neither a spec nor an error")
	}
	if m.Legacy != (namespace == "") {
		t.Errorf("decodeXR(...): Legacy is %t for namespace %q", m.Legacy, namespace)
	}

	withDefaults(s)
	defaulted := mustJSON(t, s)
	withDefaults(s)
	if diff := cmp.Diff(string(defaulted), string(mustJSON(t, s))); diff != "" {
		t.Errorf("withDefaults(...): not idempotent: -first, +second:\n%s", diff)
	}

	errs := validate(m, s)
	if diff := cmp.Diff(string(defaulted), string(mustJSON(t, s))); diff != "" {
		t.Errorf("validate(...): changed the spec: -before, +after:\n%s", diff)
	}
	if diff := cmp.Diff(errorMessages(errs), errorMessages(validate(m, s))); diff != "" {
		t.Errorf("validate(...): not deterministic: -first, +second:\n%s", diff)
	}
	for _, e := range errs {
		if e.Field != "spec" && !strings.HasPrefix(e.Field, "spec.") {
			t.Errorf("validate(...): error %q has no spec field path", e.Error())
		}
	}
	if len(errs) > 0 {
		return
	}

	// What the builders take for granted once validation passed.
	id := clusterIdentifier(m, s)
	if e := checkRDSIdentifier(id); len(e) > 0 {
		t.Errorf("clusterIdentifier(...): %q is invalid: %v", id, e)
	}
	if len(s.Instances) == 0 || len(s.Instances) > maxInstances {
		t.Errorf("validate(...): accepted %d instances", len(s.Instances))
	}
	suffixes := map[string]bool{}
	for i, in := range s.Instances {
		sfx := instanceSuffix(i, in)
		if suffixes[sfx] {
			t.Errorf("validate(...): accepted two instances named %q", sfx)
		}
		suffixes[sfx] = true
		iid := instanceIdentifier(id, sfx)
		if len(iid) > 63 || !reIdentifier.MatchString(iid) || strings.Contains(iid, "--") || strings.HasSuffix(iid, "-") {
			t.Errorf("instanceIdentifier(...): %q is not a valid DB instance identifier", iid)
		}
	}
	if len(s.Network.SubnetIDs) < 2 {
		t.Errorf("validate(...): accepted %d subnets", len(s.Network.SubnetIDs))
	}
	if !reRegion.MatchString(s.Region) {
		t.Errorf("validate(...): accepted region %q", s.Region)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(j)
}
