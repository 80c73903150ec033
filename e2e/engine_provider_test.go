//go:build e2e

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The fake provider's model of an Aurora cluster's engine in AWS, for the
// engine version tests (upgrade_test.go): what version and cluster
// parameter group the cluster runs, what waits for the maintenance window,
// and the requests RDS would refuse as downgrades.
//
// Like RDS: a major alone ("16") gets that major's default minor; a change
// with applyImmediately applies at once, otherwise at the next maintenance
// window (maintenanceWindow); a version below the running one is refused
// (InvalidParameterCombination: Cannot upgrade aurora-postgresql from 16.8
// to 16.6) and recorded; AWS can upgrade the minor on its own
// (upgradeMinor).

// defaultMinors are the fake AWS's default minor of each major.
var defaultMinors = map[string]string{"13": "13.20", "14": "14.17", "15": "15.12", "16": "16.8", "17": "17.4"}

// restoredEngineVersion is the version of the fake account's backups.
const restoredEngineVersion = "16.9"

// engine is one cluster's engine in AWS.
type engine struct {
	version, group               string
	pendingVersion, pendingGroup string
	refused                      []string
	// generation is the managed resource's generation last applied: a
	// provider applies each new one; polls in between only observe (and
	// provider-upjet-aws#1514 drops a diff that is only a lower version).
	generation int64
}

// engines are the clusters' engines, by namespace/name of their MR.
type engines struct {
	mu    sync.Mutex
	byKey map[string]*engine
}

// resolve is the version RDS picks for a requested one.
func resolve(v string) string {
	if !strings.Contains(v, ".") {
		if d, ok := defaultMinors[v]; ok {
			return d
		}
	}
	return v
}

// below reports whether a requested version asks for less than runs: a
// major alone asks for any minor of it.
func below(requested, running string) bool {
	rm, rmi, rok := strings.Cut(requested, ".")
	gm, gmi, _ := strings.Cut(running, ".")
	a, _ := strconv.Atoi(rm)
	b, _ := strconv.Atoi(gm)
	if a != b || !rok {
		return a < b
	}
	x, _ := strconv.Atoi(rmi)
	y, _ := strconv.Atoi(gmi)
	return x < y
}

// apply is the provider applying the cluster's forProvider to AWS and
// reporting what runs in atProvider. selected is the parameter group the
// cluster's selector resolves to (the fake resolves no reference: the
// function names the first group after the cluster).
func (es *engines) apply(key, selected string, generation int64, fp, at map[string]any) {
	es.mu.Lock()
	defer es.mu.Unlock()
	requested, _ := fp["engineVersion"].(string)
	if requested == "" && (fp["snapshotIdentifier"] != nil || fp["restoreToPointInTime"] != nil) {
		// A restore without engineVersion runs the backup's version, here
		// above the default minor a bare major would give.
		requested = restoredEngineVersion
	}
	group, _ := fp["dbClusterParameterGroupName"].(string)
	if group == "" {
		group = selected
	}
	e, ok := es.byKey[key]
	switch {
	case !ok:
		e = &engine{version: resolve(requested), group: group}
		es.byKey[key] = e
	case generation == e.generation:
	case below(requested, e.version):
		e.refused = append(e.refused, fmt.Sprintf("engineVersion %s while %s runs", requested, e.version))
	case fp["applyImmediately"] == true:
		if requested != e.version && !sameMajorAlone(requested, e.version) {
			e.version = resolve(requested)
		}
		if group != "" {
			e.group = group
		}
		e.pendingVersion, e.pendingGroup = "", ""
	default:
		if requested != e.version && !sameMajorAlone(requested, e.version) {
			e.pendingVersion = resolve(requested)
		}
		if group != e.group {
			e.pendingGroup = group
		}
	}
	e.generation = generation
	at["engineVersionActual"] = e.version
	if e.group != "" {
		at["dbClusterParameterGroupName"] = e.group
	}
}

// sameMajorAlone reports whether a major alone asks for the major that runs.
func sameMajorAlone(requested, running string) bool {
	m, _, _ := strings.Cut(running, ".")
	return requested == m
}

// maintenanceWindow applies what waits for the window.
func (es *engines) maintenanceWindow(key string) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if e := es.byKey[key]; e != nil {
		if e.pendingVersion != "" {
			e.version = e.pendingVersion
		}
		if e.pendingGroup != "" {
			e.group = e.pendingGroup
		}
		e.pendingVersion, e.pendingGroup = "", ""
	}
}

// upgradeMinor is AWS upgrading the minor in the maintenance window.
func (es *engines) upgradeMinor(key, version string) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if e := es.byKey[key]; e != nil {
		e.version = version
	}
}

// running is what a cluster runs, and the downgrades RDS refused.
func (es *engines) running(key string) (version, group string, refused []string) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if e := es.byKey[key]; e != nil {
		return e.version, e.group, append([]string(nil), e.refused...)
	}
	return "", "", nil
}
