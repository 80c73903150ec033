package main

import (
	"crypto/sha256"
	"encoding/hex"
	"google.golang.org/protobuf/proto"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// provider plays Crossplane's and provider-aws's part in tests: it turns a
// call's desired composed resources into what Crossplane observes once the
// provider created them. For provider-aws it is fakeprovider's model, the
// one the e2e suite plays too: the external names and status.atProvider
// AWS assigns (IDs, ARNs, endpoints), references resolved as the provider's
// generated resolvers resolve them (fakeprovider.References, which the e2e
// module checks against those resolvers), Ready/Synced conditions. For
// Crossplane it names, places and controls each composed resource, and
// plays the usage controller.
type provider struct {
	account     string
	xrName      string
	xrNamespace string
	// xrUID is the XR's UID, in every composed resource's controller
	// reference: selectors with matchControllerRef need it.
	xrUID string
	// partition of the ARNs of global resources (IAM roles); regional
	// ones take their region's.
	partition string
	// existing are resources that exist in "AWS" without this XR, by
	// "<kind>/<external name>", with what the provider observes of them:
	// an observe-only MR of one reports it, of any other reports that it
	// does not exist (crossplane-runtime's managed reconciler).
	existing map[string]map[string]any
}

// forXR is a provider for the XR's account, name and partition.
func forXR(xr map[string]any, account string) provider {
	meta := xr["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	uid, _ := meta["uid"].(string)
	region, _ := xr["spec"].(map[string]any)["region"].(string)
	return provider{account: account, xrName: meta["name"].(string), xrNamespace: ns, xrUID: uid, partition: partitionOf(region), existing: preExistingAWS}
}

// preExistingAWS is what exists in the test account without any XR: the
// cluster "legacy-orders" (made in the console: its own subnet group,
// security group and parameter group, an RDS-managed password, tags of its
// team, no owner tag) with two instances, as the provider observes them.
var preExistingAWS = map[string]map[string]any{
	"Cluster/legacy-orders": {
		"id":                               "legacy-orders",
		"arn":                              "arn:aws:rds:us-east-1:111122223333:cluster:legacy-orders",
		"endpoint":                         "legacy-orders.cluster-c9akciq32.us-east-1.rds.amazonaws.com",
		"readerEndpoint":                   "legacy-orders.cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com",
		"port":                             float64(5432),
		"engine":                           "aurora-postgresql",
		"engineMode":                       "provisioned",
		"engineVersion":                    "16.4",
		"engineVersionActual":              "16.4",
		"databaseName":                     "orders",
		"masterUsername":                   "postgres",
		"storageEncrypted":                 true,
		"kmsKeyId":                         "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9",
		"manageMasterUserPassword":         true,
		"masterUserSecret":                 []any{map[string]any{"secretArn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds!cluster-0b1c2d3e-AbCdEf", "secretStatus": "active"}},
		"dbSubnetGroupName":                "legacy-orders-subnets",
		"dbClusterParameterGroupName":      "default.aurora-postgresql16",
		"vpcSecurityGroupIds":              []any{"sg-0legacy0orders0001"},
		"deletionProtection":               true,
		"backupRetentionPeriod":            float64(14),
		"preferredBackupWindow":            "03:00-03:30",
		"preferredMaintenanceWindow":       "sat:22:00-sat:22:30",
		"networkType":                      "DUAL",
		"enabledCloudwatchLogsExports":     []any{"postgresql"},
		"iamDatabaseAuthenticationEnabled": false,
		"storageType":                      "aurora-iopt1",
		"clusterMembers":                   []any{"legacy-orders-instance-1", "legacy-orders-instance-2"},
		"tags":                             map[string]any{"team": "orders", "cost-center": "4711"},
		"tagsAll":                          map[string]any{"team": "orders", "cost-center": "4711"},
	},
	"ClusterInstance/legacy-orders-instance-1": {
		"id": "legacy-orders-instance-1", "arn": "arn:aws:rds:us-east-1:111122223333:db:legacy-orders-instance-1",
		"clusterIdentifier": "legacy-orders", "instanceClass": "db.r6g.large", "writer": true,
		"engine": "aurora-postgresql", "dbSubnetGroupName": "legacy-orders-subnets",
		"publiclyAccessible": true, "promotionTier": float64(1), "autoMinorVersionUpgrade": true,
		"caCertIdentifier": "rds-ca-rsa4096-g1",
		"tags":             map[string]any{"team": "orders", "owner": "dba"},
	},
	"ClusterInstance/legacy-orders-instance-2": {
		"id": "legacy-orders-instance-2", "arn": "arn:aws:rds:us-east-1:111122223333:db:legacy-orders-instance-2",
		"clusterIdentifier": "legacy-orders", "instanceClass": "db.r6g.large", "writer": false,
		"engine": "aurora-postgresql", "dbSubnetGroupName": "legacy-orders-subnets",
		"caCertIdentifier": "rds-ca-2019",
	},
}

// aws is the provider-aws model, in the account.
func (pv provider) aws() fakeprovider.Provider {
	return fakeprovider.Provider{Account: pv.account, Partition: pv.partition, PartitionOf: partitionOf, Existing: pv.existing}
}

// observe returns the observed form of one desired composed resource, as
// observeAll would with nothing else composed.
func (pv provider) observe(name string, desired *structpb.Struct) *fnv1.Resource {
	return pv.observeAll(map[string]*fnv1.Resource{name: {Resource: desired}})[name]
}

// observeAll returns the observed form of a call's desired composed
// resources, all created at once: each managed resource gets its external
// name and atProvider, then its references are resolved among the others
// as the provider resolves them, and it is reported with the resolved
// parameters. One whose references do not resolve is reported Ready=False,
// Synced=False with the resolver's error.
func (pv provider) observeAll(desired map[string]*fnv1.Resource) map[string]*fnv1.Resource {
	objs := make(map[string]map[string]any, len(desired))
	var managed []map[string]any
	for name, r := range desired {
		o := pv.composed(name, r.GetResource())
		objs[name] = o
		if isManagedObject(o) {
			if !fakeprovider.ObserveOnly(o) {
				pv.created(name, o)
			}
			managed = append(managed, o)
		}
	}
	store := fakeprovider.NewStore(managed...)
	out := make(map[string]*fnv1.Resource, len(objs))
	for name, o := range objs {
		switch {
		case o["kind"] == "Usage":
			pv.usageReady(o)
		case isManagedObject(o) && fakeprovider.ObserveOnly(o):
			pv.observeOnly(o)
		case isManagedObject(o):
			spec, err := store.ResolveReferences(o)
			if err != nil {
				o["status"] = map[string]any{"conditions": []any{
					map[string]any{"type": "Ready", "status": "False", "reason": "Creating", "lastTransitionTime": simTime},
					map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": err.Error(), "lastTransitionTime": simTime},
				}}
				break
			}
			o["spec"] = spec
			pv.created(name, o)
		}
		out[name] = &fnv1.Resource{Resource: mustStruct(o)}
	}
	return out
}

// simTime is when everything in a simulation happens.
const simTime = "2026-11-26T12:00:00Z"

// isManagedObject reports whether obj is a provider-aws managed resource.
func isManagedObject(obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	return strings.Contains(apiVersion, ".aws.m.upbound.io/")
}

// composed is a desired composed resource as Crossplane creates it: named
// after the XR, in its namespace, controlled by it.
func (pv provider) composed(name string, desired *structpb.Struct) map[string]any {
	obj := desired.AsMap()
	meta := obj["metadata"].(map[string]any)
	if _, ok := meta["name"]; !ok {
		meta["name"] = pv.xrName + "-" + shortHash(pv.xrName + "/" + name)[:5]
	}
	if _, ok := meta["namespace"]; !ok && pv.xrNamespace != "" {
		meta["namespace"] = pv.xrNamespace
	}
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	ann["crossplane.io/composition-resource-name"] = name
	uid := pv.xrUID
	if uid == "" {
		uid = pv.xrName
	}
	meta["ownerReferences"] = []any{map[string]any{
		"apiVersion": "aws.platform.example.org/v1alpha1", "kind": "XAuroraCluster", "name": pv.xrName, "uid": uid,
		"controller": true, "blockOwnerDeletion": true,
	}}
	return obj
}

// created records what the provider reports for a managed resource it
// created: its external name, atProvider, Ready and Synced.
func (pv provider) created(name string, obj map[string]any) {
	ext, at := pv.aws().Created(obj, pv.xrName+"/"+name)
	obj["metadata"].(map[string]any)["annotations"].(map[string]any)["crossplane.io/external-name"] = ext
	obj["status"] = map[string]any{
		"atProvider": at,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": simTime},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": simTime},
		},
	}
}

