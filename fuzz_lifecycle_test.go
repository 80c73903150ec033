package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
)

// FuzzLifecycle edits a valid XR's spec between calls, as a user would over
// its life, and plays Crossplane and the provider in between (sim_test.go:
// each call observes what the previous one desired, as the fake provider
// reports it; a Fatal result applies nothing). It starts from an example XR,
// new or at its steady state, and the fuzzer's bytes choose the edits and
// when the function is called; an edit the function refuses (Fatal) is
// reverted after that call, as its user would. Besides spec edits, the
// provider may fail to report a resource for a call, and the XR may lose
// its status. Every response must hold:
//
//   - a Fatal result composes nothing;
//   - no observed resource leaves the desired state unless an edit of the
//     last two calls removed it (lifecycleEdits says which names each edit
//     may remove; a Usage goes with either of its two resources), or the
//     bootstrap hand-off did (the bootstrap Secret and SecretVersion);
//   - a used resource leaving waits one call for its Usage: while an
//     observed Usage leaves, the resource it protects stays;
//   - a desired Usage's two resources are desired;
//   - the bootstrap password (testPassword) appears nowhere but in the
//     bootstrap v1 Secret, plainly or base64-encoded;
//
// and the last call's composed resources are what the SDK's own conversion
// gives (checkDesiredMatchesSDK). A panic fails too.
//
// The script is read two bytes at a time: an edit (its low 7 bits pick one
// of lifecycleEdits; the high bit set means no call follows, so edits can
// pile up before one call) and the edit's parameter. Two calls end every
// script, so removals that wait for a Usage happen. xr indexes the sorted
// example XRs (lifecycleBases) and the edits are numbered in their order:
// adding either changes what an entry of testdata/fuzz/FuzzLifecycle does,
// which stays a valid input.
func FuzzLifecycle(f *testing.F) {
	bases := lifecycleBases(f)
	mainXR := slices.IndexFunc(bases, func(b lifecycleBase) bool { return b.path == "example/xr.yaml" })
	for i := range bases {
		// Each XR created, with nothing but calls.
		f.Add(uint8(i), false, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	}
	for e := range lifecycleEdits {
		// Each edit at the main example's steady state and at another's,
		// then with another parameter and no call in between.
		for _, i := range []int{mainXR, e % len(bases)} {
			f.Add(uint8(i), true, []byte{byte(e), byte(7 * e), byte(e | 0x80), byte(7*e + 1), 0, 0})
		}
	}
	// Edits while the cluster is being created, and edits piled up before
	// one call.
	f.Add(uint8(mainXR), false, []byte{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0})
	f.Add(uint8(mainXR), true, []byte{1 | 0x80, 0, 3 | 0x80, 1, 12, 0, 1, 0})
	f.Fuzz(func(t *testing.T, xr uint8, steady bool, script []byte) {
		b := bases[int(xr)%len(bases)]
		lc := newLifecycle(t, b, steady)
		for calls := 0; len(script) > 0 && calls < lifecycleMaxCalls; {
			op := script[0]
			var param byte
			if len(script) > 1 {
				param = script[1]
			}
			script = script[min(2, len(script)):]
			lc.edit(lifecycleEdits[int(op&0x7f)%len(lifecycleEdits)], param)
			if op&0x80 == 0 {
				lc.call(false)
				calls++
			}
		}
		lc.call(false)
		lc.call(true)
	})
}

// lifecycleMaxCalls bounds the calls of one script, for the fuzzer's speed.
const lifecycleMaxCalls = 12

// lifecycleBase is an example XR, new and at its steady state.
type lifecycleBase struct {
	path           string
	xr, steadyXR   map[string]any
	steadyObserved map[string]*fnv1.Resource
}

// lifecycleBases are the valid example and test XRs.
func lifecycleBases(f *testing.F) []lifecycleBase {
	f.Helper()
	var bases []lifecycleBase
	for _, file := range exampleXRFiles(f) {
		if strings.HasPrefix(filepath.Base(file), "invalid") {
			continue
		}
		xr := readObject(f, file)
		_, observed, steady := converge(f, xr, exampleInput())
		bases = append(bases, lifecycleBase{path: file, xr: xr, steadyXR: steady, steadyObserved: observed})
	}
	return bases
}

// lifecycle is one run of FuzzLifecycle.
type lifecycle struct {
	t        *testing.T
	pv       provider
	xr       map[string]any
	observed map[string]*fnv1.Resource
	// allowed are the removals the recent edits allow, each for the next
	// two calls that are not Fatal.
	allowed []allowance
	// good is the spec of the last call that was not Fatal, and kept the
	// number of allowances then: a user whose edit is refused reverts it.
	good map[string]any
	kept int
	// log is what happened, for failure messages.
	log []string
	n   int
}

// allowance lets the resources an edit removes leave the desired state.
type allowance struct {
	edit  string
	drops func(name string) bool
	calls int
}

func newLifecycle(t *testing.T, b lifecycleBase, steady bool) *lifecycle {
	xr, observed := b.xr, map[string]*fnv1.Resource{}
	if steady {
		xr, observed = b.steadyXR, maps.Clone(b.steadyObserved)
	}
	lc := &lifecycle{t: t, pv: forXR(b.xr, testAccount), xr: mustStruct(xr).AsMap(), observed: observed}
	lc.good = mustStruct(lc.xr).AsMap()["spec"].(map[string]any)
	start := "new"
	if steady {
		start = "at its steady state"
	}
	lc.log = append(lc.log, fmt.Sprintf("%s, %s", b.path, start))
	return lc
}

// edit applies e to the XR's spec and allows what it removes.
func (lc *lifecycle) edit(e lifecycleEdit, param byte) {
	spec, ok := lc.xr["spec"].(map[string]any)
	if !ok {
		lc.t.Fatalf("the XR has no spec: %v", lc.xr)
	}
	if e.event != nil {
		if did := e.event(lc, param); did != "" {
			lc.log = append(lc.log, e.name+": "+did)
		}
		return
	}
	did, drops := e.apply(spec, effectiveSpec(spec), param)
	if did == "" {
		return
	}
	lc.log = append(lc.log, e.name+": "+did)
	if drops != nil {
		calls := 2
		if strings.HasPrefix(did, "engine ") || e.name == "remove a reader" {
			// Preparing, Upgrading, then Finishing: the old group goes
			// a few calls after the edit. An adopted cluster's removed
			// reader is observed as a member of its own until RDS stops
			// listing it, also a few calls later.
			calls = 6
		}
		lc.allowed = append(lc.allowed, allowance{edit: e.name + ": " + did, drops: drops, calls: calls})
	}
}

// call runs the function once on the XR and what is observed, checks the
// response and plays Crossplane and the provider: what the response desires
// is observed by the next call, and the XR gets the desired status. A Fatal
// result changes nothing, and the user then reverts the spec to the last
// one that was not refused. last also checks the response against the SDK.
func (lc *lifecycle) call(last bool) {
	t := lc.t
	t.Helper()
	lc.n++
	req := newRequest(lc.xr, exampleInput(), lc.observed)
	rsp := run(t, req)
	desired := rsp.GetDesired().GetResources()
	fatal := hasFatal(rsp)
	lc.log = append(lc.log, fmt.Sprintf("call %d: %d desired, fatal %t", lc.n, len(desired), fatal))
	fail := func(format string, a ...any) {
		t.Helper()
		t.Fatalf("call %d: %s\nwhat happened:\n  %s", lc.n, fmt.Sprintf(format, a...), strings.Join(lc.log, "\n  "))
	}

	if leak := passwordLeak(rsp); leak != "" {
		fail("the bootstrap password is outside the bootstrap Secret: %s", leak)
	}
	if fatal {
		if len(desired) > 0 {
			fail("a Fatal result (%v) with %d desired composed resources", rsp.GetResults(), len(desired))
		}
		// Crossplane applies nothing: same observed state, same status.
		lc.xr["spec"] = mustStruct(lc.good).AsMap()
		lc.allowed = lc.allowed[:lc.kept]
		lc.log = append(lc.log, "revert the spec")
		return
	}
	if rsp.GetDesired().GetComposite() == nil {
		fail("no Fatal result and no desired composite resource")
	}

	handedOff := false
	if st, ok := rsp.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any); ok {
		if b, ok := st["bootstrap"].(map[string]any); ok {
			handedOff = b["phase"] == bootstrapHandedOff
		}
	}
	var mayDrop func(n string) bool
	mayDrop = func(n string) bool {
		if (n == string(nameBootstrapSecret) || n == string(nameMasterSecretVersion)) && handedOff {
			return true
		}
		if isUsage(resource.Name(n)) {
			of, by := usageEnds(lc.observed[n])
			return mayDrop(of) || mayDrop(by)
		}
		for _, a := range lc.allowed {
			if a.drops(n) {
				return true
			}
		}
		return false
	}
	var dropped []string
	for n := range lc.observed {
		if _, ok := desired[n]; !ok && !mayDrop(n) {
			dropped = append(dropped, n)
		}
	}
	if len(dropped) > 0 {
		sort.Strings(dropped)
		var edits []string
		for _, a := range lc.allowed {
			edits = append(edits, a.edit)
		}
		fail("observed resources left the desired state, which no edit removed: %v (edits whose removals are allowed now: %q)", dropped, edits)
	}
	for n, r := range lc.observed {
		if _, ok := desired[n]; ok || !isUsage(resource.Name(n)) {
			continue
		}
		if of, _ := usageEnds(r); lc.observed[of] != nil && desired[of] == nil {
			fail("Usage %q and the resource it protects, %q, left together: the used resource must wait one call for its Usage to go", n, of)
		}
	}
	for n, r := range desired {
		if !isUsage(resource.Name(n)) {
			continue
		}
		if of, by := usageEnds(r); desired[of] == nil || desired[by] == nil {
			fail("Usage %q is desired without both of its resources (%q used by %q)", n, of, by)
		}
	}
	if last {
		checkDesiredMatchesSDK(t, req, rsp)
	}

	lc.xr = withStatus(lc.xr, rsp.GetDesired().GetComposite().GetResource())
	lc.observed = lc.pv.observeAll(desired)
	kept := lc.allowed[:0]
	for _, a := range lc.allowed {
		if a.calls--; a.calls > 0 {
			kept = append(kept, a)
		}
	}
	lc.allowed = kept
	lc.good, lc.kept = mustStruct(lc.xr).AsMap()["spec"].(map[string]any), len(lc.allowed)
}

