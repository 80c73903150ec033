package main

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/function-sdk-go/resource/composed"

	cloudwatchv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/cloudwatch/v1beta1"
	logsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/cloudwatchlogs/v1beta1"
	ec2v1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/ec2/v1beta1"
	iamv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/iam/v1beta1"
	kmsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/kms/v1beta1"
	lambdav1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/lambda/v1beta1"
	rdsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/rds/v1beta1"
	smv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/secretsmanager/v1beta1"
	sarv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/serverlessrepo/v1beta1"
)

// registerTypes adds every composed kind to composed.Scheme, once at
// start-up: composed.From needs it to set each object's apiVersion and kind.
func registerTypes() error {
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme,
		cloudwatchv1beta1.AddToScheme,
		ec2v1beta1.AddToScheme,
		iamv1beta1.AddToScheme,
		kmsv1beta1.AddToScheme,
		lambdav1beta1.AddToScheme,
		logsv1beta1.AddToScheme,
		rdsv1beta1.AddToScheme,
		smv1beta1.AddToScheme,
		sarv1beta1.AddToScheme,
	} {
		if err := add(composed.Scheme); err != nil {
			return err
		}
	}
	return nil
}
