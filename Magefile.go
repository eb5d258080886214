//go:build mage

// Build, test and demo targets. Run them with `go tool mage <target>` (mage is a tool dependency
// in go.mod, so nothing needs installing first). `go tool mage -l` lists them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"

	// mage:import sdk
	"github.com/grafana/grafana-plugin-sdk-go/build"

	"github.com/kubedoor/kubedoor-grafana/internal/faultsuite"
	"github.com/kubedoor/kubedoor-grafana/internal/pluginarchive"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/internal/version"
)

func init() {
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		// plugin.json lives at the repository root, not in src/ where the SDK looks by default.
		cfg.PluginJSONPath = "."
		// The backend reports package.json's version (v1/status, its start log) like the webhook.
		v, err := version.FromPackageJSON("package.json")
		if err != nil {
			return cfg, err
		}
		if cfg.CustomVars == nil {
			cfg.CustomVars = map[string]string{}
		}
		cfg.CustomVars[version.LinkName] = v
		return cfg, nil
	})
}

// Default builds the plugin (frontend + linux/amd64 backend) and the webhook.
var Default = All

// All builds the frontend, the backend for linux/amd64 and the webhook binary.
func All() {
	mg.SerialDeps(Frontend.Build, build.Build.Linux, Webhook)
}

// Webhook builds bin/kubedoor-webhook (static, linux/amd64 on this machine's GOOS/GOARCH) with
// package.json's version (`kubedoor-webhook --version`).
func Webhook() error {
	v, err := version.FromPackageJSON("package.json")
	if err != nil {
		return err
	}
	return sh.RunWith(map[string]string{"CGO_ENABLED": "0"},
		"go", "build", "-trimpath", "-ldflags", "-s -w "+version.LDFlag(v), "-o", "bin/kubedoor-webhook", "./webhook")
}

// packageDir holds the catalog archive and the source zip (gitignored).
const packageDir = "dist-package"

// archives names the plugin archive and the source zip of the current version.
func archives() (plugin, source string, target pluginarchive.Target, err error) {
	m, err := pluginarchive.ReadManifest("plugin.json")
	if err != nil {
		return "", "", target, err
	}
	v, err := version.FromPackageJSON("package.json")
	if err != nil {
		return "", "", target, err
	}
	target = pluginarchive.Target{ID: m.ID, Version: v, Platforms: []string{"linux_amd64"}}
	plugin = filepath.Join(packageDir, pluginarchive.Name(m.ID, v, "linux", "amd64"))
	source = filepath.Join(packageDir, fmt.Sprintf("%s-%s.source.zip", m.ID, v))
	return plugin, source, target, nil
}

// Package builds the archive Grafana's plugin catalog receives,
// dist-package/<id>-<version>.linux_amd64.zip (one top folder named for the plugin id holding
// dist/), and dist-package/<id>-<version>.source.zip, the source it was built from, for the
// validator's -sourceCodeUri.
func Package() error {
	mg.SerialDeps(Frontend.Build, build.Build.Linux)
	plugin, source, target, err := archives()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(packageDir, 0o755); err != nil {
		return fmt.Errorf("package folder: %w", err)
	}
	if err := pluginarchive.Write("dist", plugin, target); err != nil {
		return fmt.Errorf("plugin archive: %w", err)
	}
	// The source zip is the working tree the archive was built from (tracked and new files, not
	// ignored ones), so the validator's comparisons hold before a commit too.
	listed, err := sh.Output("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return fmt.Errorf("listing the source: %w", err)
	}
	if err := pluginarchive.WriteSource(".", strings.Split(strings.TrimRight(listed, "\x00"), "\x00"), source); err != nil {
		return fmt.Errorf("source zip: %w", err)
	}
	if dirty, err := sh.Output("git", "status", "--porcelain"); err == nil && dirty != "" {
		fmt.Println("note: the working tree has uncommitted changes; commit them before submitting these zips")
	}
	for _, f := range []string{plugin, source} {
		if st, err := os.Stat(f); err == nil {
			fmt.Printf("%s (%.1f MiB)\n", f, float64(st.Size())/(1<<20))
		}
	}
	return nil
}

