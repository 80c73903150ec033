package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVersionScript runs hack/version.sh, which gives the version the
// packages carry, in a scratch repository per case: a release tag needs its
// CHANGELOG section, and a build between releases sorts after the last one.
func TestVersionScript(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	const changelog = "# Changelog\n\n## Unreleased\n\n## v0.2.0 (2026-12-01)\n\n## v0.1.0 (2026-11-26)\n"
	cases := map[string]struct {
		reason    string
		changelog string
		tag       string
		env       string
		want      string // a regexp
		wantErr   string
	}{
		"Untagged": {
			reason:    "between releases the version is a pre-release of the patch after the newest CHANGELOG release",
			changelog: changelog,
			want:      `^v0\.2\.1-0\.dev\.g[0-9a-f]{12}$`,
		},
		"NoRelease": {
			reason:    "with no release yet the pre-release follows v0.0.0",
			changelog: "# Changelog\n\n## Unreleased\n",
			want:      `^v0\.0\.1-0\.dev\.g[0-9a-f]{12}$`,
		},
		"Tagged": {
			reason:    "a release tag with its CHANGELOG section is the version",
			changelog: changelog,
			tag:       "v0.2.0",
			want:      `^v0\.2\.0$`,
		},
		"TaggedWithoutChangelog": {
			reason:    "a release tag the CHANGELOG does not describe fails",
			changelog: changelog,
			tag:       "v0.3.0",
			wantErr:   "CHANGELOG.md has no '## v0.3.0' section",
		},
		"NotASemverTag": {
			reason:    "a tag that is not vX.Y.Z is not a release",
			changelog: changelog,
			tag:       "v0.3",
			want:      `^v0\.2\.1-0\.dev\.g[0-9a-f]{12}$`,
		},
		"Override": {
			reason:    "VERSION sets it",
			changelog: changelog,
			env:       "v0.3.0-rc.1",
			want:      `^v0\.3\.0-rc\.1$`,
		},
		"BadOverride": {
			reason:    "VERSION must be a semantic version",
			changelog: changelog,
			env:       "0.3",
			wantErr:   "VERSION=0.3 is not a semantic version",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "hack"), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"hack/version.sh", "hack/lib.sh"} {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte(tc.changelog), 0o644); err != nil {
				t.Fatal(err)
			}
			git := func(args ...string) {
				t.Helper()
				cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %v: %v: %s", args, err, out)
				}
			}
			git("init", "-q")
			git("add", ".")
			git("commit", "-q", "-m", "c")
			if tc.tag != "" {
				git("tag", tc.tag)
			}
			cmd := exec.Command("bash", filepath.Join(dir, "hack/version.sh"))
			cmd.Env = append(os.Environ(), "VERSION="+tc.env)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(stderr.String(), tc.wantErr) {
					t.Errorf("%s\nhack/version.sh: want an error containing %q, got err %v, stderr %q, stdout %q", tc.reason, tc.wantErr, err, stderr.String(), out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nhack/version.sh: %v: %s", tc.reason, err, stderr.String())
			}
			got := strings.TrimSpace(string(out))
			if !regexp.MustCompile(tc.want).MatchString(got) {
				t.Errorf("%s\nhack/version.sh: got %q, want it to match %q", tc.reason, got, tc.want)
			}
		})
	}
}

// TestChangelogReleases: every release section of the CHANGELOG is a
// semantic version with a date, newest first, below one Unreleased section.
func TestChangelogReleases(t *testing.T) {
	b, err := os.ReadFile("CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^## (Unreleased|v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*) \([0-9]{4}-[0-9]{2}-[0-9]{2}\))$`)
	var sections, bad []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "## ") {
			continue
		}
		sections = append(sections, l)
		if !re.MatchString(l) {
			bad = append(bad, l)
		}
	}
	if diff := cmp.Diff([]string(nil), bad); diff != "" {
		t.Errorf("CHANGELOG.md sections that are neither '## Unreleased' nor '## vX.Y.Z (YYYY-MM-DD)' (-want +got):\n%s", diff)
	}
	// Newest first; Unreleased, if there is one, on top.
	var versions [][3]int
	for i, l := range sections {
		m := re.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if m[1] == "Unreleased" {
			if i != 0 {
				t.Errorf("CHANGELOG.md: %q is not the first section", l)
			}
			continue
		}
		var v [3]int
		for j := range v {
			v[j], _ = strconv.Atoi(m[j+2])
		}
		if n := len(versions); n > 0 && !older(v, versions[n-1]) {
			t.Errorf("CHANGELOG.md: %q is not older than the section above it", l)
		}
		versions = append(versions, v)
	}
}

func older(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
