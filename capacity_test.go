package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
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
