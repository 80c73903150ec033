package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/function-sdk-go/resource"
)

// checkRDSIdentifier returns what is wrong with a derived cluster
// identifier, if anything: it must pass the same validation as a
// user-supplied one.
func checkRDSIdentifier(id string) []string {
	return errorMessages(validateIdentifier(field.NewPath("id"), id, maxClusterIdentifierLength))
}

func TestClusterIdentifier(t *testing.T) {
	type args struct {
		meta xrMeta
		spec *AuroraSpec
	}
	type want struct {
		id string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"ExplicitIdentifierWins": {
			reason: "spec.clusterIdentifier is used as is, whatever the XR is called.",
			args: args{
				meta: xrMeta{Name: "orders", Namespace: "team-payments"},
				spec: &AuroraSpec{ClusterIdentifier: "finance-ledger"},
			},
			want: want{id: "finance-ledger"},
		},
		"ExplicitIdentifierWinsOverClaim": {
			reason: "spec.clusterIdentifier wins over the claim of a legacy XR too.",
			args: args{
				meta: xrMeta{Name: "orders-x7k2p", ClaimName: "orders", ClaimNamespace: "team", Legacy: true},
				spec: &AuroraSpec{ClusterIdentifier: "finance-ledger"},
			},
			want: want{id: "finance-ledger"},
		},
		"NamespacedXR": {
			reason: "A namespaced XR's identifier is its namespace and name, and a hash of that identity.",
			args: args{
				meta: xrMeta{Name: "orders", Namespace: "team-payments"},
				spec: &AuroraSpec{},
			},
			want: want{id: "team-payments-orders-c2eb71"},
		},
		"LegacyXRWithClaim": {
			reason: "A legacy XR is named after its claim, which is where the user filed it, not after its generated name.",
			args: args{
				meta: xrMeta{Name: "orders-x7k2p", ClaimName: "orders", ClaimNamespace: "team-payments", Legacy: true},
				spec: &AuroraSpec{},
			},
			want: want{id: "team-payments-orders-947e08"},
		},
		"LegacyXRWithoutClaim": {
			reason: "A legacy XR created directly uses its own name.",
			args: args{
				meta: xrMeta{Name: "orders-x7k2p", Legacy: true},
				spec: &AuroraSpec{},
			},
			want: want{id: "orders-x7k2p-90abd2"},
		},
		"Sanitized": {
			reason: "Upper case is lowered and dots and underscores become single hyphens.",
			args: args{
				meta: xrMeta{Name: "Orders_DB.v2", Namespace: "Team.Payments"},
				spec: &AuroraSpec{},
			},
			want: want{id: "team-payments-orders-db-v2-f936be"},
		},
		"RunsOfSeparatorsCollapse": {
			reason: "Runs of characters RDS does not allow become one hyphen, so the identifier never contains --.",
			args: args{
				meta: xrMeta{Name: "a--b__c..d", Legacy: true},
				spec: &AuroraSpec{},
			},
			want: want{id: "a-b-c-d-0b63e2"},
		},
		"StartsWithDigit": {
			reason: "RDS identifiers start with a letter, so a name starting with a digit gets a db- prefix.",
			args: args{
				meta: xrMeta{Name: "orders", Namespace: "42-team"},
				spec: &AuroraSpec{},
			},
			want: want{id: "db-42-team-orders-acd583"},
		},
		"NothingUsable": {
			reason: "A name with no usable character at all still yields a valid identifier.",
			args: args{
				meta: xrMeta{Name: "ÄÖÜ", Legacy: true},
				spec: &AuroraSpec{},
			},
			want: want{id: "db-58ddad"},
		},
		"LongNameGetsHash": {
			reason: "A name longer than 43 characters is cut before the identity hash, 50 characters in all.",
			args: args{
				meta: xrMeta{Name: "orders-service-for-the-checkout-and-billing-flows", Namespace: "team-payments"},
				spec: &AuroraSpec{},
			},
			want: want{id: "team-payments-orders-service-for-the-checko-c75288"},
		},
		"LongNameSamePrefixDifferentHash": {
			reason: "Two long names that share their first 43 characters get different identifiers.",
			args: args{
				meta: xrMeta{Name: "orders-service-for-the-checkout-and-refund-flows", Namespace: "team-payments"},
				spec: &AuroraSpec{},
			},
			want: want{id: "team-payments-orders-service-for-the-checko-c7a700"},
		},
		"CutAtHyphen": {
			reason: "A cut never leaves a trailing hyphen before the hash, so the identifier has no --.",
			args: args{
				meta: xrMeta{Name: strings.Repeat("a", 40) + "-" + strings.Repeat("b", 20), Legacy: true},
				spec: &AuroraSpec{},
			},
			want: want{id: strings.Repeat("a", 40) + "-bb-6d2cfe"},
		},
		"LongDigitsGetPrefixAndHash": {
			reason: "A long name of digits gets the db- prefix and the hash, within 50 characters.",
			args: args{
				meta: xrMeta{Name: strings.Repeat("1", 60), Legacy: true},
				spec: &AuroraSpec{},
			},
			want: want{id: "db-" + strings.Repeat("1", 40) + "-f8cb6d"},
		},
		"LongSanitizedNameHashesOriginal": {
			reason: "The hash is of the identity as written, so names that differ only in characters sanitize drops still get different identifiers.",
			args: args{
				meta: xrMeta{Name: strings.Repeat("A", 60), Namespace: "Team.Payments_"},
				spec: &AuroraSpec{},
			},
			want: want{id: "team-payments-" + strings.Repeat("a", 29) + "-bf511f"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := clusterIdentifier(tc.args.meta, tc.args.spec)
			if diff := cmp.Diff(tc.want.id, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "clusterIdentifier", diff)
			}
			if diff := cmp.Diff([]string{}, checkRDSIdentifier(got)); diff != "" {
				t.Errorf("%s\n%s(...): result must be a valid RDS identifier: -want, +got:\n%s", tc.reason, "clusterIdentifier", diff)
			}
		})
	}
}

