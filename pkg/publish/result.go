package publish

import (
	"fmt"
	"log/slog"
	"time"
)

// Result summarises one reconcile of one cluster.
type Result struct {
	Cluster   string `json:"cluster"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Deleted   int    `json:"deleted"`
	Unchanged int    `json:"unchanged"`
	// StatusOnly counts policies whose spec was right but whose status had to be brought up to
	// date (e.g. a status write failed last time).
	StatusOnly int `json:"statusOnly"`
	Failed     int `json:"failed"`
	// Held counts policies that are no longer desired but were not deleted by the mass-deletion
	// guard; HeldReason says why and what to do.
	Held       int    `json:"held,omitempty"`
	HeldReason string `json:"heldReason,omitempty"`
	// Writes is the number of API write calls made (create, update, status, delete, retries).
	Writes   int           `json:"writes"`
	Failures []Failure     `json:"failures,omitempty"`
	Took     time.Duration `json:"-"`
	TookMs   int64         `json:"tookMs"` // Took for JSON readers

}

// Failure is one policy that could not be brought to its desired state.
type Failure struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Op        string `json:"op"` // plan | create | update | status | delete
	Error     string `json:"error"`
	// NamespaceMissing marks a policy whose namespace does not exist: said once in the log,
	// tried again with a growing wait (see NamespaceMissingError).
	NamespaceMissing bool `json:"namespaceMissing,omitempty"`
}

func (r *Result) fail(namespace, name, op string, err error) {
	r.Failed++
	r.Failures = append(r.Failures, Failure{Namespace: namespace, Name: name, Op: op, Error: err.Error(),
		NamespaceMissing: isNamespaceMissing(err)})
}

// Changed reports whether the reconcile wrote anything.
func (r Result) Changed() bool { return r.Writes > 0 }

func (r Result) String() string {
	return fmt.Sprintf("cluster %s: %d created, %d updated, %d deleted, %d held, %d unchanged, %d status-only, %d failed, %d writes in %s",
		r.Cluster, r.Created, r.Updated, r.Deleted, r.Held, r.Unchanged, r.StatusOnly, r.Failed, r.Writes, r.Took.Round(time.Millisecond))
}

// maxLoggedFailures bounds the per-policy lines one reconcile logs; the summary has the count.
const maxLoggedFailures = 10

// log writes the summary (Warn when something failed, Info when something changed, else Debug)
// and the first failures, each with its reason. Failures for a missing namespace are left to
// the worker, which says them once (see noteAbsent).
func (r Result) log(l *slog.Logger, trigger string) {
	var loud []Failure
	for _, f := range r.Failures {
		if !f.NamespaceMissing {
			loud = append(loud, f)
		}
	}
	attrs := []any{"cluster", r.Cluster, "trigger", trigger, "created", r.Created, "updated", r.Updated,
		"deleted", r.Deleted, "held", r.Held, "unchanged", r.Unchanged, "statusOnly", r.StatusOnly, "failed", r.Failed,
		"writes", r.Writes, "took", r.Took.Round(time.Millisecond)}
	if r.Held > 0 {
		l.Warn("policy deletions held", "cluster", r.Cluster, "held", r.Held, "reason", r.HeldReason)
	}
	switch {
	case len(loud) > 0:
		l.Warn("policies published with failures", attrs...)
	case r.Changed():
		l.Info("policies published", attrs...)
	default:
		l.Debug("policies already up to date", attrs...)
	}
	for i, f := range loud {
		if i == maxLoggedFailures {
			l.Warn("more policy failures not logged", "cluster", r.Cluster, "count", len(loud)-i)
			break
		}
		l.Warn("policy not published", "cluster", r.Cluster, "namespace", f.Namespace, "name", f.Name, "op", f.Op, "reason", f.Error)
	}
}
