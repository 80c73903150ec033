// Package v1beta1 holds the part of Crossplane's protection.crossplane.io
// v1beta1 API this function composes: the namespaced Usage, which makes
// Crossplane's admission webhook refuse to delete one resource while another
// uses it.
//
// The declarations follow github.com/crossplane/crossplane/apis/v2 v2.3.4
// (protection/v1beta1/usage_types.go), minus the status. That module needs
// a newer crossplane-runtime than function-sdk-go v0.6.2 builds with, so it
// cannot be imported; rendered Usages are validated against Crossplane
// core's own CRD (hack/validate.sh), which keeps these types honest.
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is the API group version of Usage.
var GroupVersion = schema.GroupVersion{Group: "protection.crossplane.io", Version: "v1beta1"}

// ResourceSelector selects a resource by labels, optionally only among those
// with the same controller as the Usage.
type ResourceSelector struct {
	MatchLabels        map[string]string `json:"matchLabels,omitempty"`
	MatchControllerRef *bool             `json:"matchControllerRef,omitempty"`
}

// Resource is the using resource, in the Usage's namespace.
type Resource struct {
	APIVersion       string            `json:"apiVersion,omitempty"`
	Kind             string            `json:"kind,omitempty"`
	ResourceSelector *ResourceSelector `json:"resourceSelector,omitempty"`
}

// UsageSpec says which resource is used, by which, and why.
type UsageSpec struct {
	// Of is the used resource: its deletion is refused while the Usage exists.
	Of Resource `json:"of"`
	// By is the using resource. A Usage composed with its user lives until
	// the user is gone.
	By *Resource `json:"by,omitempty"`
	// Reason is shown to whoever tries to delete the used resource.
	Reason *string `json:"reason,omitempty"`
	// ReplayDeletion deletes the used resource again once the Usage is gone,
	// if a deletion was refused, instead of waiting for the garbage
	// collector's back-off.
	ReplayDeletion *bool `json:"replayDeletion,omitempty"`
}

// Usage defines a deletion-blocking relationship between two resources.
type Usage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec UsageSpec `json:"spec"`
}

// DeepCopyObject is what runtime.Object asks for.
func (in *Usage) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := &Usage{TypeMeta: in.TypeMeta}
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.Of = in.Spec.Of.deepCopy()
	if in.Spec.By != nil {
		by := in.Spec.By.deepCopy()
		out.Spec.By = &by
	}
	if in.Spec.Reason != nil {
		r := *in.Spec.Reason
		out.Spec.Reason = &r
	}
	if in.Spec.ReplayDeletion != nil {
		r := *in.Spec.ReplayDeletion
		out.Spec.ReplayDeletion = &r
	}
	return out
}

func (in Resource) deepCopy() Resource {
	out := Resource{APIVersion: in.APIVersion, Kind: in.Kind}
	if s := in.ResourceSelector; s != nil {
		out.ResourceSelector = &ResourceSelector{}
		if s.MatchLabels != nil {
			out.ResourceSelector.MatchLabels = make(map[string]string, len(s.MatchLabels))
			for k, v := range s.MatchLabels {
				out.ResourceSelector.MatchLabels[k] = v
			}
		}
		if s.MatchControllerRef != nil {
			m := *s.MatchControllerRef
			out.ResourceSelector.MatchControllerRef = &m
		}
	}
	return out
}
