//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/internal/awsrefs"
	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// account is the AWS account the provider acts in: the ARNs it reports name
// it. hack/e2e-cluster.sh sets it as the Compositions' input.accountId
// (E2E_ACCOUNT_ID).
var account = "111122223333"

const (
	// finalizerManaged is the finalizer a provider's managed reconciler adds
	// before it creates the external resource, and removes once it deleted
	// (or orphaned) it: until then the managed resource stays.
	finalizerManaged = "finalizer.managedresource.crossplane.io"
	// errProtectedCluster is what AWS answers DeleteDBCluster for a cluster
	// with deletion protection.
	errProtectedCluster = "InvalidParameterCombination: Cannot delete protected Cluster, please disable deletion protection and try again."
	// providerFieldManager owns what the provider writes to a managed
	// resource's spec: resolved references.
	providerFieldManager = "provider-aws"
	// annotationExternalName holds the ID of a managed resource's external
	// resource.
	annotationExternalName = "crossplane.io/external-name"
)

// errDeletionRefused is a delete AWS refused: the provider tries again.
var errDeletionRefused = errors.New("AWS refused the delete")

// An outcome is what a provider did to the external resource of a deleted
// managed resource.
type outcome string

const (
	// deleted: the provider deleted the external resource.
	deleted outcome = "DELETED"
	// orphaned: the management policies do not allow Delete, so the
	// provider left the external resource as it was.
	orphaned outcome = "ORPHANED"
)

// A deletion is a managed resource the provider let go of: it removed the
// provider's finalizer after deleting or orphaning the external resource.
type deletion struct {
	at        time.Time
	namespace string
	kind      string
	name      string
	// resource is the composition resource name.
	resource string
	outcome  outcome
	// refused: a delete of it was refused earlier, by Crossplane's Usage
	// webhook (which annotated it so).
	refused bool
}

// provider plays provider-aws's part against the real API server: once a
// managed resource exists, it reports it created, as the provider would
// after calling AWS: status.atProvider with the observed parameters and the
// values AWS assigns (IDs, ARNs, endpoints, secret ARNs, stack outputs, VPC
// endpoint DNS names, secret version IDs), and Ready=True, Synced=True. Like
// the provider's managed reconciler it first resolves the resource's
// references with provider-aws's own generated resolvers
// (awsrefs.ResolveReferences), reading the targets from the API
// server, and writes the resolved values and references into the spec; a
// resource whose references do not resolve it reports Ready=False,
// Synced=False with the resolver's error, and tries again at the next
// poll. Status goes through the status subresource, which the CRD's schema
// validates (and prunes: a misspelled field would never reach the
// function).
type provider struct {
	c *kube.Client
	// reader reads reference targets as the provider's resolvers do: typed,
	// through controller-runtime, from the API server.
	reader client.Reader

	mu sync.Mutex
	// atProvider of every resource reported, by namespace/name, for
	// assertions on the XR's status.
	reported map[string]map[string]any
	// versionID is the last SecretVersion ID reported.
	versionID string
	// deletions in the order the provider let go of them.
	deletions []deletion
	// protected is AWS's side of each rds Cluster's deletion protection, by
	// namespace/name: what the provider last applied. A managed resource
	// being deleted is never updated (the managed reconciler only deletes
	// it), so turning protection off on it then changes nothing in AWS.
	protected map[string]bool
	// existing are external resources that exist in "AWS" without any
	// managed resource, by "<kind>/<external name>", with what the
	// provider observes of them: an observe-only managed resource of one
	// reports it (adoption); of any other it reports that it does not
	// exist, as crossplane-runtime's managed reconciler does.
	existing map[string]map[string]any
	// engines is what each rds Cluster runs in AWS (engine.go's e2e).
	engines engines
}

func newProvider(c *kube.Client) (*provider, error) {
	r, err := client.New(c.Config, client.Options{Scheme: awsrefs.Scheme})
	if err != nil {
		return nil, fmt.Errorf("provider: cannot make a client for the reference resolvers: %w", err)
	}
	return &provider{
		c: c, reader: r, reported: map[string]map[string]any{}, protected: map[string]bool{},
		existing: map[string]map[string]any{}, engines: engines{byKey: map[string]*engine{}},
	}, nil
}

// addExisting makes an external resource exist in "AWS".
func (p *provider) addExisting(kind, externalName string, at map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.existing[kind+"/"+externalName] = at
}

// observeOnly reports whether a managed resource's management policies are
// exactly [Observe].
func observeOnly(u *unstructured.Unstructured) bool {
	return fakeprovider.ObserveOnly(u.Object)
}

