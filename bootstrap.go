package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math/big"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	xpv1 "github.com/crossplane/crossplane-runtime/v2/apis/common/v1"
	"github.com/crossplane/function-sdk-go/resource"

	smv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/secretsmanager/v1beta1"
)

// The SelfManaged master password has a short life in Kubernetes:
//
//  1. Pending: the function generates the password (or copies it from
//     spec.credentials.passwordSecretRef) into a composed bootstrap Secret.
//     The cluster is created with it through initProvider, which the
//     provider uses at creation only.
//  2. Writing: once the cluster endpoint is known, the bootstrap Secret also
//     holds the JSON the AWS rotator expects, and a SecretVersion (policies
//     Observe and Create only: never updated, never deleted) writes it to
//     Secrets Manager.
//  3. HandedOff: once that version exists, Secrets Manager owns the password.
//     The function stops composing the bootstrap Secret and the
//     SecretVersion (the version stays in AWS: its MR has no Delete policy)
//     and drops the password reference from the cluster. Rotation starts.
//
// After the hand-off no desired resource carries or references the bootstrap
// password, so when rotation later removes the original version nothing
// re-creates it (terraform-provider-aws#25168). The phase is recorded in
// status.bootstrap; it is also derived from observed state, so a lost status
// cannot restart the bootstrap of an existing cluster.
const (
	bootstrapPending   = "Pending"
	bootstrapWriting   = "Writing"
	bootstrapHandedOff = "HandedOff"
)

// Keys of the bootstrap Secret.
const (
	bootstrapKeyPassword     = "password"
	bootstrapKeySecretString = "secretString"
)

// BootstrapStatus records where the SelfManaged password is in its life.
type BootstrapStatus struct {
	Phase           string `json:"phase,omitempty"`
	SecretVersionID string `json:"secretVersionId,omitempty"`
	// RotationStarted records that the first rotation, which replaces the
	// bootstrap password at once, has been started: rotation switched off
	// and on again must not rotate at once.
	RotationStarted bool `json:"rotationStarted,omitempty"`
}

// bootstrap is this call's view of the password's life.
type bootstrap struct {
	phase string
	// password is known only before the hand-off.
	password string
	// versionID is the Secrets Manager version the function wrote.
	versionID string
	// rotationStarted: the first rotation was started (BootstrapStatus).
	rotationStarted bool
}

// passwordAlphabet avoids the characters RDS refuses in a master password
// (/, @, " and space) and those that need quoting in a shell or a URL.
const passwordAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"

const passwordLength = 32

// generatePassword returns a random password from crypto/rand.
func generatePassword() (string, error) {
	b := make([]byte, passwordLength)
	limit := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return "", err
		}
		b[i] = passwordAlphabet[n.Int64()]
	}
	return string(b), nil
}

