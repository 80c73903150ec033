package main

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Limits and formats AWS enforces, checked here so a mistake is reported at
// compose time with its field path instead of by a provider retrying forever.
var (
	reRegion           = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	reAccountID        = regexp.MustCompile(`^[0-9]{12}$`)
	reIdentifier       = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	reInstanceName     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	reEngineVersion    = regexp.MustCompile(`^([0-9]+)(\.([0-9]+))?$`)
	reDBName           = bounded(`^([A-Za-z][A-Za-z0-9_]*)$`, groupBound{1, 63})
	reVPCID            = regexp.MustCompile(`^vpc-[0-9a-z]+$`)
	reSubnetID         = regexp.MustCompile(`^subnet-[0-9a-z]+$`)
	reSecurityGroupID  = regexp.MustCompile(`^sg-[0-9a-z]+$`)
	reInstanceClass    = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9-]+$`)
	reKMSKeyARN        = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):([0-9]{12}):key/((mrk-)?[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	reBackupWindow     = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$`)
	reMaintenanceWindw = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])$`)
)

// supportedEngineMajors are the Aurora PostgreSQL majors the function
// composes, each with a cluster parameter group family. 13 is past standard
// support: kept for clusters that exist, refused for new ones
// (checkCreation).
var supportedEngineMajors = []string{"13", "14", "15", "16", "17"}

// autoPauseMinMinors are, per major, the first minor version whose
// Serverless v2 scales to 0 ACU (auto-pause): "Aurora PostgreSQL 13.15+,
// 14.12+, 15.7+ and 16.3+" (Aurora Serverless v2 auto-pause, 2024-11);
// every later major does.
var autoPauseMinMinors = map[string]int{"13": 15, "14": 12, "15": 7, "16": 3}

// reservedUsernames cannot be the master user of Aurora PostgreSQL.
var reservedUsernames = []string{"rdsadmin", "rdsrepladmin", "rds_superuser", "rds_replication", "rds_password", "public"}

// logRetentionDays are the values CloudWatch Logs accepts.
var logRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// logExports are the logs Aurora PostgreSQL can export to CloudWatch Logs.
var logExports = []string{logExportPostgreSQL, logExportIAMDBAuthError}

// Aurora limits.
const (
	maxInstances     = 16 // one writer and up to 15 readers
	maxPromotionTier = 15
	minPort, maxPort = 1150, 65535
	maxACU           = 256
	minAutoPause     = 300
	maxAutoPause     = 86400
	minWindowMinutes = 30
	// AWS allows 50 tags a resource; the provider adds its own crossplane-*
	// tags (kind, name, provider config and, for namespaced kinds, the
	// namespace), so users keep 46.
	maxTags            = 46
	maxSlowQueryMillis = math.MaxInt32
)

// validate checks a defaulted spec and returns every problem, each with its
// field path: first the fields the API does not have (decodeXR), then the
// values. meta says whether the XR is namespaced.
func validate(m xrMeta, s *AuroraSpec) field.ErrorList {
	root := field.NewPath("spec")
	errs := append(field.ErrorList(nil), m.UnknownFields...)

	switch {
	case s.Region == "":
		errs = append(errs, field.Required(root.Child("region"), "the AWS region of the cluster, e.g. us-east-1"))
	case !reRegion.MatchString(s.Region):
		errs = append(errs, field.Invalid(root.Child("region"), s.Region, "must be an AWS region such as us-east-1"))
	default:
		if _, ok := partitions[partitionOf(s.Region)]; !ok {
			errs = append(errs, field.Invalid(root.Child("region"), s.Region, fmt.Sprintf("is in the %s partition: the function composes in the aws and aws-us-gov partitions only (service principals, endpoint services and the rotator application differ in %s)", partitionOf(s.Region), partitionOf(s.Region))))
		}
	}
	if s.AccountID != "" && !reAccountID.MatchString(s.AccountID) {
		errs = append(errs, field.Invalid(root.Child("accountId"), s.AccountID, "must be a 12-digit AWS account ID"))
	}
	if s.ClusterIdentifier != "" {
		errs = append(errs, validateIdentifier(root.Child("clusterIdentifier"), s.ClusterIdentifier, maxClusterIdentifierLength)...)
	}
	errs = append(errs, validateEngine(root, s)...)
	errs = append(errs, validateNetwork(root.Child("network"), s.Network)...)
	errs = append(errs, validateInstances(root, s)...)
	errs = append(errs, validateParameters(root.Child("parameters"), s.Parameters)...)
	errs = append(errs, validateParameters(root.Child("instanceParameters"), s.InstanceParameters)...)
	errs = append(errs, validateEncryption(root.Child("encryption"), s)...)
	errs = append(errs, validateCredentials(root, s)...)
	errs = append(errs, validateLogging(root.Child("logging"), s.Logging)...)
	errs = append(errs, validateAccess(root, s)...)
	errs = append(errs, validateMonitoring(root.Child("monitoring"), s.Monitoring, s.Region)...)
	errs = append(errs, validateMonitoringLogging(root.Child("monitoring"), s.Monitoring, s.Logging)...)
	errs = append(errs, validateWindows(root, s)...)
	errs = append(errs, validateTags(root.Child("tags"), s.Tags)...)
	errs = append(errs, validateRestore(root, s)...)
	errs = append(errs, validateAdopt(root, s)...)
	errs = append(errs, validateAutoscaling(root, s)...)
	errs = append(errs, validateCustomEndpoints(root, s, clusterIdentifier(m, s))...)
	errs = append(errs, validateProxy(root, s)...)
	if r := s.WriteConnectionSecretToRef; r != nil && !m.Legacy {
		for _, msg := range validation.IsDNS1123Subdomain(r.Name) {
			errs = append(errs, field.Invalid(root.Child("writeConnectionSecretToRef", "name"), r.Name, msg))
		}
	}
	return errs
}

// validateIdentifier applies RDS's identifier rules.
func validateIdentifier(p *field.Path, id string, maxLen int) field.ErrorList {
	var errs field.ErrorList
	if len(id) > maxLen {
		errs = append(errs, field.TooLong(p, id, maxLen))
	}
	if !reIdentifier.MatchString(id) || strings.Contains(id, "--") || strings.HasSuffix(id, "-") {
		errs = append(errs, field.Invalid(p, id, "must start with a lower-case letter and contain only lower-case letters, digits and single hyphens, not ending with a hyphen"))
	}
	return errs
}

func validateEngine(root *field.Path, s *AuroraSpec) field.ErrorList {
	var errs field.ErrorList
	if mv := reEngineVersion.FindStringSubmatch(s.EngineVersion); mv == nil {
		errs = append(errs, field.Invalid(root.Child("engineVersion"), s.EngineVersion, "must be an Aurora PostgreSQL major such as 16 (minors follow AWS) or a version MAJOR.MINOR such as 16.6 (pinned)"))
	} else if !slices.Contains(supportedEngineMajors, mv[1]) {
		errs = append(errs, field.NotSupported(root.Child("engineVersion"), s.EngineVersion, supportedEngineMajors))
	}
	if v := s.EngineLifecycleSupport; v != "" && v != lifecycleExtendedSupport && v != lifecycleExtendedSupportDisabled {
		errs = append(errs, field.NotSupported(root.Child("engineLifecycleSupport"), v, []string{lifecycleExtendedSupport, lifecycleExtendedSupportDisabled}))
	}
	if !reDBName.MatchString(s.DatabaseName) {
		errs = append(errs, field.Invalid(root.Child("databaseName"), s.DatabaseName, "must start with a letter and contain only letters, digits and underscores (at most 63)"))
	}
	switch {
	case !reDBName.MatchString(s.MasterUsername):
		errs = append(errs, field.Invalid(root.Child("masterUsername"), s.MasterUsername, "must start with a letter and contain only letters, digits and underscores (at most 63)"))
	case slices.Contains(reservedUsernames, strings.ToLower(s.MasterUsername)):
		errs = append(errs, field.Invalid(root.Child("masterUsername"), s.MasterUsername, "is reserved by RDS"))
	}
	if *s.Port < minPort || *s.Port > maxPort {
		errs = append(errs, field.Invalid(root.Child("port"), *s.Port, fmt.Sprintf("must be between %d and %d", minPort, maxPort)))
	}
	return errs
}

func validateNetwork(p *field.Path, n Network) field.ErrorList {
	var errs field.ErrorList
	switch {
	case n.VPCID == "":
		errs = append(errs, field.Required(p.Child("vpcId"), "the VPC of the subnets, e.g. vpc-0123456789abcdef0"))
	case !reVPCID.MatchString(n.VPCID):
		errs = append(errs, field.Invalid(p.Child("vpcId"), n.VPCID, "must be a VPC ID such as vpc-0123456789abcdef0"))
	}
	if len(n.SubnetIDs) < 2 {
		errs = append(errs, field.Invalid(p.Child("subnetIds"), len(n.SubnetIDs), "must list at least 2 subnets, in different availability zones"))
	}
	errs = append(errs, validateIDs(p.Child("subnetIds"), n.SubnetIDs, reSubnetID, "a subnet ID such as subnet-0123456789abcdef0")...)
	errs = append(errs, validateIDs(p.Child("allowedSecurityGroupIds"), n.AllowedSecurityGroupIDs, reSecurityGroupID, "a security group ID such as sg-0123456789abcdef0")...)
	errs = append(errs, validateCIDRs(p.Child("allowedCidrBlocks"), n.AllowedCIDRBlocks, "would open the database to every address: list the networks that need access")...)
	errs = append(errs, validateCIDRs(p.Child("vpcCidrBlocks"), n.VPCCIDRBlocks, "is not a VPC's network: list the VPC's CIDR blocks")...)
	types := []string{networkTypeIPv4, networkTypeDualStack}
	if !slices.Contains(types, n.NetworkType) {
		errs = append(errs, field.NotSupported(p.Child("networkType"), n.NetworkType, types))
	}
	// NOTE: an IPv4-only cluster has no IPv6 address, so an IPv6 rule
	// would admit nobody (RDS: "Working with a DB instance in a VPC",
	// dual-stack mode).
	for i, c := range n.AllowedCIDRBlocks {
		prefix, err := netip.ParsePrefix(c)
		if err == nil && prefix.Addr().Is6() && prefix == prefix.Masked() && prefix.Bits() > 0 && n.NetworkType != networkTypeDualStack {
			errs = append(errs, field.Invalid(p.Child("allowedCidrBlocks").Index(i), c, "an IPv6 network reaches only a dual-stack cluster: set spec.network.networkType to DUAL (the subnets need IPv6 CIDR blocks), or remove it"))
		}
	}
	return errs
}

// validateCIDRs checks a list of CIDR blocks: canonical network addresses,
// no duplicates, and never every address (why says what /0 would mean).
func validateCIDRs(p *field.Path, cidrs []string, why string) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, c := range cidrs {
		ip := p.Index(i)
		prefix, err := netip.ParsePrefix(c)
		switch {
		case err != nil:
			errs = append(errs, field.Invalid(ip, c, "must be a CIDR block such as 10.0.0.0/16"))
		case prefix.Masked() != prefix:
			errs = append(errs, field.Invalid(ip, c, fmt.Sprintf("must be a network address: did you mean %s?", prefix.Masked())))
		case prefix.String() != c:
			errs = append(errs, field.Invalid(ip, c, fmt.Sprintf("must be written in canonical form %s", prefix)))
		case prefix.Bits() == 0:
			errs = append(errs, field.Invalid(ip, c, why))
		case seen[c]:
			errs = append(errs, field.Duplicate(ip, c))
		}
		seen[c] = true
	}
	return errs
}

// validateIDs checks a list of AWS resource IDs for format and duplicates.
func validateIDs(p *field.Path, ids []string, re *regexp.Regexp, what string) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !re.MatchString(id):
			errs = append(errs, field.Invalid(p.Index(i), id, "must be "+what))
		case seen[id]:
			errs = append(errs, field.Duplicate(p.Index(i), id))
		}
		seen[id] = true
	}
	return errs
}

func validateInstances(root *field.Path, s *AuroraSpec) field.ErrorList {
	var errs field.ErrorList
	p := root.Child("instances")
	switch {
	case len(s.Instances) == 0:
		errs = append(errs, field.Required(p, "at least one instance, the writer"))
	case len(s.Instances) > maxInstances:
		errs = append(errs, field.TooMany(p, len(s.Instances), maxInstances))
	}
	serverless := false
	seen := map[string]bool{}
	for i, in := range s.Instances {
		ip := p.Index(i)
		switch {
		case in.InstanceClass == "":
			errs = append(errs, field.Required(ip.Child("instanceClass"), "e.g. db.r6g.large, or db.serverless with spec.serverlessV2"))
		case in.InstanceClass == instanceClassServerless:
			serverless = true
		case !reInstanceClass.MatchString(in.InstanceClass):
			errs = append(errs, field.Invalid(ip.Child("instanceClass"), in.InstanceClass, "must be a DB instance class such as db.r6g.large or db.serverless"))
		}
		if in.Name != "" && (len(in.Name) > maxInstanceNameLength || !reInstanceName.MatchString(in.Name) || strings.Contains(in.Name, "--")) {
			errs = append(errs, field.Invalid(ip.Child("name"), in.Name, fmt.Sprintf("must be at most %d lower-case letters, digits and single hyphens, starting and ending with a letter or digit", maxInstanceNameLength)))
		}
		if suffix := instanceSuffix(i, in); seen[suffix] {
			errs = append(errs, field.Duplicate(ip.Child("name"), suffix))
		} else {
			seen[suffix] = true
		}
		if t := in.PromotionTier; t != nil && (*t < 0 || *t > maxPromotionTier) {
			errs = append(errs, field.Invalid(ip.Child("promotionTier"), *t, fmt.Sprintf("must be between 0 and %d", maxPromotionTier)))
		}
		if az := in.AvailabilityZone; az != "" && (!strings.HasPrefix(az, s.Region) || len(az) != len(s.Region)+1 || az[len(az)-1] < 'a' || az[len(az)-1] > 'z') {
			errs = append(errs, field.Invalid(ip.Child("availabilityZone"), az, fmt.Sprintf("must be an availability zone of %s, e.g. %sa", s.Region, s.Region)))
		}
	}
	v2 := s.ServerlessV2
	if serverless && v2 == nil {
		errs = append(errs, field.Required(root.Child("serverlessV2"), "instances of class db.serverless need a capacity range"))
	}
	if v2 == nil {
		return errs
	}
	vp := root.Child("serverlessV2")
	if !isACU(v2.MinCapacity, 0) {
		errs = append(errs, field.Invalid(vp.Child("minCapacity"), v2.MinCapacity, fmt.Sprintf("must be between 0 and %d ACUs in steps of 0.5", maxACU)))
	}
	if !isACU(v2.MaxCapacity, 1) {
		errs = append(errs, field.Invalid(vp.Child("maxCapacity"), v2.MaxCapacity, fmt.Sprintf("must be between 1 and %d ACUs in steps of 0.5", maxACU)))
	}
	if v2.MinCapacity > v2.MaxCapacity {
		errs = append(errs, field.Invalid(vp.Child("minCapacity"), v2.MinCapacity, "must not exceed maxCapacity"))
	}
	// NOTE: a major alone gets AWS's default minor, later than these.
	if mv := reEngineVersion.FindStringSubmatch(s.EngineVersion); v2.MinCapacity == 0 && mv != nil && mv[3] != "" {
		if least, ok := autoPauseMinMinors[mv[1]]; ok {
			if minor, _ := strconv.Atoi(mv[3]); minor < least {
				errs = append(errs, field.Invalid(vp.Child("minCapacity"), v2.MinCapacity, fmt.Sprintf("0 (auto-pause) needs Aurora PostgreSQL %s.%d or later, not spec.engineVersion %s: use 0.5 or a later version", mv[1], least, s.EngineVersion)))
			}
		}
	}
	if a := v2.SecondsUntilAutoPause; a != nil {
		switch {
		case *a < minAutoPause || *a > maxAutoPause:
			errs = append(errs, field.Invalid(vp.Child("secondsUntilAutoPause"), *a, fmt.Sprintf("must be between %d and %d", minAutoPause, maxAutoPause)))
		case v2.MinCapacity != 0:
			errs = append(errs, field.Invalid(vp.Child("secondsUntilAutoPause"), *a, "applies only when minCapacity is 0 (auto-pause)"))
		}
	}
	return errs
}

// isACU reports whether v is a valid Aurora capacity: a multiple of 0.5
// between lowest and 256.
func isACU(v, lowest float64) bool {
	return v >= lowest && v <= maxACU && math.Mod(v*2, 1) == 0
}

func validateEncryption(p *field.Path, s *AuroraSpec) field.ErrorList {
	var errs field.ErrorList
	e := s.Encryption
	if w := *e.KMSDeletionWindowInDays; w < 7 || w > 30 {
		errs = append(errs, field.Invalid(p.Child("kmsDeletionWindowInDays"), w, "must be between 7 and 30"))
	}
	if e.ExistingKMSKeyARN == "" {
		return errs
	}
	ap := p.Child("existingKmsKeyArn")
	m := reKMSKeyARN.FindStringSubmatch(e.ExistingKMSKeyARN)
	switch {
	case m == nil:
		errs = append(errs, field.Invalid(ap, e.ExistingKMSKeyARN, "must be a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)"))
	case m[2] != s.Region:
		errs = append(errs, field.Invalid(ap, e.ExistingKMSKeyARN, fmt.Sprintf("must be a key in the cluster's region %s, not %s", s.Region, m[2])))
	case m[1] != partitionOf(s.Region):
		errs = append(errs, field.Invalid(ap, e.ExistingKMSKeyARN, fmt.Sprintf("must be in the %s partition of region %s", partitionOf(s.Region), s.Region)))
	}
	return errs
}

func validateLogging(p *field.Path, l Logging) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, e := range l.Exports {
		switch {
		case !slices.Contains(logExports, e):
			errs = append(errs, field.NotSupported(p.Child("exports").Index(i), e, logExports))
		case seen[e]:
			errs = append(errs, field.Duplicate(p.Child("exports").Index(i), e))
		}
		seen[e] = true
	}
	if r := *l.RetentionInDays; !slices.Contains(logRetentionDays, r) {
		vals := make([]string, 0, len(logRetentionDays))
		for _, d := range logRetentionDays {
			vals = append(vals, strconv.FormatInt(d, 10))
		}
		errs = append(errs, field.NotSupported(p.Child("retentionInDays"), r, vals))
	}
	if t := *l.SlowQueryThresholdMs; t < -1 || t > maxSlowQueryMillis {
		errs = append(errs, field.Invalid(p.Child("slowQueryThresholdMs"), t, "must be -1 (off), 0 (every statement) or a duration in milliseconds"))
	}
	return errs
}

func validateWindows(root *field.Path, s *AuroraSpec) field.ErrorList {
	var errs field.ErrorList
	if r := *s.Backup.RetentionDays; r < 1 || r > 35 {
		errs = append(errs, field.Invalid(root.Child("backup", "retentionDays"), r, "must be between 1 and 35"))
	}
	bp := root.Child("backup", "preferredWindow")
	b := reBackupWindow.FindStringSubmatch(s.Backup.PreferredWindow)
	var bStart, bEnd int
	if b == nil {
		errs = append(errs, field.Invalid(bp, s.Backup.PreferredWindow, "must be hh24:mi-hh24:mi in UTC, e.g. 03:00-04:00"))
	} else {
		bStart, bEnd = minutes("", b[1], b[2]), minutes("", b[3], b[4])
		if span(bStart, bEnd, 24*60) < minWindowMinutes {
			errs = append(errs, field.Invalid(bp, s.Backup.PreferredWindow, "must be at least 30 minutes long"))
		}
	}
	mp := root.Child("preferredMaintenanceWindow")
	mw := reMaintenanceWindw.FindStringSubmatch(s.PreferredMaintenanceWindow)
	if mw == nil {
		errs = append(errs, field.Invalid(mp, s.PreferredMaintenanceWindow, "must be ddd:hh24:mi-ddd:hh24:mi in UTC, e.g. sun:05:00-sun:06:00"))
		return errs
	}
	mStart, mEnd := minutes(mw[1], mw[2], mw[3]), minutes(mw[4], mw[5], mw[6])
	if span(mStart, mEnd, 7*24*60) < minWindowMinutes {
		errs = append(errs, field.Invalid(mp, s.PreferredMaintenanceWindow, "must be at least 30 minutes long"))
	}
	if b != nil && windowsOverlap(bStart, bEnd, mStart, mEnd) {
		errs = append(errs, field.Invalid(mp, s.PreferredMaintenanceWindow, fmt.Sprintf("must not overlap the backup window %s", s.Backup.PreferredWindow)))
	}
	return errs
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// minutes is a time as minutes since the start of the day, or of the week
// when day is given.
func minutes(day, hh, mm string) int {
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	return max(slices.Index(weekdays, day), 0)*24*60 + h*60 + m
}

// span is the length of a window that may wrap around the period.
func span(start, end, period int) int {
	return ((end-start)%period + period) % period
}

// windowsOverlap reports whether a daily backup window overlaps a weekly
// maintenance window on any day.
func windowsOverlap(bStart, bEnd, mStart, mEnd int) bool {
	const day, week = 24 * 60, 7 * 24 * 60
	bLen, mLen := span(bStart, bEnd, day), span(mStart, mEnd, week)
	for d := 0; d < 7; d++ {
		s := d*day + bStart
		// Two intervals on a circle overlap when either starts inside the other.
		if span(mStart, s, week) < mLen || span(s, mStart, week) < bLen {
			return true
		}
	}
	return false
}

func validateTags(p *field.Path, tags map[string]string) field.ErrorList {
	var errs field.ErrorList
	if len(tags) > maxTags {
		errs = append(errs, field.TooMany(p, len(tags), maxTags))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case k == "" || len(k) > 128:
			errs = append(errs, field.Invalid(p.Key(k), k, "tag keys must be 1 to 128 characters"))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, field.Invalid(p.Key(k), k, "tag keys must not start with aws:, which AWS reserves"))
		}
		if len(tags[k]) > 256 {
			errs = append(errs, field.TooLong(p.Key(k), tags[k], 256))
		}
	}
	return errs
}
