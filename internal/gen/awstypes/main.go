// Command awstypes writes the Go API types of the provider-aws kinds this
// function composes, and only those, from the provider-aws module's own
// generated sources: each kind's type declarations and everything they
// reference in their package, with their deepcopy functions.
//
// The function builds typed provider structs, but importing provider-aws's
// API packages links each group's every kind and, through them, upjet, the
// Terraform plugin SDK and client-go: a 79 MB binary that touches some 23 MiB
// more memory than an empty function's. The declarations written here are the
// provider's, unchanged (same names, fields, JSON tags, comments and markers),
// so builders and golden files do not change with the move.
//
// Usage (see internal/aws/doc.go, which runs it through go generate):
//
//	awstypes -module github.com/upbound/provider-aws/v2 -version v2.7.0 -kinds kinds.txt -out .
//	awstypes ... -verify   # fail if a written file differs from what it would write
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// apiRoot is where provider-aws v2 keeps its namespaced (*.aws.m.upbound.io)
// API packages.
const apiRoot = "apis/namespaced"

func main() {
	module := flag.String("module", "github.com/upbound/provider-aws/v2", "the provider module")
	version := flag.String("version", "", "the provider module version, exactly (for example v2.7.0)")
	kinds := flag.String("kinds", "kinds.txt", "file listing <group>/<version> followed by its kinds, one group per line")
	out := flag.String("out", ".", "directory to write <group>/<version>/zz_generated.*.go into")
	dir := flag.String("dir", "", "the module's source directory (default: downloaded with go mod download)")
	verify := flag.Bool("verify", false, "write nothing; fail if any file differs from what would be written")
	flag.Parse()

	if err := run(*module, *version, *kinds, *out, *dir, *verify); err != nil {
		fmt.Fprintln(os.Stderr, "awstypes:", err)
		os.Exit(1)
	}
}

func run(module, version, kindsFile, out, dir string, verify bool) error {
	if version == "" {
		return fmt.Errorf("-version is required")
	}
	groups, err := readKinds(kindsFile)
	if err != nil {
		return err
	}
	if dir == "" {
		if dir, err = download(module, version); err != nil {
			return err
		}
	}
	var stale []string
	written := map[string]bool{}
	for _, g := range groups {
		files, err := generate(filepath.Join(dir, apiRoot, g.path), module+"@"+version, g)
		if err != nil {
			return fmt.Errorf("%s: %w", g.path, err)
		}
		for name, content := range files {
			path := filepath.Join(out, g.path, name)
			written[path] = true
			if verify {
				have, err := os.ReadFile(path) //nolint:gosec // a path this tool builds
				if err != nil || !bytes.Equal(have, content) {
					stale = append(stale, path)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return err
			}
			if err := os.WriteFile(path, content, 0o600); err != nil {
				return err
			}
		}
	}
	// Generated files of a group or kind no longer listed.
	left, err := filepath.Glob(filepath.Join(out, "*", "*", "zz_generated.*.go"))
	if err != nil {
		return err
	}
	for _, path := range left {
		switch {
		case written[path]:
		case verify:
			stale = append(stale, path)
		default:
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	if len(stale) > 0 {
		sort.Strings(stale)
		return fmt.Errorf("out of date (run go generate ./internal/aws): %s", strings.Join(stale, ", "))
	}
	return nil
}

type group struct {
	path  string // for example rds/v1beta1
	kinds []string
}

func readKinds(path string) ([]group, error) {
	f, err := os.Open(path) //nolint:gosec // the caller's file
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read only
	var gs []group
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 2 || strings.Count(fields[0], "/") != 1 {
			return nil, fmt.Errorf("%s: want <group>/<version> <Kind>...: %q", path, sc.Text())
		}
		gs = append(gs, group{path: fields[0], kinds: fields[1:]})
	}
	return gs, sc.Err()
}

// download returns the module's directory in the module cache, fetching it
// if needed. It runs outside this module so go.mod is left alone.
func download(module, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version) //nolint:gosec // flags of this tool
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot download %s@%s: %w", module, version, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("cannot read go mod download output: %w", err)
	}
	if m.Error != "" || m.Dir == "" {
		return "", fmt.Errorf("cannot download %s@%s: %s", module, version, m.Error)
	}
	return m.Dir, nil
}

