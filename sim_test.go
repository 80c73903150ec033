package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// provider plays the provider's and the API server's part in tests: it turns
// a desired composed resource into what Crossplane would observe once the
// provider created it, with the values AWS returns (IDs, ARNs, endpoints),
// resolved references and Ready/Synced conditions.
type provider struct {
	account     string
	xrName      string
	xrNamespace string
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
	region, _ := xr["spec"].(map[string]any)["region"].(string)
	return provider{account: account, xrName: meta["name"].(string), xrNamespace: ns, partition: partitionOf(region), existing: preExistingAWS}
}

// restoredEngineVersion is the version a restore runs when the function
// asks for none: the backup's, above the minor a bare major would give.
const restoredEngineVersion = "16.9"

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
		"clusterMembers":                   []any{"legacy-orders-instance-1", "legacy-orders-instance-2"},
		"tags":                             map[string]any{"team": "orders", "cost-center": "4711"},
		"tagsAll":                          map[string]any{"team": "orders", "cost-center": "4711"},
	},
	"ClusterInstance/legacy-orders-instance-1": {
		"id": "legacy-orders-instance-1", "arn": "arn:aws:rds:us-east-1:111122223333:db:legacy-orders-instance-1",
		"clusterIdentifier": "legacy-orders", "instanceClass": "db.r6g.large", "writer": true,
		"engine": "aurora-postgresql", "dbSubnetGroupName": "legacy-orders-subnets",
		"publiclyAccessible": true, "promotionTier": float64(1), "autoMinorVersionUpgrade": true,
		"tags": map[string]any{"team": "orders", "owner": "dba"},
	},
	"ClusterInstance/legacy-orders-instance-2": {
		"id": "legacy-orders-instance-2", "arn": "arn:aws:rds:us-east-1:111122223333:db:legacy-orders-instance-2",
		"clusterIdentifier": "legacy-orders", "instanceClass": "db.r6g.large", "writer": false,
		"engine": "aurora-postgresql", "dbSubnetGroupName": "legacy-orders-subnets",
	},
}

