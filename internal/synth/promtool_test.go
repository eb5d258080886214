//go:build parts

package synth_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// blockRow matches a row of promtool's block table: ULID, min, max, duration, samples, ...
var blockRow = regexp.MustCompile(`(?m)^[0-9A-Z]{26}\s+\d+\s+\d+\s+\S+\s+(\d+)\s`)

// Each scenario gets its own file: promtool parses the whole file once per 2h block between the
// first and last sample, so days apart in one file multiply its work. Prometheus 3's promtool
// loads the scenarios the collector's tests give it; the big one (9 s on 2 cores) only 2.x's.
func TestPromtoolLoadsEverySampleOfEveryReadyMadeScenario(t *testing.T) {
	_, promtool2, err := testenv.Prometheus()
	if err != nil {
		t.Fatal(err)
	}
	_, promtool3, err := testenv.Prometheus3()
	if err != nil {
		t.Fatal(err)
	}
	day := synth.Date{Year: 2026, Month: 6, Day: 10}
	midnight, err := synth.ScenarioMidnight(day)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		s      synth.Scenario
		only2x bool
	}{
		{"rollout", synth.ScenarioRollout(day), false},
		{"sidecar with OOM kills", synth.ScenarioSidecar(day), false},
		{"half-window pods", synth.ScenarioHalfWindow(day), false},
		{"midnight in Asia/Shanghai", midnight, false},
		{"replica traps", synth.ScenarioReplicaTraps(day), false},
		{"three days", synth.ScenarioMultiDay(day, 3), true},
		{"big with sidecars", synth.ScenarioBig(synth.BigOptions{Day: day, Workloads: 20, Sidecar: true}), true},
		{"StatefulSets and DaemonSets", synth.ScenarioKinds(day), false},
	} {
		t.Run(tc.name+"/prometheus-2", func(t *testing.T) { checkPromtoolLoads(t, promtool2, tc.s) })
		if !tc.only2x {
			t.Run(tc.name+"/prometheus-"+testenv.Prometheus3Version, func(t *testing.T) { checkPromtoolLoads(t, promtool3, tc.s) })
		}
	}
}

// checkPromtoolLoads writes s and has promtool load it; the blocks must hold every sample.
func checkPromtoolLoads(t *testing.T, promtool string, s synth.Scenario) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "backfill.om")
	var buf bytes.Buffer
	st, err := s.WriteOpenMetrics(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\n# EOF\n")) || int64(buf.Len()) != st.Bytes {
		t.Fatalf("output does not end with # EOF or Stats.Bytes %d != %d", st.Bytes, buf.Len())
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", file, filepath.Join(dir, "tsdb")).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool refused the file: %v\n%s", err, out)
	}
	var loaded int64
	for _, m := range blockRow.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		loaded += n
	}
	if loaded != st.Samples {
		t.Errorf("promtool loaded %d samples, the generator wrote %d:\n%s", loaded, st.Samples, out)
	}
	if strings.Contains(string(out), "out of order") || strings.Contains(string(out), "rror") {
		t.Errorf("promtool complained:\n%s", out)
	}
}
