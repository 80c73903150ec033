//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

var gvkCluster = schema.GroupVersionKind{Group: "rds.aws.m.upbound.io", Version: "v1beta1", Kind: "Cluster"}

// usedByCluster are the components the cluster uses: each is protected by
// a Usage until the cluster is gone.
func usedByCluster(objs map[string]*unstructured.Unstructured) []string {
	out := []string{"kms-key", "security-group", "subnet-group", "cluster-parameter-group"}
	for n := range objs {
		if strings.HasPrefix(n, "log-group-") {
			out = append(out, n)
		}
	}
	slices.Sort(out[4:])
	return out
}

func instances(objs map[string]*unstructured.Unstructured) []string {
	var out []string
	for n := range objs {
		if strings.HasPrefix(n, "instance-") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// checkUsages asserts the XR composes the Usages that order its deletion,
// and waits until Crossplane has made each one effective: resolved, Ready,
// the used resource labelled in-use.
func checkUsages(ctx context.Context, t *testing.T, objs map[string]*unstructured.Unstructured) {
	t.Helper()
	type pair struct{ of, by string }
	var want []pair
	for _, n := range usedByCluster(objs) {
		want = append(want, pair{of: n, by: "cluster"})
	}
	for _, n := range instances(objs) {
		want = append(want, pair{of: "cluster", by: n})
	}
	if len(instances(objs)) == 0 {
		t.Fatal("no instances composed")
	}
	for _, w := range want {
		n := "usage-" + w.of + "-by-" + w.by
		u := objs[n]
		if u == nil {
			t.Errorf("no Usage %s: %s may be deleted before %s", n, w.of, w.by)
			continue
		}
		for side, comp := range map[string]string{"of": w.of, "by": w.by} {
			sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", side, "resourceSelector", "matchLabels")
			ctrl, _, _ := unstructured.NestedBool(u.Object, "spec", side, "resourceSelector", "matchControllerRef")
			target := objs[comp]
			if sel[labelComponent] != comp || !ctrl || target == nil ||
				str(u, "spec", side, "apiVersion") != target.GetAPIVersion() || str(u, "spec", side, "kind") != target.GetKind() {
				t.Errorf("Usage %s: spec.%s %v, want %s's kind selected by controller and label %s=%s", n, side, u.Object["spec"].(map[string]any)[side], comp, labelComponent, comp)
			}
		}
		if replay, _, _ := unstructured.NestedBool(u.Object, "spec", "replayDeletion"); !replay {
			t.Errorf("Usage %s: no replayDeletion: the garbage collector's refused delete would be retried only with back-off", n)
		}
		if str(u, "spec", "reason") == "" {
			t.Errorf("Usage %s: no reason", n)
		}
		waitUsageReady(ctx, t, u)
	}
}

// logDeletions writes the order in which the provider let go of managed
// resources, for the test output.
func logDeletions(t *testing.T, since time.Time, dels []deletion) {
	t.Helper()
	var b strings.Builder
	for i, d := range dels {
		refused := ""
		if d.refused {
			refused = "  (a delete was refused first: in use)"
		}
		fmt.Fprintf(&b, "\n  %2d  +%5.1fs  %-8s  %-24s %s%s", i+1, d.at.Sub(since).Seconds(), d.outcome, d.kind, d.resource, refused)
	}
	t.Logf("deletion order (%d managed resources, since the delete):%s", len(dels), b.String())
}

// checkDeletionOrder asserts the provider let go of an XR's managed
// resources in a safe order: the instances before the cluster, the cluster
// before what it uses; each Usage's user before what it uses; the key
// orphaned with a final snapshot, deleted without. Every used resource must
// have been refused a delete first: the order was enforced, not luck.
func checkDeletionOrder(t *testing.T, objs map[string]*unstructured.Unstructured, dels []deletion, finalSnapshot bool) {
	t.Helper()
	at := map[string]int{}
	for i, d := range dels {
		if _, dup := at[d.resource]; dup {
			t.Errorf("%s deleted twice", d.resource)
		}
		at[d.resource] = i
	}
	for _, n := range setOf(objs).sorted() {
		if u := objs[n]; isManaged(u) {
			if _, ok := at[n]; !ok {
				t.Errorf("%s (%s) was never deleted by the provider", n, u.GetKind())
			}
		}
	}
	before := func(a, b string) {
		t.Helper()
		ia, oka := at[a]
		ib, okb := at[b]
		if oka && okb && ia >= ib {
			t.Errorf("%s deleted at step %d, not before %s (step %d)", a, ia+1, b, ib+1)
		}
	}
	for _, in := range instances(objs) {
		before(in, "cluster")
	}
	for _, n := range usedByCluster(objs) {
		before("cluster", n)
	}
	// Whatever the function makes a Usage of, in general.
	for _, n := range setOf(objs).sorted() {
		if u := objs[n]; u.GroupVersionKind() == gvkUsage {
			of, _, _ := unstructured.NestedString(u.Object, "spec", "of", "resourceSelector", "matchLabels", labelComponent)
			by, _, _ := unstructured.NestedString(u.Object, "spec", "by", "resourceSelector", "matchLabels", labelComponent)
			before(by, of)
		}
	}
	for _, d := range dels {
		u := objs[d.resource]
		if u == nil {
			continue
		}
		want := deleted
		if d.resource == "kms-key" && finalSnapshot {
			// The final snapshot is encrypted with it.
			want = orphaned
		}
		if d.outcome != want {
			t.Errorf("%s %s (management policies %v), want %s", d.resource, d.outcome, u.Object["spec"].(map[string]any)["managementPolicies"], want)
		}
	}
	for _, n := range usedByCluster(objs) {
		if i, ok := at[n]; ok && !dels[i].refused {
			t.Errorf("%s was deleted without a refused delete first (no %s annotation): the order was not enforced by its Usage", n, annotationDeletionAttempt)
		}
	}
}

// xrDeletionCase is one XR derived from example/xr.yaml for TestDeletionOrder.
type xrDeletionCase struct {
	reason        string
	namespace     string
	finalSnapshot bool
}

// TestDeletionOrder deletes XRs with deletion protection off and checks
// that the provider saw their managed resources deleted in the order the
// function's Usages impose, enforced by Crossplane's webhook.
func TestDeletionOrder(t *testing.T) {
	cases := map[string]xrDeletionCase{
		"FinalSnapshot": {
			reason:        "With a final snapshot the key it is encrypted with is orphaned, after the cluster.",
			namespace:     "e2e-delete-snapshot",
			finalSnapshot: true,
		},
		"NoFinalSnapshot": {
			reason:        "Without a final snapshot the key is deleted, after the cluster.",
			namespace:     "e2e-delete-no-snapshot",
			finalSnapshot: false,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The two XRs converge and go at once: most of the time is
			// waiting.
			t.Parallel()
			testDeletionOrder(t, tc)
		})
	}
}

func testDeletionOrder(t *testing.T, tc xrDeletionCase) {
	ctx := t.Context()
	obj := readExample(t, "example/xr.yaml")
	obj.SetNamespace(tc.namespace)
	spec := obj.Object["spec"].(map[string]any)
	spec["deletionProtection"] = false
	spec["finalSnapshot"] = tc.finalSnapshot
	x := &xrRef{
		gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace(),
		allowedGone: set{"bootstrap-secret": true, "master-secret-version": true},
	}
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	xr, objs := converge(ctx, t, x, newTracker(), convergeTimeout, readyWith(goldenNames(t, "FullProvisionedSteadyState")))
	checkUsages(ctx, t, objs)
	if orphans(objs["kms-key"]) != tc.finalSnapshot {
		t.Errorf("%s\nkms-key management policies %v: the provider would orphan it: %t", tc.reason, objs["kms-key"].Object["spec"].(map[string]any)["managementPolicies"], orphans(objs["kms-key"]))
	}
	if got := str(xr, "status", "deletion", "kmsKeyRetained") == "true"; got != tc.finalSnapshot {
		t.Errorf("%s\nstatus.deletion.kmsKeyRetained %t: %s", tc.reason, got, str(xr, "status", "deletion", "message"))
	}
	if t.Failed() {
		t.FailNow()
	}

	start := time.Now()
	deleteXR(ctx, x)
	waitGone(ctx, t, x, deleteTimeout)
	t.Logf("%s and everything it composed gone in %s", x, time.Since(start).Round(100*time.Millisecond))
	dels := pv.deletionsIn(x.namespace, start)
	logDeletions(t, start, dels)
	checkDeletionOrder(t, objs, dels, tc.finalSnapshot)
}

// deleteProtected deletes an XR whose cluster has deletion protection, as a
// user who forgot would: the instances go; RDS refuses the cluster, which
// stays, and with it, through their Usages, what it uses. Turning
// protection off on the rds Cluster changes nothing then (the provider
// only retries the delete); once it is off in AWS the rest goes, in order.
func deleteProtected(ctx context.Context, t *testing.T, x *xrRef, objs map[string]*unstructured.Unstructured, finalSnapshot bool, others ...*unstructured.Unstructured) {
	t.Helper()
	stay := set{"cluster": true}
	for _, n := range usedByCluster(objs) {
		stay[n] = true
	}
	for n, u := range objs {
		if u.GroupVersionKind() == gvkUsage && strings.HasSuffix(n, "-by-cluster") {
			stay[n] = true
		}
	}

	start := time.Now()
	deleteXR(ctx, x)
	var left map[string]*unstructured.Unstructured
	deadline := time.Now().Add(deleteTimeout)
	for {
		var err error
		if left, err = x.composed(ctx); err != nil {
			t.Fatal(err)
		}
		_, xrErr := x.get(ctx)
		if err = protectedState(left, stay); err == nil && apierrors.IsNotFound(xrErr) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not in the protected state %s after deleting %s: %v (XR: %v)", deleteTimeout, x, err, xrErr)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("protected state reached in %s: %v stay", time.Since(start).Round(100*time.Millisecond), stay.sorted())
	// It holds: the garbage collector keeps trying, the webhook keeps
	// refusing, the provider keeps the cluster.
	time.Sleep(5 * time.Second)
	left, err := x.composed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := protectedState(left, stay); err != nil {
		t.Fatalf("the protected state did not hold: %v", err)
	}
	for _, d := range pv.deletionsIn(x.composedIn, start) {
		if stay[d.resource] {
			t.Errorf("%s was deleted (%s) while the cluster was protected", d.resource, d.outcome)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Turned off on the managed resource being deleted, it stays on in
	// AWS: the provider does not update what it is deleting.
	if _, err := cl.MergePatch(ctx, gvkCluster, x.composedIn, left["cluster"].GetName(), []byte(`{"spec":{"forProvider":{"deletionProtection":false}}}`)); err != nil {
		t.Fatalf("cannot edit the rds Cluster: %v", err)
	}
	time.Sleep(3 * time.Second)
	if left, err = x.composed(ctx); err != nil {
		t.Fatal(err)
	}
	if err := protectedState(left, stay); err != nil {
		t.Fatalf("editing the deleting rds Cluster must not release it: %v", err)
	}
	// The way out status.deletion gives once the XR is gone: turn
	// protection off in AWS.
	unprotect := time.Now()
	pv.disableDeletionProtectionInAWS(x.composedIn, left["cluster"].GetName())
	waitGone(ctx, t, x, deleteTimeout, others...)
	t.Logf("%s: everything gone %s after deletion protection was turned off (%s after the delete)", x, time.Since(unprotect).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
	dels := pv.deletionsIn(x.composedIn, start)
	logDeletions(t, start, dels)
	checkDeletionOrder(t, objs, dels, finalSnapshot)
}

// protectedState says how the composed resources left differ from those a
// protected cluster keeps: exactly stay, the cluster being deleted and
// refused by the provider.
func protectedState(left map[string]*unstructured.Unstructured, stay set) error {
	if d := diff(stay, setOf(left)); d != "" {
		return fmt.Errorf("left: %s", d)
	}
	c := left["cluster"]
	if c.GetDeletionTimestamp() == nil {
		return fmt.Errorf("the cluster is not being deleted")
	}
	if st, msg := kube.Condition(c, "Synced"); st != "False" || !strings.Contains(msg, errProtectedCluster) {
		return fmt.Errorf("the cluster is Synced=%q (%s), want False with %q", st, msg, errProtectedCluster)
	}
	return nil
}

// cleanupXR deletes an XR a failed test left, with deletion protection off
// on its clusters so that nothing stays behind in the shared control plane.
func cleanupXR(ctx context.Context, x *xrRef) {
	deleteXR(ctx, x)
	ri, err := cl.Resource(gvkCluster, x.composedIn)
	if err != nil {
		return
	}
	l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: labelComposite + "=" + x.name})
	if err != nil {
		return
	}
	for _, c := range l.Items {
		pv.disableDeletionProtectionInAWS(c.GetNamespace(), c.GetName())
	}
}
