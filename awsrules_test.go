package main

// AWS rules as tests. Every composed resource validates against the
// provider's CRDs, yet AWS and provider-aws impose rules a CRD cannot
// express: a selector must find exactly one resource of the right kind, an
// ARN must be in the cluster's partition, a policy must not allow "*", a
// cluster must not be created before its log groups. Valid is not safe.
//
// Each rule is an awsRule in awsRules (awsrules_rules_test.go): an ID, a
// one-line statement, the AWS documentation or provider issue that makes it
// true, and a check over one ruleState. TestAWSRules checks every rule
// against every state the tests know:
//
//   - every testdata/golden/*/desired.yaml on disk, with its XR from
//     goldenCases;
//   - every call of the lifecycle simulation (converge) of every golden
//     case, with the observed resources that call saw;
//   - the same with a slow provider, one kind of resource at a time
//     (slowSimulatedStates), so a gate behind a faster one still shows;
//   - the bench scenarios' requests (benchScenarios).
//
// TestAWSRulesSelfTest (awsrules_self_test.go) feeds each rule a good and a
// bad hand-made state, so a rule that stops reporting fails too.
//
// To add a rule: write its check with the helpers below (desiredOf,
// observedOf, objString and objMap, mrParameters, forEachString,
// forEachSelector and selectMatches, parseRulePolicy, observedReady), add it
// to awsRules, and add a good and a bad case to TestAWSRulesSelfTest.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/function-sdk-go/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
)

// awsRule is one rule AWS or provider-aws imposes on what the function
// composes.
type awsRule struct {
	// ID names the rule in violations and in `go test -run
	// TestAWSRules/<ID>`.
	ID string
	// Statement says in one line what must hold.
	Statement string
	// Citations are the AWS documentation pages or provider issues that
	// make the rule true.
	Citations []string
	// Check reports every way one state breaks the rule.
	Check func(s *ruleState) []ruleFinding
}

// ruleFinding is one way a state breaks a rule.
type ruleFinding struct {
	// Resource is the composition resource name of the desired resource at
	// fault, or empty when the fault is not one resource's (the XR's status,
	// its connection details, the spec).
	Resource string
	// Message says what is wrong, naming the field.
	Message string
}

// ruleState is one desired state the function returned, with what it was
// computed from.
type ruleState struct {
	// Label names the state in violations: the golden case, or the
	// simulation and its call.
	Label string
	// Spec is the XR's spec, decoded and defaulted as the function does
	// (decodeXR, withDefaults). Never nil: states of an XR whose spec does
	// not decode compose nothing and are not checked.
	Spec *AuroraSpec
	// Desired are the composed resources of the response, keyed by
	// composition resource name, as Crossplane would apply them.
	Desired map[string]map[string]any
	// Composite is the desired XR (the status the function writes), and
	// ConnectionDetails its composite connection details (legacy XRs).
	// Either may be empty.
	Composite         map[string]any
	ConnectionDetails map[string][]byte
	// Observed are the composed resources the call saw, keyed by
	// composition resource name; empty on a first reconcile.
	Observed map[string]map[string]any
	// ObservedKnown is false for golden files, which do not record what the
	// call observed: rules about the order of creation skip them.
	ObservedKnown bool
	// Meta is the XR's identity (its UID names what AWS keeps).
	Meta xrMeta
	// ObserveOnly are the desired resources with management policies
	// [Observe] (the probe of a new cluster identifier, an adopted cluster
	// in Observe mode): they create and change nothing in AWS, so they are
	// not in Desired, and their observed forms are not in Observed.
	ObserveOnly map[string]map[string]any
	// ObservedObserveOnly are the observed forms of observe-only
	// resources: the probe's answer.
	ObservedObserveOnly map[string]map[string]any
}

// ruleViolation is a finding of a rule in a state as the self-test reports
// it: the rule, the state, the resource and what is wrong.
func ruleViolation(r awsRule, s *ruleState, f ruleFinding) string {
	return fmt.Sprintf("%s: %s: %s: %s", r.ID, s.Label, s.describe(f.Resource), f.Message)
}

// checkRule runs one rule on one state and returns its violations, sorted.
func checkRule(r awsRule, s *ruleState) []string {
	var out []string
	for _, f := range r.Check(s) {
		out = append(out, ruleViolation(r, s, f))
	}
	sort.Strings(out)
	return out
}

