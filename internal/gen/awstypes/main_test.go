package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGenerate(t *testing.T) {
	dir := filepath.Join("testdata", apiRoot, "widget/v1beta1")
	files, err := generate(dir, "example.org/provider@v0.0.0", group{path: "widget/v1beta1", kinds: []string{"Widget"}})
	if err != nil {
		t.Fatalf("generate(): %v", err)
	}
	types, deepcopy := string(files["zz_generated.types.go"]), string(files["zz_generated.deepcopy.go"])

	cases := map[string]struct {
		reason string
		file   string
		substr string
		want   bool
	}{
		"Kind":            {reason: "The listed kind is written, with its doc comment and markers.", file: types, substr: "// Widget is a kind.\n// +kubebuilder:object:root=true\ntype Widget struct", want: true},
		"Reached":         {reason: "A type the kind reaches is written.", file: types, substr: "type WidgetParameters struct", want: true},
		"ReachedTwice":    {reason: "A type reached through another is written.", file: types, substr: "type PartParameters struct", want: true},
		"FieldComment":    {reason: "Field comments and tags are kept.", file: types, substr: "\t// Size of the widget.\n\tSize *float64 `json:\"size,omitempty\"`", want: true},
		"Group":           {reason: "The group version comes from the package's CRDGroup.", file: types, substr: `CRDGroup   = "widget.aws.m.upbound.io"`, want: true},
		"ForeignImport":   {reason: "Imports the kept types use are written.", file: types, substr: `"github.com/crossplane/crossplane-runtime/v2/apis/common/v1"`, want: true},
		"List":            {reason: "The list type is not reached from the kind.", file: types, substr: "WidgetList"},
		"OtherKind":       {reason: "An unlisted kind is not written.", file: types, substr: "Gadget"},
		"Vars":            {reason: "Package variables are not copied.", file: types, substr: "Widget_GroupVersionKind"},
		"DeepCopyKept":    {reason: "Deepcopy functions of kept types are written.", file: deepcopy, substr: "func (in *Widget) DeepCopyObject() runtime.Object", want: true},
		"DeepCopyDropped": {reason: "Deepcopy functions of other types are not.", file: deepcopy, substr: "Gadget"},
		"Header":          {reason: "Each file says where it comes from.", file: deepcopy, substr: "from example.org/provider@v0.0.0 (apis/namespaced/widget/v1beta1). DO NOT EDIT.", want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := strings.Contains(tc.file, tc.substr); got != tc.want {
				t.Errorf("%s\ncontains %q: -want, +got:\n%s", tc.reason, tc.substr, cmp.Diff(tc.want, got))
			}
		})
	}
}

func TestGenerateUnknownKind(t *testing.T) {
	dir := filepath.Join("testdata", apiRoot, "widget/v1beta1")
	_, err := generate(dir, "example.org/provider@v0.0.0", group{path: "widget/v1beta1", kinds: []string{"Sprocket"}})
	if err == nil || !strings.Contains(err.Error(), "no type Sprocket") {
		t.Errorf("generate() with an unknown kind: want an error naming it, got %v", err)
	}
}
