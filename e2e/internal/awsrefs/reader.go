package awsrefs

import (
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/function-sdk-go/errors"
)

// NewReader is an API server that holds objs, managed resources as JSON
// objects, for ResolveReferences: it lists by label and namespace as the
// real one does.
func NewReader(objs ...map[string]any) (client.Reader, error) {
	b := fake.NewClientBuilder().WithScheme(Scheme)
	for _, o := range objs {
		mg, err := Typed(o)
		if err != nil {
			return nil, errors.Wrap(err, "cannot add an object to the fake API server")
		}
		b = b.WithObjects(mg)
	}
	return b.Build(), nil
}
