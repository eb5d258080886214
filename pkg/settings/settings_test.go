package settings

import (
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		jsonData  string
		secure    map[string]string
		wantField string // "" = valid
		check     func(t *testing.T, a App)
	}{
		{
			name:     "empty settings mean the embedded engine and no clusters",
			jsonData: ``,
			check: func(t *testing.T, a App) {
				if a.Storage.Mode != StorageEmbedded || len(a.Clusters) != 0 {
					t.Fatalf("got %+v", a)
				}
			},
		},
		{
			name:     "a server store gets the default database and the secure password",
			jsonData: `{"storage":{"mode":"server","address":"ch:9000"}}`,
			secure:   map[string]string{SecureClickHousePassword: "s3cret"},
			check: func(t *testing.T, a App) {
				if a.Storage.Database != "kubedoor" || a.ClickHousePassword != "s3cret" {
					t.Fatalf("got %+v", a)
				}
			},
		},
		{
			name:     "a cluster label key without a value takes the cluster name",
			jsonData: `{"clusters":[{"name":"prod-a","prometheusUrl":"http://p:9090","clusterLabelKey":"cluster"}]}`,
			check: func(t *testing.T, a App) {
				c := a.Clusters[0]
				if c.ClusterLabelValue != "prod-a" || c.TimeZone != "UTC" {
					t.Fatalf("got %+v", c)
				}
			},
		},
		{
			name:     "cluster and channel secrets come from secure data",
			jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p","kubeAccess":"kubeconfig","prometheusUsername":"u"}],"notifications":[{"id":"ops","kind":"slack","name":"Ops","events":["denied"],"enabled":true}]}`,
			secure:   map[string]string{"clusters.a.kubeconfig": "apiVersion: v1", "clusters.a.prometheusPassword": "pw", "notifications.ops": "https://hooks.slack.com/x"},
			check: func(t *testing.T, a App) {
				c, ok := a.Cluster("a")
				if !ok || c.Kubeconfig != "apiVersion: v1" || c.PrometheusPassword != "pw" || a.Notifications[0].Secret != "https://hooks.slack.com/x" {
					t.Fatalf("got %+v %+v", c, a.Notifications)
				}
			},
		},
		{name: "kubeconfig access without a stored kubeconfig is rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p","kubeAccess":"kubeconfig"}]}`, wantField: "clusters[0].kubeconfig"},
		{name: "an unknown kube access mode is rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p","kubeAccess":"ssh"}]}`, wantField: "clusters[0].kubeAccess"},
		{name: "a channel of an unknown kind is rejected", jsonData: `{"notifications":[{"id":"x","kind":"pager","name":"x"}]}`, wantField: "notifications[0].kind"},
		{name: "a channel for an unknown cluster is rejected", jsonData: `{"notifications":[{"id":"x","kind":"slack","name":"x","cluster":"nope"}]}`, wantField: "notifications[0].cluster"},
		{name: "an unknown storage mode is rejected", jsonData: `{"storage":{"mode":"mysql"}}`, wantField: "storage.mode"},
		{name: "a server store without an address is rejected", jsonData: `{"storage":{"mode":"server"}}`, wantField: "storage.address"},
		{name: "a database name that is not an identifier is rejected", jsonData: `{"storage":{"mode":"server","address":"a:1","database":"x; DROP"}}`, wantField: "storage.database"},
		{name: "an upper-case cluster name is rejected", jsonData: `{"clusters":[{"name":"Prod","prometheusUrl":"http://p:9090"}]}`, wantField: "clusters[0].name"},
		{name: "a Prometheus URL without a scheme is rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"p:9090"}]}`, wantField: "clusters[0].prometheusUrl"},
		{name: "an unknown time zone is rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p","timeZone":"Mars/Base"}]}`, wantField: "clusters[0].timeZone"},
		{name: "two clusters with one name are rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p"},{"name":"a","prometheusUrl":"http://q"}]}`, wantField: "clusters[1].name"},
		{
			name:     "publishing and the kubedoor namespace have defaults",
			jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p"}]}`,
			check: func(t *testing.T, a App) {
				if a.PublishIntervalSeconds != 300 || a.Clusters[0].KubedoorNamespace != "kubedoor" {
					t.Fatalf("got interval %d, namespace %q", a.PublishIntervalSeconds, a.Clusters[0].KubedoorNamespace)
				}
			},
		},
		{name: "a publish interval under 30 seconds is rejected", jsonData: `{"publishIntervalSeconds":5}`, wantField: "publishIntervalSeconds"},
		{name: "a kubedoor namespace that is not a namespace name is rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p","kubedoorNamespace":"Kube_Door"}]}`, wantField: "clusters[0].kubedoorNamespace"},
		{name: "an invalid label key is rejected", jsonData: `{"clusters":[{"name":"a","prometheusUrl":"http://p","clusterLabelKey":"9x"}]}`, wantField: "clusters[0].clusterLabelKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse([]byte(tt.jsonData), tt.secure)
			if tt.wantField != "" {
				fe, ok := refusal.AsFieldError(err)
				if !ok {
					t.Fatalf("want a field error on %s, got %v", tt.wantField, err)
				}
				if fe.Field != tt.wantField {
					t.Fatalf("want field %s, got %s (%s)", tt.wantField, fe.Field, fe.Reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			tt.check(t, a)
		})
	}
}

func TestParseRejectsMalformedJSON(t *testing.T) {
	if _, err := Parse([]byte(`{"storage":`), nil); err == nil {
		t.Fatal("want an error for truncated JSON")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"storage":{"mode":"server","address":"ch:9000"},"clusters":[{"name":"a","prometheusUrl":"http://p"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data, nil)
		if err == nil {
			// Whatever parses must also re-validate: defaults never produce an invalid App.
			if verr := a.Validate(); verr != nil {
				t.Fatalf("parsed settings fail validation: %v", verr)
			}
		}
	})
}
