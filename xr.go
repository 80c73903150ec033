package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/function-sdk-go/errors"
	"github.com/crossplane/function-sdk-go/resource"
)

// Credential modes. RDSManaged lets RDS create and rotate the master password
// in a Secrets Manager secret it owns.
// SelfManaged is the seed's design: the function bootstraps the password into
// a Secrets Manager secret it composes, and a rotation Lambda in the VPC
// rotates it.
const (
	CredentialsModeRDSManaged  = "RDSManaged"
	CredentialsModeSelfManaged = "SelfManaged"
)

// AuroraSpec is the spec of an XAuroraCluster (and of its AuroraCluster
// claim). Field names follow shared/design/api.md; the XRD in apis/ holds the
// same schema with descriptions, defaults and CEL rules.
type AuroraSpec struct {
	Region                     string               `json:"region"`
	AccountID                  string               `json:"accountId,omitempty"`
	ClusterIdentifier          string               `json:"clusterIdentifier,omitempty"`
	EngineVersion              string               `json:"engineVersion,omitempty"`
	EngineLifecycleSupport     string               `json:"engineLifecycleSupport,omitempty"`
	ApplyImmediately           *bool                `json:"applyImmediately,omitempty"`
	DatabaseName               string               `json:"databaseName,omitempty"`
	MasterUsername             string               `json:"masterUsername,omitempty"`
	Port                       *int64               `json:"port,omitempty"`
	Network                    Network              `json:"network"`
	Instances                  []Instance           `json:"instances,omitempty"`
	Parameters                 []Parameter          `json:"parameters,omitempty"`
	InstanceParameters         []Parameter          `json:"instanceParameters,omitempty"`
	ServerlessV2               *ServerlessV2        `json:"serverlessV2,omitempty"`
	Encryption                 Encryption           `json:"encryption,omitempty"`
	Credentials                Credentials          `json:"credentials,omitempty"`
	VPCEndpoint                VPCEndpoint          `json:"vpcEndpoint,omitempty"`
	Logging                    Logging              `json:"logging,omitempty"`
	Monitoring                 Monitoring           `json:"monitoring,omitempty"`
	Backup                     Backup               `json:"backup,omitempty"`
	PreferredMaintenanceWindow string               `json:"preferredMaintenanceWindow,omitempty"`
	DeletionProtection         *bool                `json:"deletionProtection,omitempty"`
	IAMDatabaseAuthentication  *bool                `json:"iamDatabaseAuthentication,omitempty"`
	FinalSnapshot              *bool                `json:"finalSnapshot,omitempty"`
	Tags                       map[string]string    `json:"tags,omitempty"`
	WriteConnectionSecretToRef *ConnectionSecretRef `json:"writeConnectionSecretToRef,omitempty"`
	// Restore and Adopt: restore.go and adopt.go.
	Restore *Restore `json:"restore,omitempty"`
	Adopt   *Adopt   `json:"adopt,omitempty"`
	// Autoscaling and CustomEndpoints: autoscaling.go and endpoints_custom.go.
	Autoscaling     *Autoscaling     `json:"autoscaling,omitempty"`
	CustomEndpoints []CustomEndpoint `json:"customEndpoints,omitempty"`
	// TLS and StorageType: access.go.
	TLS         *TLS   `json:"tls,omitempty"`
	StorageType string `json:"storageType,omitempty"`
	// Proxy: proxy.go.
	Proxy Proxy `json:"proxy,omitempty"`
}

// Network places the cluster in a VPC and says who may connect to it.
type Network struct {
	VPCID                   string   `json:"vpcId"`
	SubnetIDs               []string `json:"subnetIds"`
	AllowedCIDRBlocks       []string `json:"allowedCidrBlocks,omitempty"`
	AllowedSecurityGroupIDs []string `json:"allowedSecurityGroupIds,omitempty"`
	// VPCCIDRBlocks are the VPC's networks: a private-DNS endpoint serves
	// every client in them.
	VPCCIDRBlocks []string `json:"vpcCidrBlocks,omitempty"`
	// NetworkType is IPV4 or DUAL (dual-stack, for IPv6 clients).
	NetworkType string `json:"networkType,omitempty"`
}

// Network types of an Aurora cluster.
const (
	networkTypeIPv4      = "IPV4"
	networkTypeDualStack = "DUAL"
)

// Instance is one DB instance of the cluster. The first is the writer.
type Instance struct {
	Name             string `json:"name,omitempty"`
	InstanceClass    string `json:"instanceClass"`
	PromotionTier    *int64 `json:"promotionTier,omitempty"`
	AvailabilityZone string `json:"availabilityZone,omitempty"`
}

