package clusterhealth

import (
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

func TestFillSecretsTakesOnlyMissingSecretsOfTheSameCluster(t *testing.T) {
	saved := settings.Cluster{Name: "a", PrometheusPassword: "saved-pw", PrometheusToken: "saved-tok", Kubeconfig: "saved-kc"}
	tests := []struct {
		name string
		in   Connection
		want Connection
	}{
		{"an empty secret takes the saved one", Connection{Name: "a"}, Connection{Name: "a", PrometheusPassword: "saved-pw", PrometheusToken: "saved-tok", Kubeconfig: "saved-kc"}},
		{"a typed secret wins over the saved one", Connection{Name: "a", Kubeconfig: "typed"}, Connection{Name: "a", PrometheusPassword: "saved-pw", PrometheusToken: "saved-tok", Kubeconfig: "typed"}},
		{"another cluster's secrets are never used", Connection{Name: "b"}, Connection{Name: "b"}},
		{"an unnamed connection gets nothing", Connection{}, Connection{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.FillSecrets(saved); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
