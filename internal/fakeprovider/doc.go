// Package fakeprovider plays provider-aws in this repository's tests: the
// root package's lifecycle simulation, benchmarks and fuzzers, and the e2e
// suite on a real API server. It exists so that there is one model of what
// the provider does: the external names and status.atProvider it reports
// (Provider.Created), what an observe-only managed resource observes of
// what exists in the account (Provider.Observed), as adoption and the
// identifier probe need, and the engine version a cluster runs
// (EngineVersion).
//
// References are resolved as provider-aws v2.5.0's generated resolvers
// (ResolveReferences of each kind's Go type) resolve them: Store resolves
// them among the composed resources of one simulated call, driven by
// References, a table e2e/cmd/genrefs writes by running those resolvers
// (which selector sets which field, from which kind, extracting what). The
// e2e suite runs the resolvers themselves (e2e/internal/awsrefs), and fails
// when the table differs from them.
//
// It links neither provider-aws nor upjet, so that the root module's tests
// do not compile them: the e2e module, which does, is the only one that
// asks them.
package fakeprovider
