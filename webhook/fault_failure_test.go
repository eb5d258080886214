//go:build parts

package main_test

import (
	"sync"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// The webhook must never be the reason a cluster cannot deploy (the reference KubeDoor's worst defect): with
// failurePolicy Ignore, a hung or dead webhook costs at most timeoutSeconds in enforced
// namespaces, and nothing anywhere else.
func TestAHungWebhookDelaysOnlyEnforcedNamespacesAndOnlyUpToTheTimeout(t *testing.T) {
	ctx := t.Context()
	enforced := mustNamespace(ctx, "hung", v1alpha1.ControlEnforce, "")
	plain := mustNamespace(ctx, "plain", "", "")

	if err := hook.Process().Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hook.Process().Signal(syscall.SIGCONT) }()

	var wg sync.WaitGroup
	var enforcedErr, plainErr error
	var enforcedTook, plainTook time.Duration
	wg.Add(2)
	go func() {
		defer wg.Done()
		start := time.Now()
		// Unregistered in a deny namespace: the webhook would refuse it, but it cannot answer.
		_, enforcedErr = cs.AppsV1().Deployments(enforced).Create(ctx, deployment("api", 2), metav1.CreateOptions{})
		enforcedTook = time.Since(start)
	}()
	go func() {
		defer wg.Done()
		start := time.Now()
		_, plainErr = cs.AppsV1().Deployments(plain).Create(ctx, deployment("api", 2), metav1.CreateOptions{})
		plainTook = time.Since(start)
	}()
	wg.Wait()
	if enforcedErr != nil {
		t.Fatalf("create in an enforced namespace with the webhook hung: %v (want admitted: failurePolicy Ignore)", enforcedErr)
	}
	if limit := (timeoutSeconds + 3) * time.Second; enforcedTook > limit {
		t.Fatalf("create in an enforced namespace took %s, more than the %ds timeout allows", enforcedTook, timeoutSeconds)
	}
	if plainErr != nil {
		t.Fatal(plainErr)
	}
	if plainTook >= timeoutSeconds*time.Second {
		t.Fatalf("create in an unlabelled namespace took %s: it waited on the hung webhook", plainTook)
	}
	wantReplicas(t, stored(t, enforced, "api"), 2, "admitted unmodified while the webhook was hung")
	t.Logf("hung webhook: enforced-namespace create took %s, unlabelled %s", enforcedTook.Round(time.Millisecond), plainTook.Round(time.Millisecond))
}

func TestAKilledWebhookFailsOpenAndEnforcementResumesWhenItReturns(t *testing.T) {
	ctx := t.Context()
	ns := mustNamespace(ctx, "outage", v1alpha1.ControlEnforce, "")
	hook.Stop()
	restarted := false
	defer func() {
		if !restarted {
			if err := hook.Start(ctx); err != nil {
				t.Errorf("restarting the webhook: %v", err)
			}
		}
	}()

	start := time.Now()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("during-outage", 2), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create with the webhook down: %v (want admitted: failurePolicy Ignore)", err)
	}
	if took := time.Since(start); took > timeoutSeconds*time.Second {
		t.Fatalf("create with the webhook down took %s", took)
	}
	wantReplicas(t, stored(t, ns, "during-outage"), 2, "admitted unmodified while the webhook was down")

	if err := hook.Start(ctx); err != nil {
		t.Fatalf("restarting the webhook: %v", err)
	}
	restarted = true
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; ; i++ {
		_, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("after-outage-"+string(rune('a'+i%26)), 2), metav1.CreateOptions{})
		if apierrors.IsForbidden(err) {
			return // the unregistered workload is refused again
		}
		if time.Now().After(deadline) {
			t.Fatalf("enforcement did not resume after the restart: last create gave %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