// ServerlessV2 is the Aurora Serverless v2 capacity range, in ACUs.
type ServerlessV2 struct {
	MinCapacity           float64 `json:"minCapacity"`
	MaxCapacity           float64 `json:"maxCapacity"`
	SecondsUntilAutoPause *int64  `json:"secondsUntilAutoPause,omitempty"`
}

// Encryption chooses the KMS key that encrypts storage, logs and secrets.
type Encryption struct {
	ExistingKMSKeyARN       string `json:"existingKmsKeyArn,omitempty"`
	KMSDeletionWindowInDays *int64 `json:"kmsDeletionWindowInDays,omitempty"`
}

// Credentials chooses who owns the master password and how it rotates.
type Credentials struct {
	Mode                 string        `json:"mode,omitempty"`
	PasswordSecretRef    *SecretKeyRef `json:"passwordSecretRef,omitempty"`
	RecoveryWindowInDays *int64        `json:"recoveryWindowInDays,omitempty"`
	Rotation             Rotation      `json:"rotation,omitempty"`
}

// SecretKeyRef selects a key of a Secret in the XR's namespace.
type SecretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// Rotation rotates the master password every Days days.
type Rotation struct {
	Enabled *bool          `json:"enabled,omitempty"`
	Days    *int64         `json:"days,omitempty"`
	Lambda  RotationLambda `json:"lambda,omitempty"`
}

// RotationLambda is where the SelfManaged rotator comes from: exactly one of
// ServerlessRepo, S3 and ExistingFunctionARN.
type RotationLambda struct {
	ServerlessRepo          *ServerlessRepoRotator `json:"serverlessRepo,omitempty"`
	S3                      *S3Rotator             `json:"s3,omitempty"`
	ExistingFunctionARN     string                 `json:"existingFunctionArn,omitempty"`
	ExistingFunctionRoleARN string                 `json:"existingFunctionRoleArn,omitempty"`
	// ExistingFunctionSecurityGroupIDs are the existing rotator's security
	// groups, which the DB port and the endpoint are opened to.
	ExistingFunctionSecurityGroupIDs []string `json:"existingFunctionSecurityGroupIds,omitempty"`
	SubnetIDs                        []string `json:"subnetIds,omitempty"`
}

// ServerlessRepoRotator deploys AWS's single-user PostgreSQL rotator from the
// Serverless Application Repository.
type ServerlessRepoRotator struct {
	ApplicationID   string `json:"applicationId,omitempty"`
	SemanticVersion string `json:"semanticVersion,omitempty"`
}

// S3Rotator deploys a rotator packaged as a zip in S3.
type S3Rotator struct {
	Bucket        string `json:"bucket"`
	Key           string `json:"key"`
	ObjectVersion string `json:"objectVersion,omitempty"`
	Runtime       string `json:"runtime,omitempty"`
	Handler       string `json:"handler,omitempty"`
}

// VPCEndpoint is the private Secrets Manager endpoint the rotator calls.
type VPCEndpoint struct {
	Enabled            *bool    `json:"enabled,omitempty"`
	SubnetIDs          []string `json:"subnetIds,omitempty"`
	PrivateDNSEnabled  *bool    `json:"privateDnsEnabled,omitempty"`
	ExistingEndpointID string   `json:"existingEndpointId,omitempty"`
}

// Logging chooses the exported logs and the slow-query threshold.
type Logging struct {
	Exports              []string `json:"exports,omitempty"`
	RetentionInDays      *int64   `json:"retentionInDays,omitempty"`
	SlowQueryThresholdMs *int64   `json:"slowQueryThresholdMs,omitempty"`
}

// Backup holds the automated backup settings.
type Backup struct {
	RetentionDays   *int64 `json:"retentionDays,omitempty"`
	PreferredWindow string `json:"preferredWindow,omitempty"`
}

// ConnectionSecretRef names the Secret, in the XR's namespace, that the
// function composes with the connection details.
type ConnectionSecretRef struct {
	Name string `json:"name"`
}