func TestClusterIdentifierLongNamesDiffer(t *testing.T) {
	prefix := strings.Repeat("orders-", 10)
	seen := map[string]string{}
	for _, suffix := range []string{"a", "b", "c", "aa", "A", "a.", "a_"} {
		name := prefix + suffix
		got := clusterIdentifier(xrMeta{Name: name, Namespace: "team"}, &AuroraSpec{})
		if other, ok := seen[got]; ok {
			t.Errorf("clusterIdentifier(...): long names %q and %q share the identifier %q", other, name, got)
		}
		seen[got] = name
		if len(got) != maxClusterIdentifierLength {
			t.Errorf("clusterIdentifier(...): %q: want %d characters, got %d", got, maxClusterIdentifierLength, len(got))
		}
	}
}

func TestRDSIdentifier(t *testing.T) {
	type args struct {
		s      string
		maxLen int
	}
	type want struct {
		id string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"AlreadyValid": {
			reason: "A valid identifier is kept.",
			args:   args{s: "orders-db", maxLen: 50},
			want:   want{id: "orders-db"},
		},
		"Empty": {
			reason: "An empty name becomes db, not db-.",
			args:   args{s: "", maxLen: 50},
			want:   want{id: "db"},
		},
		"OnlyHyphens": {
			reason: "A name of hyphens has nothing usable.",
			args:   args{s: "---", maxLen: 50},
			want:   want{id: "db"},
		},
		"DigitsOnly": {
			reason: "A name of digits gets the db- prefix.",
			args:   args{s: "0123", maxLen: 50},
			want:   want{id: "db-0123"},
		},
		"ExactlyMaxLength": {
			reason: "A name of exactly maxLen characters is not cut.",
			args:   args{s: strings.Repeat("a", 50), maxLen: 50},
			want:   want{id: strings.Repeat("a", 50)},
		},
		"OneOverMaxLength": {
			reason: "A name one character over maxLen is cut.",
			args:   args{s: strings.Repeat("a", 51), maxLen: 50},
			want:   want{id: strings.Repeat("a", 50)},
		},
		"ShortMaxLength": {
			reason: "A cut never ends on a hyphen.",
			args:   args{s: "abcdefghijk-mnop", maxLen: 12},
			want:   want{id: "abcdefghijk"},
		},
		"PrefixPushesOverMaxLength": {
			reason: "The db- prefix counts towards maxLen.",
			args:   args{s: strings.Repeat("1", 48), maxLen: 50},
			want:   want{id: "db-" + strings.Repeat("1", 47)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := rdsIdentifier(tc.args.s, tc.args.maxLen)
			if diff := cmp.Diff(tc.want.id, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "rdsIdentifier", diff)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	cases := map[string]struct {
		reason string
		arg    string
		want   string
	}{
		"Empty":        {reason: "Nothing in, nothing out.", arg: "", want: ""},
		"Lowered":      {reason: "Upper case is lowered.", arg: "Orders", want: "orders"},
		"Separators":   {reason: "Dots, underscores, slashes and colons become hyphens.", arg: "a.b_c/d:e", want: "a-b-c-d-e"},
		"Runs":         {reason: "A run of other characters is one hyphen.", arg: "a--__..b", want: "a-b"},
		"Trimmed":      {reason: "No leading or trailing hyphens.", arg: "--a--", want: "a"},
		"NonASCII":     {reason: "Letters outside a-z are dropped like any other character.", arg: "ÄÖÜ", want: ""},
		"NonASCIIRun":  {reason: "Non-ASCII letters between ASCII ones separate them.", arg: "grüße", want: "gr-e"},
		"Digits":       {reason: "Digits are kept.", arg: "0123", want: "0123"},
		"IPv4CIDR":     {reason: "An IPv4 CIDR block.", arg: "10.20.0.0/16", want: "10-20-0-0-16"},
		"IPv6CIDR":     {reason: "An IPv6 CIDR block: :: is one separator.", arg: "fd00:40::/56", want: "fd00-40-56"},
		"SecurityGrID": {reason: "A security group ID is already sanitized.", arg: "sg-0123456789abcdef9", want: "sg-0123456789abcdef9"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := sanitize(tc.arg)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "sanitize", diff)
			}
		})
	}
}

