package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	readmeFile = "README.md"
	// apiReferenceFile holds the full API reference, generated from the XRD.
	apiReferenceFile = "docs/api-reference.md"
	apiRefBegin      = "<!-- api-reference:begin (generated from apis/namespaced/definition.yaml by go test -update) -->"
	apiRefEnd        = "<!-- api-reference:end -->"
	// The README's overview of the spec's top-level fields, generated too.
	apiOverviewBegin = "<!-- api-overview:begin (generated from apis/namespaced/definition.yaml by go test -update) -->"
	apiOverviewEnd   = "<!-- api-overview:end -->"
)

// mdEscape keeps descriptions literal inside a Markdown table.
var mdEscape = strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;")

// apiReference renders the XRD's schema as Markdown tables, one row a field,
// with every description in full and every constraint the API server
// enforces at admission.
func apiReference(t *testing.T) string {
	t.Helper()
	props := xrdSchema(t, xrdFiles["Namespaced"])
	var b strings.Builder
	for _, part := range []string{"spec", "status"} {
		s := props[part].(map[string]any)
		fmt.Fprintf(&b, "\n## `%s`\n\n| field | type | default | constraints | description |\n| --- | --- | --- | --- | --- |\n", part)
		rows(&b, part, s)
		if rules := celMessages(s); len(rules) > 0 {
			fmt.Fprintf(&b, "\nRules across `%s` fields, checked at admission:\n\n", part)
			for _, r := range rules {
				fmt.Fprintf(&b, "- %s\n", mdEscape.Replace(r))
			}
		}
	}
	return b.String()
}

