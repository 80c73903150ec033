package main

import (
	"fmt"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
)

// maxConditionMessage keeps a provider's error readable inside the XR's
// condition.
const maxConditionMessage = 240

// setDesired converts each composed resource once, adds it to the desired
// state and marks it ready from what is observed. It returns, in words, the
// resources that are not ready yet.
func (p *plan) setDesired(dcds map[resource.Name]*resource.DesiredComposed, d *desired, o observed, f facts) ([]string, error) {
	var notReady []string
	for _, n := range d.order {
		cd, err := composed.From(d.objects[n])
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert composed resource %q", n)
		}
		// The typed status converts to observedGeneration: 0; status is the
		// provider's to write, never ours.
		delete(cd.Object, "status")
		dc := &resource.DesiredComposed{Resource: cd, Ready: resource.ReadyFalse}
		if o.ready(n) && (n != nameCluster || f.status.Endpoint != "") {
			dc.Ready = resource.ReadyTrue
		} else {
			notReady = append(notReady, describeNotReady(n, kindOf(d.objects[n]), o))
		}
		dcds[n] = dc
	}
	return notReady, nil
}

// describeNotReady names a resource that is not ready and, when the provider
// or the API server refused it, says why.
func describeNotReady(n resource.Name, kind string, o observed) string {
	s := fmt.Sprintf("%s %q", kind, n)
	oc, ok := o[n]
	if !ok {
		return s + " (creating)"
	}
	if c := oc.Resource.GetCondition(xpv1.TypeSynced); c.Status == "False" {
		msg := c.Message
		if len(msg) > maxConditionMessage {
			msg = msg[:maxConditionMessage] + "..."
		}
		return fmt.Sprintf("%s (Synced=False: %s)", s, msg)
	}
	return s
}
