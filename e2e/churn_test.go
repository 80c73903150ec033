//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

// churnVariants are the XRs of the steady-state fleet: every credential
// mode and rotator source, with and without endpoint, alarms, an existing
// key, Serverless v2. The list is cycled through; the legacy claims come on
// top (churnClaims).
var churnVariants = []string{
	"example/xr.yaml", // SelfManaged, AWS's rotator, private endpoint, monitoring
	"testdata/xr/minimal.yaml",
	"testdata/xr/rds-managed.yaml",
	"testdata/xr/serverless.yaml",
	"testdata/xr/rotation-off.yaml",
	"testdata/xr/s3-rotator.yaml",
	"testdata/xr/existing-lambda.yaml",
	"testdata/xr/existing-key.yaml",
	"testdata/xr/alarms-off.yaml",
	"testdata/xr/custom-pattern.yaml",
	"testdata/xr/private-dns.yaml",
	"testdata/xr/capacity.yaml",  // reader autoscaling, custom endpoints
	"testdata/xr/proxy.yaml",     // RDS Proxy on the RDS-owned secret
	"example/production/xr.yaml", // every issue-12 feature at once
}

const (
	churnNamespaced = 16
	// churnClaims legacy claims: half as example/legacy/claim.yaml
	// (RDSManaged), half with example/xr.yaml's SelfManaged spec.
	churnClaims = 4
	// churnNamespacePrefix keeps the fleet apart from the other tests.
	churnNamespacePrefix = "churn-"
)

// fleetXR is one XR of the fleet, and the claim that made it, if any.
type fleetXR struct {
	*xrRef
	claim *unstructured.Unstructured
}

// TestSteadyStateChurn converges a fleet of XRs of every variant, namespaced
// and legacy, then lets Crossplane reconcile them for several steady-state
// TTLs (hack/e2e-cluster.sh starts the function with a short one,
// E2E_STEADY_STATE_TTL) while the provider keeps playing its part. At
// steady state nothing may change: no XR, claim or composed resource gets a
// new resourceVersion (server-side apply of an unchanged desired state is a
// no-op), so the provider never has anything to apply, and the function is
// called only when the TTL expires, never because of a write it caused.
// E2E_CHURN_WINDOW sets how long it watches (default 4.5 TTLs).
func TestSteadyStateChurn(t *testing.T) {
	ctx := t.Context()
	ttl := envDuration(t, "E2E_STEADY_STATE_TTL")
	logFile := filepath.Join(os.Getenv("E2E_LOG_DIR"), "function.log")

	start := time.Now()
	fleet := fileFleet(ctx, t)
	converged := convergeFleet(ctx, t, fleet, 10*time.Minute)
	t.Logf("%d XRs (%d composed resources) converged in %s", len(fleet), converged, time.Since(start).Round(time.Second))

	// Convergence ends with writes the XRs' own watches trigger (Usages
	// labelling what they protect, the XRs' last status): let them settle.
	settle(ctx, t, fleet, 2*ttl)

	window := 4*ttl + ttl/2
	if os.Getenv("E2E_CHURN_WINDOW") != "" {
		window = envDuration(t, "E2E_CHURN_WINDOW")
	}
	before := snapshot(ctx, t, fleet)
	callsBefore := functionCalls(t, logFile)
	writes := 0
	begin := time.Now()
	for time.Since(begin) < window {
		n, err := playProvider(ctx, fleet)
		if err != nil {
			t.Fatal(err)
		}
		writes += n
		time.Sleep(time.Second)
	}
	elapsed := time.Since(begin)
	after := snapshot(ctx, t, fleet)
	callsAfter := functionCalls(t, logFile)

	changed := 0
	for _, k := range sortedKeys(after) {
		b, ok := before[k]
		switch {
		case !ok:
			t.Errorf("%s appeared at steady state", k)
			changed++
		case b.GetResourceVersion() != after[k].GetResourceVersion():
			t.Errorf("%s changed at steady state (resourceVersion %s -> %s): -before, +after:\n%s", k, b.GetResourceVersion(), after[k].GetResourceVersion(), objectDiff(b, after[k]))
			changed++
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("%s disappeared at steady state", k)
			changed++
		}
	}

	// Calls per XR: at steady state only the TTL calls the function, at most
	// once per TTL jittered by -10%, plus one already queued.
	// The TTL's calls, plus two: when a watch of Crossplane's ends and it
	// lists again, every object of an XR is delivered once more and the XR
	// is reconciled (seen on CI's fresh-clone run: 7 calls in 4.6 TTLs for
	// one XR of 20, with no object written). Churn shows in the writes and
	// the provider's changes above, which must be zero.
	maxCalls := int(elapsed/(ttl*9/10)) + 1 + 2
	total, lo, hi := 0, -1, 0
	for _, x := range fleet {
		n := callsAfter[x.name] - callsBefore[x.name]
		total += n
		if lo < 0 || n < lo {
			lo = n
		}
		hi = max(hi, n)
		if n > maxCalls {
			t.Errorf("%s: the function was called %d times in %s at steady state, want at most %d (TTL %s): something it composes or reports changes", x, n, elapsed.Round(time.Second), maxCalls, ttl)
		}
	}
	perHour := func(n int) float64 { return float64(n) / float64(len(fleet)) / elapsed.Hours() }
	t.Logf("steady state, %d XRs, %d objects (XRs, claims, composed resources) watched for %s (%.1f TTLs of %s): "+
		"%d objects changed (%.1f writes per XR per hour); the provider applied %d changes (%.1f per XR per hour); "+
		"%d function calls, %d to %d per XR (%.1f per XR per hour; at the default 15m TTL that is 3600 s / 900 s = 4 per XR per hour)",
		len(fleet), len(after), elapsed.Round(time.Second), float64(elapsed)/float64(ttl), ttl,
		changed, perHour(changed), writes, perHour(writes), total, lo, hi, perHour(total))
	if writes > 0 {
		t.Errorf("the provider had %d changes to apply at steady state, want none", writes)
	}

	// A change still reaches what the XR composes at once: through
	// Crossplane's watch of the XR, not the TTL. With the suite's 15 s TTL
	// the two cannot be told apart (a loaded machine takes longer than that
	// for one reconcile of 47 resources), so the latency is only logged;
	// with a TTL of minutes (E2E_STEADY_STATE_TTL) it is asserted.
	for _, x := range fleet[:3] {
		latency := changeLatency(ctx, t, x, ttl)
		t.Logf("%s: a new backup retention reached its rds Cluster in %s", x, latency.Round(10*time.Millisecond))
	}
}