func TestInstanceSuffix(t *testing.T) {
	type args struct {
		i  int
		in Instance
	}
	cases := map[string]struct {
		reason string
		args   args
		want   string
	}{
		"FirstUnnamed": {
			reason: "An unnamed instance is its 1-based position.",
			args:   args{i: 0, in: Instance{InstanceClass: "db.r6g.large"}},
			want:   "1",
		},
		"SixteenthUnnamed": {
			reason: "Positions go up to 16.",
			args:   args{i: 15, in: Instance{}},
			want:   "16",
		},
		"Named": {
			reason: "A named instance is its name, wherever it is.",
			args:   args{i: 3, in: Instance{Name: "reader1"}},
			want:   "reader1",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := instanceSuffix(tc.args.i, tc.args.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "instanceSuffix", diff)
			}
		})
	}
}

func TestFinalSnapshotIdentifier(t *testing.T) {
	type args struct {
		clusterID string
		uid       string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   string
	}{
		"Example": {
			reason: "The cluster identifier, -final- and 8 hex digits of the XR's UID's hash.",
			args:   args{clusterID: "team-payments-orders", uid: "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60"},
			want:   "team-payments-orders-final-db1b39cf",
		},
		"OtherUID": {
			reason: "Another XR that reuses the identifier gets another snapshot name.",
			args:   args{clusterID: "team-payments-orders", uid: "11111111-2222-4333-8444-555555555555"},
			want:   "team-payments-orders-final-cf4c4732",
		},
		"EmptyUID": {
			reason: "Even without a UID the name is deterministic.",
			args:   args{clusterID: "orders", uid: ""},
			want:   "orders-final-e3b0c442",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := finalSnapshotIdentifier(tc.args.clusterID, tc.args.uid)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "finalSnapshotIdentifier", diff)
			}
			if again := finalSnapshotIdentifier(tc.args.clusterID, tc.args.uid); again != got {
				t.Errorf("%s\n%s(...): not deterministic: %q then %q", tc.reason, "finalSnapshotIdentifier", got, again)
			}
			if len(got) > 255 || !reIdentifier.MatchString(got) || strings.Contains(got, "--") {
				t.Errorf("%s\n%s(...): %q is not a valid DB cluster snapshot identifier", tc.reason, "finalSnapshotIdentifier", got)
			}
		})
	}
}

