package main

import (
	"fmt"
	"testing"
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

// slowSimulatedStates are the states of every call of every golden case's
// simulation with each slow profile. awsRuleStates checks every rule on
// them.
func slowSimulatedStates(t *testing.T) []*ruleState {
	t.Helper()
	var states []*ruleState
	for _, prof := range slowProfiles {
		delayed := 0
		for _, g := range goldenSimulations(t) {
			sim := simulate(t, readObject(t, g.xr), g.input, prof.delay)
			delayed += sim.delayed
			states = append(states, g.states(t, fmt.Sprintf("simulation with %s of %s", prof.name, g.name()), sim.steps)...)
		}
		if delayed == 0 {
			t.Errorf("the simulation with %s delayed nothing: no golden case composes %v", prof.name, sortedMapKeys(prof.delay))
		}
	}
	return states
}
