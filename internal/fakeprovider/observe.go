package fakeprovider

// MessageNotExist is the Synced=False message of an observe-only managed
// resource whose external resource does not exist (crossplane-runtime
// pkg/reconciler/managed/reconciler.go).
const MessageNotExist = "cannot observe external resource: external resource does not exist"

// ObserveOnly reports whether a managed resource, as its JSON object, has
// exactly the management policies [Observe]: the managed reconciler then
// resolves no reference and only observes the external resource its
// external name names.
func ObserveOnly(obj map[string]any) bool {
	spec, _ := obj["spec"].(map[string]any)
	pols, _ := spec["managementPolicies"].([]any)
	return len(pols) == 1 && pols[0] == "Observe"
}

// Observed is what the provider observes of an observe-only managed
// resource: the atProvider of the external resource of its kind and
// external name among Existing, or false when there is none (the managed
// reconciler then reports Synced=False with MessageNotExist).
func (p Provider) Observed(obj map[string]any) (map[string]any, bool) {
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	ext, _ := ann[annotationExternalName].(string)
	at, ok := p.Existing[kind+"/"+ext]
	return at, ok
}
