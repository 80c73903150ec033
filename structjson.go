package main

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// desiredStruct is a composed resource as the protobuf Struct the response
// carries. A typed resource is encoded exactly as composed.From followed by
// resource.AsStruct would (go-json-experiment, for its omitempty of empty
// structs), but straight into the Struct by typedStruct, not through JSON
// and a map[string]any. The status, which a typed resource would convert to
// observedGeneration: 0, is left out: it is the provider's to write.
func desiredStruct(o runtime.Object) (*structpb.Struct, error) {
	if u, ok := o.(interface{ UnstructuredContent() map[string]any }); ok {
		// Already unstructured (kept as observed): as composed.From does.
		s, err := structpb.NewStruct(u.UnstructuredContent())
		if err != nil {
			return nil, err
		}
		delete(s.Fields, "status")
		return s, nil
	}
	if err := setKind(o); err != nil {
		return nil, err
	}
	s, err := typedStruct(o, "status")
	if err != nil {
		return nil, err
	}
	trimMetadata(s)
	return s, nil
}

// setKind sets a typed object's apiVersion and kind from composed.Scheme.
func setKind(o runtime.Object) error {
	gvks, _, err := composed.Scheme.ObjectKinds(o)
	if err != nil {
		return errors.Wrap(err, "did you add it to composed.Scheme?")
	}
	for _, gvk := range gvks {
		o.GetObjectKind().SetGroupVersionKind(gvk)
	}
	return nil
}

// trimMetadata does what composed.From does to metadata: ObjectMeta's
// generation has omitempty, which go-json-experiment does not apply to
// integers; drop it, and metadata when nothing else is set.
func trimMetadata(s *structpb.Struct) {
	if m := s.GetFields()["metadata"].GetStructValue(); m != nil {
		delete(m.Fields, "generation")
		if len(m.Fields) == 0 {
			delete(s.Fields, "metadata")
		}
	}
}

// valueFromJSON parses any JSON value, as go-json-experiment writes it.
func valueFromJSON(b []byte) (*structpb.Value, error) {
	p := &jsonParser{b: b}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.i != len(p.b) {
		return nil, p.errorf("trailing data")
	}
	return v, nil
}

// jsonParser is a minimal JSON parser that builds protobuf Values.
type jsonParser struct {
	b []byte
	i int
}

func (p *jsonParser) errorf(format string, a ...any) error {
	return errors.Errorf("cannot parse JSON at offset %d: %s", p.i, fmt.Sprintf(format, a...))
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (*structpb.Value, error) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.b[p.i]; c {
	case '{':
		p.i++
		s := &structpb.Struct{Fields: map[string]*structpb.Value{}}
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return structpb.NewStructValue(s), nil
		}
		for {
			p.skipSpace()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, p.errorf("want ':'")
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			s.Fields[k] = v
			p.skipSpace()
			if p.i >= len(p.b) {
				return nil, p.errorf("unexpected end")
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] == '}' {
				p.i++
				return structpb.NewStructValue(s), nil
			}
			return nil, p.errorf("want ',' or '}'")
		}
	case '[':
		p.i++
		l := &structpb.ListValue{}
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return structpb.NewListValue(l), nil
		}
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			l.Values = append(l.Values, v)
			p.skipSpace()
			if p.i >= len(p.b) {
				return nil, p.errorf("unexpected end")
			}
			if p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.b[p.i] == ']' {
				p.i++
				return structpb.NewListValue(l), nil
			}
			return nil, p.errorf("want ',' or ']'")
		}
	case '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return structpb.NewStringValue(s), nil
	case 't':
		return p.literal("true", structpb.NewBoolValue(true))
	case 'f':
		return p.literal("false", structpb.NewBoolValue(false))
	case 'n':
		return p.literal("null", structpb.NewNullValue())
	default:
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("+-0123456789.eE", p.b[p.i]) >= 0 {
			p.i++
		}
		f, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		if err != nil {
			return nil, p.errorf("bad number: %v", err)
		}
		return structpb.NewNumberValue(f), nil
	}
}

func (p *jsonParser) literal(lit string, v *structpb.Value) (*structpb.Value, error) {
	if !bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
		return nil, p.errorf("want %s", lit)
	}
	p.i += len(lit)
	return v, nil
}

// str reads a JSON string. Escapes are rare in composed resources; a string
// with any is decoded by encoding/json.
func (p *jsonParser) str() (string, error) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", p.errorf("want a string")
	}
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			escaped = true
			p.i += 2
			continue
		case '"':
			p.i++
			if !escaped {
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			if err := stdjson.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", p.errorf("bad string: %v", err)
			}
			return s, nil
		}
		p.i++
	}
	return "", p.errorf("unterminated string")
}
