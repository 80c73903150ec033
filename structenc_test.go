package main

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	corev1 "k8s.io/api/core/v1"
	k8sresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/function-aurora-postgres/function-aurora-postgres/input/v1beta1"
)

// The encoder's oracle is function-sdk-go itself: its own conversion of a
// composed resource, composed.From then resource.AsStruct, which is what
// response.SetDesiredComposedResources does to each resource. Nothing of the
// project's own (JSON parser, metadata clean-up) is on the oracle's side, so
// the encoder and the oracle cannot drift from the SDK together.

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

// sdkValue holds any value in an object the SDK converts: composed.From
// takes only a runtime.Object of a kind in composed.Scheme. Its member v is
// the value as the SDK converts it inside a composed resource.
type sdkValue struct {
	metav1.TypeMeta `json:",inline"`

	V any `json:"v"`
}

func (o *sdkValue) DeepCopyObject() runtime.Object {
	c := *o
	return &c
}

var registerSDKValue sync.Once

// sdkValueStruct is v, a pointer to a struct, as the SDK converts it: member
// v of composed.From plus resource.AsStruct of an sdkValue holding v.
// go-json-experiment encodes an interface as its dynamic value, so v is
// encoded exactly as it would be on its own.
func sdkValueStruct(v any) (*structpb.Struct, error) {
	registerSDKValue.Do(func() {
		composed.Scheme.AddKnownTypeWithName(schema.GroupVersionKind{Group: "structenc.test.fn.crossplane.io", Version: "v1", Kind: "SDKValue"}, &sdkValue{})
	})
	s, err := sdkStruct(&sdkValue{V: v})
	if err != nil {
		return nil, err
	}
	val := s.GetFields()["v"]
	if val.GetStructValue() == nil {
		return nil, errors.Errorf("the SDK converts %T to %v, not an object", v, val.AsInterface())
	}
	return val.GetStructValue(), nil
}

// sameStruct reports how got and want differ, if they do: as protobuf
// messages and as their deterministic wire encoding, which tells -0 from 0.
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

