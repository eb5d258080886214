//go:build parts

package testenv_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
)

// One full control plane serves the package's cluster tests: starting it costs seconds.
var (
	kube      *testenv.Kube
	kubeErr   error
	kubeStart time.Duration
)

const fakeNodes = 2

// panicHelperEnv makes the test binary act as a test that panics with a cluster running; see
// TestClusterDiesWithAPanickingTest.
const panicHelperEnv = "TESTENV_PANIC_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(panicHelperEnv) == "1" {
		panicWithClusterRunning()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t0 := time.Now()
	kube, kubeErr = testenv.StartKube(ctx, testenv.FullCluster(fakeNodes))
	kubeStart = time.Since(t0)
	cancel()
	code := m.Run()
	if kube != nil {
		pids := kube.PIDs()
		t0 := time.Now()
		if err := kube.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the shared cluster:", err)
			code = 1
		}
		if alive := alivePIDs(pids); len(alive) > 0 {
			fmt.Fprintln(os.Stderr, "processes left after Stop:", alive)
			code = 1
		}
		fmt.Fprintf(os.Stderr, "shared cluster stopped in %s, no process left\n", time.Since(t0).Round(time.Millisecond))
	}
	os.Exit(code)
}

// cluster returns the shared cluster or fails the test with the start error: a CI run must
// never pass without a real control plane.
func cluster(t *testing.T) *testenv.Kube {
	t.Helper()
	if kubeErr != nil {
		t.Fatalf("starting the shared cluster: %v", kubeErr)
	}
	return kube
}

func TestDeploymentPodsRunOnKwokNodesAndFollowScale(t *testing.T) {
	k := cluster(t)
	cs := k.Clientset()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	ns := createNamespace(ctx, t, k, "deploy")
	t0 := time.Now()
	replicas := int32(2)
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "main", Image: "example.invalid/web:1",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("64Mi"),
					}},
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating deployment: %v", err)
	}
	if err := testenv.WaitDeploymentReady(ctx, cs, ns, "web"); err != nil {
		t.Fatal(err)
	}
	pods, err := testenv.WaitPodsReady(ctx, cs, ns, "app=web", 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("deployment with 2 replicas ready in %s", time.Since(t0).Round(time.Millisecond))
	for _, p := range pods {
		node, err := cs.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("pod %s: getting its node %q: %v", p.Name, p.Spec.NodeName, err)
		}
		if node.Annotations[testenv.KwokNodeAnnotation] != "fake" {
			t.Errorf("pod %s runs on %s, which is not a kwok node", p.Name, node.Name)
		}
		if p.Status.PodIP == "" {
			t.Errorf("pod %s has no IP from kwok", p.Name)
		}
	}

	// Steps run in order: each starts from the previous one's replica count.
	for _, step := range []struct {
		name     string
		replicas int32
	}{
		{"scaling up to 4 adds two running pods", 4},
		{"scaling down to 1 leaves one running pod", 1},
		{"scaling to 0 removes every pod", 0},
	} {
		t.Run(step.name, func(t *testing.T) {
			scale, err := cs.AppsV1().Deployments(ns).GetScale(ctx, "web", metav1.GetOptions{})
			if err != nil {
				t.Fatalf("getting scale: %v", err)
			}
			scale.Spec.Replicas = step.replicas
			updated, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "web", scale, metav1.UpdateOptions{})
			if err != nil {
				t.Fatalf("updating scale: %v", err)
			}
			if updated.Spec.Replicas != step.replicas {
				t.Fatalf("UpdateScale returned %d replicas, want %d", updated.Spec.Replicas, step.replicas)
			}
			if err := testenv.WaitDeploymentReady(ctx, cs, ns, "web"); err != nil {
				t.Fatal(err)
			}
			if _, err := testenv.WaitPodsReady(ctx, cs, ns, "app=web", int(step.replicas)); err != nil {
				t.Fatal(err)
			}
			d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
			if err != nil {
				t.Fatalf("getting deployment: %v", err)
			}
			if *d.Spec.Replicas != step.replicas {
				t.Errorf("deployment spec.replicas = %d, want %d", *d.Spec.Replicas, step.replicas)
			}
		})
	}
}

func TestFakeNodesHaveTheConfiguredCapacity(t *testing.T) {
	k := cluster(t)
	if len(k.Nodes) != fakeNodes {
		t.Fatalf("got nodes %v, want %d", k.Nodes, fakeNodes)
	}
	for _, name := range k.Nodes {
		node, err := k.Clientset().CoreV1().Nodes().Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("getting node %s: %v", name, err)
		}
		for _, want := range []struct {
			name  corev1.ResourceName
			value string
		}{{corev1.ResourceCPU, "32"}, {corev1.ResourceMemory, "256Gi"}, {corev1.ResourcePods, "110"}} {
			got := node.Status.Allocatable[want.name]
			if got.Cmp(resource.MustParse(want.value)) != 0 {
				t.Errorf("node %s allocatable %s = %s, want %s", name, want.name, got.String(), want.value)
			}
		}
	}
}

