package main

import (
	"k8s.io/utils/ptr"

	"github.com/crossplane/function-sdk-go/resource"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// eventTopic is the SNS topic RDS events go to: the first SNS ARN of the
// alarm actions, or empty when there is none.
//
// NOTE: RDS allows 20 event subscriptions per account and region, shared by
// every cluster (RDS quotas: "Event subscriptions"), and a subscription has
// one source type. So a cluster gets one, for the cluster's events, to one
// topic (fan out by subscribing more endpoints to it); the instances' own
// events take a second only when monitoring.alarms.events.instanceEvents
// asks for it.
func eventTopic(m Monitoring) string {
	for _, arn := range m.Alarms.ActionARNs {
		if kind, _, _ := classifyAction(arn); kind == actionSNS {
			return arn
		}
	}
	return ""
}

// Event categories the subscriptions send: what an on-call engineer must
// know about, not routine notifications. A db-instance has no failover of
// its own in Aurora but takes the category; availability reports restarts
// and shutdowns.
var (
	clusterEventCategories  = []string{"failover", "failure", "maintenance"}
	instanceEventCategories = []string{"availability", "failover", "failure", "maintenance"}
)

// namedEventSubscription is one RDS event subscription with its composed
// resource name.
type namedEventSubscription struct {
	name         resource.Name
	subscription *rdsv1beta1.EventSubscription
}

// eventSubscriptions send the cluster's and its instances' failover, failure
// and maintenance events to eventTopic. RDS refuses a subscription to a
// source that does not exist yet, so the caller says whether the cluster
// exists and which instances do (by suffix); no instances, no instance
// subscription: an empty source list would subscribe to every instance in
// the account. None when monitoring.alarms.enabled or .events.enabled is
// false.
func (p *plan) eventSubscriptions(m Monitoring, clusterExists bool, instanceSuffixes []string) []namedEventSubscription {
	topic := eventTopic(m)
	if topic == "" || !*m.Alarms.Enabled || !*m.Alarms.Events.Enabled {
		return nil
	}
	var out []namedEventSubscription
	if clusterExists {
		out = append(out, p.eventSubscription(nameEventSubscriptionCluster, topic, eventSourceCluster, []string{p.clusterID}, clusterEventCategories))
	}
	if len(instanceSuffixes) > 0 && *m.Alarms.Events.InstanceEvents {
		ids := make([]string, 0, len(instanceSuffixes))
		for _, s := range instanceSuffixes {
			ids = append(ids, instanceIdentifier(p.clusterID, s))
		}
		out = append(out, p.eventSubscription(nameEventSubscriptionInstances, topic, eventSourceInstance, ids, instanceEventCategories))
	}
	return out
}

func (p *plan) eventSubscription(name resource.Name, topic, source string, ids, categories []string) namedEventSubscription {
	toPtrs := func(ss []string) []*string {
		out := make([]*string, 0, len(ss))
		for _, s := range ss {
			out = append(out, ptr.To(s))
		}
		return out
	}
	return namedEventSubscription{name: name, subscription: &rdsv1beta1.EventSubscription{
		ObjectMeta: p.objectMeta(name, eventSubscriptionName(p.clusterID, source)),
		Spec: rdsv1beta1.EventSubscriptionSpec{
			ManagedResourceSpec: p.managed(),
			ForProvider: rdsv1beta1.EventSubscriptionParameters{
				Region:          ptr.To(p.region),
				Enabled:         ptr.To(true),
				SnsTopic:        ptr.To(topic),
				SourceType:      ptr.To(source),
				SourceIds:       toPtrs(ids),
				EventCategories: toPtrs(categories),
				Tags:            p.tags(),
			},
		},
	}}
}

// composeMonitoring adds the monitoring resources to d, in order: the
// slow-query metric filter, the alarms, the event subscriptions. Call it
// after the log groups, the cluster and the instances were added. Gates,
// each passed for good once the gated resource exists:
//   - the metric filter waits for the postgresql log group to be composed
//     and Ready (PutMetricFilter fails on a missing group);
//   - the alarms are composed at once;
//   - the event subscriptions wait for the cluster, and for each instance,
//     to be Ready (RDS refuses unknown source identifiers).
//
// monitoring.alarms.enabled false leaves out alarms and subscriptions only.
func (p *plan) composeMonitoring(d *desired, m Monitoring, o observed) {
	logGroup := nameLogGroup(logExportPostgreSQL)
	if _, composed := d.objects[logGroup]; composed && p.slowQueryMetricsOn(m) && (o.ready(logGroup) || o.exists(nameSlowQueryMetricFilter)) {
		d.add(nameSlowQueryMetricFilter, p.slowQueryMetricFilter(m))
	}
	if !*m.Alarms.Enabled {
		return
	}
	for _, a := range p.alarms(m) {
		d.add(a.name, a.alarm)
	}
	subscribed := o.exists(nameEventSubscriptionInstances)
	var instances []string
	for i, in := range p.spec.Instances {
		s := instanceSuffix(i, in)
		if n := nameInstance(s); o.ready(n) || (subscribed && o.exists(n)) {
			instances = append(instances, s)
		}
	}
	for _, s := range p.eventSubscriptions(m, o.ready(nameCluster) || o.exists(nameEventSubscriptionCluster), instances) {
		d.add(s.name, s.subscription)
	}
}
