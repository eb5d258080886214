package admission

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
	"github.com/kubedoor/kubedoor-grafana/webhook/decision"
)

// decisionLine decides req with a logger at level and returns the "admission decision" line,
// nil when none was written.
func decisionLine(t *testing.T, l *fakeLookup, req *admissionv1.AdmissionRequest, level slog.Level) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	o := Options{Settings: decision.Settings{Cluster: "prod-a"}, ObserveWarnings: true, NamespaceWait: 50 * time.Millisecond,
		Clock: func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }}
	d, err := New(l, o, prometheus.NewRegistry(), slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level})))
	if err != nil {
		t.Fatal(err)
	}
	d.Decide(t.Context(), req)
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if len(line) > 0 && json.Unmarshal(line, &m) == nil && m["msg"] == "admission decision" {
			return m
		}
	}
	return nil
}

func TestDecisionsAreLoggedAtInfoUnlessTheyAdmitUnchangedWithNothingToSay(t *testing.T) {
	tempScaled := func() *fakeLookup {
		l := lookup()
		l.deployments["demo/api"] = &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "demo",
			Annotations: map[string]string{v1alpha1.AnnotationScaleTemp: "2026-03-01T09:58:00Z@4->9"}}}
		return l
	}
	tests := []struct {
		name       string
		lookup     func() *fakeLookup
		req        *admissionv1.AdmissionRequest
		wantLevel  string // "" when the line is not written at INFO
		wantResult string
	}{
		{name: "a patched CREATE is logged at INFO with its changes", lookup: lookup, req: createReq("demo", "api", 1), wantLevel: "INFO", wantResult: "patched"},
		{name: "a refused CREATE is logged at INFO", lookup: lookup, req: createReq("demo", "newsvc", 1), wantLevel: "INFO", wantResult: "denied"},
		{name: "an observe-mode finding is logged at INFO", lookup: lookup, req: createReq("watching", "api", 1), wantLevel: "INFO", wantResult: "observed"},
		{name: "an admission with a warning is logged at INFO", lookup: func() *fakeLookup { l := lookup(); l.notSynced = true; return l },
			req: createReq("demo", "api", 1), wantLevel: "INFO", wantResult: "allowed"},
		{name: "a Scale admitted unchanged under a temporary scale is logged at DEBUG only", lookup: tempScaled, req: scaleReq("demo", "api", 9), wantResult: "allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := decisionLine(t, tt.lookup(), tt.req, slog.LevelInfo)
			debug := decisionLine(t, tt.lookup(), tt.req, slog.LevelDebug)
			if debug == nil || debug["result"] != tt.wantResult || debug["uid"] != string(tt.req.UID) || debug["namespace"] != tt.req.Namespace {
				t.Fatalf("at DEBUG every decision is logged with its uid, namespace and result %q; got %v", tt.wantResult, debug)
			}
			if tt.wantLevel == "" {
				if info != nil {
					t.Fatalf("an unchanged admission should not be logged at INFO; got %v", info)
				}
				if debug["level"] != "DEBUG" {
					t.Fatalf("level %v, want DEBUG", debug["level"])
				}
				return
			}
			if info == nil || info["level"] != tt.wantLevel {
				t.Fatalf("want the line at %s; got %v", tt.wantLevel, info)
			}
			if tt.wantResult == "patched" {
				if changes, _ := info["changes"].([]any); len(changes) == 0 {
					t.Fatalf("a patched decision's line lists its changes; got %v", info)
				}
			}
		})
	}
}
