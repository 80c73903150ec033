package awsrefs

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// probeLabel is the label each probe selector matches on; its value is the
// selector's path.
const probeLabel = "fakeprovider.test/probe"

// probeNamespace is the namespace of the probed objects.
const probeNamespace = "probe"

// errNoMatches is crossplane-runtime's error for a selector that selects
// nothing (pkg/reference).
const errNoMatches = "no resources matched selector"

// Probe returns the references of a kind as provider-aws's generated
// resolver (ResolveReferences) resolves them, in the order it resolves
// them, by running it:
//
//   - with every selector set to an optional one matching a label that
//     names its path, against a reader that records which kind each List
//     asks for: each selector's target kind;
//   - with one selector set, required, against a reader that has nothing:
//     the resolver's error names the field (mg.Spec.ForProvider.KMSKeyID);
//   - with one selector set, against a reader that has one target whose
//     every candidate value (external name, name, each string field of
//     spec.forProvider and status.atProvider) is its own path: the fields
//     that appear beside the selector are the value and the reference, and
//     the value names where the resolver's extractor read it.
//
// Nothing here knows which extractor a kind uses: a resolver that extracts
// something else fails the probe instead of being guessed.
func Probe(gvk schema.GroupVersionKind) ([]fakeprovider.Reference, error) {
	o, selectors, err := probeObject(gvk, "")
	if err != nil {
		return nil, err
	}
	r, ok := o.(referenceResolver)
	if !ok {
		if len(selectors) > 0 {
			return nil, errors.Errorf("%s has selectors but no ResolveReferences", gvk)
		}
		return nil, nil
	}
	rec := &probeReader{}
	if err := r.ResolveReferences(context.Background(), rec); err != nil {
		return nil, errors.Wrapf(err, "cannot probe the references of %s", gvk)
	}
	if len(rec.order) != len(selectors) {
		return nil, errors.Errorf("%s: the resolver listed %d times for %d selectors %v", gvk, len(rec.order), len(selectors), selectors)
	}
	out := make([]fakeprovider.Reference, 0, len(rec.order))
	for i, path := range rec.order {
		ref, err := probeOne(gvk, path, rec.kinds[i])
		if err != nil {
			return nil, errors.Wrapf(err, "%s: %s", gvk, path)
		}
		out = append(out, ref)
	}
	return out, nil
}

// probeOne learns what one selector's resolution sets and extracts.
func probeOne(gvk schema.GroupVersionKind, path string, target fakeprovider.Kind) (fakeprovider.Reference, error) {
	ref := fakeprovider.Reference{Selector: path, Target: target}

	// Required, with nothing to select: the resolver's error names the field.
	o, _, err := probeObject(gvk, path)
	if err != nil {
		return ref, err
	}
	err = o.(referenceResolver).ResolveReferences(context.Background(), &probeReader{})
	field, ok := "", false
	if err != nil {
		field, ok = strings.CutSuffix(err.Error(), ": "+errNoMatches)
	}
	if !ok {
		return ref, errors.Errorf("a required selector that selects nothing: want %q, got %v", errNoMatches, err)
	}
	ref.Field = field

	// One target, every candidate value its own path.
	o, _, err = probeObject(gvk, path)
	if err != nil {
		return ref, err
	}
	before, err := asMap(o)
	if err != nil {
		return ref, err
	}
	if err := o.(referenceResolver).ResolveReferences(context.Background(), &probeReader{target: true}); err != nil {
		return ref, errors.Wrap(err, "cannot resolve to the probe target")
	}
	after, err := asMap(o)
	if err != nil {
		return ref, err
	}
	elems := strings.Split(path, ".")
	pb, pa := probeParent(before, elems), probeParent(after, elems)
	if pb == nil || pa == nil {
		return ref, errors.New("cannot find the selector's parent in the resolved object")
	}
	var value any
	for k, v := range pa {
		if _, ok := pb[k]; ok {
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			ref.Ref = k
		case []any:
			if len(v) == 1 {
				if _, isRef := v[0].(map[string]any); isRef {
					ref.Ref = k
					continue
				}
			}
			ref.Value, ref.Multi, value = k, true, v
		default:
			ref.Value, value = k, v
		}
	}
	if ref.Value == "" || ref.Ref == "" {
		return ref, errors.Errorf("resolution set no value and reference beside the selector: %v", pa)
	}
	if l, ok := value.([]any); ok && len(l) == 1 {
		value = l[0]
	}
	extracted, _ := value.(string)
	if !probeValues[extracted] && !strings.HasPrefix(extracted, "spec.forProvider.") && !strings.HasPrefix(extracted, "status.atProvider.") {
		return ref, errors.Errorf("the resolver extracted %v, none of the probe target's candidate values", value)
	}
	ref.Extract = extracted
	return ref, nil
}

// probeValues are the probe target's candidate values outside its spec and
// status, each its own path.
var probeValues = map[string]bool{fakeprovider.ExternalName: true, "metadata.name": true}

// probeObject is an empty object of a kind with probe selectors: every one
// optional when only is empty, else only the selector at that path,
// required. It returns the selectors' paths.
func probeObject(gvk schema.GroupVersionKind, only string) (any, []string, error) {
	o, err := Scheme.New(gvk)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "cannot make a %s", gvk)
	}
	o.(metav1.Object).SetNamespace(probeNamespace)
	o.(metav1.Object).SetName("probe")
	spec := reflect.ValueOf(o).Elem().FieldByName("Spec")
	if !spec.IsValid() {
		return nil, nil, errors.Errorf("%s has no spec", gvk)
	}
	var selectors []string
	setProbeSelectors(spec, "spec", spec.Type().PkgPath(), only, &selectors)
	if only != "" && len(selectors) != 1 {
		return nil, nil, errors.Errorf("%s has no selector %s", gvk, only)
	}
	return o, selectors, nil
}