// usageEnds are the composed resources a Usage's selectors name: the used
// one and its user.
func usageEnds(r *fnv1.Resource) (of, by string) {
	spec := r.GetResource().GetFields()["spec"].GetStructValue().GetFields()
	end := func(side string) string {
		sel := spec[side].GetStructValue().GetFields()["resourceSelector"].GetStructValue()
		return sel.GetFields()["matchLabels"].GetStructValue().GetFields()[labelComponent].GetStringValue()
	}
	return end("of"), end("by")
}

// passwordLeak says where the response carries the bootstrap password, as
// such or base64-encoded, anywhere but in the bootstrap v1 Secret; "" when
// it does not. Every string and bytes field of the response is read: the
// desired composed resources and XR, connection details, results,
// conditions, requirements and context.
func passwordLeak(rsp *fnv1.RunFunctionResponse) string {
	if r := rsp.GetDesired().GetResources()[string(nameBootstrapSecret)]; r != nil {
		f := r.GetResource().GetFields()
		if f["apiVersion"].GetStringValue() == "v1" && f["kind"].GetStringValue() == "Secret" {
			delete(rsp.Desired.Resources, string(nameBootstrapSecret))
			defer func() { rsp.Desired.Resources[string(nameBootstrapSecret)] = r }()
		}
	}
	var leak string
	var walk func(path string, m protoreflect.Message)
	var value func(path string, fd protoreflect.FieldDescriptor, v protoreflect.Value)
	value = func(path string, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
		switch fd.Kind() {
		case protoreflect.StringKind:
			if carriesPassword([]byte(v.String())) {
				leak = path
			}
		case protoreflect.BytesKind:
			if carriesPassword(v.Bytes()) {
				leak = path
			}
		case protoreflect.MessageKind, protoreflect.GroupKind:
			walk(path, v.Message())
		}
	}
	walk = func(path string, m protoreflect.Message) {
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			p := path + "." + string(fd.Name())
			switch {
			case fd.IsList():
				l := v.List()
				for i := 0; i < l.Len() && leak == ""; i++ {
					value(fmt.Sprintf("%s[%d]", p, i), fd, l.Get(i))
				}
			case fd.IsMap():
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					kp := fmt.Sprintf("%s[%q]", p, k.String())
					if carriesPassword([]byte(k.String())) {
						leak = kp
					}
					value(kp, fd.MapValue(), mv)
					return leak == ""
				})
			default:
				value(p, fd, v)
			}
			return leak == ""
		})
	}
	walk("response", rsp.ProtoReflect())
	return leak
}

