// Package v1beta1 is a stand-in for a provider API package.
package v1beta1

// Package type metadata.
const (
	CRDGroup   = "widget.aws.m.upbound.io"
	CRDVersion = "v1beta1"
)
