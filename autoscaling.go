package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	aasv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/appautoscaling/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Autoscaling is Aurora Auto Scaling (Application Auto Scaling) of the
// cluster's capacity. Only readers scale: Aurora Auto Scaling never adds or
// removes a writer.
type Autoscaling struct {
	Readers *ReaderAutoscaling `json:"readers,omitempty"`
}

// ReaderAutoscaling adds and removes Aurora Replicas to keep one metric of
// the readers at a target: exactly one of TargetCPUPercent and
// TargetConnections.
type ReaderAutoscaling struct {
	MinCapacity             *int64 `json:"minCapacity,omitempty"`
	MaxCapacity             *int64 `json:"maxCapacity,omitempty"`
	TargetCPUPercent        *int64 `json:"targetCpuPercent,omitempty"`
	TargetConnections       *int64 `json:"targetConnections,omitempty"`
	ScaleInCooldownSeconds  *int64 `json:"scaleInCooldownSeconds,omitempty"`
	ScaleOutCooldownSeconds *int64 `json:"scaleOutCooldownSeconds,omitempty"`
}

// What Application Auto Scaling calls an Aurora cluster's reader count and
// the two predefined metrics of its readers ("Amazon Aurora and Application
// Auto Scaling",
// https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-aurora.html).
const (
	autoscalingServiceNamespaceRDS = "rds"
	autoscalingDimensionReplicas   = "rds:cluster:ReadReplicaCount"
	autoscalingMetricCPU           = "RDSReaderAverageCPUUtilization"
	autoscalingMetricConnections   = "RDSReaderAverageDatabaseConnections"
	autoscalingPolicyTargetTrack   = "TargetTrackingScaling"
)

// Limits of reader autoscaling. An Aurora cluster has at most 15 Aurora
// Replicas (Aurora user guide, "Aurora Replicas"), so no scalable target
// goes beyond. Both cooldowns default to Application Auto Scaling's own
// default for Aurora DB clusters, 300 s ("Define cooldown periods",
// https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
// The other bounds are the function's: they refuse settings that cannot
// work well, not settings AWS refuses.
const (
	maxAutoscaledReaders          = 15
	defaultScalingCooldownSeconds = 300
	// An hour: a longer cooldown leaves a spike unanswered.
	maxScalingCooldownSeconds = 3600
	// Connections are per reader; Aurora PostgreSQL allows at most 262143
	// (max_connections).
	maxTargetConnections = 262143
	minTargetCPUPercent  = 10
	maxTargetCPUPercent  = 90
)

// readerAutoscaling is spec.autoscaling.readers, or nil when readers do not
// scale.
func (s *AuroraSpec) readerAutoscaling() *ReaderAutoscaling {
	if s.Autoscaling == nil {
		return nil
	}
	return s.Autoscaling.Readers
}

// withAutoscalingDefaults fills the cooldowns.
func withAutoscalingDefaults(s *AuroraSpec) {
	r := s.readerAutoscaling()
	if r == nil {
		return
	}
	if r.ScaleInCooldownSeconds == nil {
		r.ScaleInCooldownSeconds = ptr.To[int64](defaultScalingCooldownSeconds)
	}
	if r.ScaleOutCooldownSeconds == nil {
		r.ScaleOutCooldownSeconds = ptr.To[int64](defaultScalingCooldownSeconds)
	}
}

