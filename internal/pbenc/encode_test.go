package pbenc

import (
	"math"
	"reflect"
	"sort"
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
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// The encoder's oracle is function-sdk-go itself: its own conversion of a
// composed resource, composed.From then resource.AsStruct, which is what
// response.SetDesiredComposedResources does to each resource. Nothing of the
// package's own (JSON parser, metadata clean-up) is on the oracle's side, so
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
		composed.Scheme.AddKnownTypeWithName(schema.GroupVersionKind{Group: "pbenc.test.fn.crossplane.io", Version: "v1", Kind: "SDKValue"}, &sdkValue{})
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

// TestTypedStructConcurrent encodes new types from many goroutines at once,
// for the race detector: plans are built and cached concurrently.
func TestTypedStructConcurrent(t *testing.T) {
	// Start from no plans, so they are built concurrently too.
	encPlans.Clear()
	vals := []any{
		&encUnusual{},
		&encUnusual{EncEmbeddedPtr: &EncEmbeddedPtr{EP: "ep"}, Marshals: &encMarshals{}, Recursive: &encRecursive{Next: &encRecursive{}}},
		&corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{ContainerPort: 5432}}}}}},
		&corev1.Secret{Data: map[string][]byte{"a": []byte("b")}},
		&corev1.Service{},
		&corev1.PersistentVolume{},
		&encIntKeys{M: map[int]string{1: "a"}},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(vals))
	for range 8 {
		for _, v := range vals {
			wg.Go(func() {
				want, err := sdkValueStruct(v)
				if err != nil {
					errs <- errors.Wrapf(err, "%T: SDK", v)
					return
				}
				got, err := typedStruct(v, "")
				if err != nil {
					errs <- errors.Wrapf(err, "%T", v)
					return
				}
				if diff := sameStruct(got, want); diff != "" {
					errs <- errors.Errorf("%T: -SDK, +encoder:\n%s", v, diff)
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
		t.Errorf("typedStruct(...) differs from the SDK:\n%v", msgs)
	}
}

// encUnregistered is a runtime.Object of no kind in composed.Scheme.
type encUnregistered struct {
	metav1.TypeMeta `json:",inline"`
}

func (o *encUnregistered) DeepCopyObject() runtime.Object {
	c := *o
	return &c
}

var registerCoreV1 sync.Once

func TestComposedStruct(t *testing.T) {
	registerCoreV1.Do(func() {
		if err := corev1.AddToScheme(composed.Scheme); err != nil {
			t.Fatal(err)
		}
	})
	cases := map[string]struct {
		reason  string
		o       runtime.Object
		omit    string
		wantErr bool
	}{
		"Typed": {
			reason: "A typed object gets its apiVersion and kind from composed.Scheme, and generation is dropped from metadata.",
			o: &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "n", Generation: 3, Labels: map[string]string{"a": "b"}},
				StringData: map[string]string{"k": "v"},
			},
		},
		"OnlyGeneration": {
			reason: "Metadata with only a generation is dropped whole, as composed.From drops metadata: {}.",
			o:      &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Generation: 3}, Type: corev1.SecretTypeOpaque},
		},
		"TypedOmit": {
			reason: "The member omit is left out of a typed object.",
			o:      &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}},
			omit:   "status",
		},
		"Unstructured": {
			reason: "An unstructured object is converted as it is, but for the member omit.",
			o: &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "example.org/v1",
				"kind":       "Thing",
				"metadata":   map[string]any{"name": "t", "generation": int64(2)},
				"spec":       map[string]any{"n": 1.5, "l": []any{"x", nil}},
				"status":     map[string]any{"ready": true},
			}},
			omit: "status",
		},
		"NotInScheme": {
			reason:  "A typed object of a kind composed.Scheme does not know is an error, as in composed.From.",
			o:       &encUnregistered{},
			wantErr: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want, wantErr := sdkStruct(tc.o)
			if wantErr == nil {
				delete(want.Fields, tc.omit)
			}
			got, err := ComposedStruct(tc.o.DeepCopyObject(), tc.omit)
			if (err != nil) != tc.wantErr || (wantErr != nil) != tc.wantErr {
				t.Fatalf("%s\nComposedStruct(...): error %v, SDK: error %v, want an error: %t", tc.reason, err, wantErr, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if diff := sameStruct(got, want); diff != "" {
				t.Errorf("%s\nComposedStruct(...): -SDK, +encoder:\n%s", tc.reason, diff)
			}
		})
	}
}
