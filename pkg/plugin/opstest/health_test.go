//go:build parts

package opstest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
)

func TestOperationsRoutesAnswerByRole(t *testing.T) {
	restart := map[string]any{"items": []map[string]any{{"cluster": "prod-a", "namespace": "n", "workload": "w"}}}
	tests := []struct {
		name   string
		user   pluginhost.User
		method string
		path   string
		body   any
		want   int
	}{
		{"a viewer may not scale", viewer, "POST", "v1/actions/scale", map[string]any{}, 403},
		{"a viewer may not restart", viewer, "POST", "v1/actions/restart", restart, 403},
		{"a viewer may not create a schedule", viewer, "POST", "v1/schedules", map[string]any{}, 403},
		{"a viewer may not pause a schedule", viewer, "POST", "v1/schedules/x/pause", nil, 403},
		{"a viewer may not delete a schedule", viewer, "DELETE", "v1/schedules/x", nil, 403},
		{"a viewer may not edit a schedule", viewer, "PUT", "v1/schedules/x", map[string]any{}, 403},
		{"a viewer may not resume a schedule", viewer, "POST", "v1/schedules/x/resume", nil, 403},
		{"a viewer may not list notification channels", viewer, "GET", "v1/notifications", nil, 403},
		{"a viewer may not test a cluster connection", viewer, "POST", "v1/clusters/test", map[string]string{}, 403},
		{"a viewer lists schedules", viewer, "GET", "v1/schedules", nil, 200},
		{"a viewer asking for the runs of an unknown schedule gets 404", viewer, "GET", "v1/schedules/00000000-0000-0000-0000-000000000000/runs", nil, 404},
		{"a malformed paging parameter is 400", viewer, "GET", "v1/schedules?limit=0", nil, 400},
		{"a viewer reads a cluster's health", viewer, "GET", "v1/clusters/prod-a/health", nil, 200},
		{"an editor may not list notification channels", editor, "GET", "v1/notifications", nil, 403},
		{"an editor may not test a notification channel", editor, "POST", "v1/notifications/test", map[string]string{"id": "ops-hook"}, 403},
		{"an editor may not test a cluster connection", editor, "POST", "v1/clusters/test", map[string]string{}, 403},
		{"an editor restarts (an unknown workload is a failed item, not an error)", editor, "POST", "v1/actions/restart", restart, 200},
		{"an editor reading a schedule that does not exist gets 404", editor, "GET", "v1/schedules/00000000-0000-0000-0000-000000000000", nil, 404},
		{"an admin lists notification channels", admin, "GET", "v1/notifications", nil, 200},
		{"an admin may also act as an editor", admin, "GET", "v1/schedules?cluster=prod-a", nil, 200},
		{"a user without an org role may not read a cluster's health", pluginhost.User{Login: "nobody", Role: "None"}, "GET", "v1/clusters/prod-a/health", nil, 403},
		{"a health check of an unknown cluster is 404", viewer, "GET", "v1/clusters/nope/health", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e apiErr
			if s := call(t, tt.user, tt.method, tt.path, tt.body, &e); s != tt.want {
				t.Fatalf("status %d, want %d: %+v", s, tt.want, e)
			}
			if tt.want == 403 && (e.Code != "forbidden" || !strings.Contains(e.Error, "requires the")) {
				t.Fatalf("refusal %+v", e)
			}
		})
	}
}

func TestNotificationChannelsAreListedWithoutSecretsAndTestable(t *testing.T) {
	res, err := currentHost().Call(t.Context(), admin, "GET", "v1/notifications", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res.Body), env.hook.URL) || strings.Contains(string(res.Body), "127.0.0.1:1") {
		t.Fatalf("a channel list must not show secrets: %s", res.Body)
	}
	var list struct {
		Items []struct {
			ID, Kind  string
			Enabled   bool
			SecretSet bool
			Events    []string
		}
	}
	if err := json.Unmarshal(res.Body, &list); err != nil || len(list.Items) != 3 || list.Items[0].ID != "ops-hook" || !list.Items[0].SecretSet || list.Items[2].Enabled {
		t.Fatalf("channels %s", res.Body)
	}

	var tr struct {
		OK     bool
		Status int
		Error  string
	}
	if s := call(t, admin, "POST", "v1/notifications/test", map[string]string{"id": "ops-slack"}, &tr); s != 200 || !tr.OK || tr.Status != 200 {
		t.Fatalf("test of a working channel: %d %+v", s, tr)
	}
	env.slack.waitFor(t, "test message", "Sent by ada")
	if s := call(t, admin, "POST", "v1/notifications/test", map[string]string{"id": "dead"}, &tr); s != 200 || tr.OK || tr.Error == "" {
		t.Fatalf("test of a dead channel: %d %+v", s, tr)
	}
	var e apiErr
	if s := call(t, admin, "POST", "v1/notifications/test", map[string]string{"id": "nope"}, &e); s != 404 {
		t.Fatalf("an unknown channel: %d %+v", s, e)
	}
	wantFieldError(t, call(t, admin, "POST", "v1/notifications/test", map[string]string{}, &e), e, "id")
}

