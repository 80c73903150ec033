//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/kube"
)

// account is the AWS account the provider acts in: the ARNs it reports name
// it. hack/e2e-cluster.sh sets it as the Compositions' input.accountId
// (E2E_ACCOUNT_ID).
var account = "111122223333"

// provider plays provider-aws's part against the real API server: once a
// managed resource exists, it reports it created, as the provider would
// after calling AWS: status.atProvider with the observed parameters and the
// values AWS assigns (IDs, ARNs, endpoints, secret ARNs, stack outputs, VPC
// endpoint DNS names, secret version IDs), and Ready=True, Synced=True. It
// writes only the status subresource, which the CRD's schema validates (and
// prunes: a misspelled field would never reach the function). References
// are not resolved: nothing in the function reads resolved references.
type provider struct {
	c *kube.Client

	mu sync.Mutex
	// atProvider of every resource reported, by namespace/name, for
	// assertions on the XR's status.
	reported map[string]map[string]any
	// versionID is the last SecretVersion ID reported.
	versionID string
}

func newProvider(c *kube.Client) *provider {
	return &provider{c: c, reported: map[string]map[string]any{}}
}

// isManaged reports whether an object is a provider-aws managed resource.
func isManaged(u *unstructured.Unstructured) bool {
	return strings.HasSuffix(u.GroupVersionKind().Group, ".aws.m.upbound.io")
}

// ready reports whether an MR says it is Ready and Synced.
func ready(u *unstructured.Unstructured) bool {
	r, _ := kube.Condition(u, "Ready")
	s, _ := kube.Condition(u, "Synced")
	return r == "True" && s == "True"
}

// observe reports one managed resource as created and available.
func (p *provider) observe(ctx context.Context, u *unstructured.Unstructured) error {
	at := p.atProvider(u)
	now := time.Now().UTC().Format(time.RFC3339)
	status := map[string]any{
		"atProvider": at,
		"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess", "lastTransitionTime": now, "observedGeneration": u.GetGeneration()},
		},
	}
	patch, err := json.Marshal(map[string]any{"status": status})
	if err != nil {
		return err
	}
	out, err := p.c.MergePatch(ctx, u.GroupVersionKind(), u.GetNamespace(), u.GetName(), patch, "status")
	if err != nil {
		return fmt.Errorf("provider: cannot report %s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	got, _, _ := unstructured.NestedMap(out.Object, "status", "atProvider")
	p.mu.Lock()
	p.reported[u.GetNamespace()+"/"+u.GetName()] = got
	if u.GetKind() == "SecretVersion" {
		p.versionID, _ = got["versionId"].(string)
	}
	p.mu.Unlock()
	return nil
}

// reportedVersionID is the ID of the last SecretVersion the provider
// reported.
func (p *provider) reportedVersionID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.versionID
}