func TestLogGroupName(t *testing.T) {
	type args struct {
		clusterID string
		export    string
	}
	cases := map[string]struct {
		reason string
		args   args
		want   string
	}{
		"PostgreSQL": {
			reason: "RDS writes the postgresql log to /aws/rds/cluster/<id>/postgresql.",
			args:   args{clusterID: "team-payments-orders", export: "postgresql"},
			want:   "/aws/rds/cluster/team-payments-orders/postgresql",
		},
		"IAMAuthErrors": {
			reason: "Every export has its own group under the cluster.",
			args:   args{clusterID: "finance-ledger", export: "iam-db-auth-error"},
			want:   "/aws/rds/cluster/finance-ledger/iam-db-auth-error",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := logGroupName(tc.args.clusterID, tc.args.export)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "logGroupName", diff)
			}
		})
	}
}

func TestNameIngressCIDR(t *testing.T) {
	cases := map[string]struct {
		reason string
		cidr   string
		want   resource.Name
	}{
		"IPv4": {
			reason: "Dots and the slash become hyphens.",
			cidr:   "10.20.0.0/16",
			want:   "ingress-cidr-10-20-0-0-16",
		},
		"IPv6": {
			reason: "An IPv6 address is spelled out in full, so :: cannot make two blocks look alike.",
			cidr:   "fd00:40::/56",
			want:   "ingress-cidr-fd000040000000000000000000000000-56",
		},
		"IPv6Full": {
			reason: "A fully written IPv6 block stays a valid label value (at most 63 characters).",
			cidr:   "2001:db8:1:2:3:4:5:0/112",
			want:   "ingress-cidr-20010db8000100020003000400050000-112",
		},
		"IPv6LookAlikes": {
			reason: "2001:db8::1/128 and 2001:db8:1::/128 sanitize alike but are different hosts.",
			cidr:   "2001:db8:1::/128",
			want:   "ingress-cidr-20010db8000100000000000000000000-128",
		},
	}
	reLabelValue := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := nameIngressCIDR(tc.cidr)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n%s(...): -want, +got:\n%s", tc.reason, "nameIngressCIDR", diff)
			}
			if !reLabelValue.MatchString(string(got)) {
				t.Errorf("%s\n%s(...): %q is not a valid label value for %s", tc.reason, "nameIngressCIDR", got, labelComponent)
			}
		})
	}
}

// trickyNames are names, namespaces and claim names that sanitizing,
// prefixing and cutting must all survive.
var trickyNames = []string{
	"",
	"-",
	"---",
	"ÄÖÜ",
	"a--b",
	strings.Repeat("a", 200),
	strings.Repeat("1", 200),
	strings.Repeat("-", 200),
	strings.Repeat("a-", 100),
	strings.Repeat("ab", 100),
	"0123456789",
	"1",
	"9lives",
	"-a-",
	"a-",
	"_",
	".",
	"..",
	"a.b.c",
	"UPPER",
	"MiXeD_Case.Name",
	"日本語",
	"😀",
	"a😀b",
	"\x00",
	" ",
	"\t\n",
	"a b",
	"--a--",
	strings.Repeat("a", 49) + "-",
	strings.Repeat("a", 41) + strings.Repeat("-", 10) + strings.Repeat("b", 10),
	strings.Repeat("a", 40) + "-" + strings.Repeat("b", 20),
	strings.Repeat("a", 39) + "--" + strings.Repeat("b", 20),
	strings.Repeat("x", 50),
	strings.Repeat("x", 51),
	strings.Repeat("z", 63),
	"İstanbul",
	"\u212a", // KELVIN SIGN, which lower-cases to ASCII k.
	"ß",
	"ǅ",
	"db-",
	"db",
	"a\u0301",
	"\uFFFD",
	"\xff\xfe",
	"0x0",
	"..-..",
	"a_b-c.d",
	"a/b:c@d%41",
	strings.Repeat("9-", 30) + "x",
}