// describe names a resource of the state for a violation, with its kind:
// `"cluster" (rds Cluster)`.
func (s *ruleState) describe(name string) string {
	if name == "" {
		return "the XR"
	}
	obj, ok := s.Desired[name]
	if !ok {
		obj, ok = s.ObserveOnly[name]
	}
	if !ok {
		obj = s.Observed[name]
	}
	return fmt.Sprintf("%q (%s)", name, objKindName(obj))
}

// objKindName names an object's kind for messages: "rds Cluster", "v1 Secret".
func objKindName(obj map[string]any) string {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	group, _, _ := strings.Cut(apiVersion, ".")
	if !strings.Contains(apiVersion, ".") {
		group = apiVersion
	}
	return strings.TrimSpace(group + " " + kind)
}

// TestAWSRules checks every AWS rule against every golden file, every call
// of every golden case's lifecycle simulation and the bench scenarios. A
// violation names the rule, the resource and what is wrong, with every
// state it appears in.
func TestAWSRules(t *testing.T) {
	states := awsRuleStates(t)
	if len(states) == 0 {
		t.Fatal("no states to check")
	}
	t.Logf("%d rules over %d states", len(awsRules), len(states))
	for _, r := range awsRules {
		t.Run(r.ID, func(t *testing.T) {
			for _, v := range groupedViolations(r, states) {
				t.Error(v)
			}
		})
	}
}

// groupedViolations runs a rule on every state and reports each distinct
// problem once, with the states it appears in: the same mistake is usually
// in every call of a simulation and in its golden file.
func groupedViolations(r awsRule, states []*ruleState) []string {
	type problem struct{ resource, message string }
	where := map[problem][]string{}
	var order []problem
	for _, s := range states {
		for _, f := range r.Check(s) {
			p := problem{resource: s.describe(f.Resource), message: f.Message}
			if _, ok := where[p]; !ok {
				order = append(order, p)
			}
			where[p] = append(where[p], s.Label)
		}
	}
	out := make([]string, 0, len(order))
	for _, p := range order {
		labels := where[p]
		const shown = 4
		more := ""
		if len(labels) > shown {
			more = fmt.Sprintf(" and %d more", len(labels)-shown)
			labels = labels[:shown]
		}
		out = append(out, fmt.Sprintf("%s: %s: %s\n\tin %d state(s): %s%s", r.ID, p.resource, p.message, len(where[p]), strings.Join(labels, "; "), more))
	}
	return out
}

// awsRuleStates is every state TestAWSRules checks.
func awsRuleStates(t *testing.T) []*ruleState {
	t.Helper()
	var states []*ruleState
	states = append(states, goldenFileStates(t)...)
	states = append(states, simulatedStates(t)...)
	states = append(states, slowSimulatedStates(t)...)
	states = append(states, changedSimulatedStates(t)...)
	states = append(states, benchStates(t)...)
	return states
}

// goldenInput is a golden case's function input.
func goldenInput(tc goldenCase) map[string]any {
	if tc.input == nil {
		return exampleInput()
	}
	return tc.input
}

// goldenFileStates reads every testdata/golden/*/desired.yaml on disk, with
// the composite status and connection details of its state.yaml and the XR
// its case names. What the call observed is not recorded.
func goldenFileStates(t *testing.T) []*ruleState {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "desired.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no testdata/golden/*/desired.yaml")
	}
	var states []*ruleState
	for _, path := range paths {
		name := filepath.Base(filepath.Dir(path))
		tc, ok := goldenCases[name]
		if !ok {
			t.Errorf("%s: no case %q in goldenCases, so its XR is unknown: remove the directory or add the case", path, name)
			continue
		}
		desired, err := readGoldenDesired(path)
		if err != nil {
			t.Error(err)
			continue
		}
		composite, details, err := readGoldenState(filepath.Join(filepath.Dir(path), "state.yaml"))
		if err != nil {
			t.Error(err)
			continue
		}
		req := newRequest(readObject(t, tc.xr), goldenInput(tc), nil)
		s, err := newRuleState("golden "+name, req, desired, composite, details, nil, false)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if s != nil {
			states = append(states, s)
		}
	}
	return states
}

