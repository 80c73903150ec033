// Package awsrefs runs provider-aws v2.5.0's own generated reference
// resolvers (ResolveReferences of each kind's Go type, the code the
// provider's managed reconciler runs before it calls AWS):
//
//   - for the e2e suite's fake provider, against the API server
//     (ResolveReferences);
//   - to write the table the root module's tests resolve references with
//     (fakeprovider.References in
//     internal/fakeprovider/zz_generated_references.go: Probe and Generate,
//     which e2e/cmd/genrefs and make generate run), and to fail when that
//     table no longer says what the resolvers do (TestTableIsCurrent) or
//     fakeprovider.Store resolves differently (TestResolveReferences).
//
// It links provider-aws's API packages and, through them, upjet. It lives
// in the e2e module, which needs them anyway, so that the root module's
// tests compile neither.
package awsrefs
