//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

// Labels and annotations Crossplane and the function put on composed
// resources.
const (
	labelComposite      = "crossplane.io/composite"
	labelClaimName      = "crossplane.io/claim-name"
	labelClaimNamespace = "crossplane.io/claim-namespace"
	labelComponent      = "aurora-postgres.fn.crossplane.io/component"
	annotationResource  = "crossplane.io/composition-resource-name"
)

var (
	gvkSecret    = schema.GroupVersionKind{Version: "v1", Kind: "Secret"}
	gvkNamespace = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	gvkEvent     = schema.GroupVersionKind{Version: "v1", Kind: "Event"}
	gvkCRD       = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
)

// providerKinds reads the kinds of the provider CRDs the control plane has.
func providerKinds(dir string) ([]schema.GroupVersionKind, error) {
	objs, err := kube.ReadObjects(dir)
	if err != nil {
		return nil, err
	}
	var out []schema.GroupVersionKind
	for _, u := range objs {
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		versions, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
		for _, v := range versions {
			m, _ := v.(map[string]any)
			if m["storage"] == true {
				out = append(out, schema.GroupVersionKind{Group: group, Version: m["name"].(string), Kind: kind})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CRDs in %s", dir)
	}
	return out, nil
}

// goldenNames are the composed resource names of a golden desired state in
// testdata/golden: what the unit tests' simulated provider converges to.
// The e2e suite checks the real control plane composes exactly that set.
func goldenNames(t *testing.T, name string) set {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "golden", name, "desired.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := kube.DecodeObjects(b)
	if err != nil {
		t.Fatal(err)
	}
	s := set{}
	for _, u := range objs {
		s[u.GetAnnotations()[annotationResource]] = true
	}
	delete(s, "")
	if len(s) == 0 {
		t.Fatalf("golden %s names no resources", name)
	}
	return s
}

// readExample reads an example manifest, without the fields only render uses.
func readExample(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	objs, err := kube.ReadObjects(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("%s: want one object, got %d", path, len(objs))
	}
	u := objs[0]
	unstructured.RemoveNestedField(u.Object, "metadata", "uid")
	return u
}

func ensureNamespace(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	ns := &unstructured.Unstructured{}
	ns.SetGroupVersionKind(gvkNamespace)
	ns.SetName(name)
	if _, err := cl.Apply(ctx, ns); err != nil {
		t.Fatal(err)
	}
}

func get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	ri, err := cl.Resource(gvk, namespace)
	if err != nil {
		return nil, err
	}
	return ri.Get(ctx, name, metav1.GetOptions{})
}

func mustGet(ctx context.Context, t *testing.T, gvk schema.GroupVersionKind, namespace, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := get(ctx, gvk, namespace, name)
	if err != nil {
		t.Fatalf("cannot get %s %s/%s: %v", gvk.Kind, namespace, name, err)
	}
	return u
}

// set is a set of composed resource names.
type set map[string]bool

func setOf[V any](m map[string]V) set {
	s := set{}
	for k := range m {
		s[k] = true
	}
	return s
}

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s set) minus(o set) set {
	out := set{}
	for k := range s {
		if !o[k] {
			out[k] = true
		}
	}
	return out
}

func (s set) plus(o set) set {
	out := set{}
	for k := range s {
		out[k] = true
	}
	for k := range o {
		out[k] = true
	}
	return out
}

// diff says how got differs from want, or "" when they are equal.
func diff(want, got set) string {
	missing, extra := want.minus(got), got.minus(want)
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	return fmt.Sprintf("missing %v, unexpected %v", missing.sorted(), extra.sorted())
}

// xrRef is an XR under test: where it is, and where its composed resources
// go (the claim's namespace for a legacy XR).
type xrRef struct {
	gvk         schema.GroupVersionKind
	namespace   string
	name        string
	composedIn  string
	claimName   string
	claimNS     string
	allowedGone set // composed resources that may disappear while converging
}

func (x *xrRef) String() string {
	if x.namespace == "" {
		return x.gvk.Kind + " " + x.name
	}
	return x.gvk.Kind + " " + x.namespace + "/" + x.name
}

func (x *xrRef) get(ctx context.Context) (*unstructured.Unstructured, error) {
	return get(ctx, x.gvk, x.namespace, x.name)
}

