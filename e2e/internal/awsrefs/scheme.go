package awsrefs

import (
	_ "unsafe" // for go:linkname, see registerWithResolvers

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	appautoscalingv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/appautoscaling/v1beta1"
	cloudwatchv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/cloudwatch/v1beta1"
	cloudwatchlogsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/cloudwatchlogs/v1beta1"
	ec2v1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/ec2/v1beta1"
	iamv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/iam/v1beta1"
	kmsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/kms/v1beta1"
	lambdav1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/lambda/v1beta1"
	rdsv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/rds/v1beta1"
	secretsmanagerv1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/secretsmanager/v1beta1"
	serverlessrepov1beta1 "github.com/upbound/provider-aws/v2/apis/namespaced/serverlessrepo/v1beta1"
)

// Scheme holds the provider-aws Go types of every group the function
// composes (internal/aws/kinds.txt): what a client.Reader needs to list
// reference targets, and what Typed converts a managed resource to.
var Scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := composedGroups.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// composedGroups registers the groups of internal/aws/kinds.txt.
var composedGroups = runtime.SchemeBuilder{
	appautoscalingv1beta1.SchemeBuilder.AddToScheme,
	cloudwatchv1beta1.SchemeBuilder.AddToScheme,
	cloudwatchlogsv1beta1.SchemeBuilder.AddToScheme,
	ec2v1beta1.SchemeBuilder.AddToScheme,
	iamv1beta1.SchemeBuilder.AddToScheme,
	kmsv1beta1.SchemeBuilder.AddToScheme,
	lambdav1beta1.SchemeBuilder.AddToScheme,
	rdsv1beta1.SchemeBuilder.AddToScheme,
	secretsmanagerv1beta1.SchemeBuilder.AddToScheme,
	serverlessrepov1beta1.SchemeBuilder.AddToScheme,
}

// uncomposedTargets are the kinds, in groups the function composes nothing
// of, that the resolvers of the composed kinds can point at (an alarm's SNS
// topic, a Lambda function's S3 bucket...). A generated resolver looks up
// the Go type of every field's target kind before it looks at the field, so
// each needs a type even though nothing here selects it. They get standIn,
// which no client.Reader knows: should the function ever set a selector of
// one, resolution fails with the kind's name instead of resolving to
// something else. A provider-aws version whose composed kinds reference one
// more such kind fails every resolution naming it, and so make generate
// and TestTableIsCurrent.
var uncomposedTargets = []schema.GroupVersionKind{
	{Group: "autoscaling.aws.m.upbound.io", Version: "v1beta1", Kind: "Policy"},
	{Group: "efs.aws.m.upbound.io", Version: "v1beta1", Kind: "AccessPoint"},
	{Group: "s3.aws.m.upbound.io", Version: "v1beta1", Kind: "Bucket"},
	{Group: "sns.aws.m.upbound.io", Version: "v1beta1", Kind: "Topic"},
	{Group: "sqs.aws.m.upbound.io", Version: "v1beta1", Kind: "Queue"},
	{Group: "vpclattice.aws.m.upbound.io", Version: "v1beta1", Kind: "ResourceConfiguration"},
	{Group: "vpclattice.aws.m.upbound.io", Version: "v1beta1", Kind: "ServiceNetwork"},
}

// standIn is the Go type of the uncomposedTargets: a managed resource (an
// rds SubnetGroup's methods) of a type no client.Reader has registered.
type standIn struct{ rdsv1beta1.SubnetGroup }

// standInList is standIn's list type.
type standInList struct{ rdsv1beta1.SubnetGroupList }

// registerWithResolvers adds kinds to the scheme provider-aws's generated
// resolvers look their reference targets up in
// (internal/apis.GetManagedResource).
//
// NOTE: that scheme is in an internal package of provider-aws, filled only
// by the provider's main packages (cmd/provider/*/zz_main.go call
// BuildScheme at start-up), so a module outside provider-aws can reach it
// only through go:linkname. Without it every ResolveReferences fails with
// "failed to get a new API object of GVK ... from the runtime scheme".
//
//go:linkname registerWithResolvers github.com/upbound/provider-aws/v2/internal/apis.BuildScheme
func registerWithResolvers(sb runtime.SchemeBuilder) error

func init() {
	standIns := func(s *runtime.Scheme) error {
		for _, gvk := range uncomposedTargets {
			s.AddKnownTypeWithName(gvk, &standIn{})
			s.AddKnownTypeWithName(gvk.GroupVersion().WithKind(gvk.Kind+"List"), &standInList{})
		}
		return nil
	}
	if err := registerWithResolvers(append(runtime.SchemeBuilder{standIns}, composedGroups...)); err != nil {
		panic(err)
	}
}