// validateAutoscaling checks spec.autoscaling.readers.
func validateAutoscaling(root *field.Path, s *AuroraSpec) field.ErrorList {
	r := s.readerAutoscaling()
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	p := root.Child("autoscaling", "readers")
	switch {
	case r.MinCapacity == nil:
		errs = append(errs, field.Required(p.Child("minCapacity"), "the fewest Aurora Replicas Aurora Auto Scaling keeps, 0 to 15"))
	case *r.MinCapacity < 0 || *r.MinCapacity > maxAutoscaledReaders:
		errs = append(errs, field.Invalid(p.Child("minCapacity"), *r.MinCapacity, fmt.Sprintf("must be between 0 and %d (an Aurora cluster has at most %d Aurora Replicas)", maxAutoscaledReaders, maxAutoscaledReaders)))
	}
	switch {
	case r.MaxCapacity == nil:
		errs = append(errs, field.Required(p.Child("maxCapacity"), "the most Aurora Replicas Aurora Auto Scaling adds up to, 1 to 15"))
	case *r.MaxCapacity < 1 || *r.MaxCapacity > maxAutoscaledReaders:
		errs = append(errs, field.Invalid(p.Child("maxCapacity"), *r.MaxCapacity, fmt.Sprintf("must be between 1 and %d (an Aurora cluster has at most %d Aurora Replicas)", maxAutoscaledReaders, maxAutoscaledReaders)))
	case r.MinCapacity != nil && *r.MinCapacity > *r.MaxCapacity:
		errs = append(errs, field.Invalid(p.Child("minCapacity"), *r.MinCapacity, fmt.Sprintf("must not exceed maxCapacity (%d)", *r.MaxCapacity)))
	}
	// NOTE: the policy tracks a metric of the readers, which a cluster
	// without readers does not report: with minCapacity 0 and no reader in
	// spec.instances, Aurora Auto Scaling never adds the first one ("You
	// have no Aurora Replicas in your DB cluster. Add at least one Aurora
	// Replica for Auto Scaling to start adjusting", Rungutan/sentry-fargate-cf-stack#30;
	// a minCapacity of 1 adds it: awsdocs/amazon-aurora-user-guide#22).
	if r.MinCapacity != nil && *r.MinCapacity == 0 && len(s.Instances) < 2 {
		errs = append(errs, field.Invalid(p.Child("minCapacity"), *r.MinCapacity, "0 with no reader in spec.instances never scales: the policy tracks the readers' metric, which needs a reader; set minCapacity to at least 1 or add a reader"))
	}
	switch {
	case r.TargetCPUPercent == nil && r.TargetConnections == nil:
		errs = append(errs, field.Required(p, "one of targetCpuPercent and targetConnections: the readers' metric to keep at the target"))
	case r.TargetCPUPercent != nil && r.TargetConnections != nil:
		errs = append(errs, field.Forbidden(p.Child("targetConnections"), "set one of targetCpuPercent and targetConnections: a target-tracking policy tracks one metric"))
	case r.TargetCPUPercent != nil && (*r.TargetCPUPercent < minTargetCPUPercent || *r.TargetCPUPercent > maxTargetCPUPercent):
		errs = append(errs, field.Invalid(p.Child("targetCpuPercent"), *r.TargetCPUPercent, fmt.Sprintf("must be between %d and %d: lower scales out for idle readers, higher leaves no headroom while a new reader starts (minutes)", minTargetCPUPercent, maxTargetCPUPercent)))
	case r.TargetConnections != nil && (*r.TargetConnections < 1 || *r.TargetConnections > maxTargetConnections):
		errs = append(errs, field.Invalid(p.Child("targetConnections"), *r.TargetConnections, fmt.Sprintf("must be between 1 and %d connections per reader", maxTargetConnections)))
	}
	for _, c := range []struct {
		name string
		v    *int64
	}{{"scaleInCooldownSeconds", r.ScaleInCooldownSeconds}, {"scaleOutCooldownSeconds", r.ScaleOutCooldownSeconds}} {
		if c.v != nil && (*c.v < 0 || *c.v > maxScalingCooldownSeconds) {
			errs = append(errs, field.Invalid(p.Child(c.name), *c.v, fmt.Sprintf("must be between 0 and %d seconds", maxScalingCooldownSeconds)))
		}
	}
	return errs
}

// readerScalingTarget registers the cluster's reader count with Application
// Auto Scaling. The resource ID names the cluster by its identifier,
// cluster:<identifier> ("Amazon Aurora and Application Auto Scaling").
// Application Auto Scaling assumes its service-linked role
// AWSServiceRoleForApplicationAutoScaling_RDSCluster, created on the first
// registration, so no role is set.
//
// NOTE: the replicas it adds are not composed: Crossplane does not know
// them, and the function never deletes or resizes them. They take the
// writer's instance class and promotion tier 15, and Aurora Auto Scaling
// removes only replicas it created (Aurora user guide, "Amazon Aurora Auto
// Scaling with Aurora Replicas",
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Integrating.AutoScaling.html).
func (p *plan) readerScalingTarget(r *ReaderAutoscaling) *aasv1beta1.Target {
	return &aasv1beta1.Target{
		ObjectMeta: p.objectMeta(nameReaderScalingTarget, ""),
		Spec: aasv1beta1.TargetSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: aasv1beta1.TargetParameters{
				Region:            ptr.To(p.region),
				ServiceNamespace:  ptr.To(autoscalingServiceNamespaceRDS),
				ScalableDimension: ptr.To(autoscalingDimensionReplicas),
				ResourceID:        ptr.To(readerScalingResourceID(p.clusterID)),
				MinCapacity:       ptr.To(float64(*r.MinCapacity)),
				MaxCapacity:       ptr.To(float64(*r.MaxCapacity)),
				Tags:              p.tags(),
			},
		},
	}
}

