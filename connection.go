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
	// connKeyProxySSLRootCertURL names the roots the proxy's certificate
	// chains to: RDS Proxy presents an ACM certificate, issued under the
	// Amazon Trust Services roots, not the RDS CA of the instances, so a
	// client verifying the proxy against sslrootcert_url fails (Aurora user
	// guide, "Using TLS/SSL with RDS Proxy",
	// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy.howitworks.html#rds-proxy-security.tls).
	connKeyProxySSLRootCertURL = "proxy_sslrootcert_url"
)

// amazonRootCA1URL is Amazon Trust Services' Amazon Root CA 1, the root of
// ACM's certificates (https://www.amazontrust.com/repository/).
const amazonRootCA1URL = "https://www.amazontrust.com/repository/AmazonRootCA1.pem"

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
		d[connKeyProxySSLRootCertURL] = []byte(amazonRootCA1URL)
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
