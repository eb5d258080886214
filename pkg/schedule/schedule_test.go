package schedule

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCronNextRunsAcrossDaylightSavingChanges(t *testing.T) {
	tests := []struct {
		name, expr, zone, after string
		want                    []string
	}{
		{
			name: "a daily 02:30 in New York fires at 03:00 on the day 02:30 does not exist",
			expr: "30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z",
			want: []string{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"},
		},
		{
			name: "a daily 01:30 in New York fires once on the day 01:30 happens twice",
			expr: "30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00Z",
			want: []string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		},
		{
			name: "an hourly job in New York fires in both 01:00 hours of the autumn change",
			expr: "0 * * * *", zone: "America/New_York", after: "2026-11-01T04:30:00Z",
			want: []string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"},
		},
		{
			name: "a daily 03:00 in New York fires once on the spring change (03:00 is the gap's end)",
			expr: "0 3 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z",
			want: []string{"2026-03-08T07:00:00Z", "2026-03-09T07:00:00Z"},
		},
		{
			name: "a daily 02:30 in Berlin fires at 03:00 CEST on the last Sunday of March",
			expr: "30 2 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
			want: []string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
		},
		{
			name: "a daily 02:30 in Berlin fires once on the last Sunday of October",
			expr: "30 2 * * *", zone: "Europe/Berlin", after: "2026-10-24T12:00:00Z",
			want: []string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		},
		{
			name: "a weekday 10:00 in Shanghai (no DST) keeps its UTC time",
			expr: "0 10 * * 1-5", zone: "Asia/Shanghai", after: "2026-03-06T12:00:00Z",
			want: []string{"2026-03-09T02:00:00Z", "2026-03-10T02:00:00Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextRuns(tt.expr, tt.zone, utc(tt.after), len(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, g := range got {
				s = append(s, g.UTC().Format(time.RFC3339))
			}
			if strings.Join(s, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("got %v, want %v", s, tt.want)
			}
		})
	}
}

var clusters = []settings.Cluster{
	{Name: "prod-a", TimeZone: "Asia/Shanghai", KubeAccess: settings.KubeAccessInCluster},
	{Name: "peaks-only", TimeZone: "UTC"},
}

func int32p(v int32) *int32 { return &v }

