package main

// Benchmarks of RunFunction for the main example (example/xr.yaml), and the
// saved RunFunctionRequests that cmd/loadtest sends to the running function.
//
//	go test -run '^$' -bench . -benchmem                 # in process
//	go test -run TestBenchRequests -update-bench          # rewrite testdata/bench (so does -update)
//	hack/loadtest.sh                                      # over gRPC, against an echo reference
//
// Each benchmark has the sub-benchmarks FirstReconcile (the XR only) and
// SteadyState (every composed resource observed, Ready, with the provider's
// status.atProvider):
//
//   - BenchmarkRunFunction: the function's RunFunction.
//   - BenchmarkDecodeOnly: the fixed part every function pays, decoding
//     the request's observed state into the SDK's types
//     (request.GetObservedCompositeResource + GetObservedComposedResources).
//   - BenchmarkEcho: an empty function, what cmd/loadtest's echo server
//     does: decode the observed state as above and return the same desired
//     state as the function (prebuilt), encoded by the SDK.
//   - BenchmarkWire: the gRPC server's share, the same for every function:
//     the request decoded from protobuf, the response encoded.
//
// RunFunction/Echo is the in-process counterpart of the load test's ratio;
// (Wire + RunFunction)/(Wire + Echo) approximates it over gRPC. Besides
// ns/op, B/op and allocs/op each reports cpu-ns/op, the process's CPU time
// per operation (garbage collection included), which a busy machine
// disturbs less than ns/op.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
)

var updateBench = flag.Bool("update-bench", false, "rewrite the saved RunFunctionRequests and responses in testdata/bench (cmd/loadtest's fixtures)")

// benchDir holds the saved requests cmd/loadtest sends: <scenario>.request.binpb,
// and the function's response to each, <scenario>.response.binpb, whose
// desired state the load test's echo reference returns.
const benchDir = "testdata/bench"

// Identities and times of the simulated cluster, so fixtures are stable.
const (
	benchXRAPIVersion   = "aws.platform.example.org/v1alpha1"
	benchXRKind         = "XAuroraCluster"
	benchComposition    = "xauroraclusters.aws.platform.example.org"
	benchCreated        = "2026-11-20T09:14:03Z"
	benchBecameReady    = "2026-11-20T09:41:27Z"
	benchFinalizerMR    = "finalizer.managedresource.crossplane.io"
	benchFinalizerXR    = "composite.apiextensions.crossplane.io"
	benchFinalizerUsage = "usage.apiextensions.crossplane.io"
	benchLabelInUse     = "crossplane.io/in-use"
	benchLabelComposite = "crossplane.io/composite"
)

// benchScenario is one saved request.
type benchScenario struct {
	// name is the sub-benchmark's name; file is the stem of its files in
	// testdata/bench and the request's meta tag.
	name, file string
	// req is the realistic request; thin is the same state as converge
	// builds it, which the function must answer identically.
	req, thin *fnv1.RunFunctionRequest
}

// benchScenarios builds the main example's requests: its first reconcile and
// its steady state after converge, with observed state shaped like the
// provider's and Crossplane's.
func benchScenarios(tb testing.TB) []benchScenario {
	tb.Helper()
	xr := readObject(tb, "example/xr.yaml")
	input := exampleInput()
	_, observed, final := converge(tb, xr, input)

	first := newRequest(benchRealisticXR(xr, nil, 1), input, nil)
	steady := newRequest(benchRealisticXR(final, observed, 3), input, benchRealisticObserved(observed, xr))
	caps := []fnv1.Capability{
		fnv1.Capability_CAPABILITY_CAPABILITIES,
		fnv1.Capability_CAPABILITY_REQUIRED_RESOURCES,
		fnv1.Capability_CAPABILITY_CREDENTIALS,
		fnv1.Capability_CAPABILITY_CONDITIONS,
		fnv1.Capability_CAPABILITY_REQUIRED_SCHEMAS,
	}
	first.Meta = &fnv1.RequestMeta{Tag: "first-reconcile", Capabilities: caps}
	steady.Meta = &fnv1.RequestMeta{Tag: "steady-state", Capabilities: caps}
	return []benchScenario{
		{name: "FirstReconcile", file: "first-reconcile", req: first, thin: newRequest(xr, input, nil)},
		{name: "SteadyState", file: "steady-state", req: steady, thin: newRequest(final, input, observed)},
	}
}

