// Package control is the control table: per (cluster, namespace, workload) the replicas and the
// per-container CPU/memory requests and limits the webhook enforces, kept in the store's
// control_rows as versioned rows. A change never updates a row in place: it inserts the row
// again with version + 1, so the versions are the row's history and the current state is the
// highest version (a version with deleted = 1 means "removed from control").
//
// Writers use optimistic concurrency: every change names the version it was based on and is
// refused with a *refusal.Conflict (HTTP 409) when the row has moved on. See Table.Put for how
// far ClickHouse lets that be race-safe.
package control

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Unset is the value of a replicas or resource field that is not set: the webhook keeps what
// the Deployment sent.
const Unset = -1

// Sources of a value.
const (
	SourceCollected = "collected" // derived from peak data; the next derivation may change it
	SourceManual    = "manual"    // typed by a person; derivation never changes it
)

// Replica sources: which field replicas.effective comes from.
const (
	ReplicasManual      = "manual"
	ReplicasRecommended = "recommended"
	ReplicasObserved    = "observed"
	ReplicasNone        = "none" // nothing set: the webhook keeps what the Deployment sends
)

// ReasonNoHistory is replicas.recommendedReason of a row no derivation has recommended for yet
// (added by hand, or written before recommendations existed).
const ReasonNoHistory = "no recommendation yet: no stored peak history has been derived for this workload"

// ReasonNoReplicas is replicas.recommendedReason of a DaemonSet's row (never shown: its
// replicas are left out of the API).
const ReasonNoReplicas = "a DaemonSet has no replicas: it runs one pod per eligible node"

// What replicas.recommended is for (Replicas.RecommendedFor).
const (
	RecommendedForNone     = ""               // no recommendation; RecommendedReason says why
	RecommendedForReplicas = "replicas"       // the workload's replicas
	RecommendedForHPAMin   = "hpaMinReplicas" // an HPA owns the replicas: the value is advice for its minReplicas
)

// Where replicas.observed came from (Replicas.ObservedFrom); "" on rows derived before it was
// recorded.
const (
	ObservedDesired     = "desired"      // the most replicas the Deployment's spec asked for in the peak window
	ObservedReadyMedian = "ready-median" // no spec series: the median of its Running+Ready pods
	ObservedReadyMax    = "ready-max"    // a peak sample collected before either was stored: the most Ready pods
	ObservedFloor       = "floor"        // raised to the cluster's minReplicas (the row's notes say from what)
)

// UpdatedByCollector is who the derivation writes versions as.
const UpdatedByCollector = "collector"

// Key names one row of the table. Kind "" reads as Deployment (see Canonical).
type Key struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
}

func (k Key) String() string { return k.Cluster + "/" + k.Target() }

// Canonical is k with its kind spelled as the store spells it, so keys compare equal however
// the kind was given.
func (k Key) Canonical() Key {
	k.Kind = workload.Kind(k.Kind)
	return k
}

// Ref is the workload k names, without the cluster.
func (k Key) Ref() workload.Ref {
	return workload.Ref{Namespace: k.Namespace, Kind: workload.Kind(k.Kind), Name: k.Workload}
}

// Target is the audit target of k: namespace/name for a Deployment, namespace/Kind/name otherwise.
func (k Key) Target() string { return k.Ref().Target() }

// AuditID is the ID of the one audit entry of version of k's row.
func (k Key) AuditID(version uint64) uuid.UUID {
	return audit.ControlVersionID(k.Cluster, k.Namespace, k.Ref().QualifiedName(), version)
}

// Row is one version of a control-table row, in the API's shape (docs/api.md "Control table").
type Row struct {
	Cluster    string      `json:"cluster"`
	Namespace  string      `json:"namespace"`
	Kind       string      `json:"kind"`
	Workload   string      `json:"workload"`
	Version    uint64      `json:"version"`
	Replicas   Replicas    `json:"replicas"`
	Containers []Container `json:"containers"`
	// PeakDay is the day (YYYY-MM-DD, cluster time zone) the collected values were taken
	// from, "" for a row no derivation has touched yet.
	PeakDay   string    `json:"peakDay"`
	Notes     []string  `json:"notes"`
	UpdatedBy string    `json:"updatedBy"`
	UpdatedAt time.Time `json:"updatedAt"`
	Deleted   bool      `json:"deleted"`

	writeID string // tie-break between racing writers of one version; see Table.Put
	owed    Owed   // the audit entry this version owes (zero: none); see ReconcileAudit
}

// Replicas are the row's replica counts; -1 = unset, 0 is a real value.
type Replicas struct {
	Manual      int32 `json:"manual"`
	Recommended int32 `json:"recommended"`
	// RecommendedFor says what Recommended sizes (RecommendedFor* constants); RecommendedReason
	// explains it, or why there is none, in one sentence.
	RecommendedFor    string `json:"recommendedFor"`
	RecommendedReason string `json:"recommendedReason"`
	// RecommendedActive is set by the derivation: the cluster's recommend switch is on and
	// the recommendation is for the replicas. Only then does Recommended take part in Effective,
	// so turning the feature on or off is applied by the next derivation, never by a reader.
	RecommendedActive bool  `json:"recommendedActive"`
	Observed          int32 `json:"observed"`
	// ObservedFrom says which statistic Observed is (Observed* constants).
	ObservedFrom string `json:"observedFrom"`
	// Effective and Source are computed: manual if ≥ 0, else recommended if ≥ 0 and active,
	// else observed.
	Effective int32  `json:"effective"`
	Source    string `json:"source"`
}

