//go:build parts

package plugin_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/synth"
)

// The kept/unavailable report and the collect.minFoundRatio setting as a client of the plugin
// executable sees them.
func TestAJobReportsTheDaysPrometheusNoLongerHoldsThroughTheAPI(t *testing.T) {
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"collect":{"enabled":true,"at":"01:00","concurrency":4,
		"queryTimeoutSeconds":120,"minFoundRatio":1.5},"expectedVersion":0}`, 400), "collect.minFoundRatio")
	var s struct {
		Collect struct{ MinFoundRatio float64 }
	}
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters/c0/settings", "", 200), &s); err != nil || s.Collect.MinFoundRatio != 0.5 {
		t.Fatalf("collect.minFoundRatio %+v %v", s, err)
	}

	// The host's Prometheus holds yesterday only: the three days before are reported at once.
	today := synth.DateOf(time.Now().UTC())
	from, to := today.AddDays(-4).String(), today.AddDays(-1).String()
	var j struct {
		ID, State   string
		DaysDone    int
		Kept        []struct{ Day string }
		Unavailable []string
	}
	body := call(t, editor, "POST", "v1/clusters/c0/collections", fmt.Sprintf(`{"from":%q,"to":%q}`, from, to), 202)
	if err := json.Unmarshal(body, &j); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for j.State != "succeeded" && j.State != "failed" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		body = call(t, viewer, "GET", "v1/collections/"+j.ID, "", 200)
		if err := json.Unmarshal(body, &j); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{today.AddDays(-4).String(), today.AddDays(-3).String(), today.AddDays(-2).String()}
	if j.State != "succeeded" || j.DaysDone != 4 || fmt.Sprint(j.Unavailable) != fmt.Sprint(want) || j.Kept == nil || len(j.Kept) != 0 {
		t.Fatalf("job %s, want unavailable %v and nothing kept (nothing was stored on those days)", body, want)
	}
}
