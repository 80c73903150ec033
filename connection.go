package main

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/function-sdk-go/resource"
)

// Connection secret keys, per shared/design/api.md.
const (
	connKeyHost       = "host"
	connKeyReaderHost = "reader_host"
	connKeyPort       = "port"
	connKeyDBName     = "dbname"
	connKeyUsername   = "username"
	connKeySecretARN  = "secret_arn"
	connKeySSLMode    = "sslmode"
	connKeyProxyHost  = "proxy_host"
)

// connectionDetails are what an application needs to connect. The password
// is not among them: in RDSManaged mode only RDS and Secrets Manager hold
// it, and secret_arn says where to read it.
func (p *plan) connectionDetails(st AuroraStatus) map[string][]byte {
	d := map[string][]byte{
		connKeyHost:       []byte(st.Endpoint),
		connKeyReaderHost: []byte(st.ReaderEndpoint),
		connKeyPort:       []byte(strconv.FormatInt(st.Port, 10)),
		connKeyDBName:     []byte(p.spec.DatabaseName),
		connKeyUsername:   []byte(p.spec.MasterUsername),
	}
	if st.SecretARN != "" {
		d[connKeySecretARN] = []byte(st.SecretARN)
	}
	p.accessConnectionDetails(d, st)
	if st.ProxyEndpoint != "" {
		d[connKeyProxyHost] = []byte(st.ProxyEndpoint)
	}
	return d
}

// connectionSecret is the Secret a namespaced XR's users read: Crossplane v2
// has no connection secrets for namespaced XRs, so the function composes it.
func (p *plan) connectionSecret(key resource.Name, name string, st AuroraStatus) *corev1.Secret {
	om := p.objectMeta(key, "")
	om.Name = name
	return &corev1.Secret{
		ObjectMeta: om,
		Type:       corev1.SecretTypeOpaque,
		Data:       p.connectionDetails(st),
	}
}
