package main

// What each reference selector of a composed provider-aws kind selects.
// Two sources that must agree:
//
//   - provider-aws's generated resolvers, the code the provider runs: for
//     each kind, fakeprovider.ReferenceTargets reads the kind each selector
//     lists from fakeprovider.References, the table e2e/cmd/genrefs writes
//     by running the kind's ResolveReferences (and the e2e module fails
//     when it differs from them). This gives each selector's target kind.
//   - the reference markers of the provider's Go types in internal/aws
//     (copied unchanged from provider-aws by internal/gen/awstypes), which
//     upjet generated the resolvers from:
//
//	// +crossplane:generate:reference:type=github.com/upbound/provider-aws/v2/apis/namespaced/kms/v1beta1.Key
//	// +crossplane:generate:reference:extractor=...            (optional: what is copied, default the external name)
//	// +crossplane:generate:reference:refFieldName=...Refs     (optional: the Ref field's Go name)
//	// +crossplane:generate:reference:selectorFieldName=...    (optional: the Selector field's Go name)
//	KMSKeyID *string `json:"kmsKeyId,omitempty"`
//
//     They give every field of each kind (the region rule reads them), every
//     selector field, and what the resolver extracts.
//
// Neither is a table in the test, so a selector the function starts to use
// is checked against the provider's own idea of its kind; a marker that
// names another kind than the resolver lists fails loading.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/crossplane/function-sdk-go/errors"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// providerTypesDir holds the provider-aws types of the composed kinds.
const providerTypesDir = "internal/aws"

// referenceMarker prefixes upjet's reference markers.
const referenceMarker = "+crossplane:generate:reference:"

// providerReference is what one selector field resolves among.
type providerReference struct {
	// Target is the kind the provider lists to resolve the selector: the
	// kind its resolver lists (withResolverTargets), else its marker's.
	Target objKind
	// Extractor is what the provider copies from the target; empty for its
	// external name.
	Extractor string
	// Marked is false for a selector field whose value field carries no
	// +crossplane:generate:reference:type marker.
	Marked bool
	// Source is the Go field, for messages: "ClusterParameters.KMSKeyIDSelector".
	Source string
}

// providerKindInfo is what the provider's types say about one kind. Paths
// run from the object's root, without list indices:
// "spec.forProvider.kmsKeyIdSelector".
type providerKindInfo struct {
	// Refs is every selector field, by path.
	Refs map[string]providerReference
	// Fields is the path of every field under spec.
	Fields map[string]bool
}

// providerReferenceIndex is every kind in internal/aws.
type providerReferenceIndex map[objKind]*providerKindInfo

// providerReferences loads the index once per test binary, with the
// targets the provider's resolvers list.
var providerReferences = sync.OnceValues(func() (providerReferenceIndex, error) {
	idx, err := loadProviderReferences(providerTypesDir)
	if err != nil {
		return nil, err
	}
	return idx, withResolverTargets(idx, fakeprovider.ReferenceTargets)
})

// withResolverTargets sets each selector's Target to the kind the
// provider's generated resolver lists for it, as targets (from
// fakeprovider.ReferenceTargets) reports it. The resolver and the markers
// come from one provider-aws version, so a selector the resolver does not
// resolve, or a marker naming another kind, means internal/aws was copied
// from another version: an error, not a guess. A target in a group the
// function composes nothing of (the empty kind) keeps its marker's kind.
func withResolverTargets(idx providerReferenceIndex, targets func(schema.GroupVersionKind) (map[string]schema.GroupVersionKind, bool)) error {
	kinds := make([]objKind, 0, len(idx))
	for k := range idx {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b objKind) int { return strings.Compare(a.String(), b.String()) })
	for _, kind := range kinds {
		info := idx[kind]
		got, composed := targets(schema.FromAPIVersionAndKind(kind.APIVersion, kind.Kind))
		if !composed {
			// A kind internal/aws has only because a composed one
			// references it (iam Policy): nothing selects from it.
			continue
		}
		for _, p := range sortedMapKeys(info.Refs) {
			ref := info.Refs[p]
			gvk, ok := got[p]
			switch {
			case !ok:
				return errors.Errorf("%s: the provider's resolver does not resolve %s", kind, p)
			case gvk.Kind == "":
				continue
			}
			target := objKind{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}
			if ref.Marked && target != ref.Target {
				return errors.Errorf("%s: %s lists %s in the provider's resolver, but its marker names %s", kind, p, target, ref.Target)
			}
			ref.Target = target
			info.Refs[p] = ref
		}
	}
	return nil
}

