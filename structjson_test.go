package main

import (
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestStructFromJSON checks the parser against the route it replaces:
// go-json-experiment into map[string]any, then structpb.NewStruct.
func TestStructFromJSON(t *testing.T) {
	docs := []string{
		`{}`,
		`{"a":"b","n":1,"f":-1.5e-7,"z":0,"neg":-0,"big":12345678901234567890,"t":true,"fa":false,"nil":null}`,
		`{"esc":"quote \" backslash \\ slash \/ nl \n tab \t u \u00e9 \ud83d\ude00 ctl \u0001","utf8":"héllo 世界 😀"}`,
		`{"nested":{"l":[1,"two",{"three":[]},[],{}],"e":{}} , "sp" : [ 1 , 2 ] }`,
		`{"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\"}]}"}`,
	}
	for _, d := range docs {
		got, err := structFromJSON([]byte(d))
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		m := map[string]any{}
		if err := jsonv2.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		want, err := structpb.NewStruct(m)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s:\ngot  %v\nwant %v", d, got, want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":"b}`, `{"a":tru}`, `{} x`} {
		if _, err := structFromJSON([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
