package main

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/crossplane/function-sdk-go/resource/composed"

	aasv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/appautoscaling/v1beta1"
	cloudwatchv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatch/v1beta1"
	logsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/cloudwatchlogs/v1beta1"
	ec2v1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/ec2/v1beta1"
	iamv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/iam/v1beta1"
	kmsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/kms/v1beta1"
	lambdav1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/lambda/v1beta1"
	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
	smv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/secretsmanager/v1beta1"
	sarv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/serverlessrepo/v1beta1"
	protectionv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/crossplane/protection/v1beta1"
)

// composedKinds are the kinds this function composes, by group version.
var composedKinds = map[schema.GroupVersion][]runtime.Object{
	corev1.SchemeGroupVersion:         {&corev1.Secret{}},
	aasv1beta1.CRDGroupVersion:        {&aasv1beta1.Target{}, &aasv1beta1.Policy{}},
	cloudwatchv1beta1.CRDGroupVersion: {&cloudwatchv1beta1.MetricAlarm{}},
	logsv1beta1.CRDGroupVersion:       {&logsv1beta1.Group{}, &logsv1beta1.MetricFilter{}},
	ec2v1beta1.CRDGroupVersion: {
		&ec2v1beta1.SecurityGroup{}, &ec2v1beta1.SecurityGroupIngressRule{}, &ec2v1beta1.SecurityGroupEgressRule{},
		&ec2v1beta1.VPCEndpoint{}, &ec2v1beta1.VPCEndpointSecurityGroupAssociation{}, &ec2v1beta1.VPCEndpointSubnetAssociation{},
	},
	iamv1beta1.CRDGroupVersion:    {&iamv1beta1.Role{}, &iamv1beta1.RolePolicy{}, &iamv1beta1.RolePolicyAttachment{}},
	kmsv1beta1.CRDGroupVersion:    {&kmsv1beta1.Key{}, &kmsv1beta1.Alias{}},
	lambdav1beta1.CRDGroupVersion: {&lambdav1beta1.Function{}, &lambdav1beta1.Permission{}},
	rdsv1beta1.CRDGroupVersion: {
		&rdsv1beta1.Cluster{}, &rdsv1beta1.ClusterInstance{}, &rdsv1beta1.ClusterParameterGroup{}, &rdsv1beta1.ParameterGroup{},
		&rdsv1beta1.SubnetGroup{}, &rdsv1beta1.EventSubscription{}, &rdsv1beta1.ClusterEndpoint{},
		&rdsv1beta1.Proxy{}, &rdsv1beta1.ProxyDefaultTargetGroup{}, &rdsv1beta1.ProxyTarget{},
	},
	smv1beta1.CRDGroupVersion: {
		&smv1beta1.Secret{}, &smv1beta1.SecretVersion{}, &smv1beta1.SecretPolicy{}, &smv1beta1.SecretRotation{},
	},
	sarv1beta1.CRDGroupVersion:     {&sarv1beta1.CloudFormationStack{}},
	protectionv1beta1.GroupVersion: {&protectionv1beta1.Usage{}},
}

// registerTypes adds the kinds this function composes, and only those, to
// composed.Scheme, once at start-up: composed.From needs it to set each
// object's apiVersion and kind. Adding the providers' whole groups
// (AddToScheme) registers over a thousand kinds and makes the process touch
// their type information: megabytes of RSS for nothing.
func registerTypes() error {
	for gv, objs := range composedKinds {
		composed.Scheme.AddKnownTypes(gv, objs...)
	}
	return nil
}