func TestClusterIdentifierAlwaysValid(t *testing.T) {
	if len(trickyNames) != 50 {
		t.Fatalf("want 50 tricky names, got %d", len(trickyNames))
	}
	var metas []xrMeta
	for _, a := range trickyNames {
		metas = append(metas,
			xrMeta{Name: a, Legacy: true},
			xrMeta{Name: a, ClaimName: a, ClaimNamespace: "team", Legacy: true},
			xrMeta{Name: "x", ClaimName: a, Legacy: true},
		)
		for _, b := range trickyNames {
			metas = append(metas, xrMeta{Namespace: a, Name: b})
		}
	}
	for _, m := range metas {
		id := clusterIdentifier(m, &AuroraSpec{})
		if errs := checkRDSIdentifier(id); len(errs) > 0 {
			t.Errorf("clusterIdentifier(%#v): %q is not a valid cluster identifier: %v", m, id, errs)
		}
		if id != clusterIdentifier(m, &AuroraSpec{}) {
			t.Errorf("clusterIdentifier(%#v): not deterministic", m)
		}
		// The identifier leaves room for "-" and the longest instance name
		// within RDS's 63 characters.
		if n := len(instanceIdentifier(id, strings.Repeat("i", maxInstanceNameLength))); n > 63 {
			t.Errorf("clusterIdentifier(%#v): instance identifiers would have %d characters", m, n)
		}
	}
}

// TestClusterIdentifierIdentitiesDiffer checks that identities a hyphen join
// would confuse get different identifiers.
func TestClusterIdentifierIdentitiesDiffer(t *testing.T) {
	cases := map[string]struct {
		reason string
		a, b   xrMeta
	}{
		"HyphenJoin": {
			reason: "team + a-b and team-a + b both join to team-a-b.",
			a:      xrMeta{Namespace: "team", Name: "a-b"},
			b:      xrMeta{Namespace: "team-a", Name: "b"},
		},
		"ClaimAndXR": {
			reason: "A claim and a namespaced XR may share a namespace and a name.",
			a:      xrMeta{Name: "orders-x7k2p", ClaimName: "orders", ClaimNamespace: "team", Legacy: true},
			b:      xrMeta{Namespace: "team", Name: "orders"},
		},
		"DotAndHyphen": {
			reason: "orders.v2 and orders-v2 sanitize alike.",
			a:      xrMeta{Namespace: "team", Name: "orders.v2"},
			b:      xrMeta{Namespace: "team", Name: "orders-v2"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if a, b := clusterIdentifier(tc.a, &AuroraSpec{}), clusterIdentifier(tc.b, &AuroraSpec{}); a == b {
				t.Errorf("%s\nboth get %q", tc.reason, a)
			}
		})
	}
}

