//go:build parts

package plugin_test

// The control-table and peak routes, first in-process (to see the publish hook the lead wires
// in main.go), then through the plugin executable started as Grafana starts it, on one data
// directory that already holds peak samples.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
	"github.com/kubedoor/kubedoor-grafana/internal/storetest"
	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	kdbackend "github.com/kubedoor/kubedoor-grafana/pkg/backend"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/plugin"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

var (
	ctlViewer = pluginhost.User{Login: "vic", Role: "Viewer"}
	ctlEditor = pluginhost.User{Login: "eddie", Role: "Editor"}
	ctlAdmin  = pluginhost.User{Login: "adam", Role: "Admin"}
)

// ctlSettings configure cluster prod-a in Shanghai time (the Prometheus is never called here).
var ctlSettings = []byte(`{"storage":{"mode":"embedded"},"clusters":[{"name":"prod-a","prometheusUrl":"http://127.0.0.1:1","timeZone":"Asia/Shanghai"}]}`)

// peakFixture: two workloads in shop on 2026-11-20 and 2026-11-21, plus pod totals.
func peakFixture() []peaks.Sample {
	var out []peaks.Sample
	for _, day := range []int{20, 21} {
		for i, wl := range []string{"api", "web"} {
			for _, c := range []string{"app", peaks.PodTotal} {
				d := time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC)
				out = append(out, peaks.Sample{Cluster: "prod-a", Namespace: "shop", Workload: wl, Container: c, Day: d,
					WindowStart: d.Add(2 * time.Hour), WindowEnd: d.Add(3 * time.Hour), PodsMin: uint32(2 + i), PodsMax: uint32(3 + i),
					CPUMax: 0.5, CPUAvg: 0.25 * float64(day-19), MemMax: 1 << 30, MemAvg: 1 << 29, CPURequest: 0.5, CPULimit: 1,
					MemRequest: 1 << 30, MemLimit: 2 << 30, Quantile: 0.95, CollectedAt: d.Add(24 * time.Hour)})
			}
		}
	}
	return out
}

type publishRecorder struct {
	mu       sync.Mutex
	clusters []string
}

func (p *publishRecorder) Published(cluster string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clusters = append(p.clusters, cluster)
}

func (p *publishRecorder) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.clusters)
}

// inProcess calls an App built by the factory directly, as the SDK's gRPC layer would.
type inProcess struct{ h backend.CallResourceHandler }

func (p inProcess) call(t *testing.T, u pluginhost.User, method, path, body string) (int, []byte) {
	t.Helper()
	pathOnly, _, _ := strings.Cut(path, "?")
	var status int
	var out []byte
	err := p.h.CallResource(t.Context(), &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: u.Login, Role: u.Role}},
		Path:          pathOnly, Method: method, URL: "/api/plugins/" + plugin.ID + "/resources/" + path, Body: []byte(body),
	}, backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
		if r.Status != 0 {
			status = r.Status
		}
		out = append(out, r.Body...)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return status, out
}