// composedObjects composes the typed objects RunFunction would for req, with
// RunFunction's steps up to compose. It returns nil for a request
// RunFunction answers with a Fatal result.
func composedObjects(t testing.TB, req *fnv1.RunFunctionRequest) *desired {
	t.Helper()
	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		t.Fatal(err)
	}
	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		t.Fatal(err)
	}
	m, spec, err := decodeXR(oxr)
	if err != nil {
		return nil
	}
	withDefaults(spec)
	if errs := validate(m, spec); len(errs) > 0 {
		return nil
	}
	o := observedFrom(req)
	prev := previousStatus(oxr)
	f := observe(m, spec, o, prev)
	account, errs := resolveAccount(accountSources(spec, in, environmentAccount(req)), f.observedAccount, f.observedAccountARN)
	if len(errs) > 0 {
		return nil
	}
	p := newPlan(m, spec, in, account, o)
	if m.Legacy && p.namespace == "" {
		return nil
	}
	if errs := append(p.checkChanges(o, f), p.checkCreation(o)...); len(errs) > 0 {
		return nil
	}
	supplied, ferr := p.suppliedPassword(req, &fnv1.RunFunctionResponse{}, o)
	if ferr != nil {
		return nil
	}
	if f.bootstrap, err = p.observeBootstrap(o, prev.Bootstrap, f.status, supplied, func() (string, error) { return testPassword, nil }); err != nil {
		t.Fatal(err)
	}
	if p.selfManaged() {
		f.status.Bootstrap = f.bootstrap.status()
	}
	return p.compose(o, f)
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
	xrs, err := filepath.Glob("testdata/xr/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	xrs = append(xrs, "example/xr.yaml", "example/legacy/xr.yaml")
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

// Types of unusual shapes for TestTypedStructUnusual.
type (
	encInner struct {
		S string `json:"s,omitempty"`
		N int    `json:"n,omitempty"`
	}
	encOnlyEmpty struct {
		S string            `json:"s,omitempty"`
		P *string           `json:"p,omitempty"`
		M map[string]string `json:"m,omitempty"`
		L []string          `json:"l,omitempty"`
	}
	EncEmbedded struct {
		E string `json:"e"`
		// Shadowed by encUnusual's own D.
		D string `json:"d"`
	}
	EncEmbeddedPtr struct {
		EP string `json:"ep,omitempty"`
	}
	EncUntagged struct {
		Plain  string
		Tagged string `json:"tagged"`
	}
	encRecursive struct {
		Name string        `json:"name"`
		Next *encRecursive `json:"next,omitempty"`
	}
	encMarshals struct {
		Time      metav1.Time           `json:"time"`
		TimeOE    metav1.Time           `json:"timeOE,omitempty"`
		TimePtr   *metav1.Time          `json:"timePtr,omitempty"`
		TimeZero  metav1.Time           `json:"timeZero,omitempty,omitzero"`
		Quantity  k8sresource.Quantity  `json:"quantity"`
		QPtr      *k8sresource.Quantity `json:"qPtr,omitempty"`
		IntOrStr  intstr.IntOrString    `json:"intOrStr"`
		Raw       runtime.RawExtension
		Duration  time.Duration              `json:"duration"`
		MDuration metav1.Duration            `json:"mDuration"`
		GoTime    time.Time                  `json:"goTime"`
		MapTimes  map[string]metav1.Time     `json:"mapTimes"`
		Any       any                        `json:"any"`
		AnyNil    any                        `json:"anyNil,omitempty"`
		AnyMap    map[string]any             `json:"anyMap"`
		Array     [2]int                     `json:"array"`
		ByteArray [2]byte                    `json:"byteArray"`
		Labels    *metav1.LabelSelector      `json:"labels,omitempty"`
		Secret    *corev1.SecretVolumeSource `json:"secret,omitempty"`
	}
	encUnusual struct {
		EncEmbedded
		*EncEmbeddedPtr
		EncUntagged `json:"untagged"`

		D            string                    `json:"d"`
		Empty        string                    `json:"empty"`
		EmptyOE      string                    `json:"emptyOE,omitempty"`
		Zero         int                       `json:"zero,omitempty"`
		ZeroU        uint8                     `json:"zeroU,omitempty"`
		False        bool                      `json:"false,omitempty"`
		ZeroF        float64                   `json:"zeroF,omitempty"`
		NegZero      float64                   `json:"negZero"`
		F32          float32                   `json:"f32"`
		Big          int64                     `json:"big"`
		BigU         uint64                    `json:"bigU"`
		Small        float64                   `json:"small"`
		NilSlice     []string                  `json:"nilSlice"`
		NilSliceOE   []string                  `json:"nilSliceOE,omitempty"`
		EmptySlice   []string                  `json:"emptySlice"`
		NilMap       map[string]string         `json:"nilMap"`
		NilMapOE     map[string]string         `json:"nilMapOE,omitempty"`
		EmptyMap     map[string]string         `json:"emptyMap"`
		PtrMap       map[string]*string        `json:"ptrMap"`
		PtrMapOE     map[string]*string        `json:"ptrMapOE,omitempty"`
		StructMap    map[string]encInner       `json:"structMap"`
		NilPtr       *string                   `json:"nilPtr"`
		PtrEmpty     *string                   `json:"ptrEmpty,omitempty"`
		PtrEmptyKept *string                   `json:"ptrEmptyKept"`
		PtrZero      *int                      `json:"ptrZero,omitempty"`
		PtrPtr       **string                  `json:"ptrPtr"`
		PtrPtrNil    **string                  `json:"ptrPtrNil,omitempty"`
		EmptyStruct  encOnlyEmpty              `json:"emptyStruct,omitempty"`
		EmptyKept    encOnlyEmpty              `json:"emptyKept"`
		PtrToEmpty   *encOnlyEmpty             `json:"ptrToEmpty,omitempty"`
		PtrToEmpty2  *encOnlyEmpty             `json:"ptrToEmpty2"`
		Nested       *encInner                 `json:"nested,omitempty"`
		Slice        []*encInner               `json:"slice"`
		SliceOfEmpty []encOnlyEmpty            `json:"sliceOfEmpty,omitempty"`
		Bytes        []byte                    `json:"bytes"`
		NilBytes     []byte                    `json:"nilBytes"`
		BytesOE      []byte                    `json:"bytesOE,omitempty"`
		Recursive    *encRecursive             `json:"recursive"`
		Escapes      string                    `json:"escapes"`
		NoTag        string                    // its Go name
		ZeroNoTag    int                       `json:",omitzero"`
		Ignored      string                    `json:"-"`
		unexported   string                    //nolint:unused // must not appear
		Nest         map[string]map[string]int `json:"nest"`
		Marshals     *encMarshals              `json:"marshals,omitempty"`
	}
)

// TestTypedStructUnusual compares the encoder with the SDK on values the
// composed resources do not have today.
func TestTypedStructUnusual(t *testing.T) {
	empty, s := "", "s"
	sp := &s
	cases := map[string]struct {
		reason string
		v      any
	}{
		"Zero": {
			reason: "Every field at its zero value: nil slices and maps, nil pointers, nil embedded pointer.",
			v:      &encUnusual{},
		},
		"Full": {
			reason: "Every field set, to empty and unusual values where it matters.",
			v: &encUnusual{
				EncEmbedded:    EncEmbedded{E: "e", D: "shadowed"},
				EncEmbeddedPtr: &EncEmbeddedPtr{},
				EncUntagged:    EncUntagged{Plain: "p", Tagged: "t"},
				D:              "d",
				NegZero:        math.Copysign(0, -1),
				F32:            0.1,
				Big:            math.MaxInt64,
				BigU:           math.MaxUint64,
				Small:          1e-7,
				EmptySlice:     []string{},
				NilSliceOE:     nil,
				EmptyMap:       map[string]string{},
				PtrMap:         map[string]*string{"nil": nil, "empty": &empty, "s": &s},
				PtrMapOE:       map[string]*string{"nil": nil},
				StructMap:      map[string]encInner{"zero": {}, "set": {S: "x", N: 0}},
				PtrEmpty:       &empty,
				PtrEmptyKept:   &empty,
				PtrZero:        new(int),
				PtrPtr:         &sp,
				PtrPtrNil:      new(*string),
				EmptyStruct:    encOnlyEmpty{P: &empty, M: map[string]string{}, L: []string{}},
				PtrToEmpty:     &encOnlyEmpty{},
				PtrToEmpty2:    &encOnlyEmpty{},
				Nested:         &encInner{},
				Slice:          []*encInner{nil, {}, {S: "s", N: -3}},
				SliceOfEmpty:   []encOnlyEmpty{{}},
				Bytes:          []byte("hello\x00\xff"),
				BytesOE:        []byte{},
				Recursive:      &encRecursive{Name: "a", Next: &encRecursive{Name: "b"}},
				Escapes:        "quote \" backslash \\ <html> & \u2028 nl \n tab \t é 世界 😀 \x01",
				NoTag:          "no tag",
				ZeroNoTag:      0,
				Ignored:        "ignored",
				unexported:     "unexported",
				Nest:           map[string]map[string]int{"a": {"b": 1}, "e": {}, "n": nil},
				Marshals: &encMarshals{
					Time:      metav1.NewTime(time.Date(2026, 11, 20, 9, 14, 3, 0, time.UTC)),
					TimePtr:   &metav1.Time{},
					Quantity:  k8sresource.MustParse("1500m"),
					QPtr:      ptr.To(k8sresource.MustParse("2Gi")),
					IntOrStr:  intstr.FromString("50%"),
					Raw:       runtime.RawExtension{Raw: []byte(`{"a": [1, {"b": null}], "c": {}}`)},
					Duration:  90 * time.Second,
					MDuration: metav1.Duration{Duration: time.Minute},
					GoTime:    time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)),
					MapTimes:  map[string]metav1.Time{"zero": {}, "set": metav1.NewTime(time.Unix(0, 0))},
					Any:       map[string]any{"n": 1.5, "l": []any{"x", nil, true}, "e": map[string]any{}},
					AnyMap:    map[string]any{"s": "v", "i": 3, "p": &encInner{S: "x"}},
					Array:     [2]int{1, 2},
					ByteArray: [2]byte{1, 2},
					Labels:    &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: metav1.LabelSelectorOpExists}}},
					Secret:    &corev1.SecretVolumeSource{DefaultMode: ptr.To[int32](0o644)},
				},
			},
		},
		"Fallback": {
			reason: "Values the encoder hands to go-json-experiment and parses back (valueFromJSON): escapes, numbers, nesting.",
			v: &encMarshals{Any: map[string]any{
				"escapes": "quote \" backslash \\ slash / <html> & \u2028 nl \n tab \t é 世界 😀 \x01 \x7f",
				"numbers": []any{0.0, math.Copysign(0, -1), 0.1, 1e21, 1e-7, -3, uint64(math.MaxUint64), int64(math.MinInt64), float32(0.1)},
				"nested":  map[string]any{"l": []any{[]any{}, map[string]any{}, nil, true, false, ""}, "": "empty key"},
			}},
		},
		"EmptyMarshals": {
			reason: "Marshalers that write null, \"\" or {} are left out under omitempty, as the SDK does.",
			v:      &encUnusual{Marshals: &encMarshals{}},
		},
		"Secret": {
			reason: "A core Secret with binary data, string data and immutable set.",
			v: &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: map[string]string{}, Generation: 3},
				Data:       map[string][]byte{"a": []byte("\x00\x01"), "nil": nil},
				StringData: map[string]string{"s": ""},
				Immutable:  ptr.To(false),
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := sdkValueStruct(tc.v)
			if err != nil {
				t.Fatalf("SDK: %v", err)
			}
			got, err := typedStruct(tc.v, "")
			if err != nil {
				t.Fatalf("%s\ntypedStruct(...): %v", tc.reason, err)
			}
			if diff := sameStruct(got, want); diff != "" {
				t.Errorf("%s\ntypedStruct(...): -SDK, +encoder:\n%s", tc.reason, diff)
			}
		})
	}
}

