package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	readmeFile     = "README.md"
	apiRefBegin    = "<!-- api-reference:begin (generated from apis/namespaced/definition.yaml by go test -update) -->"
	apiRefEnd      = "<!-- api-reference:end -->"
	maxDescription = 400
)

// mdEscape keeps descriptions literal inside a Markdown table.
var mdEscape = strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;")

// apiReference renders the XRD's schema as Markdown tables, one row a field.
func apiReference(t *testing.T) string {
	t.Helper()
	props := xrdSchema(t, xrdFiles["Namespaced"])
	var b strings.Builder
	for _, part := range []string{"spec", "status"} {
		fmt.Fprintf(&b, "\n#### `%s`\n\n| field | type | default | description |\n| --- | --- | --- | --- |\n", part)
		rows(&b, part, props[part].(map[string]any))
	}
	return b.String()
}

func rows(b *strings.Builder, path string, s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	req, _ := s["required"].([]any)
	reqNames := make([]string, 0, len(req))
	for _, r := range req {
		reqNames = append(reqNames, r.(string))
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := props[k].(map[string]any)
		fieldPath := path + "." + k
		typ, _ := p["type"].(string)
		if items, ok := p["items"].(map[string]any); ok {
			it, _ := items["type"].(string)
			typ = "[]" + it
		}
		if e, ok := p["enum"].([]any); ok {
			vals := make([]string, 0, len(e))
			for _, v := range e {
				vals = append(vals, fmt.Sprint(v))
			}
			typ += " (" + strings.Join(vals, ", ") + ")"
		}
		if items, ok := p["items"].(map[string]any); ok {
			if e, ok := items["enum"].([]any); ok {
				vals := make([]string, 0, len(e))
				for _, v := range e {
					vals = append(vals, fmt.Sprint(v))
				}
				typ += " of " + strings.Join(vals, ", ")
			}
		}
		def := ""
		if d, ok := p["default"]; ok {
			if _, isObject := d.(map[string]any); !isObject {
				j, _ := json.Marshal(d)
				def = "`" + string(j) + "`"
			}
		}
		desc, _ := p["description"].(string)
		desc = strings.Join(strings.Fields(desc), " ")
		if len(desc) > maxDescription {
			desc = desc[:maxDescription] + "..."
		}
		for _, r := range reqNames {
			if r == k {
				desc = "**Required.** " + desc
			}
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", fieldPath, typ, def, mdEscape.Replace(desc))
		if _, ok := p["properties"]; ok {
			rows(b, fieldPath, p)
		}
		if items, ok := p["items"].(map[string]any); ok {
			if _, ok := items["properties"]; ok {
				rows(b, fieldPath+"[]", items)
			}
		}
	}
}

// TestAPIReferenceInStep keeps the README's API reference generated from the
// XRD: `go test -update` rewrites it.
func TestAPIReferenceInStep(t *testing.T) {
	b, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, apiRefBegin)
	end := strings.Index(readme, apiRefEnd)
	if start < 0 || end < start {
		t.Fatalf("%s has no API reference markers %q ... %q", readmeFile, apiRefBegin, apiRefEnd)
	}
	got := apiReference(t)
	current := readme[start+len(apiRefBegin) : end]
	if *update {
		readme = readme[:start+len(apiRefBegin)] + got + readme[end:]
		if err := os.WriteFile(readmeFile, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(current, got); diff != "" {
		t.Errorf("README API reference is out of date (run go test -update): -readme, +xrd:\n%s", diff)
	}
}