// observeOnly records what the provider reports for an observe-only
// managed resource, which it resolves no reference of: the existing
// resource's observation, or Synced=False because it does not exist
// ("cannot observe external resource: external resource does not exist",
// crossplane-runtime's managed reconciler).
func (pv provider) observeOnly(obj map[string]any) {
	at, ok := pv.aws().Observed(obj)
	if !ok {
		obj["status"] = map[string]any{"conditions": []any{
			map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": fakeprovider.MessageNotExist, "lastTransitionTime": simTime},
		}}
		return
	}
	obj["status"] = map[string]any{
		"atProvider": at,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": simTime},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": simTime},
		},
	}
}

// usageReady is Crossplane's usage controller: it resolves both selectors
// and reports the Usage Ready (condition Ready, reason Available).
func (pv provider) usageReady(obj map[string]any) {
	spec := obj["spec"].(map[string]any)
	for _, side := range []string{"of", "by"} {
		r := spec[side].(map[string]any)
		sel := r["resourceSelector"].(map[string]any)
		component := sel["matchLabels"].(map[string]any)[labelComponent].(string)
		r["resourceRef"] = map[string]any{"name": pv.xrName + "-" + shortHash(pv.xrName + "/" + component)[:5]}
	}
	obj["status"] = map[string]any{"conditions": []any{
		map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": simTime},
	}}
}