// Structs go-json-experiment refuses, or whose tags the encoder leaves to
// it: the encoder must fail where the SDK fails, and give its output
// otherwise.
type (
	encBadTag struct {
		A string `json:"a,omitEmpty"`
	}
	encStringOpt struct {
		N int `json:"n,string"`
	}
	encFormatOpt struct {
		D time.Duration `json:"d,format:nano"`
	}
	encQuotedName struct {
		A string `json:"'a,b'"`
	}
	encInlineMap struct {
		A     string            `json:"a"`
		Extra map[string]string `json:",inline"`
	}
	encNoExported struct {
		a int
	}
	encHasNoExported struct {
		N encNoExported `json:"n"`
	}
	encInlineOmit struct {
		EncEmbedded `json:",omitempty"`
	}
	encUnknownOpt struct {
		A string `json:"a,whatever"`
	}
	encChan struct {
		C chan int `json:"c"`
	}
	encNaN struct {
		F float64 `json:"f"`
	}
	encBadUTF8 struct {
		S string            `json:"s"`
		M map[string]string `json:"m"`
	}
	encIntKeys struct {
		M map[int]string `json:"m"`
	}
)

func TestTypedStructLikeJSONPath(t *testing.T) {
	cases := map[string]struct {
		reason string
		v      any
	}{
		"BadTag":          {reason: "A mistyped tag option is an error.", v: &encBadTag{A: "a"}},
		"StringOption":    {reason: "The string option quotes numbers.", v: &encStringOpt{N: 3}},
		"FormatOption":    {reason: "The format option changes a duration's encoding.", v: &encFormatOpt{D: time.Second}},
		"QuotedName":      {reason: "A single-quoted name may hold a comma.", v: &encQuotedName{A: "a"}},
		"InlineMap":       {reason: "An inlined map's entries are members.", v: &encInlineMap{A: "a", Extra: map[string]string{"b": "c"}}},
		"NoExported":      {reason: "A struct without exported fields or tags is an error.", v: &encHasNoExported{}},
		"InlineOmitEmpty": {reason: "An embedded struct with options but no name is an error.", v: &encInlineOmit{}},
		"UnknownOption":   {reason: "An unknown option is ignored.", v: &encUnknownOpt{A: "a"}},
		"Chan":            {reason: "A channel is an error.", v: &encChan{}},
		"NaN":             {reason: "NaN is an error.", v: &encNaN{F: math.NaN()}},
		"InvalidUTF8":     {reason: "Invalid UTF-8 is an error.", v: &encBadUTF8{S: "\xff"}},
		"InvalidUTF8Key":  {reason: "Invalid UTF-8 in a map key is an error.", v: &encBadUTF8{M: map[string]string{"\xff": ""}}},
		"IntKeys":         {reason: "Integer map keys are quoted.", v: &encIntKeys{M: map[int]string{1: "a", -2: "b"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			checkSameAsSDK(t, tc.reason, tc.v)
		})
	}
}

// checkSameAsSDK fails t unless the encoder and the SDK give the same
// Struct for v, or both fail. Only whether they fail is compared: the
// error's words depend on where go-json-experiment met the value.
func checkSameAsSDK(t *testing.T, reason string, v any) {
	t.Helper()
	want, wantErr := sdkValueStruct(v)
	got, gotErr := typedStruct(v, "")
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%s\ntypedStruct(...): error %v, SDK: error %v", reason, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if diff := sameStruct(got, want); diff != "" {
		t.Errorf("%s\ntypedStruct(...): -SDK, +encoder:\n%s", reason, diff)
	}
}