// Container is one container's requests and limits (millicores, MiB; -1 = unset).
type Container struct {
	Name             string  `json:"name"`
	CPURequestMillis int64   `json:"cpuRequestMillis"`
	CPULimitMillis   int64   `json:"cpuLimitMillis"`
	MemRequestMiB    int64   `json:"memRequestMiB"`
	MemLimitMiB      int64   `json:"memLimitMiB"`
	Sources          Sources `json:"sources"`
}

// Sources say, per field, whether a person or the derivation set it.
type Sources struct {
	CPURequest string `json:"cpuRequest"`
	CPULimit   string `json:"cpuLimit"`
	MemRequest string `json:"memRequest"`
	MemLimit   string `json:"memLimit"`
}

// Key returns the row's identity.
func (r Row) Key() Key { return Key{r.Cluster, r.Namespace, workload.Kind(r.Kind), r.Workload} }

// MarshalJSON leaves a DaemonSet's replicas out: it has none to control (docs/api.md).
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row // without this method
	if workload.HasReplicas(r.Kind) {
		return json.Marshal(plain(r))
	}
	return json.Marshal(struct {
		plain
		Replicas *Replicas `json:"replicas,omitempty"` // shadows plain's
	}{plain: plain(r)})
}

// NewContainer is a container with every value unset and every source "collected", ready for
// the derivation to fill.
func NewContainer(name string) Container {
	return Container{
		Name: name, CPURequestMillis: Unset, CPULimitMillis: Unset, MemRequestMiB: Unset, MemLimitMiB: Unset,
		Sources: Sources{SourceCollected, SourceCollected, SourceCollected, SourceCollected},
	}
}

// Resolve fills Replicas.Effective and Source from the three counts.
func (r *Replicas) Resolve() {
	switch {
	case r.Manual >= 0:
		r.Effective, r.Source = r.Manual, ReplicasManual
	case r.UsesRecommended():
		r.Effective, r.Source = r.Recommended, ReplicasRecommended
	case r.Observed >= 0:
		r.Effective, r.Source = r.Observed, ReplicasObserved
	default:
		r.Effective, r.Source = Unset, ReplicasNone
	}
}

// UsesRecommended reports whether Recommended takes part in Effective: it is set, active and
// for the replicas (an HPA's minReplicas advice never is).
func (r Replicas) UsesRecommended() bool {
	return r.Recommended >= 0 && r.RecommendedActive && r.RecommendedFor == RecommendedForReplicas
}

// Clone returns a deep copy (containers and notes are not shared).
func (r Row) Clone() Row {
	r.Containers = slices.Clone(r.Containers)
	r.Notes = slices.Clone(r.Notes)
	return r
}

// Container returns the index of the container called name, or -1.
func (r Row) Container(name string) int {
	return slices.IndexFunc(r.Containers, func(c Container) bool { return c.Name == name })
}

// SameContent reports whether a and b hold the same values, sources, peak day and notes —
// everything a new version would record except who wrote it, when, and its version.
func SameContent(a, b Row) bool {
	a.Replicas.Resolve()
	b.Replicas.Resolve()
	return a.Key() == b.Key() && a.Replicas == b.Replicas && a.Deleted == b.Deleted &&
		a.PeakDay == b.PeakDay && slices.Equal(a.Containers, b.Containers) && slices.Equal(a.Notes, b.Notes)
}

// Policy is the CapacityPolicy the row publishes (named by v1alpha1.PolicyName, in the
// workload's namespace). Unset fields become nil, which the webhook reads as "keep what was
// sent". A Deployment's policy leaves targetKind empty, as policies published before kinds
// existed do, so adding kinds republished nothing.
func (r Row) Policy() v1alpha1.CapacityPolicy {
	rep := r.Replicas
	rep.Resolve()
	kind := workload.Kind(r.Kind)
	p := v1alpha1.CapacityPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "CapacityPolicy"},
		ObjectMeta: metav1.ObjectMeta{
			Name: v1alpha1.PolicyName(kind, r.Workload), Namespace: r.Namespace,
			Labels: map[string]string{v1alpha1.LabelManagedBy: v1alpha1.ManagedByValue},
		},
		Spec: v1alpha1.CapacityPolicySpec{Cluster: r.Cluster, SourceVersion: clampVersion(r.Version)},
	}
	if kind != workload.Deployment {
		p.Spec.TargetKind = kind
	}
	if rep.Effective >= 0 && workload.HasReplicas(kind) {
		n := rep.Effective
		p.Spec.Replicas = &n
	}
	for _, c := range r.Containers {
		p.Spec.Containers = append(p.Spec.Containers, v1alpha1.ContainerPolicy{
			Name:          c.Name,
			CPURequest:    millis(c.CPURequestMillis),
			CPULimit:      millis(c.CPULimitMillis),
			MemoryRequest: mebibytes(c.MemRequestMiB),
			MemoryLimit:   mebibytes(c.MemLimitMiB),
		})
	}
	return p
}

func clampVersion(v uint64) int64 {
	if v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

func millis(v int64) *resource.Quantity {
	if v < 0 {
		return nil
	}
	return resource.NewMilliQuantity(v, resource.DecimalSI)
}

func mebibytes(v int64) *resource.Quantity {
	if v < 0 {
		return nil
	}
	return resource.NewQuantity(v<<20, resource.BinarySI)
}

// FormatDay renders a calendar day as the API writes it.
func FormatDay(t time.Time) string { return t.Format(time.DateOnly) }

// noPeakDay is how "no peak day" is stored in the non-nullable Date column.
var noPeakDay = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

func peakDayColumn(day string) (time.Time, error) {
	if day == "" {
		return noPeakDay, nil
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return time.Time{}, fmt.Errorf("peak day %q: %w", day, err)
	}
	return t, nil
}

func peakDayFromColumn(t time.Time) string {
	if t.IsZero() || t.Equal(noPeakDay) || t.Year() <= 1970 {
		return ""
	}
	return FormatDay(t)
}
