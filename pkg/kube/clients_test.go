//go:build parts

package kube

import (
	"context"
	"fmt"
	"os"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedoor/kubedoor-grafana/internal/testenv"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

var kubeconfig string

func TestMain(m *testing.M) {
	kube, err := testenv.StartKube(context.Background(), testenv.KubeOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "kube tests cannot start: %v\n", err)
		os.Exit(1)
	}
	b, err := os.ReadFile(kube.Kubeconfig)
	if err != nil {
		kube.Stop()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kubeconfig = string(b)
	code := m.Run()
	kube.Stop()
	os.Exit(code)
}

func TestAKubeconfigClusterReachesItsAPIServer(t *testing.T) {
	cs := NewClients()
	c := settings.Cluster{Name: "a", KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: kubeconfig}
	client, err := cs.For(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Kubernetes.CoreV1().Namespaces().Get(t.Context(), "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("reading the default namespace: %v", err)
	}
	again, err := cs.For(c)
	if err != nil || again != client {
		t.Fatal("unchanged settings must reuse the client")
	}
}

func TestASavedKubeconfigRebuildsTheClient(t *testing.T) {
	cs := NewClients()
	first, err := cs.For(settings.Cluster{Name: "a", KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: kubeconfig})
	if err != nil {
		t.Fatal(err)
	}
	second, err := cs.For(settings.Cluster{Name: "a", KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: kubeconfig + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Fatal("a changed kubeconfig must build a new client")
	}
}
