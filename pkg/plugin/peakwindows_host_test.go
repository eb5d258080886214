//go:build parts

package plugin_test

// The peak-windows route through the plugin, on the embedded store: the cluster's window and a
// workload's override over a range, and every bad parameter refused by name.

import (
	"encoding/json"
	"strings"
	"testing"
)

type peakWindows struct {
	Cluster, TimeZone, SetOn string
	Window                   struct{ Start, End string }
	Items                    []struct{ Day, Start, End string }
}

func getPeakWindows(t *testing.T, query string) peakWindows {
	t.Helper()
	var pw peakWindows
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters/c0/peak-windows?"+query, "", 200), &pw); err != nil {
		t.Fatal(err)
	}
	return pw
}

func spansOf(pw peakWindows) string {
	var s []string
	for _, it := range pw.Items {
		s = append(s, it.Day+" "+it.Start+"/"+it.End)
	}
	return strings.Join(s, ", ")
}

func TestPeakWindowsRouteGivesTheWorkloadsWindowOverTheRange(t *testing.T) {
	// 1 March 2026 00:00 UTC to 3 March 00:00, in Unix milliseconds as Grafana sends them.
	const from, to = "1772323200000", "1772496000000"
	cluster := getPeakWindows(t, "from="+from+"&to="+to)
	if cluster.SetOn != "cluster" || cluster.TimeZone != "UTC" ||
		spansOf(cluster) != "2026-03-01 2026-03-01T10:00:00Z/2026-03-01T11:30:00Z, 2026-03-02 2026-03-02T10:00:00Z/2026-03-02T11:30:00Z" {
		t.Fatalf("the cluster's windows: %+v", cluster)
	}

	// An Admin gives shop/StatefulSet/db a window crossing midnight; the test puts the settings
	// back as they were.
	var before map[string]any
	if err := json.Unmarshal(call(t, viewer, "GET", "v1/clusters/c0/settings", "", 200), &before); err != nil {
		t.Fatal(err)
	}
	put := func(overrides any, version any) uint64 {
		m := map[string]any{}
		for k, v := range before {
			m[k] = v
		}
		m["overrides"], m["expectedVersion"] = overrides, version
		b, _ := json.Marshal(m)
		var saved struct{ Version uint64 }
		if err := json.Unmarshal(call(t, admin, "PUT", "v1/clusters/c0/settings", string(b), 200), &saved); err != nil {
			t.Fatal(err)
		}
		return saved.Version
	}
	version := put([]map[string]any{{"namespace": "shop", "kind": "StatefulSet", "workload": "db",
		"peakWindow": map[string]string{"start": "23:00", "end": "01:00"}}}, before["version"])
	t.Cleanup(func() { put(before["overrides"], version) })
	db := getPeakWindows(t, "from="+from+"&to="+to+"&namespace=shop&kind=StatefulSet&workload=db")
	if db.SetOn != "workload" || db.Window.Start != "23:00" ||
		spansOf(db) != "2026-02-28 2026-02-28T23:00:00Z/2026-03-01T01:00:00Z, 2026-03-01 2026-03-01T23:00:00Z/2026-03-02T01:00:00Z, 2026-03-02 2026-03-02T23:00:00Z/2026-03-03T01:00:00Z" {
		t.Fatalf("shop/StatefulSet/db's windows: %+v", db)
	}
	// A Deployment of the same name keeps the cluster's window.
	if dep := getPeakWindows(t, "from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&namespace=shop&workload=db"); dep.SetOn != "cluster" || len(dep.Items) != 1 {
		t.Fatalf("shop/db's windows: %+v", dep)
	}

	for _, tt := range []struct{ query, field string }{
		{"to=" + to, "from"},
		{"from=yesterday&to=" + to, "from"},
		{"from=" + to + "&to=" + from, "to"},
		{"from=" + from + "&to=" + from, "to"},
		{"from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
		{"from=" + from + "&to=" + to + "&workload=db", "namespace"},
		{"from=" + from + "&to=" + to + "&namespace=Shop_1", "namespace"},
		{"from=" + from + "&to=" + to + "&namespace=shop&workload=db&kind=CronJob", "kind"},
		{"from=" + from + "&to=" + to + "&namespace=shop&workload=-db", "workload"},
	} {
		wantField(t, call(t, viewer, "GET", "v1/clusters/c0/peak-windows?"+tt.query, "", 400), tt.field)
	}
	call(t, viewer, "GET", "v1/clusters/nope/peak-windows?from="+from+"&to="+to, "", 404)
}