func TestControlAndPeakRoutes(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	conn, err := storetest.OpenDir(t.Context(), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{}
	for _, s := range peakFixture() {
		rows = append(rows, s.Row())
	}
	if err := conn.Insert(t.Context(), "peak_samples", peaks.Columns, rows); err != nil {
		t.Fatal(err)
	}

	t.Run("in process, accepted writes are published and refused ones are not", func(t *testing.T) {
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		svc := service.New(log, func(context.Context, settings.App) (store.Conn, int, error) { return conn, 2, nil }, "test")
		rec := &publishRecorder{}
		deps := kdbackend.Assemble(svc, log, time.Now()).Deps()
		deps.Published = rec
		factory, err := plugin.NewFactory(deps)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := factory(t.Context(), backend.AppInstanceSettings{JSONData: ctlSettings})
		if err != nil {
			t.Fatal(err)
		}
		app := inProcess{inst.(backend.CallResourceHandler)}
		viewer, editor, admin := pluginhost.User{Login: "hook-v", Role: "Viewer"}, pluginhost.User{Login: "hook-e", Role: "Editor"}, pluginhost.User{Login: "hook-a", Role: "Admin"}
		steps := []struct {
			name       string
			user       pluginhost.User
			method     string
			path, body string
			wantStatus int
			published  int // publish calls so far
		}{
			{"a viewer's add is refused", viewer, "POST", "v1/control", `{"cluster":"prod-a","namespace":"hooks","workload":"a","replicas":{"manual":1}}`, 403, 0},
			{"an editor's add is published", editor, "POST", "v1/control", `{"cluster":"prod-a","namespace":"hooks","workload":"a","replicas":{"manual":1}}`, 201, 1},
			{"an edit that changes nothing is not", editor, "PUT", "v1/control/prod-a/hooks/a", `{"expectedVersion":1,"replicasManual":1}`, 200, 1},
			{"a stale edit is not", editor, "PUT", "v1/control/prod-a/hooks/a", `{"expectedVersion":7,"replicasManual":2}`, 409, 1},
			{"an invalid edit is not", editor, "PUT", "v1/control/prod-a/hooks/a", `{"expectedVersion":1,"replicasManual":-3}`, 400, 1},
			{"an edit is published", editor, "PUT", "v1/control/prod-a/hooks/a", `{"expectedVersion":1,"replicasManual":2}`, 200, 2},
			{"a removal is published", admin, "DELETE", "v1/control/prod-a/hooks/a?expectedVersion=2", "", 200, 3},
		}
		for _, s := range steps {
			status, body := app.call(t, s.user, s.method, s.path, s.body)
			if status != s.wantStatus || rec.count() != s.published {
				t.Fatalf("%s: status %d (%s), %d publish calls; want %d, %d", s.name, status, body, rec.count(), s.wantStatus, s.published)
			}
		}
		if rec.clusters[0] != "prod-a" {
			t.Fatalf("published %v", rec.clusters)
		}
	})
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}

	host := startCtlHost(t, dataDir)
	for _, tt := range routeCases() {
		t.Run(tt.name, func(t *testing.T) {
			res, err := host.Call(t.Context(), tt.user, tt.method, tt.path, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.wantStatus, res.Body)
			}
			if tt.check != nil {
				tt.check(t, res.Body)
			}
		})
	}
}

func startCtlHost(t *testing.T, dataDir string) *pluginhost.Host {
	t.Helper()
	lib, err := testenv.LibCHDB()
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "gpx_kubedoor")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if err := testenv.GoBuild(ctx, "./pkg", exe); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(t.TempDir(), "plugin.log"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := pluginhost.Start(pluginhost.Options{
		Executable: exe, PluginID: plugin.ID, JSONData: ctlSettings, Log: logFile,
		Env: []string{"KUBEDOOR_LIBCHDB=" + lib, "KUBEDOOR_DATA_DIR=" + dataDir},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.Stop()
		if t.Failed() {
			if b, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("--- plugin log ---\n%s", b)
			}
		}
	})
	return h
}

type routeCase struct {
	name       string
	user       pluginhost.User
	method     string
	path, body string
	wantStatus int
	check      func(t *testing.T, body []byte)
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

type ctlRow struct {
	Cluster, Namespace, Workload string
	Version                      uint64
	Replicas                     struct {
		Manual, Recommended, Observed, Effective int32
		Source                                   string
	}
	Containers []struct {
		Name                                                         string
		CPURequestMillis, CPULimitMillis, MemRequestMiB, MemLimitMiB int64
		Sources                                                      map[string]string
	}
	Notes     []string
	UpdatedBy string
	Deleted   bool
}

type typedError struct {
	Error, Code, Field string
	Current            *ctlRow
}

func wantFieldError(field string) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		e := decode[typedError](t, body)
		if e.Code != "bad_request" || e.Field != field {
			t.Fatalf("got %+v, want a 400 naming %s", e, field)
		}
	}
}

const checkoutBody = `{"cluster":"prod-a","namespace":"shop","workload":"checkout","replicas":{"manual":3},
	"containers":[{"name":"app","cpuRequestMillis":250,"cpuLimitMillis":1000,"memRequestMiB":256,"memLimitMiB":512}]}`

