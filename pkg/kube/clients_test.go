package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

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
	if _, err := client.Kubernetes.CoreV1().Namespaces().Get(context.Background(), "default", metav1.GetOptions{}); err != nil {
		t.Fatalf("reading the default namespace: %v", err)
	}
	again, err := cs.For(c)
	if err != nil || again != client {
		t.Fatal("unchanged settings must reuse the client")
	}
}

func TestAccessSettingsDecideTheClient(t *testing.T) {
	tests := []struct {
		name    string
		cluster settings.Cluster
		wantErr error
		wantMsg string
	}{
		{name: "no access configured is ErrNoAccess", cluster: settings.Cluster{Name: "x"}, wantErr: ErrNoAccess},
		{name: "a broken kubeconfig names the cluster", cluster: settings.Cluster{Name: "x", KubeAccess: settings.KubeAccessKubeconfig, Kubeconfig: "{{not yaml"}, wantMsg: "cluster x: reading its kubeconfig"},
		{name: "in-cluster access outside a pod says so", cluster: settings.Cluster{Name: "x", KubeAccess: settings.KubeAccessInCluster}, wantMsg: "cluster x: in-cluster credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := NewClients()
			cs.inCluster = func() (*rest.Config, error) { return nil, rest.ErrNotInCluster }
			_, err := cs.For(tt.cluster)
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantMsg != "" && !contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %q, want it to contain %q", err, tt.wantMsg)
			}
		})
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

func contains(s, sub string) bool { return strings.Contains(s, sub) }
