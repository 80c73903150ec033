module github.com/function-aurora-postgres/function-aurora-postgres/tools/kube

go 1.26

tool (
	k8s.io/kubernetes/cmd/kube-apiserver
	k8s.io/kubernetes/cmd/kube-controller-manager
)

require k8s.io/kubernetes v1.35.6

// k8s.io/kubernetes replaces its staging modules with ./staging/src/...,
// which a dependent module does not see: require each at the release's tag.
require (
	k8s.io/api v0.35.6
	k8s.io/apiextensions-apiserver v0.35.6
	k8s.io/apimachinery v0.35.6
	k8s.io/apiserver v0.35.6
	k8s.io/cli-runtime v0.35.6
	k8s.io/client-go v0.35.6
	k8s.io/cloud-provider v0.35.6
	k8s.io/cluster-bootstrap v0.35.6
	k8s.io/code-generator v0.35.6
	k8s.io/component-base v0.35.6
	k8s.io/component-helpers v0.35.6
	k8s.io/controller-manager v0.35.6
	k8s.io/cri-api v0.35.6
	k8s.io/cri-client v0.35.6
	k8s.io/csi-translation-lib v0.35.6
	k8s.io/dynamic-resource-allocation v0.35.6
	k8s.io/endpointslice v0.35.6
	k8s.io/externaljwt v0.35.5
	k8s.io/kms v0.35.6
	k8s.io/kube-aggregator v0.35.6
	k8s.io/kube-controller-manager v0.35.6
	k8s.io/kube-proxy v0.35.5
	k8s.io/kube-scheduler v0.35.6
	k8s.io/kubectl v0.35.6
	k8s.io/kubelet v0.35.6
	k8s.io/metrics v0.35.6
	k8s.io/mount-utils v0.35.6
	k8s.io/pod-security-admission v0.35.6
	k8s.io/sample-apiserver v0.35.4
)