// source is one parsed file of the provider's package.
type source struct {
	name    string
	src     []byte
	file    *ast.File
	imports map[string]string // name as used in the file → import path
}

// generate returns the files to write for one group version: the kinds'
// types (with CRDGroupVersion) and their deepcopy functions.
func generate(pkgDir, from string, g group) (map[string][]byte, error) {
	fset := token.NewFileSet()
	var types []*source
	var deepcopy *source
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		isTypes := strings.HasPrefix(n, "zz_") && strings.HasSuffix(n, "_types.go")
		if !isTypes && n != "zz_generated.deepcopy.go" {
			continue
		}
		s, err := parse(fset, filepath.Join(pkgDir, n))
		if err != nil {
			return nil, err
		}
		if isTypes {
			types = append(types, s)
		} else {
			deepcopy = s
		}
	}
	if len(types) == 0 || deepcopy == nil {
		return nil, fmt.Errorf("no zz_*_types.go or zz_generated.deepcopy.go in %s", pkgDir)
	}

	// Every type declared in the package, by name.
	type decl struct {
		src  *source
		spec *ast.TypeSpec
		gen  *ast.GenDecl
	}
	decls := map[string]decl{}
	for _, s := range types {
		for gd, sp := range specs(s.file, token.TYPE) {
			ts := sp.(*ast.TypeSpec) //nolint:forcetypeassert // a type GenDecl holds TypeSpecs
			decls[ts.Name.Name] = decl{src: s, spec: ts, gen: gd}
		}
	}

	// The kinds and every type they reach.
	keep := map[string]bool{}
	queue := append([]string(nil), g.kinds...)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if keep[n] {
			continue
		}
		d, ok := decls[n]
		if !ok {
			return nil, fmt.Errorf("no type %s", n)
		}
		keep[n] = true
		ast.Inspect(d.spec.Type, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.SelectorExpr:
				return false // another package's type
			case *ast.Ident:
				if _, local := decls[x.Name]; local && !keep[x.Name] {
					queue = append(queue, x.Name)
				}
			}
			return true
		})
	}
	names := make([]string, 0, len(keep))
	for n := range keep {
		names = append(names, n)
	}
	// Declaration order of the provider's files: kinds stay next to their
	// parameters and observations.
	sort.Slice(names, func(i, j int) bool {
		a, b := decls[names[i]], decls[names[j]]
		if a.src.name != b.src.name {
			return a.src.name < b.src.name
		}
		return a.gen.Pos() < b.gen.Pos()
	})

	pkg := types[0].file.Name.Name
	header := fmt.Sprintf("// SPDX-FileCopyrightText: 2024 The Crossplane Authors <https://crossplane.io>\n//\n// SPDX-License-Identifier: Apache-2.0\n\n"+
		"// Code generated by internal/gen/awstypes from %s (%s/%s). DO NOT EDIT.\n\n", from, apiRoot, g.path)

	// Types.
	var body bytes.Buffer
	used := map[string]string{}
	_, version, _ := strings.Cut(g.path, "/")
	crdGroup, err := groupFromInfo(pkgDir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&body, "// Package type metadata.\nconst (\n\tCRDGroup   = %q\n\tCRDVersion = %q\n)\n\n", crdGroup, version)
	fmt.Fprintf(&body, "// CRDGroupVersion is the API group version of these kinds.\nvar CRDGroupVersion = schema.GroupVersion{Group: CRDGroup, Version: CRDVersion}\n\n")
	used["schema"] = "k8s.io/apimachinery/pkg/runtime/schema"
	for _, n := range names {
		d := decls[n]
		if len(d.gen.Specs) != 1 {
			return nil, fmt.Errorf("type %s is declared in a group; not supported", n)
		}
		if err := collectImports(d.spec, d.src, used); err != nil {
			return nil, err
		}
		start := d.gen.Pos()
		if d.gen.Doc != nil {
			start = d.gen.Doc.Pos()
		}
		body.Write(d.src.src[fset.Position(start).Offset:fset.Position(d.gen.End()).Offset])
		body.WriteString("\n\n")
	}
	typesFile, err := render(header, pkg, used, body.Bytes())
	if err != nil {
		return nil, fmt.Errorf("types: %w", err)
	}

	// Deepcopy functions of the kept types.
	body.Reset()
	used = map[string]string{}
	for _, d := range deepcopy.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || !keep[receiverType(fd.Recv.List[0].Type)] {
			continue
		}
		if err := collectImports(fd, deepcopy, used); err != nil {
			return nil, err
		}
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		body.Write(deepcopy.src[fset.Position(start).Offset:fset.Position(fd.End()).Offset])
		body.WriteString("\n\n")
	}
	deepcopyFile, err := render(header, pkg, used, body.Bytes())
	if err != nil {
		return nil, fmt.Errorf("deepcopy: %w", err)
	}
	return map[string][]byte{
		"zz_generated.types.go":    typesFile,
		"zz_generated.deepcopy.go": deepcopyFile,
	}, nil
}