// answered reports whether the provider reported on an observe-only
// managed resource's current generation: Ready, or Synced=False because
// the external resource does not exist.
func answered(u *unstructured.Unstructured) bool {
	s, _ := kube.Condition(u, "Synced")
	return observeOnly(u) && s != "" && kube.ObservedGeneration(u, "Synced") == u.GetGeneration()
}

// observeExisting is the managed reconciler with management policies
// [Observe]: it resolves no reference, and reports the existing resource's
// observation, or Synced=False: "cannot observe external resource:
// external resource does not exist" (crossplane-runtime
// pkg/reconciler/managed/reconciler.go).
func (p *provider) observeExisting(ctx context.Context, u *unstructured.Unstructured) error {
	p.mu.Lock()
	at, ok := aws(p.existing).Observed(u.Object)
	p.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339)
	status := map[string]any{"conditions": []any{
		map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": fakeprovider.MessageNotExist, "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
	}}
	if ok {
		status = map[string]any{
			"atProvider": at,
			"conditions": []any{
				map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
				map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
			},
		}
	}
	_, err := p.patchStatus(ctx, u, status)
	return err
}

// isManaged reports whether an object is a provider-aws managed resource.
func isManaged(u *unstructured.Unstructured) bool {
	return strings.HasSuffix(u.GroupVersionKind().Group, ".aws.m.upbound.io")
}

// ready reports whether an MR says it is Ready and Synced for its current
// spec: a provider reconciles each new generation (and applies it to AWS).
func ready(u *unstructured.Unstructured) bool {
	r, _ := kube.Condition(u, "Ready")
	s, _ := kube.Condition(u, "Synced")
	return r == "True" && s == "True" && kube.ObservedGeneration(u, "Synced") == u.GetGeneration()
}

// observe reports one managed resource as created and available. Like a
// provider's managed reconciler it first adds its finalizer, so the
// managed resource stays until the provider has dealt with the external
// resource (watchDeletions).
func (p *provider) observe(ctx context.Context, u *unstructured.Unstructured) error {
	if observeOnly(u) {
		return p.observeExisting(ctx, u)
	}
	if err := p.addFinalizer(ctx, u); err != nil {
		return err
	}
	resolved, err := p.resolveReferences(ctx, u)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil && !strings.Contains(err.Error(), errUnresolved) {
		return fmt.Errorf("provider: cannot resolve the references of %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	if err != nil {
		return p.reportUnresolved(ctx, u, err)
	}
	ext, at := aws(nil).Created(resolved.Object, resolved.GetNamespace()+"/"+resolved.GetName())
	if isCluster(resolved) {
		fp, _, _ := unstructured.NestedMap(resolved.Object, "spec", "forProvider")
		p.engines.apply(resolved.GetNamespace()+"/"+resolved.GetName(), resolved.GetGeneration(), fp, at)
	}
	if u, err = p.recordExternalName(ctx, resolved, ext); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	out, err := p.patchStatus(ctx, u, map[string]any{
		"atProvider": at,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
		},
	})
	if err != nil {
		return err
	}
	got, _, _ := unstructured.NestedMap(out.Object, "status", "atProvider")
	p.mu.Lock()
	p.reported[u.GetNamespace()+"/"+u.GetName()] = got
	if isCluster(u) {
		p.protected[u.GetNamespace()+"/"+u.GetName()], _, _ = unstructured.NestedBool(u.Object, "spec", "forProvider", "deletionProtection")
	}
	if u.GetKind() == "SecretVersion" {
		p.versionID, _ = got["versionId"].(string)
	}
	p.mu.Unlock()
	return nil
}

// patchStatus merges status into a managed resource's status, and returns
// the resource as the API server kept it.
func (p *provider) patchStatus(ctx context.Context, u *unstructured.Unstructured, status map[string]any) (*unstructured.Unstructured, error) {
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return nil, err
	}
	out, err := p.c.MergePatch(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName(), patch, "status")
	if err != nil {
		return nil, fmt.Errorf("provider: cannot report %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return out, nil
}

// addFinalizer adds the provider's finalizer to a managed resource that is
// not being deleted, as the managed reconciler does before it creates the
// external resource.
func (p *provider) addFinalizer(ctx context.Context, u *unstructured.Unstructured) error {
	cur := u
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if cur == nil {
			var err error
			if cur, err = p.get(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName()); err != nil {
				return err
			}
		}
		if cur.GetDeletionTimestamp() != nil || slices.Contains(cur.GetFinalizers(), finalizerManaged) {
			return nil
		}
		err := p.setFinalizers(ctx, cur, append(cur.GetFinalizers(), finalizerManaged))
		cur = nil // Read it again after a conflict.
		return err
	})
	if err != nil {
		return fmt.Errorf("provider: cannot add the finalizer to %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return nil
}

// setFinalizers replaces an object's finalizers, if it has not changed
// since it was read: a merge patch replaces the whole list.
func (p *provider) setFinalizers(ctx context.Context, u *unstructured.Unstructured, finalizers []string) error {
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"finalizers":      finalizers,
		"resourceVersion": u.GetResourceVersion(),
	}})
	if err != nil {
		return err
	}
	_, err = p.c.MergePatch(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName(), patch)
	return err
}