// setProbeSelectors sets the *NamespacedSelector fields under v, a struct,
// to probe selectors (all, or the one at path only), creating the kind's
// own structs (those of package pkg, and one element of each list of them)
// on the way, and records their paths. crossplane-runtime's structs
// (references, the provider config) stay unset: a set reference would be
// read instead of the selector.
func setProbeSelectors(v reflect.Value, path, pkg, only string, selectors *[]string) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		p := path + "." + name
		if name == "" {
			p = path // inline
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		switch {
		case f.Type == reflect.TypeFor[*xpv1.NamespacedSelector]():
			if only != "" && p != only {
				continue
			}
			sel := &xpv1.NamespacedSelector{MatchLabels: map[string]string{probeLabel: p}}
			if only == "" {
				sel.Policy = &xpv1.Policy{Resolution: ptr.To(xpv1.ResolutionPolicyOptional)}
			}
			fv.Set(reflect.ValueOf(sel))
			*selectors = append(*selectors, p)
		case f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == pkg:
			setProbeSelectors(fv, p, pkg, only, selectors)
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem().PkgPath() == pkg:
			e := reflect.New(f.Type.Elem())
			setProbeSelectors(e.Elem(), p, pkg, only, selectors)
			fv.Set(e)
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem().PkgPath() == pkg:
			l := reflect.MakeSlice(f.Type, 1, 1)
			setProbeSelectors(l.Index(0), p, pkg, only, selectors)
			fv.Set(l)
		}
	}
}

// probeParent is the map holding the last element of path under m, through
// the first element of each list.
func probeParent(m map[string]any, path []string) map[string]any {
	for _, p := range path[:len(path)-1] {
		switch v := m[p].(type) {
		case map[string]any:
			m = v
		case []any:
			if len(v) == 0 {
				return nil
			}
			m, _ = v[0].(map[string]any)
		default:
			return nil
		}
	}
	return m
}

func asMap(o any) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the probe object")
	}
	var m map[string]any
	return m, errors.Wrap(json.Unmarshal(b, &m), "cannot decode the probe object")
}

// probeReader is a client.Reader for probes. It records the kind each List
// asks for, by the probe label it selects, in order, and has nothing; with
// target, it lists one target whose candidate values are their paths.
type probeReader struct {
	target bool
	order  []string
	kinds  []fakeprovider.Kind
}

func (r *probeReader) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	return errors.Errorf("a probe sets no reference, yet %s was read", key)
}

func (r *probeReader) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	lo := &client.ListOptions{}
	lo.ApplyOptions(opts)
	sel := lo.LabelSelector
	if sel == nil {
		sel = labels.Everything()
	}
	reqs, _ := sel.Requirements()
	var path string
	for _, req := range reqs {
		if req.Key() == probeLabel {
			path, _ = req.Values().PopAny()
		}
	}
	if path == "" {
		return errors.Errorf("a list without the probe label: %s", sel)
	}
	var kind fakeprovider.Kind
	if _, ok := list.(*standInList); !ok {
		// One of uncomposedTargets, else a composed kind.
		gvks, _, err := Scheme.ObjectKinds(list)
		if err != nil {
			return errors.Wrapf(err, "cannot tell the kind %s lists", path)
		}
		kind = fakeprovider.Kind{APIVersion: gvks[0].GroupVersion().String(), Kind: strings.TrimSuffix(gvks[0].Kind, "List")}
	}
	r.order, r.kinds = append(r.order, path), append(r.kinds, kind)
	if r.target {
		return addProbeTarget(list)
	}
	return nil
}

// addProbeTarget adds to a typed list one item whose external name, name
// and string fields of spec.forProvider and status.atProvider are their own
// paths.
func addProbeTarget(list client.ObjectList) error {
	items := reflect.ValueOf(list).Elem().FieldByName("Items")
	if !items.IsValid() || items.Kind() != reflect.Slice {
		return errors.Errorf("%T has no Items", list)
	}
	item := reflect.New(items.Type().Elem())
	obj, ok := item.Interface().(metav1.Object)
	if !ok {
		return errors.Errorf("%T is not an object", item.Interface())
	}
	obj.SetName("metadata.name")
	obj.SetNamespace(probeNamespace)
	obj.SetAnnotations(map[string]string{"crossplane.io/external-name": fakeprovider.ExternalName})
	seed := func(v reflect.Value, path string) {
		if !v.IsValid() {
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			switch f.Type {
			case reflect.TypeFor[*string]():
				v.Field(i).Set(reflect.ValueOf(ptr.To(path + "." + name)))
			case reflect.TypeFor[string]():
				v.Field(i).SetString(path + "." + name)
			}
		}
	}
	seedParams := func(parent reflect.Value, field, path string) {
		if !parent.IsValid() {
			return
		}
		f := parent.FieldByName(field)
		if !f.IsValid() {
			return
		}
		seed(f, path)
		// upjet's parameters embed the fields forProvider and initProvider
		// share: their fields are promoted, but live in the embedded struct.
		for i := range f.NumField() {
			if f.Type().Field(i).Anonymous && f.Field(i).Kind() == reflect.Struct {
				seed(f.Field(i), path)
			}
		}
	}
	seedParams(item.Elem().FieldByName("Spec"), "ForProvider", "spec.forProvider")
	seedParams(item.Elem().FieldByName("Status"), "AtProvider", "status.atProvider")
	items.Set(reflect.Append(items, item.Elem()))
	return nil
}
