package pbenc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

func TestValueFromJSON(t *testing.T) {
	mustValue := func(v any) *structpb.Value {
		t.Helper()
		pv, err := structpb.NewValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return pv
	}
	cases := map[string]struct {
		reason  string
		json    string
		want    *structpb.Value
		wantErr bool
	}{
		"Object": {
			reason: "Members of every kind, with whitespace between tokens.",
			json:   ` { "s" : "x", "n": -1.5e2, "t": true, "f": false, "z": null, "l": [1, [], {}], "o": {"": ""} } `,
			want: mustValue(map[string]any{
				"s": "x", "n": -150.0, "t": true, "f": false, "z": nil,
				"l": []any{1.0, []any{}, map[string]any{}}, "o": map[string]any{"": ""},
			}),
		},
		"Escapes": {
			reason: "A string with escapes is decoded by encoding/json.",
			json:   `"q\" b\\ \u00e9 \ud83d\ude00 \n"`,
			want:   structpb.NewStringValue("q\" b\\ é 😀 \n"),
		},
		"TrailingData": {
			reason:  "Anything after the value is an error.",
			json:    `{} {}`,
			wantErr: true,
		},
		"Unterminated": {
			reason:  "A string without its closing quote is an error.",
			json:    `"abc`,
			wantErr: true,
		},
		"MissingColon": {
			reason:  "A member without a colon is an error.",
			json:    `{"a" 1}`,
			wantErr: true,
		},
		"BadNumber": {
			reason:  "A number that does not parse is an error.",
			json:    `[1e]`,
			wantErr: true,
		},
		"BadLiteral": {
			reason:  "A misspelled literal is an error.",
			json:    `nul`,
			wantErr: true,
		},
		"Empty": {
			reason:  "No value at all is an error.",
			json:    ` `,
			wantErr: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := valueFromJSON([]byte(tc.json))
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s\nvalueFromJSON(%q): error %v, want an error: %t", tc.reason, tc.json, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\nvalueFromJSON(%q): -want, +got:\n%s", tc.reason, tc.json, diff)
			}
		})
	}
}
