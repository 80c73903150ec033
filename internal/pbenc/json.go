package pbenc

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane/function-sdk-go/errors"
)

// valueFromJSON parses any JSON value, as go-json-experiment writes it: the
// encoder's fallback, for the values it leaves to go-json-experiment.
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
