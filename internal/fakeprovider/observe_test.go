package fakeprovider

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestObserved(t *testing.T) {
	existing := map[string]any{"id": "legacy", "engineVersionActual": "16.4"}
	p := Provider{Account: "111122223333", Existing: map[string]map[string]any{"Cluster/legacy": existing}}
	cluster := func(ext string, policies ...any) map[string]any {
		return map[string]any{
			"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": "Cluster",
			"metadata": map[string]any{"name": "c", "annotations": map[string]any{annotationExternalName: ext}},
			"spec":     map[string]any{"managementPolicies": policies, "forProvider": map[string]any{"region": "us-east-1"}},
		}
	}
	if !ObserveOnly(cluster("legacy", "Observe")) || ObserveOnly(cluster("legacy", "Observe", "Create")) || ObserveOnly(cluster("legacy")) {
		t.Error("ObserveOnly: want true for exactly [Observe] only")
	}
	if at, ok := p.Observed(cluster("legacy", "Observe")); !ok || !cmp.Equal(at, existing) {
		t.Errorf("Observed(legacy) = %v, %v; want the existing observation", at, ok)
	}
	if _, ok := p.Observed(cluster("orders", "Observe")); ok {
		t.Error("Observed(orders): want none, it does not exist")
	}
}

func TestCreatedEngineAndTags(t *testing.T) {
	for requested, want := range map[string]string{"16": "16.8", "15": "15.12", "16.4": "16.4", "99": "99"} {
		obj := map[string]any{
			"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": "Cluster",
			"metadata": map[string]any{"name": "orders"},
			"spec": map[string]any{"forProvider": map[string]any{
				"region": "us-east-1", "engineVersion": requested, "tags": map[string]any{"team": "payments"},
			}},
		}
		_, at := Provider{Account: "111122223333"}.Created(obj, "seed")
		if at["engineVersionActual"] != want {
			t.Errorf("engineVersion %q runs %v, want %q", requested, at["engineVersionActual"], want)
		}
		if !cmp.Equal(at["tagsAll"], map[string]any{"team": "payments"}) {
			t.Errorf("tagsAll = %v, want the tags", at["tagsAll"])
		}
	}
}
