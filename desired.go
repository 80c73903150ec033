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
// resources that are not ready yet, and those that are but whose latest
// desired state the provider could not apply (Synced=False).
//
// A resource that is Ready but Synced=False counts as ready, as its Ready
// condition says: the external resource is available and the database
// serves. Crossplane derives the XR's readiness from these, so a provider
// throttled by AWS, or refused one update, does not turn the XR and its
// claim Ready=False while the cluster serves; the XR's Available condition
// says what did not apply, and the gates (observed.ready) still wait for it.
func (p *plan) setDesired(drs map[string]*fnv1.Resource, d *desired, o observed, f facts) (notReady, unsynced []string, err error) {
	taken := d.waitingFor(reasonClusterExists)
	for _, n := range d.order {
		s, err := desiredStruct(d.objects[n])
		if err != nil {
			return nil, nil, errors.Wrapf(err, "cannot convert composed resource %q", n)
		}
		r := &fnv1.Resource{Resource: s, Ready: fnv1.Ready_READY_FALSE}
		switch {
		case !o.up(n) || (n == nameCluster && f.status.Endpoint == ""):
			notReady = append(notReady, describeNotReady(n, d.objects[n], o, taken))
		case o.unsynced(n):
			r.Ready = fnv1.Ready_READY_TRUE
			unsynced = append(unsynced, describeNotReady(n, d.objects[n], o, false))
		default:
			r.Ready = fnv1.Ready_READY_TRUE
		}
		drs[string(n)] = r
	}
	return notReady, unsynced, nil
}

// describeNotReady names a resource that is not ready, or not synced, and,
// when the provider refused it, says why. An observe-only resource (the
// identifier probe, an adopted cluster) is never created; taken says the
// probe found another cluster under the identifier.
func describeNotReady(n resource.Name, obj runtime.Object, o observed, taken bool) string {
	// Not fmt.Sprintf: this runs for every resource while a cluster comes up.
	s := kindOf(obj) + " " + strconv.Quote(string(n))
	obs, ok := o[n]
	switch {
	case !ok && isObserveOnlyObject(obj) && n == nameCluster && taken:
		return s + " (observe-only: the identifier is another cluster's)"
	case !ok && isObserveOnlyObject(obj) && n == nameCluster:
		return s + " (observe-only: looking the identifier up in AWS)"
	case !ok && isObserveOnlyObject(obj):
		return s + " (observe-only)"
	case !ok:
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