// rotatorSecret is the secret value AWS's PostgreSQL rotators read and write.
type rotatorSecret struct {
	Engine   string `json:"engine"`
	Host     string `json:"host"`
	Port     int64  `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	DBName   string `json:"dbname"`
}

// bootstrapSecret holds the bootstrap password, and the rotator's JSON once
// the endpoint is known. It is the only composed object that ever holds the
// password.
func (p *plan) bootstrapSecret(b bootstrap, st AuroraStatus) *corev1.Secret {
	om := p.objectMeta(nameBootstrapSecret, "")
	om.Name = bootstrapSecretName(p.clusterID)
	data := map[string][]byte{bootstrapKeyPassword: []byte(b.password)}
	if st.Endpoint != "" {
		j, _ := json.Marshal(rotatorSecret{
			Engine:   "postgres",
			Host:     st.Endpoint,
			Port:     st.Port,
			Username: p.spec.MasterUsername,
			Password: b.password,
			DBName:   p.spec.DatabaseName,
		})
		data[bootstrapKeySecretString] = j
	}
	return &corev1.Secret{ObjectMeta: om, Type: corev1.SecretTypeOpaque, Data: data}
}

// masterSecretVersion writes the bootstrap value to Secrets Manager once.
// NOTE: Observe and Create only. Without Update the provider never writes
// the bootstrap password over a rotated one; without Delete, dropping this
// resource at the hand-off leaves the version to Secrets Manager.
func (p *plan) masterSecretVersion() *smv1beta1.SecretVersion {
	return &smv1beta1.SecretVersion{
		ObjectMeta: p.objectMeta(nameMasterSecretVersion, ""),
		Spec: smv1beta1.SecretVersionSpec{
			ManagedResourceSpec: withPolicies(p.managed(), xpv1.ManagementActionObserve, xpv1.ManagementActionCreate),
			ForProvider: smv1beta1.SecretVersionParameters{
				Region:           ptr.To(p.region),
				SecretIDSelector: selectorFor(nameMasterSecret),
				SecretStringSecretRef: &xpv1.LocalSecretKeySelector{
					LocalSecretReference: xpv1.LocalSecretReference{Name: bootstrapSecretName(p.clusterID)},
					Key:                  bootstrapKeySecretString,
				},
			},
		},
	}
}

// bootstrapStatus is what status.bootstrap records.
func (b bootstrap) status() *BootstrapStatus {
	return &BootstrapStatus{Phase: b.phase, SecretVersionID: b.versionID, RotationStarted: b.rotationStarted}
}

// observeBootstrap derives the password's phase from the recorded status and
// what is observed (above). It generates a password only for a
// cluster that does not exist yet, and returns "" for a password it still
// waits for (spec.credentials.passwordSecretRef not yet read).
func (p *plan) observeBootstrap(o observed, prev *BootstrapStatus, st AuroraStatus, supplied string, generate func() (string, error)) (bootstrap, error) {
	b := bootstrap{}
	if !p.selfManaged() {
		return b, nil
	}
	b.rotationStarted = o.ready(nameSecretRotation)
	if prev != nil {
		b.rotationStarted = b.rotationStarted || prev.RotationStarted
		b.versionID = prev.SecretVersionID
		if prev.Phase == bootstrapHandedOff {
			b.phase = bootstrapHandedOff
			return b, nil
		}
	}
	// A version that was written once, even if rotation has since removed
	// it, or a rotation schedule, means Secrets Manager owns the password.
	if v, ok := atProvider[smv1beta1.SecretVersionObservation](o, nameMasterSecretVersion); ok && (o.ready(nameMasterSecretVersion) || ptr.Deref(v.VersionID, "") != "") {
		b.phase = bootstrapHandedOff
		setIf(&b.versionID, v.VersionID)
		return b, nil
	}
	if o.exists(nameSecretRotation) {
		b.phase = bootstrapHandedOff
		return b, nil
	}
	b.password = observedSecretValue(o, nameBootstrapSecret, bootstrapKeyPassword)
	if b.password == "" {
		if o.exists(nameCluster) {
			// The cluster exists but its bootstrap password is gone: it was
			// handed off. Never bootstrap an existing cluster again.
			b.phase = bootstrapHandedOff
			return b, nil
		}
		b.password = supplied
		if b.password == "" && p.spec.Credentials.PasswordSecretRef == nil {
			pw, err := generate()
			if err != nil {
				return b, err
			}
			b.password = pw
		}
	}
	b.phase = bootstrapPending
	if st.Endpoint != "" {
		b.phase = bootstrapWriting
	}
	return b, nil
}

// observedSecretValue reads one key of an observed composed Secret.
func observedSecretValue(o observed, n resource.Name, key string) string {
	s, ok := o[n]
	if !ok {
		return ""
	}
	enc := s.GetFields()["data"].GetStructValue().GetFields()[key].GetStringValue()
	v, err := decodeBase64(enc)
	if err != nil {
		return ""
	}
	return v
}

// decodeBase64 decodes a Secret's data value.
func decodeBase64(s string) (string, error) {
	v, err := base64.StdEncoding.DecodeString(s)
	return string(v), err
}
