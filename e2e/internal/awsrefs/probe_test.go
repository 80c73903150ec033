package awsrefs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../../.."

func TestProbe(t *testing.T) {
	m := func(group, kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group + ".aws.m.upbound.io", Version: "v1beta1", Kind: kind}
	}
	k := func(group, kind string) fakeprovider.Kind {
		return fakeprovider.Kind{APIVersion: group + ".aws.m.upbound.io/v1beta1", Kind: kind}
	}
	cases := map[string]struct {
		reason string
		kind   schema.GroupVersionKind
		want   []fakeprovider.Reference
	}{
		"LogGroupKeyARN": {
			reason: "A log group's key selectors list Keys and copy their ARN (common.ARNExtractor), into kmsKeyId and kmsKeyIdRef.",
			kind:   m("cloudwatchlogs", "Group"),
			want: []fakeprovider.Reference{
				{Selector: "spec.forProvider.kmsKeyIdSelector", Value: "kmsKeyId", Ref: "kmsKeyIdRef", Target: k("kms", "Key"), Extract: "status.atProvider.arn", Field: "mg.Spec.ForProvider.KMSKeyID"},
				{Selector: "spec.initProvider.kmsKeyIdSelector", Value: "kmsKeyId", Ref: "kmsKeyIdRef", Target: k("kms", "Key"), Extract: "status.atProvider.arn", Field: "mg.Spec.InitProvider.KMSKeyID"},
			},
		},
		"SecretRotation": {
			reason: "The Lambda's ARN and the secret's ID (its ARN, status.atProvider.id), from their own kinds.",
			kind:   m("secretsmanager", "SecretRotation"),
			want: []fakeprovider.Reference{
				{Selector: "spec.forProvider.rotationLambdaArnSelector", Value: "rotationLambdaArn", Ref: "rotationLambdaArnRef", Target: k("lambda", "Function"), Extract: "status.atProvider.arn", Field: "mg.Spec.ForProvider.RotationLambdaArn"},
				{Selector: "spec.forProvider.secretIdSelector", Value: "secretId", Ref: "secretIdRef", Target: k("secretsmanager", "Secret"), Extract: "status.atProvider.id", Field: "mg.Spec.ForProvider.SecretID"},
				{Selector: "spec.initProvider.rotationLambdaArnSelector", Value: "rotationLambdaArn", Ref: "rotationLambdaArnRef", Target: k("lambda", "Function"), Extract: "status.atProvider.arn", Field: "mg.Spec.InitProvider.RotationLambdaArn"},
				{Selector: "spec.initProvider.secretIdSelector", Value: "secretId", Ref: "secretIdRef", Target: k("secretsmanager", "Secret"), Extract: "status.atProvider.id", Field: "mg.Spec.InitProvider.SecretID"},
			},
		},
		"KMSKey": {
			reason: "A Key references nothing.",
			kind:   m("kms", "Key"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Probe(tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nProbe(%s): -want, +got:\n%s", tc.reason, tc.kind.Kind, diff)
			}
		})
	}
}

// TestTableIsCurrent fails when internal/fakeprovider/zz_generated_references.go
// differs from what provider-aws's resolvers give: the root module's tests
// resolve references with that table, so it must not drift from them.
func TestTableIsCurrent(t *testing.T) {
	kinds, err := os.ReadFile(filepath.Join(repoRoot, KindsFile))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(kinds)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(repoRoot, Generated))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from provider-aws's resolvers (run make generate): -resolvers, +committed:\n%s", Generated, diff)
	}
}