// changeLatency changes the XR's backup retention and returns how long the
// change takes to reach its rds Cluster. With a TTL of 2 minutes or more it
// fails past 90% of the TTL: the watch, not the TTL, should have brought
// it; with a shorter one it waits for a minute.
func changeLatency(ctx context.Context, t *testing.T, x *fleetXR, ttl time.Duration) time.Duration {
	t.Helper()
	const days = 21
	start := time.Now()
	patchXR(ctx, t, x.xrRef, map[string]any{"spec": map[string]any{"backup": map[string]any{"retentionDays": days}}})
	ri, err := cl.Resource(gvkCluster, x.composedIn)
	if err != nil {
		t.Fatal(err)
	}
	for {
		l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: labelComposite + "=" + x.name})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) == 1 && str(&l.Items[0], "spec", "forProvider", "backupRetentionPeriod") == fmt.Sprint(days) {
			return time.Since(start)
		}
		switch waited := time.Since(start); {
		case ttl >= 2*time.Minute && waited > ttl*9/10:
			t.Fatalf("%s: a new backup retention did not reach the rds Cluster in %s (TTL %s): the change waited for the TTL", x, waited.Round(time.Second), ttl)
		case ttl < 2*time.Minute && waited > time.Minute:
			t.Fatalf("%s: a new backup retention did not reach the rds Cluster in %s", x, waited.Round(time.Second))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// envDuration reads a duration the control plane's env file sets.
func envDuration(t *testing.T, name string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(os.Getenv(name))
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a duration (hack/e2e-cluster.sh sets it)", name, os.Getenv(name))
	}
	return d
}

