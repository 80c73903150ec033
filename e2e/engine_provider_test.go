//go:build e2e

package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/function-aurora-postgres/function-aurora-postgres/internal/fakeprovider"
)

// The fake provider's model of an Aurora cluster's engine in AWS, for the
// engine version tests (upgrade_test.go): what version and cluster
// parameter group the cluster runs, what waits for the maintenance window,
// and the requests RDS would refuse as downgrades.
//
// Like RDS: a major alone ("16") gets that major's default minor
// (fakeprovider.EngineVersion, the unit tests' simulation's too); a change
// with applyImmediately applies at once, otherwise at the next maintenance
// window (maintenanceWindow); a version below the running one is refused
// (InvalidParameterCombination: Cannot upgrade aurora-postgresql from 16.8
// to 16.6) and recorded; AWS can upgrade the minor on its own
// (upgradeMinor).

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

// apply is the provider applying the cluster's forProvider, its
// references resolved, to AWS and reporting what runs in atProvider.
func (es *engines) apply(key string, generation int64, fp, at map[string]any) {
	es.mu.Lock()
	defer es.mu.Unlock()
	requested, _ := fp["engineVersion"].(string)
	group, _ := fp["dbClusterParameterGroupName"].(string)
	e, ok := es.byKey[key]
	switch {
	case !ok && (fp["snapshotIdentifier"] != nil || fp["restoreToPointInTime"] != nil):
		// A restore runs the backup's version unless it asks for a later one.
		e = &engine{version: fakeprovider.RestoredVersion(requested), group: group}
		es.byKey[key] = e
	case !ok:
		e = &engine{version: fakeprovider.EngineVersion(requested), group: group}
		es.byKey[key] = e
	case generation == e.generation:
	case below(requested, e.version):
		e.refused = append(e.refused, fmt.Sprintf("engineVersion %s while %s runs", requested, e.version))
	case fp["applyImmediately"] == true:
		if requested != e.version && !sameMajorAlone(requested, e.version) {
			e.version = fakeprovider.EngineVersion(requested)
		}
		if group != "" {
			e.group = group
		}
		e.pendingVersion, e.pendingGroup = "", ""
	default:
		if requested != e.version && !sameMajorAlone(requested, e.version) {
			e.pendingVersion = fakeprovider.EngineVersion(requested)
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
