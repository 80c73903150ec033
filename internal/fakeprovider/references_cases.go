package fakeprovider

// The cases of resolving references that both Store's test and the e2e
// module's test of provider-aws's own resolvers (e2e/internal/awsrefs) run:
// one expectation for both, so Store cannot drift from the provider unseen.

// ResolveWant is what resolving a case's object gives: its forProvider with
// the resolved values and references, or an error containing Err.
type ResolveWant struct {
	ForProvider map[string]any
	Err         string
}

// ResolveCase is one object to resolve among others.
type ResolveCase struct {
	Reason string
	Obj    map[string]any
	Others []map[string]any
	Want   ResolveWant
}

// ResolveCases are the shared cases, by name.
func ResolveCases() map[string]ResolveCase {
	return map[string]ResolveCase{
		"ResolvesToTheTargetsARN": {
			Reason: "A log group's key selector resolves to the key's ARN, from its status, as the provider's ARN extractor reads it.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			Others: []map[string]any{key("key", "xr-uid", reported(testKeyARN))},
			Want: ResolveWant{ForProvider: map[string]any{
				"region":           "us-east-1",
				"kmsKeyIdSelector": keySelector("kms-key"),
				"kmsKeyId":         testKeyARN,
				"kmsKeyIdRef":      map[string]any{"name": "key", "namespace": "ns"},
			}},
		},
		"ExternalName": {
			Reason: "A metric filter's log group selector resolves to the group's external name.",
			Obj: testObject("cloudwatchlogs.aws.m.upbound.io/v1beta1", "MetricFilter", "filter", "filter", "xr-uid",
				map[string]any{"region": "us-east-1", "logGroupNameSelector": map[string]any{"matchLabels": map[string]any{"component": "log-group"}}}, nil),
			Others: []map[string]any{logGroup(nil)},
			Want: ResolveWant{ForProvider: map[string]any{
				"region":               "us-east-1",
				"logGroupNameSelector": map[string]any{"matchLabels": map[string]any{"component": "log-group"}},
				"logGroupName":         "logs-id",
				"logGroupNameRef":      map[string]any{"name": "logs", "namespace": "ns"},
			}},
		},
		"WrongLabel": {
			Reason: "A selector whose label matches no resource does not resolve: the provider's own error, naming the field as its resolver does.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-alias")}),
			Others: []map[string]any{key("key", "xr-uid", reported(testKeyARN))},
			Want:   ResolveWant{Err: "cannot resolve references: mg.Spec.ForProvider.KMSKeyID: no resources matched selector"},
		},
		"WrongKind": {
			Reason: "A selector lists only its target kind: a resource of another kind with the label is never selected.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			Others: []map[string]any{testObject("kms.aws.m.upbound.io/v1beta1", "Alias", "alias", "kms-key", "xr-uid", nil, reported(testKeyARN))},
			Want:   ResolveWant{Err: "no resources matched selector"},
		},
		"OtherNamespace": {
			Reason: "A selector lists in the object's namespace.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			Others: []map[string]any{func() map[string]any {
				k := key("key", "xr-uid", reported(testKeyARN))
				k["metadata"].(map[string]any)["namespace"] = "other"
				return k
			}()},
			Want: ResolveWant{Err: "no resources matched selector"},
		},
		"OtherController": {
			Reason: "With matchControllerRef, another XR's resource with the same label is never selected.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			Others: []map[string]any{key("key", "other-xr-uid", reported(testKeyARN))},
			Want:   ResolveWant{Err: "no resources matched selector"},
		},
		"TargetNotReported": {
			Reason: "A target whose ARN the provider has not reported yet leaves the reference unresolved.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			Others: []map[string]any{key("key", "xr-uid", nil)},
			Want:   ResolveWant{Err: "referenced field was empty"},
		},
		"FirstSelectedMustBeKnown": {
			Reason: "The first selected target, by name, is taken even when a later one's value is known: its empty value is an error.",
			Obj:    logGroup(map[string]any{"kmsKeyIdSelector": keySelector("kms-key")}),
			Others: []map[string]any{key("key-b", "xr-uid", reported(testKeyARN)), key("key-a", "xr-uid", nil)},
			Want:   ResolveWant{Err: "referenced field was empty"},
		},
		"Optional": {
			Reason: "An optional selector that selects nothing leaves the field unset, without an error.",
			Obj: logGroup(map[string]any{"kmsKeyIdSelector": map[string]any{
				"matchLabels": map[string]any{"component": "nothing"}, "policy": map[string]any{"resolution": "Optional"},
			}}),
			Want: ResolveWant{ForProvider: map[string]any{"region": "us-east-1", "kmsKeyIdSelector": map[string]any{
				"matchLabels": map[string]any{"component": "nothing"}, "policy": map[string]any{"resolution": "Optional"},
			}}},
		},
		"ValueAlreadySet": {
			Reason: "A field with a value is not resolved again, as the provider's default resolve policy says.",
			Obj:    logGroup(map[string]any{"kmsKeyId": "arn:set", "kmsKeyIdSelector": keySelector("nothing")}),
			Want:   ResolveWant{ForProvider: map[string]any{"region": "us-east-1", "kmsKeyId": "arn:set", "kmsKeyIdSelector": keySelector("nothing")}},
		},
		"ReferenceSet": {
			Reason: "A reference already set is read by name, not selected again.",
			Obj:    logGroup(map[string]any{"kmsKeyIdRef": map[string]any{"name": "key-b"}, "kmsKeyIdSelector": keySelector("nothing")}),
			Others: []map[string]any{key("key-a", "xr-uid", reported("arn:a")), key("key-b", "xr-uid", reported(testKeyARN))},
			Want: ResolveWant{ForProvider: map[string]any{
				"region": "us-east-1", "kmsKeyId": testKeyARN, "kmsKeyIdRef": map[string]any{"name": "key-b"}, "kmsKeyIdSelector": keySelector("nothing"),
			}},
		},
		"Multiple": {
			Reason: "A list selector resolves to every selected target's value, sorted by value, with a reference each.",
			Obj: testObject("rds.aws.m.upbound.io/v1beta1", "Cluster", "cluster", "cluster", "xr-uid", map[string]any{
				"region": "us-east-1", "vpcSecurityGroupIdSelector": map[string]any{"matchLabels": map[string]any{"component": "security-group"}},
			}, nil),
			Others: []map[string]any{securityGroup("sg-b"), securityGroup("sg-a")},
			Want: ResolveWant{ForProvider: map[string]any{
				"region":                     "us-east-1",
				"vpcSecurityGroupIdSelector": map[string]any{"matchLabels": map[string]any{"component": "security-group"}},
				"vpcSecurityGroupIds":        []any{"sg-a-id", "sg-b-id"},
				"vpcSecurityGroupIdRefs":     []any{map[string]any{"name": "sg-a", "namespace": "ns"}, map[string]any{"name": "sg-b", "namespace": "ns"}},
			}},
		},
		"NoReferences": {
			Reason: "A kind without references comes back as it was.",
			Obj: testObject("serverlessrepo.aws.m.upbound.io/v1beta1", "CloudFormationStack", "stack", "rotator", "xr-uid",
				map[string]any{"region": "us-east-1", "name": "stack", "capabilities": []any{"CAPABILITY_IAM"}}, nil),
			Want: ResolveWant{ForProvider: map[string]any{"region": "us-east-1", "name": "stack", "capabilities": []any{"CAPABILITY_IAM"}}},
		},
	}
}

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
