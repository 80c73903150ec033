// Package fakeprovider plays provider-aws in this repository's tests: the
// root package's lifecycle simulation and benchmarks, and the e2e suite on a
// real API server. It exists so that there is one model of what the
// provider does, and so that the part the function depends on most, how a
// reference selector becomes a value, is not a model at all: references are
// resolved by provider-aws v2.5.0's own generated resolvers
// (ResolveReferences of each kind's Go type, zz_generated.resolvers.go), the
// code the provider's managed reconciler runs, against whatever
// client.Reader the caller has: the e2e suite's API server, or the composed
// resources of one simulated call. Besides creating, it observes: an
// observe-only managed resource reports what exists in the account without
// any managed resource (Provider.Existing), as adoption and the identifier
// probe need; and a cluster runs the default minor of a major alone
// (EngineVersion).
//
// It links provider-aws's API packages and, through them, upjet. Only tests
// import it: the function keeps its own copies of the kinds' types
// (internal/aws) and links neither.
package fakeprovider
