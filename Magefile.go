//go:build mage

// Build, test and demo targets. Run them with `go tool mage <target>` (mage is a tool dependency
// in go.mod, so nothing needs installing first). `go tool mage -l` lists them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	// mage:import sdk
	"github.com/grafana/grafana-plugin-sdk-go/build"
)

func init() {
	// plugin.json lives at the repository root, not in src/ where the SDK looks by default.
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "."
		return cfg, nil
	})
}

// Default builds the plugin (frontend + linux/amd64 backend) and the webhook.
var Default = All

// All builds the frontend, the backend for linux/amd64 and the webhook binary.
func All() {
	mg.SerialDeps(Frontend.Build, build.Build.Linux, Webhook)
}

// Webhook builds bin/kubedoor-webhook (static, linux/amd64 on this machine's GOOS/GOARCH).
func Webhook() error {
	return sh.RunWith(map[string]string{"CGO_ENABLED": "0"},
		"go", "build", "-trimpath", "-ldflags", "-s -w", "-o", "bin/kubedoor-webhook", "./webhook")
}

// Frontend groups the npm toolchain steps.
type Frontend mg.Namespace

// Install installs the npm packages exactly as the committed lock file lists them. CI (and a
// checkout without node_modules) uses `npm ci`, which fails instead of rewriting an incomplete
// lock; a developer's checkout with node_modules present takes the faster `npm install`.
func (Frontend) Install() error {
	if _, err := os.Stat("node_modules"); os.Getenv("CI") != "" || err != nil {
		return sh.RunV("npm", "ci", "--no-audit", "--no-fund")
	}
	return sh.RunV("npm", "install", "--no-audit", "--no-fund")
}

// Check runs typecheck, lint and the jest suite.
func (Frontend) Check() error {
	mg.Deps(Frontend.Install)
	for _, script := range []string{"typecheck", "lint", "format:check", "test:ci"} {
		if err := sh.RunV("npm", "run", script); err != nil {
			return fmt.Errorf("npm run %s: %w", script, err)
		}
	}
	return nil
}

// Build bundles the frontend into dist/.
func (Frontend) Build() error {
	mg.Deps(Frontend.Install)
	return sh.RunV("npm", "run", "build")
}

// Deps provides the real parts tests and the demo need: Prometheus (Debian package),
// libchdb (npm registry) and the Kubernetes testbed binaries (built from Go modules, cached).
type Deps mg.Namespace

// All installs or reuses every part.
func (Deps) All() {
	mg.SerialDeps(Deps.System, Deps.Libchdb, Deps.Testbed)
}

