package fakeprovider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// annotationExternalName is where a managed resource records the ID of its
// external resource.
const annotationExternalName = "crossplane.io/external-name"

// Provider is provider-aws acting in one AWS account.
type Provider struct {
	// Account is the AWS account the provider acts in: the ARNs it reports
	// name it.
	Account string
	// Partition is the partition of global resources' ARNs (IAM roles);
	// regional ones take their region's. Empty is "aws".
	Partition string
	// PartitionOf is the partition of a region, for regional ARNs; nil
	// for "aws" everywhere.
	PartitionOf func(region string) string
	// Existing are the external resources that exist in the account
	// without a managed resource that created them, by "<kind>/<external
	// name>", with what the provider observes of them (atProvider):
	// observe-only managed resources report them (Observed).
	Existing map[string]map[string]any
}

// Created is what the provider reports once it created the external
// resource of a managed resource, given as its JSON object with its
// references resolved: the external name it records in the
// crossplane.io/external-name annotation (the ID AWS assigns, such as a
// key's or a security group's, or else the name the object asked for) and
// status.atProvider (the parameters, which upjet mirrors, with the values
// AWS assigns: IDs, ARNs in the object's region, endpoints, secret ARNs,
// stack outputs, VPC endpoint DNS names, secret version IDs, the engine
// version a cluster runs, tags in tagsAll). Assigned values derive from
// seed, so a run is reproducible.
func (p Provider) Created(obj map[string]any, seed string) (string, map[string]any) {
	spec, _ := obj["spec"].(map[string]any)
	fp, _ := spec["forProvider"].(map[string]any)
	at, _ := withoutReferences(fp).(map[string]any)
	if at == nil {
		at = map[string]any{}
	}
	if tags, ok := at["tags"]; ok {
		// No default tags in the ProviderConfig: tagsAll is the tags.
		at["tagsAll"] = tags
	}
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	ext, _ := ann[annotationExternalName].(string)
	if ext == "" {
		ext, _ = meta["name"].(string)
	}
	region, _ := fp["region"].(string)
	partition := "aws"
	if p.PartitionOf != nil {
		partition = p.PartitionOf(region)
	}
	h := hash(seed)
	arn := func(service, res string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition, service, region, p.Account, res)
	}
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	group, _, _ := strings.Cut(apiVersion, ".")
	switch group + "/" + kind {
	case "kms/Key":
		ext = UUIDLike(h)
		at["arn"], at["keyId"], at["id"] = arn("kms", "key/"+ext), ext, ext
	case "kms/Alias":
		at["arn"], at["id"] = arn("kms", ext), ext
	case "ec2/SecurityGroup":
		ext = "sg-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group/"+ext), ext
	case "ec2/SecurityGroupIngressRule", "ec2/SecurityGroupEgressRule":
		ext = "sgr-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group-rule/"+ext), ext
	case "ec2/VPCEndpoint":
		ext = "vpce-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "vpc-endpoint/"+ext), ext
		at["dnsEntry"] = []any{map[string]any{
			"dnsName":      ext + "-" + h[17:25] + ".secretsmanager." + region + ".vpce.amazonaws.com",
			"hostedZoneId": "Z7HUB22UULQXV",
		}}
	case "ec2/VPCEndpointSubnetAssociation", "ec2/VPCEndpointSecurityGroupAssociation":
		ext = "a-" + h[:17]
		at["id"] = ext
	case "rds/SubnetGroup":
		at["arn"], at["id"] = arn("rds", "subgrp:"+ext), ext
	case "rds/ClusterParameterGroup":
		at["arn"], at["id"] = arn("rds", "cluster-pg:"+ext), ext
	case "rds/ParameterGroup":
		at["arn"], at["id"] = arn("rds", "pg:"+ext), ext
	case "rds/Cluster":
		at["arn"], at["id"] = arn("rds", "cluster:"+ext), ext
		at["endpoint"] = ext + ".cluster-c9akciq32." + region + ".rds.amazonaws.com"
		at["readerEndpoint"] = ext + ".cluster-ro-c9akciq32." + region + ".rds.amazonaws.com"
		if v, ok := fp["engineVersion"].(string); ok {
			at["engineVersionActual"] = EngineVersion(v)
		}
		if fp["snapshotIdentifier"] != nil || fp["restoreToPointInTime"] != nil {
			// A restore runs the backup's version unless it asks for a later one.
			v, _ := fp["engineVersion"].(string)
			at["engineVersionActual"] = RestoredVersion(v)
		}
		at["clusterResourceId"] = "cluster-" + strings.ToUpper(h[:26])
		// RDS reports Aurora Standard as "", whether it was asked for
		// "aurora" or nothing (terraform-provider-aws's
		// TestAccRDSCluster_storageTypeAuroraReturnsBlank).
		if st, _ := fp["storageType"].(string); st == "" || st == "aurora" {
			at["storageType"] = ""
		}
		if fp["port"] == nil {
			at["port"] = float64(5432)
		}
		if fp["manageMasterUserPassword"] == true {
			// RDS encrypts the secret it owns with the cluster's key.
			at["masterUserSecret"] = []any{map[string]any{
				"secretArn":    arn("secretsmanager", "secret:rds!cluster-"+UUIDLike(h)+"-AbCdEf"),
				"secretStatus": "active",
				"kmsKeyId":     fp["kmsKeyId"],
			}}
		}
	case "rds/ClusterInstance":
		at["arn"], at["id"] = arn("rds", "db:"+ext), ext
		at["endpoint"] = ext + ".c9akciq32." + region + ".rds.amazonaws.com"
		at["dbiResourceId"] = "db-" + strings.ToUpper(h[:26])
		at["writer"] = number(fp["promotionTier"]) == 0
		if fp["caCertIdentifier"] == nil {
			// RDS's default CA for new instances.
			at["caCertIdentifier"] = "rds-ca-rsa2048-g1"
		}
	case "rds/ClusterEndpoint":
		// DNS names of custom endpoints: <identifier>.cluster-custom-<the
		// account's DNS identifier in the region>.<region>.rds.amazonaws.com.
		at["arn"], at["id"] = arn("rds", "cluster-endpoint:"+ext), ext
		at["endpoint"] = ext + ".cluster-custom-c9akciq32." + region + ".rds.amazonaws.com"
	case "appautoscaling/Target":
		// Terraform's ID of a scalable target is its resource ID.
		ext, _ = fp["resourceId"].(string)
		at["id"] = ext
		at["arn"] = arn("application-autoscaling", "scalable-target/"+h[:32])
	case "appautoscaling/Policy":
		ns, _ := fp["serviceNamespace"].(string)
		res, _ := fp["resourceId"].(string)
		at["id"] = ext
		at["arn"] = arn("autoscaling", "scalingPolicy:"+UUIDLike(h)+":resource/"+ns+"/"+res+":policyName/"+ext)
	case "rds/Proxy":
		// AWS names a proxy's ARN by its resource ID and its endpoint by
		// its name (RDS API reference, DBProxy: DBProxyArn, Endpoint).
		at["arn"], at["id"] = arn("rds", "db-proxy:prx-"+h[:17]), ext
		at["endpoint"] = ext + ".proxy-c9akciq32." + region + ".rds.amazonaws.com"
	case "rds/ProxyDefaultTargetGroup":
		proxy, _ := fp["dbProxyName"].(string)
		ext = proxy
		at["arn"], at["id"], at["name"] = arn("rds", "target-group:prx-tg-"+h[:17]), ext, "default"
	case "rds/ProxyTarget":
		// The provider's ID: proxy/target group/type/cluster identifier.
		proxy, _ := fp["dbProxyName"].(string)
		group, _ := fp["targetGroupName"].(string)
		cluster, _ := fp["dbClusterIdentifier"].(string)
		ext = proxy + "/" + group + "/TRACKED_CLUSTER/" + cluster
		at["id"], at["type"], at["rdsResourceId"], at["trackedClusterId"] = ext, "TRACKED_CLUSTER", cluster, cluster
	case "rds/EventSubscription":
		at["arn"], at["id"] = arn("rds", "es:"+ext), ext
		at["customerAwsId"] = p.Account
	case "cloudwatchlogs/Group":
		at["arn"], at["id"] = arn("logs", "log-group:"+ext), ext
	case "cloudwatch/MetricAlarm":
		at["arn"], at["id"] = arn("cloudwatch", "alarm:"+ext), ext
	case "secretsmanager/Secret":
		name, _ := fp["name"].(string)
		ext = arn("secretsmanager", "secret:"+name+"-"+h[:6])
		at["arn"], at["id"] = ext, ext
	case "secretsmanager/SecretVersion":
		v := UUIDLike(h)
		secret, _ := fp["secretId"].(string)
		at["versionId"], at["id"], at["arn"] = v, secret+"|"+v, secret
		at["versionStages"] = []any{"AWSCURRENT"}
	case "secretsmanager/SecretPolicy", "secretsmanager/SecretRotation":
		at["id"] = fp["secretId"]
	case "serverlessrepo/CloudFormationStack":
		name, _ := fp["name"].(string)
		params, _ := fp["parameters"].(map[string]any)
		fn, _ := params["functionName"].(string)
		if fn == "" {
			fn = name
		}
		ext = arn("cloudformation", "stack/serverlessrepo-"+name+"/"+UUIDLike(h))
		at["id"] = ext
		at["outputs"] = map[string]any{"RotationLambdaARN": arn("lambda", "function:"+fn)}
	case "lambda/Function":
		at["arn"], at["id"] = arn("lambda", "function:"+ext), ext
	case "lambda/Permission":
		at["id"] = fp["statementId"]
	case "iam/Role":
		partition := p.Partition
		if partition == "" {
			partition = "aws"
		}
		at["arn"], at["id"] = fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, p.Account, ext), ext
	case "iam/RolePolicy", "iam/RolePolicyAttachment":
		ext = ext + "-" + h[:8]
		at["id"] = ext
	default:
		at["id"] = ext
	}
	return ext, at
}

// withoutReferences is forProvider as upjet mirrors it into atProvider:
// without references, selectors and secret references.
func withoutReferences(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if strings.HasSuffix(k, "Ref") || strings.HasSuffix(k, "Refs") || strings.HasSuffix(k, "Selector") {
				continue
			}
			out[k] = withoutReferences(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutReferences(e)
		}
		return out
	default:
		return v
	}
}

// number is a JSON number as float64, whether decoded as a float (structpb)
// or an integer (the API server's unstructured objects); 0 for anything
// else.
func number(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return 0
}

// hash is the hex SHA-256 of s: the source of every value the provider
// assigns.
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// UUIDLike formats the first 32 hex digits of h as a UUID.
func UUIDLike(h string) string {
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
