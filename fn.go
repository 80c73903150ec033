package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/function-aurora-postgres/function-aurora-postgres/input/v1beta1"
)

// conditionAvailable is the XR condition that says, in words, what the
// cluster waits for. Crossplane owns Ready and Synced; functions may not set
// them.
const conditionAvailable = "Available"

// Reasons of a False Available condition when the function gives up.
const (
	reasonInvalidSpec    = "InvalidSpec"
	reasonInvalidInput   = "InvalidInput"
	reasonReconcileError = "ReconcileError"
)

// reasonUpgrading is the Available condition's reason while a major upgrade
// is under way (engine.go).
const reasonUpgrading = "Upgrading"

// Function composes an Aurora PostgreSQL cluster.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
	// password generates bootstrap passwords; generatePassword unless a test
	// needs a known one.
	password func() (string, error)
	// ttl is how soon Crossplane calls again if nothing changes (ttl.go).
	ttl responseTTLs
}

// RunFunction decodes and validates the XR, composes the desired resources
// from it and from what is observed, and reports status.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	// The waiting TTL until the XR is known to be available: a Fatal result
	// returns early with it.
	rsp := response.To(req, f.ttl.waiting)
	c, failed := f.compose(req, rsp)
	if failed != nil {
		fatal(rsp, failed.reason, failed.err)
		return rsp, nil
	}
	m, p, o, facts, d := c.meta, c.plan, c.observed, c.facts, c.desired
	drs := make(map[string]*fnv1.Resource, len(d.order))
	notReady, unsynced, err := p.setDesired(drs, d, o, facts)
	if err != nil {
		fatal(rsp, reasonReconcileError, err)
		return rsp, nil
	}
	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		fatal(rsp, reasonReconcileError, errors.Wrap(err, "cannot get the desired composite resource"))
		return rsp, nil
	}
	if err := writeStatus(dxr, facts.status); err != nil {
		fatal(rsp, reasonReconcileError, errors.Wrap(err, "cannot write the XR's status"))
		return rsp, nil
	}
	if m.Legacy && facts.status.Endpoint != "" {
		dxr.ConnectionDetails = p.connectionDetails(facts.status)
	}
	// Crossplane derives the XR's readiness from the composed resources'
	// (setDesired). The function only holds it back while something is not
	// composed yet; an explicit True would supersede, and hide, a later
	// pipeline step's unready resources.
	if len(d.waiting) > 0 {
		dxr.Ready = resource.ReadyFalse
	}
	if err := response.SetDesiredCompositeResource(rsp, dxr); err != nil {
		fatal(rsp, reasonReconcileError, errors.Wrap(err, "cannot set the desired composite resource"))
		return rsp, nil
	}
	// Straight into the response: the SDK's SetDesiredComposedResources would
	// convert every resource again, and earlier functions' resources are
	// already there (response.To).
	if rsp.Desired.Resources == nil {
		rsp.Desired.Resources = make(map[string]*fnv1.Resource, len(drs))
	}
	for n, r := range drs {
		rsp.Desired.Resources[n] = r
	}
	available := p.setAvailable(rsp, d.waiting, notReady, unsynced, facts.status)
	f.ttl.setTTL(rsp, available)
	f.log.Debug("Composed", "xr", m.Name, "namespace", m.Namespace, "resources", len(d.order), "waiting", len(d.waiting), "notReady", len(notReady), "unsynced", len(unsynced), "ttl", rsp.GetMeta().GetTtl().AsDuration())
	return rsp, nil
}

// failure is why a call composes nothing: its reason and error become a
// Fatal result and the XR's Available condition (fatal).
type failure struct {
	reason string
	err    error
}

func fail(reason string, err error) (*composition, *failure) {
	return nil, &failure{reason: reason, err: err}
}

// composition is what one call decided: the XR, the plan, what it
// observed, the facts and status it derived, and the composed resources.
type composition struct {
	meta     xrMeta
	plan     *plan
	observed observed
	facts    facts
	desired  *desired
}

