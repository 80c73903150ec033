package v1beta1

import (
	runtime "k8s.io/apimachinery/pkg/runtime"
)

// DeepCopyInto copies.
func (in *PartParameters) DeepCopyInto(out *PartParameters) {
	*out = *in
}

// DeepCopyObject copies.
func (in *Widget) DeepCopyObject() runtime.Object {
	return nil
}

// DeepCopyObject copies.
func (in *Gadget) DeepCopyObject() runtime.Object {
	return nil
}
