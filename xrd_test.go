package main

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// schemaFile is the one source of both XRDs' openAPIV3Schema:
// internal/gen/xrds writes it into xrdFiles (make generate).
const schemaFile = "apis/schema.yaml"

var xrdFiles = map[string]string{
	"Namespaced": "apis/namespaced/definition.yaml",
	"Legacy":     "apis/legacy/definition.yaml",
}

// sourceSchema returns the properties (spec, status) of the schema source.
func sourceSchema(t *testing.T) map[string]any {
	t.Helper()
	return readObject(t, schemaFile)["properties"].(map[string]any)
}

// xrdSchema returns the openAPIV3Schema properties of an XRD's only version.
func xrdSchema(t *testing.T, path string) map[string]any {
	t.Helper()
	xrd := readObject(t, path)
	versions := xrd["spec"].(map[string]any)["versions"].([]any)
	if len(versions) != 1 {
		t.Fatalf("%s: want one version, got %d", path, len(versions))
	}
	return versions[0].(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["properties"].(map[string]any)
}

// schemaShape lists every field path of an OpenAPI schema with its type.
func schemaShape(prefix string, s map[string]any, out map[string]string) {
	typ, _ := s["type"].(string)
	out[prefix] = typ
	switch typ {
	case "object":
		if props, ok := s["properties"].(map[string]any); ok {
			for k, v := range props {
				schemaShape(prefix+"."+k, v.(map[string]any), out)
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			schemaShape(prefix+".*", ap, out)
		}
	case "array":
		schemaShape(prefix+"[]", s["items"].(map[string]any), out)
	}
}

// goShape lists every JSON field path of a Go type with its OpenAPI type.
func goShape(prefix string, t reflect.Type, out map[string]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		out[prefix] = "object"
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			goShape(prefix+"."+name, f.Type, out)
		}
	case reflect.Slice:
		out[prefix] = "array"
		goShape(prefix+"[]", t.Elem(), out)
	case reflect.Map:
		out[prefix] = "object"
		goShape(prefix+".*", t.Elem(), out)
	case reflect.String:
		out[prefix] = "string"
	case reflect.Bool:
		out[prefix] = "boolean"
	case reflect.Int, reflect.Int32, reflect.Int64:
		out[prefix] = "integer"
	case reflect.Float32, reflect.Float64:
		out[prefix] = "number"
	default:
		out[prefix] = t.Kind().String()
	}
}

// TestXRDMatchesGoTypes keeps the XRDs' schema source and the Go types the
// function decodes into in step: every field, with the same type, in both
// directions.
func TestXRDMatchesGoTypes(t *testing.T) {
	props := sourceSchema(t)
	for part, typ := range map[string]reflect.Type{
		"spec":   reflect.TypeFor[AuroraSpec](),
		"status": reflect.TypeFor[AuroraStatus](),
	} {
		fromXRD := map[string]string{}
		schemaShape(part, props[part].(map[string]any), fromXRD)
		delete(fromXRD, "status.conditions")
		fromGo := map[string]string{}
		goShape(part, typ, fromGo)
		if diff := cmp.Diff(fromXRD, fromGo); diff != "" {
			t.Errorf("%s %s: XRD schema (-) and Go types (+) disagree:\n%s", schemaFile, part, diff)
		}
	}
}

// TestXRDSchemasInStep checks that both XRDs hold the schema source: the
// namespaced one all of it, the legacy one all but the field Crossplane adds
// to legacy XRs. internal/gen/xrds writes them so (its tests and make
// verify-generated compare the text); this checks the meaning.
func TestXRDSchemasInStep(t *testing.T) {
	for name, path := range xrdFiles {
		t.Run(name, func(t *testing.T) {
			want := sourceSchema(t)
			if name == "Legacy" {
				delete(want["spec"].(map[string]any)["properties"].(map[string]any), "writeConnectionSecretToRef")
			}
			if diff := cmp.Diff(want, xrdSchema(t, path)); diff != "" {
				t.Errorf("%s (-) and %s (+) differ (run make generate):\n%s", schemaFile, path, diff)
			}
		})
	}
}

// TestXRDDefaultsMatchGo keeps the XRDs' defaults and withDefaults in step,
// so an XR behaves the same whether the API server or the function defaulted
// it.
func TestXRDDefaultsMatchGo(t *testing.T) {
	s := &AuroraSpec{}
	withDefaults(s)
	j, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	goDefaults := map[string]any{}
	if err := json.Unmarshal(j, &goDefaults); err != nil {
		t.Fatal(err)
	}
	props := sourceSchema(t)["spec"].(map[string]any)
	var walk func(path string, schema map[string]any, got any)
	walk = func(path string, schema map[string]any, got any) {
		if d, ok := schema["default"]; ok {
			if _, isObject := d.(map[string]any); !isObject {
				if diff := cmp.Diff(normalize(d), normalize(got)); diff != "" {
					t.Errorf("%s: XRD default (-) and Go default (+) differ:\n%s", path, diff)
				}
			}
		}
		sub, _ := schema["properties"].(map[string]any)
		gotMap, ok := got.(map[string]any)
		if !ok {
			// An optional object the defaults do not create: its own
			// defaults apply only when the user sets it.
			return
		}
		for k, v := range sub {
			walk(path+"."+k, v.(map[string]any), gotMap[k])
		}
	}
	walk("spec", props, goDefaults)
}

// normalize makes YAML and JSON numbers comparable.
func normalize(v any) any {
	j, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(j, &out)
	return out
}

// TestExamplesDecodeStrictly decodes every example XR and test XR with
// unknown fields disallowed, so a misspelt field in an example fails here
// instead of being silently ignored.
func TestExamplesDecodeStrictly(t *testing.T) {
	files := append(exampleXRFiles(t), "example/legacy/claim.yaml")
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			j, err := yaml.YAMLToJSON(b)
			if err != nil {
				t.Fatal(err)
			}
			obj := struct {
				Spec json.RawMessage `json:"spec"`
			}{}
			if err := json.Unmarshal(j, &obj); err != nil {
				t.Fatal(err)
			}
			spec := map[string]any{}
			if err := json.Unmarshal(obj.Spec, &spec); err != nil {
				t.Fatal(err)
			}
			// Crossplane's own fields on legacy XRs.
			delete(spec, "claimRef")
			if strings.Contains(f, "legacy") {
				delete(spec, "writeConnectionSecretToRef")
			}
			clean, _ := json.Marshal(spec)
			dec := json.NewDecoder(bytes.NewReader(clean))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&AuroraSpec{}); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		})
	}
}
