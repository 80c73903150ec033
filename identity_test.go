package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// instancesOf is spec.instances as the XR's YAML would list them.
func instancesOf(in ...map[string]any) []any {
	out := make([]any, 0, len(in))
	for _, i := range in {
		out = append(out, i)
	}
	return out
}

// TestInstanceIdentity edits spec.instances of running clusters: removing an
// instance deletes that instance and no other, and no other instance is
// re-specced; an edit whose meaning the position keys of unnamed instances
// cannot carry is refused, with nothing changed.
func TestInstanceIdentity(t *testing.T) {
	unnamedObserved, unnamedXR := steadyState(t, "testdata/xr/existing-key.yaml")
	namedXR := setSpec(readObject(t, "example/xr.yaml"), "instances", instancesOf(
		map[string]any{"name": "writer", "instanceClass": "db.r6g.large"},
		map[string]any{"name": "reader1", "instanceClass": "db.r6g.large"},
		map[string]any{"name": "reader2", "instanceClass": "db.r6g.xlarge"},
		map[string]any{"name": "reader3", "instanceClass": "db.r6g.2xlarge"},
	))
	_, namedObserved, namedXR := converge(t, namedXR, exampleInput())

	type want struct {
		// gone are the instances that leave the desired state.
		gone []string
		// fatal is part of the Fatal result; "" for none.
		fatal string
	}
	cases := map[string]struct {
		reason   string
		xr       map[string]any
		observed map[string]*fnv1.Resource
		want     want
	}{
		"NamedMiddleReaderRemoved": {
			reason:   "Removing a named reader deletes it alone; the others keep their keys and specs.",
			xr:       setSpec(namedXR, "instances", instancesOf(map[string]any{"name": "writer", "instanceClass": "db.r6g.large"}, map[string]any{"name": "reader1", "instanceClass": "db.r6g.large"}, map[string]any{"name": "reader3", "instanceClass": "db.r6g.2xlarge"})),
			observed: namedObserved,
			want:     want{gone: []string{"instance-reader2"}},
		},
		"UnnamedLastRemoved": {
			reason:   "Removing the last unnamed instance is what the position keys say.",
			xr:       setSpec(unnamedXR, "instances", instancesOf(map[string]any{"instanceClass": "db.r7g.xlarge"}, map[string]any{"instanceClass": "db.r7g.xlarge"})),
			observed: unnamedObserved,
			want:     want{gone: []string{"instance-3"}},
		},
		"UnnamedMiddleRemovedWouldRespec": {
			reason:   "Removing the second of three unnamed instances would hand instance-2 the third's class and tier and delete instance-3.",
			xr:       setSpec(unnamedXR, "instances", instancesOf(map[string]any{"instanceClass": "db.r7g.xlarge"}, map[string]any{"instanceClass": "db.r7g.large", "promotionTier": 2})),
			observed: unnamedObserved,
			want:     want{fatal: `spec.instances[1]: Forbidden: this edit removes instance-3 and changes instance-2 from db.r7g.xlarge to db.r7g.large: an instance without a name is known by its position`},
		},
		"NamedInsertedBeforeUnnamed": {
			reason:   "A named instance inserted before unnamed ones shifts their positions: instance-3 would be deleted and created again.",
			xr:       setSpec(unnamedXR, "instances", instancesOf(map[string]any{"instanceClass": "db.r7g.xlarge"}, map[string]any{"name": "new", "instanceClass": "db.r7g.xlarge"}, map[string]any{"instanceClass": "db.r7g.xlarge"}, map[string]any{"instanceClass": "db.r7g.large", "promotionTier": 2})),
			observed: unnamedObserved,
			want:     want{fatal: `spec.instances[2]: Forbidden: this edit removes instance-2 and changes instance-3 from db.r7g.large to db.r7g.xlarge`},
		},
		"UnnamedNamedAfterTheirPositions": {
			reason:   "Naming unnamed instances after their positions changes nothing: the way to name them before removing a middle one.",
			xr:       setSpec(unnamedXR, "instances", instancesOf(map[string]any{"name": "1", "instanceClass": "db.r7g.xlarge"}, map[string]any{"name": "2", "instanceClass": "db.r7g.xlarge"}, map[string]any{"name": "3", "instanceClass": "db.r7g.large", "promotionTier": 2})),
			observed: unnamedObserved,
		},
		"PositionNamedMiddleRemoved": {
			reason:   "Once named after their positions, the middle one goes alone.",
			xr:       setSpec(unnamedXR, "instances", instancesOf(map[string]any{"name": "1", "instanceClass": "db.r7g.xlarge"}, map[string]any{"name": "3", "instanceClass": "db.r7g.large", "promotionTier": 2})),
			observed: unnamedObserved,
			want:     want{gone: []string{"instance-2"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := run(t, newRequest(tc.xr, exampleInput(), tc.observed))
			if tc.want.fatal != "" {
				if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), tc.want.fatal) {
					t.Fatalf("\n%s\nwant a fatal result containing %q, got %v", tc.reason, tc.want.fatal, rsp.GetResults())
				}
				if len(rsp.GetDesired().GetResources()) != 0 {
					t.Errorf("\n%s\na fatal response must not carry a desired state", tc.reason)
				}
				return
			}
			if hasFatal(rsp) {
				t.Fatalf("\n%s\nunexpected fatal result: %v", tc.reason, rsp.GetResults())
			}
			// Which instances leave, and the others' forProvider unchanged.
			var gone []string
			for n, obs := range tc.observed {
				if !strings.HasPrefix(n, prefixInstance) {
					continue
				}
				d, ok := rsp.GetDesired().GetResources()[n]
				if !ok {
					gone = append(gone, n)
					continue
				}
				gotFP := d.GetResource().GetFields()["spec"].GetStructValue().GetFields()["forProvider"]
				wantFP := withoutResolved(obs.GetResource().GetFields()["spec"].GetStructValue().GetFields()["forProvider"], gotFP)
				if diff := cmp.Diff(wantFP, gotFP, protocmp.Transform()); diff != "" {
					t.Errorf("\n%s\n%s re-specced: -observed forProvider, +desired:\n%s", tc.reason, n, diff)
				}
			}
			if diff := cmp.Diff(tc.want.gone, gone, cmpEmpty); diff != "" {
				t.Errorf("\n%s\ninstances removed: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestConnectionSecretRename renames spec.writeConnectionSecretToRef.name
// of a running cluster: the new Secret is composed under a key of its own
// (Crossplane keeps the name of an existing composed resource, so a rename
// under the same key would be ignored) and the old one leaves the desired
// state, so Crossplane deletes it.
func TestConnectionSecretRename(t *testing.T) {
	observed, xr := steadyState(t, "example/xr.yaml")
	secretName := func(r *fnv1.Resource) string {
		return r.GetResource().GetFields()["metadata"].GetStructValue().GetFields()["name"].GetStringValue()
	}
	renamed := setSpec(xr, "writeConnectionSecretToRef", map[string]any{"name": "orders-db-v2"})
	rsp := run(t, newRequest(renamed, exampleInput(), observed))
	if hasFatal(rsp) {
		t.Fatalf("unexpected fatal result: %v", rsp.GetResults())
	}
	ds := rsp.GetDesired().GetResources()
	if _, ok := ds["connection-secret"]; ok {
		t.Errorf("the Secret under the old name is still desired: Crossplane would keep it, named orders-db")
	}
	newKey := string(nameConnectionSecretFor(observedFrom(newRequest(renamed, exampleInput(), observed)), "orders-db-v2"))
	if !strings.HasPrefix(newKey, prefixConnectionSecret) {
		t.Fatalf("new key %q, want %s<hash>", newKey, prefixConnectionSecret)
	}
	if got := secretName(ds[newKey]); got != "orders-db-v2" {
		t.Errorf("desired %s is named %q, want orders-db-v2", newKey, got)
	}

	// The next call observes the new Secret and keeps its key; the old
	// one is gone.
	next := map[string]*fnv1.Resource{}
	for n, r := range observed {
		if n != "connection-secret" {
			next[n] = r
		}
	}
	next[newKey] = ds[newKey]
	rsp = run(t, newRequest(renamed, exampleInput(), next))
	if got := secretName(rsp.GetDesired().GetResources()[newKey]); got != "orders-db-v2" {
		t.Errorf("next call: %s named %q, want orders-db-v2 (desired: %v)", newKey, got, desiredNames(rsp))
	}

	// Renamed back, the original key is free again and takes the Secret.
	back := setSpec(xr, "writeConnectionSecretToRef", map[string]any{"name": "orders-db"})
	rsp = run(t, newRequest(back, exampleInput(), next))
	ds = rsp.GetDesired().GetResources()
	if _, ok := ds[newKey]; ok {
		t.Errorf("renamed back: %s (orders-db-v2) still desired", newKey)
	}
	if got := secretName(ds["connection-secret"]); got != "orders-db" {
		t.Errorf("renamed back: connection-secret named %q, want orders-db", got)
	}
}

// TestExistingKeyUnset unsets spec.encryption.existingKmsKeyArn of a
// cluster encrypted with that key: the function would create a new CMK and
// point the cluster at it, which RDS refuses forever (pitfall 10).
func TestExistingKeyUnset(t *testing.T) {
	observed, xr := steadyState(t, "testdata/xr/existing-key.yaml")
	rsp := run(t, newRequest(setSpec(xr, "encryption.existingKmsKeyArn", nil), exampleInput(), observed))
	const want = `spec.encryption.existingKmsKeyArn: Forbidden: cannot unset it on an existing cluster: the cluster is encrypted with "arn:aws:kms:`
	if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), want) {
		t.Fatalf("want a fatal result containing %q, got %v", want, rsp.GetResults())
	}
	if n := len(rsp.GetDesired().GetResources()); n != 0 {
		t.Errorf("a fatal response must not carry a desired state, got %d resources", n)
	}
}

// withoutResolved is an observed forProvider without what the provider's
// reference resolvers added to the desired one: the references and the
// values its selectors resolved to.
func withoutResolved(observed, desired *structpb.Value) *structpb.Value {
	want := desired.GetStructValue().GetFields()
	out := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, v := range observed.GetStructValue().GetFields() {
		if _, ok := want[k]; !ok {
			_, sel := want[k+"Selector"]
			_, listSel := want[strings.TrimSuffix(k, "s")+"Selector"]
			if sel || listSel || strings.HasSuffix(k, "Ref") || strings.HasSuffix(k, "Refs") {
				continue
			}
		}
		out.Fields[k] = v
	}
	return structpb.NewStructValue(out)
}