// readGoldenDesired reads a desired.yaml as goldenDesired wrote it, keyed by
// the composition resource name annotation goldenDesired adds (and removed
// again, so the objects are what the response held).
func readGoldenDesired(path string) (map[string]map[string]any, error) {
	f, err := os.Open(path) //nolint:gosec // A test reads its own testdata.
	if err != nil {
		return nil, errors.Wrap(err, "cannot open golden file")
	}
	defer f.Close() //nolint:errcheck // Read only.
	out := map[string]map[string]any{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(f))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, errors.Wrapf(err, "%s: cannot read a YAML document", path)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj := map[string]any{}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, errors.Wrapf(err, "%s: cannot parse a YAML document", path)
		}
		meta, _ := obj["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		name, _ := ann["crossplane.io/composition-resource-name"].(string)
		if name == "" {
			return nil, errors.Errorf("%s: a resource without the crossplane.io/composition-resource-name annotation", path)
		}
		delete(ann, "crossplane.io/composition-resource-name")
		if len(ann) == 0 {
			delete(meta, "annotations")
		}
		out[name] = obj
	}
}

// readGoldenState reads the desired XR and its connection details from a
// state.yaml as goldenState wrote it.
func readGoldenState(path string) (map[string]any, map[string][]byte, error) {
	b, err := os.ReadFile(path) //nolint:gosec // A test reads its own testdata.
	if err != nil {
		return nil, nil, errors.Wrap(err, "cannot read golden state")
	}
	st := struct {
		Composite         map[string]any    `json:"composite"`
		ConnectionDetails map[string]string `json:"connectionDetails"`
	}{}
	if err := yaml.Unmarshal(b, &st); err != nil {
		return nil, nil, errors.Wrapf(err, "%s: cannot parse", path)
	}
	details := make(map[string][]byte, len(st.ConnectionDetails))
	for k, v := range st.ConnectionDetails {
		details[k] = []byte(v)
	}
	return st.Composite, details, nil
}

// simulatedStates simulates every golden case's lifecycle once per distinct
// XR and input, and returns every call as a state: the first reconcile and
// each later call, with the observed resources that produced it.
func simulatedStates(t *testing.T) []*ruleState {
	t.Helper()
	var states []*ruleState
	for _, g := range goldenSimulations(t) {
		states = append(states, g.states(t, "simulation of "+g.name(), simulate(t, readObject(t, g.xr), g.input, nil).steps)...)
	}
	return states
}

// goldenSimulation is one distinct XR and input of the golden cases, with
// the cases that share it.
type goldenSimulation struct {
	xr    string
	input map[string]any
	cases []string
}

func (g goldenSimulation) name() string { return strings.Join(g.cases, "/") }

// goldenSimulations are the golden cases' distinct XRs and inputs, in a
// stable order.
func goldenSimulations(t *testing.T) []goldenSimulation {
	t.Helper()
	byKey := map[string]int{}
	var out []goldenSimulation
	for _, name := range sortedMapKeys(goldenCases) {
		tc := goldenCases[name]
		in, err := json.Marshal(goldenInput(tc))
		if err != nil {
			t.Fatal(err)
		}
		k := tc.xr + " " + string(in)
		i, ok := byKey[k]
		if !ok {
			i = len(out)
			byKey[k] = i
			out = append(out, goldenSimulation{xr: tc.xr, input: goldenInput(tc)})
		}
		out[i].cases = append(out[i].cases, name)
	}
	return out
}

// states are the rule states of a simulation's calls.
func (g goldenSimulation) states(t *testing.T, label string, steps []simulationStep) []*ruleState {
	t.Helper()
	var states []*ruleState
	for i, st := range steps {
		l := fmt.Sprintf("%s, call %d of %d", label, i+1, len(steps))
		s, err := stateFromResponse(l, st.req, st.rsp, true)
		if err != nil {
			t.Errorf("%s: %v", l, err)
			continue
		}
		if s != nil {
			states = append(states, s)
		}
	}
	return states
}

// benchStates are the bench scenarios' realistic requests, answered as the
// tests answer them.
func benchStates(t *testing.T) []*ruleState {
	t.Helper()
	var states []*ruleState
	for _, sc := range benchScenarios(t) {
		label := "bench " + sc.name
		s, err := stateFromResponse(label, sc.req, run(t, sc.req), true)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		if s != nil {
			states = append(states, s)
		}
	}
	return states
}

