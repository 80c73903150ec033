package main

import (
	"fmt"
	"regexp"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	rdsv1beta1 "github.com/function-aurora-postgres/function-aurora-postgres/internal/aws/rds/v1beta1"
)

// Restore creates the cluster from a backup instead of empty: exactly one of
// SnapshotIdentifier and PointInTime. It applies at creation only.
type Restore struct {
	// SnapshotIdentifier is a DB cluster snapshot's name (same account and
	// region) or ARN (a shared or copied one).
	SnapshotIdentifier string              `json:"snapshotIdentifier,omitempty"`
	PointInTime        *PointInTimeRestore `json:"pointInTime,omitempty"`
}

// PointInTimeRestore restores another cluster's data as it was at
// RestoreTime, or at its latest restorable time: exactly one of the two.
type PointInTimeRestore struct {
	SourceClusterIdentifier string `json:"sourceClusterIdentifier"`
	RestoreTime             string `json:"restoreTime,omitempty"`
	UseLatestRestorableTime *bool  `json:"useLatestRestorableTime,omitempty"`
}

// Restore formats RDS accepts: a snapshot name follows the identifier rules
// (with the colons of automated "rds:" snapshots), an ARN names a cluster
// snapshot; the source of a point-in-time restore is a cluster identifier
// or, from another account, a cluster ARN.
var (
	reSnapshotName       = regexp.MustCompile(`^(rds:)?[a-zA-Z][a-zA-Z0-9-]{0,254}$`)
	reClusterSnapshotARN = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):rds:([a-z0-9-]+):([0-9]{12}):cluster-snapshot:.+$`)
	reClusterARN         = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):rds:([a-z0-9-]+):([0-9]{12}):cluster:[a-z][a-z0-9-]{0,62}$`)
)

// validateRestore checks spec.restore: exactly one source, each in a form
// RDS accepts, and, for SelfManaged credentials, the password the restored
// data already has.
func validateRestore(root *field.Path, s *AuroraSpec) field.ErrorList {
	r := s.Restore
	if r == nil {
		return nil
	}
	p := root.Child("restore")
	var errs field.ErrorList
	switch {
	case r.SnapshotIdentifier == "" && r.PointInTime == nil:
		return append(errs, field.Required(p, "exactly one of snapshotIdentifier and pointInTime"))
	case r.SnapshotIdentifier != "" && r.PointInTime != nil:
		return append(errs, field.Forbidden(p, "set exactly one of snapshotIdentifier and pointInTime, not both"))
	case r.SnapshotIdentifier != "":
		sp := p.Child("snapshotIdentifier")
		if m := reClusterSnapshotARN.FindStringSubmatch(r.SnapshotIdentifier); m != nil {
			if m[2] != s.Region {
				// NOTE: RDS restores a snapshot in its own region only; copy
				// it first (CopyDBClusterSnapshot).
				errs = append(errs, field.Invalid(sp, r.SnapshotIdentifier, fmt.Sprintf("is in region %s: RDS restores a snapshot in its own region only; copy it to %s first", m[2], s.Region)))
			}
		} else if !reSnapshotName.MatchString(r.SnapshotIdentifier) || !validRDSName(r.SnapshotIdentifier) {
			errs = append(errs, field.Invalid(sp, r.SnapshotIdentifier, "must be a DB cluster snapshot name or a cluster snapshot ARN such as arn:aws:rds:us-east-1:111122223333:cluster-snapshot:orders-final"))
		}
	default:
		errs = append(errs, validatePointInTime(p.Child("pointInTime"), s.Region, r.PointInTime)...)
	}
	if s.Credentials.Mode == CredentialsModeSelfManaged && s.Credentials.PasswordSecretRef == nil {
		// NOTE: the restored cluster starts with the source's master
		// password. The rotator logs in with the secret's password, so the
		// secret must start from that one, not from a generated one.
		errs = append(errs, field.Required(root.Child("credentials", "passwordSecretRef"), "a SelfManaged restore needs the restored data's current master password: the restored cluster keeps the snapshot's (or source cluster's) password, and the function's secret and rotator must start from it until the first rotation replaces it"))
	}
	return errs
}

func validatePointInTime(p *field.Path, region string, pit *PointInTimeRestore) field.ErrorList {
	var errs field.ErrorList
	sp := p.Child("sourceClusterIdentifier")
	switch id := pit.SourceClusterIdentifier; {
	case id == "":
		errs = append(errs, field.Required(sp, "the identifier (or, from another account, the ARN) of the cluster whose backups to restore"))
	case reClusterARN.MatchString(id):
		if m := reClusterARN.FindStringSubmatch(id); m[2] != region {
			errs = append(errs, field.Invalid(sp, id, fmt.Sprintf("is in region %s: a point-in-time restore stays in the source's region", m[2])))
		}
	default:
		errs = append(errs, validateIdentifier(sp, id, maxRDSIdentifierLength)...)
	}
	latest := ptr.Deref(pit.UseLatestRestorableTime, false)
	switch {
	case pit.RestoreTime == "" && !latest:
		errs = append(errs, field.Required(p, "exactly one of restoreTime and useLatestRestorableTime: true"))
	case pit.RestoreTime != "" && latest:
		errs = append(errs, field.Forbidden(p.Child("useLatestRestorableTime"), "set exactly one of restoreTime and useLatestRestorableTime: true, not both"))
	case pit.RestoreTime != "":
		if _, err := time.Parse(time.RFC3339, pit.RestoreTime); err != nil {
			errs = append(errs, field.Invalid(p.Child("restoreTime"), pit.RestoreTime, "must be an RFC 3339 time in UTC such as 2026-11-30T10:00:00Z"))
		}
	}
	return errs
}