// loadProviderReferences indexes every zz_generated.types.go under root
// (<group>/<version>/).
func loadProviderReferences(root string) (providerReferenceIndex, error) {
	paths, err := filepath.Glob(filepath.Join(root, "*", "*", "zz_generated.types.go"))
	if err != nil {
		return nil, errors.Wrap(err, "cannot list the provider types")
	}
	if len(paths) == 0 {
		return nil, errors.Errorf("no provider types under %s", root)
	}
	idx := providerReferenceIndex{}
	for _, p := range paths {
		if err := indexProviderReferences(p, idx); err != nil {
			return nil, errors.Wrapf(err, "cannot index the references of %s", p)
		}
	}
	return idx, nil
}

// providerTypesFile is one parsed zz_generated.types.go.
type providerTypesFile struct {
	path         string
	groupVersion string
	structs      map[string]*ast.StructType
}

// indexProviderReferences adds the selectors of every kind of one file.
func indexProviderReferences(path string, idx providerReferenceIndex) error {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return errors.Wrap(err, "cannot parse")
	}
	consts := map[string]string{}
	pf := &providerTypesFile{path: path, structs: map[string]*ast.StructType{}}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			switch spec := spec.(type) {
			case *ast.ValueSpec:
				for i, n := range spec.Names {
					if i < len(spec.Values) {
						if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[n.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			case *ast.TypeSpec:
				if st, ok := spec.Type.(*ast.StructType); ok {
					pf.structs[spec.Name.Name] = st
				}
			}
		}
	}
	if consts["CRDGroup"] == "" || consts["CRDVersion"] == "" {
		return errors.New("no CRDGroup and CRDVersion constants")
	}
	pf.groupVersion = consts["CRDGroup"] + "/" + consts["CRDVersion"]
	for _, name := range sortedMapKeys(pf.structs) {
		spec, ok := kindSpecType(pf.structs[name])
		if !ok {
			continue
		}
		info := &providerKindInfo{Refs: map[string]providerReference{}, Fields: map[string]bool{}}
		if err := pf.walk(spec, "spec", info, map[string]bool{}); err != nil {
			return errors.Wrapf(err, "kind %s", name)
		}
		idx[objKind{APIVersion: pf.groupVersion, Kind: name}] = info
	}
	return nil
}

// kindSpecType is the spec type of a kind's root struct: one that embeds
// metav1.TypeMeta and has a "spec" field.
func kindSpecType(st *ast.StructType) (string, bool) {
	typeMeta := false
	spec := ""
	for _, fld := range st.Fields.List {
		if len(fld.Names) == 0 {
			if sel, ok := fld.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "TypeMeta" {
				typeMeta = true
			}
			continue
		}
		if name, _ := astJSONName(fld); name == "spec" {
			spec, _, _ = astLocalType(fld.Type)
		}
	}
	return spec, typeMeta && spec != ""
}

// walk records every field, and every selector field, reachable from a
// struct of this file.
func (pf *providerTypesFile) walk(structName, path string, info *providerKindInfo, visiting map[string]bool) error {
	st, ok := pf.structs[structName]
	if !ok || visiting[structName] {
		return nil
	}
	visiting[structName] = true
	defer delete(visiting, structName)

	targets, err := pf.referenceTargets(structName, st)
	if err != nil {
		return err
	}
	for _, fld := range st.Fields.List {
		typ, isLocal, isSelector := astLocalType(fld.Type)
		if len(fld.Names) == 0 {
			// An embedded local struct adds its fields to this one.
			if isLocal {
				if err := pf.walk(typ, path, info, visiting); err != nil {
					return err
				}
			}
			continue
		}
		name, ok := astJSONName(fld)
		if !ok {
			continue
		}
		p := path + "." + name
		info.Fields[p] = true
		switch {
		case isSelector:
			goName := fld.Names[0].Name
			ref, ok := targets[goName]
			if !ok {
				ref = providerReference{Source: structName + "." + goName}
			}
			info.Refs[p] = ref
		case isLocal:
			if err := pf.walk(typ, p, info, visiting); err != nil {
				return err
			}
		}
	}
	return nil
}

