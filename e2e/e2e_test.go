//go:build e2e

// Package e2e tests the function on a real Kubernetes API server with real
// Crossplane core, started by hack/e2e-cluster.sh (make e2e-cluster). The
// provider-aws CRDs are installed, so the API server validates every
// composed resource; no provider runs, so the tests play its part
// (provider_test.go).
package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

var (
	cl       *kube.Client
	pv       *provider
	kinds    []schema.GroupVersionKind
	repoRoot string
)

func TestMain(m *testing.M) {
	kc, crds := os.Getenv("E2E_KUBECONFIG"), os.Getenv("E2E_PROVIDER_CRDS")
	if kc == "" || crds == "" {
		fmt.Fprintln(os.Stderr, "E2E_KUBECONFIG and E2E_PROVIDER_CRDS are not set: run the e2e suite with `make e2e-cluster` (hack/e2e-cluster.sh), or against a cluster from `hack/e2e-cluster.sh up` after sourcing the env file it names")
		os.Exit(2)
	}
	if a := os.Getenv("E2E_ACCOUNT_ID"); a != "" {
		account = a
	}
	repoRoot = os.Getenv("E2E_REPO_ROOT")
	if repoRoot == "" {
		repoRoot = ".."
	}
	var err error
	if cl, err = kube.New(kc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if kinds, err = providerKinds(crds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if pv, err = newProvider(cl); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := pv.watchDeletions(ctx, kinds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cancel()
	os.Exit(code)
}

const (
	convergeTimeout = 4 * time.Minute
	deleteTimeout   = 2 * time.Minute
)

// goldenCondition is the reason of a condition in a golden state.yaml.
func goldenCondition(t *testing.T, name, typ string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "golden", name, "state.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	st := struct {
		Conditions []struct{ Type, Reason string }
	}{}
	if err := yaml.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Conditions {
		if c.Type == typ {
			return c.Reason
		}
	}
	t.Fatalf("golden %s has no %s condition", name, typ)
	return ""
}

func conditionReason(u *unstructured.Unstructured, typ string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, _ := c.(map[string]any); m["type"] == typ {
			r, _ := m["reason"].(string)
			return r
		}
	}
	return ""
}

// waitFirstReconcile waits, without playing the provider, for the XR's first
// composed set and checks it is what the function composes before anything
// exists (the golden first-reconcile state), accepted by the API server.
func waitFirstReconcile(ctx context.Context, t *testing.T, x *xrRef, tr *tracker, golden string) (*unstructured.Unstructured, map[string]*unstructured.Unstructured) {
	t.Helper()
	want := goldenNames(t, golden)
	wantReason := goldenCondition(t, golden, "Available")
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for {
		xr, err := x.get(ctx)
		if err == nil {
			checkRejected(t, xr)
			var objs map[string]*unstructured.Unstructured
			if objs, err = x.composed(ctx); err != nil {
				t.Fatal(err)
			}
			// The provider answers the probe of the cluster identifier
			// (observe-only): until then nothing else is composed.
			for _, u := range objs {
				if isManaged(u) && observeOnly(u) && !answered(u) {
					if err := pv.observe(ctx, u); err != nil {
						t.Fatal(err)
					}
				}
			}
			last = fmt.Errorf("composed set: %s", diff(want, setOf(objs)))
			if diff(want, setOf(objs)) == "" {
				synced, msg := kube.Condition(xr, "Synced")
				reason := conditionReason(xr, "Available")
				last = fmt.Errorf("Synced=%q (%s), Available reason %q (want %q)", synced, msg, reason, wantReason)
				if synced == "True" && reason == wantReason {
					tr.see(t, x, objs)
					checkComposed(t, x, xr, objs, false)
					if ready, _ := kube.Condition(xr, "Ready"); ready == "True" {
						t.Errorf("%s is Ready before anything exists", x)
					}
					return xr, objs
				}
			}
		} else {
			last = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: first reconcile not as golden %s: %v\n%s", x, golden, last, describe(ctx, x))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestNamespacedXR files example/xr.yaml (SelfManaged credentials with AWS's
// rotator from the Serverless Application Repository, a private Secrets
// Manager endpoint, monitoring), plays the provider until the XR is Ready,
// changes it three times and deletes it.
func TestNamespacedXR(t *testing.T) {
	ctx := t.Context()
	obj := readExample(t, "example/xr.yaml")
	x := &xrRef{
		gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace(),
		// Handed off to Secrets Manager once the version is written.
		allowedGone: set{"bootstrap-secret": true, "master-secret-version": true},
	}
	tr := newTracker()
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	var xr *unstructured.Unstructured
	var objs map[string]*unstructured.Unstructured
	ok := t.Run("FirstReconcile", func(t *testing.T) {
		xr, objs = waitFirstReconcile(ctx, t, x, tr, "FullProvisioned")
		for _, n := range []string{"cluster", "instance-writer", "instance-reader1", "connection-secret", "master-secret-version", "secret-rotation"} {
			if objs[n] != nil && !observeOnly(objs[n]) {
				t.Errorf("%s composed before what it waits for exists", n)
			}
		}
		if objs["bootstrap-secret"] == nil {
			t.Fatal("no bootstrap Secret: the cluster would wait for it forever")
		}
	})
	if !ok {
		return
	}

	ok = t.Run("ProviderReportsResources", func(t *testing.T) {
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(goldenNames(t, "FullProvisionedSteadyState")))
		// Gates: each resource waited for what it needs.
		tr.before(t, "log-group-postgresql", "cluster")
		tr.before(t, "bootstrap-secret", "cluster")
		tr.before(t, "cluster", "instance-writer")
		tr.before(t, "cluster", "instance-reader1")
		tr.before(t, "cluster", "connection-secret")
		tr.before(t, "cluster", "master-secret-version")
		tr.before(t, "master-secret", "master-secret-policy")
		tr.before(t, "rotator-security-group", "rotator-stack")
		tr.before(t, "rotator-stack", "rotator-permission")
		tr.before(t, "master-secret-version", "secret-rotation")
		tr.before(t, "rotator-permission", "secret-rotation")
		tr.before(t, "cluster", "event-subscription-cluster")
		// The bootstrap password was handed off: the Secret holding it and
		// the one-shot SecretVersion are no longer composed.
		for _, n := range []string{"bootstrap-secret", "master-secret-version"} {
			if _, ok := tr.goneAt[n]; !ok {
				t.Errorf("%s was never composed and dropped (hand-off)", n)
			}
		}
		if tr.goneAt["bootstrap-secret"] < tr.firstSeen["master-secret-version"] {
			t.Errorf("bootstrap-secret dropped in round %d, before the SecretVersion (round %d) wrote its value", tr.goneAt["bootstrap-secret"], tr.firstSeen["master-secret-version"])
		}
	})
	if !ok {
		return
	}

	t.Run("Usages", func(t *testing.T) {
		checkUsages(ctx, t, objs)
	})

	t.Run("Status", func(t *testing.T) {
		checkStatus(t, xr, objs, "SelfManaged")
		if v := str(xr, "status", "bootstrap", "phase"); v != "HandedOff" {
			t.Errorf("status.bootstrap.phase %q, want HandedOff", v)
		}
		if v := str(xr, "status", "vpcEndpointId"); v == "" || v != str(objs["secretsmanager-endpoint"], "status", "atProvider", "id") {
			t.Errorf("status.vpcEndpointId %q, want the endpoint's ID", v)
		}
		if v := str(xr, "status", "secretArn"); v == "" || v != str(objs["master-secret"], "status", "atProvider", "arn") {
			t.Errorf("status.secretArn %q, want the master secret's ARN %q", v, str(objs["master-secret"], "status", "atProvider", "arn"))
		}
		if v := str(xr, "status", "rotationEnabled"); v != "true" {
			t.Errorf("status.rotationEnabled %q, want true", v)
		}
		if v, want := str(xr, "status", "bootstrap", "secretVersionId"), pv.reportedVersionID(); v == "" || v != want {
			t.Errorf("status.bootstrap.secretVersionId %q, want the version the provider reported %q", v, want)
		}
	})

	t.Run("ConnectionSecret", func(t *testing.T) {
		s := mustGet(ctx, t, gvkSecret, x.namespace, str(obj, "spec", "writeConnectionSecretToRef", "name"))
		checkConnectionSecret(t, s, xr, map[string]string{"dbname": "orders", "username": "orders_admin"})
	})

	t.Run("PasswordLeftNoTrace", func(t *testing.T) {
		checkNoLeak(ctx, t, x, tr, xr)
		c := objs["cluster"]
		if b, _ := json.Marshal(c.Object["spec"]); strings.Contains(string(b), "bootstrap") {
			t.Errorf("the cluster still references the bootstrap Secret after the hand-off: %s", b)
		}
	})

	ok = t.Run("AddReader", func(t *testing.T) {
		before := setOf(objs)
		added := set{}
		for n := range before {
			if strings.HasSuffix(n, "-reader1") {
				added[strings.TrimSuffix(n, "-reader1")+"-reader2"] = true
			}
		}
		if !added["instance-reader2"] {
			t.Fatalf("no per-instance resources found for reader1 in %v", before.sorted())
		}
		instances, _, _ := unstructured.NestedSlice(xr.Object, "spec", "instances")
		instances = append(instances, map[string]any{"name": "reader2", "instanceClass": "db.r6g.large", "promotionTier": int64(2)})
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"instances": instances}})
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(before.plus(added)))
		if v := str(objs["instance-reader2"], "spec", "forProvider", "promotionTier"); v != "2" {
			t.Errorf("instance-reader2 promotionTier %q, want 2", v)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("RotationOff", func(t *testing.T) {
		before := setOf(objs)
		// The rotator, its network, and the Secrets Manager endpoint only
		// it calls.
		removed := set{
			"secret-rotation": true, "rotator-stack": true, "rotator-permission": true,
			"rotator-security-group": true, "rotator-egress-db": true, "rotator-egress-endpoint": true,
			"ingress-from-rotator": true, "endpoint-ingress-rotator": true, "alarm-rotation-failure": true,
			"secretsmanager-endpoint": true, "endpoint-security-group": true, "endpoint-security-group-association": true,
			"usage-rotator-security-group-by-rotator-stack": true, "usage-endpoint-security-group-by-secretsmanager-endpoint": true,
		}
		for n := range before {
			if strings.HasPrefix(n, "endpoint-subnet-") {
				removed[n] = true
			}
		}
		if d := removed.minus(before); len(d) > 0 {
			t.Fatalf("rotation resources %v were never composed", d.sorted())
		}
		x.allowedGone = x.allowedGone.plus(removed)
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"credentials": map[string]any{"rotation": map[string]any{"enabled": false}}}})
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(before.minus(removed)))
		if v := str(xr, "status", "rotationEnabled"); v != "false" {
			t.Errorf("status.rotationEnabled %q, want false", v)
		}
		if p := str(objs["master-secret-policy"], "spec", "forProvider", "policy"); strings.Contains(p, "RotationFunction") {
			t.Errorf("the secret policy still grants the removed rotator: %s", p)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("AlarmThreshold", func(t *testing.T) {
		before := objs
		patchXR(ctx, t, x, map[string]any{"spec": map[string]any{"monitoring": map[string]any{"alarms": map[string]any{"cpu": map[string]any{"threshold": int64(60)}}}}})
		cpuAlarms := 0
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, func(xr *unstructured.Unstructured, got map[string]*unstructured.Unstructured) error {
			if err := readyWith(setOf(before))(xr, got); err != nil {
				return err
			}
			cpuAlarms = 0
			for n, u := range got {
				if strings.HasPrefix(n, "alarm-cpu-") {
					cpuAlarms++
					if v := str(u, "spec", "forProvider", "threshold"); v != "60" {
						return fmt.Errorf("%s threshold %s, want 60", n, v)
					}
				}
			}
			return nil
		})
		if cpuAlarms != 3 {
			t.Errorf("%d CPU alarms, want one per instance (3)", cpuAlarms)
		}
		// Only the CPU alarms changed.
		for n, u := range objs {
			if strings.HasPrefix(n, "alarm-cpu-") || u.GetGeneration() == before[n].GetGeneration() {
				continue
			}
			t.Errorf("%s changed (generation %d -> %d) when only the CPU alarm threshold did", n, before[n].GetGeneration(), u.GetGeneration())
		}
	})
	if !ok {
		return
	}

	// The example keeps deletion protection on.
	t.Run("DeleteProtected", func(t *testing.T) {
		conn := mustGet(ctx, t, gvkSecret, x.namespace, str(obj, "spec", "writeConnectionSecretToRef", "name"))
		deleteProtected(ctx, t, x, objs, true, conn)
	})
}