// readerScalingPolicy is the target-tracking policy on the readers' average
// CPU or connections. It takes the target's service namespace, resource ID
// and dimension through its selectors, so it names nothing the target does
// not.
func (p *plan) readerScalingPolicy(r *ReaderAutoscaling) *aasv1beta1.Policy {
	metric, target := autoscalingMetricCPU, float64(ptr.Deref(r.TargetCPUPercent, 0))
	if r.TargetConnections != nil {
		metric, target = autoscalingMetricConnections, float64(*r.TargetConnections)
	}
	return &aasv1beta1.Policy{
		ObjectMeta: p.objectMeta(nameReaderScalingPolicy, readerScalingPolicyName(p.clusterID)),
		Spec: aasv1beta1.PolicySpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: aasv1beta1.PolicyParameters{
				Region:                    ptr.To(p.region),
				PolicyType:                ptr.To(autoscalingPolicyTargetTrack),
				ServiceNamespaceSelector:  selectorFor(nameReaderScalingTarget),
				ResourceIDSelector:        selectorFor(nameReaderScalingTarget),
				ScalableDimensionSelector: selectorFor(nameReaderScalingTarget),
				TargetTrackingScalingPolicyConfiguration: &aasv1beta1.TargetTrackingScalingPolicyConfigurationParameters{
					PredefinedMetricSpecification: &aasv1beta1.PredefinedMetricSpecificationParameters{
						PredefinedMetricType: ptr.To(metric),
					},
					TargetValue:      ptr.To(target),
					ScaleInCooldown:  ptr.To(float64(*r.ScaleInCooldownSeconds)),
					ScaleOutCooldown: ptr.To(float64(*r.ScaleOutCooldownSeconds)),
					// NOTE: scale-in is what removes the replicas it added.
					DisableScaleIn: ptr.To(false),
				},
			},
		},
	}
}

// composeReaderAutoscaling adds the scalable target once the cluster and its
// writer are Ready, and the policy once the target is: Aurora Auto Scaling
// needs a cluster with a writer and scales only an available cluster
// ("Before you begin", Aurora.Integrating.AutoScaling; a policy added before
// the writer never added a replica: awsdocs/amazon-aurora-user-guide#22), and
// PutScalingPolicy fails for a target that is not registered. Each gate is
// passed for good once its resource exists. Turned off, both drain first
// (drainReaderAutoscaling).
func (p *plan) composeReaderAutoscaling(d *desired, o observed) {
	r := p.spec.readerAutoscaling()
	if r == nil {
		p.drainReaderAutoscaling(d, o)
		return
	}
	writer := nameInstance(instanceSuffix(0, p.spec.Instances[0]))
	switch {
	case o.exists(nameReaderScalingTarget), o.ready(nameCluster) && o.ready(writer):
		d.add(nameReaderScalingTarget, p.readerScalingTarget(r))
	case d.has(nameCluster):
		d.wait("WaitingForWriter", "waiting for rds Cluster %q and its writer instance %q to become ready before registering its readers with Application Auto Scaling", p.clusterID, instanceIdentifier(p.clusterID, instanceSuffix(0, p.spec.Instances[0])))
		return
	default:
		return
	}
	if o.exists(nameReaderScalingPolicy) || o.ready(nameReaderScalingTarget) {
		d.add(nameReaderScalingPolicy, p.readerScalingPolicy(r))
	}
}

// autoscaledReplicaPrefix starts the identifier of every Aurora Replica
// that Aurora Auto Scaling adds (application-autoscaling-<uuid>; RDS event
// RDS-EVENT-0214 quoted in dasmeta/terraform-aws-account,
// modules/account-events-export/README.md).
const autoscaledReplicaPrefix = "application-autoscaling-"

