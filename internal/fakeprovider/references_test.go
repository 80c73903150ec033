package fakeprovider

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
		"NotInTheTable": {
			reason: "A kind the table does not know is an error, not a resource without references.",
			obj:    testObject("s3.aws.m.upbound.io/v1beta1", "Bucket", "bucket", "bucket", "xr-uid", map[string]any{"region": "us-east-1"}, nil),
			want:   want{err: "is not in the reference table"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := deepCopy(tc.obj)
			spec, err := NewStore(append([]map[string]any{tc.obj}, tc.others...)...).ResolveReferences(tc.obj)
			got := want{}
			if err != nil {
				got.err = err.Error()
			} else {
				got.forProvider, _ = spec["forProvider"].(map[string]any)
			}
			if tc.want.err != "" && strings.Contains(got.err, tc.want.err) {
				got.err = tc.want.err
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nResolveReferences(...): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(before, tc.obj); diff != "" {
				t.Errorf("%s\nResolveReferences(...) changed the object it was given: -before, +after:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestReferenceTargets(t *testing.T) {
	m := func(group, kind string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group + ".aws.m.upbound.io", Version: "v1beta1", Kind: kind}
	}
	type want struct {
		targets map[string]schema.GroupVersionKind
		known   bool
	}
	cases := map[string]struct {
		reason string
		kind   schema.GroupVersionKind
		want   want
	}{
		"KMSAlias": {
			reason: "An Alias's key selectors, in forProvider and initProvider, list Keys.",
			kind:   m("kms", "Alias"),
			want: want{known: true, targets: map[string]schema.GroupVersionKind{
				"spec.forProvider.targetKeyIdSelector":  m("kms", "Key"),
				"spec.initProvider.targetKeyIdSelector": m("kms", "Key"),
			}},
		},
		"UncomposedTarget": {
			reason: "An alarm's actions select SNS topics, a group the function composes nothing of: the empty kind.",
			kind:   m("cloudwatch", "MetricAlarm"),
			want: want{known: true, targets: map[string]schema.GroupVersionKind{
				"spec.forProvider.alarmActionsSelector":  {},
				"spec.forProvider.okActionsSelector":     {},
				"spec.initProvider.alarmActionsSelector": {},
				"spec.initProvider.okActionsSelector":    {},
			}},
		},
		"KMSKey": {
			reason: "A Key references nothing.",
			kind:   m("kms", "Key"),
			want:   want{known: true, targets: map[string]schema.GroupVersionKind{}},
		},
		"NotComposed": {
			reason: "A kind the function does not compose is not in the table.",
			kind:   m("iam", "Policy"),
			want:   want{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			targets, known := ReferenceTargets(tc.kind)
			if diff := cmp.Diff(tc.want, want{targets: targets, known: known}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nReferenceTargets(%s): -want, +got:\n%s", tc.reason, tc.kind.Kind, diff)
			}
		})
	}
}

// TestReferencesCoverComposedKinds: the table has exactly the kinds of
// internal/aws/kinds.txt, so that a kind added there without make generate
// fails here, not only in the e2e module's check of the table.
func TestReferencesCoverComposedKinds(t *testing.T) {
	b, err := os.ReadFile("../aws/kinds.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Kind]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		group, version, _ := strings.Cut(f[0], "/")
		for _, kind := range f[1:] {
			want[Kind{APIVersion: group + ".aws.m.upbound.io/" + version, Kind: kind}] = true
		}
	}
	got := map[Kind]bool{}
	for k := range References {
		got[k] = true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("References: -kinds.txt, +table (run make generate):\n%s", diff)
	}
}
