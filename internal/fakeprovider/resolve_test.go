package fakeprovider

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client"
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

func logGroup(sel map[string]any) map[string]any {
	return testObject("cloudwatchlogs.aws.m.upbound.io/v1beta1", "Group", "logs", "log-group", "xr-uid",
		map[string]any{"region": "us-east-1", "kmsKeyIdSelector": sel}, nil)
}

func key(controller string, status map[string]any) map[string]any {
	return testObject("kms.aws.m.upbound.io/v1beta1", "Key", "key", "kms-key", controller, map[string]any{"region": "us-east-1"}, status)
}

func reported(arn string) map[string]any {
	return map[string]any{"atProvider": map[string]any{"arn": arn}}
}

// reader is a fake API server holding objs.
func reader(t *testing.T, objs ...map[string]any) client.Reader {
	t.Helper()
	r, err := NewReader(objs...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

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
			obj:    logGroup(keySelector("kms-key")),
			others: []map[string]any{key("xr-uid", reported(testKeyARN))},
			want: want{forProvider: map[string]any{
				"region":           "us-east-1",
				"kmsKeyIdSelector": keySelector("kms-key"),
				"kmsKeyId":         testKeyARN,
				"kmsKeyIdRef":      map[string]any{"name": "key", "namespace": "ns"},
			}},
		},
		"WrongLabel": {
			reason: "A selector whose label matches no resource does not resolve: the provider's own error.",
			obj:    logGroup(keySelector("kms-alias")),
			others: []map[string]any{key("xr-uid", reported(testKeyARN))},
			want:   want{err: "cannot resolve references: mg.Spec.ForProvider.KMSKeyID: no resources matched selector"},
		},
		"OtherController": {
			reason: "With matchControllerRef, another XR's resource with the same label is never selected.",
			obj:    logGroup(keySelector("kms-key")),
			others: []map[string]any{key("other-xr-uid", reported(testKeyARN))},
			want:   want{err: "no resources matched selector"},
		},
		"TargetNotReported": {
			reason: "A target whose ARN the provider has not reported yet leaves the reference unresolved.",
			obj:    logGroup(keySelector("kms-key")),
			others: []map[string]any{key("xr-uid", nil)},
			want:   want{err: "referenced field was empty"},
		},
		"ValueAlreadySet": {
			reason: "A field with a value is not resolved again, as the provider's default resolve policy says.",
			obj: testObject("cloudwatchlogs.aws.m.upbound.io/v1beta1", "Group", "logs", "log-group", "xr-uid",
				map[string]any{"region": "us-east-1", "kmsKeyId": "arn:set", "kmsKeyIdSelector": keySelector("nothing")}, nil),
			want: want{forProvider: map[string]any{"region": "us-east-1", "kmsKeyId": "arn:set", "kmsKeyIdSelector": keySelector("nothing")}},
		},
		"NoReferences": {
			reason: "A kind without a resolver comes back as it was.",
			obj: testObject("serverlessrepo.aws.m.upbound.io/v1beta1", "CloudFormationStack", "stack", "rotator", "xr-uid",
				map[string]any{"region": "us-east-1", "name": "stack", "capabilities": []any{"CAPABILITY_IAM"}}, nil),
			want: want{forProvider: map[string]any{"region": "us-east-1", "name": "stack", "capabilities": []any{"CAPABILITY_IAM"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec, err := ResolveReferences(context.Background(), reader(t, tc.others...), tc.obj)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if tc.want.err != "" && !strings.Contains(gotErr, tc.want.err) || tc.want.err == "" && err != nil {
				t.Fatalf("%s\nResolveReferences(...): error %q, want one containing %q", tc.reason, gotErr, tc.want.err)
			}
			if tc.want.err != "" {
				return
			}
			if diff := cmp.Diff(tc.want.forProvider, spec["forProvider"]); diff != "" {
				t.Errorf("%s\nResolveReferences(...): -want forProvider, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
