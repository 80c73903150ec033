package pbenc

import (
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// ComposedStruct is o, a composed resource, as the Struct function-sdk-go's
// composed.From followed by resource.AsStruct gives, leaving out o's
// top-level member omit ("" for none). Leaving it out here, not from the
// result, saves encoding it.
//
// A typed o must be a pointer to a struct of a kind in composed.Scheme; its
// apiVersion and kind are set from there, as composed.From sets them. An
// unstructured o is converted as it is, as composed.From does.
func ComposedStruct(o runtime.Object, omit string) (*structpb.Struct, error) {
	if u, ok := o.(interface{ UnstructuredContent() map[string]any }); ok {
		s, err := structpb.NewStruct(u.UnstructuredContent())
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert %T to a Struct", o)
		}
		delete(s.Fields, omit)
		return s, nil
	}
	if err := setKind(o); err != nil {
		return nil, err
	}
	s, err := typedStruct(o, omit)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot encode %T", o)
	}
	trimMetadata(s)
	return s, nil
}

// setKind sets a typed object's apiVersion and kind from composed.Scheme.
func setKind(o runtime.Object) error {
	gvks, _, err := composed.Scheme.ObjectKinds(o)
	if err != nil {
		return errors.Wrapf(err, "cannot set the apiVersion and kind of %T: did you add it to composed.Scheme?", o)
	}
	for _, gvk := range gvks {
		o.GetObjectKind().SetGroupVersionKind(gvk)
	}
	return nil
}

// trimMetadata does what composed.From does to metadata: ObjectMeta's
// generation has omitempty, which go-json-experiment does not apply to
// integers; drop it, and metadata when nothing else is set.
func trimMetadata(s *structpb.Struct) {
	if m := s.GetFields()["metadata"].GetStructValue(); m != nil {
		delete(m.Fields, "generation")
		if len(m.Fields) == 0 {
			delete(s.Fields, "metadata")
		}
	}
}
