package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/function-sdk-go/resource"
)

func TestCompareVersions(t *testing.T) {
	cases := map[string]struct {
		reason string
		a, b   string
		want   int
	}{
		"MinorLower":      {reason: "16.6 is below 16.8.", a: "16.6", b: "16.8", want: -1},
		"MinorNumeric":    {reason: "Minors compare as numbers: 16.10 is above 16.9.", a: "16.10", b: "16.9", want: 1},
		"MajorOnly":       {reason: "A major alone matches every minor of it.", a: "16", b: "16.8", want: 0},
		"MajorOnlyBelow":  {reason: "A major alone is below a higher major.", a: "16", b: "17.2", want: -1},
		"MajorAbove":      {reason: "17.1 is above 16.13.", a: "17.1", b: "16.13", want: 1},
		"PatchIgnored":    {reason: "A part after the minor does not count.", a: "16.4-limitless", b: "16.4", want: 0},
		"UnparsableEqual": {reason: "An unparsable version never looks like a downgrade.", a: "x", b: "16.8", want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, compareVersions(tc.a, tc.b)); diff != "" {
				t.Errorf("%s\ncompareVersions(%q, %q): -want, +got:\n%s", tc.reason, tc.a, tc.b, diff)
			}
		})
	}
}

// clusterOf is the desired rds Cluster's forProvider and metadata.
func clusterOf(t *testing.T, sim simulation, step int) map[string]any {
	t.Helper()
	return sim.steps[step].rsp.GetDesired().GetResources()[string(nameCluster)].GetResource().AsMap()
}

// upgradePhase is status.upgrade.phase of a step, or "".
func upgradePhase(sim simulation, step int) string {
	return objString(sim.steps[step].rsp.GetDesired().GetComposite().GetResource().AsMap(), "status", "upgrade", "phase")
}

