// Package v1beta1 contains the input type for this Function.
// +kubebuilder:object:generate=true
// +groupName=aurorapostgres.fn.crossplane.io
// +versionName=v1beta1
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// This isn't a custom resource, in the sense that we never install its CRD.
// It is a KRM-like object, so we generate a CRD to describe its schema.

// Input configures function-aurora-postgres for one Composition. Everything
// here is the platform team's choice; everything the application team
// chooses is in the XR's spec.
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:categories=crossplane
type Input struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// ProviderConfigRef names the provider-aws ProviderConfig (or
	// ClusterProviderConfig) every composed managed resource uses.
	// +optional
	ProviderConfigRef *ProviderConfigRef `json:"providerConfigRef,omitempty"`

	// AccountID is the 12-digit AWS account the ProviderConfig points at. The
	// KMS key policy names the account's root principal, so a new CMK needs
	// it before anything exists. An XR's spec.accountId overrides it. When
	// neither is set, the function learns it from the first observed ARN and
	// creates the key after that.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]{12}$`
	AccountID string `json:"accountId,omitempty"`

	// Namespace for the composed resources of a cluster-scoped (legacy) XR
	// that was not created through a claim. XRs created through a claim
	// compose into the claim's namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// ProviderConfigRef references a provider-aws ProviderConfig.
type ProviderConfigRef struct {
	// Name of the ProviderConfig.
	// +kubebuilder:default=default
	Name string `json:"name"`

	// Kind of the ProviderConfig: a namespaced ProviderConfig in the
	// composed resources' namespace, or a ClusterProviderConfig.
	// +kubebuilder:validation:Enum=ProviderConfig;ClusterProviderConfig
	// +kubebuilder:default=ClusterProviderConfig
	Kind string `json:"kind"`
}