// observe returns the observed form of one desired composed resource.
func (pv provider) observe(name string, desired *structpb.Struct) *fnv1.Resource {
	obj := desired.AsMap()
	meta := obj["metadata"].(map[string]any)
	h := shortHash(pv.xrName + "/" + name)
	if _, ok := meta["name"]; !ok {
		meta["name"] = pv.xrName + "-" + h[:5]
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
	kind, _ := obj["kind"].(string)
	if obj["apiVersion"] == "v1" {
		return &fnv1.Resource{Resource: mustStruct(obj)}
	}
	if kind == "Usage" {
		// Crossplane's usage controller: it resolves both selectors and
		// reports the Usage Ready (condition Ready, reason Available).
		spec := obj["spec"].(map[string]any)
		for _, side := range []string{"of", "by"} {
			r := spec[side].(map[string]any)
			sel := r["resourceSelector"].(map[string]any)
			component := sel["matchLabels"].(map[string]any)["aurora-postgres.fn.crossplane.io/component"].(string)
			r["resourceRef"] = map[string]any{"name": pv.xrName + "-" + shortHash(pv.xrName + "/" + component)[:5]}
		}
		obj["status"] = map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		}}
		return &fnv1.Resource{Resource: mustStruct(obj)}
	}
	spec := obj["spec"].(map[string]any)
	fp := spec["forProvider"].(map[string]any)
	region, _ := fp["region"].(string)
	ext, _ := ann["crossplane.io/external-name"].(string)
	if pols, _ := spec["managementPolicies"].([]any); len(pols) == 1 && pols[0] == "Observe" {
		return pv.observeOnly(obj, kind, ext)
	}
	arn := func(service, res string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partitionOf(region), service, region, pv.account, res)
	}
	at := map[string]any{}
	switch kind {
	case "Key":
		id := uuidLike(h)
		ext = id
		at["arn"], at["keyId"], at["id"] = arn("kms", "key/"+id), id, id
	case "Alias":
		at["arn"], at["id"] = arn("kms", ext), ext
	case "SecurityGroup":
		ext = "sg-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group/"+ext), ext
	case "SecurityGroupIngressRule":
		ext = "sgr-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group-rule/"+ext), ext
		fp["securityGroupId"] = "sg-" + shortHash(pv.xrName + "/security-group")[:17]
	case "SubnetGroup":
		at["arn"], at["id"] = arn("rds", "subgrp:"+ext), ext
	case "ClusterParameterGroup":
		at["arn"], at["id"] = arn("rds", "cluster-pg:"+ext), ext
	case "Group":
		at["arn"], at["id"] = arn("logs", "log-group:"+ext), ext
	case "Cluster":
		keyARN := pv.resolveKey(fp)
		at["arn"], at["id"] = arn("rds", "cluster:"+ext), ext
		at["endpoint"] = ext + ".cluster-c9akciq32." + region + ".rds.amazonaws.com"
		at["readerEndpoint"] = ext + ".cluster-ro-c9akciq32." + region + ".rds.amazonaws.com"
		at["port"] = fp["port"]
		at["engineVersionActual"] = fp["engineVersion"]
		// A restore runs the backup's version; a bare major of it asks for
		// no other.
		if v, _ := fp["engineVersion"].(string); (v == "" || v == engineMajor(restoredEngineVersion)) && (fp["snapshotIdentifier"] != nil || fp["restoreToPointInTime"] != nil) {
			at["engineVersionActual"] = restoredEngineVersion
		}
		at["clusterResourceId"] = "cluster-" + strings.ToUpper(h[:26])
		if fp["manageMasterUserPassword"] == true {
			at["masterUserSecret"] = []any{map[string]any{
				"secretArn":    arn("secretsmanager", "secret:rds!cluster-"+uuidLike(h)+"-AbCdEf"),
				"secretStatus": "active",
				"kmsKeyId":     keyARN,
			}}
		}
		if tags, ok := fp["tags"]; ok {
			at["tags"], at["tagsAll"] = tags, tags
		}
		if _, ok := fp["dbSubnetGroupName"]; !ok {
			fp["dbSubnetGroupName"] = ext
		}
		// The selector's group, resolved once; a name the function set
		// explicitly (a major upgrade's new group) stays.
		if _, ok := fp["dbClusterParameterGroupName"]; !ok {
			fp["dbClusterParameterGroupName"] = ext
		}
		fp["vpcSecurityGroupIds"] = []any{"sg-" + shortHash(pv.xrName + "/security-group")[:17]}
	case "Secret":
		ext = arn("secretsmanager", "secret:"+fp["name"].(string)+"-"+h[:6])
		at["arn"], at["id"] = ext, ext
	case "SecretVersion":
		v := uuidLike(h)
		at["versionId"], at["id"], at["arn"] = v, "secret|"+v, "secret-arn"
		at["versionStages"] = []any{"AWSCURRENT"}
	case "SecretPolicy", "SecretRotation":
		at["id"] = "secret-arn"
	case "CloudFormationStack":
		params := fp["parameters"].(map[string]any)
		at["id"] = arn("cloudformation", "stack/serverlessrepo-"+fp["name"].(string)+"/"+uuidLike(h))
		at["outputs"] = map[string]any{"RotationLambdaARN": arn("lambda", "function:"+params["functionName"].(string))}
		ext = at["id"].(string)
	case "Function":
		at["arn"], at["id"] = arn("lambda", "function:"+ext), ext
	case "Permission":
		at["id"] = fp["statementId"]
	case "Role":
		partition := pv.partition
		if partition == "" {
			partition = "aws"
		}
		at["arn"], at["id"] = fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, pv.account, ext), ext
	case "RolePolicy", "RolePolicyAttachment":
		ext = name + "-" + h[:8]
		at["id"] = ext
	case "VPCEndpoint":
		ext = "vpce-" + h[:17]
		at["id"], at["arn"] = ext, arn("ec2", "vpc-endpoint/"+ext)
		at["dnsEntry"] = []any{map[string]any{"dnsName": ext + "-" + h[17:25] + ".secretsmanager." + region + ".vpce.amazonaws.com", "hostedZoneId": "Z7HUB22UULQXV"}}
	case "VPCEndpointSubnetAssociation", "VPCEndpointSecurityGroupAssociation":
		ext = "a-" + h[:17]
		at["id"] = ext
	case "SecurityGroupEgressRule":
		ext = "sgr-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group-rule/"+ext), ext
	case "ClusterInstance":
		at["arn"], at["id"] = arn("rds", "db:"+ext), ext
		at["endpoint"] = ext + ".c9akciq32." + region + ".rds.amazonaws.com"
		at["writer"] = strings.HasSuffix(name, "-1") || strings.HasSuffix(name, "-writer")
	}
	ann["crossplane.io/external-name"] = ext
	obj["status"] = map[string]any{
		"atProvider": at,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": "2026-11-26T12:00:00Z"},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		},
	}
	return &fnv1.Resource{Resource: mustStruct(obj)}
}

// observeOnly is an observe-only MR as the provider reports it: the
// existing resource's observation, or Synced=False because it does not
// exist ("cannot observe external resource: external resource does not
// exist", crossplane-runtime's managed reconciler).
func (pv provider) observeOnly(obj map[string]any, kind, ext string) *fnv1.Resource {
	at, ok := pv.existing[kind+"/"+ext]
	if !ok {
		obj["status"] = map[string]any{"conditions": []any{
			map[string]any{"type": "Synced", "status": "False", "reason": "ReconcileError", "message": "cannot observe external resource: external resource does not exist", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		}}
		return &fnv1.Resource{Resource: mustStruct(obj)}
	}
	obj["status"] = map[string]any{
		"atProvider": at,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": "2026-11-26T12:00:00Z"},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		},
	}
	return &fnv1.Resource{Resource: mustStruct(obj)}
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
		for name, r := range rsp.GetDesired().GetResources() {
			age[name]++
			o := pv.observe(name, r.GetResource())
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
			return sim
		}
		last = cur
	}
	t.Fatal("the function did not converge in 30 calls")
	return sim
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

// resolveKey resolves the cluster's key selectors the way the provider does.
func (pv provider) resolveKey(fp map[string]any) string {
	keyARN, _ := fp["kmsKeyId"].(string)
	if _, ok := fp["kmsKeyIdSelector"]; ok {
		keyARN = fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partitionOf(fp["region"].(string)), fp["region"], pv.account, uuidLike(shortHash(pv.xrName+"/kms-key")))
		fp["kmsKeyId"] = keyARN
	}
	if _, ok := fp["masterUserSecretKmsKeyIdSelector"]; ok {
		fp["masterUserSecretKmsKeyId"] = uuidLike(shortHash(pv.xrName + "/kms-key"))
	}
	return keyARN
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func uuidLike(h string) string {
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func mustStruct(m map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(m)
	if err != nil {
		panic(err)
	}
	return s
}
