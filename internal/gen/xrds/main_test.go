package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../../.."

func readSchema(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, schemaPath))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func variantAt(t *testing.T, path string) variant {
	t.Helper()
	for _, v := range variants {
		if v.path == path {
			return v
		}
	}
	t.Fatalf("no variant %s", path)
	return variant{}
}

func generateRepo(t *testing.T) map[string][]byte {
	t.Helper()
	out, err := generate(readSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unmarshal parses YAML into a generic value.
func unmarshal(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// get walks a parsed YAML document by mapping keys and list indexes.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: %q of a %T", path, k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: [%d] of %T", path, k, v)
			}
			v = l[k]
		}
	}
	return v
}

// TestCommittedXRDsUpToDate fails when an XRD was edited by hand, or the
// schema without running make generate (make verify-generated checks the
// same).
func TestCommittedXRDsUpToDate(t *testing.T) {
	for path, want := range generateRepo(t) {
		have, err := os.ReadFile(filepath.Join(repoRoot, path))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Split(string(have), "\n"), strings.Split(string(want), "\n")); diff != "" {
			t.Errorf("%s is not what %s generates (edit the schema, then run make generate): -committed +generated:\n%s", path, schemaPath, diff)
		}
	}
}

// TestXRDsRoundTrip parses each generated XRD: its header is the variant's
// own, and its openAPIV3Schema is the source's, parsed, but for the
// properties the variant drops.
func TestXRDsRoundTrip(t *testing.T) {
	out := generateRepo(t)
	for _, tc := range []struct {
		path, apiVersion, name, scope, claimKind string
		dropsWCSR                                bool
	}{
		{"apis/namespaced/definition.yaml", "apiextensions.crossplane.io/v2", "xauroraclusters.aws.platform.example.org", "Namespaced", "", false},
		{"apis/legacy/definition.yaml", "apiextensions.crossplane.io/v1", "xauroraclusters.legacy.aws.platform.example.org", "", "AuroraCluster", true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			b := out[tc.path]
			v := variantAt(t, tc.path)
			if !strings.HasPrefix(string(b), v.header) || !strings.HasSuffix(v.header, "\n      openAPIV3Schema:\n") {
				t.Errorf("does not start with its header, ending in openAPIV3Schema:")
			}
			xrd := unmarshal(t, b)
			for _, c := range []struct {
				path []any
				want any
			}{
				{[]any{"apiVersion"}, tc.apiVersion},
				{[]any{"kind"}, "CompositeResourceDefinition"},
				{[]any{"metadata", "name"}, tc.name},
				{[]any{"spec", "defaultCompositionRef", "name"}, tc.name},
				{[]any{"spec", "names", "kind"}, "XAuroraCluster"},
				{[]any{"spec", "versions", 0, "additionalPrinterColumns", 0, "name"}, "CLUSTER"},
			} {
				if got := get(t, xrd, c.path...); got != c.want {
					t.Errorf("%v = %v, want %v", c.path, got, c.want)
				}
			}
			if got, want := get(t, xrd, "spec", "group"), strings.TrimPrefix(tc.name, "xauroraclusters."); got != want {
				t.Errorf("spec.group = %v, want %v", got, want)
			}
			if got := get(t, xrd, "spec", "scope"); tc.scope == "" && got != nil || tc.scope != "" && got != tc.scope {
				t.Errorf("spec.scope = %v, want %q", got, tc.scope)
			}
			if got := get(t, xrd, "spec", "claimNames"); tc.claimKind == "" && got != nil || tc.claimKind != "" && get(t, got, "kind") != tc.claimKind {
				t.Errorf("spec.claimNames = %v, want kind %q", got, tc.claimKind)
			}

			want := unmarshal(t, readSchema(t))
			if tc.dropsWCSR {
				delete(get(t, want, "properties", "spec", "properties").(map[string]any), "writeConnectionSecretToRef")
			}
			got := get(t, xrd, "spec", "versions", 0, "schema", "openAPIV3Schema")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("openAPIV3Schema: -%s +generated:\n%s", schemaPath, diff)
			}
			_, has := get(t, got, "properties", "spec", "properties").(map[string]any)["writeConnectionSecretToRef"]
			if has == tc.dropsWCSR {
				t.Errorf("has spec.writeConnectionSecretToRef: %v, want %v", has, !tc.dropsWCSR)
			}
			if strings.Contains(string(b), "writeConnectionSecretToRef:") == tc.dropsWCSR {
				t.Errorf("the text has a writeConnectionSecretToRef: line: %v, want %v", tc.dropsWCSR, !tc.dropsWCSR)
			}
		})
	}
	// The source itself keeps the field, for namespaced XRs.
	if _, ok := get(t, unmarshal(t, readSchema(t)), "properties", "spec", "properties").(map[string]any)["writeConnectionSecretToRef"]; !ok {
		t.Errorf("%s has no spec.writeConnectionSecretToRef", schemaPath)
	}
}