// benchFunction is the function as main.go runs it: the production logger
// (info level) and the real password generator.
func benchFunction(tb testing.TB) *Function {
	tb.Helper()
	log, err := function.NewLogger(false)
	if err != nil {
		tb.Fatal(err)
	}
	return &Function{log: log, ttl: defaultTTLs}
}

func BenchmarkRunFunction(b *testing.B) {
	f := benchFunction(b)
	for _, sc := range benchScenarios(b) {
		b.Run(sc.name, func(b *testing.B) {
			b.SetBytes(int64(proto.Size(sc.req)))
			b.ReportAllocs()
			cpu := benchCPUTime()
			for b.Loop() {
				rsp, err := f.RunFunction(context.Background(), sc.req)
				if err != nil || hasFatal(rsp) {
					b.Fatalf("RunFunction: %v %v", err, rsp.GetResults())
				}
			}
			benchReportCPU(b, cpu)
		})
	}
}

func BenchmarkDecodeOnly(b *testing.B) {
	for _, sc := range benchScenarios(b) {
		b.Run(sc.name, func(b *testing.B) {
			b.SetBytes(int64(proto.Size(sc.req)))
			b.ReportAllocs()
			cpu := benchCPUTime()
			for b.Loop() {
				if _, err := request.GetObservedCompositeResource(sc.req); err != nil {
					b.Fatal(err)
				}
				if _, err := request.GetObservedComposedResources(sc.req); err != nil {
					b.Fatal(err)
				}
			}
			benchReportCPU(b, cpu)
		})
	}
}

func BenchmarkEcho(b *testing.B) {
	f := benchFunction(b)
	for _, sc := range benchScenarios(b) {
		rsp, err := f.RunFunction(context.Background(), sc.req)
		if err != nil {
			b.Fatal(err)
		}
		dxr, dcds := benchCannedDesired(b, rsp)
		b.Run(sc.name, func(b *testing.B) {
			b.SetBytes(int64(proto.Size(sc.req)))
			b.ReportAllocs()
			cpu := benchCPUTime()
			for b.Loop() {
				if _, err := benchEcho(sc.req, dxr, dcds); err != nil {
					b.Fatal(err)
				}
			}
			benchReportCPU(b, cpu)
		})
	}
}

// BenchmarkWire is what the gRPC server does around RunFunction, for every
// function alike: decode the request from protobuf (for the steady state
// the largest cost of a call: a Struct value is an allocation or two) and
// encode the response.
func BenchmarkWire(b *testing.B) {
	f := benchFunction(b)
	for _, sc := range benchScenarios(b) {
		wire, err := proto.Marshal(sc.req)
		if err != nil {
			b.Fatal(err)
		}
		rsp, err := f.RunFunction(context.Background(), sc.req)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(sc.name+"/UnmarshalRequest", func(b *testing.B) {
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			cpu := benchCPUTime()
			for b.Loop() {
				if err := proto.Unmarshal(wire, &fnv1.RunFunctionRequest{}); err != nil {
					b.Fatal(err)
				}
			}
			benchReportCPU(b, cpu)
		})
		b.Run(sc.name+"/MarshalResponse", func(b *testing.B) {
			b.SetBytes(int64(proto.Size(rsp)))
			b.ReportAllocs()
			cpu := benchCPUTime()
			for b.Loop() {
				if _, err := proto.Marshal(rsp); err != nil {
					b.Fatal(err)
				}
			}
			benchReportCPU(b, cpu)
		})
	}
}

