package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/enforce"
	"github.com/kubedoor/kubedoor-grafana/pkg/engine"
	"github.com/kubedoor/kubedoor-grafana/pkg/jobs"
	"github.com/kubedoor/kubedoor-grafana/pkg/notify"
	"github.com/kubedoor/kubedoor-grafana/pkg/pods"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/resize"
	"github.com/kubedoor/kubedoor-grafana/pkg/schedule"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// writeFailed is the one place an error becomes the API's answer: every kind of error the
// business packages return, the store's and a cluster's, each with its status, code, message,
// field and current value; what is not the caller's fault is logged whole, the rest not at all.
func TestEveryKindOfErrorGetsItsStatusAndMessage(t *testing.T) {
	readOnly := &store.Error{Code: 1001, Name: "CANNOT_OPEN_FILE", Message: "Cannot open file /var/lib/grafana/kubedoor/store/data/default/audit_log/tmp_insert_1/data.bin, errno: 30, strerror: Read-only file system", Query: "INSERT INTO audit_log"}
	row := control.Row{Cluster: "prod-a", Namespace: "shop", Kind: "Deployment", Workload: "api", Version: 4}
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, "shop", errors.New("no RBAC"))
	tests := []struct {
		name    string
		err     error
		status  int
		code    string
		want    string // the whole message, or its start when it ends in "…"
		field   string
		current string // the "current" value's JSON; "" when there is none
		notWant string
		logged  bool
	}{
		{"a validation failure is 400 naming the field, whatever wrapped it", fmt.Errorf("starting: %w", refusal.Field("days", "must be from 1 to 400")),
			400, codeBadRequest, "days: must be from 1 to 400", "days", "", "", false},
		{"a protected namespace is 400 naming the namespace field", onCluster("prod-a", fmt.Errorf("%w: kube-system", enforce.ErrProtected)),
			400, codeBadRequest, "cluster prod-a: namespace is protected: kube-system", "namespace", "", "", false},
		{"a resize in a protected namespace is 400 too", fmt.Errorf("shop/api: %w", resize.ErrProtected),
			400, codeBadRequest, "shop/api: the namespace is protected: KubeDoor never changes its pods", "namespace", "", "", false},
		{"a stale engine version is 400 naming the version field", engine.ErrVersion,
			400, codeBadRequest, "the confirmed version is not the pinned one", "version", "", "", false},
		{"a control row that is not there is 404", fmt.Errorf("%w: prod-a/shop/Deployment/api", control.ErrNotFound),
			404, codeNotFound, "not in the control table: prod-a/shop/Deployment/api", "", "", "", false},
		{"a schedule that is not there is 404", fmt.Errorf("%w: s-1", schedule.ErrNotFound), 404, codeNotFound, "no such schedule: s-1", "", "", "", false},
		{"a collection job that is not there is 404", fmt.Errorf("%w: j-9", jobs.ErrNotFound), 404, codeNotFound, "no such collection job: j-9", "", "", "", false},
		{"a notification channel that is not there is 404", notify.ErrNoChannel, 404, codeNotFound, "no notification channel with this id", "", "", "", false},
		{"a pod that is not there is 404 naming the field, with its cluster", onCluster("prod-a", &refusal.FieldError{Field: "pods[1]", Reason: "pod b not found in namespace shop", Kind: pods.ErrNotFound}),
			404, codeNotFound, "cluster prod-a: pod b not found in namespace shop", "pods[1]", "", "", false},
		{"a write on a row that moved on is 409 with the row as it is now", fmt.Errorf("editing: %w", &refusal.Conflict[control.Row]{Current: row, Message: "control row prod-a/shop/api: expected version 3 (current version 4)"}),
			409, codeConflict, "editing: control row prod-a/shop/api: expected version 3 (current version 4)", "", `"version":4`, "", false},
		{"a pod already isolated is 409 without a current value", onCluster("prod-a", &refusal.FieldError{Field: "pod", Reason: "pod a is already isolated", Kind: pods.ErrConflict}),
			409, codeConflict, "cluster prod-a: pod a is already isolated", "pod", "", "", false},
		{"an engine fetch already running is 409", engine.ErrBusy, 409, codeConflict, "an engine fetch is already running", "", "", "", false},
		{"a cluster too old for in-place resize is 409", resize.ErrUnsupported, 409, codeConflict, "in-place resize needs Kubernetes 1.33 or later (the pods/resize subresource)", "", "", "", false},
		{"a store engine error is 503 naming its code only", fmt.Errorf("writing version 4 of shop/api: %w", readOnly),
			503, codeUnavailable, "saving a row failed: the store refused it or could not be reached (CANNOT_OPEN_FILE); the backend log has the engine's error, and the Overview shows the store's state", "", "", "/var/lib/grafana", true},
		{"an unreachable store server is 503 without the dial error", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
			503, codeUnavailable, "saving a row failed: the store refused it or could not be reached; …", "", "", "dial", true},
		{"a closed store is 503", fmt.Errorf("%w: not configured yet", service.ErrStoreUnavailable),
			503, codeUnavailable, "saving a row failed: the store refused it or could not be reached; …", "", "", "not configured", true},
		{"a cluster that refuses the backend's identity is 503 saying what to bind", onCluster("prod-a", forbidden),
			503, codeUnavailable, "cluster prod-a refused the backend's identity (bind it to the ClusterRole in webhook/deploy/backend): …", "", "", "", true},
		{"a cluster that cannot be reached is 503 with its error", onCluster("prod-a", errors.New("dial tcp 10.0.0.1:6443: connection refused")),
			503, codeUnavailable, "cluster prod-a: dial tcp 10.0.0.1:6443: connection refused", "", "", "", true},
		{"a cluster whose API does not answer is 503 naming the cluster, not the store", onCluster("prod-a", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}),
			503, codeUnavailable, "cluster prod-a: dial tcp: connection refused", "", "", "", true},
		{"a store engine error during a call on a cluster is still the store's", onCluster("prod-a", fmt.Errorf("beginning the audit entry: %w", readOnly)),
			503, codeUnavailable, "saving a row failed: the store refused it or could not be reached (CANNOT_OPEN_FILE); …", "", "", "/var/lib/grafana", true},
		{"anything else is 500 with its text", errors.New("a row without containers"),
			500, codeInternal, "saving a row failed: a row without containers", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged strings.Builder
			a := &App{log: slog.New(slog.NewTextHandler(&logged, nil))}
			rec := httptest.NewRecorder()
			a.writeFailed(rec, httptest.NewRequest("POST", "/v1/control", nil), "saving a row", tt.err)
			var body struct {
				Error   string          `json:"error"`
				Code    string          `json:"code"`
				Field   string          `json:"field"`
				Current json.RawMessage `json:"current"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			msgOK := body.Error == tt.want
			if prefix, cut := strings.CutSuffix(tt.want, "…"); cut {
				msgOK = strings.HasPrefix(body.Error, prefix)
			}
			if rec.Code != tt.status || body.Code != tt.code || !msgOK || body.Field != tt.field {
				t.Fatalf("%d %s; want %d %s %q field %q", rec.Code, rec.Body, tt.status, tt.code, tt.want, tt.field)
			}
			if (tt.current == "") != (body.Current == nil) || !strings.Contains(string(body.Current), tt.current) {
				t.Fatalf("current %s, want one containing %q", body.Current, tt.current)
			}
			if tt.notWant != "" && strings.Contains(body.Error, tt.notWant) {
				t.Fatalf("the answer carries %q: %s", tt.notWant, body.Error)
			}
			if tt.status == 503 && strings.Contains(tt.want, "the store") != strings.Contains(logged.String(), "saving a row failed: the store") {
				t.Fatalf("logged as the store's failure: %v, want %v: %s", !strings.Contains(tt.want, "the store"), strings.Contains(tt.want, "the store"), logged.String())
			}
			if tt.logged != strings.Contains(logged.String(), "saving a row failed") {
				t.Fatalf("logged %v, want %v: %s", !tt.logged, tt.logged, logged.String())
			}
			if tt.logged && !strings.Contains(logged.String(), tt.err.Error()[:10]) {
				t.Fatalf("the log must have the whole error: %s", logged.String())
			}
		})
	}
}
