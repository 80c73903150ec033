package awsrefs

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

const testKeyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// testObject is a managed resource of the kind, in namespace ns, controlled
// by the XR with the given UID, carrying the component label.
func testObject(apiVersion, kind, name, component, controller string, forProvider, status map[string]any) map[string]any {
	o := map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata": map[string]any{
			"name":        name,
			"namespace":   "ns",
			"labels":      map[string]any{"component": component},
			"annotations": map[string]any{"crossplane.io/external-name": name + "-id"},
			"ownerReferences": []any{map[string]any{
				"apiVersion": "example.org/v1", "kind": "XR", "name": "xr", "uid": controller, "controller": true,
			}},
		},
		"spec": map[string]any{"forProvider": forProvider},
	}
	if status != nil {
		o["status"] = status
	}
	return o
}

func keySelector(component string) map[string]any {
	return map[string]any{"matchControllerRef": true, "matchLabels": map[string]any{"component": component}}
}

func logGroup(forProvider map[string]any) map[string]any {
	fp := map[string]any{"region": "us-east-1"}
	for k, v := range forProvider {
		fp[k] = v
	}
	return testObject("cloudwatchlogs.aws.m.upbound.io/v1beta1", "Group", "logs", "log-group", "xr-uid", fp, nil)
}

func key(name, controller string, status map[string]any) map[string]any {
	return testObject("kms.aws.m.upbound.io/v1beta1", "Key", name, "kms-key", controller, map[string]any{"region": "us-east-1"}, status)
}

func reported(arn string) map[string]any {
	return map[string]any{"atProvider": map[string]any{"arn": arn}}
}

func securityGroup(name string) map[string]any {
	return testObject("ec2.aws.m.upbound.io/v1beta1", "SecurityGroup", name, "security-group", "xr-uid", map[string]any{"region": "us-east-1"}, nil)
}

