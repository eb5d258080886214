// Package version carries the release version into the backend and webhook binaries. Its one
// source is package.json's "version": the mage builds read it there and link it in with -X, so
// plugin.json (filled in by webpack from the same field), the backend and the webhook agree.
package version

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

// value is set at link time by LDFlag; a plain `go build` leaves it empty.
var value string

// Dev is reported by a binary built without the version linked in.
const Dev = "dev"

// LinkName is the -X target for value (for builds that take -X pairs, like the plugin SDK's);
// a test keeps it in step with the package path.
const LinkName = "github.com/kubedoor/kubedoor-grafana/internal/version.value"

// semver is the x.y.z[-pre][+build] form package.json's version must have (Grafana's catalog
// and npm both require it).
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// String is the linked-in version, or Dev when none was.
func String() string {
	if value == "" {
		return Dev
	}
	return value
}

// LDFlag is the -ldflags fragment that links v into a binary.
func LDFlag(v string) string {
	return "-X " + LinkName + "=" + v
}

// FromPackageJSON reads and checks the "version" field of the package.json at path.
func FromPackageJSON(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the version: %w", err)
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", fmt.Errorf("reading the version from %s: %w", path, err)
	}
	if !semver.MatchString(pkg.Version) {
		return "", fmt.Errorf("%s: version %q is not a semantic version (x.y.z)", path, pkg.Version)
	}
	return pkg.Version, nil
}