// simulationStep is one call of a simulation: the request, with the
// observed resources that produced the call, and the response.
type simulationStep struct {
	req *fnv1.RunFunctionRequest
	rsp *fnv1.RunFunctionResponse
}

// simulation is a run of the function against the fake provider.
type simulation struct {
	steps []simulationStep
	// observed and xr are what the last call left: the provider's view of
	// its desired resources, and the XR with its status.
	observed map[string]*fnv1.Resource
	xr       map[string]any
	// delayed counts the observations a slow provider held back.
	delayed int
}

// simulate plays Crossplane and the provider until the desired state stops
// changing, and nothing is still being created: each call's desired
// resources are applied and observed as the provider reports them, those
// left out are deleted, and the XR's status is applied. A resource of a
// kind in delay stays Ready=False (being created) for that many calls
// after it is first composed, as AWS takes minutes for an instance. It
// stops at a Fatal result, the last step's.
func simulate(t testing.TB, xr, input map[string]any, delay map[string]int) simulation {
	t.Helper()
	return simulateWith(t, xr, input, simOptions{delay: delay})
}

// simOptions change what a simulation starts from and how AWS behaves.
type simOptions struct {
	delay map[string]int
	// observed is what exists when the simulation starts (an earlier
	// simulation's end); nil for nothing.
	observed map[string]*fnv1.Resource
	// aws, when set, changes each resource as the provider reports it:
	// what AWS did on its own (a minor upgrade in the maintenance
	// window), or has not done yet (a change waiting for the window).
	aws func(name string, obj map[string]any)
}

