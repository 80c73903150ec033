package main

import (
	"strings"
	"testing"
)

// TestEngine13OnlyForExistingClusters checks that Aurora PostgreSQL 13,
// past standard support, is refused for a new cluster (it would run on paid
// Extended Support) and kept for one that exists: a function release must
// never freeze a running cluster.
func TestEngine13OnlyForExistingClusters(t *testing.T) {
	xr := setSpec(readObject(t, "testdata/xr/minimal.yaml"), "engineVersion", "13.16")
	rsp := run(t, newRequest(xr, exampleInput(), nil))
	want := "spec.engineVersion: Forbidden: Aurora PostgreSQL 13 left standard support on 2026-02-28: a new cluster on 13.16 would run on paid RDS Extended Support"
	if !hasFatal(rsp) || !strings.Contains(rsp.GetResults()[0].GetMessage(), want) {
		t.Fatalf("a new 13 cluster must be refused with %q, got %v", want, rsp.GetResults())
	}

	// The same XR once its cluster exists (created before the rule).
	observed, steady := steadyState(t, "testdata/xr/minimal.yaml")
	steady = setSpec(steady, "engineVersion", "13.16")
	cluster := observed["cluster"].GetResource().AsMap()
	cluster["spec"].(map[string]any)["forProvider"].(map[string]any)["engineVersion"] = "13.16"
	cluster["status"].(map[string]any)["atProvider"].(map[string]any)["engineVersionActual"] = "13.16"
	delete(cluster["metadata"].(map[string]any)["annotations"].(map[string]any), annotationEngineVersion)
	for _, n := range []string{"cluster-parameter-group"} {
		pg := observed[n].GetResource().AsMap()
		pg["spec"].(map[string]any)["forProvider"].(map[string]any)["family"] = "aurora-postgresql13"
		observed[n].Resource = mustStruct(pg)
	}
	observed["cluster"].Resource = mustStruct(cluster)
	rsp = run(t, newRequest(steady, exampleInput(), observed))
	if hasFatal(rsp) {
		t.Fatalf("an existing 13 cluster must keep being composed, got %v", rsp.GetResults())
	}
}
