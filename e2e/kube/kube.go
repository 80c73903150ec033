// Package kube is the small Kubernetes client the e2e suite and its helper
// command share: apply YAML files with server-side apply, wait for CRDs and
// XRDs, and register a locally running composition function. It needs no
// kubectl.
package kube

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// FieldManager owns what the e2e suite applies.
const FieldManager = "aurora-e2e"

// Client talks to the API server with a dynamic client and a RESTMapper
// that refreshes itself when a kind is not (yet) known.
type Client struct {
	Config  *rest.Config
	Dynamic dynamic.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
	cached  discovery.CachedDiscoveryInterface
}

// New connects with a kubeconfig file.
func New(kubeconfig string) (*Client, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("cannot load kubeconfig %s: %w", kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	cfg.UserAgent = FieldManager
	// Each warning once: the API server warns on every write of a finalizer
	// without a path, such as the one every provider uses.
	cfg.WarningHandler = rest.NewWarningWriter(os.Stderr, rest.WarningWriterOptions{Deduplicate: true})
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	cached := memory.NewMemCacheClient(dc)
	return &Client{
		Config:  cfg,
		Dynamic: dyn,
		cached:  cached,
		mapper:  restmapper.NewDeferredDiscoveryRESTMapper(cached),
	}, nil
}

// Mapping finds the resource of a kind, refreshing discovery once if the kind
// is new (a CRD that was just established).
func (c *Client) Mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err == nil {
		return m, nil
	}
	c.mapper.Reset()
	return c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
}

// Resource is the dynamic client of an object's kind, in its namespace.
func (c *Client) Resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, error) {
	m, err := c.Mapping(gvk)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.Dynamic.Resource(m.Resource).Namespace(namespace), nil
	}
	return c.Dynamic.Resource(m.Resource), nil
}

// ReadObjects reads every YAML document of the given files, and of the *.yaml
// files of the given directories, in order. Empty documents are skipped.
func ReadObjects(paths ...string) ([]*unstructured.Unstructured, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.yaml"))
		if err != nil {
			return nil, err
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	var out []*unstructured.Unstructured
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		objs, err := DecodeObjects(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

// DecodeObjects decodes a multi-document YAML stream.
func DecodeObjects(b []byte) ([]*unstructured.Unstructured, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	var out []*unstructured.Unstructured
	for {
		obj := map[string]any{}
		if err := d.Decode(&obj); err != nil {
			if err == io.EOF {
				return out, nil
			}
			return nil, err
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("a document has no apiVersion or kind")
		}
		out = append(out, u)
	}
}

// Apply server-side applies an object (create or update), forcing ownership
// of the fields it sets.
func (c *Client) Apply(ctx context.Context, u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, err := c.Resource(u.GroupVersionKind(), u.GetNamespace())
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
	}
	out, err := ri.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return nil, fmt.Errorf("cannot apply %s %s: %w", u.GetKind(), objectKey(u), err)
	}
	return out, nil
}

// ApplyStatus server-side applies an object's status subresource.
func (c *Client) ApplyStatus(ctx context.Context, u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	ri, err := c.Resource(u.GroupVersionKind(), u.GetNamespace())
	if err != nil {
		return nil, err
	}
	out, err := ri.ApplyStatus(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
	if err != nil {
		return nil, fmt.Errorf("cannot apply the status of %s %s: %w", u.GetKind(), objectKey(u), err)
	}
	return out, nil
}

// MergePatch merge-patches an object, or its subresource ("status").
func (c *Client) MergePatch(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, patch []byte, subresource ...string) (*unstructured.Unstructured, error) {
	ri, err := c.Resource(gvk, namespace)
	if err != nil {
		return nil, err
	}
	return ri.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}, subresource...)
}

// ApplyFiles applies every object of the given files and directories. CRDs
// are applied first and waited for, so objects of their kinds in the same
// batch apply.
func (c *Client) ApplyFiles(ctx context.Context, paths ...string) ([]*unstructured.Unstructured, error) {
	objs, err := ReadObjects(paths...)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i]) < rank(objs[j]) })
	var crds []string
	var applied []*unstructured.Unstructured
	for i, u := range objs {
		if i > 0 && rank(u) > rank(objs[i-1]) && len(crds) > 0 {
			if err := c.WaitCRDsEstablished(ctx, crds...); err != nil {
				return nil, err
			}
			crds = nil
		}
		out, err := c.Apply(ctx, u)
		if err != nil {
			return nil, err
		}
		if u.GetKind() == "CustomResourceDefinition" {
			crds = append(crds, u.GetName())
		}
		applied = append(applied, out)
	}
	if len(crds) > 0 {
		if err := c.WaitCRDsEstablished(ctx, crds...); err != nil {
			return nil, err
		}
	}
	return applied, nil
}

// rank orders a batch: namespaces, then CRDs, then everything else.
func rank(u *unstructured.Unstructured) int {
	switch u.GetKind() {
	case "Namespace":
		return 0
	case "CustomResourceDefinition":
		return 1
	default:
		return 2
	}
}

var (
	gvkCRD = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
	gvkXRD = schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v2", Kind: "CompositeResourceDefinition"}
)

// WaitCRDsEstablished waits until every named CRD is Established and its
// kind is served (discovery knows it).
func (c *Client) WaitCRDsEstablished(ctx context.Context, names ...string) error {
	ri, err := c.Resource(gvkCRD, "")
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := waitCondition(ctx, ri, n, "Established", 2*time.Minute); err != nil {
			return fmt.Errorf("CRD %s: %w", n, err)
		}
	}
	c.mapper.Reset()
	return nil
}

