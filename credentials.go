package main

import (
	"k8s.io/utils/ptr"
)

// Defaults of the credentials API.
const (
	defaultRotationDays         = 90
	defaultRecoveryWindowInDays = 30
)

// selfManaged reports whether the function owns the master password.
func (p *plan) selfManaged() bool {
	return p.spec.Credentials.Mode == CredentialsModeSelfManaged
}

// rotationEnabled reports whether the password rotates on a schedule.
func (p *plan) rotationEnabled() bool {
	return ptr.Deref(p.spec.Credentials.Rotation.Enabled, true)
}
