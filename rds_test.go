package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

func TestClusterBuilder(t *testing.T) {
	const keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	type want struct {
		kmsKeyID, secretKMSKeyID, finalSnapshotID *string
		keySelected, skipFinalSnapshot            bool
		scaling                                   *rdsv1beta1.Serverlessv2ScalingConfigurationParameters
	}
	cases := map[string]struct {
		reason string
		mutate func(*AuroraSpec)
		keyARN string
		want   want
	}{
		"NewKey": {
			reason: "A new CMK is referenced by selector for storage and the master secret.",
			want:   want{keySelected: true, finalSnapshotID: ptr.To(finalSnapshotIdentifier("ns-db", "uid-1"))},
		},
		"ExistingKey": {
			reason: "An existing key ARN is set directly, for storage and the master secret.",
			mutate: func(s *AuroraSpec) { s.Encryption.ExistingKMSKeyARN = keyARN },
			keyARN: keyARN,
			want:   want{kmsKeyID: ptr.To(keyARN), secretKMSKeyID: ptr.To(keyARN), finalSnapshotID: ptr.To(finalSnapshotIdentifier("ns-db", "uid-1"))},
		},
		"NoFinalSnapshot": {
			reason: "Without a final snapshot there is no identifier, and skipFinalSnapshot says so.",
			mutate: func(s *AuroraSpec) { s.FinalSnapshot = ptr.To(false) },
			want:   want{keySelected: true, skipFinalSnapshot: true},
		},
		"ServerlessV2": {
			reason: "The scaling range is the namespaced kind's object, auto-pause included.",
			mutate: func(s *AuroraSpec) {
				s.Instances = []Instance{{InstanceClass: instanceClassServerless}}
				s.ServerlessV2 = &ServerlessV2{MinCapacity: 0, MaxCapacity: 8, SecondsUntilAutoPause: ptr.To[int64](900)}
			},
			want: want{keySelected: true, finalSnapshotID: ptr.To(finalSnapshotIdentifier("ns-db", "uid-1")),
				scaling: &rdsv1beta1.Serverlessv2ScalingConfigurationParameters{MinCapacity: ptr.To(0.0), MaxCapacity: ptr.To(8.0), SecondsUntilAutoPause: ptr.To(900.0)}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fp := testPlan(t, tc.mutate).cluster(tc.keyARN, bootstrap{}, nil).Spec.ForProvider
			got := want{
				kmsKeyID:          fp.KMSKeyID,
				secretKMSKeyID:    fp.MasterUserSecretKMSKeyID,
				finalSnapshotID:   fp.FinalSnapshotIdentifier,
				keySelected:       fp.KMSKeyIDSelector != nil && fp.MasterUserSecretKMSKeyIDSelector != nil,
				skipFinalSnapshot: *fp.SkipFinalSnapshot,
				scaling:           fp.Serverlessv2ScalingConfiguration,
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\ncluster(): -want, +got:\n%s", tc.reason, diff)
			}
			// Fields that must never be set on an Aurora cluster (pitfalls 11, 13).
			if fp.DBClusterInstanceClass != nil || fp.AllocatedStorage != nil || fp.Iops != nil || fp.ClusterMembers != nil {
				t.Errorf("%s\ncluster() set a Multi-AZ DB cluster field or clusterMembers", tc.reason)
			}
			if !*fp.StorageEncrypted || !*fp.ManageMasterUserPassword || *fp.Engine != engineAuroraPostgreSQL {
				t.Errorf("%s\ncluster() must be encrypted aurora-postgresql with an RDS-managed password", tc.reason)
			}
		})
	}
}

func TestClusterInstanceBuilder(t *testing.T) {
	p := testPlan(t, func(s *AuroraSpec) {
		s.Instances = []Instance{
			{InstanceClass: "db.r6g.large"},
			{InstanceClass: "db.r6g.large"},
			{Name: "analytics", InstanceClass: "db.r6g.xlarge", PromotionTier: ptr.To[int64](15), AvailabilityZone: "us-east-1b"},
		}
	})
	type got struct {
		External, Class, AZ string
		Tier                float64
		EngineVersionSet    bool
	}
	var gots []got
	for i, in := range p.spec.Instances {
		ci := p.clusterInstance(i, in)
		gots = append(gots, got{
			External:         ci.GetAnnotations()[annotationExternalName],
			Class:            *ci.Spec.ForProvider.InstanceClass,
			AZ:               ptr.Deref(ci.Spec.ForProvider.AvailabilityZone, ""),
			Tier:             *ci.Spec.ForProvider.PromotionTier,
			EngineVersionSet: ci.Spec.ForProvider.EngineVersion != nil,
		})
	}
	want := []got{
		{External: "ns-db-1", Class: "db.r6g.large", Tier: 0},
		{External: "ns-db-2", Class: "db.r6g.large", Tier: 1},
		{External: "ns-db-analytics", Class: "db.r6g.xlarge", AZ: "us-east-1b", Tier: 15},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("clusterInstance(): writer tier 0, readers 1 unless set, no engineVersion (provider-upjet-aws#1326): -want, +got:\n%s", diff)
	}
}

func TestClusterParameterGroupBuilder(t *testing.T) {
	cases := map[string]struct {
		reason     string
		version    string
		threshold  int64
		wantFamily string
		wantParams []rdsv1beta1.ClusterParameterGroupParameterParameters
	}{
		"Sixteen": {
			reason:     "The family follows the engine major; every parameter carries applyMethod (provider-upjet-aws#1286).",
			version:    "16.6",
			threshold:  250,
			wantFamily: "aurora-postgresql16",
			wantParams: []rdsv1beta1.ClusterParameterGroupParameterParameters{
				{Name: ptr.To("log_min_duration_statement"), Value: ptr.To("250"), ApplyMethod: ptr.To("immediate")},
				{Name: ptr.To("rds.force_ssl"), Value: ptr.To("1"), ApplyMethod: ptr.To("immediate")},
			},
		},
		"ThirteenSlowLogOff": {
			reason:     "-1 turns the slow-query log off.",
			version:    "13.20",
			threshold:  -1,
			wantFamily: "aurora-postgresql13",
			wantParams: []rdsv1beta1.ClusterParameterGroupParameterParameters{
				{Name: ptr.To("log_min_duration_statement"), Value: ptr.To("-1"), ApplyMethod: ptr.To("immediate")},
				{Name: ptr.To("rds.force_ssl"), Value: ptr.To("1"), ApplyMethod: ptr.To("immediate")},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, func(s *AuroraSpec) {
				s.EngineVersion = tc.version
				s.Logging.SlowQueryThresholdMs = ptr.To(tc.threshold)
			})
			fp := p.clusterParameterGroup(p.engine.groups[0]).Spec.ForProvider
			if diff := cmp.Diff(tc.wantFamily, *fp.Family); diff != "" {
				t.Errorf("%s\nfamily: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantParams, fp.Parameter); diff != "" {
				t.Errorf("%s\nparameters: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