// System installs the Debian packages (prometheus, chromium for the browser run) when missing;
// needs root.
func (Deps) System() error {
	missing := []string{}
	for bin, pkg := range map[string]string{"prometheus": "prometheus", "promtool": "prometheus", "openssl": "openssl", "chromium": "chromium"} {
		if _, err := exec.LookPath(bin); err != nil && !contains(missing, pkg) {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("missing Debian packages %v: run `sudo apt-get install -y %s`", missing, strings.Join(missing, " "))
	}
	env := map[string]string{"DEBIAN_FRONTEND": "noninteractive"}
	if err := sh.RunWithV(env, "apt-get", "update", "-qq"); err != nil {
		return err
	}
	args := append([]string{"install", "-y", "-qq", "--no-install-recommends"}, missing...)
	if err := sh.RunWithV(env, "apt-get", args...); err != nil {
		return err
	}
	// The package starts a system Prometheus on :9090; tests run their own, so stop it.
	_ = sh.Run("sh", "-c", "command -v systemctl >/dev/null && systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null; pkill -x prometheus 2>/dev/null; true")
	return nil
}

// Libchdb fetches the embedded ClickHouse engine into the cache (or reuses it).
func (Deps) Libchdb() error {
	return sh.RunV("bash", "scripts/fetch-libchdb.sh")
}

// Testbed builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok
// into the cache (or reuses them).
func (Deps) Testbed() error {
	return sh.RunV("bash", "scripts/build-testbed.sh")
}

// Test runs every check: frontend typecheck, lint, jest and build; go vet; the backend and
// webhook builds; all Go tests against the real parts; the browser run; and a bounded run of
// each fuzz target.
func Test() error {
	mg.SerialDeps(Deps.All, Frontend.Check, All, Vet, GoTest, Browser, Fuzz)
	return nil
}

// goPackages are the module's package trees. "./..." would also walk node_modules, where npm
// packages sometimes ship Go files of their own.
var goPackages = []string{"./pkg/...", "./webhook/...", "./internal/...", "./cmd/..."}

// Browser drives Debian Chromium through every app page and dashboard over the real backend
// (cmd/kubedoor-devhost) and saves screenshots to test-results/screenshots.
func Browser() error {
	mg.Deps(Frontend.Build)
	return sh.RunWithV(map[string]string{"KUBEDOOR_UI_REQUIRE_BACKEND": "1"}, "npm", "run", "test:browser")
}

// Vet runs go vet on every package.
func Vet() error {
	return sh.RunV("go", append([]string{"vet"}, goPackages...)...)
}

// GoTest runs all Go tests (real ClickHouse engine, Prometheus, kube-apiserver, plugin executable).
func GoTest() error {
	return sh.RunV("go", append([]string{"test", "-count=1", "-timeout", "40m"}, goPackages...)...)
}

// fuzzTargets are run for a bounded time by Fuzz; `go test -fuzz` takes one target per run.
var fuzzTargets = []struct{ pkg, name string }{
	{"./pkg/settings", "FuzzParse"},
	{"./pkg/store", "FuzzParseErrorText"},
	{"./pkg/store", "FuzzPlaceholders"},
	{"./pkg/store", "FuzzSplitStatements"},
	{"./webhook/server", "FuzzParseReview"},
	{"./webhook/admission", "FuzzReview"},
	{"./api/v1alpha1", "FuzzParseScaleTemp"},
	{"./pkg/publish", "FuzzPolicyRoundTrip"},
	{"./pkg/enforce", "FuzzChange"},
	{"./pkg/schedule", "FuzzScheduleSpec"},
	{"./pkg/schedule", "FuzzCronNext"},
	{"./pkg/notify", "FuzzTargetURL"},
	{"./pkg/notify", "FuzzCheckResponse"},
	{"./pkg/notify", "FuzzPayload"},
	{"./pkg/peakwindow", "FuzzParseRange"},
	{"./pkg/promql", "FuzzQuoting"},
	{"./pkg/peaks", "FuzzParseRange"},
	{"./pkg/control", "FuzzAddAndEdit"},
	{"./pkg/plugin", "FuzzRoutes"},
}

// Fuzz runs each fuzz target for FUZZTIME (default 10s).
func Fuzz() error {
	fuzzTime := os.Getenv("FUZZTIME")
	if fuzzTime == "" {
		fuzzTime = "10s"
	}
	for _, f := range fuzzTargets {
		if err := sh.RunV("go", "test", "-run", "^$", "-fuzz", "^"+f.name+"$", "-fuzztime", fuzzTime, f.pkg); err != nil {
			return fmt.Errorf("fuzz %s %s: %w", f.pkg, f.name, err)
		}
	}
	return nil
}

// Demo runs the product on its embedded default: a local Kubernetes cluster with demo workloads,
// Prometheus loaded with their peak history, the embedded ClickHouse engine, the backend plugin
// (started as Grafana starts it) behind a local gateway, and the webhook. Ctrl-C stops it all.
func Demo(ctx context.Context) error {
	mg.SerialDeps(Deps.All, build.Build.Linux, Webhook)
	err := sh.RunV("go", "run", "./cmd/kubedoor-demo",
		"--plugin", filepath.Join("dist", "gpx_kubedoor_linux_amd64"),
		"--webhook", filepath.Join("bin", "kubedoor-webhook"))
	if ctx.Err() != nil {
		return nil // Ctrl-C is how the demo ends; it has stopped its parts by now
	}
	return err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
