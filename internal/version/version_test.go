package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type marker struct{}

// The -X target must name this package's variable: a wrong name links nothing and silently
// leaves every binary at "dev".
func TestLinkNameIsThisPackagesValue(t *testing.T) {
	if want := reflect.TypeOf(marker{}).PkgPath() + ".value"; LinkName != want {
		t.Fatalf("LinkName = %q, want %q", LinkName, want)
	}
}

func TestStringWithoutLinkedVersion(t *testing.T) {
	if got := String(); got != Dev {
		t.Fatalf("String() in a test binary = %q, want %q", got, Dev)
	}
}

// Links a version into a real binary with LDFlag and reads it back from its output.
func TestLDFlagLinksTheVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	exe := filepath.Join(t.TempDir(), "printversion")
	build := exec.Command("go", "build", "-ldflags", LDFlag("9.8.7-rc.1"), "-o", exe, "./testdata/printversion")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "9.8.7-rc.1" {
		t.Fatalf("linked binary prints %q, want 9.8.7-rc.1", got)
	}
}

func TestFromPackageJSON(t *testing.T) {
	cases := []struct {
		name, body, want, errPart string
	}{
		{"release", `{"name":"x","version":"1.2.3"}`, "1.2.3", ""},
		{"prerelease and build", `{"version":"0.1.0-beta.2+abc"}`, "0.1.0-beta.2+abc", ""},
		{"missing", `{"name":"x"}`, "", "not a semantic version"},
		{"two parts", `{"version":"1.2"}`, "", "not a semantic version"},
		{"v prefix", `{"version":"v1.2.3"}`, "", "not a semantic version"},
		{"leading zero", `{"version":"01.2.3"}`, "", "not a semantic version"},
		{"not a string", `{"version":1}`, "", "cannot unmarshal"},
		{"not JSON", `version: 1.2.3`, "", "invalid character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "package.json")
			if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := FromPackageJSON(path)
			if c.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), c.errPart) {
					t.Fatalf("FromPackageJSON = %q, %v; want an error containing %q", got, err, c.errPart)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("FromPackageJSON = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if _, err := FromPackageJSON(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Fatal("a missing file gave no error")
	}
}

// The repository's own package.json is the one source; it must always be readable.
func TestRepositoryPackageJSON(t *testing.T) {
	if _, err := FromPackageJSON(filepath.Join("..", "..", "package.json")); err != nil {
		t.Fatal(err)
	}
}
