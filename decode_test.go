package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
)

// decodeTestXR is an XR of the given spec, namespaced or (namespace "")
// cluster-scoped, as the SDK hands it to RunFunction.
func decodeTestXR(t testing.TB, namespace string, spec map[string]any) *resource.Composite {
	t.Helper()
	meta := map[string]any{"name": "orders", "uid": "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60"}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	xr := map[string]any{
		"apiVersion": "aws.platform.example.org/v1alpha1",
		"kind":       "XAuroraCluster",
		"metadata":   meta,
		"spec":       spec,
	}
	oxr, err := request.GetObservedCompositeResource(newRequest(xr, exampleInput(), nil))
	if err != nil {
		t.Fatal(err)
	}
	return oxr
}

// specYAML reads a spec written as YAML.
func specYAML(t testing.TB, y string) map[string]any {
	t.Helper()
	spec := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &spec); err != nil {
		t.Fatalf("%v:\n%s", err, y)
	}
	return spec
}

func TestDecodeXRUnknownFields(t *testing.T) {
	const base = `
region: us-east-1
network:
  vpcId: vpc-0123456789abcdef0
  subnetIds: [subnet-0123456789abcdef1, subnet-0123456789abcdef2]
`
	type args struct {
		// namespace is the XR's; "" is a cluster-scoped (legacy) XR.
		namespace string
		// spec is YAML, after base.
		spec string
	}
	type want struct {
		// unknown are the messages of xrMeta.UnknownFields.
		unknown []string
		// err is decodeXR's error, if any.
		err string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"Clean": {
			reason: "A spec of known fields only has no unknown fields.",
			args:   args{namespace: "team", spec: base},
		},
		"TopLevelTypo": {
			reason: "A field no type has is refused with its path, without a suggestion when nothing is close.",
			args:   args{namespace: "team", spec: base + "backtrackwindow: 72\n"},
			want:   want{unknown: []string{`spec.backtrackwindow: Unsupported value: unknown field`}},
		},
		"TopLevelWrongCase": {
			reason: "encoding/json would take deletionprotection for deletionProtection; the API server would prune it.",
			args:   args{namespace: "team", spec: base + "deletionprotection: true\n"},
			want:   want{unknown: []string{`spec.deletionprotection: Unsupported value: unknown field: did you mean deletionProtection? (field names are case-sensitive)`}},
		},
		"NestedWrongCase": {
			reason: "A nested field in the wrong case is refused with its full path.",
			args: args{namespace: "team", spec: `
region: us-east-1
network:
  vpcId: vpc-0123456789abcdef0
  subnetIDs: [subnet-0123456789abcdef1, subnet-0123456789abcdef2]
`},
			want: want{unknown: []string{`spec.network.subnetIDs: Unsupported value: unknown field: did you mean subnetIds? (field names are case-sensitive)`}},
		},
		"ParameterValueNotAString": {
			reason: "A parameter value written as a number is refused with its index, which encoding/json's type error would not give, and the rest is still checked.",
			args:   args{namespace: "team", spec: base + "parameters: [{name: work_mem, value: \"1\"}, {name: max_connections, value: 500}]\ninstanceParameters: [{name: jit, value: true}]\n"},
			want: want{unknown: []string{
				`spec.parameters[1].value: Invalid value: 500: must be a string: quote it, e.g. "500"`,
				`spec.instanceParameters[0].value: Invalid value: true: must be a string: quote it, e.g. "true"`,
			}},
		},
		"NestedTypo": {
			reason: "A misspelt field deep in the spec is refused, with the field it most likely means.",
			args:   args{namespace: "team", spec: base + "monitoring: {alarms: {cpu: {treshold: 90}}}\n"},
			want:   want{unknown: []string{`spec.monitoring.alarms.cpu.treshold: Unsupported value: unknown field: did you mean threshold?`}},
		},
		"Transposition": {
			reason: "Two swapped letters are one edit.",
			args:   args{namespace: "team", spec: base + "vpcEndpoint: {enalbed: true}\n"},
			want:   want{unknown: []string{`spec.vpcEndpoint.enalbed: Unsupported value: unknown field: did you mean enabled?`}},
		},
		"EmptyName": {
			reason: "A field with an empty name (found by FuzzValidate) is refused at the object that holds it, which has a path; the field itself has none.",
			args:   args{namespace: "team", spec: base + "network: {\"\": x}\n"},
			want:   want{unknown: []string{`spec.network: Unsupported value: unknown field "": a field name must not be empty`}},
		},
		"ListItem": {
			reason: "A field of a list item is refused with the item's index.",
			args: args{namespace: "team", spec: base + `
instances:
- instanceClass: db.r6g.large
- instanceclass: db.r6g.large
`},
			want: want{unknown: []string{`spec.instances[1].instanceclass: Unsupported value: unknown field: did you mean instanceClass? (field names are case-sensitive)`}},
		},
		"Several": {
			reason: "Every unknown field is reported, in the order of the spec's fields, each level's own sorted by name.",
			args: args{namespace: "team", spec: `
backtrackwindow: 72
region: us-east-1
Region: us-west-2
network:
  vpcId: vpc-0123456789abcdef0
  subnetIDs: [subnet-0123456789abcdef1, subnet-0123456789abcdef2]
instances:
- instanceClass: db.r6g.large
  tier: 1
- instanceclass: db.r6g.large
credentials:
  rotation:
    lambda:
      s3: {bucket: b, key: k, version: "3"}
monitoring:
  alarms:
    cpu: {treshold: 90}
    memory: {enabled: false}
`},
			want: want{unknown: []string{
				`spec.network.subnetIDs: Unsupported value: unknown field: did you mean subnetIds? (field names are case-sensitive)`,
				`spec.instances[0].tier: Unsupported value: unknown field`,
				`spec.instances[1].instanceclass: Unsupported value: unknown field: did you mean instanceClass? (field names are case-sensitive)`,
				`spec.credentials.rotation.lambda.s3.version: Unsupported value: unknown field`,
				`spec.monitoring.alarms.cpu.treshold: Unsupported value: unknown field: did you mean threshold?`,
				`spec.monitoring.alarms.memory: Unsupported value: unknown field`,
				`spec.Region: Unsupported value: unknown field: did you mean region? (field names are case-sensitive)`,
				`spec.backtrackwindow: Unsupported value: unknown field`,
			}},
		},
		"NamespacedCrossplaneFields": {
			reason: "A Crossplane v2 XR's spec.crossplane is Crossplane's, whatever it holds.",
			args: args{namespace: "team", spec: base + `
crossplane:
  compositionRef: {name: xauroraclusters.aws.platform.example.org}
  compositionSelector: {matchLabels: {tier: prod}}
  compositionRevisionRef: {name: xauroraclusters.aws.platform.example.org-1a2b3c}
  compositionRevisionSelector: {matchLabels: {channel: stable}}
  compositionUpdatePolicy: Automatic
  resourceRefs:
  - {apiVersion: rds.aws.m.upbound.io/v1beta1, kind: Cluster, name: orders}
  somethingNewer: {any: thing}
writeConnectionSecretToRef: {name: orders-db}
`},
		},
		"LegacyCrossplaneFields": {
			reason: "A legacy XR has Crossplane's fields directly under spec (crossplane-runtime's xcrd, scope LegacyCluster), and a cluster-scoped XR may be a v2 one with spec.crossplane.",
			args: args{spec: base + `
claimRef: {apiVersion: legacy.aws.platform.example.org/v1alpha1, kind: AuroraCluster, name: orders, namespace: team}
compositionRef: {name: xauroraclusters.legacy.aws.platform.example.org}
compositionSelector: {matchLabels: {tier: prod}}
compositionRevisionRef: {name: xauroraclusters.legacy.aws.platform.example.org-1a2b3c}
compositionRevisionSelector: {matchLabels: {channel: stable}}
compositionUpdatePolicy: Manual
resourceRefs:
- {apiVersion: rds.aws.m.upbound.io/v1beta1, kind: Cluster, name: orders, namespace: team}
writeConnectionSecretToRef: {name: 0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60, namespace: crossplane-system}
crossplane: {compositionRef: {name: xauroraclusters.legacy.aws.platform.example.org}}
`},
		},
		"LegacyFieldsOnNamespacedXR": {
			reason: "A namespaced XR has no claim and keeps Crossplane's fields under spec.crossplane: the API server would prune these.",
			args: args{namespace: "team", spec: base + `
claimRef: {apiVersion: legacy.aws.platform.example.org/v1alpha1, kind: AuroraCluster, name: orders, namespace: team}
compositionRef: {name: xauroraclusters.aws.platform.example.org}
writeConnectionSecretToRef: {name: orders-db, namespace: team}
`},
			want: want{unknown: []string{
				`spec.writeConnectionSecretToRef.namespace: Unsupported value: unknown field`,
				`spec.claimRef: Unsupported value: unknown field`,
				`spec.compositionRef: Unsupported value: unknown field: a namespaced XR has Crossplane's own fields under spec.crossplane`,
			}},
		},
		"TypoBesideCrossplaneFields": {
			reason: "Crossplane's fields do not hide a typo next to them.",
			args:   args{spec: base + "claimRef: {name: orders}\nregoin: us-east-1\n"},
			want:   want{unknown: []string{`spec.regoin: Unsupported value: unknown field: did you mean region?`}},
		},
		"FreeFormTags": {
			reason: "spec.tags is a map: any key is a tag, even one that looks like a field.",
			args:   args{namespace: "team", spec: base + "tags: {backtrackwindow: gp3, Region: eu-west-1, kubernetes.io/owner: team-a, Team: payments}\n"},
		},
		"WrongTypeWhereObjectExpected": {
			reason: "A value of the wrong type is the JSON decoder's to report, with today's message.",
			args:   args{namespace: "team", spec: "region: us-east-1\nnetwork: [vpc-1]\n"},
			want:   want{err: `spec.network: Invalid value: got a JSON array, want object`},
		},
		"TypeErrorAndUnknownFields": {
			reason: "A wrong type is reported with the unknown fields, so one call shows every mistake the decoder found.",
			args:   args{namespace: "team", spec: base + "port: \"5432\"\nbacktrackwindow: gp3\n"},
			want: want{
				unknown: []string{`spec.backtrackwindow: Unsupported value: unknown field`},
				err:     `spec.backtrackwindow: Unsupported value: unknown field; spec.port: Invalid value: got a JSON string, want integer`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := specYAML(t, tc.args.spec)
			m, s, err := decodeXR(decodeTestXR(t, tc.args.namespace, spec))
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
				if s != nil {
					t.Errorf("\n%s\ndecodeXR(...): a spec and an error", tc.reason)
				}
			}
			if diff := cmp.Diff(tc.want.err, gotErr); diff != "" {
				t.Errorf("\n%s\ndecodeXR(...): -want error, +got error:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want.unknown, errorMessages(m.UnknownFields), cmpEmpty); diff != "" {
				t.Errorf("\n%s\ndecodeXR(...): -want unknown fields, +got:\n%s", tc.reason, diff)
			}
			if err != nil {
				return
			}
			// validate reports them first, with the other mistakes.
			withDefaults(s)
			errs := errorMessages(validate(m, s))
			if diff := cmp.Diff(tc.want.unknown, errs[:min(len(errs), len(tc.want.unknown))], cmpEmpty); diff != "" {
				t.Errorf("\n%s\nvalidate(...): -want first errors, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// cmpEmpty makes a nil and an empty slice equal.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
})

// TestDecodeXRExamples decodes every example and test XR strictly: none may
// have a field the API does not have.
func TestDecodeXRExamples(t *testing.T) {
	xrs := 0
	for _, file := range exampleXRFiles(t) {
		obj := readObject(t, file)
		if obj["kind"] != "XAuroraCluster" {
			t.Errorf("%s: kind %v, want XAuroraCluster", file, obj["kind"])
			continue
		}
		xrs++
		t.Run(file, func(t *testing.T) {
			oxr, err := request.GetObservedCompositeResource(newRequest(obj, exampleInput(), nil))
			if err != nil {
				t.Fatal(err)
			}
			m, s, err := decodeXR(oxr)
			if err != nil || s == nil {
				t.Fatalf("decodeXR(...): %v", err)
			}
			if diff := cmp.Diff([]string{}, errorMessages(m.UnknownFields)); diff != "" {
				t.Errorf("decodeXR(...): -want, +got unknown fields:\n%s", diff)
			}
		})
	}
	if xrs < 15 {
		t.Errorf("found %d example and test XRs, want at least 15", xrs)
	}
}

// TestRunFunctionUnknownFields shows a typo as the user sees it: a Fatal
// result that names it, with every other mistake, and nothing composed.
func TestRunFunctionUnknownFields(t *testing.T) {
	xr := readObject(t, "example/xr.yaml")
	spec := xr["spec"].(map[string]any)
	spec["backtrackwindow"] = 72
	spec["port"] = 80
	spec["monitoring"].(map[string]any)["alarms"].(map[string]any)["cpu"] = map[string]any{"treshold": 90}
	rsp := run(t, newRequest(xr, exampleInput(), nil))

	const want = "invalid XAuroraCluster: " +
		"spec.monitoring.alarms.cpu.treshold: Unsupported value: unknown field: did you mean threshold?; " +
		"spec.backtrackwindow: Unsupported value: unknown field; " +
		"spec.port: Invalid value: 80: must be between 1150 and 65535"
	var fatal []string
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
			fatal = append(fatal, r.GetMessage())
		}
	}
	if diff := cmp.Diff([]string{want}, fatal); diff != "" {
		t.Errorf("RunFunction(...): -want, +got Fatal results:\n%s", diff)
	}
	var available *fnv1.Condition
	for _, c := range rsp.GetConditions() {
		if c.GetType() == conditionAvailable {
			available = c
		}
	}
	if available == nil || available.GetReason() != reasonInvalidSpec || available.GetMessage() != want {
		t.Errorf("RunFunction(...): Available condition %v, want reason %s with the Fatal message", available, reasonInvalidSpec)
	}
	if n := len(rsp.GetDesired().GetResources()); n > 0 {
		t.Errorf("RunFunction(...): %d desired composed resources, want none", n)
	}
	if rsp.GetDesired().GetComposite() != nil {
		t.Errorf("RunFunction(...): a desired composite resource, want none")
	}
}

// shapeTestInner and shapeTestOuter exercise encoding/json's naming rules.
type shapeTestInner struct {
	Promoted string `json:"promoted"`
	Shadowed string `json:"own"`
}

type shapeTestOuter struct {
	shapeTestInner
	Own      string `json:"own"`
	Untagged string
	Skipped  string `json:"-"`
	Dash     string `json:"-,"`
	hidden   string
	Raw      []byte                    `json:"raw"`
	Items    []shapeTestInner          `json:"items"`
	ByName   map[string]shapeTestInner `json:"byName"`
	Free     map[string]any            `json:"free"`
}

func TestShapeOf(t *testing.T) {
	s := shapeOf(reflect.TypeFor[shapeTestOuter](), map[reflect.Type]*jsonShape{})
	names := make([]string, 0, len(s.fields))
	for _, f := range s.fields {
		names = append(names, f.name)
	}
	if diff := cmp.Diff([]string{"own", "Untagged", "-", "raw", "items", "byName", "free", "promoted"}, names); diff != "" {
		t.Errorf("shapeOf(...): -want, +got fields:\n%s", diff)
	}

	type want struct {
		unknown []string
	}
	cases := map[string]struct {
		reason string
		v      string
		want   want
	}{
		"JSONNames": {
			reason: "Tagged, untagged, promoted and \"-,\" fields are known; a \"-\" or unexported field is not.",
			v:      `{own: a, Untagged: b, "-": c, promoted: d, Skipped: e, hidden: f, raw: AAA=, free: {x: {y: z}}}`,
			want:   want{unknown: []string{`spec.Skipped: Unsupported value: unknown field`, `spec.hidden: Unsupported value: unknown field`}},
		},
		"MapOfStructs": {
			reason: "A map's keys are free, its struct values are checked, in key order.",
			v:      `{byName: {b: {promted: x}, a: {own: y, x: z}}}`,
			want: want{unknown: []string{
				`spec.byName[a].x: Unsupported value: unknown field`,
				`spec.byName[b].promted: Unsupported value: unknown field: did you mean promoted?`,
			}},
		},
		"WrongTypes": {
			reason: "Values of the wrong type are skipped, not reported twice.",
			v:      `{items: {a: b}, byName: [x], own: {a: b}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := specWalk{at: []step{{name: "spec"}}}
			w.check(s, specYAML(t, tc.v), nil)
			if diff := cmp.Diff(tc.want.unknown, errorMessages(w.errs), cmpEmpty); diff != "" {
				t.Errorf("\n%s\ncheck(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestClosestField(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		want   string
	}{
		"Case":          {reason: "A field in another case is the one meant.", name: "ALLOWEDCIDRBLOCKS", want: "allowedCidrBlocks"},
		"OneEdit":       {reason: "One letter off.", name: "subnetId", want: "subnetIds"},
		"TwoEdits":      {reason: "Two letters off, in a long name.", name: "allowedCidrBlock_", want: "allowedCidrBlocks"},
		"CaseAndTypo":   {reason: "Case does not count as an edit.", name: "VPCCIDRBLOCK", want: "vpcCidrBlocks"},
		"TooFar":        {reason: "Three edits is a different word.", name: "allowedCidrs", want: ""},
		"ShortTwoEdits": {reason: "Short names get one edit: vpc is not vpcId.", name: "vpc", want: ""},
		"Unrelated":     {reason: "Nothing close.", name: "backtrackwindow", want: ""},
	}
	network := specShape.index["network"]
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := network.closest(tc.name); got != tc.want {
				t.Errorf("\n%s\nclosest(%q): got %q, want %q", tc.reason, tc.name, got, tc.want)
			}
		})
	}
}

// TestSpecShapeKnowsEveryField keeps the strict decoder in step with the
// types: every JSON field of AuroraSpec, at every depth, is known.
func TestSpecShapeKnowsEveryField(t *testing.T) {
	fromGo := map[string]string{}
	goShape("spec", reflect.TypeFor[AuroraSpec](), fromGo)
	for p := range fromGo {
		s := specShape
		parts := strings.Split(strings.TrimPrefix(p, "spec"), ".")[1:]
		for i, part := range parts {
			part = strings.TrimSuffix(part, "[]")
			if part == "*" {
				break // a free-form map's keys
			}
			sub, ok := s.index[part]
			if !ok {
				t.Errorf("%s: the strict decoder does not know %q", p, part)
				break
			}
			if sub == nil {
				if i < len(parts)-1 && parts[i+1] != "*" {
					t.Errorf("%s: the strict decoder does not look into %q", p, part)
				}
				break
			}
			s = sub
			if s.items != nil {
				s = s.items
			}
		}
	}
}

// BenchmarkDecodeXR is decodeXR alone, on the main example's XR.
func BenchmarkDecodeXR(b *testing.B) {
	oxr, err := request.GetObservedCompositeResource(newRequest(readObject(b, "example/xr.yaml"), exampleInput(), nil))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decodeXR(oxr); err != nil {
			b.Fatal(err)
		}
	}
}
