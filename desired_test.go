package main

import (
	"encoding"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/pbenc"
)

// These tests check pbenc on every object the function composes. Their
// oracle is function-sdk-go itself: its own conversion of a composed
// resource, composed.From then resource.AsStruct, which is what
// response.SetDesiredComposedResources does to each resource. Nothing of
// pbenc's (its JSON parser, its metadata clean-up) is on the oracle's side,
// so the encoder and the oracle cannot drift from the SDK together. pbenc's
// own tests compare it with the SDK on values of every shape.

// sdkConvert is o converted by the SDK: composed.From, then
// resource.AsStruct. composed.From sets a typed o's apiVersion and kind.
func sdkConvert(o runtime.Object) (*structpb.Struct, error) {
	u, err := composed.From(o)
	if err != nil {
		return nil, err
	}
	return resource.AsStruct(u)
}

// sdkStruct is sdkConvert of a copy of o, leaving o as it is.
func sdkStruct(o runtime.Object) (*structpb.Struct, error) {
	return sdkConvert(o.DeepCopyObject())
}

// unsetStatus is the status the SDK sends for an object of o's type whose
// status nobody set: {observedGeneration: 0} for a managed resource
// (crossplane-runtime's ObservedStatus.ObservedGeneration is an int64 with
// omitempty, which go-json-experiment does not apply to integers), nothing
// for a Secret, a Usage or an unstructured object.
func unsetStatus(o runtime.Object) (*structpb.Value, error) {
	if _, ok := o.(interface{ UnstructuredContent() map[string]any }); ok {
		return nil, nil
	}
	s, err := sdkConvert(reflect.New(reflect.TypeOf(o).Elem()).Interface().(runtime.Object))
	if err != nil {
		return nil, err
	}
	return s.GetFields()["status"], nil
}

// diffFromSDK reports how got, desiredStruct's Struct of the composed object
// o, differs from want, the SDK's Struct of o; "" when it does not.
//
// One difference is allowed, and checked to be only that: desiredStruct
// leaves out a status nobody set, where the SDK sends the unsetStatus of the
// kind ({observedGeneration: 0}). The function never sets a composed
// resource's status: it is the provider's to write. Crossplane applies a
// desired composed resource with server-side apply to the main resource
// endpoint, and every composed kind that has a status (the provider's
// managed resources and protection.crossplane.io's Usage) has the status
// subresource in its CRD, so the API server resets any status in that
// request and records no field owner for it: sending it changes nothing but
// the size of the response. A status with anything else in it, or on an
// object whose unset status is none (a Secret, a Usage, a resource kept as
// observed), is a difference.
func diffFromSDK(o runtime.Object, got, want *structpb.Struct) string {
	if st, ok := want.GetFields()["status"]; ok {
		unset, err := unsetStatus(o)
		if err != nil {
			return err.Error()
		}
		if unset == nil || !proto.Equal(st, unset) {
			return fmt.Sprintf("the SDK sends status %v, which desiredStruct leaves out; only a status nobody set (%v) may be left out", st.AsInterface(), unset.AsInterface())
		}
		want = proto.Clone(want).(*structpb.Struct)
		delete(want.Fields, "status")
	}
	return sameStruct(got, want)
}

// sameStruct reports how got and want differ, if they do: as protobuf
// messages and as their deterministic wire encoding, which tells -0 from 0.
// pbenc's tests have the same helper: test code is not shared across
// packages.
func sameStruct(got, want *structpb.Struct) string {
	if !proto.Equal(got, want) {
		return cmp.Diff(want.AsMap(), got.AsMap())
	}
	opts := proto.MarshalOptions{Deterministic: true}
	g, err := opts.Marshal(got)
	if err != nil {
		return err.Error()
	}
	w, err := opts.Marshal(want)
	if err != nil {
		return err.Error()
	}
	if string(g) != string(w) {
		return "wire encodings differ"
	}
	return ""
}

// composedObjects composes the typed objects RunFunction composes for req,
// through RunFunction's own compose (fn.go), with the tests' known
// bootstrap password. It returns nil for a request compose fails, which
// RunFunction answers with a Fatal result.
func composedObjects(t testing.TB, req *fnv1.RunFunctionRequest) *desired {
	t.Helper()
	c, failed := newTestFunction().compose(req, &fnv1.RunFunctionResponse{})
	if failed != nil {
		return nil
	}
	return c.desired
}

