package main

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	xpv2 "github.com/crossplane/crossplane-runtime/v2/apis/common/v2"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/function-aurora-postgres/function-aurora-postgres/input/v1beta1"
)

// engineAuroraPostgreSQL is the only engine this function composes.
const engineAuroraPostgreSQL = "aurora-postgresql"

// plan is everything the builders need, resolved once per call from the XR,
// the function input and what is already observed. Builders read it and
// cannot fail: validation ran before the plan was made.
type plan struct {
	spec      *AuroraSpec
	meta      xrMeta
	clusterID string
	// namespace is set only for legacy (cluster-scoped) XRs; Crossplane puts
	// a namespaced XR's composed resources in the XR's namespace.
	namespace      string
	region         string
	partition      string
	accountID      string
	providerConfig v1beta1.ProviderConfigRef
	// names are the AWS names that must not repeat across XR incarnations.
	names awsNames
	// engine is the cluster's engine version and parameter groups
	// (engine.go), set by planEngine.
	engine enginePlan
	// tls is each instance's CA (access.go).
	tls tlsPlan
}

// newPlan resolves names and placement. accountID may be empty while the
// function waits to learn it from an observed ARN.
func newPlan(m xrMeta, s *AuroraSpec, in *v1beta1.Input, accountID string, o observed) *plan {
	p := &plan{
		spec:           s,
		meta:           m,
		clusterID:      clusterIdentifier(m, s),
		region:         s.Region,
		partition:      partitionOf(s.Region),
		accountID:      accountID,
		providerConfig: providerConfig(in),
		tls:            planTLS(s, o),
	}
	p.names = newAWSNames(p.clusterID, m.UID, p.rotatorSource(), o)
	if m.Legacy {
		p.namespace = in.Namespace
		if m.ClaimNamespace != "" {
			p.namespace = m.ClaimNamespace
		}
	}
	return p
}

// objectMeta labels a composed resource with its component name and, where
// the AWS name matters, sets it as the external name.
func (p *plan) objectMeta(name resource.Name, externalName string) metav1.ObjectMeta {
	om := metav1.ObjectMeta{
		Namespace: p.namespace,
		Labels:    map[string]string{labelComponent: string(name)},
	}
	if externalName != "" {
		om.Annotations = map[string]string{annotationExternalName: externalName}
	}
	return om
}

// managed is the managed resource spec every composed MR shares.
func (p *plan) managed() xpv2.ManagedResourceSpec {
	return xpv2.ManagedResourceSpec{
		ProviderConfigReference: &xpv1.ProviderConfigReference{
			Name: p.providerConfig.Name,
			Kind: p.providerConfig.Kind,
		},
	}
}

// withPolicies narrows what the provider may do with a resource.
func withPolicies(m xpv2.ManagedResourceSpec, actions ...xpv1.ManagementAction) xpv2.ManagedResourceSpec {
	m.ManagementPolicies = actions
	return m
}

// selectorFor selects the composed resource of this XR with the given name.
func selectorFor(name resource.Name) *xpv1.NamespacedSelector {
	return &xpv1.NamespacedSelector{
		MatchControllerRef: ptr.To(true),
		MatchLabels:        map[string]string{labelComponent: string(name)},
	}
}

// tags are the user's tags, as the provider's types want them.
func (p *plan) tags() map[string]*string {
	if len(p.spec.Tags) == 0 {
		return nil
	}
	t := make(map[string]*string, len(p.spec.Tags))
	for k, v := range p.spec.Tags {
		t[k] = ptr.To(v)
	}
	return t
}

// port is the cluster's port as the provider's float fields want it.
func (p *plan) port() *float64 {
	return ptr.To(float64(*p.spec.Port))
}

// engineMajor is the major version of the engine version ("16" of "16.6").
func engineMajor(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return major
}
