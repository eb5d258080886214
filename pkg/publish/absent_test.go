//go:build parts

package publish

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// syncBuffer is a log destination the worker's goroutines and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) count(sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.b.String(), sub)
}

// A row whose namespace was removed is said once, shown in the publish status,
// and not tried again every period; once the namespace is back, a write publishes it.
func TestARemovedNamespaceIsSaidOnceShownInTheStatusAndTriedWithBackoff(t *testing.T) {
	clean(t)
	live := namespaces(t, 1)[0]
	gone := fmt.Sprintf("gone-%d", nsSeq.Add(1))
	src := newMemSource()
	src.set("prod", FromControl("prod", live, "api", 1, 2, nil), FromControl("prod", gone, "web", 1, 3, nil))
	var logs syncBuffer
	w := NewWorker(WorkerDeps{Desired: src, Log: slog.New(slog.NewTextHandler(&logs, nil))}, Options{})
	startWorker(t, w, newTestEnv(t, 1, prodCluster))

	eventually(t, "four periods have passed", func() (bool, string) {
		st, _ := w.Status("prod")
		return st.Runs >= 4, fmt.Sprintf("%+v", st)
	})
	eventually(t, "the live namespace's policy is published meanwhile", hasReplicas(t, live, "api", 2))
	st, _ := w.Status("prod")
	if st.Result.Failed != 1 || len(st.Result.Failures) != 1 {
		t.Fatalf("status %+v, want the removed namespace's policy as its one failure", st.Result)
	}
	f := st.Result.Failures[0]
	if !f.NamespaceMissing || f.Namespace != gone || f.Name != "web" || !strings.Contains(f.Error, "namespace "+gone+" does not exist (since") ||
		!strings.Contains(f.Error, "tried again at") {
		t.Fatalf("failure %+v, want web held back: its namespace does not exist", f)
	}
	missing := w.MissingNamespaces("prod")
	if len(missing) != 1 || !strings.HasPrefix(missing[gone], "namespace "+gone+" does not exist in the cluster (since ") ||
		!strings.Contains(missing[gone], "tried again at") {
		t.Fatalf("missing namespaces %v, want only %s with since and the next try", missing, gone)
	}
	if n := logs.count("namespace that does not exist"); n != 1 {
		t.Fatalf("the missing namespace was logged %d times in %d runs, want once:\n%s", n, st.Runs, logs.b.String())
	}
	if n := logs.count("policy not published") + logs.count("policies published with failures"); n != 0 {
		t.Fatalf("%d per-period failure lines, want none:\n%s", n, logs.b.String())
	}

	if _, err := kube.Clientset().CoreV1().Namespaces().Create(t.Context(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: gone}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w.Trigger("prod") // a write tries every namespace at once
	eventually(t, "the namespace's policy is published after a write", hasReplicas(t, gone, "web", 3))
	eventually(t, "its return is logged", func() (bool, string) {
		return logs.count("namespace exists again") == 1, ""
	})
	if missing := w.MissingNamespaces("prod"); len(missing) != 0 {
		t.Fatalf("missing namespaces %v once it is back, want none", missing)
	}
}