// fileFleet files churnNamespaced XRs and churnClaims claims, each in a
// namespace of its own, and returns them once Crossplane has created the
// claims' XRs. Cleanup deletes them all and waits for them to go.
func fileFleet(ctx context.Context, t *testing.T) []*fleetXR {
	t.Helper()
	var fleet []*fleetXR
	for i := range churnNamespaced {
		obj := readExample(t, churnVariants[i%len(churnVariants)])
		ns := fmt.Sprintf("%s%02d", churnNamespacePrefix, i)
		// A unique name per XR: the function's log is counted by name.
		name := fmt.Sprintf("%s-%02d", obj.GetName(), i)
		obj.SetNamespace(ns)
		obj.SetName(name)
		ensureNamespace(ctx, t, ns)
		if _, err := cl.Apply(ctx, obj); err != nil {
			t.Fatal(err)
		}
		fleet = append(fleet, &fleetXR{xrRef: &xrRef{gvk: obj.GroupVersionKind(), namespace: ns, name: name, composedIn: ns}})
	}
	selfManaged := readExample(t, "example/xr.yaml")
	var claims []*unstructured.Unstructured
	for i := range churnClaims {
		c := readExample(t, "example/legacy/claim.yaml")
		ns := fmt.Sprintf("%s%02d", churnNamespacePrefix, churnNamespaced+i)
		c.SetNamespace(ns)
		c.SetName(fmt.Sprintf("%s-%02d", c.GetName(), churnNamespaced+i))
		if i%2 == 1 {
			c.Object["spec"] = selfManaged.DeepCopy().Object["spec"]
		}
		ensureNamespace(ctx, t, ns)
		if _, err := cl.Apply(ctx, c); err != nil {
			t.Fatal(err)
		}
		claims = append(claims, c)
	}
	t.Cleanup(func() { deleteFleet(context.Background(), t, fleet, claims) })
	deadline := time.Now().Add(time.Minute)
	for _, c := range claims {
		for {
			got := mustGet(ctx, t, c.GroupVersionKind(), c.GetNamespace(), c.GetName())
			if xr := str(got, "spec", "resourceRef", "name"); xr != "" {
				fleet = append(fleet, &fleetXR{claim: c, xrRef: &xrRef{
					gvk:        schema.GroupVersionKind{Group: c.GroupVersionKind().Group, Version: c.GroupVersionKind().Version, Kind: "XAuroraCluster"},
					name:       xr,
					composedIn: c.GetNamespace(),
					claimName:  c.GetName(), claimNS: c.GetNamespace(),
				}})
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("claim %s/%s has no XR after a minute", c.GetNamespace(), c.GetName())
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
	return fleet
}

// deleteFleet deletes the fleet as cleanupXR does, its clusters'
// deletion protection off in AWS, and waits for it to go so that it does not
// load the tests after it.
func deleteFleet(ctx context.Context, t *testing.T, fleet []*fleetXR, claims []*unstructured.Unstructured) {
	for _, c := range claims {
		if ri, err := cl.Resource(c.GroupVersionKind(), c.GetNamespace()); err == nil {
			_ = ri.Delete(ctx, c.GetName(), metav1.DeleteOptions{})
		}
	}
	for _, x := range fleet {
		cleanupXR(ctx, x.xrRef)
	}
	start := time.Now()
	for time.Since(start) < 3*time.Minute {
		left := 0
		for _, x := range fleet {
			if _, err := x.get(ctx); !apierrors.IsNotFound(err) {
				left++
			}
		}
		all, err := fleetComposed(ctx, fleet)
		for _, objs := range all {
			left += len(objs)
		}
		if err == nil && left == 0 {
			t.Logf("fleet deleted in %s", time.Since(start).Round(time.Second))
			return
		}
		time.Sleep(2 * time.Second)
	}
	t.Logf("the fleet was not gone after %s", time.Since(start).Round(time.Second))
}

// fleetComposed lists every composed resource of the fleet, one list per
// kind across namespaces: listing per XR and kind, 20 XRs would cost 600
// requests a round.
func fleetComposed(ctx context.Context, fleet []*fleetXR) (map[string]map[string]*unstructured.Unstructured, error) {
	byXR := map[string]*fleetXR{}
	for _, x := range fleet {
		byXR[x.name] = x
	}
	out := map[string]map[string]*unstructured.Unstructured{}
	for _, gvk := range append([]schema.GroupVersionKind{gvkSecret, gvkUsage}, kinds...) {
		ri, err := cl.Resource(gvk, "")
		if err != nil {
			return nil, err
		}
		l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: labelComposite})
		if err != nil {
			return nil, fmt.Errorf("cannot list %s: %w", gvk.Kind, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			x := byXR[u.GetLabels()[labelComposite]]
			if x == nil || u.GetNamespace() != x.composedIn {
				continue
			}
			u.SetGroupVersionKind(gvk)
			if out[x.name] == nil {
				out[x.name] = map[string]*unstructured.Unstructured{}
			}
			out[x.name][u.GetAnnotations()[annotationResource]] = u
		}
	}
	return out, nil
}

// playProvider reports every managed resource of the fleet that is not
// Ready and Synced for its generation, as the provider would after applying
// it, and returns how many it reported. Like a provider, it works on
// several at once: one by one, 600 resources take half a minute a round.
func playProvider(ctx context.Context, fleet []*fleetXR) (int, error) {
	all, err := fleetComposed(ctx, fleet)
	if err != nil {
		return 0, err
	}
	var todo []*unstructured.Unstructured
	for _, objs := range all {
		for _, u := range objs {
			if isManaged(u) && !ready(u) && u.GetDeletionTimestamp() == nil {
				todo = append(todo, u)
			}
		}
	}
	work := make(chan *unstructured.Unstructured)
	errs := make(chan error, len(todo))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for u := range work {
				errs <- pv.observe(ctx, u)
			}
		})
	}
	for _, u := range todo {
		work <- u
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return len(todo), err
		}
	}
	return len(todo), nil
}