// TestLegacyClaim files example/legacy/claim.yaml: Crossplane creates a
// cluster-scoped XR for it, the function composes into the claim's
// namespace (RDS-managed credentials, Serverless v2), and the claim shows the
// XR's status and gets the connection secret.
func TestLegacyClaim(t *testing.T) {
	ctx := t.Context()
	claim := readExample(t, "example/legacy/claim.yaml")
	ensureNamespace(ctx, t, claim.GetNamespace())
	if _, err := cl.Apply(ctx, claim); err != nil {
		t.Fatal(err)
	}
	claimGVK := claim.GroupVersionKind()
	t.Cleanup(func() {
		if ri, err := cl.Resource(claimGVK, claim.GetNamespace()); err == nil {
			_ = ri.Delete(context.Background(), claim.GetName(), metav1.DeleteOptions{})
		}
	})

	// The XR Crossplane creates for the claim.
	var xrName string
	deadline := time.Now().Add(time.Minute)
	for xrName == "" {
		c := mustGet(ctx, t, claimGVK, claim.GetNamespace(), claim.GetName())
		xrName = str(c, "spec", "resourceRef", "name")
		if xrName == "" && time.Now().After(deadline) {
			t.Fatalf("the claim has no XR after a minute: %v", c.Object["status"])
		}
		time.Sleep(200 * time.Millisecond)
	}
	x := &xrRef{
		gvk:        schema.GroupVersionKind{Group: claimGVK.Group, Version: claimGVK.Version, Kind: "XAuroraCluster"},
		name:       xrName,
		composedIn: claim.GetNamespace(),
		claimName:  claim.GetName(), claimNS: claim.GetNamespace(),
		allowedGone: set{},
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })
	tr := newTracker()

	var xr *unstructured.Unstructured
	var objs map[string]*unstructured.Unstructured
	ok := t.Run("FirstReconcile", func(t *testing.T) {
		xr, objs = waitFirstReconcile(ctx, t, x, tr, "LegacyClaimFirstReconcile")
		if (objs["cluster"] != nil && !observeOnly(objs["cluster"])) || objs["instance-1"] != nil {
			t.Error("the cluster or its instance composed before the log group is ready")
		}
	})
	if !ok {
		return
	}
	ok = t.Run("ProviderReportsResources", func(t *testing.T) {
		xr, objs = converge(ctx, t, x, tr, convergeTimeout, readyWith(goldenNames(t, "LegacyClaimSteadyState")))
		tr.before(t, "log-group-postgresql", "cluster")
		tr.before(t, "cluster", "instance-1")
		tr.before(t, "cluster", "secret-rotation")
	})
	if !ok {
		return
	}
	t.Run("Usages", func(t *testing.T) {
		checkUsages(ctx, t, objs)
	})
	t.Run("Status", func(t *testing.T) {
		checkStatus(t, xr, objs, "RDSManaged")
		secrets, _, _ := unstructured.NestedSlice(objs["cluster"].Object, "status", "atProvider", "masterUserSecret")
		want := ""
		if len(secrets) > 0 {
			want, _ = secrets[0].(map[string]any)["secretArn"].(string)
		}
		if v := str(xr, "status", "secretArn"); v == "" || v != want {
			t.Errorf("status.secretArn %q, want the RDS-owned secret %q", v, want)
		}
	})
	t.Run("ClaimShowsStatus", func(t *testing.T) {
		var c *unstructured.Unstructured
		deadline := time.Now().Add(time.Minute)
		for {
			c = mustGet(ctx, t, claimGVK, claim.GetNamespace(), claim.GetName())
			r, _ := kube.Condition(c, "Ready")
			s, _ := kube.Condition(c, "Synced")
			if r == "True" && s == "True" && str(c, "status", "endpoint") != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the claim is not Ready and Synced with an endpoint: %v", c.Object["status"])
			}
			time.Sleep(300 * time.Millisecond)
		}
		for _, f := range []string{"clusterArn", "clusterIdentifier", "endpoint", "readerEndpoint", "port", "secretArn", "kmsKeyArn", "securityGroupId", "engineVersionActual", "rotationEnabled"} {
			if got, want := str(c, "status", f), str(xr, "status", f); got != want || got == "" {
				t.Errorf("claim status.%s %q, want the XR's %q", f, got, want)
			}
		}
		if r := conditionReason(c, "Available"); r != "Available" {
			t.Errorf("claim Available reason %q, want Available", r)
		}
	})
	var conn *unstructured.Unstructured
	t.Run("ConnectionSecret", func(t *testing.T) {
		name := str(claim, "spec", "writeConnectionSecretToRef", "name")
		deadline := time.Now().Add(time.Minute)
		for {
			s, err := get(ctx, gvkSecret, claim.GetNamespace(), name)
			if err == nil && len(s.Object["data"].(map[string]any)) > 0 {
				conn = s
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no connection secret %s/%s for the claim: %v", claim.GetNamespace(), name, err)
			}
			time.Sleep(300 * time.Millisecond)
		}
		checkConnectionSecret(t, conn, xr, map[string]string{"dbname": "app", "username": "dbadmin"})
	})
	// As the XRD's description says: deletion protection off, wait for the
	// change to apply, then delete.
	t.Run("Delete", func(t *testing.T) {
		if _, err := cl.MergePatch(ctx, claimGVK, claim.GetNamespace(), claim.GetName(), []byte(`{"spec":{"deletionProtection":false}}`)); err != nil {
			t.Fatalf("cannot turn deletion protection off on the claim: %v", err)
		}
		steady := readyWith(goldenNames(t, "LegacyClaimSteadyState"))
		_, objs = converge(ctx, t, x, tr, convergeTimeout, func(xr *unstructured.Unstructured, got map[string]*unstructured.Unstructured) error {
			if err := steady(xr, got); err != nil {
				return err
			}
			if v := str(got["cluster"], "spec", "forProvider", "deletionProtection"); v != "false" {
				return fmt.Errorf("the rds Cluster has deletionProtection %s", v)
			}
			return nil
		})
		ri, err := cl.Resource(claimGVK, claim.GetNamespace())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := ri.Delete(ctx, claim.GetName(), metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		others := []*unstructured.Unstructured{claim}
		if conn != nil {
			others = append(others, conn)
		}
		waitGone(ctx, t, x, deleteTimeout, others...)
		t.Logf("the claim and everything composed for it gone in %s", time.Since(start).Round(100*time.Millisecond))
		dels := pv.deletionsIn(x.composedIn, start)
		logDeletions(t, start, dels)
		checkDeletionOrder(t, objs, dels, true)
	})
}