// WaitXRDsEstablished waits until Crossplane has established every named
// XRD (created and serves the composite, and claim, CRDs).
func (c *Client) WaitXRDsEstablished(ctx context.Context, names ...string) error {
	ri, err := c.Resource(gvkXRD, "")
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := waitCondition(ctx, ri, n, "Established", 3*time.Minute); err != nil {
			return fmt.Errorf("XRD %s: %w", n, err)
		}
	}
	c.mapper.Reset()
	return nil
}

func waitCondition(ctx context.Context, ri dynamic.ResourceInterface, name, condition string, timeout time.Duration) error {
	last := "not found"
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		u, err := ri.Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			last = err.Error()
			return false, nil
		}
		st, msg := Condition(u, condition)
		last = fmt.Sprintf("%s=%s %s", condition, st, msg)
		return st == "True", nil
	})
	if err != nil {
		return fmt.Errorf("not %s after %s (%s): %w", condition, timeout, last, err)
	}
	return nil
}

// ObservedGeneration is the generation a condition of u was written for, or
// -1 when u has no such condition.
func ObservedGeneration(u *unstructured.Unstructured, typ string) int64 {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != typ {
			continue
		}
		switch g := m["observedGeneration"].(type) {
		case int64:
			return g
		case float64:
			return int64(g)
		}
		return 0
	}
	return -1
}

// Condition returns the status and message of an object's condition, or ""
// when it has none of that type.
func Condition(u *unstructured.Unstructured, typ string) (status, message string) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if !ok || m["type"] != typ {
			continue
		}
		s, _ := m["status"].(string)
		msg, _ := m["message"].(string)
		if r, _ := m["reason"].(string); r != "" {
			msg = strings.TrimSpace(r + ": " + msg)
		}
		return s, msg
	}
	return "", ""
}

// RegisterFunction makes Crossplane call a locally running function: a
// paused Function (the package manager leaves it alone) and its active,
// paused FunctionRevision, whose status names the endpoint and the
// composition capability, as the package manager would have written them.
func (c *Client) RegisterFunction(ctx context.Context, name, pkg, endpoint string) error {
	paused := map[string]any{"crossplane.io/paused": "true"}
	fn := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "pkg.crossplane.io/v1",
		"kind":       "Function",
		"metadata":   map[string]any{"name": name, "annotations": paused},
		"spec":       map[string]any{"package": pkg},
	}}
	if _, err := c.Apply(ctx, fn); err != nil {
		return err
	}
	rev := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "pkg.crossplane.io/v1",
		"kind":       "FunctionRevision",
		"metadata": map[string]any{
			"name":        name + "-e2e",
			"annotations": paused,
			"labels":      map[string]any{"pkg.crossplane.io/package": name},
		},
		"spec": map[string]any{
			"desiredState": "Active",
			"image":        pkg,
			"revision":     int64(1),
		},
	}}
	if _, err := c.Apply(ctx, rev); err != nil {
		return err
	}
	rev.Object = map[string]any{
		"apiVersion": "pkg.crossplane.io/v1",
		"kind":       "FunctionRevision",
		"metadata":   map[string]any{"name": name + "-e2e"},
		"status": map[string]any{
			"endpoint":     endpoint,
			"capabilities": []any{"composition"},
		},
	}
	_, err := c.ApplyStatus(ctx, rev)
	return err
}

// ApplyWebhookConfigurations applies the Validating- and
// MutatingWebhookConfigurations of the given files and directories with
// every webhook calling baseURL plus the path of the Service it names, and
// trusting caPEM. A webhook server that runs outside the cluster has no
// Service the API server could reach, so the configurations Crossplane ships
// (written for its Service) are rewritten to a URL. It returns the names of
// the configurations it applied.
func (c *Client) ApplyWebhookConfigurations(ctx context.Context, baseURL string, caPEM []byte, paths ...string) ([]string, error) {
	objs, err := ReadObjects(paths...)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, u := range objs {
		if err := ToURL(u, baseURL, caPEM); err != nil {
			return nil, err
		}
		if _, err := c.Apply(ctx, u); err != nil {
			return nil, err
		}
		names = append(names, u.GetKind()+" "+u.GetName())
	}
	return names, nil
}

// ToURL rewrites every webhook of a webhook configuration to call
// baseURL plus the path of the Service its clientConfig names, and to trust
// caPEM.
func ToURL(u *unstructured.Unstructured, baseURL string, caPEM []byte) error {
	if u.GroupVersionKind().Group != "admissionregistration.k8s.io" ||
		(u.GetKind() != "ValidatingWebhookConfiguration" && u.GetKind() != "MutatingWebhookConfiguration") {
		return fmt.Errorf("%s %s is not a webhook configuration", u.GetKind(), u.GetName())
	}
	hooks, _, err := unstructured.NestedSlice(u.Object, "webhooks")
	if err != nil {
		return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
	}
	for i, h := range hooks {
		m, ok := h.(map[string]any)
		if !ok {
			return fmt.Errorf("%s %s: webhook %d is not an object", u.GetKind(), u.GetName(), i)
		}
		path, _, _ := unstructured.NestedString(m, "clientConfig", "service", "path")
		if path == "" {
			return fmt.Errorf("%s %s: webhook %v names no service path to call", u.GetKind(), u.GetName(), m["name"])
		}
		m["clientConfig"] = map[string]any{
			"url":      strings.TrimSuffix(baseURL, "/") + path,
			"caBundle": base64.StdEncoding.EncodeToString(caPEM),
		}
		hooks[i] = m
	}
	return unstructured.SetNestedSlice(u.Object, hooks, "webhooks")
}

func objectKey(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetName()
	}
	return u.GetNamespace() + "/" + u.GetName()
}
