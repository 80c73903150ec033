package main

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// desired is the set of composed resources one call wants, in the order they
// were composed, with what the XR still waits for.
type desired struct {
	order   []resource.Name
	objects map[resource.Name]runtime.Object
	// waiting says, in words, which resources are held back and why.
	waiting []waitReason
}

// waitReason is one thing the XR waits for before it can compose the rest.
type waitReason struct {
	Reason  string
	Message string
}

// waitingFor reports whether the XR waits for the given reason.
func (d *desired) waitingFor(reason string) bool {
	for _, w := range d.waiting {
		if w.Reason == reason {
			return true
		}
	}
	return false
}

func (d *desired) add(n resource.Name, o runtime.Object) {
	if d.objects == nil {
		d.objects = map[resource.Name]runtime.Object{}
	}
	d.order = append(d.order, n)
	d.objects[n] = o
}

// keepObserved composes existing resources again as they are, when the
// values their builder needs are momentarily unknown: a resource left out of
// the desired state would be deleted.
func (d *desired) keepObserved(o observed, names ...resource.Name) {
	for _, n := range names {
		s, ok := o[n]
		if !ok {
			continue
		}
		oc := &unstructured.Unstructured{Object: s.AsMap()}
		labels, annotations := oc.GetLabels(), oc.GetAnnotations()
		// NOTE: Crossplane's usage controller owns these; applied back, they
		// would become ours under server-side apply and outlive the Usage.
		delete(labels, labelInUse)
		delete(annotations, annotationDeletionAttempt)
		u := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": oc.GetAPIVersion(),
			"kind":       oc.GetKind(),
			"metadata": map[string]any{
				"labels":      toAny(labels),
				"annotations": toAny(annotations),
			},
			"spec": oc.Object["spec"],
		}}
		d.add(n, u)
	}
}

// has reports whether the named resource is desired.
func (d *desired) has(n resource.Name) bool {
	_, ok := d.objects[n]
	return ok
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (d *desired) wait(reason, format string, a ...any) {
	d.waiting = append(d.waiting, waitReason{Reason: reason, Message: fmt.Sprintf(format, a...)})
}

// compose is the one list of builders and the gates between them. A gate
// holds a resource back until what it depends on is observed; once a
// resource exists it is always composed again, so no failure elsewhere can
// delete it.
func (p *plan) compose(o observed, f facts) *desired {
	d := &desired{}
	s := p.spec

	keyAvailable := s.Encryption.ExistingKMSKeyARN != ""
	if !keyAvailable {
		if p.accountID != "" || o.exists(nameKMSKey) {
			d.add(nameKMSKey, p.kmsKey())
			d.add(nameKMSAlias, p.kmsAlias())
			keyAvailable = true
		} else {
			d.wait("WaitingForAccountID", "waiting to learn the AWS account ID from an observed ARN before creating the KMS key (its policy names the account); give it in spec.accountId, the function input's accountId or the EnvironmentConfig's awsAccountId to skip this wait")
		}
	}

	d.add(nameSubnetGroup, p.subnetGroup())
	d.add(nameSecurityGroup, p.securityGroup())
	for _, c := range s.Network.AllowedCIDRBlocks {
		d.add(nameIngressCIDR(c), p.ingressFromCIDR(c))
	}
	for _, id := range s.Network.AllowedSecurityGroupIDs {
		d.add(nameIngressSecurityGroup(id), p.ingressFromSecurityGroup(id))
	}
	for _, g := range p.engine.groups {
		d.add(g.name, p.clusterParameterGroup(g))
	}
	if p.engine.instanceGroups {
		for _, family := range p.instanceParameterGroupFamilies() {
			d.add(nameInstanceParameterGroup(family), p.instanceParameterGroup(family))
		}
	}

	// NOTE: the log groups must be Ready before the cluster exports to them,
	// or RDS creates them itself (pitfall 9).
	var logsPending []string
	for _, e := range s.Logging.Exports {
		n := nameLogGroup(e)
		if keyAvailable || o.exists(n) {
			d.add(n, p.logGroup(e, s.Encryption.ExistingKMSKeyARN))
		}
		if !o.ready(n) {
			logsPending = append(logsPending, logGroupName(p.clusterID, e))
		}
	}

	p.composeCredentials(d, o, f, keyAvailable)

	b := f.bootstrap
	switch {
	case o.exists(nameCluster):
		d.add(nameCluster, p.cluster(s.Encryption.ExistingKMSKeyARN, b, o))
	case !keyAvailable:
	case len(logsPending) > 0:
		d.wait("WaitingForLogGroups", "waiting for log group(s) %s to become ready before creating the cluster, so RDS exports into groups with retention and encryption", strings.Join(logsPending, ", "))
	case p.selfManaged() && !o.exists(nameBootstrapSecret):
		d.wait("WaitingForBootstrapSecret", "waiting for the bootstrap Secret %q that holds the initial master password before creating the cluster", bootstrapSecretName(p.clusterID))
	default:
		d.add(nameCluster, p.cluster(s.Encryption.ExistingKMSKeyARN, b, o))
	}

	pi := p.insightsFor(o)
	if c, ok := d.objects[nameCluster].(*rdsv1beta1.Cluster); ok {
		pi.cluster(&c.Spec.ForProvider)
	}

	// Instances fail to create until their cluster exists; waiting avoids
	// minutes of provider retries with back-off.
	clusterReady := o.ready(nameCluster)
	held := 0
	for i, in := range s.Instances {
		n := nameInstance(instanceSuffix(i, in))
		if clusterReady || o.exists(n) {
			ci := p.clusterInstance(i, in)
			p.useInstanceParameterGroup(&ci.Spec.ForProvider, o, n)
			pi.instance(&ci.Spec.ForProvider)
			p.instanceEnhancedMonitoring(&ci.Spec.ForProvider, o, n)
			d.add(n, ci)
			continue
		}
		held++
	}
	if _, composed := d.objects[nameCluster]; held > 0 && composed {
		d.wait("WaitingForCluster", "waiting for rds Cluster %q to become ready before creating its %d instance(s)", p.clusterID, held)
	}
	p.composeMonitoringRole(d, o)

	p.composeReaderAutoscaling(d, o)
	p.composeCustomEndpoints(d, o)
	p.composeRotation(d, o, f)
	p.composeMonitoring(d, s.Monitoring, o)
	p.composeProxy(d, o, f)
	if p.selfManaged() && p.rotationEnabled() {
		if a, ok := p.rotationFailureAlarm(s.Monitoring, p.rotatorFunctionName()); ok {
			d.add(a.name, a.alarm)
		}
	}

	if ref := s.WriteConnectionSecretToRef; ref != nil && !p.meta.Legacy {
		n := nameConnectionSecretFor(o, ref.Name)
		switch {
		case o.exists(n), f.status.Endpoint != "":
			d.add(n, p.connectionSecret(n, ref.Name, f.status))
		case o.exists(nameCluster):
			d.wait("WaitingForEndpoint", "waiting for the cluster endpoint before writing connection secret %q", ref.Name)
		}
	}
	p.composeUsages(d, o)
	return d
}

// kindOf names a composed resource's kind for messages, e.g. "rds Cluster".
func kindOf(o runtime.Object) string {
	gvk := o.GetObjectKind().GroupVersionKind()
	group, _, _ := strings.Cut(gvk.Group, ".")
	if group == "" {
		return gvk.Kind
	}
	return group + " " + gvk.Kind
}
