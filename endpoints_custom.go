package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// CustomEndpoint is an Aurora custom endpoint: a DNS name that balances
// connections over the named instances of spec.instances only.
type CustomEndpoint struct {
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Instances []string `json:"instances"`
}

// Custom endpoint types: READER balances over read-only replicas only, ANY
// over every listed instance, the writer included ("Considerations for
// custom endpoints in Amazon Aurora",
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Custom.Considerations.html).
const (
	customEndpointReader = "READER"
	customEndpointAny    = "ANY"
)

// maxCustomEndpoints is how many custom endpoints an Aurora cluster may
// have ("Custom endpoints for Amazon Aurora",
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Custom.html).
const maxCustomEndpoints = 5

// maxCustomEndpointNameLength keeps <cluster identifier>-<name> within the
// 63 characters of an endpoint identifier with a derived cluster identifier
// (at most 50).
const maxCustomEndpointNameLength = 12

// validateCustomEndpoints checks spec.customEndpoints: names an RDS
// endpoint identifier can end with, unique, at most five, each naming
// instances of spec.instances, a READER one no writer.
func validateCustomEndpoints(root *field.Path, s *AuroraSpec, clusterID string) field.ErrorList {
	p := root.Child("customEndpoints")
	var errs field.ErrorList
	if len(s.CustomEndpoints) > maxCustomEndpoints {
		errs = append(errs, field.TooMany(p, len(s.CustomEndpoints), maxCustomEndpoints))
	}
	suffixes := make([]string, 0, len(s.Instances))
	for i, in := range s.Instances {
		suffixes = append(suffixes, instanceSuffix(i, in))
	}
	names := map[string]bool{}
	for i, e := range s.CustomEndpoints {
		ep := p.Index(i)
		switch {
		case e.Name == "":
			errs = append(errs, field.Required(ep.Child("name"), "the endpoint's name; its identifier is <clusterIdentifier>-<name>"))
		case len(e.Name) > maxCustomEndpointNameLength || !reIdentifier.MatchString(e.Name) || strings.Contains(e.Name, "--") || strings.HasSuffix(e.Name, "-"):
			errs = append(errs, field.Invalid(ep.Child("name"), e.Name, fmt.Sprintf("must be at most %d lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen", maxCustomEndpointNameLength)))
		case len(customEndpointIdentifier(clusterID, e.Name)) > maxRDSIdentifierLength:
			errs = append(errs, field.Invalid(ep.Child("name"), e.Name, fmt.Sprintf("makes endpoint identifier %q longer than %d characters: choose a shorter name", customEndpointIdentifier(clusterID, e.Name), maxRDSIdentifierLength)))
		case names[e.Name]:
			errs = append(errs, field.Duplicate(ep.Child("name"), e.Name))
		}
		names[e.Name] = true
		if e.Type != customEndpointReader && e.Type != customEndpointAny {
			errs = append(errs, field.NotSupported(ep.Child("type"), e.Type, []string{customEndpointReader, customEndpointAny}))
		}
		if len(e.Instances) == 0 {
			errs = append(errs, field.Required(ep.Child("instances"), "the names of the instances of spec.instances the endpoint balances over"))
		}
		seen := map[string]bool{}
		for j, n := range e.Instances {
			ip := ep.Child("instances").Index(j)
			k := slices.Index(suffixes, n)
			switch {
			case k < 0:
				errs = append(errs, field.Invalid(ip, n, fmt.Sprintf("is not an instance of spec.instances (%s): an endpoint names instances the XR composes; to remove an instance, first remove it from this endpoint", strings.Join(suffixes, ", "))))
			case seen[n]:
				errs = append(errs, field.Duplicate(ip, n))
			case k == 0 && e.Type == customEndpointReader:
				errs = append(errs, field.Invalid(ip, n, "is the writer: a READER endpoint balances over Aurora Replicas only; use type ANY to include the writer"))
			}
			seen[n] = true
		}
	}
	return errs
}

