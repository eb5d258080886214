// Package clustersettings holds each cluster's peak-pipeline settings (peak window and its
// overrides, quantile, derivation knobs, daily collection): typed, with defaults and validation
// naming the offending field, stored as versioned rows in the store's settings table under the
// key "cluster/<name>" with optimistic concurrency.
package clustersettings

import (
	"fmt"
	"regexp"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Derivation modes (docs/design.md §6).
const (
	ModePerWorkload = "per-workload"
	ModeKubeDoor    = "kubedoor"
)

// ClusterSettings is one cluster's settings, as docs/api.md describes them.
type ClusterSettings struct {
	Cluster    string     `json:"cluster"`
	TimeZone   string     `json:"timeZone"` // read-only: from the cluster connection
	PeakWindow Window     `json:"peakWindow"`
	Overrides  []Override `json:"overrides"`

	Quantile       float64 `json:"quantile"`
	Days           int     `json:"days"`
	Mode           string  `json:"mode"`
	Headroom       float64 `json:"headroom"`
	CPUFloorMillis int64   `json:"cpuFloorMillis"`
	MemFloorMiB    int64   `json:"memFloorMiB"`
	OOMBump        bool    `json:"oomBump"`
	// MinReplicas is the fewest replicas the derivation observes for a workload (default 1):
	// a Deployment whose spec was at 0 for its whole peak window is the one exception.
	MinReplicas   int32   `json:"minReplicas"`
	RetentionDays int     `json:"retentionDays"`
	Collect       Collect `json:"collect"`
	// Recommend sizes replicas from utilisation; see Recommend.
	Recommend Recommend `json:"recommend"`
	// Prices put a price on requests for the savings answers; see Prices.
	Prices Prices `json:"prices"`

	Version   uint64    `json:"version"`
	UpdatedBy string    `json:"updatedBy"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Window is a peak window as "HH:MM" ends; End at or before Start crosses midnight.
type Window struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Override gives a namespace (Workload "") or one workload its own peak window.
type Override struct {
	Namespace string `json:"namespace"`
	// Kind is a workload override's kind (pkg/workload; any case): a StatefulSet and a
	// Deployment of one name are two workloads. Empty is Deployment, as every override saved
	// before kinds existed; a namespace override has none.
	Kind       string `json:"kind,omitempty"`
	Workload   string `json:"workload"`
	PeakWindow Window `json:"peakWindow"`
}

// Collect is the daily collection and how hard it may press on Prometheus.
type Collect struct {
	Enabled             bool   `json:"enabled"`
	At                  string `json:"at"`                  // "HH:MM" in the cluster's zone
	Concurrency         int    `json:"concurrency"`         // queries in flight, 1..16
	QueryTimeoutSeconds int    `json:"queryTimeoutSeconds"` // per query, 5..600
	// MinFoundRatio guards stored history: a re-collected day replaces its stored rows only
	// when it found at least this share of the workloads stored for it (0..1); a smaller
	// answer (a wrong cluster label, data Prometheus no longer holds) keeps the stored day.
	MinFoundRatio float64 `json:"minFoundRatio"`
}

// Recommend tunes the recommended replicas: the pods needed for each pod to run its peak at
// Target × its request (CPU and memory; the larger answer wins), between the cluster's
// minReplicas and MaxReplicas, cut by at most MaxStepDown of the pods at the peak per
// derivation. Enabled lets the recommendation take part in the enforced replicas; off (the
// default), it is computed and shown only.
type Recommend struct {
	Enabled     bool    `json:"enabled"`
	CPUTarget   float64 `json:"cpuTarget"`   // (0, 1]
	MemTarget   float64 `json:"memTarget"`   // (0, 1]
	MaxReplicas int32   `json:"maxReplicas"` // minReplicas..control.MaxReplicas
	// MaxStepDown is the largest cut per derivation as a share of the pods at the peak, in
	// [0, 1): 0 allows no cut (only raises), 0.5 at most half. It always allows cutting at
	// least one pod when it is above 0, so a small workload is not stuck.
	MaxStepDown float64             `json:"maxStepDown"`
	Overrides   []RecommendOverride `json:"overrides"`
}

// RecommendOverride gives a namespace (Workload "") or one workload its own targets.
type RecommendOverride struct {
	Namespace string `json:"namespace"`
	// Kind is as Override's: empty is Deployment; a namespace override has none.
	Kind      string  `json:"kind,omitempty"`
	Workload  string  `json:"workload"`
	CPUTarget float64 `json:"cpuTarget"`
	MemTarget float64 `json:"memTarget"`
}

// DefaultRecommend is the recommend block of settings that never had one.
func DefaultRecommend() Recommend {
	return Recommend{CPUTarget: 0.7, MemTarget: 0.8, MaxReplicas: 1000, MaxStepDown: 0.5, Overrides: []RecommendOverride{}}
}

// Defaults are the settings of a cluster that never saved any (version 0).
func Defaults(cluster, timeZone string) ClusterSettings {
	if timeZone == "" {
		timeZone = "UTC"
	}
	return ClusterSettings{
		Cluster: cluster, TimeZone: timeZone,
		PeakWindow: Window{Start: "10:00", End: "11:30"},
		Overrides:  []Override{},
		Quantile:   0.95, Days: 10, Mode: ModePerWorkload, Headroom: 0,
		CPUFloorMillis: 10, MemFloorMiB: 1, OOMBump: true, MinReplicas: 1, RetentionDays: 400,
		Collect:   Collect{Enabled: true, At: "01:00", Concurrency: 4, QueryTimeoutSeconds: 120, MinFoundRatio: 0.5},
		Recommend: DefaultRecommend(),
		Prices:    DefaultPrices(),
	}
}

var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
)

func fieldErr(field, format string, args ...any) error {
	return &refusal.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate returns the first problem as a *refusal.FieldError naming the JSON path.
func (s ClusterSettings) Validate() error {
	if _, err := s.PeakWindow.parse("peakWindow"); err != nil {
		return err
	}
	seen := map[workload.Ref]bool{}
	for i, o := range s.Overrides {
		p := fmt.Sprintf("overrides[%d]", i)
		if !dnsLabel.MatchString(o.Namespace) {
			return fieldErr(p+".namespace", "must be a namespace name (lower-case letters, digits, '-')")
		}
		if o.Workload != "" && !dnsSubdomain.MatchString(o.Workload) {
			return fieldErr(p+".workload", "must be a workload name (lower-case letters, digits, '-', '.') or empty for the whole namespace")
		}
		k, err := overrideRef(p, o.Namespace, o.Kind, o.Workload)
		if err != nil {
			return err
		}
		if seen[k] {
			return fieldErr(p, "duplicate override for %s", overrideName(k))
		}
		seen[k] = true
		if _, err := o.PeakWindow.parse(p + ".peakWindow"); err != nil {
			return err
		}
	}
	switch {
	case !(s.Quantile >= 0.5 && s.Quantile <= 0.999):
		return fieldErr("quantile", "must be from 0.5 to 0.999")
	case s.Days < 1 || s.Days > 90:
		return fieldErr("days", "must be from 1 to 90")
	case s.Mode != ModePerWorkload && s.Mode != ModeKubeDoor:
		return fieldErr("mode", "must be %q or %q", ModePerWorkload, ModeKubeDoor)
	case !(s.Headroom >= 0 && s.Headroom <= 10):
		return fieldErr("headroom", "must be from 0 to 10 (requests = P × (1 + headroom))")
	case s.CPUFloorMillis < 0 || s.CPUFloorMillis > 1_000_000:
		return fieldErr("cpuFloorMillis", "must be from 0 to 1000000")
	case s.MemFloorMiB < 0 || s.MemFloorMiB > 1_048_576:
		return fieldErr("memFloorMiB", "must be from 0 to 1048576")
	case s.MinReplicas < 0 || s.MinReplicas > control.MaxReplicas:
		return fieldErr("minReplicas", "must be from 0 to %d", control.MaxReplicas)
	case s.RetentionDays < 30 || s.RetentionDays > 3650:
		return fieldErr("retentionDays", "must be from 30 to 3650")
	}
	if _, err := peakwindow.ParseClock(s.Collect.At); err != nil {
		return fieldErr("collect.at", "must be HH:MM (24-hour) in the cluster's time zone")
	}
	if s.Collect.Concurrency < 1 || s.Collect.Concurrency > 16 {
		return fieldErr("collect.concurrency", "must be from 1 to 16")
	}
	if s.Collect.QueryTimeoutSeconds < 5 || s.Collect.QueryTimeoutSeconds > 600 {
		return fieldErr("collect.queryTimeoutSeconds", "must be from 5 to 600")
	}
	if !(s.Collect.MinFoundRatio >= 0 && s.Collect.MinFoundRatio <= 1) {
		return fieldErr("collect.minFoundRatio", "must be from 0 to 1 (the share of a day's stored workloads a re-collection must find to replace it)")
	}
	if err := s.Recommend.validate(s.MinReplicas); err != nil {
		return err
	}
	return s.Prices.validate()
}

func validTarget(v float64) bool { return v > 0 && v <= 1 } // also refuses NaN

func (r Recommend) validate(minReplicas int32) error {
	switch {
	case !validTarget(r.CPUTarget):
		return fieldErr("recommend.cpuTarget", "must be above 0 and at most 1 (the share of its CPU request each pod may use at the peak)")
	case !validTarget(r.MemTarget):
		return fieldErr("recommend.memTarget", "must be above 0 and at most 1 (the share of its memory request each pod may use at the peak)")
	case r.MaxReplicas < minReplicas || r.MaxReplicas > control.MaxReplicas:
		return fieldErr("recommend.maxReplicas", "must be from minReplicas (%d) to %d", minReplicas, control.MaxReplicas)
	case !(r.MaxStepDown >= 0 && r.MaxStepDown < 1):
		return fieldErr("recommend.maxStepDown", "must be from 0 (never cut) up to but not including 1 (the largest cut per derivation, as a share of the pods at the peak)")
	}
	seen := map[workload.Ref]bool{}
	for i, o := range r.Overrides {
		p := fmt.Sprintf("recommend.overrides[%d]", i)
		k, err := overrideRef(p, o.Namespace, o.Kind, o.Workload)
		switch {
		case !dnsLabel.MatchString(o.Namespace):
			return fieldErr(p+".namespace", "must be a namespace name (lower-case letters, digits, '-')")
		case o.Workload != "" && !dnsSubdomain.MatchString(o.Workload):
			return fieldErr(p+".workload", "must be a workload name (lower-case letters, digits, '-', '.') or empty for the whole namespace")
		case err != nil:
			return err
		case seen[k]:
			return fieldErr(p, "duplicate override for %s", overrideName(k))
		case !validTarget(o.CPUTarget):
			return fieldErr(p+".cpuTarget", "must be above 0 and at most 1")
		case !validTarget(o.MemTarget):
			return fieldErr(p+".memTarget", "must be above 0 and at most 1")
		}
		seen[k] = true
	}
	return nil
}

// overrideRef is what an override at path p applies to: a namespace (Kind and Name "") or one
// workload of a kind (empty: Deployment).
func overrideRef(p, namespace, kind, name string) (workload.Ref, error) {
	if name == "" {
		if kind != "" {
			return workload.Ref{}, fieldErr(p+".kind", "applies to one workload only: leave it empty for the whole namespace")
		}
		return workload.Ref{Namespace: namespace}, nil
	}
	k, err := workload.ParseKind(kind)
	if err != nil {
		return workload.Ref{}, fieldErr(p+".kind", "%v", err)
	}
	return workload.Ref{Namespace: namespace, Kind: k, Name: name}, nil
}

func overrideName(r workload.Ref) string {
	if r.Name == "" {
		return "namespace " + r.Namespace
	}
	return r.Target()
}

// matches says whether a workload override is for kind/name ("" kind on either side is
// Deployment).
func matches(overrideKind, overrideName, kind, name string) bool {
	return overrideName == name && workload.Kind(overrideKind) == workload.Kind(kind)
}

func (w Window) parse(path string) (peakwindow.Window, error) {
	s, err := peakwindow.ParseClock(w.Start)
	if err != nil {
		return peakwindow.Window{}, fieldErr(path+".start", "must be HH:MM (24-hour), got %q", w.Start)
	}
	e, err := peakwindow.ParseClock(w.End)
	if err != nil {
		return peakwindow.Window{}, fieldErr(path+".end", "must be HH:MM (24-hour), got %q", w.End)
	}
	return peakwindow.Window{Start: s, End: e}, nil
}

// Location loads the cluster's zone.
func (s ClusterSettings) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: time zone %q: %w", s.Cluster, s.TimeZone, err)
	}
	return loc, nil
}

// DefaultWindow is the cluster-wide peak window. Settings are validated before use, so a
// malformed one here is a programming error reported as such.
func (s ClusterSettings) DefaultWindow() (peakwindow.Window, error) {
	return s.PeakWindow.parse("peakWindow")
}

// WindowFor is the peak window of one workload (kind "" is Deployment): its own override (of
// its kind), else its namespace's, else the cluster's.
func (s ClusterSettings) WindowFor(namespace, kind, name string) (peakwindow.Window, error) {
	w, _, path := s.windowSetting(namespace, kind, name)
	return w.parse(path)
}

// Where a workload's peak window is set (PeakWindows.SetOn).
const (
	SetOnCluster   = "cluster"
	SetOnNamespace = "namespace"
	SetOnWorkload  = "workload"
)

// windowSetting is WindowFor's window as written, where it is set and its JSON path.
func (s ClusterSettings) windowSetting(namespace, kind, name string) (Window, string, string) {
	ns := -1
	for i, o := range s.Overrides {
		if o.Namespace != namespace {
			continue
		}
		if name != "" && matches(o.Kind, o.Workload, kind, name) {
			return o.PeakWindow, SetOnWorkload, fmt.Sprintf("overrides[%d].peakWindow", i)
		}
		if o.Workload == "" {
			ns = i
		}
	}
	if ns >= 0 {
		return s.Overrides[ns].PeakWindow, SetOnNamespace, fmt.Sprintf("overrides[%d].peakWindow", ns)
	}
	return s.PeakWindow, SetOnCluster, "peakWindow"
}

// Windows lists every distinct window in use (the default first).
func (s ClusterSettings) Windows() ([]peakwindow.Window, error) {
	def, err := s.DefaultWindow()
	if err != nil {
		return nil, err
	}
	out := []peakwindow.Window{def}
	for i, o := range s.Overrides {
		w, err := o.PeakWindow.parse(fmt.Sprintf("overrides[%d].peakWindow", i))
		if err != nil {
			return nil, err
		}
		dup := false
		for _, x := range out {
			dup = dup || x == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out, nil
}
