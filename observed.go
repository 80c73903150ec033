package main

import (
	"k8s.io/apimachinery/pkg/runtime"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

// observed is what Crossplane observed of the XR's composed resources, keyed
// by our own resource names.
type observed map[resource.Name]resource.ObservedComposed

// exists reports whether the named composed resource exists.
func (o observed) exists(n resource.Name) bool {
	_, ok := o[n]
	return ok
}

// ready reports whether the named resource exists, is Ready and was not
// refused by the API server or the provider: an MR whose last apply failed
// shows Synced=False while Ready may stay True.
func (o observed) ready(n resource.Name) bool {
	oc, ok := o[n]
	if !ok {
		return false
	}
	if oc.Resource.GetKind() == "Secret" && oc.Resource.GetAPIVersion() == "v1" {
		return true
	}
	return oc.Resource.GetCondition(xpv1.TypeReady).Status == "True" &&
		oc.Resource.GetCondition(xpv1.TypeSynced).Status != "False"
}

// as decodes the named observed resource into a typed provider struct. It
// reports false when the resource does not exist or does not decode.
func as[T any](o observed, n resource.Name) (*T, bool) {
	oc, ok := o[n]
	if !ok {
		return nil, false
	}
	t := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(oc.Resource.Object, t); err != nil {
		return nil, false
	}
	return t, true
}
