package main

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// The TTL of a response is how long Crossplane may wait before it calls the
// function again for the same XR when nothing changes.
//
// NOTE: Crossplane core v2.3.4 with realtime compositions (on by default)
// requeues an XR after the shortest TTL any pipeline step returned, jittered
// by ±10%, and otherwise never: the poll interval is 0 then
// (internal/controller/apiextensions/composite/reconciler.go, "The composer
// ... explicitly returned a TTL for the composition result. Requeue after the
// TTL expires"; composition_functions.go keeps the shortest non-zero TTL;
// definition/reconciler.go starts the XR controller WithPollInterval(0)). Any
// change of the XR or of a composed resource, the provider's status writes
// included, calls the function at once through the watches realtime
// compositions start. So the TTL only bounds how late the function sees what
// it cannot watch. A Fatal result ignores the TTL: Crossplane returns an
// error and retries with back-off (1 s to 30 s).
const (
	// defaultSteadyStateTTL applies once the XR is Available: every
	// composed resource Ready and nothing held back. At steady state the
	// function's inputs are all watched but two: an EnvironmentConfig's
	// awsAccountId (read through function-environment-configs) and the
	// function itself (a new version reaches an idle XR only at its next
	// call). 15 minutes bounds both at about the provider's own drift poll
	// (provider-aws polls each managed resource every 10 minutes), and is 4
	// calls per XR per hour instead of 60 with the SDK's 1-minute default.
	defaultSteadyStateTTL = 15 * time.Minute
	// defaultWaitingTTL applies while the XR is not Available: something is
	// held back, not Ready or refused. What it waits for is mostly watched,
	// but not all: passwordSecretRef's Secret (a required resource, which
	// Crossplane fetches on each call but does not watch) and the account
	// from an EnvironmentConfig; and Crossplane's XR circuit breaker drops
	// watch events while it is open, so a provider's last status write can
	// be missed. 30 s is Crossplane's own cap on the back-off of an XR that
	// waits for composed resources (definition/reconciler.go: "we cap the XR
	// reconciler at 30 seconds"). A converging XR is called on every
	// provider write anyway; this only bounds the wait when no write comes.
	defaultWaitingTTL = 30 * time.Second
)

// responseTTLs are the two TTLs the function returns.
type responseTTLs struct {
	// steady applies once the XR is Available.
	steady time.Duration
	// waiting applies while it is not, and to a Fatal result.
	waiting time.Duration
}

// defaultTTLs are what the function returns unless its flags say otherwise.
var defaultTTLs = responseTTLs{steady: defaultSteadyStateTTL, waiting: defaultWaitingTTL}

// setTTL sets the response's TTL: the steady-state one once the XR is
// available, the waiting one otherwise.
func (t responseTTLs) setTTL(rsp *fnv1.RunFunctionResponse, available bool) {
	d := t.waiting
	if available {
		d = t.steady
	}
	if rsp.Meta == nil {
		rsp.Meta = &fnv1.ResponseMeta{}
	}
	rsp.Meta.Ttl = durationpb.New(d)
}

// validate refuses TTLs Crossplane would misread: 0 means "never call
// again" to it, and a steady state polled more often than a wait would
// invert the point of the two.
func (t responseTTLs) validate() error {
	if t.waiting <= 0 || t.steady <= 0 {
		return errors.Errorf("--waiting-ttl (%s) and --steady-state-ttl (%s) must be positive", t.waiting, t.steady)
	}
	if t.steady < t.waiting {
		return errors.Errorf("--steady-state-ttl (%s) must not be shorter than --waiting-ttl (%s)", t.steady, t.waiting)
	}
	return nil
}