func parse(fset *token.FileSet, path string) (*source, error) {
	src, err := os.ReadFile(path) //nolint:gosec // a file of the provider's package
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	s := &source{name: filepath.Base(path), src: src, file: f, imports: map[string]string{}}
	for _, im := range f.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			return nil, err
		}
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		s.imports[name] = p
	}
	return s, nil
}

// collectImports records the imports node uses, by the name its file gives
// them; the same name for two paths across the provider's files is an error.
func collectImports(node ast.Node, s *source, used map[string]string) error {
	var err error
	ast.Inspect(node, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		p, ok := s.imports[id.Name]
		if !ok {
			return true // a field or method selector
		}
		if have, ok := used[id.Name]; ok && have != p {
			err = fmt.Errorf("%s: import name %s is both %s and %s", s.name, id.Name, have, p)
			return false
		}
		used[id.Name] = p
		return true
	})
	return err
}

func receiverType(e ast.Expr) string {
	if st, ok := e.(*ast.StarExpr); ok {
		e = st.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// groupFromInfo is the API group the package declares as CRDGroup in
// zz_groupversion_info.go.
func groupFromInfo(pkgDir string) (string, error) {
	s, err := parse(token.NewFileSet(), filepath.Join(pkgDir, "zz_groupversion_info.go"))
	if err != nil {
		return "", err
	}
	for _, sp := range specs(s.file, token.CONST) {
		vs := sp.(*ast.ValueSpec) //nolint:forcetypeassert // a const GenDecl holds ValueSpecs
		for i, n := range vs.Names {
			if n.Name != "CRDGroup" || i >= len(vs.Values) {
				continue
			}
			if bl, ok := vs.Values[i].(*ast.BasicLit); ok && bl.Kind == token.STRING {
				return strconv.Unquote(bl.Value)
			}
		}
	}
	return "", fmt.Errorf("no string constant CRDGroup in %s", s.name)
}

// specs yields the specs of f's declarations of one kind (type, const), each
// with its declaration.
func specs(f *ast.File, tok token.Token) iter.Seq2[*ast.GenDecl, ast.Spec] {
	return func(yield func(*ast.GenDecl, ast.Spec) bool) {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != tok {
				continue
			}
			for _, sp := range gd.Specs {
				if !yield(gd, sp) {
					return
				}
			}
		}
	}
}

func render(header, pkg string, imports map[string]string, body []byte) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	if len(imports) > 0 {
		names := make([]string, 0, len(imports))
		for n := range imports {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return imports[names[i]] < imports[names[j]] })
		b.WriteString("import (\n")
		for _, n := range names {
			p := imports[n]
			if n == p[strings.LastIndex(p, "/")+1:] {
				fmt.Fprintf(&b, "\t%q\n", p)
				continue
			}
			fmt.Fprintf(&b, "\t%s %q\n", n, p)
		}
		b.WriteString(")\n\n")
	}
	b.Write(body)
	return format.Source(b.Bytes())
}
