package main

import (
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/runtime"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

// observed is what Crossplane observed of the XR's composed resources, keyed
// by our own resource names, as Crossplane sent them: most calls only need
// to know whether a resource exists and is ready, so each is decoded only
// where it is read (as, observedSecretValue).
type observed map[resource.Name]*structpb.Struct

// observedFrom indexes the request's observed composed resources without
// decoding them.
func observedFrom(req *fnv1.RunFunctionRequest) observed {
	rs := req.GetObserved().GetResources()
	o := make(observed, len(rs))
	for n, r := range rs {
		o[resource.Name(n)] = r.GetResource()
	}
	return o
}

// exists reports whether the named composed resource exists.
func (o observed) exists(n resource.Name) bool {
	_, ok := o[n]
	return ok
}

// ready reports whether the named resource exists, is Ready and was not
// refused by the provider: an MR whose last apply failed shows Synced=False
// while Ready may stay True. The gates use it: what is built on a resource
// waits until the resource's desired state is in effect.
func (o observed) ready(n resource.Name) bool {
	return o.up(n) && !o.unsynced(n)
}

// up reports whether the named resource exists and says Ready=True, whatever
// Synced says: its external resource is available, even if the provider
// could not apply or observe its latest desired state. A v1 Secret is up
// once it exists.
func (o observed) up(n resource.Name) bool {
	s, ok := o[n]
	if !ok {
		return false
	}
	f := s.GetFields()
	if f["kind"].GetStringValue() == "Secret" && f["apiVersion"].GetStringValue() == "v1" {
		return true
	}
	ready, _ := condition(s, xpv1.TypeReady)
	return ready == "True"
}

// unsynced reports whether the provider says Synced=False for the named
// resource: its last apply, or observation, failed.
func (o observed) unsynced(n resource.Name) bool {
	synced, _ := condition(o[n], xpv1.TypeSynced)
	return synced == "False"
}

// condition is the status and message of a condition of an observed
// resource, read in place.
func condition(s *structpb.Struct, t xpv1.ConditionType) (status, message string) {
	for _, c := range s.GetFields()["status"].GetStructValue().GetFields()["conditions"].GetListValue().GetValues() {
		f := c.GetStructValue().GetFields()
		if f["type"].GetStringValue() == string(t) {
			return f["status"].GetStringValue(), f["message"].GetStringValue()
		}
	}
	return "", ""
}

// atProvider decodes the named observed resource's status.atProvider, and
// nothing else of it, into the provider's observation type. It reports
// false when the resource does not exist or does not decode.
func atProvider[T any](o observed, n resource.Name) (*T, bool) {
	return decodeAt[T](o, n, "status", "atProvider")
}

// forProvider decodes the named observed resource's spec.forProvider into
// the provider's parameters type.
func forProvider[T any](o observed, n resource.Name) (*T, bool) {
	return decodeAt[T](o, n, "spec", "forProvider")
}

func decodeAt[T any](o observed, n resource.Name, path ...string) (*T, bool) {
	s, ok := o[n]
	if !ok {
		return nil, false
	}
	for _, p := range path {
		s = s.GetFields()[p].GetStructValue()
	}
	t := new(T)
	if s == nil {
		return t, true
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(s.AsMap(), t); err != nil {
		return nil, false
	}
	return t, true
}

// str is the string at path in the named observed resource, or "".
func (o observed) str(n resource.Name, path ...string) string {
	s, ok := o[n]
	if !ok {
		return ""
	}
	for _, p := range path[:len(path)-1] {
		s = s.GetFields()[p].GetStructValue()
	}
	return s.GetFields()[path[len(path)-1]].GetStringValue()
}

// annotation is an annotation of the named observed resource.
func (o observed) annotation(n resource.Name, key string) string {
	return o[n].GetFields()["metadata"].GetStructValue().GetFields()["annotations"].GetStructValue().GetFields()[key].GetStringValue()
}