// carriesPassword reports whether b holds the bootstrap password, as such or
// base64-encoded (as a Secret's data, connection details or protojson bytes
// carry it).
func carriesPassword(b []byte) bool {
	if strings.Contains(string(b), testPassword) {
		return true
	}
	if len(b) < len(testPassword) {
		return false
	}
	s := strings.TrimSpace(string(b))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if d, err := enc.DecodeString(s); err == nil && strings.Contains(string(d), testPassword) {
			return true
		}
	}
	return false
}

// effectiveSpec is spec as the function reads it, with its defaults: what an
// edit toggles. A spec the function cannot decode gives the defaults.
func effectiveSpec(spec map[string]any) *AuroraSpec {
	s := &AuroraSpec{}
	if j, err := json.Marshal(spec); err == nil {
		if err := json.Unmarshal(j, s); err != nil {
			s = &AuroraSpec{}
		}
	}
	withDefaults(s)
	return s
}

// lifecycleEdit is one kind of spec edit. apply edits spec (the XR's, as
// the user writes it; eff is it with the defaults) as param says, and
// returns what it did ("" for nothing) and the composed resources the edit
// may remove (nil for none). A Usage may go with either of its resources:
// edits do not list Usages. An edit with event instead changes what the
// next call observes, and may remove nothing.
type lifecycleEdit struct {
	name  string
	apply func(spec map[string]any, eff *AuroraSpec, param byte) (string, func(string) bool)
	event func(lc *lifecycle, param byte) string
}