// compose is everything RunFunction decides before it writes the response:
// decode and validate the input and the XR, observe, resolve the account,
// plan the engine, refuse what cannot change, run the bootstrap, and
// compose. The tests' oracle for the response's encoding
// (checkDesiredMatchesSDK) composes through it too, so they check what
// RunFunction composes, not a copy of it. rsp only gains requirements (the
// supplied password's Secret).
func (f *Function) compose(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse) (*composition, *failure) {
	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		return fail(reasonReconcileError, errors.Wrap(err, "cannot get the function input"))
	}
	env := environmentAccount(req)
	if errs := validateInput(in, env); len(errs) > 0 {
		return fail(reasonInvalidInput, invalidInput(errs))
	}
	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		return fail(reasonReconcileError, errors.Wrap(err, "cannot get the observed composite resource"))
	}
	m, spec, err := decodeXR(oxr)
	if err != nil {
		return fail(reasonInvalidSpec, errors.Wrap(err, "invalid XAuroraCluster"))
	}
	withDefaults(spec)
	if errs := validate(m, spec); len(errs) > 0 {
		return fail(reasonInvalidSpec, invalid(errs))
	}
	all := observedFrom(req)
	// NOTE: a cluster that is only probed is not this XR's yet: the
	// builders and the status see no cluster (adopt.go).
	claim := clusterClaimOf(m, spec, all)
	o := claim.withoutProbe(all)
	prev := previousStatus(oxr)
	facts := observe(m, spec, o, prev)
	account, errs := resolveAccount(accountSources(spec, in, env), facts.observedAccount, facts.observedAccountARN)
	if len(errs) > 0 {
		return fail(reasonInvalidSpec, invalid(errs))
	}
	p := newPlan(m, spec, in, account, o)
	if m.Legacy && p.namespace == "" {
		return fail(reasonInvalidSpec, errors.Errorf("cluster-scoped XR %q was not created by a claim: set the function input's namespace to choose where its resources go", m.Name))
	}
	engine, engineErrs := p.planEngine(o)
	p.engine = engine
	if errs := append(append(append(p.checkChanges(o, facts), p.checkCreation(o)...), engineErrs...), append(p.checkRestore(o), p.checkAdoption(all)...)...); len(errs) > 0 {
		return fail(reasonInvalidSpec, invalid(errs))
	}
	supplied, ferr := p.suppliedPassword(req, rsp, o)
	if ferr != nil {
		return fail(reasonInvalidSpec, invalid(field.ErrorList{ferr}))
	}
	generate := f.password
	if generate == nil {
		generate = generatePassword
	}
	if facts.bootstrap, err = p.observeBootstrap(o, prev.Bootstrap, facts.status, supplied, generate); err != nil {
		return fail(reasonReconcileError, errors.Wrap(err, "cannot generate the bootstrap password"))
	}
	if p.selfManaged() {
		facts.status.Bootstrap = facts.bootstrap.status()
	}
	facts.status.Deletion = p.deletionStatus(facts.status)
	facts.status.Upgrade = engine.upgrade
	facts.status.EngineVersionMessage = engine.behind
	facts.status.Pending = p.pending(o, engine)
	return &composition{meta: m, plan: p, observed: o, facts: facts, desired: p.claim(claim, p.compose(o, facts), all)}, nil
}

// fatal reports err as a Fatal result (Crossplane then applies nothing, so
// no existing resource is touched) and as the XR's Available condition.
func fatal(rsp *fnv1.RunFunctionResponse, reason string, err error) {
	response.Fatal(rsp, err)
	response.ConditionFalse(rsp, conditionAvailable, reason).
		WithMessage(err.Error()).
		TargetCompositeAndClaim()
}

// invalid is one error that lists every problem with its field path.
func invalid(errs field.ErrorList) error {
	return listErrors("invalid XAuroraCluster", errs)
}

// invalidInput lists every problem of the Composition's function input or
// the pipeline's environment: the platform team's to fix, not the XR's.
func invalidInput(errs field.ErrorList) error {
	return listErrors("invalid function input", errs)
}

func listErrors(what string, errs field.ErrorList) error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return errors.Errorf("%s: %s", what, strings.Join(msgs, "; "))
}

// previousStatus is the status the function reported on an earlier call.
func previousStatus(oxr *resource.Composite) AuroraStatus {
	st := AuroraStatus{}
	if raw, ok := oxr.Resource.Object["status"]; ok {
		if j, err := json.Marshal(raw); err == nil {
			_ = json.Unmarshal(j, &st) // A malformed status is rebuilt from observed resources.
		}
	}
	return st
}

// setAvailable says in the XR's Available condition what the cluster waits
// for, or where it is available, with an upgrade under way (reason
// Upgrading, from and to versions) and a spec behind the running version,
// and reports whether it is available: nothing held back, everything Ready,
// and every change applied.
func (p *plan) setAvailable(rsp *fnv1.RunFunctionResponse, waiting []waitReason, notReady, unsynced []string, st AuroraStatus) bool {
	var notes []string
	upgrading := st.Upgrade != nil && st.Upgrade.Phase != upgradeFinishing
	if u := st.Upgrade; u != nil {
		notes = append(notes, fmt.Sprintf("%s (%s to %s): %s", u.Phase, u.From, u.To, u.Message))
		if u.Phase == upgradeFinishing {
			notes[0] = u.Message
		}
	}
	if st.EngineVersionMessage != "" {
		notes = append(notes, st.EngineVersionMessage)
	}
	if n := autoscaledReadersNote(p.spec, st); n != "" {
		notes = append(notes, n)
	}
	if len(waiting) == 0 && len(notReady) == 0 && len(unsynced) == 0 {
		reason := "Available"
		if upgrading {
			reason = reasonUpgrading
		}
		msg := fmt.Sprintf("Aurora PostgreSQL cluster %q is available at %s:%d", p.clusterID, st.Endpoint, st.Port)
		response.ConditionTrue(rsp, conditionAvailable, reason).
			WithMessage(strings.Join(append([]string{msg}, notes...), "; ")).
			TargetCompositeAndClaim()
		return true
	}
	reason := "WaitingForResources"
	if upgrading {
		reason = reasonUpgrading
	}
	msgs := make([]string, 0, len(waiting)+2+len(notes))
	for _, w := range waiting {
		msgs = append(msgs, w.Message)
	}
	if len(waiting) > 0 {
		reason = waiting[0].Reason
	}
	if len(notReady) > 0 {
		msgs = append(msgs, "not ready yet: "+strings.Join(notReady, ", "))
	}
	if len(unsynced) > 0 {
		msgs = append(msgs, "ready but not synced: "+strings.Join(unsynced, ", "))
	}
	response.ConditionFalse(rsp, conditionAvailable, reason).
		WithMessage(strings.Join(append(msgs, notes...), "; ")).
		TargetCompositeAndClaim()
	return false
}
