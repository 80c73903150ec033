package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

// This file proves the default slow-query filter pattern against RDS
// PostgreSQL log lines, with a small evaluator of CloudWatch Logs
// space-delimited patterns: the subset the pattern uses, written from the
// documented behaviour
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
//
//   - A pattern is [field, field, ...]. A field is a name, "..." (any number
//     of fields), or a name with conditions: = and != against a string, with
//     * as a wildcard; = != < <= > >= against a number; joined by && and ||
//     (&& binds tighter).
//   - A log line splits on runs of spaces: "LOG:  duration" is two fields.
//     Text between double quotes, or between [ and ], at the start of a field
//     is one field without its quotes or brackets; a bracket inside a field
//     ("...:[12345]:LOG:") is an ordinary character.
//   - The last field takes the rest of the line. That is why the guide's
//     [w1=ERROR, w2] needs the "blank w2 indicator": alone, w1 would be the
//     whole line and never equal ERROR.
//
// Runs of spaces, brackets inside a field and the last field's remainder are
// also what AWS's parser (aws logs test-metric-filter) returned for RDS
// PostgreSQL lines with a pattern of the same shape, as recorded by
// github.com/dasmeta/terraform-aws-rds (tests/fixtures/slow-query-logs.json).
// To re-check against AWS itself:
//
//	aws logs test-metric-filter --filter-pattern "$PATTERN" --log-event-messages "$LINE" ...

// cwPattern is a parsed space-delimited filter pattern.
type cwPattern []cwField

// cwField is one field of a pattern; a nil accept takes any value.
type cwField struct {
	name     string
	ellipsis bool
	accept   func(string) bool
}

// parseCWPattern parses a space-delimited pattern, refusing what it does not
// model, so a pattern outside the subset fails the test instead of being
// misread.
func parseCWPattern(p string) (cwPattern, error) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "[") || !strings.HasSuffix(p, "]") {
		return nil, fmt.Errorf("not a space-delimited pattern: %q", p)
	}
	var out cwPattern
	for _, raw := range splitOutsideQuotes(p[1:len(p)-1], ",") {
		raw = strings.TrimSpace(raw)
		switch {
		case raw == "":
			return nil, fmt.Errorf("empty field in %q", p)
		case raw == "...":
			out = append(out, cwField{ellipsis: true})
			continue
		case strings.Contains(raw, "%"):
			return nil, fmt.Errorf("regular expressions are outside the modelled subset: %q", raw)
		}
		f, err := parseCWField(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// reCWName is a field name, alone.
var reCWName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// reCWCondition is one "name op value" condition.
var reCWCondition = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<=|>=|=|<|>)\s*("[^"]*"|[^\s"&|]+)\s*$`)

func parseCWField(raw string) (cwField, error) {
	if reCWName.MatchString(raw) {
		return cwField{name: raw}, nil
	}
	var name string
	var anyOf []func(string) bool
	for _, conj := range splitOutsideQuotes(raw, "||") {
		var allOf []func(string) bool
		for _, c := range splitOutsideQuotes(conj, "&&") {
			m := reCWCondition.FindStringSubmatch(c)
			if m == nil {
				return cwField{}, fmt.Errorf("cannot parse condition %q", c)
			}
			if name != "" && m[1] != name {
				return cwField{}, fmt.Errorf("conditions of one field name another field: %q", raw)
			}
			name = m[1]
			cond, err := cwCondition(m[2], m[3])
			if err != nil {
				return cwField{}, err
			}
			allOf = append(allOf, cond)
		}
		anyOf = append(anyOf, func(v string) bool {
			for _, c := range allOf {
				if !c(v) {
					return false
				}
			}
			return true
		})
	}
	return cwField{name: name, accept: func(v string) bool {
		for _, c := range anyOf {
			if c(v) {
				return true
			}
		}
		return false
	}}, nil
}

// cwCondition compares a field's value: numerically with a bare number,
// else as a string with * wildcards.
func cwCondition(op, value string) (func(string) bool, error) {
	if !strings.HasPrefix(value, `"`) {
		if n, err := strconv.ParseFloat(value, 64); err == nil {
			return func(v string) bool {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return false
				}
				switch op {
				case "=":
					return f == n
				case "!=":
					return f != n
				case "<":
					return f < n
				case "<=":
					return f <= n
				case ">":
					return f > n
				default:
					return f >= n
				}
			}, nil
		}
	}
	if op != "=" && op != "!=" {
		return nil, fmt.Errorf("%s needs a number, got %s", op, value)
	}
	glob := globRegexp(strings.Trim(value, `"`))
	return func(v string) bool { return glob.MatchString(v) == (op == "=") }, nil
}

