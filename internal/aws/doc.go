// Package aws holds, in one package per provider-aws API group version, the
// Go types of the provider-aws kinds this function composes (kinds.txt),
// generated from the provider-aws module's own sources by
// internal/gen/awstypes: the same declarations, without linking the
// provider's API packages and, through them, upjet, the Terraform plugin SDK
// and client-go into the function.
//
// v2.5.0 is the newest provider-aws whose API types use crossplane-runtime
// v2's common types, as function-sdk-go does (later versions moved them to
// github.com/crossplane/crossplane/apis). The kinds' schemas are unchanged
// since: rendered resources are validated against v2.7.0's CRDs
// (hack/crds.sh). `make generate` runs this; `make test` fails when the
// generated files are out of date.
package aws

//go:generate go run ../gen/awstypes -version v2.5.0 -kinds kinds.txt -out .
