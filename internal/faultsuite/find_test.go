package faultsuite

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
)

func write(t *testing.T, root, path, body string) {
	t.Helper()
	p := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFindListsTheTestsOfFaultFilesByPackage(t *testing.T) {
	root := t.TempDir()
	write(t, root, "pkg/a/fault_host_test.go", `package a_test
import "testing"
func TestACrashIsRepaired(t *testing.T) {}
func TestMain(m *testing.M) {}
func helper(t *testing.T) {}
func BenchmarkX(b *testing.B) {}
func TestTakesNoT() {}
`)
	write(t, root, "pkg/a/fault_more_test.go", `package a_test
import "testing"
func TestAnotherCrash(t *testing.T) {}
`)
	write(t, root, "pkg/a/routes_test.go", `package a_test
import "testing"
func TestNotAFault(t *testing.T) {}
`)
	write(t, root, "pkg/b/fault_test.go", `package b
import "testing"
func TestB(t *testing.T) {}
`)
	write(t, root, "node_modules/x/fault_test.go", `package x
import "testing"
func TestNotOurs(t *testing.T) {}
`)
	write(t, root, "pkg/c/fault_test.go", `package c
// no tests here
`)
	got, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{
		{Dir: "pkg/a", Tests: []string{"TestACrashIsRepaired", "TestAnotherCrash"}},
		{Dir: "pkg/b", Tests: []string{"TestB"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Find = %+v, want %+v", got, want)
	}
}

func TestTheRunPatternSelectsExactlyThePackagesFaultTests(t *testing.T) {
	re := regexp.MustCompile(Package{Tests: []string{"TestACrash", "TestB"}}.RunPattern())
	for name, want := range map[string]bool{"TestACrash": true, "TestB": true, "TestACrashAgain": false, "TestBB": false, "XTestB": false} {
		if re.MatchString(name) != want {
			t.Errorf("pattern %s matches %s: %v, want %v", re, name, !want, want)
		}
	}
}

func TestAFaultFileThatDoesNotParseIsAnError(t *testing.T) {
	root := t.TempDir()
	write(t, root, "pkg/a/fault_test.go", "package a\nfunc TestX(t *testing.T {")
	if _, err := Find(root); err == nil {
		t.Fatal("a broken fault file was accepted")
	}
}

// The repository's own suite: every process fault case the reliability page lists is found.
func TestTheRepositorysFaultSuiteHoldsTheProcessCases(t *testing.T) {
	got, err := Find(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, p := range got {
		for _, name := range p.Tests {
			found[p.Dir+"."+name] = true
		}
	}
	for _, name := range []string{
		"pkg/plugin.TestAControlWriteKilledBeforeItsAuditEntryIsAuditedOnceAfterRestart",
		"pkg/plugin.TestASettingsSaveKilledBeforeItsAuditEntryIsAuditedOnceAfterRestart",
		"pkg/plugin/opstest.TestAScheduleRunKilledMidActionIsSettledNotRepeatedAndItsActionShownPending",
		"pkg/plugin/opstest.TestTwoBackendsOnOneClusterHoldOneLeaseAndAKilledHoldersRunIsSettledByItsOwnRestart",
		"pkg/plugin/opstest.TestAKubeAPIServerStoppedAndRestartedIsReportedAndTheBackendRecoversWithoutARestart",
		"webhook.TestAKilledWebhookFailsOpenAndEnforcementResumesWhenItReturns",
	} {
		if !found[name] {
			t.Errorf("%s is not in the fault suite (found %v)", name, found)
		}
	}
}
