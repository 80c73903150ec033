package pbenc

import (
	"encoding"
	"encoding/base64"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go/errors"
)

// The encoder builds a typed object's Struct by walking the Go value with
// reflection, instead of marshalling it to JSON with go-json-experiment and
// parsing the JSON back: the round trip was most of a first reconcile's CPU.
// Its output is what that round trip gives, value for value. Whatever it
// does not handle the same way by construction (a type with its own marshal
// method, time, arrays, interfaces, an unusual json tag, a struct
// go-json-experiment refuses) goes through the JSON path, for that value
// only, so both agree by construction there too.

// encKind is how a Go type is encoded.
type encKind uint8

const (
	// encJSON marshals the value with go-json-experiment and parses the JSON.
	encJSON encKind = iota
	encBool
	encInt
	encUint
	encFloat32
	encFloat64
	encString
	encBytes
	encPointer
	encSlice
	encMap
	encStruct
)

// encPlan is how one Go type is encoded, worked out once per type.
type encPlan struct {
	kind encKind
	// elem is the plan of a pointer's, slice's or map's element.
	elem *encPlan
	// fields are a struct's JSON object members, embedded structs flattened.
	fields []encField
}

// encField is one JSON object member of a struct.
type encField struct {
	name string
	// index leads to the field through embedded structs, as
	// reflect.Value.FieldByIndex, except that a nil embedded pointer means
	// the field is absent.
	index     []int
	omitEmpty bool
	omitZero  bool
	// isZero, when set, is the field type's IsZero method, which omitzero
	// uses instead of reflect's zero value.
	isZero func(reflect.Value) bool
	plan   *encPlan
}

// encMaxDepth is where the encoder hands over to go-json-experiment, which
// reports a pointer cycle from about this depth on.
const encMaxDepth = 1000

var (
	// encPlans caches an *encPlan per reflect.Type. Plans are complete when
	// stored and never change after.
	encPlans sync.Map
	// encPlansMu serialises building plans, so a recursive type's plans are
	// built once and stored together.
	encPlansMu sync.Mutex
)

// Types go-json-experiment encodes with their own method, or specially.
var (
	jsonMarshalerV2Type = reflect.TypeFor[json.MarshalerV2]()
	jsonMarshalerV1Type = reflect.TypeFor[json.MarshalerV1]()
	textAppenderType    = reflect.TypeFor[interface {
		AppendText(b []byte) ([]byte, error)
	}]()
	textMarshalerType     = reflect.TypeFor[encoding.TextMarshaler]()
	jsonUnmarshalerV2Type = reflect.TypeFor[json.UnmarshalerV2]()
	jsonUnmarshalerV1Type = reflect.TypeFor[json.UnmarshalerV1]()
	textUnmarshalerType   = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeTimeType          = reflect.TypeFor[time.Time]()
	timeDurationType      = reflect.TypeFor[time.Duration]()
	bytesType             = reflect.TypeFor[[]byte]()
	isZeroerType          = reflect.TypeFor[interface{ IsZero() bool }]()
)

// implementsAny reports whether t or *t implements any of ifaces, as
// go-json-experiment checks for methods.
func implementsAny(t reflect.Type, ifaces ...reflect.Type) bool {
	for _, i := range ifaces {
		if t.Implements(i) || reflect.PointerTo(t).Implements(i) {
			return true
		}
	}
	return false
}

// planFor returns the plan of t, building it on first use.
func planFor(t reflect.Type) *encPlan {
	if p, ok := encPlans.Load(t); ok {
		return p.(*encPlan)
	}
	encPlansMu.Lock()
	defer encPlansMu.Unlock()
	b := planBuilder{building: map[reflect.Type]*encPlan{}}
	p := b.plan(t)
	// Stored only now that every plan, recursive ones included, is filled in.
	for t, p := range b.building {
		encPlans.Store(t, p)
	}
	return p
}

// planBuilder builds the plans of a type and of the types it contains.
type planBuilder struct {
	// building holds the plans of this build, so a recursive type refers to
	// its own plan.
	building map[reflect.Type]*encPlan
}