func (p *provider) get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	ri, err := p.c.Resource(gvk, namespace)
	if err != nil {
		return nil, err
	}
	u, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

// objectKey names a managed resource in the provider's work queue.
type objectKey struct {
	gvk             schema.GroupVersionKind
	namespace, name string
}

// watchDeletions plays the provider's part when managed resources of the
// given kinds are deleted, in the background until ctx is done: it watches
// them, and handles each one being deleted that carries its finalizer
// (deleteExternal). It returns once the watches are running. Errors are
// retried with back-off and printed.
func (p *provider) watchDeletions(ctx context.Context, kinds []schema.GroupVersionKind) error {
	factory := dynamicinformer.NewDynamicSharedInformerFactory(p.c.Dynamic, 0)
	// A provider polls a resource it failed to delete; so does this one,
	// quickly: at most every 2 s.
	q := workqueue.NewTypedRateLimitingQueue(workqueue.NewTypedItemExponentialFailureRateLimiter[objectKey](100*time.Millisecond, 2*time.Second))
	for _, gvk := range kinds {
		m, err := p.c.Mapping(gvk)
		if err != nil {
			return fmt.Errorf("provider: %w", err)
		}
		enqueue := func(obj any) {
			u, ok := obj.(*unstructured.Unstructured)
			if ok && u.GetDeletionTimestamp() != nil && slices.Contains(u.GetFinalizers(), finalizerManaged) {
				q.Add(objectKey{gvk: gvk, namespace: u.GetNamespace(), name: u.GetName()})
			}
		}
		if _, err := factory.ForResource(m.Resource).Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    enqueue,
			UpdateFunc: func(_, obj any) { enqueue(obj) },
		}); err != nil {
			return fmt.Errorf("provider: cannot watch %s: %w", gvk.Kind, err)
		}
	}
	factory.Start(ctx.Done())
	for gvr, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("provider: the watch of %s did not sync", gvr.Resource)
		}
	}
	go func() {
		<-ctx.Done()
		q.ShutDown()
		factory.Shutdown()
	}()
	for range 4 {
		go func() {
			for {
				k, shutdown := q.Get()
				if shutdown {
					return
				}
				if err := p.deleteExternal(ctx, k); err != nil && ctx.Err() == nil {
					// A conflict is someone else's write: read it again.
					if !apierrors.IsConflict(err) && !errors.Is(err, errDeletionRefused) {
						fmt.Fprintf(os.Stderr, "provider: %s %s/%s: %v (retrying)\n", k.gvk.Kind, k.namespace, k.name, err)
					}
					q.AddRateLimited(k)
				} else {
					q.Forget(k)
				}
				q.Done(k)
			}
		}()
	}
	return nil
}

