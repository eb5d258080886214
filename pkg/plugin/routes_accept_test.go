//go:build parts

package plugin_test

// Accepting recommended replicas in process, on the embedded engine.

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

type acceptAnswer struct {
	Accepted []struct {
		Namespace, Workload string
		Version             uint64
		Replicas            int32
	}
	Refused []struct{ Namespace, Workload, Code, Reason string }
}

func TestAcceptRecommendationsRoute(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	conn, err := storetest.OpenDir(ctx, filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	// Rows as a derivation leaves them (version 1 each).
	derived := func(wl string, rec int32, recFor string) control.Row {
		c := control.NewContainer("app")
		c.CPURequestMillis, c.MemRequestMiB = 500, 256
		return control.Row{Cluster: "prod-a", Namespace: "shop", Workload: wl, Version: 1,
			Replicas:   control.Replicas{Manual: -1, Recommended: rec, RecommendedFor: recFor, RecommendedReason: "why", Observed: 12},
			Containers: []control.Container{c}}
	}
	if _, err := control.New(conn, nil).Rederive(ctx, "prod-a", control.UpdatedByCollector, func([]control.Row) ([]control.Row, error) {
		return []control.Row{
			derived("web", 8, control.RecommendedForReplicas), derived("api", 6, control.RecommendedForReplicas),
			derived("hpa", 4, control.RecommendedForHPAMin), derived("none", -1, control.RecommendedForNone),
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
	app := decideApp(t, ctx, conn, nil)
	viewer, editor := pluginhost.User{Login: "vic", Role: "Viewer"}, pluginhost.User{Login: "eddie", Role: "Editor"}
	const path = "v1/control/prod-a/recommendations/accept"

	t.Run("a viewer may not accept", func(t *testing.T) {
		if status, body := app.call(t, viewer, "POST", path, `{"rows":[{"namespace":"shop","workload":"web","version":1}]}`); status != 403 {
			t.Fatalf("status %d: %s", status, body)
		}
	})
	t.Run("one row is accepted as its manual replicas", func(t *testing.T) {
		status, body := app.call(t, editor, "POST", path, `{"rows":[{"namespace":"shop","workload":"web","version":1}]}`)
		var got acceptAnswer
		if status != 200 || json.Unmarshal(body, &got) != nil || len(got.Accepted) != 1 || len(got.Refused) != 0 {
			t.Fatalf("status %d: %s", status, body)
		}
		if a := got.Accepted[0]; a.Workload != "web" || a.Version != 2 || a.Replicas != 8 {
			t.Fatalf("accepted %+v", a)
		}
		status, body = app.call(t, viewer, "GET", "v1/control/prod-a/shop/web", "")
		row := decode[control.Row](t, body)
		if status != 200 || row.Replicas.Manual != 8 || row.Replicas.Effective != 8 || row.Replicas.Source != control.ReplicasManual || row.UpdatedBy != "eddie" {
			t.Fatalf("row after accept: %d %+v", status, row.Replicas)
		}
	})
	t.Run("a batch accepts what it can and says why it refused the rest", func(t *testing.T) {
		status, body := app.call(t, editor, "POST", path, `{"rows":[
			{"namespace":"shop","workload":"web","version":1},
			{"namespace":"shop","workload":"hpa","version":1},
			{"namespace":"shop","workload":"none","version":1},
			{"namespace":"shop","workload":"ghost","version":1},
			{"namespace":"shop","workload":"api","version":1}]}`)
		var got acceptAnswer
		if status != 200 || json.Unmarshal(body, &got) != nil {
			t.Fatalf("status %d: %s", status, body)
		}
		if len(got.Accepted) != 1 || got.Accepted[0].Workload != "api" || got.Accepted[0].Replicas != 6 || got.Accepted[0].Version != 2 {
			t.Fatalf("accepted %+v", got.Accepted)
		}
		want := map[string]string{"web": control.RefusedConflict, "hpa": control.RefusedHPA, "none": control.RefusedNone, "ghost": control.RefusedNotFound}
		if len(got.Refused) != len(want) {
			t.Fatalf("refused %+v", got.Refused)
		}
		for _, r := range got.Refused {
			if want[r.Workload] != r.Code || r.Reason == "" {
				t.Errorf("refused %+v, want code %q", r, want[r.Workload])
			}
			if r.Workload == "hpa" && r.Reason != "the HPA owns replicas; set its minReplicas to 4" {
				t.Errorf("HPA refusal %q", r.Reason)
			}
		}
	})
	t.Run("every row is audited, refusals as failed", func(t *testing.T) {
		q := url.Values{"action": {"accept recommended replicas"}, "cluster": {"prod-a"}}
		status, body := app.call(t, viewer, "GET", "v1/audit?"+q.Encode(), "")
		var got struct {
			Items []struct{ User, Target, Result, Error string }
			Total int
		}
		if status != 200 || json.Unmarshal(body, &got) != nil {
			t.Fatalf("status %d: %s", status, body)
		}
		results := map[string][]string{}
		for _, e := range got.Items {
			if e.User != "eddie" {
				t.Errorf("entry by %q", e.User)
			}
			results[e.Target] = append(results[e.Target], e.Result)
		}
		// web: accepted, then refused (conflict); api accepted; hpa, none, ghost refused.
		if got.Total != 6 || len(results["shop/web"]) != 2 || len(results["shop/api"]) != 1 || results["shop/hpa"][0] != "failed" ||
			results["shop/ghost"][0] != "failed" || results["shop/api"][0] == "failed" {
			t.Fatalf("audit %+v", got)
		}
	})
	for _, tc := range []struct{ name, body, field string }{
		{"no rows are refused naming the field", `{"rows":[]}`, "rows"},
		{"a row without a version is refused naming it", `{"rows":[{"namespace":"shop","workload":"web"}]}`, "rows[0].version"},
		{"a version of the wrong type is refused naming it", `{"rows":[{"namespace":"shop","workload":"web","version":"1"}]}`, "rows.version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := app.call(t, editor, "POST", path, tc.body)
			var e struct{ Field string }
			_ = json.Unmarshal(body, &e)
			if status != 400 || e.Field != tc.field {
				t.Errorf("status %d field %q, want 400 %q: %s", status, e.Field, tc.field, body)
			}
		})
	}
	t.Run("an unknown cluster is 404", func(t *testing.T) {
		if status, body := app.call(t, editor, "POST", "v1/control/nowhere/recommendations/accept", `{"rows":[{"namespace":"shop","workload":"web","version":1}]}`); status != 404 {
			t.Fatalf("status %d: %s", status, body)
		}
	})
}
