package fakeprovider

import "strings"

// DefaultMinors are the fake AWS's default minor of each Aurora PostgreSQL
// major: what RDS runs for an engineVersion that names a major alone.
var DefaultMinors = map[string]string{"13": "13.20", "14": "14.17", "15": "15.12", "16": "16.8", "17": "17.4"}

// EngineVersion is the version RDS runs for a requested engineVersion: a
// major alone ("16") gets that major's default minor, MAJOR.MINOR itself.
func EngineVersion(requested string) string {
	if !strings.Contains(requested, ".") {
		if d, ok := DefaultMinors[requested]; ok {
			return d
		}
	}
	return requested
}