func (b *planBuilder) plan(t reflect.Type) *encPlan {
	if p, ok := encPlans.Load(t); ok {
		return p.(*encPlan)
	}
	if p, ok := b.building[t]; ok {
		return p
	}
	p := &encPlan{kind: encJSON}
	b.building[t] = p

	// go-json-experiment calls methods on T or *T, never on a pointer or an
	// interface type, and encodes time.Time and time.Duration specially.
	k := t.Kind()
	if k != reflect.Pointer && k != reflect.Interface &&
		(t == timeTimeType || t == timeDurationType ||
			implementsAny(t, jsonMarshalerV2Type, jsonMarshalerV1Type, textAppenderType, textMarshalerType)) {
		return p
	}
	switch k {
	case reflect.Bool:
		p.kind = encBool
	case reflect.String:
		p.kind = encString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = encInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.kind = encUint
	case reflect.Float32:
		p.kind = encFloat32
	case reflect.Float64:
		p.kind = encFloat64
	case reflect.Pointer:
		p.kind, p.elem = encPointer, b.plan(t.Elem())
	case reflect.Slice:
		if t.AssignableTo(bytesType) {
			p.kind = encBytes
			break
		}
		p.kind, p.elem = encSlice, b.plan(t.Elem())
	case reflect.Map:
		// Keys with methods, or that are not strings, are rare: JSON path.
		if kt := t.Key(); kt.Kind() == reflect.String && !implementsAny(kt, jsonMarshalerV2Type, jsonMarshalerV1Type, textAppenderType, textMarshalerType) {
			p.kind, p.elem = encMap, b.plan(t.Elem())
		}
	case reflect.Struct:
		if fields, ok := b.structFields(t); ok {
			p.kind, p.fields = encStruct, fields
		}
	default:
		// Interfaces and arrays, which composed resources do not use, go
		// through JSON; so do kinds JSON cannot encode, for the error.
	}
	return p
}

// structFields lists t's JSON object members as go-json-experiment's
// makeStructFields does: a breadth-first walk of inlined (embedded, unnamed)
// structs, then the dominant field of each name. It reports false for any
// struct it would reject or that needs a tag option the encoder does not
// implement, which then goes through the JSON path.
func (b *planBuilder) structFields(root reflect.Type) ([]encField, bool) {
	type entry struct {
		typ           reflect.Type
		index         []int
		visitChildren bool
	}
	type candidate struct {
		encField
		hasName bool
	}
	queue := []entry{{root, nil, true}}
	seen := map[reflect.Type]bool{root: true}
	var all []candidate
	for qi := 0; qi < len(queue); qi++ {
		e := queue[qi]
		t := e.typ
		names := map[string]bool{}
		var hasAnyJSONTag, hasAnyJSONField bool
		for i := range t.NumField() {
			sf := t.Field(i)
			tag, hasTag := sf.Tag.Lookup("json")
			hasAnyJSONTag = hasAnyJSONTag || hasTag
			if tag == "-" {
				continue
			}
			if !sf.IsExported() {
				if sf.Anonymous || hasTag {
					return nil, false // rejected by go-json-experiment
				}
				continue
			}
			hasAnyJSONField = true
			opts, ok := parseJSONTag(sf.Name, tag)
			if !ok {
				return nil, false
			}
			index := append(append(make([]int, 0, len(e.index)+1), e.index...), i)
			if sf.Anonymous && !opts.hasName {
				opts.inline = true
			}
			if opts.inline {
				if opts.hasName || opts.omitEmpty || opts.omitZero {
					return nil, false // rejected by go-json-experiment
				}
				tf := sf.Type
				if tf.Kind() == reflect.Pointer && tf.Name() == "" {
					tf = tf.Elem()
				}
				// An inlined map or jsontext.Value, or an inlined type with
				// methods, which go-json-experiment rejects: JSON path.
				if tf.Kind() != reflect.Struct || implementsAny(tf,
					jsonMarshalerV2Type, jsonMarshalerV1Type, textMarshalerType,
					jsonUnmarshalerV2Type, jsonUnmarshalerV1Type, textUnmarshalerType) {
					return nil, false
				}
				if e.visitChildren {
					queue = append(queue, entry{tf, index, !seen[tf]})
				}
				seen[tf] = true
				continue
			}
			if !utf8.ValidString(opts.name) || names[opts.name] {
				return nil, false // rejected by go-json-experiment
			}
			names[opts.name] = true
			all = append(all, candidate{
				encField: encField{
					name:      opts.name,
					index:     index,
					omitEmpty: opts.omitEmpty,
					omitZero:  opts.omitZero,
					isZero:    isZeroMethod(sf.Type),
					plan:      b.plan(sf.Type),
				},
				hasName: opts.hasName,
			})
		}
		if t.NumField() > 0 && !hasAnyJSONTag && !hasAnyJSONField {
			return nil, false // "Go struct has no exported fields"
		}
	}

	// Of the fields of one name, the one alone at the shallowest depth wins,
	// or the one alone with a name from its tag there; otherwise none does.
	byName := make(map[string][]int, len(all))
	for i, c := range all {
		byName[c.name] = append(byName[c.name], i)
	}
	fields := make([]encField, 0, len(all))
	for i, c := range all {
		group := byName[c.name]
		best := group[0]
		for _, j := range group[1:] {
			if d, bd := len(all[j].index), len(all[best].index); d < bd || (d == bd && all[j].hasName && !all[best].hasName) {
				best = j
			}
		}
		if best != i {
			continue
		}
		ties := 0
		for _, j := range group {
			if len(all[j].index) == len(c.index) && all[j].hasName == c.hasName {
				ties++
			}
		}
		if ties == 1 {
			fields = append(fields, c.encField)
		}
	}
	return fields, true
}