// apiOverview renders the spec's top-level fields, each with the first
// sentence of its description, for the README.
func apiOverview(t *testing.T) string {
	t.Helper()
	spec := xrdSchema(t, xrdFiles["Namespaced"])["spec"].(map[string]any)
	props := spec["properties"].(map[string]any)
	var b strings.Builder
	b.WriteString("\n| `spec.` field | default | what it is |\n| --- | --- | --- |\n")
	for _, k := range sortedKeys(props) {
		p := props[k].(map[string]any)
		desc := firstSentence(description(p))
		if isRequired(spec, k) {
			desc = "**Required.** " + desc
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k, defaultOf(p), mdEscape.Replace(desc))
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isRequired(parent map[string]any, name string) bool {
	req, _ := parent["required"].([]any)
	for _, r := range req {
		if r == name {
			return true
		}
	}
	return false
}

func description(p map[string]any) string {
	d, _ := p["description"].(string)
	return strings.Join(strings.Fields(d), " ")
}

// firstSentence cuts a description after its first sentence: at the first
// ". " that ends a word, so "e.g. us-east-1" is not cut.
func firstSentence(d string) string {
	for i := 0; i+1 < len(d); i++ {
		if d[i] != '.' || d[i+1] != ' ' {
			continue
		}
		if j := strings.LastIndexByte(d[:i], ' '); strings.HasSuffix(d[j+1:i], ".g") || strings.HasSuffix(d[j+1:i], ".e") {
			continue
		}
		return d[:i+1]
	}
	return d
}

func enumOf(s map[string]any) string {
	e, ok := s["enum"].([]any)
	if !ok {
		return ""
	}
	vals := make([]string, 0, len(e))
	for _, v := range e {
		vals = append(vals, fmt.Sprint(v))
	}
	return strings.Join(vals, ", ")
}

func typeOf(p map[string]any) string {
	typ, _ := p["type"].(string)
	if items, ok := p["items"].(map[string]any); ok {
		it, _ := items["type"].(string)
		typ = "[]" + it
		if e := enumOf(items); e != "" {
			typ += " of " + e
		}
	}
	if ap, ok := p["additionalProperties"].(map[string]any); ok {
		vt, _ := ap["type"].(string)
		typ = "map[string]" + vt
	}
	if e := enumOf(p); e != "" {
		typ += " (" + e + ")"
	}
	return typ
}

func defaultOf(p map[string]any) string {
	d, ok := p["default"]
	if !ok {
		return ""
	}
	if _, isObject := d.(map[string]any); isObject {
		return ""
	}
	j, _ := json.Marshal(d)
	return "`" + string(j) + "`"
}

// number prints a schema bound as YAML wrote it (5432, 0.5).
func number(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// constraints lists what the XRD enforces on a field besides its type and
// enum: ranges, lengths, item counts, patterns and CEL rules.
func constraints(p map[string]any) string {
	var c []string
	lo, hasLo := p["minimum"]
	hi, hasHi := p["maximum"]
	exLo, _ := p["exclusiveMinimum"].(bool)
	exHi, _ := p["exclusiveMaximum"].(bool)
	switch {
	case hasLo && hasHi:
		l, h := "", ""
		if exLo {
			l = " (exclusive)"
		}
		if exHi {
			h = " (exclusive)"
		}
		c = append(c, fmt.Sprintf("%s%s to %s%s", number(lo), l, number(hi), h))
	case hasLo:
		op := "≥"
		if exLo {
			op = ">"
		}
		c = append(c, op+" "+number(lo))
	case hasHi:
		op := "≤"
		if exHi {
			op = "<"
		}
		c = append(c, op+" "+number(hi))
	}
	if m, ok := p["multipleOf"]; ok {
		c = append(c, "multiple of "+number(m))
	}
	for _, l := range []struct{ min, max, unit string }{
		{"minLength", "maxLength", "characters"},
		{"minItems", "maxItems", "items"},
		{"", "maxProperties", "entries"},
	} {
		lo, hasLo := p[l.min]
		hi, hasHi := p[l.max]
		switch {
		case hasLo && hasHi:
			c = append(c, fmt.Sprintf("%s to %s %s", number(lo), number(hi), l.unit))
		case hasLo:
			c = append(c, fmt.Sprintf("at least %s %s", number(lo), l.unit))
		case hasHi:
			c = append(c, fmt.Sprintf("at most %s %s", number(hi), l.unit))
		}
	}
	if items, ok := p["items"].(map[string]any); ok {
		if s := constraints(items); s != "" {
			c = append(c, "each: "+s)
		}
	}
	if ap, ok := p["additionalProperties"].(map[string]any); ok {
		if s := constraints(ap); s != "" {
			c = append(c, "each value: "+s)
		}
	}
	if pat, ok := p["pattern"].(string); ok {
		c = append(c, "pattern `"+strings.ReplaceAll(pat, "|", `\|`)+"`")
	}
	for _, m := range celMessages(p) {
		c = append(c, m)
	}
	return strings.Join(c, "; ")
}

// celMessages returns the messages of a schema's x-kubernetes-validations.
func celMessages(p map[string]any) []string {
	rules, _ := p["x-kubernetes-validations"].([]any)
	var out []string
	for _, r := range rules {
		if m, ok := r.(map[string]any)["message"].(string); ok {
			out = append(out, m)
		}
	}
	return out
}

func rows(b *strings.Builder, path string, s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	for _, k := range sortedKeys(props) {
		p := props[k].(map[string]any)
		fieldPath := path + "." + k
		desc := description(p)
		if isRequired(s, k) {
			desc = "**Required.** " + desc
		}
		cons := constraints(p)
		// The pattern keeps its own escaping; the rest is escaped for the table.
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", fieldPath, typeOf(p), defaultOf(p), escapeOutsideCode(cons), mdEscape.Replace(desc))
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

// escapeOutsideCode applies mdEscape to the text outside `code` spans.
func escapeOutsideCode(s string) string {
	parts := strings.Split(s, "`")
	for i := range parts {
		if i%2 == 0 {
			parts[i] = mdEscape.Replace(parts[i])
		}
	}
	return strings.Join(parts, "`")
}

// generated checks (or with -update rewrites) the text between two markers
// of a file.
func generated(t *testing.T, file, begin, end, want string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, begin)
	stop := strings.Index(doc, end)
	if start < 0 || stop < start {
		t.Fatalf("%s has no markers %q ... %q", file, begin, end)
	}
	current := doc[start+len(begin) : stop]
	if *update {
		doc = doc[:start+len(begin)] + want + doc[stop:]
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(current, want); diff != "" {
		t.Errorf("%s is out of date (run go test -update): -%s, +xrd:\n%s", file, file, diff)
	}
}

// TestAPIReferenceInStep keeps the API reference in docs/api-reference.md and
// the README's overview generated from the XRD: `go test -update` rewrites
// them.
func TestAPIReferenceInStep(t *testing.T) {
	generated(t, apiReferenceFile, apiRefBegin, apiRefEnd, apiReference(t))
	generated(t, readmeFile, apiOverviewBegin, apiOverviewEnd, apiOverview(t))
}

// TestAPIReferenceComplete: no description is cut, and the port range, which
// only the schema states, is in the reference.
func TestAPIReferenceComplete(t *testing.T) {
	ref := apiReference(t)
	for _, want := range []string{
		"| `spec.port` | integer | `5432` | 1150 to 65535 |",
		"Either way the password never stays in Kubernetes",
	} {
		if !strings.Contains(ref, want) {
			t.Errorf("API reference lacks %q", want)
		}
	}
	if strings.Contains(ref, "...") {
		t.Errorf("API reference has a cut description (...)")
	}
}

// crossplaneXRColumns are the printer columns Crossplane appends to every
// XR's CRD after the XRD's own (crossplane-runtime pkg/xcrd
// CompositeResourcePrinterColumns; COMPOSITIONREVISION has priority 1, so
// only -o wide shows it).
var crossplaneXRColumns = []string{"SYNCED", "READY", "COMPOSITION", "AGE"}

// docFiles are the Markdown files the project's documentation consists of.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{readmeFile, "CHANGELOG.md"}, files...)
}

// TestKubectlSampleHeader: a `kubectl get xauroracluster` sample shows the
// columns the API server prints: NAME, the XRD's, then Crossplane's.
func TestKubectlSampleHeader(t *testing.T) {
	xrd := readObject(t, xrdFiles["Namespaced"])
	version := xrd["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	want := []string{"NAME"}
	for _, c := range version["additionalPrinterColumns"].([]any) {
		want = append(want, c.(map[string]any)["name"].(string))
	}
	want = append(want, crossplaneXRColumns...)
	samples := 0
	for _, f := range docFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, "$ kubectl get xauroracluster") || i+1 == len(lines) {
				continue
			}
			samples++
			if diff := cmp.Diff(want, strings.Fields(lines[i+1])); diff != "" {
				t.Errorf("%s:%d: kubectl get header differs from the XRD's columns and Crossplane's: -want +got:\n%s", f, i+2, diff)
			}
		}
	}
	if samples == 0 {
		t.Errorf("no `$ kubectl get xauroracluster` sample in %v", docFiles(t))
	}
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile("^#{1,6} +(.*)$")
	htmlID    = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
	codeSpan  = regexp.MustCompile("`[^`]*`")
)

// anchors returns the anchors GitHub gives a Markdown file's headings (and
// any <a id>), outside code blocks.
func anchors(t *testing.T, file string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	seen := map[string]int{}
	fence := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		for _, m := range htmlID.FindAllStringSubmatch(l, -1) {
			out[m[1]] = true
		}
		m := mdHeading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		slug := githubSlug(m[1])
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// githubSlug is GitHub's heading anchor: lower case, punctuation dropped,
// spaces to hyphens.
func githubSlug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 && r != '–' && r != '—' && r != '…' && r != '’':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocLinks: every relative link in the documentation names a file that
// exists and, with a #fragment, a heading that file has.
func TestDocLinks(t *testing.T) {
	cache := map[string]map[string]bool{}
	for _, f := range docFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fence := false
		for i, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "```") {
				fence = !fence
			}
			if fence {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(l, "``"), -1) {
				link := m[1]
				if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
					continue
				}
				path, frag, _ := strings.Cut(link, "#")
				target := f
				if path != "" {
					target = filepath.Join(filepath.Dir(f), path)
				}
				if _, err := os.Stat(target); err != nil {
					t.Errorf("%s:%d: link %q: %v", f, i+1, link, err)
					continue
				}
				if frag == "" || !strings.HasSuffix(target, ".md") {
					continue
				}
				if cache[target] == nil {
					cache[target] = anchors(t, target)
				}
				if !cache[target][frag] {
					t.Errorf("%s:%d: link %q: %s has no heading #%s", f, i+1, link, target, frag)
				}
			}
		}
	}
}

// readmeBudget is the README front page's size: what a user needs first
// (what it is, try it, install it, the API overview and the composed-resource
// table); the rest belongs in docs/, linked from it.
const readmeBudget = 20 << 10

// TestREADMEFrontPage keeps the README within its budget.
func TestREADMEFrontPage(t *testing.T) {
	fi, err := os.Stat(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > readmeBudget {
		t.Errorf("%s is %d bytes, over its %d-byte budget: move detail into docs/ and link it", readmeFile, fi.Size(), readmeBudget)
	}
}
