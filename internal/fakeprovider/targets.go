package fakeprovider

import (
	"context"
	"reflect"
	"strings"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// probeLabel is the label each probe selector matches on; its value is the
// selector's path.
const probeLabel = "fakeprovider.test/probe"

// ReferenceTargets returns, for every reference selector of a kind, by its
// path from the object's root without list indices
// ("spec.forProvider.kmsKeyIdSelector"), the kind the provider lists to
// resolve it. It asks the provider's generated resolver itself: it sets
// every selector of an empty object to an optional one that matches a label
// naming its path, runs ResolveReferences against a reader that records
// which kind each List asks for, and returns nothing to resolve. A selector
// of a kind in a group the function composes nothing of (an alarm's SNS
// topic) has the empty kind: no composed resource can be its target.
func ReferenceTargets(gvk schema.GroupVersionKind) (map[string]schema.GroupVersionKind, error) {
	o, err := Scheme.New(gvk)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot make a %s", gvk)
	}
	selectors := map[string]bool{}
	spec := reflect.ValueOf(o).Elem().FieldByName("Spec")
	if !spec.IsValid() {
		return nil, errors.Errorf("%s has no spec", gvk)
	}
	setProbeSelectors(spec, "spec", spec.Type().PkgPath(), selectors)
	r, ok := o.(referenceResolver)
	if !ok {
		if len(selectors) > 0 {
			return nil, errors.Errorf("%s has selectors but no ResolveReferences", gvk)
		}
		return map[string]schema.GroupVersionKind{}, nil
	}
	rec := &listRecorder{lists: map[string]schema.GroupVersionKind{}}
	if err := r.ResolveReferences(context.Background(), rec); err != nil {
		return nil, errors.Wrapf(err, "cannot probe the references of %s", gvk)
	}
	for p := range selectors {
		if _, ok := rec.lists[p]; !ok {
			return nil, errors.Errorf("the resolver of %s does not resolve %s", gvk, p)
		}
	}
	return rec.lists, nil
}

// setProbeSelectors sets every *NamespacedSelector field under v, a struct,
// to a probe selector, creating the kind's own structs (those of package
// pkg, and one element of each list of them) on the way, and records their
// paths. crossplane-runtime's structs (references, the provider config)
// stay unset: a set reference would be read instead of the selector.
func setProbeSelectors(v reflect.Value, path, pkg string, selectors map[string]bool) {
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
			fv.Set(reflect.ValueOf(&xpv1.NamespacedSelector{
				MatchLabels: map[string]string{probeLabel: p},
				Policy:      &xpv1.Policy{Resolution: ptr.To(xpv1.ResolutionPolicyOptional)},
			}))
			selectors[p] = true
		case f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == pkg:
			setProbeSelectors(fv, p, pkg, selectors)
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem().PkgPath() == pkg:
			e := reflect.New(f.Type.Elem())
			setProbeSelectors(e.Elem(), p, pkg, selectors)
			fv.Set(e)
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct && f.Type.Elem().PkgPath() == pkg:
			l := reflect.MakeSlice(f.Type, 1, 1)
			setProbeSelectors(l.Index(0), p, pkg, selectors)
			fv.Set(l)
		}
	}
}

// listRecorder is a client.Reader that has nothing, and records the kind
// of each List by the probe label it selects.
type listRecorder struct {
	lists map[string]schema.GroupVersionKind
}

func (r *listRecorder) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	return errors.Errorf("a probe sets no reference, yet %s was read", key)
}

func (r *listRecorder) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
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
	if _, ok := list.(*standInList); ok {
		// One of uncomposedTargets: which one, the shared type cannot say.
		r.lists[path] = schema.GroupVersionKind{}
		return nil
	}
	gvks, _, err := Scheme.ObjectKinds(list)
	if err != nil {
		return errors.Wrapf(err, "cannot tell the kind %s lists", path)
	}
	gvk := gvks[0]
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	r.lists[path] = gvk
	return nil
}