// Names of the resources that exist for rotation only, and those of the
// Secrets Manager endpoint.
var (
	rotationNames = []resource.Name{
		nameSecretRotation, nameRotatorStack, nameRotatorFunction, nameRotatorRole, nameRotatorRolePolicy,
		nameRotatorVPCAccess, nameRotatorPermission, nameRotatorSecurityGroup, nameRotatorEgressDB,
		nameRotatorEgressEndpoint, nameIngressFromRotator, nameAlarm(alarmRotationFailure, ""),
	}
	rotationPrefixes = []string{prefixIngressRotatorSecurityGroup}
	endpointNames    = []resource.Name{
		nameEndpoint, nameEndpointSecurityGroup, nameEndpointSGAssociation, nameEndpointIngressRotator,
	}
	endpointPrefixes = []string{prefixEndpointSubnetAssoc, prefixEndpointIngressCIDR, prefixEndpointIngressSecurityGroup}
)

// oneOf allows the given names and names with the given prefixes.
func oneOf(names []resource.Name, prefixes ...string) func(string) bool {
	return func(n string) bool {
		if slices.Contains(names, resource.Name(n)) {
			return true
		}
		for _, p := range prefixes {
			if strings.HasPrefix(n, p) {
				return true
			}
		}
		return false
	}
}

// either allows what a or b allows.
func either(a, b func(string) bool) func(string) bool {
	return func(n string) bool { return a(n) || b(n) }
}

// alarmsOfKind allows the alarms of one kind: cluster-wide and per instance.
func alarmsOfKind(kind string) func(string) bool {
	return func(n string) bool {
		return n == string(nameAlarm(kind, "")) || strings.HasPrefix(n, string(nameAlarm(kind, ""))+"-")
	}
}

// eventSubscriptions allows the RDS event subscriptions.
var eventSubscriptions = oneOf([]resource.Name{nameEventSubscriptionCluster, nameEventSubscriptionInstances})

// slowQueryMonitoring allows the slow-query metric filter and its alarm.
var slowQueryMonitoring = either(oneOf([]resource.Name{nameSlowQueryMetricFilter}), alarmsOfKind(alarmSlowQueries))