// globRegexp matches a whole value with * as any text, newlines included.
func globRegexp(g string) *regexp.Regexp {
	parts := strings.Split(g, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile(`(?s)^` + strings.Join(parts, ".*") + `$`)
}

// splitOutsideQuotes splits s on sep where sep is not inside double quotes.
func splitOutsideQuotes(s, sep string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case !quoted && strings.HasPrefix(s[i:], sep):
			out = append(out, s[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, s[start:])
}

// cwToken is one field of a log line and where it starts.
type cwToken struct {
	value string
	start int
}

// cwTokens splits a log line the way space-delimited patterns see it.
func cwTokens(line string) []cwToken {
	var out []cwToken
	for i := 0; i < len(line); {
		if line[i] == ' ' || line[i] == '\t' {
			i++
			continue
		}
		if c := line[i]; c == '"' || c == '[' {
			closer := byte('"')
			if c == '[' {
				closer = ']'
			}
			if end := strings.IndexByte(line[i+1:], closer); end >= 0 {
				out = append(out, cwToken{value: line[i+1 : i+1+end], start: i})
				i += end + 2
				continue
			}
		}
		end := strings.IndexAny(line[i:], " \t")
		if end < 0 {
			end = len(line) - i
		}
		out = append(out, cwToken{value: line[i : i+end], start: i})
		i += end
	}
	return out
}

// matches reports whether a log line matches the pattern.
func (p cwPattern) matches(line string) bool {
	return matchCWFields(p, cwTokens(line), line)
}

func matchCWFields(fields []cwField, toks []cwToken, line string) bool {
	if len(fields) == 0 {
		return len(toks) == 0
	}
	f := fields[0]
	if f.ellipsis {
		// Longest first, so the fields after it take the line's last fields.
		for k := len(toks); k >= 0; k-- {
			if matchCWFields(fields[1:], toks[k:], line) {
				return true
			}
		}
		return false
	}
	if len(toks) == 0 {
		return false
	}
	v := toks[0].value
	if len(fields) == 1 && len(toks) > 1 {
		// The last field takes the rest of the line.
		v = strings.TrimRight(line[toks[0].start:], " \t")
		toks = toks[:1]
	}
	if f.accept != nil && !f.accept(v) {
		return false
	}
	return matchCWFields(fields[1:], toks[1:], line)
}

// TestCWEvaluator checks the evaluator itself against the examples of the
// CloudWatch Logs filter pattern syntax guide, so the pattern tests below
// rest on a model that agrees with the documentation.
func TestCWEvaluator(t *testing.T) {
	const apache = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	cases := map[string]struct {
		reason  string
		pattern string
		line    string
		want    bool
	}{
		"AllSevenFields": {
			reason:  "Bracketed and quoted text is one field each: seven fields.",
			pattern: `[ip, user, username, timestamp, request, status_code, bytes]`,
			line:    apache, want: true,
		},
		"NumericCondition": {
			reason:  "bytes > 1000 compares the last field as a number.",
			pattern: `[ip, user, username, timestamp, request, status_code, bytes > 1000]`,
			line:    apache, want: true,
		},
		"NumericConditionFails": {
			reason:  "404 is not greater than 500.",
			pattern: `[ip, user, username, timestamp, request, status_code > 500, bytes]`,
			line:    apache, want: false,
		},
		"StringWildcards": {
			reason:  "request = *.html* and status_code = 4* match with wildcards; the quotes are not part of the field.",
			pattern: `[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`,
			line:    apache, want: true,
		},
		"LeadingEllipsis": {
			reason:  "... stands for the first four fields.",
			pattern: `[..., request =*.html*, status_code = 4*, bytes]`,
			line:    apache, want: true,
		},
		"OrOnOneField": {
			reason:  "status_code = 404 || status_code = 410.",
			pattern: `[ip, user, username, timestamp, request, status_code = 404 || status_code = 410, bytes]`,
			line:    apache, want: true,
		},
		"FirstWord": {
			reason:  "[w1=ERROR, w2]: the first word is ERROR, w2 takes the rest.",
			pattern: `[w1=ERROR, w2]`,
			line:    "ERROR 09/25/2014 12:00:02 Failed to process request", want: true,
		},
		"FirstWordWithoutBlankIndicator": {
			reason:  "Without the blank w2 the only field is the whole line, which is not ERROR: why the guide asks for w2.",
			pattern: `[w1=ERROR]`,
			line:    "ERROR 09/25/2014 12:00:02 Failed to process request", want: false,
		},
		"ExcludeWords": {
			reason:  "[w1!=ERROR && w1!=WARNING, w2] keeps INFO lines.",
			pattern: `[w1!=ERROR && w1!=WARNING, w2]`,
			line:    "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200", want: true,
		},
		"ExcludeWordsRefuses": {
			reason:  "... and refuses WARNING lines.",
			pattern: `[w1!=ERROR && w1!=WARNING, w2]`,
			line:    "WARNING 09/25/2014 12:00:02 Invalid user request", want: false,
		},
		"RunsOfSpaces": {
			reason:  "Two spaces separate two fields, not three.",
			pattern: `[a="x", b="y", c]`,
			line:    "x  y  z", want: true,
		},
		"TooFewFields": {
			reason:  "A line with fewer fields than the pattern does not match.",
			pattern: `[a, b, c]`,
			line:    "x y", want: false,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := parseCWPattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.matches(tc.line); got != tc.want {
				t.Errorf("%s\n%s on %q: want %t, got %t", tc.reason, tc.pattern, tc.line, tc.want, got)
			}
		})
	}
}

// TestCWTokens pins the tokenization the slow-query pattern relies on.
func TestCWTokens(t *testing.T) {
	line := `2026-11-26 12:00:01 UTC:10.0.1.23(51234):app@orders:[12345]:LOG:  duration: 1532.123 ms  statement: SELECT "a b"`
	var got []string
	for _, tok := range cwTokens(line) {
		got = append(got, tok.value)
	}
	want := []string{"2026-11-26", "12:00:01", "UTC:10.0.1.23(51234):app@orders:[12345]:LOG:", "duration:", "1532.123", "ms", "statement:", "SELECT", "a b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens: -want, +got:\n%s", diff)
	}
}

