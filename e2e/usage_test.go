//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

const (
	// labelInUse is what Crossplane's usage controller puts on a resource a
	// Usage protects; the webhook is called for deletes of labelled objects.
	labelInUse = "crossplane.io/in-use"
	// msgInUse starts the webhook's refusal.
	msgInUse = "This resource is in-use"
	// webhookNoUsages is the webhook configuration that enforces Usages.
	webhookNoUsages = "crossplane-no-usages"
	// annotationDeletionAttempt is written by the webhook on a resource
	// whose deletion it refused, with the propagation policy, so that a
	// Usage with replayDeletion deletes it again once it is gone.
	annotationDeletionAttempt = "usage.crossplane.io/deletion-attempt-with-policy"
)

var (
	gvkUsage     = schema.GroupVersionKind{Group: "protection.crossplane.io", Version: "v1beta1", Kind: "Usage"}
	gvkConfigMap = schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	gvkVWC       = schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfiguration"}
)

// TestUsageBlocksDeletion proves Crossplane's Usage webhook is wired: the
// API server calls Crossplane on loopback, which refuses to delete a
// resource a Usage protects, and lets it go once the Usage is gone.
func TestUsageBlocksDeletion(t *testing.T) {
	ctx := t.Context()
	const ns = "e2e-usage"
	ensureNamespace(ctx, t, ns)

	t.Run("WebhookCallsCrossplaneOnLoopback", func(t *testing.T) {
		// Nothing (core init or start) may have turned the configuration
		// back to a Service, which the API server could not reach.
		vwc := mustGet(ctx, t, gvkVWC, "", webhookNoUsages)
		hooks, _, _ := unstructured.NestedSlice(vwc.Object, "webhooks")
		if len(hooks) == 0 {
			t.Fatalf("%s has no webhooks", webhookNoUsages)
		}
		want := os.Getenv("E2E_WEBHOOK_URL")
		if want == "" {
			want = "https://127.0.0.1:"
		}
		for _, h := range hooks {
			m, _ := h.(map[string]any)
			url, _, _ := unstructured.NestedString(m, "clientConfig", "url")
			if _, svc, _ := unstructured.NestedMap(m, "clientConfig", "service"); svc || !strings.HasPrefix(url, want) {
				t.Errorf("webhook %v: clientConfig %v, want a URL under %s and no service", m["name"], m["clientConfig"], want)
			}
		}
	})

	cases := map[string]struct {
		reason string
		replay bool
	}{
		"DeleteAgainOnceUsageGone": {
			reason: "Without replayDeletion the refused delete succeeds when tried again once the Usage is gone.",
		},
		"ReplayDeletion": {
			reason: "With replayDeletion Crossplane deletes the resource itself once the Usage is gone.",
			replay: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			used, user := configMap(ns, strings.ToLower(name)+"-used"), configMap(ns, strings.ToLower(name)+"-user")
			usage := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": gvkUsage.GroupVersion().String(),
				"kind":       gvkUsage.Kind,
				"metadata":   map[string]any{"name": strings.ToLower(name), "namespace": ns},
				"spec": map[string]any{
					"of":             map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "resourceRef": map[string]any{"name": used.GetName()}},
					"by":             map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "resourceRef": map[string]any{"name": user.GetName()}},
					"replayDeletion": tc.replay,
				},
			}}
			for _, u := range []*unstructured.Unstructured{used, user, usage} {
				if _, err := cl.Apply(ctx, u); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { deleteObject(context.Background(), u) })
			}
			waitUsageReady(ctx, t, usage)

			err := deleteObject(ctx, used)
			if err == nil || !strings.Contains(err.Error(), msgInUse) {
				t.Fatalf("%s\ndeleting a used ConfigMap: got error %v, want the webhook's %q", tc.reason, err, msgInUse)
			}
			t.Logf("refused as expected: %v", err)
			got := mustGet(ctx, t, gvkConfigMap, ns, used.GetName())
			if got.GetDeletionTimestamp() != nil {
				t.Fatalf("%s\nthe used ConfigMap is being deleted although the webhook refused", tc.reason)
			}
			if p := got.GetAnnotations()[annotationDeletionAttempt]; p != "Background" {
				t.Errorf("%s\nannotation %s=%q, want Background (the webhook records the refused attempt)", tc.reason, annotationDeletionAttempt, p)
			}

			if err := deleteObject(ctx, usage); err != nil {
				t.Fatal(err)
			}
			waitAbsent(ctx, t, time.Minute, usage)
			if !tc.replay {
				if err := deleteObject(ctx, used); err != nil {
					t.Fatalf("%s\ndeleting the ConfigMap once its Usage is gone: %v", tc.reason, err)
				}
			}
			waitAbsent(ctx, t, time.Minute, used)
		})
	}
}

func configMap(namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"data": map[string]any{"k": "v"}}}
	u.SetGroupVersionKind(gvkConfigMap)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

// deleteObject deletes an object with the API server's default propagation
// (background), as the garbage collector does.
func deleteObject(ctx context.Context, u *unstructured.Unstructured) error {
	ri, err := cl.Resource(u.GroupVersionKind(), u.GetNamespace())
	if err != nil {
		return err
	}
	if err := ri.Delete(ctx, u.GetName(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

// waitAbsent waits until objects no longer exist.
func waitAbsent(ctx context.Context, t *testing.T, timeout time.Duration, objs ...*unstructured.Unstructured) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for _, u := range objs {
		for {
			_, err := get(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName())
			if apierrors.IsNotFound(err) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s/%s still exists after %s (%v)", u.GetKind(), u.GetNamespace(), u.GetName(), timeout, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// waitUsageReady waits until Crossplane's usage controller has resolved a
// Usage, marked it Ready and labelled the used resource in-use, which is
// when the webhook protects it. It returns the Usage.
func waitUsageReady(ctx context.Context, t *testing.T, usage *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last error
	for {
		u, err := get(ctx, gvkUsage, usage.GetNamespace(), usage.GetName())
		if last = err; err == nil {
			last = usageReady(ctx, u)
			if last == nil {
				return u
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Usage %s/%s not ready after a minute: %v", usage.GetNamespace(), usage.GetName(), last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func usageReady(ctx context.Context, u *unstructured.Unstructured) error {
	if st, msg := kube.Condition(u, "Ready"); st != "True" {
		return fmt.Errorf("Ready=%q (%s)", st, msg)
	}
	of, _, _ := unstructured.NestedMap(u.Object, "spec", "of")
	name, _, _ := unstructured.NestedString(of, "resourceRef", "name")
	if name == "" {
		return fmt.Errorf("spec.of is not resolved: %v", of)
	}
	gv, err := schema.ParseGroupVersion(fmt.Sprint(of["apiVersion"]))
	if err != nil {
		return err
	}
	used, err := get(ctx, gv.WithKind(fmt.Sprint(of["kind"])), u.GetNamespace(), name)
	if err != nil {
		return fmt.Errorf("cannot get the used %v %s: %w", of["kind"], name, err)
	}
	if v := used.GetLabels()[labelInUse]; v != "true" {
		return fmt.Errorf("the used %s %s has label %s=%q, want true", used.GetKind(), name, labelInUse, v)
	}
	return nil
}