type health struct {
	Kubernetes struct {
		OK               bool
		Message, Version string
	}
	Prometheus struct {
		OK      bool
		Message string
	}
	Webhook struct {
		Installed, Ready bool
		Message          string
	}
	LastCollection json.RawMessage
	LastPublish    *struct {
		Trigger, Error string
		Result         struct{ Cluster string }
		Runs           int
	}
}

func TestClusterHealthAndConnectionTest(t *testing.T) {
	var h health
	if s := call(t, viewer, "GET", "v1/clusters/prod-a/health", nil, &h); s != 200 || !h.Kubernetes.OK || h.Kubernetes.Version == "" ||
		!h.Prometheus.OK || h.Webhook.Installed || !strings.Contains(h.Webhook.Message, "not installed") {
		t.Fatalf("health %d %+v", s, h)
	}
	// The daily collection catches up when the backend starts, so a last job may exist; if it
	// does, it is this cluster's.
	if string(h.LastCollection) != "null" {
		var job struct{ Cluster, State string }
		if err := json.Unmarshal(h.LastCollection, &job); err != nil || job.Cluster != "prod-a" || job.State == "" {
			t.Fatalf("last collection %s (%v)", h.LastCollection, err)
		}
	}
	// The publisher reconciles every cluster with Kubernetes access when the backend starts; its
	// outcome (policies written, or why not) is part of the health.
	for deadline := time.Now().Add(30 * time.Second); h.LastPublish == nil && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		call(t, viewer, "GET", "v1/clusters/prod-a/health", nil, &h)
	}
	if p := h.LastPublish; p == nil || p.Runs < 1 || p.Trigger == "" || (p.Error == "" && p.Result.Cluster != "prod-a") {
		t.Fatalf("last publish of prod-a: %+v", p)
	}
	h.LastPublish = nil
	if s := call(t, viewer, "GET", "v1/clusters/peaks-only/health", nil, &h); s != 200 || h.Kubernetes.OK || !strings.Contains(h.Kubernetes.Message, "no Kubernetes access") || !h.Prometheus.OK || h.LastPublish != nil {
		t.Fatalf("health of a peaks-only cluster %d %+v", s, h)
	}

	var tr struct {
		Prometheus, Kubernetes struct {
			OK      bool
			Message string
		}
		Webhook struct {
			OK      bool
			Message string
		}
	}
	conn := map[string]any{"name": "staging", "prometheusUrl": env.promURL, "kubeAccess": "kubeconfig", "kubeconfig": env.kubeconfig}
	if s := call(t, admin, "POST", "v1/clusters/test", conn, &tr); s != 200 || !tr.Prometheus.OK || !tr.Kubernetes.OK || tr.Webhook.OK {
		t.Fatalf("connection test %d %+v", s, tr)
	}
	var e apiErr
	wantFieldError(t, call(t, admin, "POST", "v1/clusters/test", map[string]any{"prometheusUrl": "nope"}, &e), e, "prometheusUrl")

	// Nothing was saved: the tested cluster is unknown, and the audit entry holds no secret.
	if s := call(t, viewer, "GET", "v1/clusters/staging/health", nil, &e); s != 404 {
		t.Fatalf("a tested connection must not be saved: %d", s)
	}
	res, err := currentHost().Call(t.Context(), viewer, "GET", "v1/audit?action=test+cluster+connection", nil)
	if err != nil || !strings.Contains(string(res.Body), "clusters/staging") || strings.Contains(string(res.Body), "BEGIN") ||
		strings.Contains(string(res.Body), "client-key-data") {
		t.Fatalf("audit of the connection test: %v %s", err, res.Body)
	}
}
