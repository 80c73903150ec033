package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"

	"github.com/function-aurora-postgres/function-aurora-postgres/input/v1beta1"
)

// The AWS account the provider's credentials act in. The key policy, the
// secret policy and the rotator's trust conditions name it, so a wrong one
// either fails to create (the key policy's lockout check) or trusts a
// stranger's account. It comes, most explicit first, from the XR
// (spec.accountId), the Composition's function input, the platform's
// EnvironmentConfig (the pipeline context function-environment-configs
// writes), or, failing all three, the first observed ARN. An explicit
// account that disagrees with the ARNs the provider reports is refused.

// contextKeyEnvironment is where function-environment-configs (and
// `crossplane render --context-files`) put the EnvironmentConfig data.
const contextKeyEnvironment = "apiextensions.crossplane.io/environment"

// environmentAccountID is the EnvironmentConfig field that holds the account.
const environmentAccountID = "awsAccountId"

// accountSource is one place an account can come from, with the path a
// message names.
type accountSource struct {
	path  *field.Path
	value string
}

// accountSources lists the explicit sources that are set, most explicit
// first.
func accountSources(s *AuroraSpec, in *v1beta1.Input, env string) []accountSource {
	var out []accountSource
	for _, src := range []accountSource{
		{path: field.NewPath("spec", "accountId"), value: s.AccountID},
		{path: field.NewPath("input", "accountId"), value: in.AccountID},
		{path: field.NewPath("environment", environmentAccountID), value: env},
	} {
		if src.value != "" {
			out = append(out, src)
		}
	}
	return out
}

// environmentAccount reads the account from the pipeline's environment, if
// one is there.
func environmentAccount(req *fnv1.RunFunctionRequest) string {
	env, ok := request.GetContextKey(req, contextKeyEnvironment)
	if !ok {
		return ""
	}
	return env.GetStructValue().GetFields()[environmentAccountID].GetStringValue()
}

// validateInput checks the function input. Crossplane applies none of the
// input CRD's defaults or patterns, so a typo here would reach every key
// and secret policy of every XR the Composition serves.
func validateInput(in *v1beta1.Input, env string) field.ErrorList {
	var errs field.ErrorList
	if in.AccountID != "" && !reAccountID.MatchString(in.AccountID) {
		errs = append(errs, field.Invalid(field.NewPath("input", "accountId"), in.AccountID, "must be a 12-digit AWS account ID"))
	}
	if env != "" && !reAccountID.MatchString(env) {
		errs = append(errs, field.Invalid(field.NewPath("environment", environmentAccountID), env, "must be a 12-digit AWS account ID"))
	}
	if r := in.ProviderConfigRef; r != nil {
		kinds := []string{"ClusterProviderConfig", "ProviderConfig"}
		if r.Kind != "" && r.Kind != kinds[0] && r.Kind != kinds[1] {
			errs = append(errs, field.NotSupported(field.NewPath("input", "providerConfigRef", "kind"), r.Kind, kinds))
		}
	}
	return errs
}

// providerConfig is the input's provider config, with the input CRD's
// defaults applied here because Crossplane does not apply them.
func providerConfig(in *v1beta1.Input) v1beta1.ProviderConfigRef {
	pc := v1beta1.ProviderConfigRef{Name: "default", Kind: "ClusterProviderConfig"}
	if r := in.ProviderConfigRef; r != nil {
		if r.Name != "" {
			pc.Name = r.Name
		}
		if r.Kind != "" {
			pc.Kind = r.Kind
		}
	}
	return pc
}

// observedAccount is the account of the first ARN the provider reported for
// a resource it created in its own account, with that ARN. The user's
// existing key is not among them: it may live in another account.
func observedAccount(sgARN *string, arns ...string) (account, arn string) {
	for _, a := range append([]string{ptr.Deref(sgARN, "")}, arns...) {
		if acc := accountOf(a); acc != "" {
			return acc, a
		}
	}
	return "", ""
}

// resolveAccount picks the account and refuses an explicit one the
// provider's ARNs contradict.
func resolveAccount(sources []accountSource, observed, observedARN string) (string, field.ErrorList) {
	if len(sources) == 0 {
		return observed, nil
	}
	src := sources[0]
	// NOTE: the spec is the XR author's, the input and the environment the
	// platform's: an author must not point the policies at another account
	// than the platform's.
	for _, other := range sources[1:] {
		if other.value != src.value {
			return "", field.ErrorList{field.Invalid(src.path, src.value, fmt.Sprintf("disagrees with %s %q: the policies would name another account than the one the platform configured; correct or remove %s", other.path, other.value, src.path))}
		}
	}
	if observed != "" && observed != src.value {
		return "", field.ErrorList{field.Invalid(src.path, src.value, fmt.Sprintf(
			"the provider created this XR's resources in account %s (%s): policies naming %s would fail or trust the wrong account; correct or remove %s",
			observed, observedARN, src.value, src.path))}
	}
	return src.value, nil
}