// benchEcho is an empty function: it decodes the observed state like every
// function and returns a prebuilt desired state (cmd/loadtest's echo server
// does the same).
func benchEcho(req *fnv1.RunFunctionRequest, dxr *resource.Composite, dcds map[resource.Name]*resource.DesiredComposed) (*fnv1.RunFunctionResponse, error) {
	if _, err := request.GetObservedCompositeResource(req); err != nil {
		return nil, err
	}
	if _, err := request.GetObservedComposedResources(req); err != nil {
		return nil, err
	}
	rsp := response.To(req, response.DefaultTTL)
	if err := response.SetDesiredCompositeResource(rsp, dxr); err != nil {
		return nil, err
	}
	if err := response.SetDesiredComposedResources(rsp, dcds); err != nil {
		return nil, err
	}
	response.ConditionTrue(rsp, conditionAvailable, "Available").TargetCompositeAndClaim()
	return rsp, nil
}

// cannedDesired decodes a response's desired state into the SDK's types.
func benchCannedDesired(tb testing.TB, rsp *fnv1.RunFunctionResponse) (*resource.Composite, map[resource.Name]*resource.DesiredComposed) {
	tb.Helper()
	in := &fnv1.RunFunctionRequest{Desired: rsp.GetDesired()}
	dxr, err := request.GetDesiredCompositeResource(in)
	if err != nil {
		tb.Fatal(err)
	}
	dcds, err := request.GetDesiredComposedResources(in)
	if err != nil {
		tb.Fatal(err)
	}
	for n, r := range rsp.GetDesired().GetResources() {
		switch r.GetReady() {
		case fnv1.Ready_READY_TRUE:
			dcds[resource.Name(n)].Ready = resource.ReadyTrue
		case fnv1.Ready_READY_FALSE:
			dcds[resource.Name(n)].Ready = resource.ReadyFalse
		}
	}
	return dxr, dcds
}

// TestBenchRequests checks that the realistic requests are answered exactly
// as converge's thinner ones (the extra metadata, references and atProvider
// change nothing the function decides), and that testdata/bench holds them:
// go test -run TestBenchRequests -update-bench rewrites it.
func TestBenchRequests(t *testing.T) {
	for _, sc := range benchScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			got, want := run(t, sc.req), run(t, sc.thin)
			if hasFatal(got) {
				t.Fatalf("fatal result: %v", got.GetResults())
			}
			for what, pair := range map[string][2]proto.Message{
				"desired":    {want.GetDesired(), got.GetDesired()},
				"results":    {&fnv1.RunFunctionResponse{Results: want.GetResults()}, &fnv1.RunFunctionResponse{Results: got.GetResults()}},
				"conditions": {&fnv1.RunFunctionResponse{Conditions: want.GetConditions()}, &fnv1.RunFunctionResponse{Conditions: got.GetConditions()}},
			} {
				if !proto.Equal(pair[0], pair[1]) {
					t.Errorf("the realistic request changes the function's %s", what)
				}
			}
			observed := sc.req.GetObserved().GetResources()
			t.Logf("request %d bytes: XR %d bytes, %d observed composed resources of %d bytes on average; response %d bytes with %d desired resources",
				proto.Size(sc.req), proto.Size(sc.req.GetObserved().GetComposite()), len(observed), benchAvgSize(observed), proto.Size(got), len(got.GetDesired().GetResources()))

			files := map[string]proto.Message{
				sc.file + ".request.binpb":  sc.req,
				sc.file + ".response.binpb": got,
			}
			for name, m := range files {
				path := filepath.Join(benchDir, name)
				if *updateBench || *update {
					b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.MkdirAll(benchDir, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -run TestBenchRequests -update-bench)", err)
				}
				saved := m.ProtoReflect().New().Interface()
				if err := proto.Unmarshal(b, saved); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if !proto.Equal(saved, m) {
					t.Errorf("%s is out of date: run go test -run TestBenchRequests -update-bench", path)
				}
			}
		})
	}
}