// composed lists the XR's composed resources of every provider kind,
// Secrets and Usages, by composition resource name.
func (x *xrRef) composed(ctx context.Context) (map[string]*unstructured.Unstructured, error) {
	out := map[string]*unstructured.Unstructured{}
	sel := metav1.ListOptions{LabelSelector: labelComposite + "=" + x.name}
	for _, gvk := range append([]schema.GroupVersionKind{gvkSecret, gvkUsage}, kinds...) {
		ri, err := cl.Resource(gvk, x.composedIn)
		if err != nil {
			return nil, err
		}
		l, err := ri.List(ctx, sel)
		if err != nil {
			return nil, fmt.Errorf("cannot list %s: %w", gvk.Kind, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			u.SetGroupVersionKind(gvk)
			n := u.GetAnnotations()[annotationResource]
			if n == "" {
				return nil, fmt.Errorf("%s %s/%s has label %s=%s but no %s annotation", gvk.Kind, u.GetNamespace(), u.GetName(), labelComposite, x.name, annotationResource)
			}
			if prev, dup := out[n]; dup {
				return nil, fmt.Errorf("two composed resources named %q: %s %s and %s %s", n, prev.GetKind(), prev.GetName(), u.GetKind(), u.GetName())
			}
			out[n] = u
		}
	}
	return out, nil
}

// checkRejected fails the test at once when the XR says a composed resource
// was refused by the API server: Crossplane then marks the XR Synced=False
// ("Unsynced resources: ...") while Ready may stay True.
func checkRejected(t *testing.T, xr *unstructured.Unstructured) {
	t.Helper()
	if err := rejected(xr); err != nil {
		t.Fatal(err)
	}
}

func rejected(xr *unstructured.Unstructured) error {
	st, msg := kube.Condition(xr, "Synced")
	if st == "False" && (strings.Contains(msg, "Unsynced resources") || strings.Contains(msg, "cannot apply composed resource")) {
		return fmt.Errorf("%s %s is Synced=False: the API server rejected a composed resource: %s", xr.GetKind(), xr.GetName(), msg)
	}
	return nil
}

// checkComposed asserts every composed resource is where it belongs, is
// controlled by the XR, carries the labels reference selectors and claims
// rely on, and is listed in the XR's resource references.
//
// While the XR converges Crossplane updates its references and applies or
// deletes resources in separate steps, so strictRefs (references and
// resources match one to one) holds only once it has converged.
func checkComposed(t *testing.T, x *xrRef, xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured, strictRefs bool) {
	t.Helper()
	refs := map[string]bool{}
	for _, path := range [][]string{{"spec", "crossplane", "resourceRefs"}, {"spec", "resourceRefs"}} {
		l, _, _ := unstructured.NestedSlice(xr.Object, path...)
		for _, r := range l {
			m, _ := r.(map[string]any)
			refs[fmt.Sprintf("%v/%v/%v", m["apiVersion"], m["kind"], m["name"])] = true
		}
	}
	for name, u := range objs {
		where := fmt.Sprintf("composed resource %q (%s %s/%s)", name, u.GetKind(), u.GetNamespace(), u.GetName())
		if u.GetNamespace() != x.composedIn {
			t.Errorf("%s: namespace %q, want %q", where, u.GetNamespace(), x.composedIn)
		}
		owner := metav1.GetControllerOf(u)
		switch {
		case owner == nil:
			t.Errorf("%s: no controller owner reference", where)
		case owner.UID != xr.GetUID() || owner.Kind != xr.GetKind() || owner.APIVersion != xr.GetAPIVersion() || owner.Name != xr.GetName():
			t.Errorf("%s: controlled by %s %s %s (uid %s), want the XR %s (uid %s)", where, owner.APIVersion, owner.Kind, owner.Name, owner.UID, x, xr.GetUID())
		case owner.BlockOwnerDeletion == nil || !*owner.BlockOwnerDeletion:
			t.Errorf("%s: controller reference does not block owner deletion", where)
		}
		labels := u.GetLabels()
		want := map[string]string{labelComposite: x.name, labelComponent: name}
		if x.claimName != "" {
			want[labelClaimName], want[labelClaimNamespace] = x.claimName, x.claimNS
		}
		for k, v := range want {
			if labels[k] != v {
				t.Errorf("%s: label %s=%q, want %q", where, k, labels[k], v)
			}
		}
		if isManaged(u) && strictRefs && u.GetDeletionTimestamp() == nil {
			// Converged: the provider resolved every reference.
			for _, r := range unresolvedReferences(u) {
				t.Errorf("%s: reference not resolved: %s", where, r)
			}
		}
		if isManaged(u) {
			pc, _, _ := unstructured.NestedStringMap(u.Object, "spec", "providerConfigRef")
			if pc["kind"] != "ClusterProviderConfig" || pc["name"] != "default" {
				t.Errorf("%s: providerConfigRef %v, want ClusterProviderConfig default (the Composition's function input)", where, pc)
			}
		}
		if strictRefs && !refs[fmt.Sprintf("%s/%s/%s", u.GetAPIVersion(), u.GetKind(), u.GetName())] {
			t.Errorf("%s: not in the XR's resource references", where)
		}
	}
	if strictRefs && len(refs) != len(objs) {
		t.Errorf("the XR references %d resources, %d exist", len(refs), len(objs))
	}
}

// tracker remembers how the composed set evolved: in which provider round
// each resource first appeared, which disappeared, and their UIDs (a
// resource that is deleted and created again would lose real
// infrastructure).
type tracker struct {
	round     int
	firstSeen map[string]int
	goneAt    map[string]int
	uids      map[string]types.UID
	// secretValues remembers every value of the bootstrap Secret, to look
	// for leaks later.
	secretValues map[string]bool
}

func newTracker() *tracker {
	return &tracker{firstSeen: map[string]int{}, goneAt: map[string]int{}, uids: map[string]types.UID{}, secretValues: map[string]bool{}}
}

func (tr *tracker) see(t *testing.T, x *xrRef, objs map[string]*unstructured.Unstructured) {
	t.Helper()
	for n, u := range objs {
		// An observe-only probe of the cluster identifier is not the
		// cluster: the cluster appears when it is managed.
		if _, ok := tr.firstSeen[n]; !ok && !(isManaged(u) && observeOnly(u)) {
			tr.firstSeen[n] = tr.round
		}
		if prev, ok := tr.uids[n]; ok && prev != u.GetUID() {
			t.Fatalf("composed resource %q was deleted and created again (uid %s, now %s)", n, prev, u.GetUID())
		}
		tr.uids[n] = u.GetUID()
		if n == "bootstrap-secret" {
			data, _, _ := unstructured.NestedStringMap(u.Object, "data")
			for _, v := range data {
				tr.secretValues[v] = true
			}
		}
	}
	for n := range tr.uids {
		if _, ok := objs[n]; ok {
			continue
		}
		if !x.allowedGone[n] {
			t.Fatalf("composed resource %q disappeared; only %v may (round %d)", n, x.allowedGone.sorted(), tr.round)
		}
		if _, ok := tr.goneAt[n]; !ok {
			tr.goneAt[n] = tr.round
		}
		delete(tr.uids, n)
	}
}

// before asserts resource a appeared in an earlier provider round than b:
// b was held back until a was reported ready.
func (tr *tracker) before(t *testing.T, a, b string) {
	t.Helper()
	ra, oka := tr.firstSeen[a]
	rb, okb := tr.firstSeen[b]
	switch {
	case !oka || !okb:
		t.Errorf("order %s before %s: %s seen %v, %s seen %v", a, b, a, oka, b, okb)
	case ra >= rb:
		t.Errorf("%s appeared in provider round %d, not after %s (round %d): it was not held back", b, rb, a, ra)
	}
}

// converge plays the provider until done says the XR reached the expected
// state, then checks that the state holds. Every poll asserts nothing was
// rejected, nothing is misplaced and nothing unexpected disappeared.
func converge(ctx context.Context, t *testing.T, x *xrRef, tr *tracker, timeout time.Duration, done func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error) (*unstructured.Unstructured, map[string]*unstructured.Unstructured) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	var lastErr error
	for {
		xr, err := x.get(ctx)
		if err != nil {
			t.Fatalf("cannot get %s: %v", x, err)
		}
		checkRejected(t, xr)
		objs, err := x.composed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tr.see(t, x, objs)
		checkComposed(t, x, xr, objs, false)
		if t.Failed() {
			t.FailNow()
		}
		reported := 0
		for _, n := range setOf(objs).sorted() {
			u := objs[n]
			// One being deleted is the provider's deletion watch's.
			if isManaged(u) && !ready(u) && !answered(u) && u.GetDeletionTimestamp() == nil {
				if err := pv.observe(ctx, u); err != nil {
					t.Fatal(err)
				}
				reported++
			}
		}
		if reported > 0 {
			t.Logf("provider round %d: reported %d resources (%s)", tr.round, reported, time.Since(start).Round(100*time.Millisecond))
			tr.round++
			lastErr = fmt.Errorf("the provider reported %d resources in round %d", reported, tr.round)
		} else if lastErr = done(xr, objs); lastErr == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not converge in %s: %v\n%s", x, timeout, lastErr, describe(ctx, x))
		}
		time.Sleep(300 * time.Millisecond)
	}
	// The state must hold: nothing flaps, nothing more is composed.
	time.Sleep(3 * time.Second)
	xr, err := x.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkRejected(t, xr)
	objs, err := x.composed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tr.see(t, x, objs)
	checkComposed(t, x, xr, objs, true)
	if err := done(xr, objs); err != nil {
		t.Fatalf("%s converged, then changed: %v\n%s", x, err, describe(ctx, x))
	}
	t.Logf("%s converged in %s after %d provider rounds: %d composed resources", x, time.Since(start).Round(100*time.Millisecond), tr.round, len(objs))
	return xr, objs
}

