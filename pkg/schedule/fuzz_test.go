package schedule

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// FuzzScheduleSpec feeds arbitrary cron expressions, zones and runAt texts through the JSON
// decoding and validation a POST body gets: no panic, every refusal names a field, and every
// accepted cron schedule has a next run after now.
func FuzzScheduleSpec(f *testing.F) {
	for _, c := range [][3]string{
		{"0 3 * * *", "Europe/Berlin", ""}, {"*/5 1-3 * 2,3 mon-fri", "America/New_York", ""},
		{"@daily", "UTC", ""}, {"61 * * * *", "UTC", ""}, {"0 0 30 2 *", "UTC", ""},
		{"", "Asia/Shanghai", "2026-03-01T23:30:00+08:00"}, {"", "Local", "2025-01-01T00:00:00Z"}, {"", "UTC", "not a time"},
		{"CRON_TZ=Asia/Tokyo 0 3 * * *", "UTC", ""}, {"0 3 * * * *", "../../etc/passwd", ""},
	} {
		f.Add(c[0], c[1], c[2])
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cl := []settings.Cluster{{Name: "prod-a", TimeZone: "UTC"}}
	f.Fuzz(func(t *testing.T, cronExpr, zone, runAt string) {
		kind, runAtJSON := KindCron, "null"
		if runAt != "" {
			kind = KindOnce
			b, _ := json.Marshal(runAt)
			runAtJSON = string(b)
		}
		ce, _ := json.Marshal(cronExpr)
		z, _ := json.Marshal(zone)
		body := `{"cluster":"prod-a","action":"collect","kind":"` + kind + `","cron":` + string(ce) + `,"timeZone":` + string(z) + `,"runAt":` + runAtJSON + `}`
		var spec Spec
		if err := json.Unmarshal([]byte(body), &spec); err != nil {
			return // a malformed runAt is a JSON decoding error: the API answers 400 for the body
		}
		s, err := spec.Validate(now, cl)
		if err != nil {
			if fe, ok := refusal.AsFieldError(err); !ok || fe.Field == "" {
				t.Fatalf("refusal without a field: %v", err)
			}
			return
		}
		s.UpdatedAt = now // as the store sets it
		next, ok := s.Next(time.Time{})
		if !ok || !next.After(now.Add(-time.Second)) {
			t.Fatalf("accepted %+v has no next run after now: %v %v", s, next, ok)
		}
	})
}

// FuzzCronNext: for any expression and zone the parser accepts, each next run is strictly later
// than the one before, and on the expression's minute.
func FuzzCronNext(f *testing.F) {
	f.Add("30 2 * * *", "America/New_York", int64(1772884800))
	f.Add("0 * * * *", "Europe/Berlin", int64(1792800000))
	f.Add("*/7 1-3 1,15 * 0", "Australia/Lord_Howe", int64(1700000000))
	f.Fuzz(func(t *testing.T, expr, zone string, unix int64) {
		loc, err := LoadZone(zone)
		if err != nil {
			return
		}
		spec, err := ParseCron(expr, loc)
		if err != nil {
			return
		}
		at := time.Unix(unix%(1<<33), 0).UTC()
		for range 5 {
			n := NextAfter(spec, at)
			if n.IsZero() {
				return
			}
			if !n.After(at) {
				t.Fatalf("%q in %s after %v gave %v", expr, zone, at, n)
			}
			at = n
		}
	})
}

// FuzzScheduleItem feeds arbitrary item kinds and names through validation: every refusal names
// a field, an accepted item has a canonical kind whose target reads back as the item, and no
// scale of a kind without replicas (DaemonSet) is ever accepted.
func FuzzScheduleItem(f *testing.F) {
	for _, c := range [][4]string{
		{"scale", "StatefulSet", "shop", "db"}, {"scale", "daemonset", "shop", "agent"}, {"restart", "DaemonSet", "kube-system", "agent"},
		{"restart", "", "shop", "api"}, {"restart", "CronJob", "shop", "x"}, {"scale", "StatefulSet", "shop", "a/b"}, {"restart", "Deployment", "", "api"},
	} {
		f.Add(c[0], c[1], c[2], c[3])
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cl := []settings.Cluster{{Name: "prod-a", TimeZone: "UTC", KubeAccess: settings.KubeAccessInCluster}}
	f.Fuzz(func(t *testing.T, action, kind, ns, name string) {
		it := Item{Namespace: ns, Kind: kind, Workload: name}
		if action == ActionScale {
			it.Replicas = new(int32)
		}
		s, err := Spec{Cluster: "prod-a", Action: action, Kind: KindCron, Cron: "0 1 * * *", Items: []Item{it}}.Validate(now, cl)
		if err != nil {
			if fe, ok := refusal.AsFieldError(err); !ok || fe.Field == "" {
				t.Fatalf("refusal without a field: %v", err)
			}
			return
		}
		got := s.Items[0]
		if back, err := workload.ParseTarget(got.Ref().Target()); err != nil || back != got.Ref() {
			t.Fatalf("accepted %+v, whose target %q reads back as %+v, %v", got, got.Ref().Target(), back, err)
		}
		if action == ActionScale && !workload.HasReplicas(got.Kind) {
			t.Fatalf("a scale of a %s was accepted", got.Kind)
		}
	})
}