// autoscaledReaders are the observed cluster's members that Aurora Auto
// Scaling added: named application-autoscaling-*, and none of the
// instances the XR composes. status.autoscaledReaders reports them.
func autoscaledReaders(clusterID string, s *AuroraSpec, o observed) []string {
	at, ok := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	if !ok {
		return nil
	}
	composed := map[string]bool{}
	for i, in := range s.Instances {
		composed[instanceIdentifier(clusterID, instanceSuffix(i, in))] = true
	}
	var out []string
	for _, m := range at.ClusterMembers {
		if id := ptr.Deref(m, ""); strings.HasPrefix(id, autoscaledReplicaPrefix) && !composed[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// drainReaderAutoscaling keeps a registered target, scaled to 0..0, and its
// policy as they are, while the cluster still has replicas Aurora Auto
// Scaling added; then both leave the desired state and Crossplane
// deregisters them. Deregistering at once would strand those replicas:
// Aurora Auto Scaling removes only replicas it created
// (Aurora.Integrating.AutoScaling), deregistering leaves them
// (hashicorp/terraform-provider-aws#19536), they bill on, and DeleteDBCluster
// refuses a cluster that still has instances. A range of 0..0 makes
// Application Auto Scaling bring the current capacity inside it, removing
// its own replicas ("it changes the resource's current capacity to a value
// that is inside of this range",
// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html);
// the readers of spec.instances count towards ReadReplicaCount but are not
// Aurora Auto Scaling's to remove.
func (p *plan) drainReaderAutoscaling(d *desired, o observed) {
	if !o.exists(nameReaderScalingTarget) {
		return
	}
	left := autoscaledReaders(p.clusterID, p.spec, o)
	if len(left) == 0 {
		return
	}
	d.add(nameReaderScalingTarget, p.readerScalingTarget(&ReaderAutoscaling{MinCapacity: ptr.To[int64](0), MaxCapacity: ptr.To[int64](0)}))
	// NOTE: spec.autoscaling.readers, which the policy was built from, is
	// gone: the policy stays as it is.
	d.keepObserved(o, nameReaderScalingPolicy)
	d.wait("DrainingAutoscaledReaders", "spec.autoscaling.readers is off: waiting for Aurora Auto Scaling to remove the %d replica(s) it added (%s) before deregistering the scalable target, which stays at 0..0 until then; deleting the XR now leaves the rds Cluster undeletable while they exist", len(left), strings.Join(left, ", "))
}

// autoscaledReadersNote is what the Available condition adds while reader
// autoscaling is on and the cluster has replicas it added: a function
// cannot hold up the XR's deletion, and RDS refuses to delete a cluster
// with instances (capacityDeletionNote).
func autoscaledReadersNote(s *AuroraSpec, st AuroraStatus) string {
	if s.readerAutoscaling() == nil || len(st.AutoscaledReaders) == 0 {
		return ""
	}
	return fmt.Sprintf("%d replica(s) Aurora Auto Scaling added run in the cluster (status.autoscaledReaders): deleting the XR now leaves the rds Cluster undeletable until they are gone; remove spec.autoscaling.readers first, which drains them", len(st.AutoscaledReaders))
}

// capacityDeletionNote is what status.deletion adds for the capacity
// features: the scaling target, its policy and the custom endpoints go at
// once, and the replicas Aurora Auto Scaling added, which Crossplane does
// not know, hold up the cluster's deletion until someone deletes them (RDS:
// "Cluster cannot be deleted, it still contains DB instances",
// hashicorp/terraform-provider-aws#19536). Turning autoscaling off first
// drains them (drainReaderAutoscaling).
func (p *plan) capacityDeletionNote() string {
	var b strings.Builder
	if p.spec.readerAutoscaling() != nil {
		fmt.Fprintf(&b, " The scaling target and policy go at once; the readers Aurora Auto Scaling added are not this XR's and stay, and RDS refuses to delete a cluster with instances: before deleting the XR remove spec.autoscaling.readers and wait until Available no longer says DrainingAutoscaledReaders: the target scales to 0 and removes them first (aws rds describe-db-clusters --db-cluster-identifier %s lists the cluster's members; see docs/capacity.md).", p.clusterID)
	}
	if len(p.spec.CustomEndpoints) > 0 {
		b.WriteString(" The custom endpoints go at once.")
	}
	return b.String()
}