// readyWith is the usual done condition: the XR is Synced and Ready, every
// composed resource is ready, and the composed set is exactly want.
func readyWith(want set) func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
	return func(xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured) error {
		if d := diff(want, setOf(objs)); d != "" {
			return fmt.Errorf("composed set: %s", d)
		}
		for _, c := range []string{"Synced", "Ready"} {
			if st, msg := kube.Condition(xr, c); st != "True" {
				return fmt.Errorf("XR %s=%q (%s)", c, st, msg)
			}
		}
		return nil
	}
}

// waitGone waits until the XR and everything it composed are deleted: the
// garbage collector deletes composed resources through their controller
// reference.
func waitGone(ctx context.Context, t *testing.T, x *xrRef, timeout time.Duration, others ...*unstructured.Unstructured) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var left []string
		if _, err := x.get(ctx); err == nil {
			left = append(left, x.String())
		} else if !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		objs, err := x.composed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range setOf(objs).sorted() {
			left = append(left, n)
		}
		for _, o := range others {
			if _, err := get(ctx, o.GroupVersionKind(), o.GetNamespace(), o.GetName()); err == nil {
				left = append(left, o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still there %s after deleting %s: %v", timeout, x, left)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// describe summarizes an XR for a failure message: its conditions, its
// composed resources' readiness and its recent events.
func describe(ctx context.Context, x *xrRef) string {
	var b strings.Builder
	xr, err := x.get(ctx)
	if err != nil {
		return fmt.Sprintf("(cannot get %s: %v)", x, err)
	}
	st, _, _ := unstructured.NestedMap(xr.Object, "status")
	y, _ := yaml.Marshal(st)
	fmt.Fprintf(&b, "--- %s status:\n%s", x, y)
	if objs, err := x.composed(ctx); err == nil {
		fmt.Fprintf(&b, "--- composed resources (%d):\n", len(objs))
		for _, n := range setOf(objs).sorted() {
			u := objs[n]
			r, _ := kube.Condition(u, "Ready")
			s, msg := kube.Condition(u, "Synced")
			fmt.Fprintf(&b, "  %-40s %-28s Ready=%s Synced=%s %s\n", n, u.GetKind(), r, s, msg)
		}
	}
	if ri, err := cl.Resource(gvkEvent, xr.GetNamespace()); err == nil {
		if l, err := ri.List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + x.name}); err == nil {
			fmt.Fprintf(&b, "--- events:\n")
			items := l.Items
			if len(items) > 15 {
				items = items[len(items)-15:]
			}
			for _, e := range items {
				typ, _, _ := unstructured.NestedString(e.Object, "type")
				reason, _, _ := unstructured.NestedString(e.Object, "reason")
				msg, _, _ := unstructured.NestedString(e.Object, "message")
				fmt.Fprintf(&b, "  %s %s: %s\n", typ, reason, msg)
			}
		}
	}
	return b.String()
}

func str(u *unstructured.Unstructured, path ...string) string {
	v, _, _ := unstructured.NestedFieldNoCopy(u.Object, path...)
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
