package awsrefs

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/function-sdk-go/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// referenceResolver is what upjet generates for every kind with references
// (zz_generated.resolvers.go), and what the provider's managed reconciler
// calls before each observation.
type referenceResolver interface {
	ResolveReferences(ctx context.Context, c client.Reader) error
}

// Typed converts a managed resource, as its JSON object, to its provider-aws
// Go type.
func Typed(obj map[string]any) (resource.Managed, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
	o, err := Scheme.New(gvk)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot make a %s", gvk)
	}
	mg, ok := o.(resource.Managed)
	if !ok {
		return nil, errors.Errorf("%s is not a managed resource", gvk)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the object")
	}
	if err := json.Unmarshal(b, mg); err != nil {
		return nil, errors.Wrapf(err, "cannot decode the object as a %s", gvk)
	}
	return mg, nil
}

// ResolveReferences resolves the references of one managed resource, given
// as its JSON object, as the provider's managed reconciler does before it
// calls AWS: with provider-aws's generated resolver of its kind, reading the
// targets through c. A selector resolves to the first target it matches
// (with matchControllerRef, of the same controller) whose extracted value
// (external name, ARN...) is known; a field that already has a value is
// left alone. It returns the object's spec with every resolved value and
// reference added, or the provider's error for the first field that does
// not resolve.
func ResolveReferences(ctx context.Context, c client.Reader, obj map[string]any) (map[string]any, error) {
	spec, _ := obj["spec"].(map[string]any)
	mg, err := Typed(obj)
	if err != nil {
		return nil, err
	}
	r, ok := mg.(referenceResolver)
	if !ok {
		// A kind without references (serverlessrepo's).
		return spec, nil
	}
	if err := r.ResolveReferences(ctx, c); err != nil {
		return nil, errors.Wrap(err, "cannot resolve references")
	}
	b, err := json.Marshal(mg)
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the resolved object")
	}
	var resolved struct {
		Spec map[string]any `json:"spec"`
	}
	if err := json.Unmarshal(b, &resolved); err != nil {
		return nil, errors.Wrap(err, "cannot decode the resolved object")
	}
	return withResolved(spec, resolved.Spec), nil
}

// withResolved is spec with what resolution added or changed in resolved,
// the same spec after a round trip through the Go type. The round trip also
// adds empty objects (initProvider: {}) and turns integers into floats: only
// non-empty new values and changed values are taken, so that a spec without
// references comes back equal (reflect.DeepEqual) to what was given.
func withResolved(spec, resolved map[string]any) map[string]any {
	out := make(map[string]any, len(spec))
	for k, v := range spec {
		out[k] = v
	}
	for k, rv := range resolved {
		v, ok := spec[k]
		if !ok {
			if !empty(rv) {
				out[k] = rv
			}
			continue
		}
		out[k] = withResolvedValue(v, rv)
	}
	return out
}

func withResolvedValue(v, rv any) any {
	switch v := v.(type) {
	case map[string]any:
		if rm, ok := rv.(map[string]any); ok {
			return withResolved(v, rm)
		}
	case []any:
		rl, ok := rv.([]any)
		if !ok || len(rl) != len(v) {
			return rv
		}
		out := make([]any, len(v))
		for i := range v {
			out[i] = withResolvedValue(v[i], rl[i])
		}
		return out
	}
	if sameJSON(v, rv) {
		return v
	}
	return rv
}

// empty is a value the Go type writes for a field the object did not have.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// sameJSON reports whether two scalars encode alike: 5432 as an int64 from
// the API server and as a float64 from a round trip.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && reflect.DeepEqual(ja, jb)
}