// jsonTag is what the encoder uses of a field's json tag.
type jsonTag struct {
	name                        string
	hasName                     bool
	inline, omitEmpty, omitZero bool
}

// parseJSONTag reads a json tag as go-json-experiment does, for the options
// the encoder implements. It reports false for anything else (other options,
// quoted names, malformed tags), which go through the JSON path.
func parseJSONTag(field, tag string) (jsonTag, bool) {
	t := jsonTag{name: field}
	name, opts, _ := strings.Cut(tag, ",")
	if strings.ContainsAny(name, "\\'\"`") {
		return t, false
	}
	if name != "" {
		t.name, t.hasName = name, true
	}
	if !strings.Contains(tag, ",") {
		return t, true
	}
	for opt := range strings.SplitSeq(opts, ",") {
		var seen *bool
		switch opt {
		case "inline":
			seen = &t.inline
		case "omitempty":
			seen = &t.omitEmpty
		case "omitzero":
			seen = &t.omitZero
		default:
			return t, false
		}
		if *seen {
			return t, false // a duplicate option, rejected by go-json-experiment
		}
		*seen = true
	}
	return t, true
}

// isZeroMethod is how go-json-experiment's omitzero calls a type's IsZero
// method, or nil when the type has none and reflect's zero value applies.
// Values are addressable: the encoder copies those that are not.
func isZeroMethod(t reflect.Type) func(reflect.Value) bool {
	type isZeroer interface{ IsZero() bool }
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || (v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) || v.Interface().(isZeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(isZeroer).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(isZeroer).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Addr().Interface().(isZeroer).IsZero() }
	}
	return nil
}

// structEncoder encodes one value. It is not safe for concurrent use.
type structEncoder struct {
	// members is a stack of the object members of the structs being
	// encoded, so each Struct's map is made once, at its final size.
	members []structMember
	depth   int
}

// structEncoders are reused for their member stacks.
var structEncoders = sync.Pool{New: func() any { return &structEncoder{} }}

type structMember struct {
	name  string
	value *structpb.Value
}

// typedStruct encodes a typed object, a pointer to a struct, as
// go-json-experiment's Marshal followed by parsing the JSON into a Struct
// would, leaving out its top-level member skip.
func typedStruct(o any, skip string) (*structpb.Struct, error) {
	v := reflect.ValueOf(o)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, errors.Errorf("cannot encode %T: not a pointer to a struct", o)
	}
	v = v.Elem()
	p := planFor(v.Type())
	e := structEncoders.Get().(*structEncoder)
	defer structEncoders.Put(e)
	if p.kind != encStruct {
		val, err := e.fallback(v)
		if err != nil {
			return nil, err
		}
		s := val.GetStructValue()
		if s == nil {
			return nil, errors.New("cannot convert JSON to a Struct: not an object")
		}
		delete(s.Fields, skip)
		return s, nil
	}
	val, err := e.structOf(p, v, skip, false)
	if err != nil {
		return nil, err
	}
	return val.GetStructValue(), nil
}

