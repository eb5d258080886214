// Package schedule runs scale, restart, resize and collect actions once at a time or on a cron in an
// IANA time zone. Schedules and every run (with its status, error and per-item results) are
// persisted in the store, so they survive a backend restart; a run the backend was not up for is
// recorded as missed, never replayed late; a once-schedule fires at most once. Where several
// backends share a store, a Kubernetes Lease per cluster picks the one that runs its schedules.
package schedule

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the host has none (minimal Grafana images)

	"github.com/robfig/cron/v3"

	"github.com/kubedoor/kubedoor-grafana/pkg/actions"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Actions a schedule runs.
const (
	ActionScale   = "scale"
	ActionRestart = "restart"
	// ActionResize applies each workload's control-table row to its running pods in place
	// (pkg/resize); intervalSeconds is the pause between pods.
	ActionResize  = "resize"
	ActionCollect = "collect"
)

// Kinds of schedule.
const (
	KindOnce = "once"
	KindCron = "cron"
)

// Run statuses.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusMissed    = "missed"
)

// Limits.
const (
	MaxNameLen     = 200
	MaxCollectDays = 400
)

// Item is one workload of a scale or restart schedule; Replicas is for scale only. Kind is a
// workload.Kinds name, "" (items written before kinds existed) being a Deployment; a validated
// or stored item has the canonical name.
type Item struct {
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Replicas  *int32 `json:"replicas,omitempty"`
}

// Ref is the item's workload identity; its Target is what the schedules.targets column holds.
func (it Item) Ref() workload.Ref {
	return workload.Ref{Namespace: it.Namespace, Kind: it.Kind, Name: it.Workload}
}

// Schedule is a schedule as the API shows it (docs/api.md).
type Schedule struct {
	ID              string     `json:"id"`
	Cluster         string     `json:"cluster"`
	Name            string     `json:"name"`
	Action          string     `json:"action"`
	Kind            string     `json:"kind"`
	RunAt           *time.Time `json:"runAt"`
	Cron            string     `json:"cron"`
	TimeZone        string     `json:"timeZone"`
	Items           []Item     `json:"items"`
	Temporary       bool       `json:"temporary"`
	IntervalSeconds int        `json:"intervalSeconds"`
	Days            int        `json:"days,omitempty"` // collect: how many days back (default 1)
	Enabled         bool       `json:"enabled"`
	NextRunAt       *time.Time `json:"nextRunAt"`
	Version         uint64     `json:"version"`
	CreatedBy       string     `json:"createdBy"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedBy       string     `json:"updatedBy"`
	UpdatedAt       time.Time  `json:"updatedAt"`
}

// Spec is the writable part of a Schedule: the body of POST and PUT. The read-only fields of a
// Schedule are accepted and ignored, so a client may send back what it read.
type Spec struct {
	Cluster         string     `json:"cluster"`
	Name            string     `json:"name"`
	Action          string     `json:"action"`
	Kind            string     `json:"kind"`
	RunAt           *time.Time `json:"runAt"`
	Cron            string     `json:"cron"`
	TimeZone        string     `json:"timeZone"`
	Items           []Item     `json:"items"`
	Temporary       bool       `json:"temporary"`
	IntervalSeconds int        `json:"intervalSeconds"`
	Days            int        `json:"days"`
	Enabled         *bool      `json:"enabled"` // default true
	ExpectedVersion *uint64    `json:"expectedVersion,omitempty"`

	// Read-only, ignored.
	ID        string     `json:"id,omitempty"`
	Version   uint64     `json:"version,omitempty"`
	NextRunAt *time.Time `json:"nextRunAt,omitempty"`
	CreatedBy string     `json:"createdBy,omitempty"`
	CreatedAt *time.Time `json:"createdAt,omitempty"`
	UpdatedBy string     `json:"updatedBy,omitempty"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// Run is one firing of a schedule (docs/api.md).
type Run struct {
	ID           string           `json:"id"`
	ScheduleID   string           `json:"scheduleId"`
	Cluster      string           `json:"-"`
	ScheduledFor time.Time        `json:"scheduledFor"`
	StartedAt    time.Time        `json:"startedAt"`
	FinishedAt   *time.Time       `json:"finishedAt"`
	Status       string           `json:"status"`
	Error        string           `json:"error"`
	Results      []actions.Result `json:"results"`
	Runner       string           `json:"-"`
}

// cronParser reads exactly five fields (minute hour day-of-month month day-of-week). Descriptors
// (@daily, @every 1h) are refused: one notation is easier to read in a list, and @every is not
// tied to the wall clock the time zone is for. A TZ= prefix is refused too: the zone is its own
// field.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// ParseCron parses a 5-field expression for the zone.
func ParseCron(expr string, loc *time.Location) (*cron.SpecSchedule, error) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "@") {
		return nil, fmt.Errorf("descriptors such as %q are not accepted; write the 5 fields (e.g. \"0 0 * * *\" for @daily)", strings.Fields(expr)[0])
	}
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, fmt.Errorf("put the time zone in timeZone, not in the expression")
	}
	if n := len(strings.Fields(expr)); n != 5 {
		return nil, fmt.Errorf("want 5 fields (minute hour day-of-month month day-of-week), got %d", n)
	}
	s, err := cronParser.Parse(expr)
	if err != nil {
		return nil, err
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok { // cannot happen without descriptors; keep the type assertion honest
		return nil, fmt.Errorf("unsupported expression")
	}
	spec.Location = loc
	return spec, nil
}

