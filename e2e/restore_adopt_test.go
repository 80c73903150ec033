//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

// TestRestoreFromSnapshot files testdata/xr/restore-snapshot.yaml: the
// identifier is probed first, the cluster is created as a restore (the
// snapshot, no master user or database name sent), its instances name it
// (provider-upjet-aws#1764), and a changed snapshot is refused.
func TestRestoreFromSnapshot(t *testing.T) {
	ctx := t.Context()
	obj := readExample(t, "testdata/xr/restore-snapshot.yaml")
	x := &xrRef{gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace(), allowedGone: set{}}
	tr := newTracker()
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	_, objs := converge(ctx, t, x, tr, convergeTimeout, readyWith(goldenNames(t, "RestoreFromSnapshot")))
	tr.before(t, "log-group-postgresql", "cluster")
	tr.before(t, "cluster", "instance-writer")
	c := objs["cluster"]
	if observeOnly(c) {
		t.Fatal("the cluster is still observe-only")
	}
	if got := str(c, "spec", "forProvider", "snapshotIdentifier"); got != str(obj, "spec", "restore", "snapshotIdentifier") {
		t.Errorf("cluster snapshotIdentifier %q, want the spec's", got)
	}
	for _, f := range []string{"masterUsername", "databaseName"} {
		if v := str(c, "spec", "forProvider", f); v != "" {
			t.Errorf("cluster forProvider.%s %q: a restore takes it from the snapshot", f, v)
		}
	}
	for _, n := range []string{"instance-writer", "instance-reader"} {
		if got := str(objs[n], "spec", "forProvider", "clusterIdentifier"); got != c.GetAnnotations()["crossplane.io/external-name"] {
			t.Errorf("%s clusterIdentifier %q, want the cluster's identifier (provider-upjet-aws#1764)", n, got)
		}
	}

	t.Run("ChangedSnapshotRefused", func(t *testing.T) {
		if _, err := cl.MergePatch(ctx, x.gvk, x.namespace, x.name, []byte(`{"spec":{"restore":{"snapshotIdentifier":"orders-other"}}}`)); err != nil {
			if !strings.Contains(err.Error(), "restore") {
				t.Fatalf("cannot change %s: %v", x, err)
			}
			t.Logf("refused at admission: %v", err)
			return
		}
		waitXR(ctx, t, x, func(xr *unstructured.Unstructured) error {
			if st, msg := kube.Condition(xr, "Synced"); st != "False" || !strings.Contains(msg, "spec.restore: Forbidden") {
				return fmt.Errorf("Synced=%q (%s), want False naming spec.restore", st, msg)
			}
			return nil
		})
		cur := mustGet(ctx, t, gvkCluster, x.composedIn, c.GetName())
		if got := str(cur, "spec", "forProvider", "snapshotIdentifier"); got != str(obj, "spec", "restore", "snapshotIdentifier") {
			t.Errorf("the cluster's snapshotIdentifier changed to %q", got)
		}
	})
}

