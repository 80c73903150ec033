package main

import (
	"errors"
	"fmt"
	"strings"
)

// schemaPath is the one schema source, relative to the repository root.
const schemaPath = "apis/schema.yaml"

// schemaIndent is the indentation of the openAPIV3Schema's content in an XRD
// (spec.versions[0].schema.openAPIV3Schema).
const schemaIndent = "        "

// variant is one XRD written from the schema.
type variant struct {
	// path of the XRD, relative to the repository root.
	path string
	// header is the XRD up to and including its "openAPIV3Schema:" line.
	header string
	// drop lists schema properties left out of this XRD, each as the path
	// of mapping keys that leads to it from the schema's root.
	drop [][]string
}

var variants = []variant{
	{path: "apis/namespaced/definition.yaml", header: namespacedHeader},
	{
		path:   "apis/legacy/definition.yaml",
		header: legacyHeader,
		// Crossplane adds writeConnectionSecretToRef to legacy XRs and
		// claims itself; an XRD that declares it is rejected.
		drop: [][]string{{"properties", "spec", "properties", "writeConnectionSecretToRef"}},
	},
}

// generate returns each variant's XRD, by path.
func generate(schema []byte) (map[string][]byte, error) {
	lines, err := schemaLines(string(schema))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, v := range variants {
		ls := lines
		for _, p := range v.drop {
			if ls, err = removeKey(ls, p); err != nil {
				return nil, fmt.Errorf("%s: %w", v.path, err)
			}
		}
		var b strings.Builder
		b.WriteString(v.header)
		for _, l := range ls {
			if l != "" {
				b.WriteString(schemaIndent)
				b.WriteString(l)
			}
			b.WriteByte('\n')
		}
		out[v.path] = []byte(b.String())
	}
	return out, nil
}

// schemaLines splits the schema source into lines, without the comment
// lines (and blank lines) at its top, which describe the file itself.
func schemaLines(s string) ([]string, error) {
	if !strings.HasSuffix(s, "\n") {
		return nil, errors.New("does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for len(lines) > 0 && (lines[0] == "" || strings.HasPrefix(lines[0], "#")) {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return nil, errors.New("no schema")
	}
	for i, l := range lines {
		switch {
		case strings.ContainsAny(l, "\t\r"):
			return nil, fmt.Errorf("line %d: a tab or carriage return (indent with spaces, end lines with \\n)", i+1)
		case strings.TrimSpace(l) == "" && l != "":
			return nil, fmt.Errorf("line %d: a blank line with spaces", i+1)
		case strings.HasSuffix(l, " "):
			return nil, fmt.Errorf("line %d: trailing space", i+1)
		}
	}
	if indent(lines[0]) != 0 {
		return nil, errors.New("the schema's first line is indented (its root keys start in column 1)")
	}
	return lines, nil
}

// removeKey returns lines without the block of the mapping key at path: the
// key's line and every line of its value (more indented, or a compact
// sequence at the key's own indentation). It works on the text, so the rest
// keeps its formatting; it fails if the path is not there, or not once.
func removeKey(lines []string, path []string) ([]string, error) {
	start, end, level := 0, len(lines), 0
	for depth, key := range path {
		at := -1
		for i := start; i < end; i++ {
			l := lines[i]
			if l == "" || indent(l) != level {
				continue
			}
			if k := strings.TrimSpace(l); k == key+":" || strings.HasPrefix(k, key+": ") {
				if at >= 0 {
					return nil, fmt.Errorf("%s: key %q twice", strings.Join(path[:depth+1], "."), key)
				}
				at = i
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("%s: no such key", strings.Join(path[:depth+1], "."))
		}
		blockEnd := at + 1
		for blockEnd < end {
			l := lines[blockEnd]
			if l != "" && indent(l) <= level && !(indent(l) == level && strings.HasPrefix(l[level:], "- ")) {
				break
			}
			blockEnd++
		}
		if depth == len(path)-1 {
			out := make([]string, 0, len(lines)-(blockEnd-at))
			out = append(out, lines[:at]...)
			return append(out, lines[blockEnd:]...), nil
		}
		// Descend: the key's value must be a block mapping, its keys all
		// at the indentation of its first line.
		first := at + 1
		for first < blockEnd && lines[first] == "" {
			first++
		}
		if first == blockEnd || indent(lines[first]) <= level || strings.HasPrefix(strings.TrimSpace(lines[first]), "- ") {
			return nil, fmt.Errorf("%s: not a block mapping", strings.Join(path[:depth+1], "."))
		}
		start, end, level = first, blockEnd, indent(lines[first])
	}
	return nil, errors.New("empty path")
}

// indent is the number of leading spaces of l.
func indent(l string) int {
	return len(l) - len(strings.TrimLeft(l, " "))
}