// AuroraStatus is what the function reports in the XR's status.
type AuroraStatus struct {
	ClusterARN          string `json:"clusterArn,omitempty"`
	ClusterIdentifier   string `json:"clusterIdentifier,omitempty"`
	Endpoint            string `json:"endpoint,omitempty"`
	ReaderEndpoint      string `json:"readerEndpoint,omitempty"`
	Port                int64  `json:"port,omitempty"`
	SecretARN           string `json:"secretArn,omitempty"`
	KMSKeyARN           string `json:"kmsKeyArn,omitempty"`
	SecurityGroupID     string `json:"securityGroupId,omitempty"`
	EngineVersionActual string `json:"engineVersionActual,omitempty"`
	// EngineVersionMessage says when spec.engineVersion is behind the
	// version the cluster runs (engine.go).
	EngineVersionMessage string `json:"engineVersionMessage,omitempty"`
	// Upgrade is where a major version upgrade is (engine.go).
	Upgrade *UpgradeStatus `json:"upgrade,omitempty"`
	// Pending are changes the spec asks for that RDS has not applied yet.
	Pending         []PendingChange `json:"pending,omitempty"`
	VPCEndpointID   string          `json:"vpcEndpointId,omitempty"`
	RotationEnabled *bool           `json:"rotationEnabled,omitempty"`
	// Bootstrap records the SelfManaged password's hand-off (bootstrap.go).
	Bootstrap *BootstrapStatus `json:"bootstrap,omitempty"`
	// Deletion says what deleting the XR does and leaves behind (deletion.go).
	Deletion *DeletionStatus `json:"deletion,omitempty"`
	// CustomEndpoints are the custom endpoints' addresses by name
	// (endpoints_custom.go).
	CustomEndpoints map[string]string `json:"customEndpoints,omitempty"`
	// ClusterResourceID names the cluster in IAM policies (rds-db:connect).
	ClusterResourceID string `json:"clusterResourceId,omitempty"`
	// ProxyEndpoint is the RDS Proxy's endpoint (proxy.go).
	ProxyEndpoint string `json:"proxyEndpoint,omitempty"`
	// AutoscaledReaders are the replicas Aurora Auto Scaling added
	// (autoscaling.go).
	AutoscaledReaders []string `json:"autoscaledReaders,omitempty"`
}

// xrMeta is the part of the XR's identity that names and placement derive
// from.
type xrMeta struct {
	Name      string
	Namespace string
	UID       string
	// ClaimName and ClaimNamespace are set for legacy XRs bound to a claim.
	ClaimName      string
	ClaimNamespace string
	// Legacy is true for cluster-scoped XRs (legacy XRD, with or without
	// claim): they publish composite connection details.
	Legacy bool
	// UnknownFields are the spec's fields the API does not have, each with
	// its path (decodeXR). validate reports them with the other mistakes.
	UnknownFields field.ErrorList
}

// Claim labels Crossplane sets on legacy XRs created from a claim.
const (
	labelClaimName      = "crossplane.io/claim-name"
	labelClaimNamespace = "crossplane.io/claim-namespace"
)

// decodeXR reads the observed XR's identity and spec. It is strict about
// names and types: a field the API does not have (a typo, or a name that
// matches only case-insensitively, which encoding/json would accept) is
// reported in m.UnknownFields with its path, for validate to list with every
// other mistake. In a cluster the API server prunes such fields; in `crossplane
// render` nothing would. Crossplane's own fields (crossplaneFields,
// legacyCrossplaneFields) are accepted. A wrong type is an error, since it would otherwise default
// silently; the unknown fields are listed with it.
func decodeXR(oxr *resource.Composite) (xrMeta, *AuroraSpec, error) {
	u := oxr.Resource
	m := xrMeta{
		Name:           u.GetName(),
		Namespace:      u.GetNamespace(),
		UID:            string(u.GetUID()),
		ClaimName:      u.GetLabels()[labelClaimName],
		ClaimNamespace: u.GetLabels()[labelClaimNamespace],
		Legacy:         u.GetNamespace() == "",
	}
	raw, ok := u.Object["spec"]
	if !ok {
		return m, nil, field.Required(field.NewPath("spec"), "the XR has no spec")
	}
	own := crossplaneFields
	if m.Legacy {
		own = legacyCrossplaneFields
	}
	w := specWalk{at: make([]step, 1, 8)}
	w.at[0] = step{name: "spec"}
	w.check(specShape, raw, own)
	m.UnknownFields = append(w.errs, checkParameterValues(raw)...)
	// Leave out Crossplane's own fields that AuroraSpec does not have
	// (spec.crossplane or, for a legacy XR, spec.resourceRefs and the like:
	// the composition and a reference to every composed resource).
	if spec, ok := raw.(map[string]any); ok {
		drop := 0
		for k := range own {
			if _, ok := spec[k]; ok && !specShape.has(k) {
				drop++
			}
		}
		if drop > 0 {
			kept := make(map[string]any, len(spec)-drop)
			for k, v := range spec {
				if !own[k] || specShape.has(k) {
					kept[k] = v
				}
			}
			raw = kept
		}
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return m, nil, errors.Wrap(err, "cannot encode the XR's spec")
	}
	s := &AuroraSpec{}
	if err := json.NewDecoder(bytes.NewReader(j)).Decode(s); err != nil {
		err = decodeError(err)
		if len(m.UnknownFields) == 0 {
			return m, nil, err
		}
		msgs := make([]string, 0, len(m.UnknownFields)+1)
		for _, e := range m.UnknownFields {
			msgs = append(msgs, e.Error())
		}
		return m, nil, errors.New(strings.Join(append(msgs, err.Error()), "; "))
	}
	return m, s, nil
}