// maxRDSIdentifierLength is RDS's limit on cluster and instance
// identifiers.
const maxRDSIdentifierLength = 63

// validRDSName applies RDS's hyphen rules to a name.
func validRDSName(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == '-' && s[i-1] == '-' {
			return false
		}
	}
	return s[len(s)-1] != '-'
}

// restoreInto makes the cluster a restore. RDS takes the data, the
// databases and the master user from the snapshot or source cluster: the
// function sends neither databaseName nor masterUsername
// (RestoreDBClusterFromSnapshot and RestoreDBClusterToPointInTime take no
// master user; see
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterFromSnapshot.html
// and .../API_RestoreDBClusterToPointInTime.html), and checkRestore and
// checkChanges then compare them with what the restored cluster reports. The key is sent
// (kmsKeyId): RDS encrypts the restored copy with it, also from an
// unencrypted snapshot. A point-in-time restore takes the source's engine
// version: engineVersion is not sent either, the spec's is compared.
func (p *plan) restoreInto(fp *rdsv1beta1.ClusterParameters) {
	r := p.spec.Restore
	if r == nil {
		return
	}
	fp.DatabaseName = nil
	fp.MasterUsername = nil
	// NOTE: Terraform sends storage_encrypted only on CreateDBCluster; a
	// restore is encrypted by kmsKeyId.
	if r.SnapshotIdentifier != "" {
		fp.SnapshotIdentifier = ptr.To(r.SnapshotIdentifier)
		return
	}
	pit := r.PointInTime
	fp.EngineVersion = nil
	fp.RestoreToPointInTime = &rdsv1beta1.ClusterRestoreToPointInTimeParameters{
		SourceClusterIdentifier: ptr.To(pit.SourceClusterIdentifier),
		// NOTE: full-copy is RDS's default; copy-on-write (a clone) shares
		// storage with a source that may be deleted later.
		RestoreType: ptr.To("full-copy"),
	}
	if pit.RestoreTime != "" {
		fp.RestoreToPointInTime.RestoreToTime = ptr.To(pit.RestoreTime)
	} else {
		fp.RestoreToPointInTime.UseLatestRestorableTime = ptr.To(true)
	}
}

// restoreOf is the restore an observed cluster was created with, as the
// function composed it.
func restoreOf(fp *rdsv1beta1.ClusterParameters) *Restore {
	if id := ptr.Deref(fp.SnapshotIdentifier, ""); id != "" {
		return &Restore{SnapshotIdentifier: id}
	}
	pit := fp.RestoreToPointInTime
	if pit == nil || ptr.Deref(pit.SourceClusterIdentifier, "") == "" {
		return nil
	}
	r := &Restore{PointInTime: &PointInTimeRestore{
		SourceClusterIdentifier: ptr.Deref(pit.SourceClusterIdentifier, ""),
		RestoreTime:             ptr.Deref(pit.RestoreToTime, ""),
	}}
	if ptr.Deref(pit.UseLatestRestorableTime, false) {
		r.PointInTime.UseLatestRestorableTime = ptr.To(true)
	}
	return r
}

// describeRestore says what a restore restores, for messages.
func describeRestore(r *Restore) string {
	switch {
	case r == nil:
		return "none"
	case r.SnapshotIdentifier != "":
		return fmt.Sprintf("snapshot %q", r.SnapshotIdentifier)
	case r.PointInTime.RestoreTime != "":
		return fmt.Sprintf("cluster %q at %s", r.PointInTime.SourceClusterIdentifier, r.PointInTime.RestoreTime)
	default:
		return fmt.Sprintf("cluster %q at its latest restorable time", r.PointInTime.SourceClusterIdentifier)
	}
}

// checkRestore refuses adding, changing or removing spec.restore once the
// cluster exists. Snapshot and point-in-time fields are create-only
// (ForceNew in Terraform's aws_rds_cluster), so the provider would retry a
// replacement forever (pitfall 10); the restore the cluster was made with
// stays in its desired state. For a restored cluster it also compares the
// database name and master user, which came from the backup, with the spec:
// the connection secret and the bootstrap secret name them.
func (p *plan) checkRestore(o observed) field.ErrorList {
	fp, ok := forProvider[rdsv1beta1.ClusterParameters](o, nameCluster)
	if !ok || p.adoptObserving(o) {
		return nil
	}
	path := field.NewPath("spec", "restore")
	was, now := restoreOf(fp), p.spec.Restore
	var errs field.ErrorList
	if describeRestore(was) != describeRestore(now) {
		errs = append(errs, field.Forbidden(path, fmt.Sprintf("the cluster exists (restored from %s): a restore applies at creation only and cannot be added, changed or removed (it was %s, the spec asks %s)", describeRestore(was), describeRestore(was), describeRestore(now))))
	}
	if was == nil {
		return errs
	}
	at, _ := atProvider[rdsv1beta1.ClusterObservation](o, nameCluster)
	root := field.NewPath("spec")
	mismatch := func(fp *field.Path, what string, running *string, spec string) {
		if r := ptr.Deref(running, ""); r != "" && r != spec {
			errs = append(errs, field.Invalid(fp, spec, fmt.Sprintf("the restored cluster's %s is %q, from the backup (RDS cannot change it): set it to %q", what, r, r)))
		}
	}
	if at != nil {
		mismatch(root.Child("masterUsername"), "master username", at.MasterUsername, p.spec.MasterUsername)
		mismatch(root.Child("databaseName"), "database name", at.DatabaseName, p.spec.DatabaseName)
	}
	return errs
}
