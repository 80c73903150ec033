package main

import (
	"fmt"
	"strconv"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/runtime"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/pbenc"
)

// maxConditionMessage keeps a provider's error readable inside the XR's
// condition.
const maxConditionMessage = 240

// setDesired converts each composed resource once, adds it to the desired
// state and marks it ready from what is observed. It returns, in words, the
// resources that are not ready yet.
func (p *plan) setDesired(drs map[string]*fnv1.Resource, d *desired, o observed, f facts) ([]string, error) {
	var notReady []string
	for _, n := range d.order {
		s, err := desiredStruct(d.objects[n])
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert composed resource %q", n)
		}
		r := &fnv1.Resource{Resource: s, Ready: fnv1.Ready_READY_FALSE}
		if o.ready(n) && (n != nameCluster || f.status.Endpoint != "") {
			r.Ready = fnv1.Ready_READY_TRUE
		} else {
			notReady = append(notReady, describeNotReady(n, kindOf(d.objects[n]), o))
		}
		drs[string(n)] = r
	}
	return notReady, nil
}

// describeNotReady names a resource that is not ready and, when the provider
// or the API server refused it, says why.
func describeNotReady(n resource.Name, kind string, o observed) string {
	// Not fmt.Sprintf: this runs for every resource while a cluster comes up.
	s := kind + " " + strconv.Quote(string(n))
	obs, ok := o[n]
	if !ok {
		return s + " (creating)"
	}
	if status, msg := condition(obs, xpv1.TypeSynced); status == "False" {
		if len(msg) > maxConditionMessage {
			msg = msg[:maxConditionMessage] + "..."
		}
		return fmt.Sprintf("%s (Synced=False: %s)", s, msg)
	}
	return s
}

// desiredStruct is a composed resource as the protobuf Struct the response
// carries: what function-sdk-go's composed.From and resource.AsStruct give,
// encoded by pbenc without their JSON round trip. The status, which a typed
// resource would convert to observedGeneration: 0, is left out: it is the
// provider's to write.
func desiredStruct(o runtime.Object) (*structpb.Struct, error) {
	return pbenc.ComposedStruct(o, "status")
}
