package main

import (
	"k8s.io/utils/ptr"

	logsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatchlogs/v1beta1"
)

// logGroup is where RDS exports one log. It must exist, with its retention
// and CMK, before the cluster exports to it: otherwise RDS creates it with
// neither and this resource's create conflicts
// (terraform-aws-modules/terraform-aws-rds-aurora#484).
func (p *plan) logGroup(export, kmsKeyARN string) *logsv1beta1.Group {
	fp := logsv1beta1.GroupParameters{
		Region:          ptr.To(p.region),
		RetentionInDays: ptr.To(float64(*p.spec.Logging.RetentionInDays)),
		Tags:            p.tags(),
	}
	if kmsKeyARN != "" {
		fp.KMSKeyID = ptr.To(kmsKeyARN)
	} else {
		fp.KMSKeyIDSelector = selectorFor(nameKMSKey)
	}
	return &logsv1beta1.Group{
		ObjectMeta: p.objectMeta(nameLogGroup(export), logGroupName(p.clusterID, export)),
		Spec: logsv1beta1.GroupSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider:         fp,
		},
	}
}