// TestGenerateKeepsFormatting splices the schema as text: comments at its
// top go, every other line is kept, indented under openAPIV3Schema.
func TestGenerateKeepsFormatting(t *testing.T) {
	schema := "# about this file\n#\n\n" + `type: object
description: >-
  folded
  text
required: [spec]
properties:
  spec:
    type: object
    properties:
      region:
        type: string
        pattern: '^[a-z]+$'
      writeConnectionSecretToRef:
        type: object
        description: >-
          writeConnectionSecretToRef: is only text here.

          a second paragraph
        properties:
          name:
            type: string
  status:
    type: object
`
	out, err := generate([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	body := func(path string) string {
		return strings.TrimPrefix(string(out[path]), variantAt(t, path).header)
	}
	indented := func(s string) string {
		var b strings.Builder
		for _, l := range strings.SplitAfter(s, "\n") {
			if l != "\n" && l != "" {
				b.WriteString(schemaIndent)
			}
			b.WriteString(l)
		}
		return b.String()
	}
	source := strings.TrimPrefix(schema, "# about this file\n#\n\n")
	if diff := cmp.Diff(indented(source), body("apis/namespaced/definition.yaml")); diff != "" {
		t.Errorf("namespaced: -want +got:\n%s", diff)
	}
	legacy := strings.Replace(source, `      writeConnectionSecretToRef:
        type: object
        description: >-
          writeConnectionSecretToRef: is only text here.

          a second paragraph
        properties:
          name:
            type: string
`, "", 1)
	if diff := cmp.Diff(indented(legacy), body("apis/legacy/definition.yaml")); diff != "" {
		t.Errorf("legacy: -want +got:\n%s", diff)
	}
}

func TestGenerateRejects(t *testing.T) {
	for name, schema := range map[string]string{
		"no newline at end":     "type: object",
		"only comments":         "# nothing\n",
		"indented root":         "  type: object\n",
		"tab":                   "type: object\nproperties:\n\tspec: {}\n",
		"trailing space":        "type: object \n",
		"CRLF":                  "type: object\r\n",
		"no spec properties":    "type: object\nproperties:\n  spec:\n    type: object\n",
		"no writeConnection...": "type: object\nproperties:\n  spec:\n    type: object\n    properties:\n      region:\n        type: string\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := generate([]byte(schema)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestRemoveKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		path []string
		want string
		err  string
	}{{
		name: "last key",
		in:   "a:\n  b: 1\n  c:\n    d: 2\n",
		path: []string{"a", "c"},
		want: "a:\n  b: 1\n",
	}, {
		name: "inline value",
		in:   "a:\n  b: 1\n  c: 2\n",
		path: []string{"a", "b"},
		want: "a:\n  c: 2\n",
	}, {
		name: "compact sequence value",
		in:   "a:\n  b:\n  - x\n  - y: 1\n    z: 2\n  c: 3\n",
		path: []string{"a", "b"},
		want: "a:\n  c: 3\n",
	}, {
		name: "same key deeper is not a match",
		in:   "a:\n  b:\n    c: 1\n  c: 2\n",
		path: []string{"a", "c"},
		want: "a:\n  b:\n    c: 1\n",
	}, {
		name: "a key of the same name in another parent",
		in:   "x:\n  c: 1\na:\n  c: 2\n  d: 3\n",
		path: []string{"a", "c"},
		want: "x:\n  c: 1\na:\n  d: 3\n",
	}, {
		name: "missing",
		in:   "a:\n  b: 1\n",
		path: []string{"a", "c"},
		err:  "a.c: no such key",
	}, {
		name: "twice",
		in:   "a:\n  b: 1\n  b: 2\n",
		path: []string{"a", "b"},
		err:  `a.b: key "b" twice`,
	}, {
		name: "through a sequence",
		in:   "a:\n- b: 1\n",
		path: []string{"a", "b"},
		err:  "a: not a block mapping",
	}, {
		name: "through a scalar",
		in:   "a: 1\n",
		path: []string{"a", "b"},
		err:  "a: not a block mapping",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Split(strings.TrimSuffix(tc.in, "\n"), "\n")
			orig := append([]string(nil), in...)
			got, err := removeKey(in, tc.path)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, strings.Join(got, "\n")+"\n"); diff != "" {
				t.Errorf("-want +got:\n%s", diff)
			}
			if diff := cmp.Diff(orig, in); diff != "" {
				t.Errorf("changed its input:\n%s", diff)
			}
		})
	}
}

// TestRun writes the XRDs into a copy of the layout, then verifies them,
// and fails verification after a hand edit.
func TestRun(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"apis/namespaced", "apis/legacy"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, schemaPath), readSchema(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(root, true); err == nil {
		t.Fatal("verify passed with no XRDs")
	}
	if err := run(root, false); err != nil {
		t.Fatal(err)
	}
	if err := run(root, true); err != nil {
		t.Fatalf("verify after generate: %v", err)
	}
	for path, want := range generateRepo(t) {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: not what generate returns", path)
		}
	}
	legacy := filepath.Join(root, "apis/legacy/definition.yaml")
	b, _ := os.ReadFile(legacy)
	if err := os.WriteFile(legacy, []byte(strings.Replace(string(b), "maxLength: 50", "maxLength: 51", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(root, true)
	if err == nil || !strings.Contains(err.Error(), "apis/legacy/definition.yaml") || strings.Contains(err.Error(), "namespaced") {
		t.Errorf("verify after a hand edit of the legacy XRD: %v", err)
	}
}