// at returns the map at path in spec, creating what is missing (and
// replacing what is not a map).
func at(spec map[string]any, path ...string) map[string]any {
	m := spec
	for _, k := range path {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	return m
}

func anyList(ss []string) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

// instances returns the spec's instance list, the default one writer if it
// has none, written back so edits change it in place.
func instances(spec map[string]any) []any {
	l, ok := spec["instances"].([]any)
	if !ok {
		l = []any{map[string]any{"instanceClass": defaultInstanceClass}}
		spec["instances"] = l
	}
	return l
}

// alarmSettingFields are the settings of the alarms with a threshold of
// their own, with their alarm kind.
var alarmSettingFields = []struct{ field, kind string }{
	{"cpu", alarmCPU},
	{"freeableMemory", alarmFreeableMemory},
	{"connections", alarmConnections},
	{"replicaLag", alarmReplicaLag},
	{"acuUtilization", alarmACUUtilization},
	{"rotationFailure", alarmRotationFailure},
}

// lifecycleEdits are the edits FuzzLifecycle makes. Each says precisely
// which composed resources it may remove; anything else that leaves is a
// failure.
var lifecycleEdits = []lifecycleEdit{
	{name: "call only", apply: func(map[string]any, *AuroraSpec, byte) (string, func(string) bool) {
		return "", nil
	}},
	{name: "toggle rotation", apply: func(spec map[string]any, eff *AuroraSpec, _ byte) (string, func(string) bool) {
		on := eff.Credentials.Rotation.Enabled == nil || *eff.Credentials.Rotation.Enabled
		at(spec, "credentials", "rotation")["enabled"] = !on
		if !on {
			return "on", nil
		}
		// The rotator, its network and the endpoint the rotator calls.
		return "off", either(oneOf(rotationNames, rotationPrefixes...), oneOf(endpointNames, endpointPrefixes...))
	}},
	{name: "add a reader", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		l := instances(spec)
		in := map[string]any{"instanceClass": eff.Instances[0].InstanceClass}
		name := ""
		if p&1 == 0 {
			name = fmt.Sprintf("rd%d", p>>1%8)
			in["name"] = name
		}
		spec["instances"] = append(l, in)
		return fmt.Sprintf("%q, %s", name, in["instanceClass"]), nil
	}},
	{name: "remove a reader", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		l := instances(spec)
		if len(l) < 2 || len(l) != len(eff.Instances) {
			return "", nil
		}
		i := 1 + int(p)%(len(l)-1)
		if slices.ContainsFunc(eff.Instances[i+1:], func(in Instance) bool { return in.Name == "" }) {
			// NOTE: an unnamed instance is keyed by its position, so
			// removing any instance before one replaces that one under a
			// new identifier, and removing an unnamed one that is not last
			// removes the last one (review A2, FuzzLifecycle's finding):
			// the last one is removed instead.
			i = len(l) - 1
		}
		suffix := instanceSuffix(i, eff.Instances[i])
		spec["instances"] = slices.Delete(slices.Clone(l), i, i+1)
		drops := func(n string) bool {
			if n == string(nameInstance(suffix)) || (len(l) == 2 && n == string(nameAlarm(alarmReplicaLag, ""))) { // no reader left
				return true
			}
			// An adopted cluster's reader: while RDS deletes it, the cluster
			// still lists it and it is observed as a member of its own
			// (adopt.go, memberName); that goes once RDS stops listing it.
			if strings.HasPrefix(n, prefixMember) && strings.HasSuffix(n, "-"+suffix) {
				return true
			}
			for kind := range alarmSpecs {
				if n == string(nameAlarm(kind, suffix)) {
					return true
				}
			}
			return false
		}
		return fmt.Sprintf("%d (%s)", i, suffix), drops
	}},
	{name: "change an instance class", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		l := instances(spec)
		if len(l) != len(eff.Instances) {
			return "", nil
		}
		i := int(p) % len(l)
		class := []string{"db.r6g.large", "db.r6g.xlarge", "db.t4g.medium", instanceClassServerless}[p>>4%4]
		in, ok := l[i].(map[string]any)
		if !ok {
			return "", nil
		}
		in["instanceClass"] = class
		if class == instanceClassServerless && eff.ServerlessV2 == nil && p&1 == 0 {
			spec["serverlessV2"] = map[string]any{"minCapacity": 0.5, "maxCapacity": 8.0}
		}
		if (eff.Instances[i].InstanceClass == instanceClassServerless) == (class == instanceClassServerless) {
			return fmt.Sprintf("%d to %s", i, class), nil
		}
		// Memory and local-storage alarms are for provisioned instances, ACU
		// alarms for serverless ones.
		suffix := instanceSuffix(i, eff.Instances[i])
		return fmt.Sprintf("%d to %s", i, class), oneOf([]resource.Name{nameAlarm(alarmFreeableMemory, suffix), nameAlarm(alarmFreeLocalStorage, suffix), nameAlarm(alarmACUUtilization, suffix)})
	}},
	{name: "change a threshold", apply: func(spec map[string]any, _ *AuroraSpec, p byte) (string, func(string) bool) {
		// Mostly values every alarm accepts, sometimes one out of range.
		v := []float64{1, 50, 75.5, 90, 2, 10, 0, 1e6}[p>>4%8]
		if f := int(p) % (len(alarmSettingFields) + 1); f < len(alarmSettingFields) {
			at(spec, "monitoring", "alarms", alarmSettingFields[f].field)["threshold"] = v
			return fmt.Sprintf("%s %v", alarmSettingFields[f].field, v), nil
		}
		at(spec, "monitoring", "slowQueryMetrics")["threshold"] = v
		return fmt.Sprintf("slow queries %v", v), nil
	}},
	{name: "change the slow-query threshold", apply: func(spec map[string]any, _ *AuroraSpec, p byte) (string, func(string) bool) {
		ms := []float64{-1, 0, 250, 1000, 5000}[int(p)%5]
		at(spec, "logging")["slowQueryThresholdMs"] = ms
		if ms < 0 {
			return "off", slowQueryMonitoring
		}
		return fmt.Sprintf("%v ms", ms), nil
	}},
	{name: "remove a log export", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		exports := eff.Logging.Exports
		if len(exports) == 0 {
			return "", nil
		}
		e := exports[int(p)%len(exports)]
		at(spec, "logging")["exports"] = anyList(slices.DeleteFunc(slices.Clone(exports), func(x string) bool { return x == e }))
		drops := oneOf([]resource.Name{nameLogGroup(e)})
		if e == logExportPostgreSQL {
			drops = either(drops, slowQueryMonitoring)
		}
		return e, drops
	}},
	{name: "add a log export", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		e := []string{logExportPostgreSQL, logExportIAMDBAuthError}[int(p)%2]
		if slices.Contains(eff.Logging.Exports, e) {
			return "", nil
		}
		at(spec, "logging")["exports"] = anyList(append(slices.Clone(eff.Logging.Exports), e))
		if e == logExportIAMDBAuthError && p&2 == 0 {
			spec["iamDatabaseAuthentication"] = true // which the export needs
		}
		return e, nil
	}},
	{name: "flip deletionProtection", apply: func(spec map[string]any, eff *AuroraSpec, _ byte) (string, func(string) bool) {
		spec["deletionProtection"] = !*eff.DeletionProtection
		return fmt.Sprint(!*eff.DeletionProtection), nil
	}},
	{name: "flip finalSnapshot", apply: func(spec map[string]any, eff *AuroraSpec, _ byte) (string, func(string) bool) {
		spec["finalSnapshot"] = !*eff.FinalSnapshot
		return fmt.Sprint(!*eff.FinalSnapshot), nil
	}},
	{name: "change tags", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		tags := at(spec)["tags"]
		m, ok := tags.(map[string]any)
		if !ok {
			m = map[string]any{}
			spec["tags"] = m
		}
		k := []string{"Environment", "Team", "CostCenter", "fuzz:key"}[int(p)%4]
		switch v := []string{"", "prod", "a b+c=d", "", "staging", "x", "", strings.Repeat("x", 300)}[p>>2%8]; v {
		case "":
			delete(m, k)
			return "remove " + k, nil
		default:
			m[k] = v
			return fmt.Sprintf("%s=%.20s", k, v), nil
		}
	}},
	{name: "toggle alarms", apply: func(spec map[string]any, eff *AuroraSpec, _ byte) (string, func(string) bool) {
		on := *eff.Monitoring.Alarms.Enabled
		at(spec, "monitoring", "alarms")["enabled"] = !on
		if !on {
			return "on", nil
		}
		return "off", either(func(n string) bool { return strings.HasPrefix(n, prefixAlarm) }, eventSubscriptions)
	}},
	{name: "toggle one alarm", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		field, kind, on := "slowQueries", alarmSlowQueries, *eff.Monitoring.Alarms.SlowQueries.Enabled
		if f := int(p) % (len(alarmSettingFields) + 1); f < len(alarmSettingFields) {
			field, kind = alarmSettingFields[f].field, alarmSettingFields[f].kind
			on = *eff.Monitoring.Alarms.settings()[kind].Enabled
		}
		at(spec, "monitoring", "alarms", field)["enabled"] = !on
		if !on {
			return field + " on", nil
		}
		return field + " off", alarmsOfKind(kind)
	}},
	{name: "toggle events", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		ev := eff.Monitoring.Alarms.Events
		if p&1 == 0 {
			at(spec, "monitoring", "alarms", "events")["enabled"] = !*ev.Enabled
			if *ev.Enabled {
				return "off", eventSubscriptions
			}
			return "on", nil
		}
		at(spec, "monitoring", "alarms", "events")["instanceEvents"] = !*ev.InstanceEvents
		if *ev.InstanceEvents {
			return "instance events off", oneOf([]resource.Name{nameEventSubscriptionInstances})
		}
		return "instance events on", nil
	}},
	{name: "change alarm actions", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		region := eff.Region
		part := partitionOf(region)
		sns := fmt.Sprintf("arn:%s:sns:%s:%s:fuzz-oncall", part, region, testAccount)
		lambda := fmt.Sprintf("arn:%s:lambda:%s:%s:function:fuzz-pager", part, region, testAccount)
		actions := [][]string{{}, {sns}, {lambda}, {lambda, sns}, {sns}, {"arn:aws:sns:mars-1:1:x"}}[int(p)%6]
		at(spec, "monitoring", "alarms")["actionArns"] = anyList(actions)
		if slices.Contains(actions, sns) {
			return fmt.Sprint(actions), nil
		}
		// Without an SNS topic no RDS event subscription can be composed.
		return fmt.Sprint(actions), eventSubscriptions
	}},
	{name: "switch private DNS", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		on := *eff.VPCEndpoint.PrivateDNSEnabled
		at(spec, "vpcEndpoint")["privateDnsEnabled"] = !on
		blocks := [][]string{{"10.20.0.0/16"}, {"10.40.0.0/16", "100.64.0.0/20"}, {"fd00:40::/56"}, nil}[p>>1%4]
		if p&1 == 1 || !on {
			at(spec, "network")["vpcCidrBlocks"] = anyList(blocks)
		}
		if !on {
			// The rules of the VPC's networks it no longer lists.
			return fmt.Sprintf("on, VPC %v", blocks), func(n string) bool {
				return strings.HasPrefix(n, prefixEndpointIngressCIDR) && !slices.ContainsFunc(blocks, func(c string) bool { return n == string(nameEndpointIngressCIDR(c)) })
			}
		}
		return "off", oneOf(nil, prefixEndpointIngressCIDR)
	}},
	{name: "change the VPC endpoint", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		e := at(spec, "vpcEndpoint")
		switch p % 3 {
		case 0:
			e["enabled"] = !*eff.VPCEndpoint.Enabled
			if *eff.VPCEndpoint.Enabled {
				return "off", oneOf(endpointNames, endpointPrefixes...)
			}
			return "on", nil
		case 1:
			e["existingEndpointId"] = "vpce-0fedcba9876543210"
			if p&4 == 0 {
				delete(e, "subnetIds") // which apply only to the function's own
				delete(e, "privateDnsEnabled")
			}
			return "use an existing one", oneOf(endpointNames, endpointPrefixes...)
		default:
			delete(e, "existingEndpointId")
			if l, _ := e["subnetIds"].([]any); len(l) == 0 && len(eff.Network.SubnetIDs) > 1 && p&4 == 0 {
				e["subnetIds"] = anyList(eff.Network.SubnetIDs[:2])
			}
			return "no existing one", nil
		}
	}},
	{name: "change allowed CIDR blocks", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		blocks := eff.Network.AllowedCIDRBlocks
		if p&1 == 1 && len(blocks) > 0 {
			c := blocks[int(p>>1)%len(blocks)]
			at(spec, "network")["allowedCidrBlocks"] = anyList(slices.DeleteFunc(slices.Clone(blocks), func(x string) bool { return x == c }))
			// The proxy's security group admits the same networks (proxy_network.go).
			return "remove " + c, oneOf([]resource.Name{nameIngressCIDR(c), nameProxyIngressCIDR(c)})
		}
		c := []string{"10.99.0.0/16", "192.168.0.0/24", "172.16.0.0/12", "fd00:40::/56"}[p>>1%4]
		if slices.Contains(blocks, c) && p&0x80 == 0 {
			return "", nil
		}
		at(spec, "network")["allowedCidrBlocks"] = anyList(append(slices.Clone(blocks), c))
		return "add " + c, nil
	}},
	{name: "change allowed security groups", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		ids := eff.Network.AllowedSecurityGroupIDs
		if p&1 == 1 && len(ids) > 0 {
			id := ids[int(p>>1)%len(ids)]
			at(spec, "network")["allowedSecurityGroupIds"] = anyList(slices.DeleteFunc(slices.Clone(ids), func(x string) bool { return x == id }))
			return "remove " + id, oneOf([]resource.Name{nameIngressSecurityGroup(id), nameProxyIngressSecurityGroup(id)})
		}
		pool := append([]string{"sg-0fedcba9876543210", "sg-0123456789abcdef9"}, eff.Credentials.Rotation.Lambda.ExistingFunctionSecurityGroupIDs...)
		id := pool[int(p>>1)%len(pool)]
		if slices.Contains(ids, id) && p&0x80 == 0 {
			return "", nil
		}
		at(spec, "network")["allowedSecurityGroupIds"] = anyList(append(slices.Clone(ids), id))
		// An existing rotator's group, now allowed, needs no rule of its
		// own: AWS refuses a second rule with the same source and port.
		return "add " + id, oneOf([]resource.Name{nameIngressRotatorSecurityGroup(id)})
	}},
	{name: "toggle slow-query metrics", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		m := at(spec, "monitoring", "slowQueryMetrics")
		if p&1 == 1 {
			m["filterPattern"] = []string{"", `[date, time, prefix, label="duration:", duration >= 100, ...]`}[p>>1%2]
			return fmt.Sprintf("pattern %q", m["filterPattern"]), nil
		}
		on := *eff.Monitoring.SlowQueryMetrics.Enabled
		m["enabled"] = !on
		if on {
			return "off", slowQueryMonitoring
		}
		return "on", nil
	}},
	{name: "change the connection secret", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		if p&1 == 1 {
			delete(spec, "writeConnectionSecretToRef")
			return "remove", oneOf([]resource.Name{nameConnectionSecret}, prefixConnectionSecret)
		}
		ref := at(spec, "writeConnectionSecretToRef")
		ref["name"] = "fuzz-db"
		// A renamed Secret is composed under its own name and the old one
		// leaves (nameConnectionSecretFor).
		return "name fuzz-db", oneOf([]resource.Name{nameConnectionSecret}, prefixConnectionSecret)
	}},
	{name: "provider hiccup", event: func(lc *lifecycle, p byte) string {
		// One observed resource is momentarily not Ready and reports
		// nothing (a provider restart, throttling): what its dependents'
		// builders read from it is unknown for a call.
		names := slices.Sorted(maps.Keys(lc.observed))
		if len(names) == 0 {
			return ""
		}
		n := names[int(p)%len(names)]
		obj := lc.observed[n].GetResource().AsMap()
		obj["status"] = map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": "False", "reason": "Unavailable", "lastTransitionTime": "2026-11-26T12:00:00Z"},
		}}
		lc.observed = maps.Clone(lc.observed)
		lc.observed[n] = &fnv1.Resource{Resource: mustStruct(obj)}
		return n
	}},
	{name: "status lost", event: func(lc *lifecycle, _ byte) string {
		// The XR comes back without its status, as after a restore from a
		// backup that did not keep it.
		if _, ok := lc.xr["status"]; !ok {
			return ""
		}
		lc.xr = withoutStatus(lc.xr)
		return "the XR's status"
	}},
	{name: "change other settings", apply: func(spec map[string]any, eff *AuroraSpec, p byte) (string, func(string) bool) {
		switch p % 7 {
		case 0:
			spec["engineVersion"] = []string{"16.6", "16.8", "15.10", "16.4"}[p>>3%4]
			// A major upgrade removes the old cluster parameter group, the
			// old DB parameter group of the instances, and their Usages once
			// the cluster runs the new major (engine.go, parameters.go).
			return fmt.Sprint("engine ", spec["engineVersion"]), func(n string) bool {
				return isClusterParameterGroup(resource.Name(n)) || strings.HasPrefix(n, prefixUsage+string(nameClusterParameterGroup)) ||
					strings.HasPrefix(n, prefixInstanceParameterGroup) || strings.HasPrefix(n, prefixUsage+prefixInstanceParameterGroup)
			}
		case 1:
			at(spec, "backup")["retentionDays"] = float64(p>>3) + 1
			return fmt.Sprint("backup retention ", p>>3), nil
		case 2:
			spec["iamDatabaseAuthentication"] = !*eff.IAMDatabaseAuthentication
			return fmt.Sprint("IAM authentication ", !*eff.IAMDatabaseAuthentication), nil
		case 3:
			at(spec, "credentials", "rotation")["days"] = float64(p >> 3)
			return fmt.Sprint("rotation days ", p>>3), nil
		case 4:
			at(spec, "logging")["retentionInDays"] = []float64{1, 7, 30, 90, 3653}[p>>3%5]
			return fmt.Sprint("log retention ", at(spec, "logging")["retentionInDays"]), nil
		case 5:
			spec["preferredMaintenanceWindow"] = []string{"sun:05:00-sun:06:00", "mon:01:00-mon:01:30", "03:00-04:00"}[p>>3%3]
			return fmt.Sprint("maintenance window ", spec["preferredMaintenanceWindow"]), nil
		default:
			s := at(spec, "serverlessV2")
			s["minCapacity"], s["maxCapacity"] = []float64{0, 0.5, 2}[p>>3%3], []float64{1, 16, 256}[p>>5%3]
			return fmt.Sprintf("serverless %v-%v ACU", s["minCapacity"], s["maxCapacity"]), nil
		}
	}},
}
