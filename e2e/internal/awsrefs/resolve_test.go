package awsrefs

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// TestResolveReferences runs provider-aws's resolvers, and
// fakeprovider.Store with the table on the same objects: both must give
// what the case wants, and Store exactly what the provider gives.
func TestResolveReferences(t *testing.T) {
	cases := fakeprovider.ResolveCases()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs := append([]map[string]any{tc.Obj}, tc.Others...)
			r, err := NewReader(objs...)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := ResolveReferences(context.Background(), r, tc.Obj)
			provider := fakeprovider.ResolveWant{}
			if err != nil {
				provider.Err = err.Error()
			} else {
				provider.ForProvider, _ = spec["forProvider"].(map[string]any)
			}
			got := provider
			if tc.Want.Err != "" && strings.Contains(got.Err, tc.Want.Err) {
				got.Err = tc.Want.Err
			}
			if diff := cmp.Diff(tc.Want, got); diff != "" {
				t.Errorf("%s\nResolveReferences(...): -want, +got:\n%s", tc.Reason, diff)
			}

			// The root module's tests resolve with fakeprovider.Store and
			// the table: it must come to exactly what the provider does.
			spec, err = fakeprovider.NewStore(objs...).ResolveReferences(tc.Obj)
			store := fakeprovider.ResolveWant{}
			if err != nil {
				store.Err = err.Error()
			} else {
				store.ForProvider, _ = spec["forProvider"].(map[string]any)
			}
			if diff := cmp.Diff(provider, store); diff != "" {
				t.Errorf("%s\nfakeprovider.Store resolves otherwise than the provider: -provider, +Store:\n%s", tc.Reason, diff)
			}
		})
	}
}
