package kube

import (
	"errors"
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
	"k8s.io/client-go/rest"
)

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

func contains(s, sub string) bool { return strings.Contains(s, sub) }