// value encodes v, of p's type.
func (e *structEncoder) value(p *encPlan, v reflect.Value) (*structpb.Value, error) {
	switch p.kind {
	case encBool:
		return newBoolValue(v.Bool()), nil
	case encInt:
		// Exact as the JSON's decimal parsed back: both round to nearest even.
		return newNumberValue(float64(v.Int())), nil
	case encUint:
		return newNumberValue(float64(v.Uint())), nil
	case encFloat64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return e.fallback(v) // for go-json-experiment's error
		}
		return newNumberValue(f), nil
	case encFloat32:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return e.fallback(v)
		}
		// The JSON has float32's shortest decimal, which as a float64 is not
		// float64(f): parse it as the JSON path does.
		d, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, 32), 64)
		if err != nil {
			return nil, errors.Wrap(err, "cannot convert a float32")
		}
		return newNumberValue(d), nil
	case encString:
		s := v.String()
		if !utf8.ValidString(s) {
			return e.fallback(v) // for go-json-experiment's error
		}
		return newStringValue(s), nil
	case encBytes:
		return newStringValue(base64.StdEncoding.EncodeToString(v.Bytes())), nil
	case encPointer:
		if v.IsNil() {
			return newNullValue(), nil
		}
		return e.nested(p.elem, v.Elem())
	case encSlice:
		return e.list(p, v)
	case encMap:
		return e.object(p, v)
	case encStruct:
		return e.structOf(p, v, "", false)
	default:
		return e.fallback(v)
	}
}

// nested encodes a value one level deeper, handing values deeper than
// encMaxDepth to go-json-experiment, which detects cycles.
func (e *structEncoder) nested(p *encPlan, v reflect.Value) (*structpb.Value, error) {
	if e.depth >= encMaxDepth {
		return e.fallback(v)
	}
	e.depth++
	val, err := e.value(p, v)
	e.depth--
	return val, err
}

func (e *structEncoder) list(p *encPlan, v reflect.Value) (*structpb.Value, error) {
	// A nil slice is [], as go-json-experiment encodes it.
	vals := make([]*structpb.Value, v.Len())
	for i := range vals {
		val, err := e.nested(p.elem, v.Index(i))
		if err != nil {
			return nil, err
		}
		vals[i] = val
	}
	return newListValue(vals), nil
}

func (e *structEncoder) object(p *encPlan, v reflect.Value) (*structpb.Value, error) {
	// Labels, annotations and tags, without reflection.
	switch m := v.Interface().(type) {
	case map[string]string:
		return e.stringMap(m, v)
	case map[string]*string:
		return e.stringPtrMap(m, v)
	}
	// A nil map is {}, as go-json-experiment encodes it.
	fields := make(map[string]*structpb.Value, v.Len())
	// Set from each entry: MapIter's Key and Value would allocate a copy
	// each. The value is addressable, as go-json-experiment makes it, and
	// nothing encoded refers to it.
	t := v.Type()
	k, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	for it := v.MapRange(); it.Next(); {
		k.SetIterKey(it)
		ks := k.String()
		if !utf8.ValidString(ks) {
			return e.fallback(v) // for go-json-experiment's error
		}
		ev.SetIterValue(it)
		val, err := e.nested(p.elem, ev)
		if err != nil {
			return nil, err
		}
		fields[ks] = val
	}
	return newStructValue(fields), nil
}

func (e *structEncoder) stringMap(m map[string]string, v reflect.Value) (*structpb.Value, error) {
	fields := make(map[string]*structpb.Value, len(m))
	for k, s := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(s) {
			return e.fallback(v) // for go-json-experiment's error
		}
		fields[k] = newStringValue(s)
	}
	return newStructValue(fields), nil
}

func (e *structEncoder) stringPtrMap(m map[string]*string, v reflect.Value) (*structpb.Value, error) {
	fields := make(map[string]*structpb.Value, len(m))
	for k, s := range m {
		if !utf8.ValidString(k) || (s != nil && !utf8.ValidString(*s)) {
			return e.fallback(v) // for go-json-experiment's error
		}
		if s == nil {
			fields[k] = newNullValue()
			continue
		}
		fields[k] = newStringValue(*s)
	}
	return newStructValue(fields), nil
}