// convergeFleet plays the provider until every XR of the fleet is Synced,
// Ready and Available, and returns how many resources they compose.
func convergeFleet(ctx context.Context, t *testing.T, fleet []*fleetXR, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		reported, err := playProvider(ctx, fleet)
		if err != nil {
			t.Fatal(err)
		}
		var waiting []string
		for _, x := range fleet {
			xr, err := x.get(ctx)
			if err != nil {
				t.Fatalf("cannot get %s: %v", x, err)
			}
			checkRejected(t, xr)
			for _, c := range []string{"Synced", "Ready"} {
				if st, _ := kube.Condition(xr, c); st != "True" {
					waiting = append(waiting, fmt.Sprintf("%s %s=%q", x, c, st))
				}
			}
			if r := conditionReason(xr, "Available"); r != "Available" {
				waiting = append(waiting, fmt.Sprintf("%s Available reason %q", x, r))
			}
		}
		if reported == 0 && len(waiting) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fleet did not converge in %s: %s\n%s", timeout, strings.Join(waiting, "; "), describe(ctx, fleet[0].xrRef))
		}
		time.Sleep(time.Second)
	}
	all, err := fleetComposed(ctx, fleet)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range fleet {
		xr, err := x.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkComposed(t, x.xrRef, xr, all[x.name], true)
		n += len(all[x.name])
	}
	return n
}

// snapshot is every object of the fleet by kind, namespace and name: the
// XRs, the claims and what they compose.
func snapshot(ctx context.Context, t *testing.T, fleet []*fleetXR) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	key := func(u *unstructured.Unstructured) string {
		return u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
	}
	all, err := fleetComposed(ctx, fleet)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fleet {
		xr, err := x.get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out[key(xr)] = xr
		if x.claim != nil {
			c := mustGet(ctx, t, x.claim.GroupVersionKind(), x.claim.GetNamespace(), x.claim.GetName())
			out[key(c)] = c
		}
		for _, u := range all[x.name] {
			out[key(u)] = u
		}
	}
	return out
}

// settle waits until a snapshot holds for 5 s, at most for timeout, and
// logs what changed meanwhile.
func settle(ctx context.Context, t *testing.T, fleet []*fleetXR, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	prev := snapshot(ctx, t, fleet)
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Second)
		if _, err := playProvider(ctx, fleet); err != nil {
			t.Fatal(err)
		}
		cur := snapshot(ctx, t, fleet)
		var changed []string
		for k, u := range cur {
			if p, ok := prev[k]; !ok || p.GetResourceVersion() != u.GetResourceVersion() {
				changed = append(changed, k)
			}
		}
		if len(changed) == 0 {
			return
		}
		sort.Strings(changed)
		t.Logf("settling: %d objects changed: %s", len(changed), strings.Join(changed[:min(len(changed), 10)], ", "))
		prev = cur
	}
}

// objectDiff shows how an object changed, managed fields included: they
// name the writer.
func objectDiff(a, b *unstructured.Unstructured) string {
	clean := func(u *unstructured.Unstructured) map[string]any {
		c := u.DeepCopy()
		unstructured.RemoveNestedField(c.Object, "metadata", "resourceVersion")
		return c.Object
	}
	return cmp.Diff(clean(a), clean(b))
}

// functionCalls counts the function's calls per XR name in its debug log:
// it logs one "Composed" line per call that composes.
func functionCalls(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("cannot read the function's log: %v", err)
	}
	defer f.Close()
	out := map[string]int{}
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for s.Scan() {
		_, fields, ok := strings.Cut(s.Text(), "\tComposed\t")
		if !ok {
			continue
		}
		var l struct{ XR string }
		if err := json.Unmarshal([]byte(fields), &l); err == nil {
			out[l.XR]++
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
