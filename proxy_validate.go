package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// RDS Proxy limits.
const (
	// IdleClientTimeout: "between 1 and 28,800 seconds (8 hours)" (RDS
	// API reference, CreateDBProxy, IdleClientTimeout).
	minProxyIdleClientTimeout = 1
	maxProxyIdleClientTimeout = 28800
	// proxyPort is where a PostgreSQL proxy listens. CreateDBProxy takes
	// no port: its endpoint serves the engine family's (RDS API
	// reference, CreateDBProxy and DBProxy have no Port; only a target
	// reports the database's).
	proxyPort = 5432
)

// validateProxy checks spec.proxy. A proxy's settings are checked whether
// or not it is enabled (the XRD's bounds apply to them anyway); what needs
// a running proxy only when it is.
func validateProxy(root *field.Path, s *AuroraSpec) field.ErrorList {
	px := s.Proxy
	p := root.Child("proxy")
	var errs field.ErrorList
	if t := ptr.Deref(px.IdleClientTimeoutSeconds, defaultProxyIdleClientTimeoutSeconds); t < minProxyIdleClientTimeout || t > maxProxyIdleClientTimeout {
		errs = append(errs, field.Invalid(p.Child("idleClientTimeoutSeconds"), t, fmt.Sprintf("must be between %d and %d seconds (RDS Proxy's limits)", minProxyIdleClientTimeout, maxProxyIdleClientTimeout)))
	}
	if !ptr.Deref(px.Enabled, false) {
		return errs
	}
	// NOTE: the cluster parameter group always sets rds.force_ssl=1
	// (parameters.go, which refuses any other value): a proxy that
	// accepted clear-text clients would undo it for every connection
	// through the proxy.
	if !ptr.Deref(px.RequireTLS, true) {
		errs = append(errs, field.Invalid(p.Child("requireTls"), false, "the cluster forces TLS (rds.force_ssl=1): its proxy must require TLS too, or clients would send the password and data in clear text to the proxy"))
	}
	if port := ptr.Deref(s.Port, defaultPort); port != proxyPort {
		errs = append(errs, field.Invalid(root.Child("port"), port, fmt.Sprintf("must be %d with spec.proxy.enabled: an RDS Proxy for PostgreSQL listens on %d, and the function opens the cluster's port to the XR's clients on both", proxyPort, proxyPort)))
	}
	if a := s.Adopt; a != nil && a.Mode == AdoptModeObserve {
		errs = append(errs, field.Forbidden(p.Child("enabled"), "an adopted cluster in mode Observe is not the function's to change: set spec.adopt.mode Manage first (the proxy reaches the cluster through the function's security group)"))
	}
	return errs
}