// TestAdoptObserveThenManage makes a cluster exist in "AWS" that no XR
// created, files testdata/xr/adopt-observe.yaml (Observe: the cluster and
// its instances observe-only, the differences in Available), then changes
// it to testdata/xr/adopt-manage.yaml (Manage: the same managed resources
// take the spec) and checks that going back to Observe is refused.
func TestAdoptObserveThenManage(t *testing.T) {
	ctx := t.Context()
	const id = "legacy-orders"
	arn := func(res string) string { return fmt.Sprintf("arn:aws:rds:us-east-1:%s:%s", account, res) }
	pv.addExisting("Cluster", id, map[string]any{
		"id": id, "arn": arn("cluster:" + id),
		"endpoint":       id + ".cluster-c9akciq32.us-east-1.rds.amazonaws.com",
		"readerEndpoint": id + ".cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com",
		"port":           5432, "engine": "aurora-postgresql", "engineVersion": "16.4", "engineVersionActual": "16.4",
		"databaseName": "orders", "masterUsername": "postgres", "storageEncrypted": true,
		"kmsKeyId":                 "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9",
		"manageMasterUserPassword": true,
		"dbSubnetGroupName":        "legacy-orders-subnets", "dbClusterParameterGroupName": "default.aurora-postgresql16",
		"vpcSecurityGroupIds": []any{"sg-0legacy0orders0001"}, "deletionProtection": true, "backupRetentionPeriod": 7,
		"clusterMembers": []any{id + "-instance-1", id + "-instance-2"},
		"tags":           map[string]any{"team": "orders", "cost-center": "4711"},
	})
	for i := 1; i <= 2; i++ {
		n := fmt.Sprintf("%s-instance-%d", id, i)
		pv.addExisting("ClusterInstance", n, map[string]any{"id": n, "arn": arn("db:" + n), "clusterIdentifier": id, "instanceClass": "db.r6g.large", "writer": i == 1})
	}

	obj := readExample(t, "testdata/xr/adopt-observe.yaml")
	x := &xrRef{
		gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace(),
		// The running instance the Observe spec does not name becomes the
		// spec's instance-2 in Manage: its observe-only MR goes.
		allowedGone: set{"member-legacy-orders-instance-2": true},
	}
	tr := newTracker()
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	var objs map[string]*unstructured.Unstructured
	ok := t.Run("Observe", func(t *testing.T) {
		var xr *unstructured.Unstructured
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
			if d := diff(goldenNames(t, "AdoptObserve"), setOf(objs)); d != "" {
				return fmt.Errorf("composed set: %s", d)
			}
			if r := conditionReason(xr, "Available"); r != "Observing" || !strings.Contains(availableMessage(xr), "differs from the spec") {
				return fmt.Errorf("Available reason %q (%s), want Observing with the differences", r, availableMessage(xr))
			}
			return nil
		})
		for n, u := range objs {
			if !observeOnly(u) {
				t.Errorf("%s is not observe-only in mode Observe", n)
			}
		}
		for _, want := range []string{"engineVersion: runs 16.4", "security groups: runs with sg-0legacy0orders0001", "instance \"legacy-orders-instance-2\" is not in spec.instances"} {
			if !strings.Contains(availableMessage(xr), want) {
				t.Errorf("Available does not report %q: %s", want, availableMessage(xr))
			}
		}
		if got := str(xr, "status", "endpoint"); got != id+".cluster-c9akciq32.us-east-1.rds.amazonaws.com" {
			t.Errorf("status.endpoint %q, want the adopted cluster's", got)
		}
	})
	if !ok {
		return
	}
	clusterUID := objs["cluster"].GetUID()

	ok = t.Run("Manage", func(t *testing.T) {
		manage := readExample(t, "testdata/xr/adopt-manage.yaml")
		patchXR(ctx, t, x, map[string]any{"spec": manage.Object["spec"]})
		objs = nil
		_, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(goldenNames(t, "AdoptManage")))
		c := objs["cluster"]
		if c.GetUID() != clusterUID {
			t.Errorf("the cluster's managed resource was replaced (uid %s, was %s)", c.GetUID(), clusterUID)
		}
		if observeOnly(c) {
			t.Error("the cluster is still observe-only in mode Manage")
		}
		if got := str(c, "spec", "forProvider", "dbSubnetGroupName"); got != "legacy-orders-subnets" {
			t.Errorf("cluster dbSubnetGroupName %q, want the running legacy-orders-subnets (create-only)", got)
		}
		if got := str(objs["instance-instance-2"], "metadata", "annotations", "crossplane.io/external-name"); got != id+"-instance-2" {
			t.Errorf("instance-instance-2 external name %q, want the running %s-instance-2", got, id)
		}
		tr.before(t, "log-group-postgresql", "instance-instance-2")
	})
	if !ok {
		return
	}

	t.Run("BackToObserveRefused", func(t *testing.T) {
		b := []byte(`{"spec":{"adopt":{"mode":"Observe"}}}`)
		_, err := cl.MergePatch(ctx, x.gvk, x.namespace, x.name, b)
		if err == nil || !strings.Contains(err.Error(), "Manage") {
			t.Errorf("mode Manage -> Observe: want refused at admission, got %v", err)
		}
	})
}

// availableMessage is the message of the XR's Available condition.
func availableMessage(xr *unstructured.Unstructured) string {
	_, msg := kube.Condition(xr, "Available")
	return msg
}

// waitXR polls the XR until ok accepts it.
func waitXR(ctx context.Context, t *testing.T, x *xrRef, ok func(*unstructured.Unstructured) error) {
	t.Helper()
	_, _ = converge(ctx, t, x, newTracker(), convergeTimeout, func(xr *unstructured.Unstructured, _ map[string]*unstructured.Unstructured) error {
		return ok(xr)
	})
}