// atProvider is what provider-aws would observe: the parameters (upjet
// mirrors them in atProvider; the schema prunes those it does not), and the
// values AWS assigns. Values are derived from the object's namespace and name
// so a run is reproducible.
func (p *provider) atProvider(u *unstructured.Unstructured) map[string]any {
	fp, _, _ := unstructured.NestedMap(u.Object, "spec", "forProvider")
	at := map[string]any{}
	for k, v := range fp {
		if strings.HasSuffix(k, "Ref") || strings.HasSuffix(k, "Refs") || strings.HasSuffix(k, "Selector") || strings.HasSuffix(k, "SecretRef") {
			continue
		}
		at[k] = v
	}
	region, _ := fp["region"].(string)
	h := hash(u.GetNamespace() + "/" + u.GetName())
	ext := u.GetAnnotations()["crossplane.io/external-name"]
	if ext == "" {
		ext = u.GetName()
	}
	arn := func(service, res string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, account, res)
	}
	group, _, _ := strings.Cut(u.GroupVersionKind().Group, ".")
	switch group + "/" + u.GetKind() {
	case "kms/Key":
		id := uuidLike(h)
		at["arn"], at["keyId"], at["id"] = arn("kms", "key/"+id), id, id
	case "kms/Alias":
		at["arn"], at["id"] = arn("kms", ext), ext
	case "ec2/SecurityGroup":
		id := "sg-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group/"+id), id
	case "ec2/SecurityGroupIngressRule", "ec2/SecurityGroupEgressRule":
		id := "sgr-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "security-group-rule/"+id), id
	case "ec2/VPCEndpoint":
		id := "vpce-" + h[:17]
		at["arn"], at["id"] = arn("ec2", "vpc-endpoint/"+id), id
		at["dnsEntry"] = []any{map[string]any{
			"dnsName":      id + "-" + h[17:25] + ".secretsmanager." + region + ".vpce.amazonaws.com",
			"hostedZoneId": "Z7HUB22UULQXV",
		}}
	case "ec2/VPCEndpointSubnetAssociation", "ec2/VPCEndpointSecurityGroupAssociation":
		at["id"] = "a-" + h[:17]
	case "rds/SubnetGroup":
		at["arn"], at["id"] = arn("rds", "subgrp:"+ext), ext
	case "rds/ClusterParameterGroup":
		at["arn"], at["id"] = arn("rds", "cluster-pg:"+ext), ext
	case "rds/Cluster":
		at["arn"], at["id"] = arn("rds", "cluster:"+ext), ext
		at["endpoint"] = ext + ".cluster-c9akciq32." + region + ".rds.amazonaws.com"
		at["readerEndpoint"] = ext + ".cluster-ro-c9akciq32." + region + ".rds.amazonaws.com"
		at["engineVersionActual"] = fp["engineVersion"]
		at["clusterResourceId"] = "cluster-" + strings.ToUpper(h[:26])
		if fp["port"] == nil {
			at["port"] = float64(5432)
		}
		if fp["manageMasterUserPassword"] == true {
			at["masterUserSecret"] = []any{map[string]any{
				"secretArn":    arn("secretsmanager", "secret:rds!cluster-"+uuidLike(h)+"-AbCdEf"),
				"secretStatus": "active",
				"kmsKeyId":     arn("kms", "key/"+uuidLike(h[8:])),
			}}
		}
	case "rds/ClusterInstance":
		at["arn"], at["id"] = arn("rds", "db:"+ext), ext
		at["endpoint"] = ext + ".c9akciq32." + region + ".rds.amazonaws.com"
		at["dbiResourceId"] = "db-" + strings.ToUpper(h[:26])
		at["writer"] = fp["promotionTier"] == nil || fp["promotionTier"] == float64(0) || fp["promotionTier"] == int64(0)
	case "rds/EventSubscription":
		at["arn"], at["id"] = arn("rds", "es:"+ext), ext
		at["customerAwsId"] = account
	case "cloudwatchlogs/Group":
		at["arn"], at["id"] = arn("logs", "log-group:"+ext), ext
	case "cloudwatchlogs/MetricFilter":
		at["id"] = ext
	case "cloudwatch/MetricAlarm":
		at["arn"], at["id"] = arn("cloudwatch", "alarm:"+ext), ext
	case "cloudwatchevents/Rule", "cloudwatchevents/Target":
		at["arn"], at["id"] = arn("events", "rule/"+ext), ext
	case "secretsmanager/Secret":
		name, _ := fp["name"].(string)
		id := arn("secretsmanager", "secret:"+name+"-"+h[:6])
		at["arn"], at["id"] = id, id
	case "secretsmanager/SecretVersion":
		v := uuidLike(h)
		at["versionId"], at["id"] = v, "secret|"+v
		at["versionStages"] = []any{"AWSCURRENT"}
	case "secretsmanager/SecretPolicy", "secretsmanager/SecretRotation":
		at["id"] = "secret-" + h[:12]
	case "serverlessrepo/CloudFormationStack":
		name, _ := fp["name"].(string)
		params, _ := fp["parameters"].(map[string]any)
		fn, _ := params["functionName"].(string)
		if fn == "" {
			fn = name
		}
		at["id"] = arn("cloudformation", "stack/serverlessrepo-"+name+"/"+uuidLike(h))
		at["outputs"] = map[string]any{"RotationLambdaARN": arn("lambda", "function:"+fn)}
	case "lambda/Function":
		at["arn"], at["id"] = arn("lambda", "function:"+ext), ext
	case "lambda/Permission":
		at["id"] = fp["statementId"]
	case "iam/Role":
		at["arn"], at["id"] = fmt.Sprintf("arn:aws:iam::%s:role/%s", account, ext), ext
	case "iam/RolePolicy", "iam/RolePolicyAttachment":
		at["id"] = ext + "-" + h[:8]
	default:
		at["id"] = ext
	}
	return at
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func uuidLike(h string) string {
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
