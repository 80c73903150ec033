package fakeprovider

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestReferenceTargets(t *testing.T) {
	m := func(group, kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group + ".aws.m.upbound.io", Version: "v1beta1", Kind: kind}
	}
	cases := map[string]struct {
		reason string
		kind   schema.GroupVersionKind
		want   map[string]schema.GroupVersionKind
	}{
		"KMSAlias": {
			reason: "An Alias's key selectors, in forProvider and initProvider, list Keys.",
			kind:   m("kms", "Alias"),
			want: map[string]schema.GroupVersionKind{
				"spec.forProvider.targetKeyIdSelector":  m("kms", "Key"),
				"spec.initProvider.targetKeyIdSelector": m("kms", "Key"),
			},
		},
		"SecretRotation": {
			reason: "Nested in a list too: rotationRules has none, the Lambda and the secret are listed as their own kinds.",
			kind:   m("secretsmanager", "SecretRotation"),
			want: map[string]schema.GroupVersionKind{
				"spec.forProvider.rotationLambdaArnSelector":  m("lambda", "Function"),
				"spec.forProvider.secretIdSelector":           m("secretsmanager", "Secret"),
				"spec.initProvider.rotationLambdaArnSelector": m("lambda", "Function"),
				"spec.initProvider.secretIdSelector":          m("secretsmanager", "Secret"),
			},
		},
		"KMSKey": {
			reason: "A Key references nothing.",
			kind:   m("kms", "Key"),
			want:   map[string]schema.GroupVersionKind{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ReferenceTargets(tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nReferenceTargets(%s): -want, +got:\n%s", tc.reason, tc.kind.Kind, diff)
			}
		})
	}
}

// TestReferenceTargetsComposedKinds probes every kind the function
// composes (internal/aws/kinds.txt): a resolver that needs a target kind
// Scheme and uncomposedTargets lack fails here with the kind's name.
func TestReferenceTargetsComposedKinds(t *testing.T) {
	b, err := os.ReadFile("../aws/kinds.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		group, version, _ := strings.Cut(f[0], "/")
		for _, kind := range f[1:] {
			gvk := schema.GroupVersionKind{Group: group + ".aws.m.upbound.io", Version: version, Kind: kind}
			if _, err := ReferenceTargets(gvk); err != nil {
				t.Errorf("%s: %v", gvk, err)
			}
			n++
		}
	}
	if n < 26 {
		t.Errorf("probed %d kinds, want the 26 composed ones at least", n)
	}
}
