package fakeprovider

import (
	"maps"
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kind is a managed resource's apiVersion and kind.
type Kind struct {
	APIVersion string
	Kind       string
}

// Reference is one reference selector of a composed kind, as provider-aws
// v2.5.0's generated resolver (ResolveReferences) resolves it. The table of
// them, References, is written by e2e/cmd/genrefs, which asks the resolvers
// themselves (see e2e/internal/awsrefs): the e2e module links provider-aws
// anyway, and this module's tests then need not compile it and upjet.
type Reference struct {
	// Selector is the selector field's path from the object's root,
	// without list indices: "spec.forProvider.kmsKeyIdSelector".
	Selector string
	// Value and Ref are the fields, beside the selector, that resolution
	// sets: the value, and the reference to the target it came from.
	Value, Ref string
	// Multi is a list of values and references, one per target.
	Multi bool
	// Target is the kind the resolver lists; the zero Kind for a kind in a
	// group the function composes nothing of (an alarm's SNS topic).
	Target Kind
	// Extract is where in the target the value comes from: a path such as
	// "status.atProvider.arn", or ExternalName.
	Extract string
	// Field names the field in the resolver's errors:
	// "mg.Spec.ForProvider.KMSKeyID".
	Field string
}

// ExternalName is the Extract of a reference that copies the target's
// external name.
const ExternalName = "metadata.annotations[crossplane.io/external-name]"

// crossplane-runtime's resolution errors (pkg/reference).
const (
	errNoMatches = "no resources matched selector"
	errNoValue   = "referenced field was empty (referenced resource may not yet be ready)"
	errGet       = "cannot get referenced resource"
)

// errResolve prefixes a resolution error, as the managed reconciler does.
const errResolve = "cannot resolve references"

// ReferenceTargets returns the kind each reference selector of a composed
// kind selects, by selector path; the empty kind for one the function
// composes nothing of. It is false for a kind the table does not have: one
// the function does not compose.
func ReferenceTargets(gvk schema.GroupVersionKind) (map[string]schema.GroupVersionKind, bool) {
	refs, ok := References[Kind{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}]
	if !ok {
		return nil, false
	}
	out := make(map[string]schema.GroupVersionKind, len(refs))
	for _, r := range refs {
		var t schema.GroupVersionKind
		if r.Target != (Kind{}) {
			t = schema.FromAPIVersionAndKind(r.Target.APIVersion, r.Target.Kind)
		}
		out[r.Selector] = t
	}
	return out, true
}

// Store is what the API server holds of one simulated call: the managed
// resources, as JSON objects, that references resolve among.
type Store struct {
	objs []map[string]any
}

// NewStore holds objs. Like the API server, it lists them by name.
func NewStore(objs ...map[string]any) *Store {
	s := &Store{objs: slices.Clone(objs)}
	slices.SortStableFunc(s.objs, func(a, b map[string]any) int {
		return strings.Compare(str(a, "metadata", "name"), str(b, "metadata", "name"))
	})
	return s
}

// ResolveReferences resolves the references of one managed resource, given
// as its JSON object, among the store's, as provider-aws's generated
// resolver does (ResolveReferences of its kind, crossplane-runtime's
// APINamespacedResolver): a set value is left alone (unless the selector's
// policy says Always); a set reference is read by name; else a selector
// lists the target kind in the object's namespace (or the selector's) by
// matchLabels, with matchControllerRef only those of the same controller,
// and takes the first, whose value must be known, or for a list every one,
// by value. It returns a copy of the object's spec with every resolved
// value and reference, or the resolver's error for the first reference
// that does not resolve, in the resolver's order.
func (s *Store) ResolveReferences(obj map[string]any) (map[string]any, error) {
	spec, _ := obj["spec"].(map[string]any)
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	refs, ok := References[Kind{APIVersion: apiVersion, Kind: kind}]
	if !ok {
		return nil, errors.Errorf("%s: %s %s is not in the reference table", errResolve, apiVersion, kind)
	}
	out, _ := deepCopy(spec).(map[string]any)
	if out == nil || str(obj, "metadata", "deletionTimestamp") != "" {
		// Nothing to resolve, or being deleted: the resolver leaves it.
		return out, nil
	}
	for _, r := range refs {
		for _, parent := range parents(out, strings.Split(r.Selector, ".")[1:]) {
			if err := s.resolve(obj, parent, r); err != nil {
				return nil, errors.Wrap(errors.Wrap(err, r.Field), errResolve)
			}
		}
	}
	return out, nil
}

// parents returns the maps under m that hold the last element of path,
// every element of each list on the way.
func parents(m map[string]any, path []string) []map[string]any {
	if len(path) == 1 {
		return []map[string]any{m}
	}
	var out []map[string]any
	switch v := m[path[0]].(type) {
	case map[string]any:
		out = append(out, parents(v, path[1:])...)
	case []any:
		for _, e := range v {
			if em, ok := e.(map[string]any); ok {
				out = append(out, parents(em, path[1:])...)
			}
		}
	}
	return out
}

// resolve resolves one reference in parent, the map that holds its fields,
// as crossplane-runtime's APINamespacedResolver does (Resolve and
// ResolveMultiple).
func (s *Store) resolve(from, parent map[string]any, r Reference) error {
	sel, _ := parent[r.Selector[strings.LastIndexByte(r.Selector, '.')+1:]].(map[string]any)
	refs := parent[r.Ref]
	always := false
	switch {
	case sel != nil && str(sel, "policy", "resolve") == "Always":
		// A selector that always resolves selects again.
		refs, always = nil, true
	case sel == nil:
		always = alwaysResolves(refs)
	}
	if set(parent[r.Value]) && !always || sel == nil && !set(refs) {
		return nil
	}
	if r.Multi {
		return s.resolveMultiple(from, parent, sel, refs, r)
	}
	if ref, ok := refs.(map[string]any); ok {
		to, err := s.get(from, ref, r.Target)
		if err != nil {
			return orOptional(ref, err)
		}
		v := extract(to, r.Extract)
		if v == "" {
			return orOptional(ref, errors.New(errNoValue))
		}
		parent[r.Value] = v
		return nil
	}
	for _, to := range s.selected(from, sel, r.Target) {
		// The first selected, whether or not its value is known yet.
		parent[r.Ref] = reference(from, to, sel)
		v := extract(to, r.Extract)
		if v == "" {
			return orOptional(sel, errors.New(errNoValue))
		}
		parent[r.Value] = v
		return nil
	}
	return orOptional(sel, errors.New(errNoMatches))
}

// resolveMultiple resolves a reference to a list of targets.
func (s *Store) resolveMultiple(from, parent, sel map[string]any, refs any, r Reference) error {
	if list, ok := refs.([]any); ok && len(list) > 0 {
		vals := make([]any, 0, len(list))
		for _, e := range list {
			ref, _ := e.(map[string]any)
			to, err := s.get(from, ref, r.Target)
			if err != nil {
				return orOptional(ref, err)
			}
			v := extract(to, r.Extract)
			if v == "" {
				return orOptional(ref, errors.New(errNoValue))
			}
			vals = append(vals, v)
		}
		parent[r.Value] = vals
		return nil
	}
	// One reference per distinct value, sorted by value.
	byValue := map[string]map[string]any{}
	for _, to := range s.selected(from, sel, r.Target) {
		byValue[extract(to, r.Extract)] = reference(from, to, sel)
	}
	switch _, empty := byValue[""]; {
	case len(byValue) == 0:
		return orOptional(sel, errors.New(errNoMatches))
	case empty:
		return orOptional(sel, errors.New(errNoValue))
	}
	vals, rs := make([]any, 0, len(byValue)), make([]any, 0, len(byValue))
	for _, v := range slices.Sorted(maps.Keys(byValue)) {
		vals, rs = append(vals, v), append(rs, byValue[v])
	}
	parent[r.Value], parent[r.Ref] = vals, rs
	return nil
}

// get reads the target a reference names, in its namespace or else from's.
func (s *Store) get(from, ref map[string]any, target Kind) (map[string]any, error) {
	ns, _ := ref["namespace"].(string)
	if ns == "" {
		ns = str(from, "metadata", "namespace")
	}
	for _, o := range s.objs {
		if s.is(o, target) && str(o, "metadata", "namespace") == ns && str(o, "metadata", "name") == ref["name"] {
			return o, nil
		}
	}
	return nil, errors.Errorf("%s: %s %q not found", errGet, target.Kind, ref["name"])
}

// alwaysResolves reports whether a reference, or one of a list, has the
// policy to resolve even when the value is set.
func alwaysResolves(refs any) bool {
	switch refs := refs.(type) {
	case map[string]any:
		return str(refs, "policy", "resolve") == "Always"
	case []any:
		for _, r := range refs {
			if r, ok := r.(map[string]any); ok && str(r, "policy", "resolve") == "Always" {
				return true
			}
		}
	}
	return false
}

// selected lists what a selector selects: objects of the target kind in
// the selector's namespace (else from's) with every label of matchLabels
// and, with matchControllerRef, from's controller.
func (s *Store) selected(from, sel map[string]any, target Kind) []map[string]any {
	ns, _ := sel["namespace"].(string)
	if ns == "" {
		ns = str(from, "metadata", "namespace")
	}
	want, _ := sel["matchLabels"].(map[string]any)
	sameController := sel["matchControllerRef"] == true
	var out []map[string]any
	for _, o := range s.objs {
		if !s.is(o, target) || str(o, "metadata", "namespace") != ns {
			continue
		}
		labels, _ := o["metadata"].(map[string]any)["labels"].(map[string]any)
		match := true
		for k, v := range want {
			if labels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		if sameController && (controller(from) == "" || controller(from) != controller(o)) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// is reports whether o is of kind k. Nothing is of the zero Kind: no
// composed resource can be the target of a kind the function composes
// nothing of.
func (s *Store) is(o map[string]any, k Kind) bool {
	return k != (Kind{}) && o["apiVersion"] == k.APIVersion && o["kind"] == k.Kind
}

// reference is the reference a resolver records to a selected target: its
// name, and the namespace it was listed in.
func reference(from, to, sel map[string]any) map[string]any {
	ns, _ := sel["namespace"].(string)
	if ns == "" {
		ns = str(from, "metadata", "namespace")
	}
	ref := map[string]any{"name": str(to, "metadata", "name")}
	if ns != "" {
		ref["namespace"] = ns
	}
	return ref
}

// orOptional is err, or none for a selector or reference whose policy makes
// its resolution optional.
func orOptional(selOrRef map[string]any, err error) error {
	if str(selOrRef, "policy", "resolution") == "Optional" {
		return nil
	}
	return err
}

// extract reads a value as the resolver's extractor does: a string at the
// path, else the empty string.
func extract(o map[string]any, path string) string {
	if path == ExternalName {
		return str(o, "metadata", "annotations", "crossplane.io/external-name")
	}
	return str(o, strings.Split(path, ".")...)
}

// controller is the UID of an object's controller reference.
func controller(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	refs, _ := meta["ownerReferences"].([]any)
	for _, r := range refs {
		if r, ok := r.(map[string]any); ok && r["controller"] == true {
			uid, _ := r["uid"].(string)
			return uid
		}
	}
	return ""
}

// str is the string at path under m, or the empty string.
func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

// set reports whether a value field is set as the resolver sees it: a
// non-empty string, or a non-empty list.
func set(v any) bool {
	switch v := v.(type) {
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return true
	}
	return false
}

// deepCopy copies JSON values.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
