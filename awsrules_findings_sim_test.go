package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// The lifecycle simulation of TestAWSRules makes every composed resource
// Ready one call after it is composed. AWS does not: a DB instance takes
// about ten minutes, an interface endpoint a few, an IAM role's policies
// seconds to propagate. In that simulation a gate that waits for a slow
// resource is hidden behind a gate that waits for a fast one (the writer
// instance is Ready in the call the hand-off happens), so a rule about the
// order of creation cannot tell whether the gate is there.
// slowSimulatedStates simulates every golden case again with one kind of
// resource slow, each in turn, for TestAWSRules.

// slowProfile is a simulation in which resources of some kinds stay
// Ready=False (the provider still creating them) for a number of calls
// after they are first composed.
type slowProfile struct {
	name  string
	delay map[string]int
}

// slowProfiles are the simulations TestAWSRulesSlowResources runs: each
// makes the resources of one gate the last to become Ready.
var slowProfiles = []slowProfile{
	{name: "slow instances", delay: map[string]int{"ClusterInstance": 4}},
	{name: "slow endpoint", delay: map[string]int{"VPCEndpoint": 6}},
	{name: "slow IAM", delay: map[string]int{"Role": 3, "RolePolicyAttachment": 3}},
}

// slowConvergeSteps is convergeSteps with a slow provider: a resource of a
// kind in delay is observed Ready=False for that many calls after it is
// first composed. It runs until the desired state stops changing and
// nothing is still being created, or stops at a Fatal result.
func slowConvergeSteps(t testing.TB, xr, input map[string]any, delay map[string]int) (steps []convergeStep, delayed int) {
	t.Helper()
	pv := forXR(xr, testAccount)
	observed := map[string]*fnv1.Resource{}
	age := map[string]int{}
	var last []byte
	for range 30 {
		req := newRequest(xr, input, observed)
		rsp := run(t, req)
		steps = append(steps, convergeStep{req: req, rsp: rsp})
		if hasFatal(rsp) {
			return steps, delayed
		}
		xr = withStatus(xr, rsp.GetDesired().GetComposite().GetResource())
		next := map[string]*fnv1.Resource{}
		creating := 0
		for name, r := range rsp.GetDesired().GetResources() {
			age[name]++
			o := pv.observe(name, r.GetResource())
			kind := o.GetResource().GetFields()["kind"].GetStringValue()
			if age[name] <= delay[kind] {
				o = notReadyYet(o)
				creating++
			}
			next[name] = o
		}
		for name := range age {
			if _, ok := next[name]; !ok {
				delete(age, name)
			}
		}
		observed = next
		delayed += creating
		cur, err := protojson.Marshal(&fnv1.State{Resources: rsp.GetDesired().GetResources(), Composite: rsp.GetDesired().GetComposite()})
		if err != nil {
			t.Fatal(err)
		}
		if string(cur) == string(last) && creating == 0 {
			return steps, delayed
		}
		last = cur
	}
	t.Fatal("the function did not converge in 30 calls with a slow provider")
	return nil, 0
}

// notReadyYet is an observed resource as the provider reports it while AWS
// still creates it: Synced, not yet Ready.
func notReadyYet(r *fnv1.Resource) *fnv1.Resource {
	obj := r.GetResource().AsMap()
	st, _ := obj["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
		obj["status"] = st
	}
	st["conditions"] = []any{
		map[string]any{"type": "Ready", "status": "False", "reason": "Creating", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": "2026-11-26T12:00:00Z"},
	}
	return &fnv1.Resource{Resource: mustStruct(obj)}
}

// slowSimulatedStates are the states of every call of every golden case's
// simulation with each slow profile. awsRuleStates checks every rule on
// them.
func slowSimulatedStates(t *testing.T) []*ruleState {
	t.Helper()
	type sim struct {
		xr    string
		input map[string]any
		cases []string
	}
	sims := map[string]*sim{}
	var keys []string
	for _, name := range sortedMapKeys(goldenCases) {
		tc := goldenCases[name]
		in, err := json.Marshal(goldenInput(tc))
		if err != nil {
			t.Fatal(err)
		}
		k := tc.xr + " " + string(in)
		if sims[k] == nil {
			sims[k] = &sim{xr: tc.xr, input: goldenInput(tc)}
			keys = append(keys, k)
		}
		sims[k].cases = append(sims[k].cases, name)
	}
	var states []*ruleState
	for _, prof := range slowProfiles {
		delayed := 0
		for _, k := range keys {
			sm := sims[k]
			steps, d := slowConvergeSteps(t, readObject(t, sm.xr), sm.input, prof.delay)
			delayed += d
			for i, st := range steps {
				label := fmt.Sprintf("simulation with %s of %s, call %d of %d", prof.name, strings.Join(sm.cases, "/"), i+1, len(steps))
				s, err := stateFromResponse(label, st.req, st.rsp, true)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				if s != nil {
					states = append(states, s)
				}
			}
		}
		if delayed == 0 {
			t.Errorf("the simulation with %s delayed nothing: no golden case composes %v", prof.name, sortedMapKeys(prof.delay))
		}
	}
	return states
}
