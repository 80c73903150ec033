package main

import (
	"slices"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
)

// composeCredentials adds the master secret and the bootstrap resources. The
// bootstrap Secret comes before the cluster, which reads its password at
// creation.
func (p *plan) composeCredentials(d *desired, o observed, f facts, keyAvailable bool) {
	if !p.selfManaged() {
		return
	}
	b := f.bootstrap
	if b.phase != bootstrapHandedOff {
		if b.password != "" {
			d.add(nameBootstrapSecret, p.bootstrapSecret(b, f.status))
		} else if ref := p.spec.Credentials.PasswordSecretRef; ref != nil {
			d.wait("WaitingForPassword", "waiting for key %q of Secret %q (spec.credentials.passwordSecretRef) to read the initial master password", ref.Key, ref.Name)
		}
	}
	if keyAvailable || o.exists(nameMasterSecret) {
		d.add(nameMasterSecret, p.masterSecret())
	}
	if b.phase == bootstrapWriting || (b.phase != bootstrapHandedOff && o.exists(nameMasterSecretVersion)) {
		if observedSecretValue(o, nameBootstrapSecret, bootstrapKeySecretString) != "" || o.exists(nameMasterSecretVersion) {
			d.add(nameMasterSecretVersion, p.masterSecretVersion())
		} else {
			d.wait("WaitingForBootstrapSecret", "waiting for the bootstrap Secret %q to hold the rotator's JSON before writing it to Secrets Manager", bootstrapSecretName(p.clusterID))
		}
	}
	// NOTE: PutResourcePolicy refuses a principal that does not exist yet:
	// an S3 rotator's policy names the role the function creates.
	principalExists := p.rotatorSource() != rotatorFromS3 || !p.rotationEnabled() || o.ready(nameRotatorRole)
	switch {
	case o.exists(nameMasterSecretPolicy) && f.masterSecretARN != "" && p.accountID != "":
		d.add(nameMasterSecretPolicy, p.masterSecretPolicy(f.masterSecretARN))
	case o.exists(nameMasterSecretPolicy):
		d.keepObserved(o, nameMasterSecretPolicy)
	case f.masterSecretARN != "" && p.accountID != "" && principalExists:
		d.add(nameMasterSecretPolicy, p.masterSecretPolicy(f.masterSecretARN))
	}
}

// composeRotatorNetwork lets the rotator reach the database and Secrets
// Manager: its own security group for a rotator the function deploys, or
// the existing rotator's groups; and the endpoint. It returns what it
// composed, which rotation waits for.
func (p *plan) composeRotatorNetwork(d *desired) []resource.Name {
	first := len(d.order)
	l := p.spec.Credentials.Rotation.Lambda
	if p.rotatorSource() == rotatorFromExisting {
		for _, sg := range l.ExistingFunctionSecurityGroupIDs {
			// NOTE: AWS refuses a second rule with the same source and port
			// (InvalidPermission.Duplicate): an allowed group has one.
			if !slices.Contains(p.spec.Network.AllowedSecurityGroupIDs, sg) {
				d.add(nameIngressRotatorSecurityGroup(sg), p.ingressFromExistingRotator(sg))
			}
			if p.endpointOwned() {
				d.add(nameEndpointIngressSecurityGroup(sg), p.endpointIngressFromSecurityGroup(sg))
			}
		}
	} else {
		d.add(nameRotatorSecurityGroup, p.rotatorSecurityGroup())
		d.add(nameRotatorEgressDB, p.rotatorEgress(nameRotatorEgressDB, "PostgreSQL to the cluster", float64(*p.spec.Port), nameSecurityGroup))
		endpointSG := nameEndpointSecurityGroup
		if !p.endpointOwned() {
			endpointSG = ""
		}
		d.add(nameRotatorEgressEndpoint, p.rotatorEgress(nameRotatorEgressEndpoint, "HTTPS to Secrets Manager", httpsPort, endpointSG))
		d.add(nameIngressFromRotator, p.ingressFromRotator())
		if p.endpointOwned() {
			d.add(nameEndpointIngressRotator, p.endpointIngressFromRotator())
		}
	}
	if !p.endpointOwned() {
		return slices.Clone(d.order[first:])
	}
	d.add(nameEndpoint, p.endpoint())
	d.add(nameEndpointSecurityGroup, p.endpointSecurityGroup())
	d.add(nameEndpointSGAssociation, p.endpointSecurityGroupAssociation())
	for _, s := range p.endpointSubnets() {
		d.add(nameEndpointSubnetAssociation(s), p.endpointSubnetAssociation(s))
	}
	if p.endpointPrivateDNS() {
		for _, c := range p.spec.Network.VPCCIDRBlocks {
			d.add(nameEndpointIngressCIDR(c), p.endpointIngressFromCIDR(c))
		}
	}
	return slices.Clone(d.order[first:])
}

