//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

// TestEngineVersions plays a cluster's engine over its life (engine.go):
// created pinned to 15.10; AWS upgrades the minor to 15.13 in the
// maintenance window and the function never asks for less; the spec asks
// for major 16, which waits for the maintenance window through the new
// parameter group (Preparing, Upgrading), then the window runs it to 16.x
// and the 15 group goes (Finishing, then no upgrade).
func TestEngineVersions(t *testing.T) {
	ctx := t.Context()
	obj := readExample(t, "testdata/xr/minimal.yaml")
	obj.SetName("engine")
	obj.SetNamespace("team-engine")
	for path, v := range map[string]any{"engineVersion": "15.10", "deletionProtection": false, "finalSnapshot": false} {
		if err := unstructured.SetNestedField(obj.Object, v, "spec", path); err != nil {
			t.Fatal(err)
		}
	}
	x := &xrRef{gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace(),
		allowedGone: set{"cluster-parameter-group": true, "usage-cluster-parameter-group-by-cluster": true}}
	tr := newTracker()
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	var objs map[string]*unstructured.Unstructured
	var key string
	ok := t.Run("CreatedPinned", func(t *testing.T) {
		_, objs = converge(ctx, t, x, tr, convergeTimeout, allReady(func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			if objs["instance-1"] == nil {
				return fmt.Errorf("no writer instance yet")
			}
			return wantStatus(xr, "engineVersionActual", "15.10")
		}))
		c := objs["cluster"]
		key = c.GetNamespace() + "/" + c.GetName()
		if v := str(objs["instance-1"], "spec", "forProvider", "autoMinorVersionUpgrade"); v != "false" {
			t.Errorf("a pinned version turns automatic minor upgrades off, got autoMinorVersionUpgrade %s", v)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("MinorUpgradedByAWS", func(t *testing.T) {
		pv.engines.upgradeMinor(key, "15.13")
		if err := pv.observe(ctx, objs["cluster"]); err != nil {
			t.Fatal(err)
		}
		_, objs = converge(ctx, t, x, tr, convergeTimeout, allReady(func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			if err := wantStatus(xr, "engineVersionActual", "15.13"); err != nil {
				return err
			}
			if v := str(objs["cluster"], "spec", "forProvider", "engineVersion"); v != "15.13" {
				return fmt.Errorf("the cluster asks for %s, want the running 15.13", v)
			}
			if m := str(xr, "status", "engineVersionMessage"); !strings.Contains(m, "spec.engineVersion 15.10 is below the version the cluster runs, 15.13") {
				return fmt.Errorf("status.engineVersionMessage %q does not say the spec is behind", m)
			}
			return nil
		}))
		if _, _, refused := pv.engines.running(key); len(refused) > 0 {
			t.Errorf("RDS would have refused downgrades: %v", refused)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("MajorUpgradeWaitsForTheWindow", func(t *testing.T) {
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"engineVersion": "16.8"}})
		// Before the provider reports the new group: Preparing, and the
		// cluster untouched.
		waitFor(ctx, t, x, "Preparing with the 16 parameter group composed", func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			if err := wantStatus(xr, "upgrade.phase", "Preparing"); err != nil {
				return err
			}
			if objs["cluster-parameter-group-16"] == nil {
				return fmt.Errorf("no cluster-parameter-group-16 yet")
			}
			c := objs["cluster"]
			if v, a := str(c, "spec", "forProvider", "engineVersion"), str(c, "spec", "forProvider", "allowMajorVersionUpgrade"); v != "15.13" || a != "" {
				return fmt.Errorf("while Preparing the cluster asks for %s (allowMajorVersionUpgrade %q), want 15.13 untouched", v, a)
			}
			if r := conditionReason(xr, "Available"); r != "Upgrading" {
				return fmt.Errorf("Available reason %q, want Upgrading", r)
			}
			return nil
		})
		phases := map[string]bool{}
		early := false
		var xr *unstructured.Unstructured
		waiting := allReady(func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			if objs["cluster-parameter-group-16"] == nil || objs["cluster-parameter-group"] == nil {
				return fmt.Errorf("want both parameter groups while the upgrade waits, have %v", setOf(objs).sorted())
			}
			c := objs["cluster"]
			if v, g, a := str(c, "spec", "forProvider", "engineVersion"), str(c, "spec", "forProvider", "dbClusterParameterGroupName"), str(c, "spec", "forProvider", "allowMajorVersionUpgrade"); v != "16.8" || !strings.HasSuffix(g, "-aurora-postgresql16") || a != "true" {
				return fmt.Errorf("the cluster asks for %s on %q (allowMajorVersionUpgrade %s), want 16.8 on the 16 group with allowMajorVersionUpgrade", v, g, a)
			}
			if r := conditionReason(xr, "Available"); r != "Upgrading" {
				return fmt.Errorf("Available reason %q, want Upgrading", r)
			}
			return wantStatus(xr, "upgrade.phase", "Upgrading")
		})
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			phases[str(xr, "status", "upgrade", "phase")] = true
			if g := objs["cluster-parameter-group-16"]; str(objs["cluster"], "spec", "forProvider", "engineVersion") == "16.8" && (g == nil || !ready(g)) {
				early = true
			}
			return waiting(xr, objs)
		})
		t.Logf("phases seen: %v", phases)
		if f, to := str(xr, "status", "upgrade", "from"), str(xr, "status", "upgrade", "to"); f != "15.13" || to != "16.8" {
			t.Errorf("status.upgrade from %q to %q, want 15.13 to 16.8", f, to)
		}
		if v, _, _ := pv.engines.running(key); v != "15.13" {
			t.Errorf("AWS runs %s before the maintenance window, want 15.13", v)
		}
		if early {
			t.Error("the cluster asked for 16 before the 16 parameter group was Ready")
		}
	})
	if !ok {
		return
	}

	t.Run("MaintenanceWindowUpgrades", func(t *testing.T) {
		pv.engines.maintenanceWindow(key)
		if err := pv.observe(ctx, objs["cluster"]); err != nil {
			t.Fatal(err)
		}
		// The cluster runs 16 on the new group: the old group goes once its
		// Usage is gone, without the provider's help.
		waitFor(ctx, t, x, "Finishing", func(xr *unstructured.Unstructured, _ map[string]*unstructured.Unstructured) error {
			return wantStatus(xr, "upgrade.phase", "Finishing")
		})
		xr, objs := converge(ctx, t, x, tr, convergeTimeout, allReady(func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			if objs["cluster-parameter-group"] != nil || objs["usage-cluster-parameter-group-by-cluster"] != nil {
				return fmt.Errorf("the 15 parameter group or its Usage is still there")
			}
			if u := str(xr, "status", "upgrade", "phase"); u != "" {
				return fmt.Errorf("status.upgrade.phase %q, want none", u)
			}
			return wantStatus(xr, "engineVersionActual", "16.8")
		}))
		if c := objs["cluster"]; str(c, "spec", "forProvider", "allowMajorVersionUpgrade") == "true" {
			t.Error("allowMajorVersionUpgrade stays set after the upgrade")
		}
		if r := conditionReason(xr, "Available"); r != "Available" {
			t.Errorf("Available reason %q after the upgrade, want Available", r)
		}
		if _, _, refused := pv.engines.running(key); len(refused) > 0 {
			t.Errorf("RDS would have refused downgrades: %v", refused)
		}
	})
}

// allReady is done once the XR is Synced and Ready, every composed
// resource is ready, and more holds.
func allReady(more func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error) func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
	return func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
		for _, c := range []string{"Synced", "Ready"} {
			if st, msg := kube.Condition(xr, c); st != "True" {
				return fmt.Errorf("XR %s=%q (%s)", c, st, msg)
			}
		}
		for n, u := range objs {
			if isManaged(u) && !ready(u) {
				return fmt.Errorf("%s is not ready", n)
			}
		}
		return more(xr, objs)
	}
}

// wantStatus checks a status field (a dotted path).
func wantStatus(xr *unstructured.Unstructured, path, want string) error {
	if got := str(xr, append([]string{"status"}, strings.Split(path, ".")...)...); got != want {
		return fmt.Errorf("status.%s %q, want %q", path, got, want)
	}
	return nil
}

// waitFor polls an XR, without playing the provider, until ok holds.
func waitFor(ctx context.Context, t *testing.T, x *xrRef, what string, ok func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		xr, err := x.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkRejected(t, xr)
		objs, err := x.composed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = ok(xr, objs)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not %s: %v\n%s", x, what, err, describe(ctx, x))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
