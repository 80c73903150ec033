//go:build e2e

package e2e

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestProductionFeatures files example/production/xr.yaml, which turns on
// every feature of issue 12 at once (I/O-Optimized storage, IAM
// authentication, a pinned CA, Advanced Database Insights, Enhanced
// Monitoring, the PostgreSQL alarms, an RDS Proxy, reader autoscaling and a
// custom endpoint), plays the provider until the XR is Ready with exactly the
// golden's resources, and checks what the features report: the status
// fields and the connection secret's keys.
func TestProductionFeatures(t *testing.T) {
	ctx := t.Context()
	obj := readExample(t, "example/production/xr.yaml")
	x := &xrRef{gvk: obj.GroupVersionKind(), namespace: obj.GetNamespace(), name: obj.GetName(), composedIn: obj.GetNamespace()}
	ensureNamespace(ctx, t, x.namespace)
	if _, err := cl.Apply(ctx, obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cleanupXR(context.Background(), x) })

	xr, objs := converge(ctx, t, x, newTracker(), convergeTimeout, readyWith(goldenNames(t, "ProductionSteadyState")))

	proxy := str(objs["proxy"], "status", "atProvider", "endpoint")
	reporting := str(objs["custom-endpoint-reporting"], "status", "atProvider", "endpoint")
	for _, c := range []struct{ field, got, want string }{
		{"status.proxyEndpoint", str(xr, "status", "proxyEndpoint"), proxy},
		{"status.customEndpoints.reporting", str(xr, "status", "customEndpoints", "reporting"), reporting},
		{"status.clusterResourceId", str(xr, "status", "clusterResourceId"), str(objs["cluster"], "status", "atProvider", "clusterResourceId")},
	} {
		if c.got == "" || c.got != c.want {
			t.Errorf("%s = %q, want %q (what the provider reports)", c.field, c.got, c.want)
		}
	}

	conn := mustGet(ctx, t, gvkSecret, x.namespace, str(obj, "spec", "writeConnectionSecretToRef", "name"))
	data, _, _ := unstructured.NestedStringMap(conn.Object, "data")
	for _, k := range []string{"host", "sslmode", "sslrootcert_url", "ca_cert_identifier", "iam_auth", "iam_connect_arn", "proxy_host", "proxy_sslrootcert_url"} {
		if data[k] == "" {
			t.Errorf("connection secret %s/%s has no %q", conn.GetNamespace(), conn.GetName(), k)
		}
	}
}