// decodeError turns a JSON type error into a field error with a spec path.
func decodeError(err error) error {
	te := &json.UnmarshalTypeError{}
	if errors.As(err, &te) {
		p := "spec"
		if te.Field != "" {
			p += "." + te.Field
		}
		return &field.Error{Type: field.ErrorTypeTypeInvalid, Field: p, BadValue: field.OmitValueType{}, Detail: fmt.Sprintf("got a JSON %s, want %s", te.Value, jsonTypeName(te.Type.Kind().String()))}
	}
	return errors.Wrap(err, "cannot decode the XR's spec")
}

func jsonTypeName(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "integer"
	case strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "slice":
		return "array"
	case goKind == "map", goKind == "struct":
		return "object"
	default:
		return goKind
	}
}

// Crossplane's own spec fields, as Crossplane v2.3.4 adds them to the CRD
// of every XRD (crossplane-runtime v2.3.3, pkg/xcrd/schemas.go,
// CompositeResourceSpecProps, which xcrd.ForCompositeResource calls). A
// Namespaced or Cluster XR has them under spec.crossplane; a LegacyCluster
// XR directly under spec, with claimRef and writeConnectionSecretToRef
// besides. A cluster-scoped XR may be either (the function cannot tell), so
// it may have both. The function reads none of them but
// writeConnectionSecretToRef, and only for namespaced XRs (where it is this
// API's own field), so their content is not checked.
var (
	crossplaneFields       = map[string]bool{"crossplane": true}
	legacyCrossplaneFields = map[string]bool{
		"crossplane":                  true,
		"compositionRef":              true,
		"compositionSelector":         true,
		"compositionRevisionRef":      true,
		"compositionRevisionSelector": true,
		"compositionUpdatePolicy":     true,
		"resourceRefs":                true,
		"claimRef":                    true,
		"writeConnectionSecretToRef":  true,
	}
	// machineryFields are the fields a Crossplane v2 XR has under
	// spec.crossplane and a legacy one directly under spec.
	machineryFields = map[string]bool{
		"compositionRef":              true,
		"compositionSelector":         true,
		"compositionRevisionRef":      true,
		"compositionRevisionSelector": true,
		"compositionUpdatePolicy":     true,
		"resourceRefs":                true,
	}
)

// specShape is what decodeXR knows of the spec's fields, from AuroraSpec's
// JSON tags: a field added to the Go types is known without further ado.
var specShape = shapeOf(reflect.TypeFor[AuroraSpec](), map[reflect.Type]*jsonShape{})

// jsonShape is the JSON form of a Go type as far as field names go: a
// struct's fields, a slice's items or a map's values. A nil *jsonShape is
// any value: a string, a number, a list of them or a free-form map such as
// spec.tags.
type jsonShape struct {
	// fields are a struct's fields in declaration order, index the same by
	// name; index is nil for anything but a struct.
	fields []namedShape
	index  map[string]*jsonShape
	items  *jsonShape
	values *jsonShape
}

type namedShape struct {
	name  string
	shape *jsonShape
}

// Types that decode with their own method, not by their fields.
var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shapeOf is the shape of t, built once per type (seen).
func shapeOf(t reflect.Type, seen map[reflect.Type]*jsonShape) *jsonShape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p := reflect.PointerTo(t); p.Implements(jsonUnmarshalerType) || p.Implements(textUnmarshalerType) {
		return nil // its own format
	}
	if s, ok := seen[t]; ok {
		return s
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &jsonShape{index: map[string]*jsonShape{}}
		seen[t] = s
		s.addFields(t, seen)
		return s
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte is a base64 string
		}
		if items := shapeOf(t.Elem(), seen); items != nil {
			return &jsonShape{items: items}
		}
	case reflect.Map:
		if values := shapeOf(t.Elem(), seen); values != nil {
			return &jsonShape{values: values}
		}
	}
	return nil
}