// validatorPath finds Grafana's plugincheck2 for Validate: $PLUGINCHECK2, then the build shared
// beside the repository, then beside the repository this one was cloned from when that is a
// local folder (a CI run's fresh clone elsewhere on the same machine).
func validatorPath() string {
	shared := filepath.Join("shared", "tools", "grafana-plugin-validator", "plugincheck2")
	candidates := []string{os.Getenv("PLUGINCHECK2"), filepath.Join("..", shared)}
	if origin, err := sh.Output("git", "remote", "get-url", "origin"); err == nil && filepath.IsAbs(origin) {
		candidates = append(candidates, filepath.Join(origin, "..", shared))
	}
	for _, p := range candidates {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// Validate runs Grafana's plugin validator (plugincheck2, what the catalog runs on every
// submission) on the package and fails on any error it reports. Without the validator it says
// how to get one and passes.
func Validate() error {
	mg.Deps(Package)
	bin := validatorPath()
	if bin == "" {
		fmt.Println(`plugin validator not found: set PLUGINCHECK2 to a plugincheck2 binary, or place one at
../shared/tools/grafana-plugin-validator/plugincheck2. Build it with Go:
  git clone https://github.com/grafana/plugin-validator && cd plugin-validator && go build ./pkg/cmd/plugincheck2
or, with internet access, run the same check through npm:
  npx -y @grafana/plugin-validator@latest -sourceCodeUri file://$PWD/<source zip> <plugin zip>`)
		return nil
	}
	plugin, source, _, err := archives()
	if err != nil {
		return err
	}
	absSource, err := filepath.Abs(source)
	if err != nil {
		return err
	}
	if err := sh.RunV(bin, "-sourceCodeUri", absSource, plugin); err != nil {
		return fmt.Errorf("plugin validator reported errors on %s: %w", plugin, err)
	}
	return nil
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

// Deps provides the real parts tests and the demo need: Prometheus 2 (Debian package),
// libchdb (npm registry), the Kubernetes testbed binaries and Prometheus 3 (both built from Go
// modules, cached).
type Deps mg.Namespace

// All installs or reuses every part. The two builds from Go modules run side by side: on a cold
// machine much of each is waiting on the module proxy, so together they take less than in turn.
func (Deps) All() {
	mg.SerialDeps(Deps.System, Deps.Libchdb)
	mg.Deps(Deps.Testbed, Deps.Prometheus3)
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

// Prometheus3 builds prometheus and promtool 3.x (testenv.Prometheus3Version) into the cache (or
// reuses them): the collector's tests run against it beside the Debian package's 2.x.
func (Deps) Prometheus3() error {
	return sh.RunV("bash", "scripts/build-prometheus3.sh")
}

// Test runs every check: frontend typecheck, lint, jest and build; the backend and webhook
// builds; Grafana's plugin validator on the catalog archive; go vet; golangci-lint (Lint); all Go
// tests against the real parts; the browser run; and a bounded run of each fuzz target.
func Test() error {
	mg.SerialDeps(Deps.All, Frontend.Check, All, Validate, Vet, Lint, GoTest, Browser, Fuzz)
	return nil
}

// partsTag switches on the tests that need real parts (kube-apiserver, etcd and kwok via
// internal/testenv, Prometheus, the embedded ClickHouse engine, the built executables, the
// browser): their files start with `//go:build parts`. Without it `go test ./...` runs only the
// pure tests, in seconds; every target here passes it, so CI runs and checks both tiers.
const partsTag = "parts"

// goPackages are the module's package trees. "./..." would also walk node_modules, where npm
// packages sometimes ship Go files of their own.
var goPackages = []string{"./pkg/...", "./webhook/...", "./internal/...", "./cmd/...", "./deploy/..."}

// Browser drives Debian Chromium through every app page and dashboard over the real backend
// (cmd/kubedoor-devhost) and saves screenshots to test-results/screenshots.
func Browser() error {
	mg.Deps(Frontend.Build)
	return sh.RunWithV(map[string]string{"KUBEDOOR_UI_REQUIRE_BACKEND": "1"}, "npm", "run", "test:browser")
}

// Vet runs go vet on every package.
func Vet() error {
	return sh.RunV("go", append([]string{"vet", "-tags", partsTag}, goPackages...)...)
}

// Lint runs golangci-lint (a tool dependency in go.mod) with .golangci.yml: depguard holds the
// package boundaries of docs/architecture.md, beside the error and resource linters.
func Lint() error {
	// Another golangci-lint on the machine (a developer's, another checkout's) makes a run fail
	// at once ("parallel golangci-lint is running"); wait for it instead.
	return sh.RunV("go", append([]string{"tool", "golangci-lint", "run", "--allow-serial-runners"}, append(goPackages, "./api/...")...)...)
}

// GoTest runs all Go tests, the pure ones and those on real parts (ClickHouse engine,
// Prometheus, kube-apiserver, plugin executable).
func GoTest() error {
	// The engine download test serves the engine package tarball the fetch keeps in the cache.
	mg.Deps(Deps.Libchdb)
	env := map[string]string{"KUBEDOOR_ENGINE_TGZ": testenv.EngineTarball()}
	return sh.RunWithV(env, "go", append([]string{"test", "-tags", partsTag, "-count=1", "-timeout", "40m"}, goPackages...)...)
}

// Fault runs the fault suite alone (docs/reliability.md): the tests in files named
// fault*_test.go, one package at a time. GoTest (and so CI) runs them with all the others.
func Fault() error {
	pkgs, err := faultsuite.Find(".")
	if err != nil {
		return err
	}
	for _, p := range pkgs {
		// The suite runs on real parts, so with the tag of real-part tests (harmless where no file has it).
		if err := sh.RunV("go", "test", "-tags", partsTag, "-count=1", "-timeout", "40m", "-v", "-run", p.RunPattern(), "./"+p.Dir); err != nil {
			return fmt.Errorf("fault suite in %s: %w", p.Dir, err)
		}
	}
	return nil
}

// fuzzTargets are run for a bounded time by Fuzz; `go test -fuzz` takes one target per run.
var fuzzTargets = []struct{ pkg, name string }{
	{"./pkg/settings", "FuzzParse"},
	{"./pkg/store", "FuzzParseErrorText"},
	{"./pkg/store", "FuzzPlaceholders"},
	{"./pkg/store", "FuzzSplitStatements"},
	{"./webhook/server", "FuzzParseReview"},
	{"./webhook/admission", "FuzzReview"},
	{"./webhook/admission", "FuzzDecodeMatchesFull"},
	{"./api/v1alpha1", "FuzzParseScaleTemp"},
	{"./pkg/publish", "FuzzPolicyRoundTrip"},
	{"./pkg/enforce", "FuzzChange"},
	{"./pkg/schedule", "FuzzScheduleSpec"},
	{"./pkg/schedule", "FuzzCronNext"},
	{"./pkg/schedule", "FuzzScheduleItem"},
	{"./pkg/notify", "FuzzTargetURL"},
	{"./pkg/notify", "FuzzCheckResponse"},
	{"./pkg/notify", "FuzzPayload"},
	{"./pkg/peakwindow", "FuzzParseRange"},
	{"./pkg/promql", "FuzzQuoting"},
	{"./pkg/peaks", "FuzzParseRange"},
	{"./pkg/control", "FuzzAddAndEdit"},
	{"./pkg/workload", "FuzzParseTarget"},
	{"./pkg/resize", "FuzzParseWindow"},
	{"./pkg/plugin", "FuzzRoutes"},
}

// Fuzz runs each fuzz target for FUZZTIME (default 10s).
func Fuzz() error {
	fuzzTime := os.Getenv("FUZZTIME")
	if fuzzTime == "" {
		fuzzTime = "10s"
	}
	for _, f := range fuzzTargets {
		if err := fuzzOnce(f.pkg, f.name, fuzzTime); err != nil {
			return err
		}
	}
	return nil
}

// fuzzOnce runs one target. Go 1.26's fuzz coordinator can fail a run with a bare "context
// deadline exceeded" when -fuzztime ends while a worker is busy (golang/go#75804, fixed in Go
// 1.27); such a run wrote no failing input. That case alone is run once more; a run that wrote a
// failing input under testdata/fuzz, or fails twice, fails.
func fuzzOnce(pkg, name, fuzzTime string) error {
	corpus := filepath.Join(pkg, "testdata", "fuzz", name)
	for attempt := 1; ; attempt++ {
		before := dirEntries(corpus)
		var out strings.Builder
		cmd := exec.Command("go", "test", "-tags", partsTag, "-run", "^$", "-fuzz", "^"+name+"$", "-fuzztime", fuzzTime, pkg)
		cmd.Stdout, cmd.Stderr = io.MultiWriter(os.Stdout, &out), io.MultiWriter(os.Stderr, &out)
		err := cmd.Run()
		if err == nil {
			return nil
		}
		wroteInput := len(dirEntries(corpus)) > len(before)
		if attempt == 1 && !wroteInput && strings.Contains(out.String(), "context deadline exceeded") {
			fmt.Printf("fuzz %s %s: Go's fuzz coordinator stopped with \"context deadline exceeded\" and wrote no failing input (golang/go#75804); running it again\n", pkg, name)
			continue
		}
		return fmt.Errorf("fuzz %s %s: %w", pkg, name, err)
	}
}

func dirEntries(dir string) []os.DirEntry {
	entries, _ := os.ReadDir(dir) // absent before the first failing input: none
	return entries
}

// Demo runs the product on its embedded default: a local Kubernetes cluster with demo workloads,
// Prometheus loaded with their peak history, the embedded ClickHouse engine, the backend plugin
// (started as Grafana starts it), the webhook, and the app's pages on http://127.0.0.1:3000 (the
// browser run's host, standing in for Grafana). Ctrl-C stops it all.
func Demo(ctx context.Context) error {
	mg.SerialDeps(Deps.All, Frontend.Build, HostBundle, build.Build.Linux, Webhook)
	// Built, then run directly (not `go run`), so its exit code (2: port taken) reaches the shell.
	if err := sh.RunWith(map[string]string{"CGO_ENABLED": "0"}, "go", "build", "-o", "bin/kubedoor-demo", "./cmd/kubedoor-demo"); err != nil {
		return err
	}
	err := sh.RunV(filepath.Join("bin", "kubedoor-demo"),
		"--plugin", filepath.Join("dist", "gpx_kubedoor_linux_amd64"),
		"--webhook", filepath.Join("bin", "kubedoor-webhook"))
	if ctx.Err() != nil {
		return nil // Ctrl-C is how the demo ends; it has stopped its parts by now
	}
	return err
}

// HostBundle builds the page host the demo and the browser run serve the app in
// (tests/browser/host → .cache/browser-host).
func HostBundle() error {
	mg.Deps(Frontend.Install)
	return sh.RunV("npm", "run", "build:host")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
