//go:build parts

package plugin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/synth"
)

var (
	editor = pluginhost.User{Login: "ed", Role: "Editor"}
	admin  = pluginhost.User{Login: "ada", Role: "Admin"}
)

func call(t *testing.T, u pluginhost.User, method, path, body string, wantStatus int) []byte {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	// Not cancelled with the test: cleanups restore settings through call, and t.Context() is
	// cancelled before Cleanup functions run.
	res, err := host.Call(context.WithoutCancel(t.Context()), u, method, path, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != wantStatus {
		t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, u.Role, res.Status, wantStatus, res.Body)
	}
	return res.Body
}

func wantField(t *testing.T, body []byte, field string) {
	t.Helper()
	var e struct{ Code, Field string }
	if err := json.Unmarshal(body, &e); err != nil || e.Code != "bad_request" || e.Field != field {
		t.Fatalf("want a bad_request on %s, got %s", field, body)
	}
}

type clusterSettings struct {
	Cluster     string `json:"cluster"`
	TimeZone    string `json:"timeZone"`
	PeakWindow  struct{ Start, End string }
	Quantile    float64 `json:"quantile"`
	MinReplicas int32   `json:"minReplicas"`
	Version     uint64  `json:"version"`
	UpdatedBy   string  `json:"updatedBy"`
}

func TestClusterSettingsByRoleWithValidationAndConflicts(t *testing.T) {
	body := call(t, viewer, "GET", "v1/clusters", "", 200)
	var list struct {
		Items []struct {
			Name, TimeZone, PrometheusURL string
			Settings                      clusterSettings
		}
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Items) != 1 || list.Items[0].Name != "c0" ||
		list.Items[0].Settings.PeakWindow.Start != "10:00" || list.Items[0].PrometheusURL != promURL {
		t.Fatalf("clusters %s (%v)", body, err)
	}
	var cur clusterSettings
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters/c0/settings", "", 200), &cur); err != nil || cur.Version != 0 || cur.TimeZone != "UTC" || cur.MinReplicas != 1 {
		t.Fatalf("defaults %+v %v", cur, err)
	}
	call(t, viewer, "GET", "v1/clusters/nope/settings", "", 404)

	good := `{"peakWindow":{"start":"10:00","end":"11:30"},"quantile":0.9,"expectedVersion":%d}`
	wantError("forbidden", "change cluster settings requires the Admin role")(t, call(t, editor, "PUT", "v1/clusters/c0/settings", fmt.Sprintf(good, 0), 403))
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"quantile":1.5,"expectedVersion":0}`, 400), "quantile")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"minReplicas":-1,"expectedVersion":0}`, 400), "minReplicas")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"minReplicas":100001,"expectedVersion":0}`, 400), "minReplicas")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"peakWindow":{"start":"25:00","end":"11:30"},"expectedVersion":0}`, 400), "peakWindow.start")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"quantile":0.9}`, 400), "expectedVersion")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"recommend":{"cpuTarget":0},"expectedVersion":0}`, 400), "recommend.cpuTarget")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings", `{"recommend":{"maxStepDown":1},"expectedVersion":0}`, 400), "recommend.maxStepDown")
	wantField(t, call(t, admin, "PUT", "v1/clusters/c0/settings",
		`{"recommend":{"overrides":[{"namespace":"shop","cpuTarget":0.6,"memTarget":0.8},{"namespace":"shop","cpuTarget":0.5,"memTarget":0.8}]},"expectedVersion":0}`, 400), "recommend.overrides[1]")
	call(t, admin, "PUT", "v1/clusters/c0/settings", `{"quantile":0.9,"expectedVersion":0,"surprise":1}`, 400)

	var saved clusterSettings
	if err := json.Unmarshal(call(t, admin, "PUT", "v1/clusters/c0/settings", fmt.Sprintf(good, 0), 200), &saved); err != nil ||
		saved.Version != 1 || saved.Quantile != 0.9 || saved.UpdatedBy != "ada" {
		t.Fatalf("saved %+v %v", saved, err)
	}
	var conflict struct {
		Code    string
		Current clusterSettings
	}
	if err := json.Unmarshal(call(t, admin, "PUT", "v1/clusters/c0/settings", fmt.Sprintf(good, 0), 409), &conflict); err != nil ||
		conflict.Code != "conflict" || conflict.Current.Version != 1 {
		t.Fatalf("conflict %+v %v", conflict, err)
	}
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters/c0/settings", "", 200), &cur); err != nil || cur.Version != 1 || cur.Quantile != 0.9 {
		t.Fatalf("after save %+v %v", cur, err)
	}
	audit := string(call(t, viewer, "GET", "v1/audit?action=edit+cluster+settings&user=ada", "", 200))
	if !strings.Contains(audit, `"result":"ok"`) || !strings.Contains(audit, `"result":"failed"`) {
		t.Fatalf("settings writes not audited: %s", audit)
	}
}

