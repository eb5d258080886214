package plugin

import (
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/service"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// clusterError is an error from a call on a cluster. Unless it is a refusal, the cluster (not
// reachable, the backend's identity lacking a permission) is at fault, not the request: 503.
type clusterError struct {
	cluster string
	err     error
}

func (e *clusterError) Error() string { return "cluster " + e.cluster + ": " + e.err.Error() }
func (e *clusterError) Unwrap() error { return e.err }

// onCluster marks err as coming from a call on cluster (nil stays nil).
func onCluster(cluster string, err error) error {
	if err == nil {
		return nil
	}
	return &clusterError{cluster: cluster, err: err}
}

// storeFailed reports whether err is the store's own failure. A network error from a call on a
// cluster is the cluster's: store.Failed counts every network error, since the store may be a
// server.
func storeFailed(err error) bool {
	var engine *store.Error
	var onCl *clusterError
	return errors.As(err, &engine) || errors.Is(err, service.ErrStoreUnavailable) || (!errors.As(err, &onCl) && store.Failed(err))
}

// answer is the one place an error becomes the API's answer; what names the operation for the
// answers that are not the request's fault. The business packages say what happened in
// pkg/refusal's words, so no route maps their errors itself:
//
//   - a *refusal.Conflict: 409 with the current value as "current";
//   - refusal.ErrConflict, ErrNotFound, ErrInvalid (a *refusal.FieldError is one): 409, 404,
//     400, naming the field when a FieldError is in the chain;
//   - a store failure: 503 without the engine's text, which can carry file paths (it goes to
//     the log);
//   - an error from a cluster (onCluster): 503;
//   - anything else: 500 with its text.
func answer(what string, err error) (int, apiError) {
	ans := apiError{Error: err.Error()}
	if fe, ok := refusal.AsFieldError(err); ok {
		ans.Field = fe.Field
		if fe.Kind == nil {
			ans.Error = fe.Error() // a validation failure reads "field: reason", whatever wrapped it
		}
	}
	var onCl *clusterError
	fromCluster := errors.As(err, &onCl)
	switch c, isConflict := refusal.AsConflict(err); {
	case isConflict:
		ans.Code, ans.Current = codeConflict, c.CurrentValue()
		return http.StatusConflict, ans
	case errors.Is(err, refusal.ErrConflict):
		ans.Code = codeConflict
		return http.StatusConflict, ans
	case errors.Is(err, refusal.ErrNotFound):
		ans.Code = codeNotFound
		return http.StatusNotFound, ans
	case errors.Is(err, refusal.ErrInvalid):
		ans.Code = codeBadRequest
		return http.StatusBadRequest, ans
	case storeFailed(err):
		code := ""
		var se *store.Error
		if errors.As(err, &se) && se.Name != "" {
			code = " (" + se.Name + ")"
		}
		return http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Error: fmt.Sprintf(
			"%s failed: the store refused it or could not be reached%s; the backend log has the engine's error, and the Overview shows the store's state", what, code)}
	case fromCluster && apierrors.IsForbidden(err):
		return http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Error: fmt.Sprintf(
			"cluster %s refused the backend's identity (bind it to the ClusterRole in webhook/deploy/backend): %v", onCl.cluster, onCl.err)}
	case fromCluster:
		ans.Code = codeUnavailable
		return http.StatusServiceUnavailable, ans
	}
	return http.StatusInternalServerError, apiError{Code: codeInternal, Error: fmt.Sprintf("%s failed: %v", what, err)}
}

// writeFailed answers err (see answer) and logs what is not the request's fault, with the
// request's context so Grafana's log carries its trace and plugin IDs.
func (a *App) writeFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	status, ans := answer(what, err)
	switch {
	case status == http.StatusServiceUnavailable && storeFailed(err):
		a.log.ErrorContext(r.Context(), what+" failed: the store", "error", err)
	case status == http.StatusServiceUnavailable:
		a.log.WarnContext(r.Context(), what+" failed: the cluster", "error", err)
	case status >= http.StatusInternalServerError:
		a.log.ErrorContext(r.Context(), what+" failed", "error", err)
	}
	writeJSON(w, status, ans)
}

// writeFieldError answers a refusal from a check that does nothing else (the route's own
// validation, a pure parse): 400 naming the field for a *refusal.FieldError. Nothing is logged.
func writeFieldError(w http.ResponseWriter, err error) {
	status, ans := answer("checking the request", err)
	writeJSON(w, status, ans)
}