// structOf encodes a struct, leaving out the member skip. With omitEmpty it
// returns nil rather than build an empty Struct that omitempty would drop.
func (e *structEncoder) structOf(p *encPlan, v reflect.Value, skip string, omitEmpty bool) (*structpb.Value, error) {
	if !v.CanAddr() {
		// For pointer methods (IsZero, marshalers), as go-json-experiment.
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	start := len(e.members)
	defer func() {
		clear(e.members[start:]) // drop references for the garbage collector
		e.members = e.members[:start]
	}()
	for i := range p.fields {
		f := &p.fields[i]
		if f.name == skip {
			continue
		}
		fv := v.Field(f.index[0])
		if len(f.index) > 1 {
			var ok bool
			if fv, ok = fieldByIndex(fv, f.index[1:]); !ok {
				continue // in a nil embedded pointer
			}
		}
		if f.omitZero && ((f.isZero == nil && fv.IsZero()) || (f.isZero != nil && f.isZero(fv))) {
			continue
		}
		if f.omitEmpty && emptyByLength(f.plan.kind, fv) {
			continue // saves encoding what would be left out below
		}
		var val *structpb.Value
		var err error
		if f.omitEmpty && f.plan.kind == encStruct {
			val, err = e.structOf(f.plan, fv, "", true)
		} else {
			val, err = e.nested(f.plan, fv)
		}
		if err != nil {
			return nil, err
		}
		// go-json-experiment's omitempty leaves out a member whose JSON is
		// null, "", {} or [], whatever its Go type.
		if val == nil || (f.omitEmpty && isEmptyJSON(val)) {
			continue
		}
		e.members = append(e.members, structMember{name: f.name, value: val})
	}
	if omitEmpty && len(e.members) == start {
		return nil, nil
	}
	fields := make(map[string]*structpb.Value, len(e.members)-start)
	for _, m := range e.members[start:] {
		fields[m.name] = m.value
	}
	return newStructValue(fields), nil
}

// fieldByIndex is the field at index of embedded struct v, through further
// embedded structs. It reports false when an embedded pointer on the way is
// nil.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

// emptyByLength reports whether a value of a kind the encoder handles itself
// encodes to null, "", {} or [] without encoding it.
func emptyByLength(k encKind, v reflect.Value) bool {
	switch k {
	case encString, encBytes, encSlice, encMap:
		return v.Len() == 0
	case encPointer:
		return v.IsNil()
	}
	return false
}

// isEmptyJSON reports whether v is null, "", {} or [].
func isEmptyJSON(v *structpb.Value) bool {
	switch k := v.GetKind().(type) {
	case *structpb.Value_NullValue:
		return true
	case *structpb.Value_StringValue:
		return k.StringValue == ""
	case *structpb.Value_StructValue:
		return len(k.StructValue.GetFields()) == 0
	case *structpb.Value_ListValue:
		return len(k.ListValue.GetValues()) == 0
	}
	return false
}

// fallback encodes v through JSON, exactly as the whole object was before.
func (e *structEncoder) fallback(v reflect.Value) (*structpb.Value, error) {
	in := v.Interface()
	if v.CanAddr() {
		// Marshal encodes a pointer's element, addressable for pointer
		// methods; it would copy a value to the same end.
		in = v.Addr().Interface()
	}
	j, err := json.Marshal(in)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot marshal %s to JSON", v.Type())
	}
	return valueFromJSON(j)
}

// Each Value below is allocated together with its kind, and a Struct or list
// with its message: one allocation where structpb's constructors make two or
// three.

func newNullValue() *structpb.Value {
	a := &struct {
		v structpb.Value
		k structpb.Value_NullValue
	}{}
	a.v.Kind = &a.k
	return &a.v
}

func newBoolValue(b bool) *structpb.Value {
	a := &struct {
		v structpb.Value
		k structpb.Value_BoolValue
	}{k: structpb.Value_BoolValue{BoolValue: b}}
	a.v.Kind = &a.k
	return &a.v
}

func newNumberValue(f float64) *structpb.Value {
	a := &struct {
		v structpb.Value
		k structpb.Value_NumberValue
	}{k: structpb.Value_NumberValue{NumberValue: f}}
	a.v.Kind = &a.k
	return &a.v
}

func newStringValue(s string) *structpb.Value {
	a := &struct {
		v structpb.Value
		k structpb.Value_StringValue
	}{k: structpb.Value_StringValue{StringValue: s}}
	a.v.Kind = &a.k
	return &a.v
}

func newListValue(vals []*structpb.Value) *structpb.Value {
	a := &struct {
		v structpb.Value
		k structpb.Value_ListValue
		l structpb.ListValue
	}{}
	a.l.Values = vals
	a.k.ListValue = &a.l
	a.v.Kind = &a.k
	return &a.v
}

func newStructValue(fields map[string]*structpb.Value) *structpb.Value {
	a := &struct {
		v structpb.Value
		k structpb.Value_StructValue
		s structpb.Struct
	}{}
	a.s.Fields = fields
	a.k.StructValue = &a.s
	a.v.Kind = &a.k
	return &a.v
}