// TestRejectedComposedResourceFailsTheXR proves the suite notices a composed
// resource the API server refuses: with a stricter provider CRD schema the
// XR goes Synced=False (its Ready may stay as it was), which is what every
// converge step checks. It then restores the CRD.
func TestRejectedComposedResourceFailsTheXR(t *testing.T) {
	ctx := t.Context()
	const crdName = "clusterparametergroups.rds.aws.m.upbound.io"
	crd := mustGet(ctx, t, gvkCRD, "", crdName)
	original := crd.DeepCopy()
	// The function composes family aurora-postgresql16; allow only MySQL.
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		m := v.(map[string]any)
		if err := unstructured.SetNestedField(m, "^aurora-mysql", "schema", "openAPIV3Schema", "properties", "spec", "properties", "forProvider", "properties", "family", "pattern"); err != nil {
			t.Fatal(err)
		}
	}
	if err := unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions"); err != nil {
		t.Fatal(err)
	}
	replaceCRD(ctx, t, crd)
	t.Cleanup(func() { replaceCRD(context.Background(), t, original) })

	obj := readExample(t, "example/xr.yaml")
	obj.SetNamespace("e2e-rejected")
	obj.SetName("strict")
	ensureNamespace(ctx, t, obj.GetNamespace())
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	x := &xrRef{gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace()}
	t.Cleanup(func() { deleteXR(context.Background(), x) })

	deadline := time.Now().Add(2 * time.Minute)
	for {
		// The provider answers the probe of the cluster identifier: only
		// then is the parameter group composed.
		if objs, err := x.composed(ctx); err == nil {
			for _, u := range objs {
				if isManaged(u) && observeOnly(u) && !answered(u) {
					if err := pv.observe(ctx, u); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		xr, err := x.get(ctx)
		if err == nil {
			if err := rejected(xr); err != nil {
				if !strings.Contains(err.Error(), "cluster-parameter-group") {
					t.Errorf("Synced=False does not name the rejected resource: %v", err)
				}
				t.Logf("as expected: %v", err)
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the XR never went Synced=False although its ClusterParameterGroup violates the CRD schema\n%s", describe(ctx, x))
		}
		time.Sleep(300 * time.Millisecond)
	}
	objs, err := x.composed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if objs["cluster-parameter-group"] != nil {
		t.Error("the API server accepted a ClusterParameterGroup its schema forbids")
	}
	if objs["subnet-group"] == nil {
		t.Error("one rejected resource kept the others from being applied")
	}
}

// replaceCRD updates a CRD to exactly the given object and waits until it is
// served again.
func replaceCRD(ctx context.Context, t *testing.T, crd *unstructured.Unstructured) {
	t.Helper()
	ri, err := cl.Resource(gvkCRD, "")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := ri.Get(ctx, crd.GetName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	crd = crd.DeepCopy()
	crd.SetResourceVersion(cur.GetResourceVersion())
	if _, err := ri.Update(ctx, crd, metav1.UpdateOptions{FieldManager: kube.FieldManager}); err != nil {
		t.Fatal(err)
	}
	if err := cl.WaitCRDsEstablished(ctx, crd.GetName()); err != nil {
		t.Fatal(err)
	}
}

func patchXR(ctx context.Context, t *testing.T, x *xrRef, patch map[string]any) {
	t.Helper()
	b, err := json.Marshal(patch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.MergePatch(ctx, x.gvk, x.namespace, x.name, b); err != nil {
		t.Fatalf("cannot change %s: %v", x, err)
	}
}

func deleteXR(ctx context.Context, x *xrRef) {
	if ri, err := cl.Resource(x.gvk, x.namespace); err == nil {
		_ = ri.Delete(ctx, x.name, metav1.DeleteOptions{})
	}
}

// checkStatus compares the XR's status with what the provider reported.
func checkStatus(t *testing.T, xr *unstructured.Unstructured, objs map[string]*unstructured.Unstructured, mode string) {
	t.Helper()
	c := objs["cluster"]
	if c == nil {
		t.Fatal("no cluster")
	}
	id := c.GetAnnotations()["crossplane.io/external-name"]
	want := map[string]string{
		"clusterIdentifier":   id,
		"clusterArn":          str(c, "status", "atProvider", "arn"),
		"endpoint":            str(c, "status", "atProvider", "endpoint"),
		"readerEndpoint":      str(c, "status", "atProvider", "readerEndpoint"),
		"engineVersionActual": str(c, "status", "atProvider", "engineVersionActual"),
		"port":                str(c, "spec", "forProvider", "port"),
		"kmsKeyArn":           str(objs["kms-key"], "status", "atProvider", "arn"),
		"securityGroupId":     str(objs["security-group"], "status", "atProvider", "id"),
	}
	for f, w := range want {
		if got := str(xr, "status", f); got != w || got == "" {
			t.Errorf("status.%s %q, want %q", f, got, w)
		}
	}
	if !strings.HasPrefix(str(xr, "status", "clusterArn"), "arn:aws:rds:") {
		t.Errorf("status.clusterArn %q is not an RDS ARN", str(xr, "status", "clusterArn"))
	}
	if r := conditionReason(xr, "Available"); r != "Available" {
		t.Errorf("Available reason %q, want Available", r)
	}
	if mode == "SelfManaged" {
		if m := str(c, "spec", "forProvider", "manageMasterUserPassword"); m == "true" {
			t.Error("SelfManaged cluster has manageMasterUserPassword")
		}
	}
}

// checkConnectionSecret compares a connection secret with the XR's status.
func checkConnectionSecret(t *testing.T, s, xr *unstructured.Unstructured, fixed map[string]string) {
	t.Helper()
	data, _, _ := unstructured.NestedStringMap(s.Object, "data")
	got := map[string]string{}
	for k, v := range data {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			t.Fatal(err)
		}
		got[k] = string(b)
	}
	want := map[string]string{
		"host":        str(xr, "status", "endpoint"),
		"reader_host": str(xr, "status", "readerEndpoint"),
		"port":        str(xr, "status", "port"),
		"secret_arn":  str(xr, "status", "secretArn"),
		// Every instance pins a current CA (access.go).
		"sslmode":         "verify-full",
		"sslrootcert_url": "https://truststore.pki.rds.amazonaws.com/" + str(xr, "spec", "region") + "/" + str(xr, "spec", "region") + "-bundle.pem",
	}
	for k, v := range fixed {
		want[k] = v
	}
	for k, v := range want {
		if got[k] != v || v == "" {
			t.Errorf("connection secret %s/%s: %s=%q, want %q", s.GetNamespace(), s.GetName(), k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("connection secret %s/%s: unexpected key %q", s.GetNamespace(), s.GetName(), k)
		}
	}
}

// checkNoLeak looks for the bootstrap Secret's values (the password, and
// the rotator JSON that holds it) anywhere in the namespace's Secrets, the
// composed resources and the XR, after the hand-off.
func checkNoLeak(ctx context.Context, t *testing.T, x *xrRef, tr *tracker, xr *unstructured.Unstructured) {
	t.Helper()
	if len(tr.secretValues) == 0 {
		t.Fatal("never saw the bootstrap Secret's values")
	}
	var hay []string
	ri, err := cl.Resource(gvkSecret, x.namespace)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ri.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range l.Items {
		b, _ := json.Marshal(s.Object)
		hay = append(hay, "Secret "+s.GetName()+": "+string(b))
	}
	objs, err := x.composed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for n, u := range objs {
		b, _ := json.Marshal(u.Object)
		hay = append(hay, n+": "+string(b))
	}
	b, _ := json.Marshal(xr.Object)
	hay = append(hay, "XR: "+string(b))
	for v := range tr.secretValues {
		plain, _ := base64.StdEncoding.DecodeString(v)
		for _, h := range hay {
			if strings.Contains(h, v) || (len(plain) > 8 && strings.Contains(h, string(plain))) {
				t.Errorf("a bootstrap Secret value is still in %s", strings.SplitN(h, ":", 2)[0])
			}
		}
	}
}
