package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/internal/version"
)

// ModuleRoot is the folder holding the repository's go.mod.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the module (go env GOMOD is empty)")
	}
	return filepath.Dir(mod), nil
}

// GoBuild compiles the module's package pkg (e.g. "./pkg", "./webhook") into out, statically
// (CGO_ENABLED=0) with package.json's version linked in, as the release builds do, so tests run
// the current code, never a stale binary.
func GoBuild(ctx context.Context, pkg, out string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	v, err := PackageVersion()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags", version.LDFlag(v), "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// PackageVersion is the module's one version source, package.json's version, which release
// builds and GoBuild link into the binaries.
func PackageVersion() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return version.FromPackageJSON(filepath.Join(root, "package.json"))
}