// TestAWSNames checks the names AWS holds on to after deletion: unique per
// XR incarnation, within AWS's limits, and never changed for a resource that
// exists.
func TestAWSNames(t *testing.T) {
	const id = "team-payments-orders-c2eb71"
	observedWith := func(name resource.Name, obj map[string]any) observed {
		return observed{name: mustStruct(obj)}
	}
	cases := map[string]struct {
		reason string
		uid    string
		source string
		o      observed
		want   awsNames
	}{
		"NewXR": {
			reason: "A new XR's names carry 8 hex digits of its UID.",
			uid:    "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60",
			source: rotatorFromServerlessRepo,
			want: awsNames{
				masterSecret:         "aurora/" + id + "/master-db1b39cf",
				rotatorStack:         "rot-db1b39cf",
				rotatorFunction:      id + "-rot-db1b39cf",
				rotatorRole:          id + "-rot-db1b39cf",
				rotatorSecurityGroup: id + "-rot-db1b39cf",
				monitoringRole:       id + "-em-db1b39cf",
			},
		},
		"SameNameNewIncarnation": {
			reason: "The same XR filed again gets a new UID, so none of the names AWS still holds.",
			uid:    "7d41f0a2-0000-4000-8000-000000000001",
			source: rotatorFromServerlessRepo,
			want: awsNames{
				masterSecret:         "aurora/" + id + "/master-" + incarnationHash("7d41f0a2-0000-4000-8000-000000000001"),
				rotatorStack:         "rot-" + incarnationHash("7d41f0a2-0000-4000-8000-000000000001"),
				rotatorFunction:      id + "-rot-" + incarnationHash("7d41f0a2-0000-4000-8000-000000000001"),
				rotatorRole:          id + "-rot-" + incarnationHash("7d41f0a2-0000-4000-8000-000000000001"),
				rotatorSecurityGroup: id + "-rot-" + incarnationHash("7d41f0a2-0000-4000-8000-000000000001"),
				monitoringRole:       id + "-em-" + incarnationHash("7d41f0a2-0000-4000-8000-000000000001"),
			},
		},
		"ExistingSecretKeepsItsName": {
			reason: "A secret created before names carried the incarnation keeps its name: renaming would replace it.",
			uid:    "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60",
			source: rotatorFromServerlessRepo,
			o:      observedWith(nameMasterSecret, map[string]any{"spec": map[string]any{"forProvider": map[string]any{"name": "aurora/" + id + "/master"}}}),
			want: awsNames{
				masterSecret:         "aurora/" + id + "/master",
				rotatorStack:         "rot-db1b39cf",
				rotatorFunction:      id + "-rot-db1b39cf",
				rotatorRole:          id + "-rot-db1b39cf",
				rotatorSecurityGroup: id + "-rot-db1b39cf",
				monitoringRole:       id + "-em-db1b39cf",
			},
		},
		"ExistingStackKeepsItsNames": {
			reason: "An existing stack keeps its name and its function's.",
			uid:    "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60",
			source: rotatorFromServerlessRepo,
			o: observedWith(nameRotatorStack, map[string]any{"spec": map[string]any{"forProvider": map[string]any{
				"name": "rot-5b842948", "parameters": map[string]any{"functionName": id + "-rotator"},
			}}}),
			want: awsNames{
				masterSecret:         "aurora/" + id + "/master-db1b39cf",
				rotatorStack:         "rot-5b842948",
				rotatorFunction:      id + "-rotator",
				rotatorRole:          id + "-rot-db1b39cf",
				rotatorSecurityGroup: id + "-rot-db1b39cf",
				monitoringRole:       id + "-em-db1b39cf",
			},
		},
		"ExistingS3FunctionKeepsItsName": {
			reason: "An existing S3 rotator function keeps its external name.",
			uid:    "0c4bba3e-6f8e-4c0a-9f6a-1c2b3d4e5f60",
			source: rotatorFromS3,
			o:      observedWith(nameRotatorFunction, map[string]any{"metadata": map[string]any{"annotations": map[string]any{annotationExternalName: id + "-rotator"}}}),
			want: awsNames{
				masterSecret:         "aurora/" + id + "/master-db1b39cf",
				rotatorStack:         "rot-db1b39cf",
				rotatorFunction:      id + "-rotator",
				rotatorRole:          id + "-rot-db1b39cf",
				rotatorSecurityGroup: id + "-rot-db1b39cf",
				monitoringRole:       id + "-em-db1b39cf",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := newAWSNames(id, tc.uid, tc.source, tc.o)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(awsNames{})); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
			// Lambda function and IAM role names are at most 64 characters,
			// from a cluster identifier of at most 50.
			long := newAWSNames(strings.Repeat("a", maxClusterIdentifierLength), tc.uid, tc.source, nil)
			for _, n := range []string{long.rotatorFunction, long.rotatorRole, long.monitoringRole} {
				if len(n) > 64 {
					t.Errorf("%q is longer than Lambda's and IAM's 64 characters", n)
				}
			}
		})
	}
}

// TestSecurityGroupName checks that no derived security group name starts
// with "sg-", which EC2 refuses (CreateSecurityGroup: GroupName "Cannot
// start with sg-").
func TestSecurityGroupName(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		want   string
	}{
		"Plain":      {reason: "Ordinary names are left alone.", name: "orders-db", want: "orders-db"},
		"StartsSG":   {reason: "A cluster identifier starting with sg- gets a prefix.", name: "sg-payments-db", want: "aurora-sg-payments-db"},
		"ContainsSG": {reason: "sg- elsewhere is fine.", name: "team-sg-db", want: "team-sg-db"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := securityGroupName(tc.name); got != tc.want {
				t.Errorf("%s\nsecurityGroupName(%q): want %q, got %q", tc.reason, tc.name, tc.want, got)
			}
		})
	}
}