// stateFromResponse makes a state of one call.
func stateFromResponse(label string, req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, observedKnown bool) (*ruleState, error) {
	desired := map[string]map[string]any{}
	for n, r := range rsp.GetDesired().GetResources() {
		desired[n] = r.GetResource().AsMap()
	}
	var composite map[string]any
	if c := rsp.GetDesired().GetComposite(); c.GetResource() != nil {
		composite = c.GetResource().AsMap()
	}
	return newRuleState(label, req, desired, composite, rsp.GetDesired().GetComposite().GetConnectionDetails(), req.GetObserved().GetResources(), observedKnown)
}

// newRuleState decodes the request's XR spec as the function does. A spec
// that does not decode must compose nothing (the function answers Fatal);
// such a state has nothing to check and is nil.
func newRuleState(label string, req *fnv1.RunFunctionRequest, desired map[string]map[string]any, composite map[string]any, details map[string][]byte, observed map[string]*fnv1.Resource, observedKnown bool) (*ruleState, error) {
	meta, spec, err := decodedSpec(req)
	if err != nil {
		if len(desired) > 0 {
			return nil, errors.Wrap(err, "the function composed resources for an XR whose spec does not decode")
		}
		return nil, nil
	}
	s := &ruleState{
		Label:             label,
		Spec:              spec,
		Desired:           map[string]map[string]any{},
		Composite:         composite,
		ConnectionDetails: details,
		Observed:          make(map[string]map[string]any, len(observed)),
		ObservedKnown:     observedKnown,
		Meta:              meta,
	}
	s.ObserveOnly = map[string]map[string]any{}
	for n, o := range desired {
		if isObserveOnly(o) {
			s.ObserveOnly[n] = o
			continue
		}
		s.Desired[n] = o
	}
	s.ObservedObserveOnly = map[string]map[string]any{}
	for n, r := range observed {
		o := r.GetResource().AsMap()
		if isObserveOnly(o) {
			s.ObservedObserveOnly[n] = o
			continue
		}
		s.Observed[n] = o
	}
	return s, nil
}

// isObserveOnly reports whether an MR has management policies [Observe].
func isObserveOnly(obj map[string]any) bool {
	spec, _ := obj["spec"].(map[string]any)
	pols, _ := spec["managementPolicies"].([]any)
	return len(pols) == 1 && pols[0] == "Observe"
}

// decodedSpec is the request's XR identity and spec, decoded and defaulted
// as RunFunction does.
func decodedSpec(req *fnv1.RunFunctionRequest) (xrMeta, *AuroraSpec, error) {
	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		return xrMeta{}, nil, errors.Wrap(err, "cannot get the observed XR")
	}
	meta, spec, err := decodeXR(oxr)
	if err != nil {
		return meta, nil, errors.Wrap(err, "cannot decode the XR's spec")
	}
	withDefaults(spec)
	return meta, spec, nil
}

// Helpers for rules.

// objKind is a kind by its apiVersion and kind.
type objKind struct{ APIVersion, Kind string }

func (k objKind) String() string { return k.APIVersion + " " + k.Kind }

// is reports whether obj is of this kind.
func (k objKind) is(obj map[string]any) bool {
	return obj["apiVersion"] == k.APIVersion && obj["kind"] == k.Kind
}

// objKindOf is obj's kind.
func objKindOf(obj map[string]any) objKind {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	return objKind{APIVersion: apiVersion, Kind: kind}
}

// The kinds the rules look at.
var (
	ruleKindSecret               = objKind{"v1", "Secret"}
	ruleKindRDSCluster           = objKind{"rds.aws.m.upbound.io/v1beta1", "Cluster"}
	ruleKindRDSClusterInstance   = objKind{"rds.aws.m.upbound.io/v1beta1", "ClusterInstance"}
	ruleKindRDSClusterParamGroup = objKind{"rds.aws.m.upbound.io/v1beta1", "ClusterParameterGroup"}
	ruleKindLogGroup             = objKind{"cloudwatchlogs.aws.m.upbound.io/v1beta1", "Group"}
	ruleKindSecurityGroup        = objKind{"ec2.aws.m.upbound.io/v1beta1", "SecurityGroup"}
	ruleKindVPCEndpoint          = objKind{"ec2.aws.m.upbound.io/v1beta1", "VPCEndpoint"}
	ruleKindKMSKey               = objKind{"kms.aws.m.upbound.io/v1beta1", "Key"}
	ruleKindIAMRole              = objKind{"iam.aws.m.upbound.io/v1beta1", "Role"}
	ruleKindIAMRolePolicy        = objKind{"iam.aws.m.upbound.io/v1beta1", "RolePolicy"}
	ruleKindIAMPolicy            = objKind{"iam.aws.m.upbound.io/v1beta1", "Policy"}
	ruleProviderAWSGroupSuffix   = ".aws.m.upbound.io"
	ruleAnnotationExternalName   = "crossplane.io/external-name"
)