// composeRotation adds the rotation schedule and, for SelfManaged
// credentials, the rotator and its network. rotation.enabled: false removes
// exactly these.
func (p *plan) composeRotation(d *desired, o observed, f facts) {
	if !p.rotationEnabled() {
		return
	}
	if !p.selfManaged() {
		// RDS rotates its own secret; this only sets the schedule.
		if f.status.SecretARN != "" {
			d.add(nameSecretRotation, p.secretRotation(f.status.SecretARN, "", false))
		} else {
			d.keepObserved(o, nameSecretRotation)
		}
		return
	}

	network := p.composeRotatorNetwork(d)

	keyARN, secretARN := f.status.KMSKeyARN, f.masterSecretARN
	urlKnown := !p.endpointOwned() || p.endpointPrivateDNS() || f.endpointDNS != ""
	url := p.secretsManagerURL(f.endpointDNS)
	lambdaARN := ""
	switch p.rotatorSource() {
	case rotatorFromS3:
		d.add(nameRotatorRole, p.rotatorRole())
		d.add(nameRotatorVPCAccess, p.rotatorVPCAccess())
		if secretARN != "" && keyARN != "" {
			d.add(nameRotatorRolePolicy, p.rotatorRolePolicy(secretARN, keyARN))
		} else {
			d.keepObserved(o, nameRotatorRolePolicy)
		}
		// NOTE: Lambda refuses a function in a VPC whose role cannot yet
		// create network interfaces (the VPC access policy), and retries
		// with back-off; wait for the role and its policies instead.
		roleReady := o.ready(nameRotatorRole) && o.ready(nameRotatorVPCAccess) && o.ready(nameRotatorRolePolicy)
		switch {
		case o.exists(nameRotatorFunction) && (secretARN == "" || keyARN == "" || !urlKnown):
			d.keepObserved(o, nameRotatorFunction)
		case o.exists(nameRotatorFunction):
			d.add(nameRotatorFunction, p.rotatorFunction(secretARN, keyARN, url))
		case secretARN == "" || keyARN == "" || !urlKnown:
			d.wait("WaitingForRotatorInputs", "waiting for the master secret ARN, the KMS key ARN and the Secrets Manager endpoint before creating the rotator function")
		case !roleReady:
			d.wait("WaitingForRotatorRole", "waiting for the rotator's role %q and its policies to be ready before creating the rotator function", p.names.rotatorRole)
		default:
			d.add(nameRotatorFunction, p.rotatorFunction(secretARN, keyARN, url))
		}
	case rotatorFromServerlessRepo:
		if f.rotatorSGID != "" && keyARN != "" && urlKnown {
			d.add(nameRotatorStack, p.rotatorStack(f.rotatorSGID, keyARN, url))
		} else {
			d.keepObserved(o, nameRotatorStack)
			d.wait("WaitingForRotatorInputs", "waiting for the rotator's security group ID, the KMS key ARN and the Secrets Manager endpoint before deploying the rotator")
		}
		lambdaARN = f.stackLambdaARN
	case rotatorFromExisting:
		lambdaARN = p.spec.Credentials.Rotation.Lambda.ExistingFunctionARN
	}
	// The permission names the deployed function (or selects it).
	rotatorDeployed := p.rotatorSource() == rotatorFromExisting ||
		(p.rotatorSource() == rotatorFromServerlessRepo && o.ready(nameRotatorStack)) ||
		(p.rotatorSource() == rotatorFromS3 && o.ready(nameRotatorFunction))
	if secretARN != "" && (rotatorDeployed || o.exists(nameRotatorPermission)) {
		d.add(nameRotatorPermission, p.rotatorPermission(secretARN))
	} else {
		d.keepObserved(o, nameRotatorPermission)
	}

	// NOTE: rotation starts only after the hand-off, so the rotator finds the
	// value it rotates and the function has stopped writing the password;
	// and only once the writer instance is available and the rotator can
	// reach Secrets Manager. The cluster's endpoint exists minutes before
	// any instance does: a rotation started then fails in setSecret and
	// leaves an AWSPENDING version that makes every later RotateSecret fail
	// (Secrets Manager API reference, RotateSecret).
	handedOff := f.bootstrap.phase == bootstrapHandedOff
	lambdaKnown := lambdaARN != "" || p.rotatorSource() == rotatorFromS3
	writer := nameInstance(instanceSuffix(0, p.spec.Instances[0]))
	// The first rotation is the one the creation starts (rotateImmediately);
	// once the rotation exists, or once one has started (status), later
	// changes never rotate at once.
	first := !o.ready(nameSecretRotation) && !f.bootstrap.rotationStarted
	var networkPending []string
	for _, n := range network {
		if !o.ready(n) {
			networkPending = append(networkPending, string(n))
		}
	}
	switch {
	case o.exists(nameSecretRotation):
		d.add(nameSecretRotation, p.secretRotation(secretARN, lambdaARN, first))
	case !handedOff:
		d.wait("WaitingForHandOff", "waiting for the master secret to hold the bootstrap value before rotation starts")
	case !o.ready(nameRotatorPermission) || !lambdaKnown:
		d.wait("WaitingForRotator", "waiting for the rotator and its invoke permission before rotation starts")
	case !o.ready(writer):
		d.wait("WaitingForWriter", "waiting for the writer instance %q to be available before rotation starts: the rotator connects to it", instanceIdentifier(p.clusterID, instanceSuffix(0, p.spec.Instances[0])))
	case len(networkPending) > 0:
		d.wait("WaitingForRotatorNetwork", "waiting for the rotator's network (%s) to be available before rotation starts: the rotator reaches the database and Secrets Manager through it", strings.Join(networkPending, ", "))
	default:
		d.add(nameSecretRotation, p.secretRotation(secretARN, lambdaARN, first))
	}
}
