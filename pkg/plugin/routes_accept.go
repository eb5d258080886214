package plugin

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// actionAcceptRecommendation is the audit action of one accepted (or refused) row.
const actionAcceptRecommendation = "accept recommended replicas"

// maxAcceptRows bounds one accept request; the UI sends a page of the table at most.
const maxAcceptRows = 1000

type acceptRequest struct {
	Rows []acceptRow `json:"rows"`
}

type acceptRow struct {
	Namespace string  `json:"namespace"`
	Kind      string  `json:"kind"` // "" = Deployment
	Workload  string  `json:"workload"`
	Version   *uint64 `json:"version"` // the version the caller saw the recommendation on
}

type acceptedRow struct {
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Version   uint64 `json:"version"` // the row's version after the accept
	Replicas  int32  `json:"replicas"`
}

type refusedRow struct {
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Workload  string `json:"workload"`
	Code      string `json:"code"` // control.Refused*
	Reason    string `json:"reason"`
}

// acceptRecommendations makes each listed row's recommended replicas its manual replicas,
// row by row: a row that cannot be accepted is refused on its own (listed with its code) and
// the others still go through. One audit entry per row; one publish for the batch.
func (a *App) acceptRecommendations(w http.ResponseWriter, r *http.Request) {
	var req acceptRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if len(req.Rows) == 0 || len(req.Rows) > maxAcceptRows {
		writeFieldError(w, badField("rows", fmt.Sprintf("must list 1 to %d rows", maxAcceptRows)))
		return
	}
	for i := range req.Rows {
		row := &req.Rows[i]
		kind, err := workload.ParseKind(row.Kind)
		row.Kind = kind
		switch {
		case err != nil:
			writeFieldError(w, badField(fmt.Sprintf("rows[%d].kind", i), err.Error()))
			return
		case row.Namespace == "":
			writeFieldError(w, badField(fmt.Sprintf("rows[%d].namespace", i), "is required"))
			return
		case row.Workload == "":
			writeFieldError(w, badField(fmt.Sprintf("rows[%d].workload", i), "is required"))
			return
		case row.Version == nil:
			writeFieldError(w, badField(fmt.Sprintf("rows[%d].version", i), "is required: the version the recommendation was read on"))
			return
		}
	}
	snap, ok := a.snapshot(w)
	if !ok {
		return
	}
	cluster := r.PathValue("cluster")
	if _, known := snap.App.Cluster(cluster); !known {
		writeError(w, http.StatusNotFound, codeNotFound, "no cluster named %q is configured", cluster)
		return
	}
	c := callerFrom(r)
	tbl := a.controlTable(snap.Conn, c, actionAcceptRecommendation)
	out := struct {
		Accepted []acceptedRow `json:"accepted"`
		Refused  []refusedRow  `json:"refused"`
	}{Accepted: []acceptedRow{}, Refused: []refusedRow{}}
	written := 0
	var failed error
	for _, row := range req.Rows {
		k := control.Key{Cluster: cluster, Namespace: row.Namespace, Kind: row.Kind, Workload: row.Workload}
		entry := audit.Entry{Action: actionAcceptRecommendation, Cluster: cluster, Target: k.Target()}
		ch, err := tbl.AcceptRecommended(r.Context(), k, *row.Version, c.Login)
		var re *control.RefusedError
		switch {
		case errors.As(err, &re):
			entry.Result, entry.Error = audit.ResultFailed, re.Reason
			out.Refused = append(out.Refused, refusedRow{Namespace: k.Namespace, Kind: k.Kind, Workload: k.Workload, Code: re.Code, Reason: re.Reason})
		case err != nil:
			entry.Result, entry.Error = audit.ResultFailed, err.Error()
			failed = err
		default:
			entry.Before, entry.After = ch.Before, ch.After
			versionEntry(&entry, ch)
			out.Accepted = append(out.Accepted, acceptedRow{Namespace: k.Namespace, Kind: k.Kind, Workload: k.Workload,
				Version: ch.After.Version, Replicas: ch.After.Replicas.Manual})
			if ch.Written {
				written++
			}
		}
		a.audit(r.Context(), c, entry)
		if failed != nil {
			break
		}
	}
	if written > 0 {
		a.log.InfoContext(r.Context(), "recommended replicas accepted", "cluster", cluster, "rows", written, "user", c.Login)
		if p := a.published; p != nil {
			p.Published(cluster)
		} else {
			a.log.WarnContext(r.Context(), "no publisher is connected; the change reaches the cluster with the next reconcile", "cluster", cluster)
		}
	}
	if failed != nil {
		a.writeFailed(w, r, "accepting recommended replicas", failed)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