// checkDesiredMatchesSDK checks RunFunction's response rsp to req against
// the SDK: the composed objects RunFunction composed (composedObjects), put
// into a response by the SDK's response.SetDesiredComposedResources with the
// readiness RunFunction gave them, must be what rsp holds, resource for
// resource and value for value (diffFromSDK). It returns the Go types
// compared.
func checkDesiredMatchesSDK(t testing.TB, req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse) []string {
	t.Helper()
	d := composedObjects(t, req)
	if d == nil {
		if !hasFatal(rsp) {
			t.Fatal("composedObjects gave up where RunFunction did not")
		}
		return nil
	}
	if hasFatal(rsp) {
		t.Fatalf("RunFunction gave a Fatal result (%v) where composedObjects composed", rsp.GetResults())
	}
	got := rsp.GetDesired().GetResources()
	dcds := make(map[resource.Name]*resource.DesiredComposed, len(d.order))
	types := make([]string, 0, len(d.order))
	for _, n := range d.order {
		u, err := composed.From(d.objects[n].DeepCopyObject())
		if err != nil {
			t.Fatalf("%s: composed.From: %v", n, err)
		}
		ready := resource.ReadyUnspecified
		switch got[string(n)].GetReady() {
		case fnv1.Ready_READY_TRUE:
			ready = resource.ReadyTrue
		case fnv1.Ready_READY_FALSE:
			ready = resource.ReadyFalse
		}
		dcds[n] = &resource.DesiredComposed{Resource: u, Ready: ready}
		types = append(types, reflect.TypeOf(d.objects[n]).String())
	}
	sdk := &fnv1.RunFunctionResponse{}
	if err := response.SetDesiredComposedResources(sdk, dcds); err != nil {
		t.Fatalf("response.SetDesiredComposedResources: %v", err)
	}
	want := sdk.GetDesired().GetResources()
	for n, w := range want {
		g, ok := got[n]
		if !ok {
			t.Errorf("%s: the SDK's response has it, RunFunction's does not", n)
			continue
		}
		if g.GetReady() != w.GetReady() {
			t.Errorf("%s: ready %v, the SDK's %v", n, g.GetReady(), w.GetReady())
		}
		if diff := diffFromSDK(d.objects[resource.Name(n)], g.GetResource(), w.GetResource()); diff != "" {
			t.Errorf("%s (%T): RunFunction's desired resource differs from the SDK's: -SDK, +RunFunction:\n%s", n, d.objects[resource.Name(n)], diff)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("%s: RunFunction's response has it, the SDK's does not", n)
		}
	}
	return types
}

// TestDesiredMatchesSDK plays every example and test XR to its steady state
// and checks every response on the way against the SDK's conversion of the
// objects composed (checkDesiredMatchesSDK): every typed object and every
// resource kept as observed.
func TestDesiredMatchesSDK(t *testing.T) {
	noAccount := exampleInput()
	delete(noAccount, testEnvironment)
	xrs := exampleXRFiles(t)
	type call struct {
		name  string
		xr    string
		input map[string]any
	}
	var calls []call
	for _, xr := range xrs {
		calls = append(calls,
			call{name: xr + "/ExampleInput", xr: xr, input: exampleInput()},
			call{name: xr + "/NoAccountID", xr: xr, input: noAccount}, // some resources wait
		)
	}
	kinds := map[string]bool{}
	for _, c := range calls {
		xr := readObject(t, c.xr)
		pv := forXR(xr, testAccount)
		observed := map[string]*fnv1.Resource{}
		for i := range 12 {
			req := newRequest(xr, c.input, observed)
			rsp := run(t, req)
			t.Run(fmt.Sprintf("%s/%d", c.name, i), func(t *testing.T) {
				for _, k := range checkDesiredMatchesSDK(t, req, rsp) {
					kinds[k] = true
				}
			})
			if hasFatal(rsp) {
				break
			}
			xr = withStatus(xr, rsp.GetDesired().GetComposite().GetResource())
			observed = pv.observeAll(rsp.GetDesired().GetResources())
		}
	}
	// Resources kept as observed (keepObserved): while the values their
	// builders need are unknown, and a used resource that waits for its
	// Usage to go.
	observed, steady := steadyState(t, "example/xr.yaml")
	unknown := maps.Clone(observed)
	for _, n := range []string{"master-secret", "rotator-security-group"} {
		setObserved(unknown, n, map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": "False", "reason": "Unavailable"},
		}})
	}
	for name, req := range map[string]*fnv1.RunFunctionRequest{
		"UnknownInputs":    newRequest(withoutStatus(steady), exampleInput(), unknown),
		"LogExportRemoved": newRequest(setSpec(steady, "logging.exports", []any{}), exampleInput(), observed),
	} {
		rsp := run(t, req)
		t.Run(name, func(t *testing.T) {
			for _, k := range checkDesiredMatchesSDK(t, req, rsp) {
				kinds[k] = true
			}
		})
	}
	// Every kind the function composes, typed, was compared, and so was an
	// object kept as observed.
	for _, objs := range composedKinds {
		for _, o := range objs {
			if k := reflect.TypeOf(o).String(); !kinds[k] {
				t.Errorf("no %s was composed: the comparison does not cover it", k)
			}
		}
	}
	if k := reflect.TypeFor[*unstructured.Unstructured]().String(); !kinds[k] {
		t.Errorf("no resource was kept as observed (%s): the comparison does not cover it", k)
	}
}

