package publish

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// A control-table row whose namespace does not exist (removed, or not created yet) cannot be
// published: creating its policy fails until the namespace appears. Retrying that every period
// and logging it every time drowns the log without helping, so the worker says it once per
// namespace, keeps it visible in the cluster's publish status (a failure per policy, marked
// NamespaceMissing), and tries the namespace again with a growing wait. A write of the
// control table or a settings change tries again at once.

// NamespaceMissingError is a policy write refused because its namespace does not exist.
type NamespaceMissingError struct {
	Namespace string
	Doing     string // creating | updating | deleting
}

func (e *NamespaceMissingError) Error() string {
	return fmt.Sprintf("%s: namespace %s does not exist", e.Doing, e.Namespace)
}

// Waits between tries of a missing namespace: the first, and the most.
const (
	absentFirstWait = time.Minute
	absentMaxWait   = time.Hour
)

// absence is what the worker knows of one missing namespace of one cluster.
type absence struct {
	since time.Time     // first found missing
	next  time.Time     // not tried again before
	wait  time.Duration // the wait after the next failed try
}

// absentKey names a namespace of a cluster.
type absentKey struct{ cluster, namespace string }

// holdBack splits desired into what to reconcile now and the policies of namespaces still in
// their wait, which are reported as failures without calling the API. Triggers other than
// "start" and "periodic" (a write, a settings change) try every namespace again.
func (w *Worker) holdBack(cluster, why string, desired []Policy, now time.Time) (try []Policy, held []Failure) {
	if why != "start" && why != "periodic" {
		return desired, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range desired {
		a, ok := w.absent[absentKey{cluster, p.Namespace}]
		if !ok || !now.Before(a.next) {
			try = append(try, p)
			continue
		}
		held = append(held, Failure{Namespace: p.Namespace, Name: p.Name, Op: "create", NamespaceMissing: true,
			Error: fmt.Sprintf("namespace %s does not exist (since %s); tried again at %s or at the next write",
				p.Namespace, a.since.UTC().Format(time.RFC3339), a.next.UTC().Format(time.RFC3339))})
	}
	return try, held
}

// noteAbsent updates what the worker knows from res, the reconcile of tried: a namespace newly
// missing is logged once at WARN, one still missing waits longer, one that is back (a policy
// of it was tried and did not fail for its absence) is logged at INFO and forgotten, and one
// the desired policies no longer name is forgotten.
func (w *Worker) noteAbsent(cluster string, desired, tried []Policy, res Result, now time.Time) {
	missing := map[string]int{}
	for _, f := range res.Failures {
		if f.NamespaceMissing {
			missing[f.Namespace]++
		}
	}
	triedNS, desiredNS := map[string]bool{}, map[string]bool{}
	for _, p := range tried {
		triedNS[p.Namespace] = true
	}
	for _, p := range desired {
		desiredNS[p.Namespace] = true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ns := range sortedKeys(missing) {
		k := absentKey{cluster, ns}
		a, known := w.absent[k]
		if !known {
			a = &absence{since: now, wait: absentFirstWait}
			w.absent[k] = a
			w.log.Warn("control-table rows name a namespace that does not exist; their policies are not published and are tried again with a growing wait",
				"cluster", cluster, "namespace", ns, "policies", missing[ns], "firstRetryIn", a.wait)
		} else {
			a.wait = min(2*a.wait, absentMaxWait)
		}
		a.next = now.Add(a.wait)
	}
	for k, a := range w.absent {
		if k.cluster != cluster || missing[k.namespace] > 0 {
			continue
		}
		if !desiredNS[k.namespace] {
			delete(w.absent, k) // its rows were removed from control
			continue
		}
		if !triedNS[k.namespace] {
			continue
		}
		delete(w.absent, k)
		w.log.Info("namespace exists again; its policies are published", "cluster", cluster, "namespace", k.namespace,
			"missingFor", now.Sub(a.since).Round(time.Second))
	}
}

// MissingNamespaces says, for each namespace of cluster this worker found missing, what its
// control-table rows should show: since when, and when it is tried again.
func (w *Worker) MissingNamespaces(cluster string) map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]string{}
	for k, a := range w.absent {
		if k.cluster == cluster {
			out[k.namespace] = fmt.Sprintf("namespace %s does not exist in the cluster (since %s): this row's policy is not published; "+
				"tried again at %s or at the next write", k.namespace, a.since.UTC().Format(time.RFC3339), a.next.UTC().Format(time.RFC3339))
		}
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isNamespaceMissing(err error) bool {
	var nm *NamespaceMissingError
	return errors.As(err, &nm)
}
