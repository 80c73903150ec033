package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	DatabaseName               string               `json:"databaseName,omitempty"`
	MasterUsername             string               `json:"masterUsername,omitempty"`
	Port                       *int64               `json:"port,omitempty"`
	Network                    Network              `json:"network"`
	Instances                  []Instance           `json:"instances,omitempty"`
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
	VPCEndpointID       string `json:"vpcEndpointId,omitempty"`
	RotationEnabled     *bool  `json:"rotationEnabled,omitempty"`
	// Bootstrap records the SelfManaged password's hand-off (bootstrap.go).
	Bootstrap *BootstrapStatus `json:"bootstrap,omitempty"`
	// Deletion says what deleting the XR does and leaves behind (deletion.go).
	Deletion *DeletionStatus `json:"deletion,omitempty"`
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
}

// Claim labels Crossplane sets on legacy XRs created from a claim.
const (
	labelClaimName      = "crossplane.io/claim-name"
	labelClaimNamespace = "crossplane.io/claim-namespace"
)

// decodeXR reads the observed XR's identity and spec. It is lenient about
// fields it does not know, since Crossplane and the platform team add their
// own, and strict about types, since a wrong type would otherwise default
// silently.
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
	// Leave out Crossplane's own fields (spec.crossplane: the composition
	// and a reference to every composed resource), which AuroraSpec ignores.
	if spec, ok := raw.(map[string]any); ok {
		if _, ok := spec["crossplane"]; ok {
			own := make(map[string]any, len(spec))
			for k, v := range spec {
				if k != "crossplane" {
					own[k] = v
				}
			}
			raw = own
		}
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return m, nil, errors.Wrap(err, "cannot encode the XR's spec")
	}
	s := &AuroraSpec{}
	if err := json.NewDecoder(bytes.NewReader(j)).Decode(s); err != nil {
		return m, nil, decodeError(err)
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
