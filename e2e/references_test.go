//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/internal/awsrefs"
	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

// errUnresolved prefixes the Synced message of a managed resource whose
// references do not resolve, as crossplane-runtime's managed reconciler
// words it (awsrefs.ResolveReferences wraps the resolver's error so).
const errUnresolved = "cannot resolve references"

// resolveReferences is the managed reconciler's first step: resolve every
// reference with provider-aws's generated resolver of the kind, reading
// the targets from the API server, and, when that filled in a value or a
// reference, update the managed resource's spec (the provider's Update).
// It returns the managed resource as it now is, or the resolver's error.
func (p *provider) resolveReferences(ctx context.Context, u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	var out *unstructured.Unstructured
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		cur, err := p.get(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName())
		if err != nil {
			return err
		}
		spec, err := awsrefs.ResolveReferences(ctx, p.reader, cur.Object)
		if err != nil {
			return err
		}
		out = cur
		if reflect.DeepEqual(spec, cur.Object["spec"]) {
			return nil
		}
		cur.Object["spec"] = spec
		ri, err := p.c.Resource(cur.GroupVersionKind(), cur.GetNamespace())
		if err != nil {
			return err
		}
		if out, err = ri.Update(ctx, cur, metav1.UpdateOptions{FieldManager: providerFieldManager}); err != nil {
			return err
		}
		out.SetGroupVersionKind(u.GroupVersionKind())
		return nil
	})
	return out, err
}

// reportUnresolved reports a managed resource whose references do not
// resolve as the managed reconciler would: not created, so Ready=False,
// and Synced=False with the resolver's error. It writes only when the
// message changes, so its own write does not start a loop.
func (p *provider) reportUnresolved(ctx context.Context, u *unstructured.Unstructured, cause error) error {
	msg := cause.Error()
	if st, m := kube.Condition(u, "Synced"); st == "False" && m == msg {
		return nil
	}
	now := time.Now().UTC().Format(time.RFC3339)
	_, err := p.patchStatus(ctx, u, map[string]any{"conditions": []any{
		map[string]any{"type": "Ready", "status": "False", "reason": "Creating", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
		map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": msg, "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
	}})
	return err
}

// unresolvedReferences lists the reference selectors of a managed resource
// the provider has not resolved: a fooSelector without the value (foo, or
// foos for a list). A resolver sets the value and fooRef (or fooRefs)
// together; a value without a reference is one the function set itself
// (the running group of an adopted cluster, a major upgrade's new group),
// which the resolver leaves alone (crossplane-runtime's
// ResolutionRequest.IsNoOp).
func unresolvedReferences(u *unstructured.Unstructured) []string {
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				base, ok := strings.CutSuffix(k, "Selector")
				if _, isMap := e.(map[string]any); !ok || !isMap {
					walk(e, path+"."+k)
					continue
				}
				ref := v[base+"Ref"] != nil || v[base+"Refs"] != nil
				value := !empty(v[base]) || !empty(v[base+"s"])
				if !value {
					out = append(out, fmt.Sprintf("%s.%s (ref %v, value %v)", path, k, ref, value))
				}
			}
		case []any:
			for i, e := range v {
				walk(e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(u.Object["spec"], "spec")
	sort.Strings(out)
	return out
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

// TestUnresolvedReferenceStaysUnready shows the provider's reference
// resolution failing the way it should: a log group whose key selector has
// a wrong label stays Ready=False with the resolver's error, and the
// converged-state check names its selector; once the selector names the
// key, the log group resolves to the key's ARN and is Ready.
func TestUnresolvedReferenceStaysUnready(t *testing.T) {
	ctx := context.Background()
	const ns = "e2e-references"
	ensureNamespace(ctx, t, ns)
	gvkKey := schema.GroupVersionKind{Group: "kms.aws.m.upbound.io", Version: "v1beta1", Kind: "Key"}
	gvkGroup := schema.GroupVersionKind{Group: "cloudwatchlogs.aws.m.upbound.io", Version: "v1beta1", Kind: "Group"}
	apply := func(gvk schema.GroupVersionKind, name string, labels map[string]string, forProvider map[string]any) *unstructured.Unstructured {
		t.Helper()
		u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"forProvider": forProvider}}}
		u.SetGroupVersionKind(gvk)
		u.SetNamespace(ns)
		u.SetName(name)
		u.SetLabels(labels)
		out, err := cl.Apply(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	selector := func(label string) map[string]any {
		return map[string]any{"matchLabels": map[string]any{labelComponent: label}}
	}
	key := apply(gvkKey, "key", map[string]string{labelComponent: "kms-key"}, map[string]any{"region": "us-east-1"})
	if err := pv.observe(ctx, key); err != nil {
		t.Fatal(err)
	}
	group := apply(gvkGroup, "logs", nil, map[string]any{"region": "us-east-1", "kmsKeyIdSelector": selector("kms-alias")})
	if err := pv.observe(ctx, group); err != nil {
		t.Fatal(err)
	}
	group = mustGet(ctx, t, gvkGroup, ns, "logs")
	if r, _ := kube.Condition(group, "Ready"); r != "False" {
		t.Errorf("a log group whose key selector matches nothing: Ready=%q, want False", r)
	}
	if s, msg := kube.Condition(group, "Synced"); s != "False" || !strings.Contains(msg, "no resources matched selector") {
		t.Errorf("a log group whose key selector matches nothing: Synced=%q %q, want False with the resolver's error", s, msg)
	}
	if got, want := unresolvedReferences(group), []string{"spec.forProvider.kmsKeyIdSelector (ref false, value false)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unresolvedReferences: got %v, want %v", got, want)
	}

	group = apply(gvkGroup, "logs", nil, map[string]any{"region": "us-east-1", "kmsKeyIdSelector": selector("kms-key")})
	if err := pv.observe(ctx, group); err != nil {
		t.Fatal(err)
	}
	group = mustGet(ctx, t, gvkGroup, ns, "logs")
	if !ready(group) {
		r, _ := kube.Condition(group, "Ready")
		s, msg := kube.Condition(group, "Synced")
		t.Errorf("a log group whose key selector matches the key: Ready=%q Synced=%q %q, want both True", r, s, msg)
	}
	keyARN := str(mustGet(ctx, t, gvkKey, ns, "key"), "status", "atProvider", "arn")
	if got := str(group, "spec", "forProvider", "kmsKeyId"); keyARN == "" || got != keyARN {
		t.Errorf("resolved spec.forProvider.kmsKeyId %q, want the key's ARN %q", got, keyARN)
	}
	if got := unresolvedReferences(group); len(got) > 0 {
		t.Errorf("unresolvedReferences after resolution: %v", got)
	}
	// Let go of them: the provider's finalizer would keep them forever.
	for _, o := range []struct {
		gvk  schema.GroupVersionKind
		name string
	}{{gvkGroup, "logs"}, {gvkKey, "key"}} {
		if ri, err := cl.Resource(o.gvk, ns); err == nil {
			_ = ri.Delete(ctx, o.name, metav1.DeleteOptions{})
		}
	}
}