type job struct {
	ID, Cluster, Kind, State, FirstDay, LastDay, StartedBy string
	DaysTotal, DaysDone, Workloads, ErrorCount             int
	Errors                                                 []string
}

func TestACollectionRunsThroughTheAPI(t *testing.T) {
	yesterday := synth.DateOf(time.Now().UTC()).AddDays(-1).String()
	wantError("forbidden", "start a collection requires the Editor role")(t,
		call(t, viewer, "POST", "v1/clusters/c0/collections", `{"days":1}`, 403))
	wantField(t, call(t, editor, "POST", "v1/clusters/c0/collections", `{}`, 400), "from")
	wantField(t, call(t, editor, "POST", "v1/clusters/c0/collections", `{"days":401}`, 400), "days")
	call(t, editor, "POST", "v1/clusters/nope/collections", `{"days":1}`, 404)

	var j job
	body := call(t, editor, "POST", "v1/clusters/c0/collections", fmt.Sprintf(`{"from":%q,"to":%q}`, yesterday, yesterday), 202)
	if err := json.Unmarshal(body, &j); err != nil || j.ID == "" || j.Kind != "rerun" || j.StartedBy != "ed" || j.DaysTotal != 1 {
		t.Fatalf("started %s (%v)", body, err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for j.State != "succeeded" && j.State != "failed" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if err := json.Unmarshal(call(t, viewer, "GET", "v1/collections/"+j.ID, "", 200), &j); err != nil {
			t.Fatal(err)
		}
	}
	// The host's Prometheus holds ScenarioSidecar for yesterday: one workload, shop/api.
	if j.State != "succeeded" || j.DaysDone != 1 || j.Workloads != 1 || j.FirstDay != yesterday {
		t.Fatalf("job %+v", j)
	}
	var list struct {
		Items []job
		Total int
	}
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/collections?cluster=c0&state=succeeded", "", 200), &list); err != nil ||
		list.Total < 1 || list.Items[0].ID != j.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	wantField(t, call(t, viewer, "GET", "v1/collections?state=done", "", 400), "state")
	call(t, viewer, "GET", "v1/collections/00000000-0000-4000-8000-000000000000", "", 404)
	call(t, viewer, "DELETE", "v1/collections/"+j.ID, "", 403)
	var cancelled job
	if err := json.Unmarshal(call(t, editor, "DELETE", "v1/collections/"+j.ID, "", 200), &cancelled); err != nil || cancelled.State != "succeeded" {
		t.Fatalf("cancelling a finished job changed it: %+v %v", cancelled, err)
	}
	var clusters struct {
		Items []struct{ LastCollection *job }
	}
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters", "", 200), &clusters); err != nil ||
		clusters.Items[0].LastCollection == nil || clusters.Items[0].LastCollection.ID != j.ID {
		t.Fatalf("clusters' last collection %+v %v", clusters, err)
	}
	if audit := string(call(t, viewer, "GET", "v1/audit?action=start+collection&user=ed", "", 200)); !strings.Contains(audit, j.ID) {
		t.Fatalf("collection start not audited: %s", audit)
	}

	// Saving the recommend switch re-derives the cluster before answering: shop/api (requests
	// set, no HPA) has a recommendation for its replicas, active only while the switch is on.
	type replicas struct {
		Recommended, Observed, Effective int32
		RecommendedFor, Source           string
		RecommendedActive                bool
	}
	row := func() replicas {
		var r struct{ Replicas replicas }
		if err := json.Unmarshal(call(t, viewer, "GET", "v1/control/c0/shop/api", "", 200), &r); err != nil {
			t.Fatal(err)
		}
		return r.Replicas
	}
	if r := row(); r.RecommendedFor != "replicas" || r.Recommended < 1 || r.RecommendedActive || r.Source != "observed" {
		t.Fatalf("after the collection, switch off: %+v", r)
	}
	for _, on := range []bool{true, false} {
		// The settings as they are, but the switch: a PUT replaces them all.
		var cur map[string]any
		if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters/c0/settings", "", 200), &cur); err != nil {
			t.Fatal(err)
		}
		cur["recommend"].(map[string]any)["enabled"] = on
		cur["expectedVersion"] = cur["version"]
		put, err := json.Marshal(cur)
		if err != nil {
			t.Fatal(err)
		}
		call(t, admin, "PUT", "v1/clusters/c0/settings", string(put), 200)
		r := row()
		wantSrc, wantEff := "observed", r.Observed
		if on {
			wantSrc, wantEff = "recommended", r.Recommended
		}
		if r.RecommendedActive != on || r.Source != wantSrc || r.Effective != wantEff {
			t.Fatalf("after saving recommend.enabled %v: %+v", on, r)
		}
	}
}