// TestClusterStartupCostIsReported logs the figures a developer budgets with; run with -v.
func TestClusterStartupCostIsReported(t *testing.T) {
	k := cluster(t)
	t.Logf("full cluster (etcd, apiserver, kcm, scheduler, kwok, %d nodes) cold start: %s", fakeNodes, kubeStart.Round(time.Millisecond))
	for name, after := range k.ReadyAfter {
		t.Logf("  %-24s ready after %s", name, after.Round(time.Millisecond))
	}
	var total int64
	for name, pid := range k.PIDs() {
		rss, err := testenv.RSS(pid)
		if err != nil {
			t.Fatalf("reading RSS of %s: %v", name, err)
		}
		total += rss
		t.Logf("  %-24s pid %-7d RSS %4d MiB", name, pid, rss>>20)
	}
	t.Logf("RSS of the set: %d MiB", total>>20)
}

// TestStopLeavesNoProcessBehind uses its own minimal cluster, which also measures the cold start
// of etcd plus kube-apiserver alone.
func TestStopLeavesNoProcessBehind(t *testing.T) {
	cluster(t) // same binaries: fail early with the shared start error if they are missing
	t0 := time.Now()
	k, err := testenv.StartKube(t.Context(), testenv.KubeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("etcd + kube-apiserver cold start: %s", time.Since(t0).Round(time.Millisecond))
	if _, err := k.Clientset().Discovery().ServerVersion(); err != nil {
		k.Stop()
		t.Fatalf("asking the minimal cluster its version: %v", err)
	}
	pids := k.PIDs()
	if len(pids) != 2 {
		t.Errorf("got processes %v, want etcd and kube-apiserver", pids)
	}
	t1 := time.Now()
	if err := k.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stop took %s", time.Since(t1).Round(time.Millisecond))
	if alive := alivePIDs(pids); len(alive) > 0 {
		t.Errorf("processes alive after Stop: %v", alive)
	}
	if _, err := os.Stat(k.RunDir); !errors.Is(err, fs.ErrNotExist) && os.Getenv(testenv.KeepEnv) != "1" {
		t.Errorf("run dir %s still there after Stop (stat: %v)", k.RunDir, err)
	}
	if err := k.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestClusterDiesWithAPanickingTest runs this binary as a test that panics with a cluster up and
// checks the kernel (Pdeathsig) took the components down with it.
func TestClusterDiesWithAPanickingTest(t *testing.T) {
	cluster(t)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), panicHelperEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Fatalf("helper did not fail; stdout:\n%s", &stdout)
	}
	pids := map[string]int{}
	for line := range strings.Lines(stdout.String()) {
		var name string
		var pid int
		if _, err := fmt.Sscanf(line, "pid %s %d", &name, &pid); err == nil {
			pids[name] = pid
		}
	}
	if len(pids) != 2 {
		t.Fatalf("helper reported pids %v, want etcd and kube-apiserver; stderr:\n%s", pids, lastLines(stderr.String(), 20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(alivePIDs(pids)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if alive := alivePIDs(pids); len(alive) > 0 {
		t.Errorf("components outlived the panicking test: %v", alive)
	}
}

func panicWithClusterRunning() {
	k, err := testenv.StartKube(context.Background(), testenv.KubeOptions{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for name, pid := range k.PIDs() {
		fmt.Printf("pid %s %d\n", name, pid)
	}
	panic("a test panics with a cluster running")
}

func TestStartErrorsSayWhatIsWrong(t *testing.T) {
	for _, tc := range []struct {
		name string
		bins map[string]string // file name → shell script body
		want string
	}{
		{
			name: "missing binaries are named with the script that builds them",
			bins: map[string]string{},
			want: "scripts/build-testbed.sh",
		},
		{
			name: "a component that crashes at start has its last log lines in the error",
			bins: map[string]string{
				"etcd":           "echo 'fatal: disk on fire' >&2; exit 3",
				"kube-apiserver": "exit 1",
			},
			want: "fatal: disk on fire",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.bins {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			k, err := testenv.StartKube(t.Context(), testenv.KubeOptions{BinDir: dir, StartTimeout: 20 * time.Second})
			if err == nil {
				k.Stop()
				t.Fatal("StartKube succeeded with fake binaries")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}

func TestIssuedServingCertsVerifyAgainstTheCA(t *testing.T) {
	ca, err := testenv.NewCA("test-ca")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueServing("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("loading issued pair: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run("the certificate is valid for "+host, func(t *testing.T) {
			if _, err := pair.Leaf.Verify(x509.VerifyOptions{
				DNSName: host, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			}); err != nil {
				t.Error(err)
			}
		})
	}
}

func createNamespace(ctx context.Context, t *testing.T, k *testenv.Kube, prefix string) string {
	t.Helper()
	ns, err := k.Clientset().CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating namespace: %v", err)
	}
	// Pods are refused until the default service account exists; waiting saves the ReplicaSet
	// controller's retry back-off.
	if err := testenv.WaitServiceAccount(ctx, k.Clientset(), ns.Name, "default"); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// alivePIDs returns the processes that still run. A zombie counts as dead: it has exited and
// only waits for its new parent (init) to reap it.
func alivePIDs(pids map[string]int) map[string]int {
	alive := map[string]int{}
	for name, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone
		}
		// The state follows the parenthesised command name: "pid (comm) S ...".
		if i := bytes.LastIndexByte(stat, ')'); i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z' {
			alive[name] = pid
		}
	}
	return alive
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
