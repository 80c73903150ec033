package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRotatorNetwork checks who the Secrets Manager endpoint and the
// database admit in each rotator setup, at steady state.
func TestRotatorNetwork(t *testing.T) {
	const existingSG = "sg-0123456789abcdef7"
	cases := map[string]struct {
		reason string
		xr     string
		edit   func(map[string]any) map[string]any
		// want maps composed resources to the endpoint or DB rule fields
		// that must hold; absent lists what must not be composed.
		want   map[string]map[string]any
		absent []string
	}{
		"PrivateDNSOffByDefault": {
			reason: "A composed endpoint keeps private DNS off and admits only the rotator: the VPC's other clients keep their own route to Secrets Manager.",
			xr:     "example/xr.yaml",
			edit:   func(xr map[string]any) map[string]any { return setSpec(xr, "vpcEndpoint.privateDnsEnabled", nil) },
			want: map[string]map[string]any{
				"secretsmanager-endpoint":  {"privateDnsEnabled": false},
				"endpoint-ingress-rotator": {"fromPort": float64(443)},
			},
			absent: []string{"endpoint-ingress-cidr-10-20-0-0-16"},
		},
		"PrivateDNSAdmitsTheVPC": {
			reason: "With private DNS the endpoint is the whole VPC's Secrets Manager: it admits HTTPS from each of the VPC's networks.",
			xr:     "testdata/xr/private-dns.yaml",
			want: map[string]map[string]any{
				"secretsmanager-endpoint":             {"privateDnsEnabled": true},
				"endpoint-ingress-cidr-10-40-0-0-16":  {"cidrIpv4": "10.40.0.0/16", "fromPort": float64(443), "toPort": float64(443)},
				"endpoint-ingress-cidr-100-64-0-0-20": {"cidrIpv4": "100.64.0.0/20", "fromPort": float64(443)},
				"endpoint-ingress-rotator":            {"fromPort": float64(443)},
			},
		},
		"NoEndpointWithoutRotation": {
			reason: "Without rotation nothing calls the endpoint: it, its group and its rules are not composed.",
			xr:     "testdata/xr/rotation-off.yaml",
			absent: []string{"secretsmanager-endpoint", "endpoint-security-group", "endpoint-security-group-association", "endpoint-ingress-rotator", "endpoint-subnet-subnet-0123456789abcdef1"},
		},
		"ExistingRotatorSecurityGroups": {
			reason: "An existing rotator gets the DB port through its own security groups, and no dead rotator group is composed.",
			xr:     "testdata/xr/existing-lambda.yaml",
			want: map[string]map[string]any{
				"ingress-rotator-sg-sg-0123456789abcdef7": {"referencedSecurityGroupId": existingSG, "fromPort": float64(5432)},
			},
			absent: []string{"rotator-security-group", "rotator-egress-db", "rotator-egress-endpoint", "ingress-from-rotator"},
		},
		"ExistingRotatorWithComposedEndpoint": {
			reason: "A composed endpoint admits an existing rotator's security groups on 443.",
			xr:     "testdata/xr/existing-lambda.yaml",
			edit: func(xr map[string]any) map[string]any {
				return setSpec(xr, "vpcEndpoint", map[string]any{"subnetIds": []any{"subnet-0123456789abcdef1"}})
			},
			want: map[string]map[string]any{
				"endpoint-ingress-sg-sg-0123456789abcdef7": {"referencedSecurityGroupId": existingSG, "fromPort": float64(443)},
			},
			absent: []string{"endpoint-ingress-rotator"},
		},
		"ExistingRotatorAlreadyAllowed": {
			reason: "A rotator group already in allowedSecurityGroupIds has its DB rule: a second one would be refused as a duplicate.",
			xr:     "testdata/xr/existing-lambda.yaml",
			edit: func(xr map[string]any) map[string]any {
				return setSpec(xr, "network.allowedSecurityGroupIds", []any{existingSG})
			},
			want:   map[string]map[string]any{"ingress-sg-sg-0123456789abcdef7": {"referencedSecurityGroupId": existingSG}},
			absent: []string{"ingress-rotator-sg-sg-0123456789abcdef7"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := readObject(t, tc.xr)
			if tc.edit != nil {
				xr = tc.edit(xr)
			}
			_, observed, _ := converge(t, xr, exampleInput())
			for n, fields := range tc.want {
				r, ok := observed[n]
				if !ok {
					t.Errorf("%s\nwant %q composed", tc.reason, n)
					continue
				}
				fp := r.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)
				for k, v := range fields {
					if diff := cmp.Diff(v, fp[k]); diff != "" {
						t.Errorf("%s\n%s forProvider.%s: -want, +got:\n%s", tc.reason, n, k, diff)
					}
				}
			}
			for _, n := range tc.absent {
				if _, ok := observed[n]; ok {
					t.Errorf("%s\nwant %q not composed", tc.reason, n)
				}
			}
		})
	}
}

// TestNewEndpointNeedsSubnets checks that a new endpoint needs its subnets
// listed, one per zone, while an endpoint that exists keeps its old default.
func TestNewEndpointNeedsSubnets(t *testing.T) {
	xr := setSpec(readObject(t, "example/xr.yaml"), "vpcEndpoint.subnetIds", nil)
	rsp := run(t, newRequest(xr, exampleInput(), nil))
	if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), "spec.vpcEndpoint.subnetIds: Required value: the Secrets Manager endpoint's subnets, exactly one per availability zone") {
		t.Fatalf("a new endpoint without subnets must be refused naming spec.vpcEndpoint.subnetIds, got %v", rsp.GetResults())
	}
	observed, steady := steadyState(t, "example/xr.yaml")
	rsp = run(t, newRequest(setSpec(steady, "vpcEndpoint.subnetIds", nil), exampleInput(), observed))
	if hasFatal(rsp) {
		t.Fatalf("an existing endpoint must keep working without listed subnets, got %v", rsp.GetResults())
	}
}