func TestSpecValidation(t *testing.T) {
	now := utc("2026-03-01T12:00:00Z")
	future := utc("2026-03-01T15:30:00Z")
	past := utc("2026-03-01T11:59:59Z")
	scale := []Item{{Namespace: "demo", Workload: "api", Replicas: int32p(4)}}
	tests := []struct {
		name      string
		spec      Spec
		wantField string
		check     func(t *testing.T, s Schedule)
	}{
		{name: "a once scale in the future is accepted with the cluster's zone and a name",
			spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future, Items: scale},
			check: func(t *testing.T, s Schedule) {
				if s.TimeZone != "Asia/Shanghai" || s.Name != "scale demo/api" || !s.Enabled || !s.RunAt.Equal(future) {
					t.Fatalf("%+v", s)
				}
			}},
		{name: "a past runAt is refused", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &past, Items: scale}, wantField: "runAt"},
		{name: "a once schedule needs runAt", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", Items: scale}, wantField: "runAt"},
		{name: "a cron schedule is accepted with its expression normalised",
			spec: Spec{Cluster: "prod-a", Action: "restart", Kind: "cron", Cron: " 0  3 * * * ", TimeZone: "Europe/Berlin", Items: []Item{{Namespace: "demo", Workload: "api"}}},
			check: func(t *testing.T, s Schedule) {
				if s.Cron != "0 3 * * *" || s.TimeZone != "Europe/Berlin" {
					t.Fatalf("%+v", s)
				}
			}},
		{name: "six fields are refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "0 0 3 * * *"}, wantField: "cron"},
		{name: "a descriptor is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "@daily"}, wantField: "cron"},
		{name: "a zone prefix is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "CRON_TZ=UTC 0 3 * * *"}, wantField: "cron"},
		{name: "an out-of-range minute is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "61 3 * * *"}, wantField: "cron"},
		{name: "a date that never comes is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "0 0 30 2 *"}, wantField: "cron"},
		{name: "an unknown zone is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "0 1 * * *", TimeZone: "Mars/Olympus"}, wantField: "timeZone"},
		{name: "the host's Local zone is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "0 1 * * *", TimeZone: "Local"}, wantField: "timeZone"},
		{name: "a restart on a cluster without Kubernetes access is refused", spec: Spec{Cluster: "peaks-only", Action: "restart", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Workload: "api"}}}, wantField: "cluster"},
		{name: "a collect on a cluster without Kubernetes access is accepted", spec: Spec{Cluster: "peaks-only", Action: "collect", Kind: "cron", Cron: "0 1 * * *"},
			check: func(t *testing.T, s Schedule) {}},
		{name: "an unknown cluster is refused", spec: Spec{Cluster: "prod-z", Action: "collect", Kind: "cron", Cron: "0 1 * * *"}, wantField: "cluster"},
		{name: "an unknown action is refused", spec: Spec{Cluster: "prod-a", Action: "delete", Kind: "cron", Cron: "0 1 * * *"}, wantField: "action"},
		{name: "an unknown kind is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "yearly"}, wantField: "kind"},
		{name: "a scale item needs replicas", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Workload: "api"}}}, wantField: "items[0].replicas"},
		{name: "negative replicas are refused", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Workload: "api", Replicas: int32p(-1)}}}, wantField: "items[0].replicas"},
		{name: "a bad namespace name is refused", spec: Spec{Cluster: "prod-a", Action: "restart", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "Demo_1", Workload: "api"}}}, wantField: "items[0].namespace"},
		{name: "a restart item with replicas is refused", spec: Spec{Cluster: "prod-a", Action: "restart", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Workload: "api", Replicas: int32p(2)}}}, wantField: "items[0].replicas"},
		{name: "a scale without items is refused", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future}, wantField: "items"},
		{name: "a collect with items is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "once", RunAt: &future, Items: scale}, wantField: "items"},
		{name: "a collect of 401 days is refused", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "once", RunAt: &future, Days: 401}, wantField: "days"},
		{name: "a collect defaults to one day", spec: Spec{Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "0 1 * * *"},
			check: func(t *testing.T, s Schedule) {
				if s.Days != 1 || s.Name != "collect prod-a" {
					t.Fatalf("%+v", s)
				}
			}},
		{name: "temporary is for scale only", spec: Spec{Cluster: "prod-a", Action: "restart", Kind: "once", RunAt: &future, Temporary: true, Items: []Item{{Namespace: "demo", Workload: "api"}}}, wantField: "temporary"},
		{name: "an interval over a minute is refused", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future, IntervalSeconds: 61, Items: scale}, wantField: "intervalSeconds"},
		{name: "a StatefulSet scale and a DaemonSet restart are accepted with their kinds made canonical and named by target",
			spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Kind: "statefulset", Workload: "db", Replicas: int32p(3)}, scale[0]}},
			check: func(t *testing.T, s Schedule) {
				if s.Items[0].Kind != "StatefulSet" || s.Items[1].Kind != "Deployment" || s.Name != "scale demo/StatefulSet/db and 1 more" {
					t.Fatalf("%+v", s)
				}
			}},
		{name: "a DaemonSet restart is accepted", spec: Spec{Cluster: "prod-a", Action: "restart", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Kind: "DaemonSet", Workload: "agent"}}},
			check: func(t *testing.T, s Schedule) {
				if s.Items[0].Kind != "DaemonSet" || s.Name != "restart demo/DaemonSet/agent" {
					t.Fatalf("%+v", s)
				}
			}},
		{name: "a DaemonSet scale is refused at create time", spec: Spec{Cluster: "prod-a", Action: "scale", Kind: "once", RunAt: &future, Items: []Item{scale[0], {Namespace: "demo", Kind: "DaemonSet", Workload: "agent", Replicas: int32p(2)}}}, wantField: "items[1].kind"},
		{name: "a resize of a DaemonSet is accepted", spec: Spec{Cluster: "prod-a", Action: "resize", Kind: "once", RunAt: &future, IntervalSeconds: 5, Items: []Item{{Namespace: "demo", Kind: "daemonset", Workload: "agent"}}},
			check: func(t *testing.T, s Schedule) {
				if s.Items[0].Kind != "DaemonSet" || s.Name != "resize demo/DaemonSet/agent" {
					t.Fatalf("%+v", s)
				}
			}},
		{name: "a resize item with replicas is refused", spec: Spec{Cluster: "prod-a", Action: "resize", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Workload: "api", Replicas: int32p(2)}}}, wantField: "items[0].replicas"},
		{name: "temporary is not for resize", spec: Spec{Cluster: "prod-a", Action: "resize", Kind: "once", RunAt: &future, Temporary: true, Items: []Item{{Namespace: "demo", Workload: "api"}}}, wantField: "temporary"},
		{name: "an unknown workload kind is refused", spec: Spec{Cluster: "prod-a", Action: "restart", Kind: "once", RunAt: &future, Items: []Item{{Namespace: "demo", Kind: "CronJob", Workload: "nightly"}}}, wantField: "items[0].kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.spec.Validate(now, clusters)
			if tt.wantField != "" {
				fe, ok := refusal.AsFieldError(err)
				if !ok || fe.Field != tt.wantField {
					t.Fatalf("got %v, want a field error on %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestNextOfASchedule(t *testing.T) {
	runAt := utc("2026-03-01T15:30:00Z")
	once := Schedule{Kind: KindOnce, RunAt: &runAt, Enabled: true}
	cron := Schedule{Kind: KindCron, Cron: "0 3 * * *", TimeZone: "UTC", Enabled: true, UpdatedAt: utc("2026-03-01T12:00:00Z")}
	tests := []struct {
		name   string
		s      Schedule
		last   time.Time
		want   string
		wantOK bool
	}{
		{"a once schedule that never ran fires at runAt", once, time.Time{}, "2026-03-01T15:30:00Z", true},
		{"a once schedule with a run recorded never fires again", once, runAt, "", false},
		{"a paused schedule does not fire", Schedule{Kind: KindOnce, RunAt: &runAt}, time.Time{}, "", false},
		{"a cron schedule fires after it was armed", cron, time.Time{}, "2026-03-02T03:00:00Z", true},
		{"a cron schedule fires after its last run", cron, utc("2026-03-05T03:00:00Z"), "2026-03-06T03:00:00Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.s.Next(tt.last)
			if ok != tt.wantOK || (ok && got.Format(time.RFC3339) != tt.want) {
				t.Fatalf("got %v %v", got, ok)
			}
		})
	}
}

func TestASpecAcceptsWhatAScheduleReadBackContains(t *testing.T) {
	s := Schedule{ID: "x", Cluster: "prod-a", Action: "collect", Kind: "cron", Cron: "0 1 * * *", Items: []Item{}, Enabled: true, Version: 3}
	b, _ := json.Marshal(s)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var spec Spec
	if err := dec.Decode(&spec); err != nil {
		t.Fatalf("a Schedule sent back must decode as a Spec: %v", err)
	}
}
