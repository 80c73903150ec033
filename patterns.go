package main

import "regexp"

// boundedPattern is a regular expression with maximum lengths for some of
// its capture groups. Go compiles a counted repetition such as
// [A-Za-z0-9_-]{1,256} into one instruction per count: the ARN patterns
// held over a megabyte of memory for the life of the process and matched
// slower. These patterns use + instead, and the bound is checked on the
// captured text.
type boundedPattern struct {
	re     *regexp.Regexp
	bounds []groupBound
}

// groupBound caps the length of one capture group.
type groupBound struct {
	group, maxLen int
}

func bounded(expr string, bounds ...groupBound) *boundedPattern {
	return &boundedPattern{re: regexp.MustCompile(expr), bounds: bounds}
}

// FindStringSubmatch is regexp's, with nil when a bounded group is too long.
func (p *boundedPattern) FindStringSubmatch(s string) []string {
	m := p.re.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	for _, b := range p.bounds {
		if len(m[b.group]) > b.maxLen {
			return nil
		}
	}
	return m
}

// MatchString reports whether s matches within the bounds.
func (p *boundedPattern) MatchString(s string) bool {
	return p.FindStringSubmatch(s) != nil
}

// submatcher is what ARN checks need of a pattern, bounded or not.
type submatcher interface {
	FindStringSubmatch(s string) []string
}