// referenceTargets reads the reference markers of one struct's fields and
// returns what each selector field selects, by the selector's Go name.
func (pf *providerTypesFile) referenceTargets(structName string, st *ast.StructType) (map[string]providerReference, error) {
	out := map[string]providerReference{}
	for _, fld := range st.Fields.List {
		if fld.Doc == nil || len(fld.Names) == 0 {
			continue
		}
		markers := map[string]string{}
		for _, c := range fld.Doc.List {
			text := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
			if kv, ok := strings.CutPrefix(text, referenceMarker); ok {
				k, v, _ := strings.Cut(kv, "=")
				markers[k] = v
			}
		}
		if len(markers) == 0 {
			continue
		}
		goName := fld.Names[0].Name
		if markers["type"] == "" {
			return nil, errors.Errorf("%s.%s has reference markers but no type marker", structName, goName)
		}
		target, err := referenceTarget(markers["type"], pf.groupVersion)
		if err != nil {
			return nil, errors.Wrapf(err, "%s.%s", structName, goName)
		}
		selector := markers["selectorFieldName"]
		if selector == "" {
			selector = goName + "Selector"
		}
		out[selector] = providerReference{Target: target, Extractor: markers["extractor"], Marked: true, Source: structName + "." + selector}
	}
	return out, nil
}

// referenceTarget turns a type marker into the kind it names:
// github.com/upbound/provider-aws/v2/apis/namespaced/kms/v1beta1.Key is
// kms.aws.m.upbound.io/v1beta1 Key (apis/cluster/... is aws.upbound.io); a
// bare type name is in the marker's own package.
func referenceTarget(typ, ownGroupVersion string) (objKind, error) {
	i := strings.LastIndexByte(typ, '.')
	if i < 0 {
		return objKind{APIVersion: ownGroupVersion, Kind: typ}, nil
	}
	pkg, kind := typ[:i], typ[i+1:]
	parts := strings.Split(pkg, "/")
	if len(parts) < 3 || kind == "" {
		return objKind{}, errors.Errorf("cannot read reference type %q", typ)
	}
	group, version := parts[len(parts)-2], parts[len(parts)-1]
	switch {
	case strings.Contains(pkg, "/apis/namespaced/"):
		return objKind{APIVersion: group + ".aws.m.upbound.io/" + version, Kind: kind}, nil
	case strings.Contains(pkg, "/apis/cluster/"):
		return objKind{APIVersion: group + ".aws.upbound.io/" + version, Kind: kind}, nil
	default:
		return objKind{}, errors.Errorf("reference type %q is in no provider-aws API package this test knows", typ)
	}
}

// astJSONName is a field's JSON name; false for "-" and inline fields.
func astJSONName(fld *ast.Field) (string, bool) {
	if fld.Tag == nil {
		return "", false
	}
	tag, err := strconv.Unquote(fld.Tag.Value)
	if err != nil {
		return "", false
	}
	name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	if name == "" || name == "-" {
		return "", false
	}
	return name, true
}

// astLocalType looks through pointers, lists and map values of a field's type.
// It returns the type's name if it is declared in this file (an identifier),
// and whether it is crossplane-runtime's selector type.
func astLocalType(e ast.Expr) (name string, local, selector bool) {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ArrayType:
			e = t.Elt
		case *ast.MapType:
			e = t.Value
		case *ast.Ident:
			return t.Name, true, false
		case *ast.SelectorExpr:
			return t.Sel.Name, false, t.Sel.Name == "NamespacedSelector" || t.Sel.Name == "Selector"
		default:
			return "", false, false
		}
	}
}
