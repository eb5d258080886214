package plugin

import (
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

func (a *App) notificationRoutes() []route {
	return []route{
		{"GET /v1/notifications", RoleAdmin, "list notification channels", a.listChannels},
		{"POST /v1/notifications/test", RoleAdmin, "test a notification channel", a.testChannel},
	}
}

// channelView is a channel as the API shows it: whether its secret is stored, never the secret.
type channelView struct {
	ID        string   `json:"id"`
	Cluster   string   `json:"cluster"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Events    []string `json:"events"`
	Enabled   bool     `json:"enabled"`
	SecretSet bool     `json:"secretSet"`
}

func (a *App) listChannels(w http.ResponseWriter, _ *http.Request) {
	_, snap, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	items := []channelView{}
	for _, c := range snap.App.Notifications {
		events := c.Events
		if events == nil {
			events = []string{}
		}
		items = append(items, channelView{ID: c.ID, Cluster: c.Cluster, Kind: c.Kind, Name: c.Name, Events: events, Enabled: c.Enabled, SecretSet: c.Secret != ""})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (a *App) testChannel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID string `json:"id"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.ID == "" {
		writeFieldError(w, badField("id", "required"))
		return
	}
	ops, _, ok := a.opsSnapshot(w)
	if !ok {
		return
	}
	c := callerFrom(r)
	res, err := ops.TestChannel(r.Context(), body.ID, c.Login)
	if err != nil {
		a.writeFailed(w, r, "testing the channel", err)
		return
	}
	e := audit.Entry{Action: "test notification channel", Target: "notifications/" + body.ID, After: res}
	if !res.OK {
		e.Result, e.Error = audit.ResultFailed, res.Error
	}
	a.audit(r.Context(), c, e)
	writeJSON(w, http.StatusOK, res)
}
