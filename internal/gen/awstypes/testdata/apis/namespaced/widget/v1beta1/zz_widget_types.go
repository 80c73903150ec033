package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	v1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
)

// WidgetParameters are the widget's parameters.
type WidgetParameters struct {
	// Size of the widget.
	Size *float64 `json:"size,omitempty"`

	PartRef *v1.Reference `json:"partRef,omitempty"`

	Parts []PartParameters `json:"parts,omitempty"`
}

type PartParameters struct {
	Name *string `json:"name,omitempty"`
}

// Widget is a kind.
// +kubebuilder:object:root=true
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WidgetParameters `json:"spec"`
}

// WidgetList is not composed.
type WidgetList struct {
	metav1.TypeMeta `json:",inline"`
	Items           []Widget `json:"items"`
}

// Gadget is another kind, not listed.
type Gadget struct {
	metav1.TypeMeta `json:",inline"`
}

// Repository is unused here and keeps schema imported.
var Widget_GroupVersionKind = schema.GroupVersionKind{}