// TestTypedStructConcurrent encodes new types from many goroutines at once,
// for the race detector: plans are built and cached concurrently.
func TestTypedStructConcurrent(t *testing.T) {
	// Start from no plans, so they are built concurrently too.
	encPlans.Clear()
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

// Embedded structs whose members' names collide, put together with
// reflect.StructOf in TestTypedStructNameConflicts (go vet rejects such
// structs written out).
type (
	EncTaggedX struct {
		X string `json:"x"`
		A string `json:"a,omitempty"`
	}
	EncTaggedX2 struct {
		X string `json:"x"`
		B string `json:"b,omitempty"`
	}
	EncUntaggedX struct {
		X string
	}
	EncTaggedBigX struct {
		X string `json:"X"`
	}
)

func TestTypedStructNameConflicts(t *testing.T) {
	embed := func(typ reflect.Type) reflect.StructField {
		return reflect.StructField{Name: typ.Name(), Type: typ, Anonymous: true}
	}
	embedPtr := func(typ reflect.Type) reflect.StructField {
		return reflect.StructField{Name: typ.Name(), Type: reflect.PointerTo(typ), Anonymous: true}
	}
	field := func(name, tag string) reflect.StructField {
		return reflect.StructField{Name: name, Type: reflect.TypeFor[string](), Tag: reflect.StructTag(tag)}
	}
	tx, tx2 := reflect.TypeFor[EncTaggedX](), reflect.TypeFor[EncTaggedX2]()
	ux, tbx := reflect.TypeFor[EncUntaggedX](), reflect.TypeFor[EncTaggedBigX]()
	cases := map[string]struct {
		reason string
		fields []reflect.StructField
	}{
		"SameDepth": {
			reason: "Two tagged x at one depth: neither is encoded.",
			fields: []reflect.StructField{embed(tx), embed(tx2)},
		},
		"SameDepthPointer": {
			reason: "As SameDepth, one embedded through a pointer.",
			fields: []reflect.StructField{embedPtr(tx), embed(tx2)},
		},
		"Shallower": {
			reason: "The shallowest x wins.",
			fields: []reflect.StructField{embed(tx), embed(tx2), field("Y", `json:"x"`)},
		},
		"Tagged": {
			reason: "At one depth, the x named by its tag wins over a Go field name.",
			fields: []reflect.StructField{embed(ux), embed(tbx)},
		},
		"Duplicate": {
			reason: "Two x in one struct are an error.",
			fields: []reflect.StructField{field("Y", `json:"x"`), field("Z", `json:"x"`)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := reflect.New(reflect.StructOf(tc.fields))
			for i := range tc.fields {
				f := v.Elem().Field(i)
				switch f.Kind() {
				case reflect.String:
					f.SetString(tc.fields[i].Name)
				case reflect.Pointer:
					f.Set(reflect.New(f.Type().Elem()))
					f = f.Elem()
					fallthrough
				case reflect.Struct:
					for j := range f.NumField() {
						f.Field(j).SetString(f.Type().Name() + "." + f.Type().Field(j).Name)
					}
				}
			}
			checkSameAsSDK(t, tc.reason, v.Interface())
		})
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
			// The whole object: the encoder with desiredStruct's metadata
			// clean-up (composed.From's) and nothing left out.
			full, err := typedStruct(o, "")
			if err != nil {
				t.Fatalf("%T: typedStruct(...): %v, where the SDK succeeded", o, err)
			}
			trimMetadata(full)
			if diff := sameStruct(full, want); diff != "" {
				t.Errorf("%T: typedStruct(...) with the status: -SDK, +encoder:\n%s", o, diff)
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
	if v.Kind() == reflect.Struct && implementsAny(v.Type(), jsonMarshalerV1Type, jsonMarshalerV2Type, textMarshalerType) {
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
