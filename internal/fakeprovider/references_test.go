package fakeprovider

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestResolveReferences(t *testing.T) {
	cases := ResolveCases()
	cases["NotInTheTable"] = ResolveCase{
		Reason: "A kind the table does not know is an error, not a resource without references.",
		Obj:    testObject("s3.aws.m.upbound.io/v1beta1", "Bucket", "bucket", "bucket", "xr-uid", map[string]any{"region": "us-east-1"}, nil),
		Want:   ResolveWant{Err: "is not in the reference table"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := deepCopy(tc.Obj)
			spec, err := NewStore(append([]map[string]any{tc.Obj}, tc.Others...)...).ResolveReferences(tc.Obj)
			got := ResolveWant{}
			if err != nil {
				got.Err = err.Error()
			} else {
				got.ForProvider, _ = spec["forProvider"].(map[string]any)
			}
			if tc.Want.Err != "" && strings.Contains(got.Err, tc.Want.Err) {
				got.Err = tc.Want.Err
			}
			if diff := cmp.Diff(tc.Want, got); diff != "" {
				t.Errorf("%s\nResolveReferences(...): -want, +got:\n%s", tc.Reason, diff)
			}
			if diff := cmp.Diff(before, tc.Obj); diff != "" {
				t.Errorf("%s\nResolveReferences(...) changed the object it was given: -before, +after:\n%s", tc.Reason, diff)
			}
		})
	}
}

func TestReferenceTargets(t *testing.T) {
	m := func(group, kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group + ".aws.m.upbound.io", Version: "v1beta1", Kind: kind}
	}
	type want struct {
		targets map[string]schema.GroupVersionKind
		known   bool
	}
	cases := map[string]struct {
		reason string
		kind   schema.GroupVersionKind
		want   want
	}{
		"KMSAlias": {
			reason: "An Alias's key selectors, in forProvider and initProvider, list Keys.",
			kind:   m("kms", "Alias"),
			want: want{known: true, targets: map[string]schema.GroupVersionKind{
				"spec.forProvider.targetKeyIdSelector":  m("kms", "Key"),
				"spec.initProvider.targetKeyIdSelector": m("kms", "Key"),
			}},
		},
		"UncomposedTarget": {
			reason: "An alarm's actions select SNS topics, a group the function composes nothing of: the empty kind.",
			kind:   m("cloudwatch", "MetricAlarm"),
			want: want{known: true, targets: map[string]schema.GroupVersionKind{
				"spec.forProvider.alarmActionsSelector":  {},
				"spec.forProvider.okActionsSelector":     {},
				"spec.initProvider.alarmActionsSelector": {},
				"spec.initProvider.okActionsSelector":    {},
			}},
		},
		"KMSKey": {
			reason: "A Key references nothing.",
			kind:   m("kms", "Key"),
			want:   want{known: true, targets: map[string]schema.GroupVersionKind{}},
		},
		"NotComposed": {
			reason: "A kind the function does not compose is not in the table.",
			kind:   m("iam", "Policy"),
			want:   want{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			targets, known := ReferenceTargets(tc.kind)
			if diff := cmp.Diff(tc.want, want{targets: targets, known: known}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nReferenceTargets(%s): -want, +got:\n%s", tc.reason, tc.kind.Kind, diff)
			}
		})
	}
}

// TestReferencesCoverComposedKinds: the table has exactly the kinds of
// internal/aws/kinds.txt, so that a kind added there without make generate
// fails here, not only in the e2e module's check of the table.
func TestReferencesCoverComposedKinds(t *testing.T) {
	b, err := os.ReadFile("../aws/kinds.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Kind]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		group, version, _ := strings.Cut(f[0], "/")
		for _, kind := range f[1:] {
			want[Kind{APIVersion: group + ".aws.m.upbound.io/" + version, Kind: kind}] = true
		}
	}
	got := map[Kind]bool{}
	for k := range References {
		got[k] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("References: -kinds.txt, +table (run make generate):\n%s", diff)
	}
}