// TestDesiredStructConcurrent converts every composed kind from many
// goroutines at once, for the race detector. Run alone, it also builds the
// encoder's plans concurrently (pbenc's TestTypedStructConcurrent does so
// from an empty cache).
func TestDesiredStructConcurrent(t *testing.T) {
	var objs []runtime.Object
	for _, os := range composedKinds {
		objs = append(objs, os...)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(objs))
	for range 8 {
		for _, o := range objs {
			wg.Go(func() {
				c := o.DeepCopyObject()
				got, err := desiredStruct(c)
				if err != nil {
					errs <- err
					return
				}
				want, err := sdkStruct(o)
				if err != nil {
					errs <- err
					return
				}
				if diff := diffFromSDK(o, got, want); diff != "" {
					errs <- errors.Errorf("%T: %s", o, diff)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	var msgs []string
	for err := range errs {
		msgs = append(msgs, err.Error())
	}
	sort.Strings(msgs)
	if len(msgs) > 0 {
		t.Errorf("desiredStruct(...) differs from the SDK:\n%v", msgs)
	}
}

// BenchmarkDesiredStruct converts the typed objects of the main example's
// first reconcile with the SDK (the reference) and with the encoder.
func BenchmarkDesiredStruct(b *testing.B) {
	d := composedObjects(b, benchScenarios(b)[0].req)
	for name, convert := range map[string]func(runtime.Object) (*structpb.Struct, error){
		"SDK":     sdkConvert,
		"Encoder": desiredStruct,
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, n := range d.order {
					if _, err := convert(d.objects[n]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// FuzzTypedStruct fills every kind the function composes with random values,
// the fields the function never sets included, and compares the encoder with
// the SDK.
func FuzzTypedStruct(f *testing.F) {
	for seed := range uint64(16) {
		f.Add(seed)
	}
	var kinds []runtime.Object
	for _, objs := range composedKinds {
		kinds = append(kinds, objs...)
	}
	sort.Slice(kinds, func(i, j int) bool {
		return reflect.TypeOf(kinds[i]).String() < reflect.TypeOf(kinds[j]).String()
	})
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed))
		for _, k := range kinds {
			o := k.DeepCopyObject()
			randomFill(r, reflect.ValueOf(o).Elem(), 0)
			want, wantErr := sdkStruct(o)
			got, gotErr := desiredStruct(o)
			if (gotErr != nil) != (wantErr != nil) {
				t.Fatalf("%T: desiredStruct(...): error %v, SDK: error %v", o, gotErr, wantErr)
			}
			if wantErr != nil {
				continue
			}
			// desiredStruct leaves out the status, which is random here: the
			// whole object, status included, is compared below.
			noStatus := proto.Clone(want).(*structpb.Struct)
			delete(noStatus.Fields, "status")
			if diff := sameStruct(got, noStatus); diff != "" {
				t.Errorf("%T: desiredStruct(...): -SDK, +encoder:\n%s", o, diff)
			}
			// The whole object, nothing left out.
			full, err := pbenc.ComposedStruct(o, "")
			if err != nil {
				t.Fatalf("%T: pbenc.ComposedStruct(...): %v, where the SDK succeeded", o, err)
			}
			if diff := sameStruct(full, want); diff != "" {
				t.Errorf("%T: pbenc.ComposedStruct(...) with the status: -SDK, +encoder:\n%s", o, diff)
			}
		}
	})
}

// randomFill sets v, and what it contains, to random values: often nil,
// empty or zero, which is where omitempty matters.
func randomFill(r *rand.Rand, v reflect.Value, depth int) {
	if v.Type() == reflect.TypeFor[metav1.Time]() {
		if r.IntN(2) == 0 {
			v.Set(reflect.ValueOf(metav1.NewTime(time.Unix(r.Int64N(1<<32), 0))))
		}
		return
	}
	if v.Kind() == reflect.Struct && marshalsItself(v.Type()) {
		return // their exported fields do not say how they encode: left zero
	}
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 6 || r.IntN(3) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		randomFill(r, v.Elem(), depth+1)
	case reflect.String:
		v.SetString([]string{"", "", "x", "quote \" <é>", "0"}[r.IntN(5)])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt([]int64{0, 0, 1, -1, 100}[r.IntN(5)])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint([]uint64{0, 0, 1, 100}[r.IntN(4)])
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 0, math.Copysign(0, -1), 0.1, 1e-7, 1e21, 3}[r.IntN(7)])
	case reflect.Slice:
		if depth > 6 || r.IntN(4) == 0 {
			return // nil
		}
		n := r.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			randomFill(r, v.Index(i), depth+1)
		}
	case reflect.Map:
		if depth > 6 || r.IntN(4) == 0 || v.Type().Key().Kind() != reflect.String {
			return // nil
		}
		v.Set(reflect.MakeMap(v.Type()))
		for i := range r.IntN(3) {
			e := reflect.New(v.Type().Elem()).Elem()
			randomFill(r, e, depth+1)
			v.SetMapIndex(reflect.ValueOf(strconv.Itoa(i)).Convert(v.Type().Key()), e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				randomFill(r, v.Field(i), depth+1)
			}
		}
	default:
		// Interfaces and arrays stay zero.
	}
}

// marshalsItself reports whether go-json-experiment encodes t, or *t, with
// its own method.
func marshalsItself(t reflect.Type) bool {
	for _, i := range []reflect.Type{
		reflect.TypeFor[json.MarshalerV1](),
		reflect.TypeFor[json.MarshalerV2](),
		reflect.TypeFor[encoding.TextMarshaler](),
	} {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}