// rdsLine is an RDS PostgreSQL log line: log_line_prefix %t:%r:%u@%d:[%p]:
// and a message that starts with the severity.
func rdsLine(message string) string {
	return "2026-11-26 12:00:01 UTC:10.0.1.23(51234):app@orders:[12345]:" + message
}

// TestSlowQueryPattern runs the default pattern, as the metric filter
// builder composes it for a cluster, against RDS PostgreSQL log lines.
func TestSlowQueryPattern(t *testing.T) {
	type line struct {
		reason string
		text   string
		counts bool
	}
	atThreshold1000 := map[string]line{
		"SlowStatement": {
			reason: "A simple-protocol statement above the threshold counts.",
			text:   rdsLine("LOG:  duration: 1532.123 ms  statement: SELECT * FROM orders WHERE id = 42"),
			counts: true,
		},
		"ExactlyAtThreshold": {
			reason: "log_min_duration_statement logs at or above the threshold, and so does the filter.",
			text:   rdsLine("LOG:  duration: 1000.000 ms  statement: SELECT pg_sleep(1)"),
			counts: true,
		},
		"JustBelowThreshold": {
			reason: "Below the threshold (auto_explain or a session that lowered log_min_duration_statement) does not count.",
			text:   rdsLine("LOG:  duration: 999.999 ms  statement: SELECT 1"),
			counts: false,
		},
		"SlowExecute": {
			reason: "An extended-protocol execute above the threshold counts.",
			text:   rdsLine("LOG:  duration: 2500.010 ms  execute <unnamed>: SELECT * FROM orders WHERE id = $1"),
			counts: true,
		},
		"SlowNamedExecute": {
			reason: "A named prepared statement's execute counts too.",
			text:   rdsLine("LOG:  duration: 1200.000 ms  execute S_1: UPDATE orders SET state = $1"),
			counts: true,
		},
		"FastExecute": {
			reason: "A fast execute does not count.",
			text:   rdsLine("LOG:  duration: 0.045 ms  execute <unnamed>: SELECT 1"),
			counts: false,
		},
		"Bind": {
			reason: "A bind line does not count, fast ...",
			text:   rdsLine("LOG:  duration: 12.3 ms  bind <unnamed>: SELECT * FROM orders WHERE id = $1"),
			counts: false,
		},
		"SlowBind": {
			reason: "... or slow: the query counts once, through its execute line.",
			text:   rdsLine("LOG:  duration: 1800.000 ms  bind <unnamed>: SELECT * FROM orders WHERE id = $1"),
			counts: false,
		},
		"SlowParse": {
			reason: "Neither does a parse line.",
			text:   rdsLine("LOG:  duration: 1800.000 ms  parse <unnamed>: SELECT * FROM orders WHERE id = $1"),
			counts: false,
		},
		"DurationWithoutStatement": {
			reason: "log_duration lines carry no statement and do not count.",
			text:   rdsLine("LOG:  duration: 2000.000 ms"),
			counts: false,
		},
		"AutoExplainPlan": {
			reason: "auto_explain's plan line would count the query twice; it does not count.",
			text:   rdsLine("LOG:  duration: 1532.123 ms  plan:\n\tQuery Text: SELECT * FROM orders\n\tSeq Scan on orders  (cost=0.00..35.50 rows=2550 width=4)"),
			counts: false,
		},
		"StatementTextContainsDuration": {
			reason: "A fast statement whose text says duration: 99999 ms does not count: the fields are anchored at the start of the line.",
			text:   rdsLine("LOG:  duration: 5.123 ms  statement: SELECT 1 -- duration: 99999 ms  statement: x"),
			counts: false,
		},
		"LoggedStatementContainsDuration": {
			reason: "A log_statement line quoting duration: 99999 ms does not count.",
			text:   rdsLine("LOG:  statement: SELECT 'duration: 99999 ms'"),
			counts: false,
		},
		"ConnectionReceived": {
			reason: "Other LOG messages do not count.",
			text:   rdsLine("LOG:  connection received: host=10.0.1.23 port=51234"),
			counts: false,
		},
		"Error": {
			reason: "ERROR lines do not count.",
			text:   rdsLine(`ERROR:  relation "x" does not exist at character 15`),
			counts: false,
		},
		"ErrorStatement": {
			reason: "The STATEMENT line after an error does not count.",
			text:   rdsLine("STATEMENT:  SELECT * FROM x"),
			counts: false,
		},
		"ErrorMentioningDuration": {
			reason: "Only LOG lines count, whatever the message says.",
			text:   rdsLine("ERROR:  duration: 99999 ms  statement: SELECT 1"),
			counts: false,
		},
		"LocalSocket": {
			reason: "A connection over the local socket has [local] in the prefix: still one field.",
			text:   "2026-11-26 12:00:01 UTC:[local]:rdsadmin@rdsadmin:[812]:LOG:  duration: 1200.500 ms  statement: VACUUM ANALYZE orders",
			counts: true,
		},
		"BackgroundProcess": {
			reason: "Background processes log with an empty user and database.",
			text:   "2026-11-26 12:00:09 UTC::@:[456]:LOG:  checkpoint complete: wrote 5 buffers (0.0%)",
			counts: false,
		},
		"MultiLineStatement": {
			reason: "A statement over several lines counts once.",
			text:   rdsLine("LOG:  duration: 4100.000 ms  statement: SELECT *\n\tFROM orders\n\tWHERE state = 'open'"),
			counts: true,
		},
		"QuotesAndBrackets": {
			reason: "Quotes and brackets in the statement do not shift the fields.",
			text:   rdsLine(`LOG:  duration: 1100.000 ms  statement: SELECT "a b", '[x]' FROM "t" WHERE "c" = '"'`),
			counts: true,
		},
		"NonNumericDuration": {
			reason: "The duration field must be a number.",
			text:   rdsLine("LOG:  duration: long ms  statement: SELECT 1"),
			counts: false,
		},
	}
	cases := map[string]struct {
		thresholdMs int64
		lines       map[string]line
	}{
		"Threshold1000": {thresholdMs: 1000, lines: atThreshold1000},
		"Threshold250": {thresholdMs: 250, lines: map[string]line{
			"Above":   {reason: "The filter follows spec.logging.slowQueryThresholdMs.", text: rdsLine("LOG:  duration: 250.001 ms  statement: SELECT 1"), counts: true},
			"At":      {reason: "At the threshold counts.", text: rdsLine("LOG:  duration: 250.000 ms  statement: SELECT 1"), counts: true},
			"Below":   {reason: "Below it does not.", text: rdsLine("LOG:  duration: 249.999 ms  statement: SELECT 1"), counts: false},
			"Execute": {reason: "Execute lines follow the same threshold.", text: rdsLine("LOG:  duration: 300.000 ms  execute <unnamed>: SELECT 1"), counts: true},
		}},
		"Threshold0": {thresholdMs: 0, lines: map[string]line{
			"Fast":    {reason: "0 logs every statement, and the filter counts each.", text: rdsLine("LOG:  duration: 0.045 ms  execute <unnamed>: SELECT 1"), counts: true},
			"Bind":    {reason: "Still once per query.", text: rdsLine("LOG:  duration: 0.010 ms  bind <unnamed>: SELECT 1"), counts: false},
			"Connect": {reason: "Still only duration lines.", text: rdsLine("LOG:  connection authorized: user=app database=orders"), counts: false},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := testPlan(t, func(s *AuroraSpec) { s.Logging.SlowQueryThresholdMs = ptr.To(tc.thresholdMs) })
			m := Monitoring{}
			withMonitoringDefaults(&m)
			pattern := *p.slowQueryMetricFilter(m).Spec.ForProvider.Pattern
			if !strings.Contains(pattern, fmt.Sprintf(">= %d,", tc.thresholdMs)) {
				t.Fatalf("pattern %q does not use the threshold %d", pattern, tc.thresholdMs)
			}
			parsed, err := parseCWPattern(pattern)
			if err != nil {
				t.Fatalf("cannot parse the composed pattern: %v", err)
			}
			for lname, l := range tc.lines {
				t.Run(lname, func(t *testing.T) {
					if got := parsed.matches(l.text); got != l.counts {
						t.Errorf("%s\npattern %s\nline    %q\nwant counts=%t, got %t", l.reason, pattern, l.text, l.counts, got)
					}
				})
			}
		})
	}
}
