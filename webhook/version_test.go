//go:build parts

package main_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// The binary TestMain built (with package.json's version linked in, as the release build does)
// prints that version for --version and logs it when it starts serving.
func TestVersionFlagPrintsThePackageVersion(t *testing.T) {
	want, err := testenv.PackageVersion()
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"--version", "-version", "version"} {
		out, err := exec.Command(hook.Bin, arg).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", arg, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("kubedoor-webhook %s printed %q, want package.json's %q", arg, got, want)
		}
	}
	if log := hook.Log(); !strings.Contains(log, `"msg":"kubedoor-webhook starting","version":"`+want+`"`) {
		t.Errorf("the serving webhook's log has no start line with version %s:\n%.2000s", want, log)
	}
}