// addFields adds a struct's fields as encoding/json names them: by their
// json tag, else by their Go name; an untagged embedded struct's fields are
// promoted, after the struct's own.
func (s *jsonShape) addFields(t reflect.Type, seen map[reflect.Type]*jsonShape) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if s.has(name) {
			continue
		}
		sub := shapeOf(f.Type, seen)
		s.index[name] = sub
		s.fields = append(s.fields, namedShape{name: name, shape: sub})
	}
	for _, et := range embedded {
		s.addFields(et, seen)
	}
}

// has reports whether a struct has a field of this exact name.
func (s *jsonShape) has(name string) bool {
	_, ok := s.index[name]
	return ok
}

// specWalk finds the fields of a spec that its shape does not have. at is
// the path it is at, turned into a *field.Path only for an error: the walk
// allocates nothing while the spec is right.
type specWalk struct {
	at   []step
	errs field.ErrorList
}

// step is one step of a path: a field, a map key (key set) or, without a
// name, a list index.
type step struct {
	name  string
	key   bool
	index int
}

func (w *specWalk) path() *field.Path {
	p := field.NewPath(w.at[0].name)
	for _, st := range w.at[1:] {
		switch {
		case st.key:
			p = p.Key(st.name)
		case st.name == "":
			p = p.Index(st.index)
		default:
			p = p.Child(st.name)
		}
	}
	return p
}

// check records every field of v, and of the values in it, that s does not
// have, in the declaration order of the fields around them. own are
// Crossplane's fields at this level: accepted whatever their content. A
// value of the wrong type is left to the JSON decoder, which reports it.
func (w *specWalk) check(s *jsonShape, v any, own map[string]bool) {
	switch {
	case s == nil:
	case s.index != nil:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		seen := 0
		for _, f := range s.fields {
			sub, ok := obj[f.name]
			if !ok {
				continue
			}
			seen++
			if f.shape != nil && !own[f.name] {
				w.at = append(w.at, step{name: f.name})
				w.check(f.shape, sub, nil)
				w.at = w.at[:len(w.at)-1]
			}
		}
		if seen < len(obj) {
			w.unknown(s, obj, own)
		}
	case s.items != nil:
		list, _ := v.([]any)
		for i, item := range list {
			w.at = append(w.at, step{index: i})
			w.check(s.items, item, nil)
			w.at = w.at[:len(w.at)-1]
		}
	case s.values != nil:
		obj, _ := v.(map[string]any)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			w.at = append(w.at, step{name: k, key: true})
			w.check(s.values, obj[k], nil)
			w.at = w.at[:len(w.at)-1]
		}
	}
}

// unknown records each field of obj that the struct s does not have and
// that is not Crossplane's, sorted by name.
func (w *specWalk) unknown(s *jsonShape, obj map[string]any, own map[string]bool) {
	var names []string
	for k := range obj {
		if !s.has(k) && !own[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		detail := "unknown field"
		switch known := s.closest(k); {
		case known != "" && strings.EqualFold(known, k):
			detail += ": did you mean " + known + "? (field names are case-sensitive)"
		case known != "":
			detail += ": did you mean " + known + "?"
		case len(w.at) == 1 && machineryFields[k]:
			detail += ": a namespaced XR has Crossplane's own fields under spec.crossplane"
		}
		path := w.path().Child(k)
		if k == "" {
			// A key "" has no path of its own ("spec."): name the object
			// that holds it.
			path, detail = w.path(), `unknown field "": a field name must not be empty`
		}
		w.errs = append(w.errs, &field.Error{Type: field.ErrorTypeNotSupported, Field: path.String(), BadValue: field.OmitValueType{}, Detail: detail})
	}
}

// closest is the field of s that name most likely misspells: one that
// differs only in case, else the first within a small edit distance.
func (s *jsonShape) closest(name string) string {
	limit := 2
	if len(name) < 6 {
		limit = 1
	}
	lower := strings.ToLower(name)
	best, bestDist := "", limit+1
	for _, f := range s.fields {
		if strings.EqualFold(f.name, name) {
			return f.name
		}
		if d := editDistance(lower, strings.ToLower(f.name), limit); d < bestDist {
			best, bestDist = f.name, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance of a and b (edits,
// and swaps of adjacent bytes), or limit+1 when it is greater than limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}