// benchCPUTime is the CPU time this process has used, from /proc/self/stat
// (user + system, every thread, the garbage collector's included), or -1
// where there is no /proc. On a shared machine it is steadier than ns/op,
// which counts the time the benchmark waited for a CPU.
func benchCPUTime() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	// The command name, field 2, may hold spaces: count fields after it.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	const clockTicks = 100 // USER_HZ, 100 on every Linux architecture Go supports
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// benchReportCPU reports the CPU time per operation since start, as
// cpu-ns/op, when the run was long enough for /proc's 10 ms ticks.
func benchReportCPU(b *testing.B, start time.Duration) {
	end := benchCPUTime()
	if start < 0 || end < 0 || b.Elapsed() < 200*time.Millisecond {
		return
	}
	b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
}

func benchAvgSize(rs map[string]*fnv1.Resource) int {
	if len(rs) == 0 {
		return 0
	}
	total := 0
	for _, r := range rs {
		total += proto.Size(r)
	}
	return total / len(rs)
}

// realisticXR is the XR as Crossplane sends it: with the metadata the API
// server and Crossplane add, spec.crossplane (the composition and, at steady
// state, a reference to every composed resource) and, once composed, its
// conditions.
func benchRealisticXR(xr map[string]any, observed map[string]*fnv1.Resource, generation int) map[string]any {
	out := benchDeepCopy(xr).(map[string]any)
	meta := out["metadata"].(map[string]any)
	meta["generation"] = generation
	meta["resourceVersion"] = fmt.Sprint(48213900 + 37*generation)
	meta["creationTimestamp"] = benchCreated
	meta["finalizers"] = []any{benchFinalizerXR}
	meta["labels"] = map[string]any{benchLabelComposite: meta["name"]}
	meta["annotations"] = map[string]any{"argocd.argoproj.io/tracking-id": "payments:aws.platform.example.org/XAuroraCluster:team-payments/orders"}

	refs := []any{}
	names := make([]string, 0, len(observed))
	for n := range observed {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := observed[n].GetResource().AsMap()
		refs = append(refs, map[string]any{
			"apiVersion": o["apiVersion"],
			"kind":       o["kind"],
			"name":       o["metadata"].(map[string]any)["name"],
		})
	}
	spec := out["spec"].(map[string]any)
	spec["crossplane"] = map[string]any{
		"compositionRef":          map[string]any{"name": benchComposition},
		"compositionRevisionRef":  map[string]any{"name": benchComposition + "-5d8f9c2"},
		"compositionUpdatePolicy": "Automatic",
		"resourceRefs":            refs,
	}
	if len(observed) > 0 {
		st, _ := out["status"].(map[string]any)
		if st == nil {
			st = map[string]any{}
			out["status"] = st
		}
		st["conditions"] = []any{
			benchCondition("Synced", "True", "ReconcileSuccess", "", generation),
			benchCondition("Ready", "True", "Available", "", generation),
			benchCondition("Available", "True", "Available", `Aurora PostgreSQL cluster "team-payments-orders" is available`, generation),
		}
	}
	return out
}