// deleteExternal is what the managed reconciler does with a managed
// resource being deleted: it deletes the external resource, or orphans it
// when the management policies do not allow Delete, then removes its
// finalizer, and the provider records a deletion. One AWS rule is modelled:
// RDS refuses to delete a cluster with deletion protection, so the
// finalizer stays and the resource says Synced=False, until the managed
// resource turns deletion protection off.
func (p *provider) deleteExternal(ctx context.Context, k objectKey) error {
	u, err := p.get(ctx, k.gvk, k.namespace, k.name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.GetDeletionTimestamp() == nil || !slices.Contains(u.GetFinalizers(), finalizerManaged) {
		return nil
	}
	out := deleted
	if orphans(u) {
		out = orphaned
	}
	if out == deleted && p.deletionProtected(u) {
		if err := p.refuseDeletion(ctx, u); err != nil {
			return err
		}
		// Polled again, as a provider retries a failed delete.
		return errDeletionRefused
	}
	// Recorded before the finalizer goes: the resource may be gone as soon
	// as it does, and a test that saw it gone must find the record (on a
	// loaded machine this goroutine can be scheduled after that test).
	rec := deletion{
		at:        time.Now(),
		namespace: u.GetNamespace(),
		kind:      u.GetKind(),
		name:      u.GetName(),
		resource:  u.GetAnnotations()[annotationResource],
		outcome:   out,
		refused:   u.GetAnnotations()[annotationDeletionAttempt] != "",
	}
	p.mu.Lock()
	p.deletions = append(p.deletions, rec)
	p.mu.Unlock()
	kept := slices.DeleteFunc(slices.Clone(u.GetFinalizers()), func(f string) bool { return f == finalizerManaged })
	if err := p.setFinalizers(ctx, u, kept); err != nil {
		p.mu.Lock()
		p.deletions = slices.DeleteFunc(p.deletions, func(d deletion) bool { return d == rec })
		p.mu.Unlock()
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("cannot remove the finalizer: %w", err)
	}
	return nil
}

// refuseDeletion reports a failed delete as the managed reconciler would:
// Ready=False (Deleting), Synced=False with AWS's error. It writes the
// status only when it changes, so its own update does not start a loop.
func (p *provider) refuseDeletion(ctx context.Context, u *unstructured.Unstructured) error {
	msg := fmt.Sprintf("delete failed: async delete failed: failed to delete the resource: deleting RDS Cluster (%s): operation error RDS: DeleteDBCluster, https response error StatusCode: 400, api error %s",
		u.GetAnnotations()["crossplane.io/external-name"], errProtectedCluster)
	if st, m := kube.Condition(u, "Synced"); st == "False" && strings.HasSuffix(m, msg) {
		return nil
	}
	now := time.Now().UTC().Format(time.RFC3339)
	_, err := p.patchStatus(ctx, u, map[string]any{"conditions": []any{
		map[string]any{"type": "Ready", "status": "False", "reason": "Deleting", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
		map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": msg, "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
	}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("cannot report the refused delete: %w", err)
	}
	return nil
}

// orphans reports whether the managed reconciler leaves the external
// resource when the managed resource is deleted: management policies
// without Delete (and without "*", all of them; the CRDs default to it).
func orphans(u *unstructured.Unstructured) bool {
	policies, found, _ := unstructured.NestedStringSlice(u.Object, "spec", "managementPolicies")
	return found && !slices.Contains(policies, "Delete") && !slices.Contains(policies, "*")
}

// isCluster reports whether u is an rds Cluster.
func isCluster(u *unstructured.Unstructured) bool {
	return u.GroupVersionKind().Group == "rds.aws.m.upbound.io" && u.GetKind() == "Cluster"
}

// deletionProtected reports whether AWS refuses to delete the resource: an
// RDS cluster whose deletion protection is on in AWS.
func (p *provider) deletionProtected(u *unstructured.Unstructured) bool {
	if !isCluster(u) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.protected[u.GetNamespace()+"/"+u.GetName()]
}

// disableDeletionProtectionInAWS is what an operator does for a cluster
// whose XR was deleted with deletion protection on: `aws rds
// modify-db-cluster --no-deletion-protection`, outside Crossplane. The
// provider's next delete then succeeds.
func (p *provider) disableDeletionProtectionInAWS(namespace, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.protected[namespace+"/"+name] = false
}

// deletionsIn returns the deletions of managed resources in a namespace
// since a time, in the order the provider let go of them.
func (p *provider) deletionsIn(namespace string, since time.Time) []deletion {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []deletion
	for _, d := range p.deletions {
		if d.namespace == namespace && !d.at.Before(since) {
			out = append(out, d)
		}
	}
	return out
}

// reportedVersionID is the ID of the last SecretVersion the provider
// reported.
func (p *provider) reportedVersionID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.versionID
}

// aws is the provider the suite plays, in the account the Compositions
// name, with the external resources that exist without a managed resource:
// the model the unit tests' simulation plays too.
func aws(existing map[string]map[string]any) fakeprovider.Provider {
	return fakeprovider.Provider{Account: account, Existing: existing}
}

// recordExternalName sets the crossplane.io/external-name annotation to the
// ID AWS assigned, as the managed reconciler does after it created the
// external resource; reference resolvers extract it.
func (p *provider) recordExternalName(ctx context.Context, u *unstructured.Unstructured, ext string) (*unstructured.Unstructured, error) {
	if u.GetAnnotations()[annotationExternalName] == ext {
		return u, nil
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]any{annotationExternalName: ext}}})
	if err != nil {
		return nil, err
	}
	out, err := p.c.MergePatch(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName(), patch)
	if err != nil {
		return nil, fmt.Errorf("provider: cannot record the external name of %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return out, nil
}
