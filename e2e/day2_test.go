//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestDay2 files testdata/xr/parameters.yaml (cluster and instance
// parameters, three named instances), plays the provider until the XR is
// Ready, and edits it as a platform team would on day 2: an immutable field
// is refused at admission, a static parameter changes with pending-reboot,
// a middle reader is removed, and the connection Secret is renamed.
func TestDay2(t *testing.T) {
	ctx := t.Context()
	obj := readExample(t, "testdata/xr/parameters.yaml")
	x := &xrRef{gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace()}
	tr := newTracker()
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	const pg = "db-parameter-group-16"
	var xr *unstructured.Unstructured
	var objs map[string]*unstructured.Unstructured
	ok := t.Run("Converge", func(t *testing.T) {
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(goldenNames(t, "Parameters")))
		// No provider resolves references here: each instance selects the
		// DB parameter group (checkComposed: exactly one composed resource).
		for _, n := range []string{"instance-writer", "instance-reader-a", "instance-reader-b"} {
			if v := str(objs[n], "spec", "forProvider", "dbParameterGroupNameSelector", "matchLabels", "aurora-postgres.fn.crossplane.io/component"); v != pg {
				t.Errorf("%s selects DB parameter group %q, want %s", n, v, pg)
			}
		}
	})
	if !ok {
		return
	}

	t.Run("ImmutableEditRefusedAtAdmission", func(t *testing.T) {
		for _, tc := range []struct {
			patch map[string]any
			want  string
		}{
			{map[string]any{"region": "us-east-2"}, "spec.region is immutable after creation"},
			{map[string]any{"clusterIdentifier": "analytics-v2"}, "spec.clusterIdentifier is immutable"},
			{map[string]any{"encryption": map[string]any{"existingKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}, "spec.encryption.existingKmsKeyArn is immutable"},
			{map[string]any{"credentials": map[string]any{"mode": "SelfManaged"}}, "spec.credentials.mode is immutable after creation"},
			{map[string]any{"parameters": []any{map[string]any{"name": "rds.force_ssl", "value": "0"}}}, "rds.force_ssl must stay 1"},
		} {
			b, err := json.Marshal(map[string]any{"spec": tc.patch})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cl.MergePatch(ctx, x.gvk, x.namespace, x.name, b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("patch %s: want the API server to refuse it with %q, got %v", b, tc.want, err)
			}
		}
		// Nothing changed.
		now, err := x.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if now.GetGeneration() != xr.GetGeneration() {
			t.Errorf("XR generation %d -> %d: a refused edit was stored", xr.GetGeneration(), now.GetGeneration())
		}
	})

	ok = t.Run("ParameterChangePendingReboot", func(t *testing.T) {
		before := objs
		params, _, _ := unstructured.NestedSlice(xr.Object, "spec", "instanceParameters")
		for _, p := range params {
			if m := p.(map[string]any); m["name"] == "max_connections" {
				m["value"] = "800"
			}
		}
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"instanceParameters": params}})
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, func(xr *unstructured.Unstructured, got map[string]*unstructured.Unstructured) error {
			if err := readyWith(setOf(before))(xr, got); err != nil {
				return err
			}
			return paramIs(got[pg], "max_connections", "800", "pending-reboot")
		})
		// Only the DB parameter group changed: no instance is modified.
		for n, u := range objs {
			if n == pg || u.GetGeneration() == before[n].GetGeneration() {
				continue
			}
			t.Errorf("%s changed (generation %d -> %d) when only an instance parameter did", n, before[n].GetGeneration(), u.GetGeneration())
		}
	})
	if !ok {
		return
	}

	ok = t.Run("RemoveMiddleReader", func(t *testing.T) {
		before := objs
		removed := set{}
		for n := range before {
			if strings.HasSuffix(n, "-reader-a") {
				removed[n] = true
			}
		}
		if !removed["instance-reader-a"] {
			t.Fatalf("no instance-reader-a in %v", setOf(before).sorted())
		}
		x.allowedGone = x.allowedGone.plus(removed)
		instances, _, _ := unstructured.NestedSlice(xr.Object, "spec", "instances")
		kept := []any{}
		for _, in := range instances {
			if in.(map[string]any)["name"] != "reader-a" {
				kept = append(kept, in)
			}
		}
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"instances": kept}})
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(setOf(before).minus(removed)))
		for n, u := range objs {
			// The instances' event subscription lists the instances.
			if n == "event-subscription-instances" || u.GetGeneration() == before[n].GetGeneration() {
				continue
			}
			t.Errorf("%s changed (generation %d -> %d) when only reader-a was removed", n, before[n].GetGeneration(), u.GetGeneration())
		}
		if es := objs["event-subscription-instances"]; es != nil && strings.Contains(str(es, "spec", "forProvider"), "reader-a") {
			t.Errorf("the instances' event subscription still lists reader-a")
		}
	})
	if !ok {
		return
	}

	t.Run("ConnectionSecretRenamed", func(t *testing.T) {
		before := objs
		oldName := str(before["connection-secret"], "metadata", "name")
		x.allowedGone = x.allowedGone.plus(set{"connection-secret": true})
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"writeConnectionSecretToRef": map[string]any{"name": "analytics-db-v2"}}})
		var key string
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, func(xr *unstructured.Unstructured, got map[string]*unstructured.Unstructured) error {
			key = ""
			for n, u := range got {
				if strings.HasPrefix(n, "connection-secret") && u.GetName() == "analytics-db-v2" {
					key = n
				}
			}
			want := setOf(before).minus(set{"connection-secret": true})
			if key != "" {
				want[key] = true
			}
			return readyWith(want)(xr, got)
		})
		if key == "" {
			t.Fatal("no Secret analytics-db-v2 composed")
		}
		if _, err := get(ctx, gvkSecret, x.namespace, oldName); err == nil {
			// The garbage collector deletes it through its owner reference.
			waitSecretGone(ctx, t, x.namespace, oldName)
		}
		checkConnectionSecret(t, mustGet(ctx, t, gvkSecret, x.namespace, "analytics-db-v2"), xr, map[string]string{"dbname": "app", "username": "dbadmin"})
	})
}

// paramIs checks a parameter of a parameter group's forProvider.
func paramIs(u *unstructured.Unstructured, name, value, method string) error {
	params, _, _ := unstructured.NestedSlice(u.Object, "spec", "forProvider", "parameter")
	for _, p := range params {
		m, _ := p.(map[string]any)
		if m["name"] != name {
			continue
		}
		if m["value"] != value || m["applyMethod"] != method {
			return fmt.Errorf("%s %s=%v applyMethod %v, want %s with %s", u.GetName(), name, m["value"], m["applyMethod"], value, method)
		}
		return nil
	}
	return fmt.Errorf("%s has no parameter %s", u.GetName(), name)
}

// waitSecretGone waits for the garbage collector to delete a Secret the XR
// no longer composes.
func waitSecretGone(ctx context.Context, t *testing.T, namespace, name string) {
	t.Helper()
	deadline := time.Now().Add(deleteTimeout)
	for {
		if _, err := get(ctx, gvkSecret, namespace, name); err != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Secret %s/%s still exists %s after the XR stopped composing it", namespace, name, deleteTimeout)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