// realisticObserved turns converge's observed resources, as the fake
// provider reports them (external names, atProvider, resolved references:
// sim_test.go's provider), into what the provider and the API server report
// beyond that: full metadata (uid, generation, resourceVersion, labels,
// annotations, owner reference, finalizer), the values AWS computes that
// the model leaves out, and upjet's conditions.
func benchRealisticObserved(observed map[string]*fnv1.Resource, xr map[string]any) map[string]*fnv1.Resource {
	xrMeta := xr["metadata"].(map[string]any)
	objs := map[string]map[string]any{}
	for n, r := range observed {
		objs[n] = r.GetResource().AsMap()
	}
	out := make(map[string]*fnv1.Resource, len(objs))
	for n, o := range objs {
		h := shortHash("bench/" + n)
		meta := o["metadata"].(map[string]any)
		meta["uid"] = uuidLike(h)
		meta["generation"] = 2
		meta["resourceVersion"] = fmt.Sprint(48200000 + int(h[0])*100 + int(h[1]))
		meta["creationTimestamp"] = benchCreated
		meta["generateName"] = fmt.Sprint(xrMeta["name"]) + "-"
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
			meta["labels"] = labels
		}
		labels[benchLabelComposite] = xrMeta["name"]
		meta["ownerReferences"] = []any{map[string]any{
			"apiVersion":         benchXRAPIVersion,
			"kind":               benchXRKind,
			"name":               xrMeta["name"],
			"uid":                xrMeta["uid"],
			"controller":         true,
			"blockOwnerDeletion": true,
		}}
		if o["apiVersion"] == "v1" {
			o["type"] = "Opaque"
			out[n] = &fnv1.Resource{Resource: mustStruct(o), ConnectionDetails: observed[n].GetConnectionDetails()}
			continue
		}
		if o["kind"] == "Usage" {
			// Crossplane's usage controller: its finalizer, the details
			// annotation, and the in-use label on the used resource.
			meta["finalizers"] = []any{benchFinalizerUsage}
			meta["annotations"].(map[string]any)["crossplane.io/usage-details"] = o["spec"].(map[string]any)["reason"]
			o["status"] = map[string]any{"conditions": []any{benchCondition("Ready", "True", "Available", "", 2)}}
			out[n] = &fnv1.Resource{Resource: mustStruct(o)}
			continue
		}
		if benchInUse(observed, n) {
			labels[benchLabelInUse] = "true"
		}
		meta["finalizers"] = []any{benchFinalizerMR}
		ann := meta["annotations"].(map[string]any)
		ann["crossplane.io/external-create-pending"] = benchCreated
		ann["crossplane.io/external-create-succeeded"] = benchCreated

		spec := o["spec"].(map[string]any)
		if _, ok := spec["managementPolicies"]; !ok {
			spec["managementPolicies"] = []any{"*"}
		}
		st := o["status"].(map[string]any)
		at := st["atProvider"].(map[string]any)
		if tags, ok := at["tags"]; ok {
			at["tagsAll"] = benchDeepCopy(tags)
		}
		for k, v := range benchComputed(fmt.Sprint(o["kind"]), h, at) {
			if _, ok := at[k]; !ok {
				at[k] = v
			}
		}
		st["atProvider"] = at
		st["conditions"] = []any{
			benchCondition("Ready", "True", "Available", "", 2),
			benchCondition("Synced", "True", "ReconcileSuccess", "", 2),
			benchCondition("LastAsyncOperation", "True", "Success", "", 2),
		}
		out[n] = &fnv1.Resource{Resource: mustStruct(o), ConnectionDetails: observed[n].GetConnectionDetails()}
	}
	return out
}

// benchInUse reports whether a Usage protects the named resource.
func benchInUse(observed map[string]*fnv1.Resource, name string) bool {
	obs := observedFrom(&fnv1.RunFunctionRequest{Observed: &fnv1.State{Resources: observed}})
	for n := range observed {
		if isUsage(resource.Name(n)) && string(obs.usageOf(resource.Name(n))) == name {
			return true
		}
	}
	return false
}

