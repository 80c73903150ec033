package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	"github.com/function-aurora-postgres/function-aurora-postgres/input/v1beta1"
)

// capacityTestSpec is a valid spec with a writer and two named readers, reader
// autoscaling on CPU and one custom endpoint.
func capacityTestSpec() *AuroraSpec {
	s := validTestSpec()
	s.Instances = []Instance{
		{Name: "writer", InstanceClass: "db.r6g.large"},
		{Name: "reader-a", InstanceClass: "db.r6g.large"},
		{Name: "reports", InstanceClass: "db.r6g.xlarge"},
	}
	s.Autoscaling = &Autoscaling{Readers: &ReaderAutoscaling{MinCapacity: ptr.To[int64](1), MaxCapacity: ptr.To[int64](4), TargetCPUPercent: ptr.To[int64](60)}}
	s.CustomEndpoints = []CustomEndpoint{{Name: "analytics", Type: customEndpointReader, Instances: []string{"reports"}}}
	return s
}

func TestValidateCapacity(t *testing.T) {
	cases := map[string]struct {
		reason string
		mutate func(s *AuroraSpec)
		want   []string
	}{
		"Valid": {
			reason: "Autoscaling on CPU and a READER endpoint over a reader are valid.",
		},
		"ValidConnectionsAndAnyWithWriter": {
			reason: "A connections target and an ANY endpoint that includes the writer are valid.",
			mutate: func(s *AuroraSpec) {
				s.Autoscaling.Readers.TargetCPUPercent = nil
				s.Autoscaling.Readers.TargetConnections = ptr.To[int64](500)
				s.CustomEndpoints = append(s.CustomEndpoints, CustomEndpoint{Name: "all", Type: customEndpointAny, Instances: []string{"writer", "reader-a"}})
			},
		},
		"ValidUnnamedByPosition": {
			reason: "An unnamed instance is named by its 1-based position.",
			mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{InstanceClass: "db.r6g.large"}, {InstanceClass: "db.r6g.large"}}
				s.CustomEndpoints = []CustomEndpoint{{Name: "second", Type: customEndpointReader, Instances: []string{"2"}}}
			},
		},
		"AutoscalingMinAboveMax": {
			reason: "minCapacity above maxCapacity is refused at minCapacity.",
			mutate: func(s *AuroraSpec) { s.Autoscaling.Readers.MinCapacity = ptr.To[int64](5) },
			want:   []string{`spec.autoscaling.readers.minCapacity: Invalid value: 5: must not exceed maxCapacity (4)`},
		},
		"AutoscalingBounds": {
			reason: "An Aurora cluster has at most 15 replicas; min is at least 0, max at least 1.",
			mutate: func(s *AuroraSpec) {
				s.Autoscaling.Readers.MinCapacity = ptr.To[int64](-1)
				s.Autoscaling.Readers.MaxCapacity = ptr.To[int64](16)
			},
			want: []string{
				`spec.autoscaling.readers.minCapacity: Invalid value: -1: must be between 0 and 15 (an Aurora cluster has at most 15 Aurora Replicas)`,
				`spec.autoscaling.readers.maxCapacity: Invalid value: 16: must be between 1 and 15 (an Aurora cluster has at most 15 Aurora Replicas)`,
			},
		},
		"AutoscalingMissingCapacities": {
			reason: "Both capacities are required.",
			mutate: func(s *AuroraSpec) {
				s.Autoscaling.Readers.MinCapacity = nil
				s.Autoscaling.Readers.MaxCapacity = nil
			},
			want: []string{
				`spec.autoscaling.readers.minCapacity: Required value: the fewest Aurora Replicas Aurora Auto Scaling keeps, 0 to 15`,
				`spec.autoscaling.readers.maxCapacity: Required value: the most Aurora Replicas Aurora Auto Scaling adds up to, 1 to 15`,
			},
		},
		"AutoscalingNoTarget": {
			reason: "A target-tracking policy needs one metric.",
			mutate: func(s *AuroraSpec) { s.Autoscaling.Readers.TargetCPUPercent = nil },
			want:   []string{`spec.autoscaling.readers: Required value: one of targetCpuPercent and targetConnections: the readers' metric to keep at the target`},
		},
		"AutoscalingBothTargets": {
			reason: "A target-tracking policy tracks one metric, not two.",
			mutate: func(s *AuroraSpec) { s.Autoscaling.Readers.TargetConnections = ptr.To[int64](100) },
			want:   []string{`spec.autoscaling.readers.targetConnections: Forbidden: set one of targetCpuPercent and targetConnections: a target-tracking policy tracks one metric`},
		},
		"AutoscalingCPUOutOfRange": {
			reason: "A CPU target of 95% leaves no headroom while a reader starts.",
			mutate: func(s *AuroraSpec) { s.Autoscaling.Readers.TargetCPUPercent = ptr.To[int64](95) },
			want:   []string{`spec.autoscaling.readers.targetCpuPercent: Invalid value: 95: must be between 10 and 90: lower scales out for idle readers, higher leaves no headroom while a new reader starts (minutes)`},
		},
		"AutoscalingConnectionsZero": {
			reason: "A connections target is at least 1.",
			mutate: func(s *AuroraSpec) {
				s.Autoscaling.Readers.TargetCPUPercent = nil
				s.Autoscaling.Readers.TargetConnections = ptr.To[int64](0)
			},
			want: []string{`spec.autoscaling.readers.targetConnections: Invalid value: 0: must be between 1 and 262143 connections per reader`},
		},
		"AutoscalingNegativeCooldown": {
			reason: "Cooldowns are not negative.",
			mutate: func(s *AuroraSpec) { s.Autoscaling.Readers.ScaleInCooldownSeconds = ptr.To[int64](-1) },
			want:   []string{`spec.autoscaling.readers.scaleInCooldownSeconds: Invalid value: -1: must be between 0 and 3600 seconds`},
		},
		"AutoscalingFromZeroWithoutReaders": {
			reason: "The readers' metric needs a reader: from 0 with no composed reader, nothing ever scales.",
			mutate: func(s *AuroraSpec) {
				s.Instances = s.Instances[:1]
				s.CustomEndpoints = nil
				s.Autoscaling.Readers.MinCapacity = ptr.To[int64](0)
			},
			want: []string{`spec.autoscaling.readers.minCapacity: Invalid value: 0: 0 with no reader in spec.instances never scales: the policy tracks the readers' metric, which needs a reader; set minCapacity to at least 1 or add a reader`},
		},
		"AutoscalingFromZeroWithReader": {
			reason: "From 0 is fine when spec.instances has a reader to report the metric.",
			mutate: func(s *AuroraSpec) { s.Autoscaling.Readers.MinCapacity = ptr.To[int64](0) },
		},
		"AutoscalingEmptyIsOff": {
			reason: "autoscaling without readers scales nothing and is valid.",
			mutate: func(s *AuroraSpec) { s.Autoscaling = &Autoscaling{} },
		},
		"EndpointUnknownInstance": {
			reason: "An endpoint names instances of spec.instances only: removing an instance an endpoint names is refused here.",
			mutate: func(s *AuroraSpec) { s.Instances = s.Instances[:2] },
			want:   []string{`spec.customEndpoints[0].instances[0]: Invalid value: "reports": is not an instance of spec.instances (writer, reader-a): an endpoint names instances the XR composes; to remove an instance, first remove it from this endpoint`},
		},
		"EndpointDuplicateName": {
			reason: "Two endpoints of one name would share an identifier.",
			mutate: func(s *AuroraSpec) { s.CustomEndpoints = append(s.CustomEndpoints, s.CustomEndpoints[0]) },
			want:   []string{`spec.customEndpoints[1].name: Duplicate value: "analytics"`},
		},
		"EndpointBadName": {
			reason: "An endpoint identifier starts with a letter and has no double hyphen; the name is at most 12 characters.",
			mutate: func(s *AuroraSpec) {
				s.CustomEndpoints[0].Name = "1st"
				s.CustomEndpoints = append(s.CustomEndpoints, CustomEndpoint{Name: "a--b", Type: customEndpointAny, Instances: []string{"writer"}}, CustomEndpoint{Name: "much-too-long-name", Type: customEndpointAny, Instances: []string{"writer"}})
			},
			want: []string{
				`spec.customEndpoints[0].name: Invalid value: "1st": must be at most 12 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
				`spec.customEndpoints[1].name: Invalid value: "a--b": must be at most 12 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
				`spec.customEndpoints[2].name: Invalid value: "much-too-long-name": must be at most 12 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
			},
		},
		"EndpointIdentifierTooLong": {
			reason: "An adopted cluster's identifier may leave no room for the name within 63 characters.",
			mutate: func(s *AuroraSpec) {
				s.Adopt = &Adopt{ClusterIdentifier: "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"}
				s.Instances = []Instance{{Name: "w", InstanceClass: "db.r6g.large"}}
				s.CustomEndpoints = []CustomEndpoint{{Name: "analytics", Type: customEndpointAny, Instances: []string{"w"}}}
			},
			want: []string{`spec.customEndpoints[0].name: Invalid value: "analytics": makes endpoint identifier "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij-analytics" longer than 63 characters: choose a shorter name`},
		},
		"EndpointEmptyInstancesAndBadType": {
			reason: "An endpoint needs instances and a type AWS knows.",
			mutate: func(s *AuroraSpec) { s.CustomEndpoints[0] = CustomEndpoint{Name: "analytics", Type: "WRITER"} },
			want: []string{
				`spec.customEndpoints[0].type: Unsupported value: "WRITER": supported values: "READER", "ANY"`,
				`spec.customEndpoints[0].instances: Required value: the names of the instances of spec.instances the endpoint balances over`,
			},
		},
		"EndpointReaderWithWriter": {
			reason: "A READER endpoint balances over Aurora Replicas only.",
			mutate: func(s *AuroraSpec) { s.CustomEndpoints[0].Instances = []string{"writer", "reports", "reports"} },
			want: []string{
				`spec.customEndpoints[0].instances[0]: Invalid value: "writer": is the writer: a READER endpoint balances over Aurora Replicas only; use type ANY to include the writer`,
				`spec.customEndpoints[0].instances[2]: Duplicate value: "reports"`,
			},
		},
		"TooManyEndpoints": {
			reason: "An Aurora cluster has at most five custom endpoints.",
			mutate: func(s *AuroraSpec) {
				for _, n := range []string{"b", "c", "d", "e", "f"} {
					s.CustomEndpoints = append(s.CustomEndpoints, CustomEndpoint{Name: n, Type: customEndpointAny, Instances: []string{"writer"}})
				}
			},
			want: []string{`spec.customEndpoints: Too many: 6: must have at most 5 items`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := capacityTestSpec()
			if tc.mutate != nil {
				tc.mutate(s)
			}
			withDefaults(s)
			got := errorMessages(append(validateAutoscaling(field.NewPath("spec"), s), validateCustomEndpoints(field.NewPath("spec"), s, clusterIdentifier(namespacedTestMeta, s))...))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\nvalidate: -want, +got:\n%s", tc.reason, diff)
			}
			// validate reports the same through the whole spec.
			all := errorMessages(validate(namespacedTestMeta, s))
			for _, w := range tc.want {
				found := false
				for _, a := range all {
					found = found || a == w
				}
				if !found {
					t.Errorf("\n%s\nvalidate does not report %q: %v", tc.reason, w, all)
				}
			}
		})
	}
}

// TestXRDCapacityRules runs both XRDs' CEL rules on the capacity fields: the
// API server refuses at admission what validateAutoscaling and
// validateCustomEndpoints refuse, where CEL can say it.
func TestXRDCapacityRules(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"spec": map[string]any{
			"region":  "us-east-1",
			"network": map[string]any{"vpcId": "vpc-0123456789abcdef0", "subnetIds": []any{"subnet-01", "subnet-02"}},
			"instances": []any{
				map[string]any{"name": "writer", "instanceClass": "db.r6g.large"},
				map[string]any{"instanceClass": "db.r6g.large"},
			},
		}}
	}
	endpoint := func(typ string, instances ...any) map[string]any {
		return setSpec(base(), "customEndpoints", []any{map[string]any{"name": "analytics", "type": typ, "instances": instances}})
	}
	// NOTE: setSpec copies through structpb, which makes numbers float64;
	// the autoscaling integers are set last, as the API server decodes them.
	readers := func(r map[string]any) map[string]any {
		return setSpec(base(), "autoscaling", map[string]any{"readers": r})
	}
	cases := map[string]struct {
		reason string
		obj    map[string]any
		// want are substrings, one per expected error.
		want []string
	}{
		"Valid": {
			reason: "An ANY endpoint over the named writer and the unnamed second instance, and autoscaling on CPU, pass.",
			obj:    setSpec(endpoint("ANY", "writer", "2"), "autoscaling", map[string]any{"readers": map[string]any{"minCapacity": 0, "maxCapacity": 3, "targetCpuPercent": 60}}),
		},
		"UnknownInstance": {
			reason: "An endpoint names instances of spec.instances only.",
			obj:    endpoint("ANY", "reports"),
			want:   []string{"spec.customEndpoints[].instances must name instances of spec.instances"},
		},
		"PositionOutOfRange": {
			reason: "A position past the list names nothing.",
			obj:    endpoint("ANY", "3"),
			want:   []string{"spec.customEndpoints[].instances must name instances of spec.instances"},
		},
		"PositionOfNamedInstance": {
			reason: "A named instance is known by its name, not its position.",
			obj:    endpoint("ANY", "1"),
			want:   []string{"spec.customEndpoints[].instances must name instances of spec.instances"},
		},
		"ReaderWithWriter": {
			reason: "A READER endpoint balances over Aurora Replicas only.",
			obj:    endpoint("READER", "writer"),
			want:   []string{"a READER custom endpoint cannot name the writer"},
		},
		"MinAboveMax": {
			reason: "minCapacity above maxCapacity is refused.",
			obj:    readers(map[string]any{"minCapacity": 4, "maxCapacity": 3, "targetCpuPercent": 60}),
			want:   []string{"minCapacity must not exceed maxCapacity"},
		},
		"BothTargets": {
			reason: "Exactly one metric.",
			obj:    readers(map[string]any{"minCapacity": 1, "maxCapacity": 3, "targetCpuPercent": 60, "targetConnections": 100}),
			want:   []string{"exactly one of targetCpuPercent and targetConnections"},
		},
		"FromZeroWithoutReaders": {
			reason: "From 0 with no composed reader nothing reports the readers' metric.",
			obj:    setSpec(setSpec(base(), "instances", []any{map[string]any{"instanceClass": "db.r6g.large"}}), "autoscaling", map[string]any{"readers": map[string]any{"minCapacity": 0, "maxCapacity": 3, "targetCpuPercent": 60}}),
			want:   []string{"minCapacity 0 needs a reader in spec.instances"},
		},
	}
	for _, xrd := range []string{"apis/namespaced/definition.yaml", "apis/legacy/definition.yaml"} {
		s, v := xrdStructural(t, xrd)
		for name, tc := range cases {
			t.Run(xrd+"/"+name, func(t *testing.T) {
				got := celValidate(s, v, tc.obj, nil)
				if len(got) != len(tc.want) {
					t.Fatalf("\n%s\nwant %d errors %q, got %q", tc.reason, len(tc.want), tc.want, got)
				}
				for i, w := range tc.want {
					if !strings.Contains(got[i], w) {
						t.Errorf("\n%s\nerror %d: want %q in %q", tc.reason, i, w, got[i])
					}
				}
			})
		}
	}
}

// TestComposeCapacity checks the capacity gates: the scalable target waits
// for the cluster and its writer, the policy for the target, an endpoint
// for the cluster and its members; each stays once it exists, and turning a
// feature off leaves its resources out.
func TestComposeCapacity(t *testing.T) {
	ready := func(names ...resource.Name) observed {
		o := observed{}
		for _, n := range names {
			o[n] = mustStruct(map[string]any{"apiVersion": "v1beta1", "kind": "X", "status": map[string]any{"conditions": []any{
				map[string]any{"type": "Ready", "status": "True"},
				map[string]any{"type": "Synced", "status": "True"},
			}}})
		}
		return o
	}
	exists := func(o observed, names ...resource.Name) observed {
		for _, n := range names {
			o[n] = mustStruct(map[string]any{"apiVersion": "v1beta1", "kind": "X"})
		}
		return o
	}
	writer, reports := nameInstance("writer"), nameInstance("reports")
	target, policy, analytics := nameReaderScalingTarget, nameReaderScalingPolicy, nameCustomEndpoint("analytics")
	cases := map[string]struct {
		reason string
		mutate func(s *AuroraSpec)
		o      observed
		// clusterComposed says whether compose already added the cluster.
		clusterComposed bool
		want            []resource.Name
		wantWaiting     []string
	}{
		"NoCluster": {
			reason: "Before the cluster is composed nothing waits and nothing is composed.",
			o:      observed{},
		},
		"ClusterNotReady": {
			reason:          "The cluster is composed but not Ready: target and endpoint wait, saying so.",
			o:               exists(observed{}, nameCluster),
			clusterComposed: true,
			wantWaiting:     []string{"WaitingForWriter", "WaitingForInstances"},
		},
		"WriterReady": {
			reason:          "Cluster and writer Ready: the target, not yet its policy; the endpoint waits for its reader.",
			o:               ready(nameCluster, writer),
			clusterComposed: true,
			want:            []resource.Name{target},
			wantWaiting:     []string{"WaitingForInstances"},
		},
		"AllReady": {
			reason:          "Target Ready: the policy; members Ready: the endpoint.",
			o:               ready(nameCluster, writer, reports, target),
			clusterComposed: true,
			want:            []resource.Name{target, policy, analytics},
		},
		"ExistingStayWhileClusterUnready": {
			reason:          "What exists stays composed when the cluster stops being Ready (a resource left out is deleted).",
			o:               exists(observed{}, nameCluster, target, policy, analytics),
			clusterComposed: true,
			want:            []resource.Name{target, policy, analytics},
		},
		"TurnedOff": {
			reason:          "Without spec.autoscaling.readers and spec.customEndpoints their resources leave the desired state.",
			mutate:          func(s *AuroraSpec) { s.Autoscaling, s.CustomEndpoints = nil, nil },
			o:               ready(nameCluster, writer, reports, target, policy, analytics),
			clusterComposed: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := capacityTestSpec()
			if tc.mutate != nil {
				tc.mutate(s)
			}
			withDefaults(s)
			p := newPlan(namespacedTestMeta, s, &v1beta1.Input{}, testAccount, tc.o)
			d := &desired{}
			if tc.clusterComposed {
				d.add(nameCluster, nil)
			}
			p.composeReaderAutoscaling(d, tc.o)
			p.composeCustomEndpoints(d, tc.o)
			got := []resource.Name{}
			for _, n := range d.order {
				if n != nameCluster {
					got = append(got, n)
				}
			}
			waiting := []string{}
			for _, w := range d.waiting {
				waiting = append(waiting, w.Reason)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\ncomposed: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantWaiting, waiting, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\nwaiting: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestCustomEndpointAddresses checks the status keeps an address while the
// endpoint exists but momentarily reports none, and drops one removed from
// the spec.
func TestCustomEndpointAddresses(t *testing.T) {
	const addr = "orders-analytics.cluster-custom-c9akciq32.us-east-1.rds.amazonaws.com"
	withEndpoint := func(at map[string]any) observed {
		return observed{nameCustomEndpoint("analytics"): mustStruct(map[string]any{"apiVersion": "rds.aws.m.upbound.io/v1beta1", "kind": "ClusterEndpoint", "status": map[string]any{"atProvider": at}})}
	}
	cases := map[string]struct {
		reason string
		mutate func(s *AuroraSpec)
		o      observed
		prev   map[string]string
		want   map[string]string
	}{
		"Observed": {
			reason: "The observed endpoint's address, by spec name.",
			o:      withEndpoint(map[string]any{"endpoint": addr}),
			want:   map[string]string{"analytics": addr},
		},
		"MomentarilyMissing": {
			reason: "An existing endpoint without an address keeps the one reported before.",
			o:      withEndpoint(map[string]any{}),
			prev:   map[string]string{"analytics": addr},
			want:   map[string]string{"analytics": addr},
		},
		"Gone": {
			reason: "An endpoint that no longer exists has no address.",
			o:      observed{},
			prev:   map[string]string{"analytics": addr},
		},
		"RemovedFromSpec": {
			reason: "An endpoint removed from the spec leaves the status.",
			mutate: func(s *AuroraSpec) { s.CustomEndpoints = nil },
			o:      withEndpoint(map[string]any{"endpoint": addr}),
			prev:   map[string]string{"analytics": addr},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := capacityTestSpec()
			if tc.mutate != nil {
				tc.mutate(s)
			}
			if diff := cmp.Diff(tc.want, customEndpointAddresses(s, tc.o, tc.prev), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("\n%s\ncustomEndpointAddresses: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// awsAutoscaledReaders is Aurora Auto Scaling having added the replicas ids
// to the cluster: its clusterMembers list them besides the composed
// instances.
func awsAutoscaledReaders(ids ...string) func(string, map[string]any) {
	return func(name string, obj map[string]any) {
		if name != string(nameCluster) {
			return
		}
		at := obj["status"].(map[string]any)["atProvider"].(map[string]any)
		members, _ := at["clusterMembers"].([]any)
		for _, id := range ids {
			members = append(members, id)
		}
		at["clusterMembers"] = members
	}
}

func TestPromotionTier(t *testing.T) {
	spec := func(tier *int64) *AuroraSpec {
		return &AuroraSpec{
			Instances: []Instance{{Name: "writer"}, {Name: "reader-a"}, {Name: "reports", PromotionTier: tier}, {Name: "both"}},
			CustomEndpoints: []CustomEndpoint{
				{Name: "analytics", Type: customEndpointReader, Instances: []string{"reports", "both"}},
				{Name: "mixed-ro", Type: customEndpointAny, Instances: []string{"writer", "both"}},
			},
		}
	}
	cases := map[string]struct {
		reason string
		spec   *AuroraSpec
		i      int
		want   int64
	}{
		"Writer":         {reason: "The writer is tier 0.", spec: spec(nil), i: 0, want: 0},
		"Reader":         {reason: "A reader in no custom endpoint is tier 1.", spec: spec(nil), i: 1, want: 1},
		"ReaderEndpoint": {reason: "A reader only READER endpoints name is the last failover target, tier 15.", spec: spec(nil), i: 2, want: 15},
		"AlsoInAny":      {reason: "A reader an ANY endpoint names too keeps tier 1: the ANY endpoint includes the writer anyway.", spec: spec(nil), i: 3, want: 1},
		"Explicit":       {reason: "An explicit tier wins.", spec: spec(ptr.To[int64](2)), i: 2, want: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, promotionTier(tc.spec, tc.i, tc.spec.Instances[tc.i])); diff != "" {
				t.Errorf("%s\npromotionTier(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
