package main

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/mod/modfile"
)

// alignedModules are the modules CI builds that must require one version of
// every module they share, so that Go's build cache compiles each shared
// package once for all of them (docs/testing.md, "Why a cold CI run fits").
// tools/kube is not one of them: it keeps the versions Kubernetes released
// its API server with.
var alignedModules = []string{"go.mod", "e2e/go.mod", "tools/cli/go.mod", "tools/core/go.mod", "tools/image/go.mod"}

// unalignedModules may differ between the function's modules (the root and
// e2e) and the tools: provider-aws v2.5.0's types need crossplane-runtime
// v2.2 and function-sdk-go v0.6, the Crossplane CLI and core newer ones.
var unalignedModules = map[string]bool{
	"github.com/crossplane/crossplane-runtime/v2": true,
	"github.com/crossplane/function-sdk-go":       true,
	"github.com/crossplane/crossplane/apis/v2":    true,
}

// TestModuleVersionsAligned fails when two of alignedModules require
// different versions of a module they share: a dependency bumped in one
// must be bumped in all.
func TestModuleVersionsAligned(t *testing.T) {
	versions := map[string]map[string]string{} // module path -> go.mod -> version
	for _, gomod := range alignedModules {
		reqs, err := requirements(gomod)
		if err != nil {
			t.Fatal(err)
		}
		for path, v := range reqs {
			if versions[path] == nil {
				versions[path] = map[string]string{}
			}
			versions[path][gomod] = v
		}
	}
	paths := make([]string, 0, len(versions))
	for p := range versions {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if unalignedModules[p] {
			continue
		}
		seen := map[string][]string{}
		for gomod, v := range versions[p] {
			seen[v] = append(seen[v], gomod)
		}
		if len(seen) > 1 {
			t.Errorf("%s: required at different versions %v: require the newest in every go.mod that has it, then go mod tidy", p, seen)
		}
	}
}

// requirements reads a go.mod's require directives: module path to version.
func requirements(gomod string) (map[string]string, error) {
	b, err := os.ReadFile(filepath.Clean(gomod))
	if err != nil {
		return nil, err
	}
	f, err := modfile.ParseLax(gomod, b, nil)
	if err != nil {
		return nil, err
	}
	reqs := map[string]string{}
	for _, r := range f.Require {
		reqs[r.Mod.Path] = r.Mod.Version
	}
	return reqs, nil
}