// TestMajorUpgrade plays 15.10 to 16 from a converged cluster: the 16
// group first, the cluster only once it is Ready, then the 15 group's
// removal, and never a version below what runs.
func TestMajorUpgrade(t *testing.T) {
	cases := map[string]struct {
		reason     string
		aws        func(string, map[string]any)
		wantPhases []string
		wantGroups []string
	}{
		"AppliedAtOnce": {
			reason:     "RDS applies the upgrade at once: Preparing, Upgrading, Finishing, then the 16 group alone.",
			wantPhases: []string{upgradePreparing, upgradeUpgrading, upgradeFinishing, ""},
			wantGroups: []string{"cluster-parameter-group-16"},
		},
		"WaitingForTheWindow": {
			reason:     "RDS defers the upgrade to the maintenance window: the XR stays Upgrading with both groups.",
			aws:        awsDefersUpgrade("15.10", "finance-ledger"),
			wantPhases: []string{upgradePreparing, upgradeUpgrading},
			wantGroups: []string{"cluster-parameter-group", "cluster-parameter-group-16"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sim := goldenChanged(t, goldenCase{xr: "testdata/xr/upgrade-16.yaml", before: "testdata/xr/existing-key.yaml", aws: tc.aws})
			var phases []string
			for i := range sim.steps {
				if hasFatal(sim.steps[i].rsp) {
					t.Fatalf("%s\nunexpected fatal result: %v", tc.reason, sim.steps[i].rsp.GetResults())
				}
				if ph := upgradePhase(sim, i); len(phases) == 0 || phases[len(phases)-1] != ph {
					phases = append(phases, ph)
				}
				c := clusterOf(t, sim, i)
				allow, _ := mrParamBool(c, "allowMajorVersionUpgrade")
				group := mrParamString(c, "dbClusterParameterGroupName")
				switch upgradePhase(sim, i) {
				case upgradePreparing:
					if v := mrParamString(c, "engineVersion"); v != "15.10" || allow {
						t.Errorf("%s\nwhile the 16 group is created the cluster must stay on 15.10 without allowMajorVersionUpgrade, got %s, %v", tc.reason, v, allow)
					}
				case upgradeUpgrading:
					if v := mrParamString(c, "engineVersion"); v != "16.8" || !allow || group != "finance-ledger-aurora-postgresql16" {
						t.Errorf("%s\nupgrading: want 16 on finance-ledger-aurora-postgresql16 with allowMajorVersionUpgrade, got %s on %q, %v", tc.reason, v, group, allow)
					}
				}
			}
			if diff := cmp.Diff(tc.wantPhases, phases); diff != "" {
				t.Errorf("%s\nphases: -want, +got:\n%s", tc.reason, diff)
			}
			var groups []string
			for n := range sim.steps[len(sim.steps)-1].rsp.GetDesired().GetResources() {
				if isClusterParameterGroup(resourceNameOf(n)) {
					groups = append(groups, n)
				}
			}
			if diff := cmp.Diff(tc.wantGroups, sortedStrings(groups)); diff != "" {
				t.Errorf("%s\nparameter groups at the end: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestMinorUpgradedByAWS checks that after AWS upgrades the minor, the
// cluster never asks for a lower version, whether the spec pins a minor or
// names a major.
func TestMinorUpgradedByAWS(t *testing.T) {
	cases := map[string]struct {
		reason      string
		version     string
		wantVersion string
		wantMessage bool
	}{
		"Pinned": {
			reason:      "A pinned 16.6 under a running 16.8: the cluster asks for 16.8, and status says the spec is behind.",
			version:     "16.6",
			wantVersion: "16.8",
			wantMessage: true,
		},
		"MajorOnly": {
			reason:      "A major alone: 16 matches 16.8, nothing is behind.",
			version:     "16",
			wantVersion: "16",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := setSpec(readObject(t, "testdata/xr/minimal.yaml"), "engineVersion", tc.version)
			_, observed, converged := converge(t, xr, exampleInput())
			sim := simulateWith(t, converged, exampleInput(), simOptions{observed: observed, aws: awsRunsVersion("16.8")})
			last := sim.steps[len(sim.steps)-1]
			if hasFatal(last.rsp) {
				t.Fatalf("%s\nunexpected fatal result: %v", tc.reason, last.rsp.GetResults())
			}
			// The first call still saw 16.6 running; AWS upgrades after it.
			for i := 1; i < len(sim.steps); i++ {
				if got := mrParamString(clusterOf(t, sim, i), "engineVersion"); got != tc.wantVersion {
					t.Errorf("%s\ncall %d: engineVersion %q, want %q", tc.reason, i+1, got, tc.wantVersion)
				}
			}
			msg := objString(last.rsp.GetDesired().GetComposite().GetResource().AsMap(), "status", "engineVersionMessage")
			if (msg != "") != tc.wantMessage {
				t.Errorf("%s\nstatus.engineVersionMessage %q, want set: %v", tc.reason, msg, tc.wantMessage)
			}
		})
	}
}

func resourceNameOf(n string) resource.Name { return resource.Name(n) }

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}

// TestMajorUpgradeWithInstanceParameters plays TestMajorUpgrade's upgrade
// with spec.instanceParameters: RDS refuses the upgrade unless the same
// ModifyDBCluster names the target family's DB parameter group
// (hashicorp/terraform-provider-aws#35912), so that group is Ready before
// the cluster moves, the cluster names it with allowMajorVersionUpgrade, the
// instances stay on the running family's group until the cluster runs the
// target major, and the old group goes last.
func TestMajorUpgradeWithInstanceParameters(t *testing.T) {
	dir := t.TempDir()
	withParameters := func(path string) string {
		obj := readObject(t, path)
		obj["spec"].(map[string]any)["instanceParameters"] = []any{map[string]any{"name": "work_mem", "value": "65536"}}
		b, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, filepath.Base(path))
		if err := os.WriteFile(out, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return out
	}
	sim := goldenChanged(t, goldenCase{xr: withParameters("testdata/xr/upgrade-16.yaml"), before: withParameters("testdata/xr/existing-key.yaml")})
	const (
		group15 = "db-parameter-group-15"
		group16 = "db-parameter-group-16"
	)
	instanceGroups := func(i int) (groups, selected []string) {
		for n, r := range sim.steps[i].rsp.GetDesired().GetResources() {
			switch {
			case strings.HasPrefix(n, prefixInstanceParameterGroup):
				groups = append(groups, n)
			case strings.HasPrefix(n, prefixInstance):
				sel, _ := mrParam(r.GetResource().AsMap(), "dbParameterGroupNameSelector")
				labels, _ := sel.(map[string]any)["matchLabels"].(map[string]any)
				selected = append(selected, n+"->"+fmt.Sprint(labels[labelComponent]))
			}
		}
		return sortedStrings(groups), sortedStrings(selected)
	}
	var phases []string
	for i := range sim.steps {
		if hasFatal(sim.steps[i].rsp) {
			t.Fatalf("unexpected fatal result: %v", sim.steps[i].rsp.GetResults())
		}
		ph := upgradePhase(sim, i)
		if len(phases) == 0 || phases[len(phases)-1] != ph {
			phases = append(phases, ph)
		}
		c := clusterOf(t, sim, i)
		groups, selected := instanceGroups(i)
		dbGroup := mrParamString(c, "dbInstanceParameterGroupName")
		switch ph {
		case upgradePreparing, upgradeUpgrading:
			if diff := cmp.Diff([]string{group15, group16}, groups); diff != "" {
				t.Errorf("step %d (%s): both families' DB parameter groups: -want, +got:\n%s", i, ph, diff)
			}
			for _, s := range selected {
				if !strings.HasSuffix(s, "->"+group15) {
					t.Errorf("step %d (%s): %s: the instances stay on the running family's group until the cluster runs 16", i, ph, s)
				}
			}
		}
		switch ph {
		case upgradePreparing:
			if dbGroup != "" {
				t.Errorf("step %d: preparing: the cluster names no DB instance parameter group before the upgrade, got %q", i, dbGroup)
			}
		case upgradeUpgrading:
			if dbGroup != "finance-ledger-aurora-postgresql16" {
				t.Errorf("step %d: upgrading: dbInstanceParameterGroupName %q, want finance-ledger-aurora-postgresql16 (terraform-provider-aws#35912)", i, dbGroup)
			}
			if !observedFrom(sim.steps[i].req).ready(group16) {
				t.Errorf("step %d: upgrading before %s is Ready", i, group16)
			}
		}
	}
	if diff := cmp.Diff([]string{upgradePreparing, upgradeUpgrading, upgradeFinishing, ""}, phases); diff != "" {
		t.Errorf("phases: -want, +got:\n%s", diff)
	}
	groups, selected := instanceGroups(len(sim.steps) - 1)
	if diff := cmp.Diff([]string{group16}, groups); diff != "" {
		t.Errorf("DB parameter groups at the end: -want, +got:\n%s", diff)
	}
	for _, s := range selected {
		if !strings.HasSuffix(s, "->"+group16) {
			t.Errorf("at the end: %s: the instances use the 16 group", s)
		}
	}
}

// TestMajorUpgradeNeedsTargetMinor: a major upgrade to a bare major is
// refused, naming spec.engineVersion: RDS upgrades only to the targets valid
// from the running minor, and a major alone asks for the new major's
// default minor. Once the cluster runs the target, the major alone is fine.
func TestMajorUpgradeNeedsTargetMinor(t *testing.T) {
	_, observed, xr := converge(t, readObject(t, "testdata/xr/existing-key.yaml"), exampleInput())
	bare := setSpec(xr, "engineVersion", "16")
	checkFatal(t, "a major upgrade to a bare major is refused", run(t, newRequest(bare, exampleInput(), observed)),
		`spec.engineVersion: Invalid value: "16": a major upgrade from 15.10 needs its target minor, such as 16.N`)

	sim := goldenChanged(t, goldenCase{xr: "testdata/xr/upgrade-16.yaml", before: "testdata/xr/existing-key.yaml"})
	after := setSpec(sim.xr, "engineVersion", "16")
	checkFatal(t, "once the cluster runs 16.8, the major alone is no upgrade", run(t, newRequest(after, exampleInput(), sim.observed)), "")
}