// computed are the values AWS computes that the provider reports in
// atProvider, beyond the mirrored parameters.
func benchComputed(kind, h string, at map[string]any) map[string]any {
	region, _ := at["region"].(string)
	switch kind {
	case "Cluster":
		return map[string]any{
			"availabilityZones":                []any{region + "a", region + "b", region + "c"},
			"clusterMembers":                   []any{"team-payments-orders-writer", "team-payments-orders-reader1"},
			"hostedZoneId":                     "Z2R2ITUGPM61AM",
			"caCertificateIdentifier":          "rds-ca-rsa2048-g1",
			"caCertificateValidTill":           "2027-11-20T09:20:00Z",
			"engineLifecycleSupport":           "open-source-rds-extended-support",
			"networkType":                      "IPV4",
			"storageType":                      "aurora",
			"allocatedStorage":                 1,
			"iops":                             0,
			"backtrackWindow":                  0,
			"iamDatabaseAuthenticationEnabled": false,
			"iamRoles":                         []any{},
			"performanceInsightsEnabled":       false,
			"monitoringInterval":               0,
			"dbSystemId":                       "",
			"clusterScalabilityType":           "standard",
			"databaseInsightsMode":             "standard",
		}
	case "ClusterInstance":
		return map[string]any{
			"address":                            at["endpoint"],
			"availabilityZone":                   region + string("abc"[int(h[0])%3]),
			"caCertIdentifier":                   "rds-ca-rsa2048-g1",
			"engineVersionActual":                "16.6",
			"kmsKeyId":                           "arn:aws:kms:" + region + ":111122223333:key/" + uuidLike(shortHash("orders/kms-key")),
			"networkType":                        "IPV4",
			"performanceInsightsEnabled":         true,
			"performanceInsightsRetentionPeriod": 7,
			"port":                               5432,
			"storageEncrypted":                   true,
			"monitoringInterval":                 0,
			"preferredBackupWindow":              "03:00-04:00",
			"preferredMaintenanceWindow":         "sun:05:00-sun:06:00",
			"autoMinorVersionUpgrade":            true,
			"copyTagsToSnapshot":                 false,
		}
	case "Key":
		return map[string]any{
			"keyUsage":                       "ENCRYPT_DECRYPT",
			"customerMasterKeySpec":          "SYMMETRIC_DEFAULT",
			"isEnabled":                      true,
			"multiRegion":                    false,
			"rotationPeriodInDays":           365,
			"bypassPolicyLockoutSafetyCheck": false,
		}
	case "SecurityGroup":
		return map[string]any{
			"ownerId": "111122223333",
			"egress": []any{map[string]any{
				"cidrBlocks": []any{"0.0.0.0/0"}, "description": "", "fromPort": 0, "toPort": 0, "protocol": "-1",
				"ipv6CidrBlocks": []any{}, "prefixListIds": []any{}, "securityGroups": []any{}, "self": false,
			}},
			"ingress":             []any{},
			"revokeRulesOnDelete": false,
		}
	case "SecurityGroupIngressRule", "SecurityGroupEgressRule":
		return map[string]any{"securityGroupRuleId": "sgr-" + h[:17]}
	case "VPCEndpoint":
		return map[string]any{
			"ownerId":             "111122223333",
			"state":               "available",
			"requesterManaged":    false,
			"ipAddressType":       "ipv4",
			"cidrBlocks":          []any{},
			"routeTableIds":       []any{},
			"networkInterfaceIds": []any{"eni-" + h[:17], "eni-" + h[17:34]},
			"dnsOptions":          map[string]any{"dnsRecordIpType": "ipv4", "privateDnsOnlyForInboundResolverEndpoint": false},
		}
	case "Group":
		return map[string]any{"logGroupClass": "STANDARD", "skipDestroy": false}
	case "Secret":
		return map[string]any{"replica": []any{}}
	}
	return nil
}

func benchCondition(typ, status, reason, message string, generation int) map[string]any {
	c := map[string]any{
		"type":               typ,
		"status":             status,
		"reason":             reason,
		"lastTransitionTime": benchBecameReady,
		"observedGeneration": generation,
	}
	if message != "" {
		c["message"] = message
	}
	return c
}

func benchDeepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = benchDeepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = benchDeepCopy(e)
		}
		return out
	default:
		return v
	}
}