// simulateWith is simulate with options.
func simulateWith(t testing.TB, xr, input map[string]any, opts simOptions) simulation {
	t.Helper()
	pv := forXR(xr, testAccount)
	sim := simulation{observed: map[string]*fnv1.Resource{}, xr: xr}
	age := map[string]int{}
	for n, r := range opts.observed {
		// AWS's change may predate the XR's change (autoscaled replicas).
		if opts.aws != nil {
			obj := r.GetResource().AsMap()
			opts.aws(n, obj)
			c := proto.Clone(r).(*fnv1.Resource)
			c.Resource = mustStruct(obj)
			r = c
		}
		sim.observed[n] = r
		age[n] = 1 << 20
	}
	var last []byte
	for range 30 {
		req := newRequest(sim.xr, input, sim.observed)
		rsp := run(t, req)
		sim.steps = append(sim.steps, simulationStep{req: req, rsp: rsp})
		if hasFatal(rsp) {
			return sim
		}
		sim.xr = withStatus(sim.xr, rsp.GetDesired().GetComposite().GetResource())
		next := map[string]*fnv1.Resource{}
		creating := 0
		for name, o := range pv.observeAll(rsp.GetDesired().GetResources()) {
			age[name]++
			if opts.aws != nil {
				obj := o.GetResource().AsMap()
				opts.aws(name, obj)
				o = &fnv1.Resource{Resource: mustStruct(obj)}
			}
			if age[name] <= opts.delay[o.GetResource().GetFields()["kind"].GetStringValue()] {
				o = notReadyYet(o)
				creating++
			}
			next[name] = o
		}
		for name := range age {
			if _, ok := next[name]; !ok {
				delete(age, name)
			}
		}
		sim.observed = next
		sim.delayed += creating
		cur, err := protojson.Marshal(&fnv1.State{Resources: rsp.GetDesired().GetResources(), Composite: rsp.GetDesired().GetComposite()})
		if err != nil {
			t.Fatal(err)
		}
		if string(cur) == string(last) && creating == 0 {
			checkReferencesResolved(t, sim.observed)
			return sim
		}
		last = cur
	}
	t.Fatal("the function did not converge in 30 calls")
	return sim
}

// checkReferencesResolved fails the test for every observed managed
// resource the provider could not resolve the references of: converged, the
// function must have composed every reference's target. Observe-only ones
// resolve nothing.
func checkReferencesResolved(t testing.TB, observed map[string]*fnv1.Resource) {
	t.Helper()
	for _, name := range sortedMapKeys(observed) {
		obj := observed[name].GetResource().AsMap()
		if fakeprovider.ObserveOnly(obj) {
			continue
		}
		st, _ := obj["status"].(map[string]any)
		conds, _ := st["conditions"].([]any)
		for _, c := range conds {
			if c := c.(map[string]any); c["type"] == "Synced" && c["status"] != "True" {
				t.Errorf("converged, yet %q is not synced: %v", name, c["message"])
			}
		}
	}
}

// notReadyYet is an observed resource as the provider reports it while AWS
// still creates it: Synced, not yet Ready.
func notReadyYet(r *fnv1.Resource) *fnv1.Resource {
	obj := r.GetResource().AsMap()
	st, _ := obj["status"].(map[string]any)
	if st == nil {
		st = map[string]any{}
		obj["status"] = st
	}
	st["conditions"] = []any{
		map[string]any{"type": "Ready", "status": "False", "reason": "Creating", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": "2026-11-26T12:00:00Z"},
	}
	return &fnv1.Resource{Resource: mustStruct(obj)}
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func uuidLike(h string) string { return fakeprovider.UUIDLike(h) }

func mustStruct(m map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(m)
	if err != nil {
		panic(err)
	}
	return s
}