// routeCases run in order: they build on each other's writes.
func routeCases() []routeCase {
	return []routeCase{
		{name: "a viewer cannot add to the control table", user: ctlViewer, method: "POST", path: "v1/control", body: checkoutBody, wantStatus: 403,
			check: func(t *testing.T, b []byte) {
				if e := decode[typedError](t, b); e.Code != "forbidden" || !strings.Contains(e.Error, "add a workload to the control table requires the Editor role") {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "the viewer's refusal is audited", user: ctlViewer, method: "GET", path: "v1/audit?result=denied&user=vic", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct {
					Items []struct{ Action, Target string }
					Total int
				}](t, b)
				if l.Total != 1 || l.Items[0].Action != "add a workload to the control table" || l.Items[0].Target != "/v1/control" {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "an editor adds a workload", user: ctlEditor, method: "POST", path: "v1/control", body: checkoutBody, wantStatus: 201,
			check: func(t *testing.T, b []byte) {
				r := decode[ctlRow](t, b)
				if r.Version != 1 || r.Replicas.Effective != 3 || r.Replicas.Source != "manual" || r.UpdatedBy != "eddie" ||
					r.Containers[0].CPURequestMillis != 250 || r.Containers[0].Sources["cpuLimit"] != "manual" {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "adding it again is a conflict carrying the row", user: ctlEditor, method: "POST", path: "v1/control", body: checkoutBody, wantStatus: 409,
			check: func(t *testing.T, b []byte) {
				if e := decode[typedError](t, b); e.Code != "conflict" || e.Current == nil || e.Current.Version != 1 {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "adding without manual replicas names the field", user: ctlEditor, method: "POST", path: "v1/control",
			body: `{"cluster":"prod-a","namespace":"shop","workload":"x","replicas":{"manual":-1}}`, wantStatus: 400, check: wantFieldError("replicas.manual")},
		{name: "fractional replicas name the field", user: ctlEditor, method: "POST", path: "v1/control",
			body: `{"cluster":"prod-a","namespace":"shop","workload":"x","replicas":{"manual":2.5}}`, wantStatus: 400, check: wantFieldError("replicas.manual")},
		{name: "an unknown cluster names the field", user: ctlEditor, method: "POST", path: "v1/control",
			body: `{"cluster":"prod-z","namespace":"shop","workload":"x","replicas":{"manual":1}}`, wantStatus: 400, check: wantFieldError("cluster")},
		{name: "an unknown body field is refused", user: ctlEditor, method: "POST", path: "v1/control",
			body: `{"cluster":"prod-a","namespace":"shop","workload":"x","replicas":{"manual":1},"sql":"DROP TABLE x"}`, wantStatus: 400},
		{name: "a request above its limit names the field", user: ctlEditor, method: "PUT", path: "v1/control/prod-a/shop/checkout",
			body: `{"expectedVersion":1,"containers":[{"name":"app","cpuRequestMillis":1500}]}`, wantStatus: 400, check: wantFieldError("containers[0].cpuRequestMillis")},
		{name: "an edit without the expected version names the field", user: ctlEditor, method: "PUT", path: "v1/control/prod-a/shop/checkout",
			body: `{"replicasManual":4}`, wantStatus: 400, check: wantFieldError("expectedVersion")},
		{name: "an editor edits replicas and a limit", user: ctlEditor, method: "PUT", path: "v1/control/prod-a/shop/checkout",
			body: `{"expectedVersion":1,"replicasManual":0,"containers":[{"name":"app","cpuLimitMillis":2000}]}`, wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				r := decode[ctlRow](t, b)
				if r.Version != 2 || r.Replicas.Effective != 0 || r.Containers[0].CPULimitMillis != 2000 {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "a stale edit is a conflict carrying the current row", user: ctlEditor, method: "PUT", path: "v1/control/prod-a/shop/checkout",
			body: `{"expectedVersion":1,"replicasManual":5}`, wantStatus: 409,
			check: func(t *testing.T, b []byte) {
				if e := decode[typedError](t, b); e.Current == nil || e.Current.Version != 2 || e.Current.Replicas.Manual != 0 {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "the edit is audited with before and after", user: ctlViewer, method: "GET", path: "v1/audit?action=edit+a+control-table+row&result=ok&user=eddie", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct {
					Items []struct {
						User, Cluster, Target string
						Before, After         ctlRow
					}
				}](t, b)
				if len(l.Items) != 1 || l.Items[0].User != "eddie" || l.Items[0].Cluster != "prod-a" || l.Items[0].Target != "shop/checkout" ||
					l.Items[0].Before.Version != 1 || l.Items[0].After.Version != 2 {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "the refused stale edit is audited as failed", user: ctlViewer, method: "GET", path: "v1/audit?action=edit+a+control-table+row&result=failed&user=eddie", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				if l := decode[struct{ Total int }](t, b); l.Total != 3 {
					t.Fatalf("%d failed edits audited, want 3 (two 400s and one 409)", l.Total)
				}
			}},
		{name: "a viewer lists the table", user: ctlViewer, method: "GET", path: "v1/control?cluster=prod-a&namespace=shop&q=CHECK", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct {
					Items []ctlRow
					Total int
				}](t, b)
				if l.Total != 1 || l.Items[0].Workload != "checkout" || l.Items[0].Version != 2 {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "a viewer cannot edit", user: ctlViewer, method: "PUT", path: "v1/control/prod-a/shop/checkout", body: `{"expectedVersion":2}`, wantStatus: 403},
		{name: "a removal needs the expected version", user: ctlAdmin, method: "DELETE", path: "v1/control/prod-a/shop/checkout", wantStatus: 400, check: wantFieldError("expectedVersion")},
		{name: "an admin removes the workload", user: ctlAdmin, method: "DELETE", path: "v1/control/prod-a/shop/checkout?expectedVersion=2", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				if r := decode[ctlRow](t, b); !r.Deleted || r.Version != 3 || r.UpdatedBy != "adam" {
					t.Fatalf("%+v", r)
				}
			}},
		{name: "a removed workload is not found", user: ctlViewer, method: "GET", path: "v1/control/prod-a/shop/checkout", wantStatus: 404},
		{name: "its history lists every version newest first", user: ctlViewer, method: "GET", path: "v1/control/prod-a/shop/checkout/history", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct {
					Items []ctlRow
					Total int
				}](t, b)
				if l.Total != 3 || l.Items[0].Version != 3 || !l.Items[0].Deleted || l.Items[2].Version != 1 {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "an unknown row's history is not found", user: ctlViewer, method: "GET", path: "v1/control/prod-a/shop/nope/history", wantStatus: 404},

		{name: "peak rows need a cluster", user: ctlViewer, method: "GET", path: "v1/peaks?from=2026-11-20&to=2026-11-21", wantStatus: 400, check: wantFieldError("cluster")},
		{name: "a malformed day names the field", user: ctlViewer, method: "GET", path: "v1/peaks?cluster=prod-a&from=20.11.2026", wantStatus: 400, check: wantFieldError("from")},
		{name: "a viewer pages through peak rows", user: ctlViewer, method: "GET", path: "v1/peaks?cluster=prod-a&from=2026-11-20&to=2026-11-21&limit=3&offset=1", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct {
					Items []peaks.Row
					Total int
				}](t, b)
				if l.Total != 8 || len(l.Items) != 3 || l.Items[0].Day != "2026-11-21" || l.Items[0].Container != "app" || l.Items[0].Workload != "api" {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "times count as days in the cluster's zone", user: ctlViewer, method: "GET",
			path: "v1/peaks?cluster=prod-a&container=&from=2026-11-20T16:00:00Z&to=2026-11-20T17:00:00Z", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				// 16:00Z and 17:00Z are both 2026-11-21 in Shanghai: the two pod totals of that day.
				l := decode[struct {
					Items []peaks.Row
					Total int
				}](t, b)
				if l.Total != 2 || l.Items[0].Day != "2026-11-21" || l.Items[0].Container != "" {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "totals sum pods × per-pod values without pod totals", user: ctlViewer, method: "GET", path: "v1/peaks/totals?cluster=prod-a&from=2026-11-20&to=2026-11-21", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct{ Items []peaks.DayTotal }](t, b)
				// 11-21: api 2 pods × 0.5 cores + web 3 pods × 0.5 cores = 2.5; requests 2×0.5 + 3×0.5 = 2.5.
				if len(l.Items) != 2 || l.Items[1].Pods != 5 || l.Items[1].CPUUsage != 2.5 || l.Items[1].CPURequest != 2.5 || l.Items[0].CPUUsage != 1.25 {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "totals of one kind count only that kind (the fixture runs Deployments)", user: ctlViewer, method: "GET", path: "v1/peaks/totals?cluster=prod-a&from=2026-11-20&to=2026-11-21&kind=statefulset", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				if l := decode[struct{ Items []peaks.DayTotal }](t, b); len(l.Items) != 0 {
					t.Fatalf("StatefulSet totals %+v, want none", l)
				}
			}},
		{name: "totals of Deployments are every kind's here", user: ctlViewer, method: "GET", path: "v1/peaks/totals?cluster=prod-a&from=2026-11-20&to=2026-11-21&kind=Deployment", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct{ Items []peaks.DayTotal }](t, b)
				if len(l.Items) != 2 || l.Items[1].Pods != 5 || l.Items[1].CPUUsage != 2.5 || l.Items[0].CPUUsage != 1.25 {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "totals refuse an unknown kind", user: ctlViewer, method: "GET", path: "v1/peaks/totals?cluster=prod-a&kind=CronJob", wantStatus: 400, check: wantFieldError("kind")},
		{name: "namespace shares of one kind count only that kind", user: ctlViewer, method: "GET", path: "v1/peaks/namespaces?cluster=prod-a&from=2026-11-20&to=2026-11-21&kind=DaemonSet", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				if l := decode[struct{ Items []peaks.NamespaceShare }](t, b); len(l.Items) != 0 {
					t.Fatalf("DaemonSet shares %+v, want none", l)
				}
			}},
		{name: "namespace shares refuse an unknown kind", user: ctlViewer, method: "GET", path: "v1/peaks/namespaces?cluster=prod-a&kind=Job", wantStatus: 400, check: wantFieldError("kind")},
		{name: "top needs a known order", user: ctlViewer, method: "GET", path: "v1/peaks/top?cluster=prod-a&by=cost", wantStatus: 400, check: wantFieldError("by")},
		{name: "top ranks workloads by their worst day", user: ctlViewer, method: "GET", path: "v1/peaks/top?cluster=prod-a&from=2026-11-20&to=2026-11-21&by=cpu&limit=1", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct{ Items []peaks.TopItem }](t, b)
				if len(l.Items) != 1 || l.Items[0].Workload != "web" || l.Items[0].Value != 1.5 || l.Items[0].Day != "2026-11-21" {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "namespaces share the cluster", user: ctlViewer, method: "GET", path: "v1/peaks/namespaces?cluster=prod-a&from=2026-11-20&to=2026-11-21", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct{ Items []peaks.NamespaceShare }](t, b)
				if len(l.Items) != 1 || l.Items[0].Namespace != "shop" || l.Items[0].CPUShare != 1 || l.Items[0].Workloads != 2 || l.Items[0].Pods != 5 {
					t.Fatalf("%+v", l)
				}
			}},
		{name: "a series needs the workload", user: ctlViewer, method: "GET", path: "v1/peaks/series?cluster=prod-a&namespace=shop", wantStatus: 400, check: wantFieldError("workload")},
		{name: "a series is one row per day", user: ctlViewer, method: "GET", path: "v1/peaks/series?cluster=prod-a&namespace=shop&workload=web&container=app&from=2026-11-01&to=2026-11-30", wantStatus: 200,
			check: func(t *testing.T, b []byte) {
				l := decode[struct{ Items []peaks.Row }](t, b)
				if len(l.Items) != 2 || l.Items[0].Day != "2026-11-20" || l.Items[1].CPUAvg != 0.5 {
					t.Fatalf("%+v", fmt.Sprint(l))
				}
			}},
	}
}
