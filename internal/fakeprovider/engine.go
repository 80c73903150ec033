package fakeprovider

import "strings"

// DefaultMinors are the fake AWS's default minor of each Aurora PostgreSQL
// major: what RDS runs for an engineVersion that names a major alone.
var DefaultMinors = map[string]string{"13": "13.20", "14": "14.17", "15": "15.12", "16": "16.8", "17": "17.4"}

// RestoredEngineVersion is the version of the fake account's backups: a
// restore that asks for no version, or for its major alone, runs it. It is
// above the default minor of its major, as a snapshot can be.
const RestoredEngineVersion = "16.9"

// RestoredVersion is the version a restored cluster runs for a requested
// engineVersion ("" when none is sent).
func RestoredVersion(requested string) string {
	if requested == "" || requested == strings.SplitN(RestoredEngineVersion, ".", 2)[0] {
		return RestoredEngineVersion
	}
	return EngineVersion(requested)
}

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
