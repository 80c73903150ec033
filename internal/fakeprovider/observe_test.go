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

// TestCreatedProxy checks what the provider reports for the RDS Proxy
// kinds: AWS's proxy ARN (db-proxy:prx-<id>) in the proxy's region, its
// endpoint under the proxy's name, and the provider's IDs of the default
// target group (the proxy's name) and of a target
// (proxy/target group/type/cluster).
func TestCreatedProxy(t *testing.T) {
	p := Provider{Account: "111122223333"}
	mr := func(kind, ext string, fp map[string]any) map[string]any {
		meta := map[string]any{"name": "x"}
		if ext != "" {
			meta["annotations"] = map[string]any{annotationExternalName: ext}
		}
		return map[string]any{"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": kind, "metadata": meta, "spec": map[string]any{"forProvider": fp}}
	}
	ext, at := p.Created(mr("Proxy", "orders-proxy", map[string]any{"region": "eu-west-1"}), "seed")
	h := hash("seed")
	if want := "arn:aws:rds:eu-west-1:111122223333:db-proxy:prx-" + h[:17]; ext != "orders-proxy" || at["arn"] != want {
		t.Errorf("Proxy: external name %q, arn %v; want orders-proxy and %s", ext, at["arn"], want)
	}
	if want := "orders-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com"; at["endpoint"] != want {
		t.Errorf("Proxy endpoint %v, want %s", at["endpoint"], want)
	}
	ext, at = p.Created(mr("ProxyDefaultTargetGroup", "", map[string]any{"region": "eu-west-1", "dbProxyName": "orders-proxy"}), "seed")
	if ext != "orders-proxy" || at["name"] != "default" || at["arn"] != "arn:aws:rds:eu-west-1:111122223333:target-group:prx-tg-"+h[:17] {
		t.Errorf("ProxyDefaultTargetGroup: external name %q, %v", ext, at)
	}
	ext, at = p.Created(mr("ProxyTarget", "", map[string]any{"region": "eu-west-1", "dbProxyName": "orders-proxy", "targetGroupName": "default", "dbClusterIdentifier": "orders"}), "seed")
	if want := "orders-proxy/default/TRACKED_CLUSTER/orders"; ext != want || at["id"] != want || at["type"] != "TRACKED_CLUSTER" {
		t.Errorf("ProxyTarget: external name %q, %v; want %s", ext, at, want)
	}
}
