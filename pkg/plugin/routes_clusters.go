package plugin

import (
	"context"
	"net/http"
	"reflect"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/fault"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func (a *App) clusterRoutes() []route {
	return []route{
		{"GET /v1/clusters", RoleViewer, "list clusters", a.listClusters},
		{"GET /v1/clusters/{cluster}/settings", RoleViewer, "read cluster settings", a.getClusterSettings},
		{"PUT /v1/clusters/{cluster}/settings", RoleAdmin, "change cluster settings", a.putClusterSettings},
	}
}

type clusterItem struct {
	Name           string                          `json:"name"`
	TimeZone       string                          `json:"timeZone"`
	PrometheusURL  string                          `json:"prometheusUrl"`
	Settings       clustersettings.ClusterSettings `json:"settings"`
	LastCollection *jobs.Job                       `json:"lastCollection"`
}

func (a *App) listClusters(w http.ResponseWriter, r *http.Request) {
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	st := clustersettings.NewStore(snap.Conn)
	items := make([]clusterItem, 0, len(snap.App.Clusters))
	for _, c := range snap.App.Clusters {
		cs, err := st.Get(r.Context(), c.Name, c.TimeZone)
		if err != nil {
			a.writeFailed(w, r, "reading the settings of cluster "+c.Name, err)
			return
		}
		item := clusterItem{Name: c.Name, TimeZone: c.TimeZone, PrometheusURL: c.PrometheusURL, Settings: cs}
		if a.jobs != nil {
			if item.LastCollection, err = a.jobs.Last(r.Context(), c.Name); err != nil {
				a.writeFailed(w, r, "reading the last collection of "+c.Name, err)
				return
			}
		}
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// cluster finds the path's cluster in the app settings, answering 404 when there is none.
func (a *App) cluster(w http.ResponseWriter, r *http.Request, snap service.Snapshot) (settings.Cluster, bool) {
	name := r.PathValue("cluster")
	c, ok := snap.App.Cluster(name)
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "no cluster named %q in the app settings", name)
	}
	return c, ok
}

func (a *App) getClusterSettings(w http.ResponseWriter, r *http.Request) {
	if _, _, cs, ok := a.clusterSettings(w, r); ok {
		writeJSON(w, http.StatusOK, cs)
	}
}

// clusterSettings resolves the path's cluster and reads its settings; when it cannot, it has
// answered and ok is false.
func (a *App) clusterSettings(w http.ResponseWriter, r *http.Request) (snap service.Snapshot, c settings.Cluster, cs clustersettings.ClusterSettings, ok bool) {
	if snap, ok = a.snapshot(w); !ok {
		return snap, c, cs, false
	}
	if c, ok = a.cluster(w, r, snap); !ok {
		return snap, c, cs, false
	}
	cs, err := clustersettings.NewStore(snap.Conn).Get(r.Context(), c.Name, c.TimeZone)
	if err != nil {
		a.writeFailed(w, r, "reading the settings of cluster "+c.Name, err)
		return snap, c, cs, false
	}
	return snap, c, cs, true
}

// settingsPut is the PUT body: the settings plus the version the caller read.
type settingsPut struct {
	clustersettings.ClusterSettings
	ExpectedVersion *uint64 `json:"expectedVersion"`
}

func (a *App) putClusterSettings(w http.ResponseWriter, r *http.Request) {
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	c, ok := a.cluster(w, r, snap)
	if !ok {
		return
	}
	// Missing fields take their defaults: a PUT replaces the whole settings.
	body := settingsPut{ClusterSettings: clustersettings.Defaults(c.Name, c.TimeZone)}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.ExpectedVersion == nil {
		writeFieldError(w, badField("expectedVersion", "required: the version you read (0 for settings never saved)"))
		return
	}
	if body.Cluster != "" && body.Cluster != c.Name {
		writeFieldError(w, badField("cluster", "does not match the cluster in the path"))
		return
	}
	caller := callerFrom(r)
	st := clustersettings.NewStore(snap.Conn)
	before, err := st.Get(r.Context(), c.Name, c.TimeZone)
	if err != nil {
		a.writeFailed(w, r, "reading the settings of cluster "+c.Name, err)
		return
	}
	next := body.ClusterSettings
	next.Cluster, next.TimeZone = c.Name, c.TimeZone // read-only here
	entry := audit.Entry{Action: "edit cluster settings", Cluster: c.Name, Target: clustersettings.Key(c.Name), Before: before}
	saved, err := st.Audited(entry.Action, caller.Role.String()).Put(r.Context(), next, *body.ExpectedVersion, caller.Login)
	if err != nil {
		entry.Result, entry.Error = audit.ResultFailed, err.Error()
		if _, isField := refusal.AsFieldError(err); isField {
			entry.After = next
		}
		a.audit(r.Context(), caller, entry)
		a.writeFailed(w, r, "saving the settings of cluster "+c.Name, err)
		return
	}
	entry.After, entry.ID = saved, audit.SettingsVersionID(clustersettings.Key(c.Name), saved.Version)
	fault.Crash(a.log, fault.AfterSettingsWrite)
	a.audit(r.Context(), caller, entry)
	a.log.InfoContext(r.Context(), "cluster settings saved", "cluster", c.Name, "version", saved.Version, "by", caller.Login)
	a.rederiveOnRecommendChange(r.Context(), before, saved)
	writeJSON(w, http.StatusOK, saved)
}

// rederiveOnRecommendChange derives the cluster's control table again when the recommend block
// changed, so that turning the switch on or off applies now rather than after the next
// collection. It runs before answering, so the caller reads the result; a failure is only
// logged (the settings are saved, and the next derivation applies them).
func (a *App) rederiveOnRecommendChange(ctx context.Context, before, after clustersettings.ClusterSettings) {
	if a.jobs == nil || reflect.DeepEqual(before.Recommend, after.Recommend) {
		return
	}
	if err := a.jobs.Derive(ctx, after.Cluster); err != nil {
		a.log.WarnContext(ctx, "re-deriving after a recommend settings change failed; it applies at the next derivation", "cluster", after.Cluster, "error", err)
	}
}
