package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// xrdStructural is an XRD's openAPIV3Schema as the API server validates
// with it: structural, with its CEL rules compiled.
func xrdStructural(t *testing.T, path string) (*structuralschema.Structural, *cel.Validator) {
	t.Helper()
	xrd := readObject(t, path)
	versions := xrd["spec"].(map[string]any)["versions"].([]any)
	raw, err := json.Marshal(versions[0].(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"])
	if err != nil {
		t.Fatal(err)
	}
	v1 := &apiextensionsv1.JSONSchemaProps{}
	if err := json.Unmarshal(raw, v1); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, internal, nil); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s, err := structuralschema.NewStructural(internal)
	if err != nil {
		t.Fatalf("%s: not structural: %v", path, err)
	}
	v := cel.NewValidator(s, false, celconfig.PerCallLimit)
	if v == nil {
		t.Fatalf("%s: no CEL rules", path)
	}
	return s, v
}

// celValidate defaults both objects as the API server does and runs the
// schema's CEL rules on the update old → new (old nil: a create).
func celValidate(s *structuralschema.Structural, v *cel.Validator, newObj, oldObj map[string]any) []string {
	structuraldefaulting.Default(newObj, s)
	var old any
	if oldObj != nil {
		structuraldefaulting.Default(oldObj, s)
		old = oldObj
	}
	errs, _ := v.Validate(context.Background(), field.NewPath("openAPIV3Schema"), s, newObj, old, celconfig.RuntimeCELCostBudget)
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// TestXRDImmutableFields runs both XRDs' CEL rules, as the API server
// would, on edits of the immutable fields: each is refused at admission
// when set, changed or removed, and the mutable ones are not.
func TestXRDImmutableFields(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	base := func() map[string]any {
		return map[string]any{"spec": map[string]any{
			"region":  "us-east-1",
			"network": map[string]any{"vpcId": "vpc-0123456789abcdef0", "subnetIds": []any{"subnet-01", "subnet-02"}},
		}}
	}
	with := func(path string, v any) map[string]any {
		return setSpec(base(), path, v)
	}
	type want struct {
		// errs are substrings, one per expected error.
		errs []string
	}
	cases := map[string]struct {
		reason   string
		old, new map[string]any
		want     want
	}{
		"Create": {
			reason: "Transition rules do not run on create.",
			new:    with("clusterIdentifier", "orders"),
		},
		"Unchanged": {
			reason: "An update that keeps every immutable field passes.",
			old:    with("encryption.existingKmsKeyArn", key),
			new:    setSpec(with("encryption.existingKmsKeyArn", key), "port", 5433),
		},
		"RegionChanged": {
			reason: "The region is fixed.",
			old:    base(), new: with("region", "us-east-2"),
			want: want{errs: []string{"spec.region is immutable after creation"}},
		},
		"ClusterIdentifierSet": {
			reason: "Setting an identifier over a derived one would be a new cluster.",
			old:    base(), new: with("clusterIdentifier", "orders"),
			want: want{errs: []string{"spec.clusterIdentifier is immutable"}},
		},
		"ClusterIdentifierRemoved": {
			reason: "Removing it would derive another identifier.",
			old:    with("clusterIdentifier", "orders"), new: base(),
			want: want{errs: []string{"spec.clusterIdentifier is immutable"}},
		},
		"ClusterIdentifierChanged": {
			reason: "Changing it is refused.",
			old:    with("clusterIdentifier", "orders"), new: with("clusterIdentifier", "orders2"),
			want: want{errs: []string{"spec.clusterIdentifier is immutable"}},
		},
		"KeySet": {
			reason: "A cluster created with the function's CMK cannot switch to an existing key.",
			old:    base(), new: with("encryption.existingKmsKeyArn", key),
			want: want{errs: []string{"spec.encryption.existingKmsKeyArn is immutable"}},
		},
		"KeyRemoved": {
			reason: "Removing the key would make the function create a new one.",
			old:    with("encryption.existingKmsKeyArn", key), new: base(),
			want: want{errs: []string{"spec.encryption.existingKmsKeyArn is immutable"}},
		},
		"KeyEmptiedIsUnset": {
			reason: "An empty ARN means the same as none: no change.",
			old:    base(), new: with("encryption.existingKmsKeyArn", ""),
		},
		"DatabaseNameRemoved": {
			reason: "Removing it defaults it to app: a change.",
			old:    with("databaseName", "orders"), new: base(),
			want: want{errs: []string{"spec.databaseName is immutable after creation"}},
		},
		"MasterUsernameChanged": {
			reason: "The master user is set at creation.",
			old:    base(), new: with("masterUsername", "root2"),
			want: want{errs: []string{"spec.masterUsername is immutable after creation"}},
		},
		"CredentialsModeSetToDefaultOtherwise": {
			reason: "Setting the mode explicitly to another value than its default is a change.",
			old:    base(), new: with("credentials.mode", "SelfManaged"),
			want: want{errs: []string{"spec.credentials.mode is immutable after creation"}},
		},
		"CredentialsModeSetToDefault": {
			reason: "Writing out the default changes nothing.",
			old:    base(), new: with("credentials.mode", "RDSManaged"),
		},
		"ForceSSLOff": {
			reason: "rds.force_ssl other than 1 is refused at admission too, on create.",
			new:    with("parameters", []any{map[string]any{"name": "rds.force_ssl", "value": "0"}}),
			want:   want{errs: []string{"rds.force_ssl must stay 1"}},
		},
		"SlowQueryLogInInstanceParameters": {
			reason: "log_min_duration_statement belongs to spec.logging.",
			new:    with("instanceParameters", []any{map[string]any{"name": "log_min_duration_statement", "value": "5"}}),
			want:   want{errs: []string{"log_min_duration_statement is set from spec.logging.slowQueryThresholdMs"}},
		},
	}
	for xrd, path := range xrdFiles {
		s, v := xrdStructural(t, path)
		for name, tc := range cases {
			t.Run(xrd+"/"+name, func(t *testing.T) {
				got := celValidate(s, v, tc.new, tc.old)
				if len(got) != len(tc.want.errs) {
					t.Fatalf("\n%s\nCEL errors: want %d %v, got %d:\n%s", tc.reason, len(tc.want.errs), tc.want.errs, len(got), strings.Join(got, "\n"))
				}
				for i, w := range tc.want.errs {
					if !strings.Contains(got[i], w) {
						t.Errorf("\n%s\nCEL error %d: want it to contain %q, got %q", tc.reason, i, w, got[i])
					}
				}
			})
		}
	}
}