// readerEndpointOnly reports whether the instance spec.instances names by
// suffix is a static member of some READER custom endpoint and of no ANY
// one. Such an instance is sized and tuned for what that endpoint serves,
// and must not be the failover target: RDS promotes the replica of the
// lowest tier, the largest of those sharing it ("If two or more Aurora
// Replicas share the same priority, then Amazon RDS promotes the replica
// that is largest in size",
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html),
// and a promoted writer stays in the endpoint's static list ("Aurora
// doesn't change the DB instances specified in the static or exclusion
// lists when DB instances change roles") while a READER endpoint routes to
// read-only Aurora Replicas only
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Endpoints.Custom.html):
// one whose only member became the writer routes nowhere, and the writes
// land on the analytics instance. So it gets the last tier, 15, as the
// replicas Aurora Auto Scaling adds do; an ANY endpoint already includes
// the writer, so its members keep the reader default.
func (s *AuroraSpec) readerEndpointOnly(suffix string) bool {
	reader := false
	for _, e := range s.CustomEndpoints {
		if !slices.Contains(e.Instances, suffix) {
			continue
		}
		if e.Type != customEndpointReader {
			return false
		}
		reader = true
	}
	return reader
}

// customEndpoint is one custom endpoint with static members: the named
// instances and no others, so readers Aurora Auto Scaling adds never join
// it (with static members, "new DB instances aren't added automatically").
// The endpoint identifier is its external name and must be unique in the
// account and region ("You can't reuse the same custom endpoint name for
// more than one cluster in the same Region"): it starts with the cluster
// identifier, unique there too.
func (p *plan) customEndpoint(e CustomEndpoint) *rdsv1beta1.ClusterEndpoint {
	members := make([]*string, 0, len(e.Instances))
	for _, n := range e.Instances {
		members = append(members, ptr.To(instanceIdentifier(p.clusterID, n)))
	}
	fp := rdsv1beta1.ClusterEndpointParameters{
		Region:                    ptr.To(p.region),
		ClusterIdentifierSelector: selectorFor(nameCluster),
		CustomEndpointType:        ptr.To(e.Type),
		StaticMembers:             members,
		Tags:                      p.tags(),
	}
	if p.spec.Restore != nil || p.spec.Adopt != nil {
		// NOTE: as for the instances: a restored cluster's reference does not
		// resolve (provider-upjet-aws#1764), an adopted one is named.
		fp.ClusterIdentifierSelector = nil
		fp.ClusterIdentifier = ptr.To(p.clusterID)
	}
	return &rdsv1beta1.ClusterEndpoint{
		ObjectMeta: p.objectMeta(nameCustomEndpoint(e.Name), customEndpointIdentifier(p.clusterID, e.Name)),
		Spec: rdsv1beta1.ClusterEndpointSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider:         fp,
		},
	}
}

// composeCustomEndpoints adds each custom endpoint once the cluster and
// every instance it names are Ready (CreateDBClusterEndpoint refuses static
// members that do not exist), for good once it exists.
func (p *plan) composeCustomEndpoints(d *desired, o observed) {
	for _, e := range p.spec.CustomEndpoints {
		n := nameCustomEndpoint(e.Name)
		if o.exists(n) {
			d.add(n, p.customEndpoint(e))
			continue
		}
		if !d.has(nameCluster) {
			continue
		}
		var pending []string
		if !o.ready(nameCluster) {
			pending = append(pending, "rds Cluster "+p.clusterID)
		}
		for _, in := range e.Instances {
			if !o.ready(nameInstance(in)) {
				pending = append(pending, "instance "+instanceIdentifier(p.clusterID, in))
			}
		}
		if len(pending) > 0 {
			d.wait("WaitingForInstances", "waiting for %s to become ready before creating custom endpoint %q", strings.Join(pending, ", "), customEndpointIdentifier(p.clusterID, e.Name))
			continue
		}
		d.add(n, p.customEndpoint(e))
	}
}

// customEndpointAddresses are the custom endpoints' DNS names, by spec
// name: as observed, else as reported before (prev), so a briefly missing
// observation does not blank them.
func customEndpointAddresses(s *AuroraSpec, o observed, prev map[string]string) map[string]string {
	out := map[string]string{}
	for _, e := range s.CustomEndpoints {
		if at, ok := atProvider[rdsv1beta1.ClusterEndpointObservation](o, nameCustomEndpoint(e.Name)); ok && ptr.Deref(at.Endpoint, "") != "" {
			out[e.Name] = *at.Endpoint
			continue
		}
		if a := prev[e.Name]; a != "" && o.exists(nameCustomEndpoint(e.Name)) {
			out[e.Name] = a
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