// ruleObject is a composed resource with its composition resource name.
type ruleObject struct {
	Name string
	Obj  map[string]any
}

// desiredOf is every desired resource of a kind, by name.
func (s *ruleState) desiredOf(k objKind) []ruleObject { return objectsOf(s.Desired, k) }

// observedOf is every observed resource of a kind, by name.
func (s *ruleState) observedOf(k objKind) []ruleObject { return objectsOf(s.Observed, k) }

func objectsOf(objs map[string]map[string]any, k objKind) []ruleObject {
	var out []ruleObject
	for _, n := range sortedMapKeys(objs) {
		if k.is(objs[n]) {
			out = append(out, ruleObject{Name: n, Obj: objs[n]})
		}
	}
	return out
}

// desiredNames is every desired resource's name, sorted.
func (s *ruleState) desiredNames() []string { return sortedMapKeys(s.Desired) }

// isProviderAWS reports whether obj is a namespaced provider-aws managed
// resource.
func isProviderAWS(obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	group, _, _ := strings.Cut(apiVersion, "/")
	return strings.HasSuffix(group, ruleProviderAWSGroupSuffix)
}

// objField is the value at a path of nested objects.
func objField(obj map[string]any, path ...string) (any, bool) {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// objString is the string at a path, or "".
func objString(obj map[string]any, path ...string) string {
	v, _ := objField(obj, path...)
	s, _ := v.(string)
	return s
}

// objMap is the object at a path, or nil.
func objMap(obj map[string]any, path ...string) map[string]any {
	v, _ := objField(obj, path...)
	m, _ := v.(map[string]any)
	return m
}

// objSlice is the list at a path, or nil.
func objSlice(obj map[string]any, path ...string) []any {
	v, _ := objField(obj, path...)
	l, _ := v.([]any)
	return l
}

// mrParameterBlock is spec.forProvider or spec.initProvider of a managed
// resource, with its path for messages.
type mrParameterBlock struct {
	Path   string
	Params map[string]any
}

// mrParameters are the managed resource's spec.forProvider and
// spec.initProvider, those that are set. The provider merges initProvider
// into forProvider when it creates the resource, so a rule about what AWS
// receives looks at both.
func mrParameters(obj map[string]any) []mrParameterBlock {
	var out []mrParameterBlock
	for _, k := range []string{"forProvider", "initProvider"} {
		if m := objMap(obj, "spec", k); m != nil {
			out = append(out, mrParameterBlock{Path: "spec." + k, Params: m})
		}
	}
	return out
}

// objLabels is an object's labels.
func objLabels(obj map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range objMap(obj, "metadata", "labels") {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// objAnnotation is one annotation of an object.
func objAnnotation(obj map[string]any, key string) string {
	return objString(obj, "metadata", "annotations", key)
}

// observedReady reports whether an observed resource is Ready and was not
// refused (Synced=False), as the function's observed.ready decides: a v1
// Secret is ready once it exists.
func observedReady(obj map[string]any) bool {
	if ruleKindSecret.is(obj) {
		return true
	}
	ready, synced := "", ""
	for _, c := range objSlice(obj, "status", "conditions") {
		cm, _ := c.(map[string]any)
		switch cm["type"] {
		case "Ready":
			ready, _ = cm["status"].(string)
		case "Synced":
			synced, _ = cm["status"].(string)
		}
	}
	return ready == "True" && synced != "False"
}

// forEachString calls fn with every string in v and its path
// ("spec.forProvider.environment.variables.SECRET_ARN", "[2]" for list
// items), in a stable order. The data of a v1 Secret is also passed
// base64-decoded, with " (base64-decoded)" after its path, since that is
// what readers of the Secret get.
func forEachString(v any, path string, fn func(path, value string)) {
	obj, _ := v.(map[string]any)
	secret := obj != nil && ruleKindSecret.is(obj)
	walkStrings(v, path, fn)
	if !secret {
		return
	}
	data, _ := obj["data"].(map[string]any)
	for _, k := range sortedMapKeys(data) {
		s, ok := data[k].(string)
		if !ok {
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			fn(rulePathJoin(path, "data."+k)+" (base64-decoded)", string(b))
		}
	}
}

func walkStrings(v any, path string, fn func(path, value string)) {
	switch v := v.(type) {
	case string:
		fn(path, v)
	case map[string]any:
		for _, k := range sortedMapKeys(v) {
			walkStrings(v[k], rulePathJoin(path, k), fn)
		}
	case []any:
		for i, e := range v {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

func rulePathJoin(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// rulePathLastKey is the last object key of a path: "policy" of
// "spec.forProvider.inlinePolicy[0].policy".
func rulePathLastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}

// parsedPolicy is an IAM, KMS key, trust or resource policy.
type parsedPolicy struct {
	Version   string
	Statement []parsedStatement
}

// parsedStatement is one statement, with Action, Resource and their Not
// forms normalised to lists (AWS takes a string or a list).
type parsedStatement struct {
	Sid, Effect             string
	Principal, NotPrincipal any
	HasPrincipal            bool
	Action, NotAction       []string
	Resource, NotResource   []string
	HasResource             bool
	Condition               map[string]any
}

// name is the statement for messages: its Sid, or its index.
func (st parsedStatement) name(i int) string {
	if st.Sid != "" {
		return fmt.Sprintf("statement %q", st.Sid)
	}
	return fmt.Sprintf("statement %d", i)
}

// parseRulePolicy parses a policy document strictly enough to judge it: a JSON
// object with Version and a Statement object or list, whose elements have
// string-or-list actions and resources.
func parseRulePolicy(doc string) (parsedPolicy, error) {
	raw := map[string]any{}
	d := json.NewDecoder(strings.NewReader(doc))
	if err := d.Decode(&raw); err != nil {
		return parsedPolicy{}, errors.Wrap(err, "not a JSON object")
	}
	if d.More() {
		return parsedPolicy{}, errors.New("trailing data after the JSON object")
	}
	p := parsedPolicy{}
	p.Version, _ = raw["Version"].(string)
	var stmts []any
	switch v := raw["Statement"].(type) {
	case []any:
		stmts = v
	case map[string]any:
		stmts = []any{v}
	default:
		return p, errors.New("Statement is neither an object nor a list")
	}
	for i, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			return p, errors.Errorf("statement %d is not an object", i)
		}
		st := parsedStatement{Principal: m["Principal"], NotPrincipal: m["NotPrincipal"]}
		st.Sid, _ = m["Sid"].(string)
		st.Effect, _ = m["Effect"].(string)
		_, st.HasPrincipal = m["Principal"]
		_, st.HasResource = m["Resource"]
		st.Condition, _ = m["Condition"].(map[string]any)
		for key, dst := range map[string]*[]string{"Action": &st.Action, "NotAction": &st.NotAction, "Resource": &st.Resource, "NotResource": &st.NotResource} {
			l, err := policyStringOrList(m[key])
			if err != nil {
				return p, errors.Wrapf(err, "statement %d: %s", i, key)
			}
			*dst = l
		}
		p.Statement = append(p.Statement, st)
	}
	return p, nil
}

// policyStringOrList reads a policy value that is a string or a list of strings.
func policyStringOrList(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, errors.Errorf("%v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, errors.Errorf("%v is neither a string nor a list of strings", v)
	}
}

// principalHasWildcard reports whether a Principal admits everyone: "*",
// or "*" in any of its principal types ({"AWS": "*"}).
func principalHasWildcard(p any) bool {
	switch p := p.(type) {
	case string:
		return p == "*"
	case map[string]any:
		for _, v := range p {
			l, _ := policyStringOrList(v)
			if slices.Contains(l, "*") {
				return true
			}
		}
	}
	return false
}

// sortedMapKeys is a map's keys, sorted.
func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