// LoadZone resolves an IANA zone name; "Local" is refused because it means whatever the
// backend's host is set to.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("must be an IANA time zone such as Europe/Berlin or UTC")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown IANA time zone %q", name)
	}
	return loc, nil
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

func fieldErr(field, format string, args ...any) *refusal.FieldError {
	return &refusal.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks spec against the clusters in force at now, fills defaults (time zone from the
// cluster, name, days) and returns the schedule it describes. A past runAt, a bad cron or zone
// are *refusal.FieldError naming the field.
func (spec Spec) Validate(now time.Time, clusters []settings.Cluster) (Schedule, error) {
	var cl *settings.Cluster
	for i := range clusters {
		if clusters[i].Name == spec.Cluster {
			cl = &clusters[i]
		}
	}
	if spec.Cluster == "" {
		return Schedule{}, fieldErr("cluster", "required")
	}
	if cl == nil {
		return Schedule{}, fieldErr("cluster", "no cluster named %q", spec.Cluster)
	}
	s := Schedule{
		Cluster: spec.Cluster, Name: strings.TrimSpace(spec.Name), Action: spec.Action, Kind: spec.Kind,
		TimeZone: spec.TimeZone, Temporary: spec.Temporary, IntervalSeconds: spec.IntervalSeconds, Days: spec.Days,
		Enabled: spec.Enabled == nil || *spec.Enabled, Items: spec.Items,
	}
	if s.TimeZone == "" {
		s.TimeZone = cl.TimeZone
	}
	loc, err := LoadZone(s.TimeZone)
	if err != nil {
		return Schedule{}, fieldErr("timeZone", "%v", err)
	}
	switch s.Kind {
	case KindOnce:
		if spec.RunAt == nil {
			return Schedule{}, fieldErr("runAt", "required for a once schedule (RFC 3339, e.g. 2026-03-01T23:30:00+08:00)")
		}
		if strings.TrimSpace(spec.Cron) != "" {
			return Schedule{}, fieldErr("cron", "must be empty for a once schedule")
		}
		at := spec.RunAt.UTC().Truncate(time.Second)
		if !at.After(now) {
			return Schedule{}, fieldErr("runAt", "%s is not in the future (now %s)", at.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		s.RunAt = &at
	case KindCron:
		if spec.RunAt != nil {
			return Schedule{}, fieldErr("runAt", "must be null for a cron schedule")
		}
		sp, err := ParseCron(spec.Cron, loc)
		if err != nil {
			return Schedule{}, fieldErr("cron", "%v", err)
		}
		if NextAfter(sp, now).IsZero() {
			return Schedule{}, fieldErr("cron", "%q never fires (no matching date within five years)", spec.Cron)
		}
		s.Cron = strings.Join(strings.Fields(spec.Cron), " ")
	default:
		return Schedule{}, fieldErr("kind", "must be %q or %q", KindOnce, KindCron)
	}
	if err := s.validateAction(); err != nil {
		return Schedule{}, err
	}
	if s.NeedsKube() && cl.KubeAccess == "" {
		return Schedule{}, fieldErr("cluster", "%q has no Kubernetes access configured: only collect schedules can run there", s.Cluster)
	}
	if s.Name == "" {
		s.Name = s.defaultName()
	}
	if len(s.Name) > MaxNameLen {
		return Schedule{}, fieldErr("name", "at most %d characters", MaxNameLen)
	}
	return s, nil
}

func (s *Schedule) validateAction() error {
	if s.IntervalSeconds < 0 || time.Duration(s.IntervalSeconds)*time.Second > actions.MaxInterval {
		return fieldErr("intervalSeconds", "must be 0 to %d", int(actions.MaxInterval/time.Second))
	}
	switch s.Action {
	case ActionCollect:
		if len(s.Items) > 0 {
			return fieldErr("items", "a collect schedule takes no items: it collects the whole cluster")
		}
		if s.Temporary {
			return fieldErr("temporary", "only for scale")
		}
		if s.Days == 0 {
			s.Days = 1
		}
		if s.Days < 1 || s.Days > MaxCollectDays {
			return fieldErr("days", "must be 1 to %d", MaxCollectDays)
		}
		s.Items = []Item{}
		return nil
	case ActionScale, ActionRestart, ActionResize:
	default:
		return fieldErr("action", "must be %q, %q, %q or %q", ActionScale, ActionRestart, ActionResize, ActionCollect)
	}
	if s.Days != 0 {
		return fieldErr("days", "only for collect")
	}
	if s.Temporary && s.Action != ActionScale {
		return fieldErr("temporary", "only for scale")
	}
	if len(s.Items) == 0 || len(s.Items) > actions.MaxItems {
		return fieldErr("items", "need 1 to %d workloads", actions.MaxItems)
	}
	// A copy: the kinds are normalised below, and the caller's spec stays as it was sent.
	s.Items = append([]Item(nil), s.Items...)
	for i, it := range s.Items {
		p := fmt.Sprintf("items[%d]", i)
		if len(it.Namespace) > 63 || !dnsLabel.MatchString(it.Namespace) {
			return fieldErr(p+".namespace", "must be a Kubernetes namespace name")
		}
		if len(it.Workload) > 253 || !dnsSubdomain.MatchString(it.Workload) {
			return fieldErr(p+".workload", "must be a Kubernetes workload name")
		}
		kind, err := workload.ParseKind(it.Kind)
		if err != nil {
			return fieldErr(p+".kind", "%v", err)
		}
		s.Items[i].Kind = kind
		// The stored target must read back as this workload (schedules.targets).
		if t := s.Items[i].Ref().Target(); !readsBack(t, s.Items[i].Ref()) {
			return fieldErr(p, "does not name one workload (target %q)", t)
		}
		switch {
		case s.Action == ActionScale && !workload.HasReplicas(kind):
			return fieldErr(p+".kind", "%s", actions.NoReplicasReason)
		case s.Action == ActionScale && it.Replicas == nil:
			return fieldErr(p+".replicas", "required for scale")
		case s.Action == ActionScale && (*it.Replicas < 0 || *it.Replicas > actions.MaxReplicas):
			return fieldErr(p+".replicas", "must be 0 to %d", actions.MaxReplicas)
		case s.Action == ActionRestart && it.Replicas != nil:
			return fieldErr(p+".replicas", "not used by restart; leave it out")
		case s.Action == ActionResize && it.Replicas != nil:
			return fieldErr(p+".replicas", "not used by resize (it applies the control table's requests and limits); leave it out")
		}
	}
	return nil
}

func readsBack(target string, want workload.Ref) bool {
	got, err := workload.ParseTarget(target)
	return err == nil && got == want
}

func (s Schedule) defaultName() string {
	if s.Action == ActionCollect {
		return "collect " + s.Cluster
	}
	n := s.Action + " " + s.Items[0].Ref().Target()
	if len(s.Items) > 1 {
		n += fmt.Sprintf(" and %d more", len(s.Items)-1)
	}
	return n
}

// Next is when s fires next after its last recorded occurrence (zero: never ran) and its arming
// time (creation, last edit or resume; occurrences before it are not owed), or ok=false when it
// never fires again (paused, a once schedule that ran). The result may be in the past: the
// runner then runs it, or records it missed.
func (s Schedule) Next(last time.Time) (time.Time, bool) {
	if !s.Enabled {
		return time.Time{}, false
	}
	switch s.Kind {
	case KindOnce:
		// Fires at most once per runAt: any recorded run (ran, failed or missed) at or after it
		// ends it. Only an edit with a new, future runAt arms it again.
		if s.RunAt == nil || !last.Before(*s.RunAt) {
			return time.Time{}, false
		}
		return *s.RunAt, true
	case KindCron:
		loc, err := LoadZone(s.TimeZone)
		if err != nil {
			return time.Time{}, false
		}
		spec, err := ParseCron(s.Cron, loc)
		if err != nil {
			return time.Time{}, false
		}
		from := s.UpdatedAt
		if last.After(from) {
			from = last
		}
		n := NextAfter(spec, from)
		if n.IsZero() {
			return time.Time{}, false
		}
		return n.UTC(), true
	}
	return time.Time{}, false
}

// NextRuns lists the next n firing times of a cron expression in a zone after t (for tests and
// previews).
func NextRuns(expr, zone string, after time.Time, n int) ([]time.Time, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return nil, err
	}
	spec, err := ParseCron(expr, loc)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for t := after; len(out) < n; {
		t = NextAfter(spec, t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out, nil
}