// TestResolveReferences runs provider-aws's resolvers, and
// fakeprovider.Store with the table on the same objects: both must give
// what the case wants, and Store exactly what the provider gives.
func TestResolveReferences(t *testing.T) {
	type want struct {
		forProvider map[string]any
		err         string
	}
	cases := map[string]struct {
		reason string
		obj    map[string]any
		others []map[string]any
		want   want
	}{
		"ResolvesToTheTargetsARN": {
			reason: "A log group's key selector resolves to the key's ARN, from its status, as the provider's ARN extractor reads it.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			others: []map[string]any{key("key", "xr-uid", reported(testKeyARN))},
			want: want{forProvider: map[string]any{
				"region":           "us-east-1",
				"kmsKeyIdSelector": keySelector("kms-key"),
				"kmsKeyId":         testKeyARN,
				"kmsKeyIdRef":      map[string]any{"name": "key", "namespace": "ns"},
			}},
		},
		"ExternalName": {
			reason: "A metric filter's log group selector resolves to the group's external name.",
			obj: testObject("cloudwatchlogs.aws.m.upbound.io/v1beta1", "MetricFilter", "filter", "filter", "xr-uid",
				map[string]any{"region": "us-east-1", "logGroupNameSelector": map[string]any{"matchLabels": map[string]any{"component": "log-group"}}}, nil),
			others: []map[string]any{logGroup(nil)},
			want: want{forProvider: map[string]any{
				"region":               "us-east-1",
				"logGroupNameSelector": map[string]any{"matchLabels": map[string]any{"component": "log-group"}},
				"logGroupName":         "logs-id",
				"logGroupNameRef":      map[string]any{"name": "logs", "namespace": "ns"},
			}},
		},
		"WrongLabel": {
			reason: "A selector whose label matches no resource does not resolve: the provider's own error, naming the field as its resolver does.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-alias")}),
			others: []map[string]any{key("key", "xr-uid", reported(testKeyARN))},
			want:   want{err: "cannot resolve references: mg.Spec.ForProvider.KMSKeyID: no resources matched selector"},
		},
		"WrongKind": {
			reason: "A selector lists only its target kind: a resource of another kind with the label is never selected.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			others: []map[string]any{testObject("kms.aws.m.upbound.io/v1beta1", "Alias", "alias", "kms-key", "xr-uid", nil, reported(testKeyARN))},
			want:   want{err: "no resources matched selector"},
		},
		"OtherNamespace": {
			reason: "A selector lists in the object's namespace.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			others: []map[string]any{func() map[string]any {
				k := key("key", "xr-uid", reported(testKeyARN))
				k["metadata"].(map[string]any)["namespace"] = "other"
				return k
			}()},
			want: want{err: "no resources matched selector"},
		},
		"OtherController": {
			reason: "With matchControllerRef, another XR's resource with the same label is never selected.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			others: []map[string]any{key("key", "other-xr-uid", reported(testKeyARN))},
			want:   want{err: "no resources matched selector"},
		},
		"TargetNotReported": {
			reason: "A target whose ARN the provider has not reported yet leaves the reference unresolved.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			others: []map[string]any{key("key", "xr-uid", nil)},
			want:   want{err: "referenced field was empty"},
		},
		"FirstSelectedMustBeKnown": {
			reason: "The first selected target, by name, is taken even when a later one's value is known: its empty value is an error.",
			obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			others: []map[string]any{key("key-b", "xr-uid", reported(testKeyARN)), key("key-a", "xr-uid", nil)},
			want:   want{err: "referenced field was empty"},
		},
		"Optional": {
			reason: "An optional selector that selects nothing leaves the field unset, without an error.",
			obj: logGroup(map[string]any{"kmsKeyIdSelector": map[string]any{
				"matchLabels": map[string]any{"component": "nothing"}, "policy": map[string]any{"resolution": "Optional"},
			}}),
			want: want{forProvider: map[string]any{"region": "us-east-1", "kmsKeyIdSelector": map[string]any{
				"matchLabels": map[string]any{"component": "nothing"}, "policy": map[string]any{"resolution": "Optional"},
			}}},
		},
		"ValueAlreadySet": {
			reason: "A field with a value is not resolved again, as the provider's default resolve policy says.",
			obj:    logGroup(map[string]any{"kmsKeyId": "arn:set", "kmsKeyIdSelector": keySelector("nothing")}),
			want:   want{forProvider: map[string]any{"region": "us-east-1", "kmsKeyId": "arn:set", "kmsKeyIdSelector": keySelector("nothing")}},
		},
		"ReferenceSet": {
			reason: "A reference already set is read by name, not selected again.",
			obj:    logGroup(map[string]any{"kmsKeyIdRef": map[string]any{"name": "key-b"}, "kmsKeyIdSelector": keySelector("nothing")}),
			others: []map[string]any{key("key-a", "xr-uid", reported("arn:a")), key("key-b", "xr-uid", reported(testKeyARN))},
			want: want{forProvider: map[string]any{
				"region": "us-east-1", "kmsKeyId": testKeyARN, "kmsKeyIdRef": map[string]any{"name": "key-b"}, "kmsKeyIdSelector": keySelector("nothing"),
			}},
		},
		"Multiple": {
			reason: "A list selector resolves to every selected target's value, sorted by value, with a reference each.",
			obj: testObject("rds.aws.m.upbound.io/v1beta1", "Cluster", "cluster", "cluster", "xr-uid", map[string]any{
				"region": "us-east-1", "vpcSecurityGroupIdSelector": map[string]any{"matchLabels": map[string]any{"component": "security-group"}},
			}, nil),
			others: []map[string]any{securityGroup("sg-b"), securityGroup("sg-a")},
			want: want{forProvider: map[string]any{
				"region":                     "us-east-1",
				"vpcSecurityGroupIdSelector": map[string]any{"matchLabels": map[string]any{"component": "security-group"}},
				"vpcSecurityGroupIds":        []any{"sg-a-id", "sg-b-id"},
				"vpcSecurityGroupIdRefs":     []any{map[string]any{"name": "sg-a", "namespace": "ns"}, map[string]any{"name": "sg-b", "namespace": "ns"}},
			}},
		},
		"NoReferences": {
			reason: "A kind without references comes back as it was.",
			obj: testObject("serverlessrepo.aws.m.upbound.io/v1beta1", "CloudFormationStack", "stack", "rotator", "xr-uid",
				map[string]any{"region": "us-east-1", "name": "stack", "capabilities": []any{"CAPABILITY_IAM"}}, nil),
			want: want{forProvider: map[string]any{"region": "us-east-1", "name": "stack", "capabilities": []any{"CAPABILITY_IAM"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs := append([]map[string]any{tc.obj}, tc.others...)
			r, err := NewReader(objs...)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := ResolveReferences(context.Background(), r, tc.obj)
			provider := want{}
			if err != nil {
				provider.err = err.Error()
			} else {
				provider.forProvider, _ = spec["forProvider"].(map[string]any)
			}
			got := provider
			if tc.want.err != "" && strings.Contains(got.err, tc.want.err) {
				got.err = tc.want.err
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nResolveReferences(...): -want, +got:\n%s", tc.reason, diff)
			}

			// The root module's tests resolve with fakeprovider.Store and
			// the table: it must come to exactly what the provider does.
			spec, err = fakeprovider.NewStore(objs...).ResolveReferences(tc.obj)
			store := want{}
			if err != nil {
				store.err = err.Error()
			} else {
				store.forProvider, _ = spec["forProvider"].(map[string]any)
			}
			if diff := cmp.Diff(provider, store, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nfakeprovider.Store resolves otherwise than the provider: -provider, +Store:\n%s", tc.reason, diff)
			}
		})
	}
}
