package clusterhealth

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/kubedoor/kubedoor-grafana/pkg/kube"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// Connection is a cluster connection as the configuration page holds it before saving, secrets
// included (POST v1/clusters/test). It is used for one test and never stored.
type Connection struct {
	Name                    string `json:"name"`
	PrometheusURL           string `json:"prometheusUrl"`
	PrometheusUsername      string `json:"prometheusUsername"`
	PrometheusPassword      string `json:"prometheusPassword"`
	PrometheusToken         string `json:"prometheusToken"`
	PrometheusTLSSkipVerify bool   `json:"prometheusTlsSkipVerify"`
	ClusterLabelKey         string `json:"clusterLabelKey"`
	ClusterLabelValue       string `json:"clusterLabelValue"`
	TimeZone                string `json:"timeZone"`
	KubeAccess              string `json:"kubeAccess"`
	KubedoorNamespace       string `json:"kubedoorNamespace"`
	Kubeconfig              string `json:"kubeconfig"`
}

// FillSecrets takes the secrets c leaves empty from saved, the stored cluster of the same name:
// Grafana never hands stored secrets back to the browser, so an admin re-testing a saved
// cluster sends none. Secrets c does carry win.
func (c Connection) FillSecrets(saved settings.Cluster) Connection {
	if c.Name == "" || c.Name != saved.Name {
		return c
	}
	if c.PrometheusPassword == "" {
		c.PrometheusPassword = saved.PrometheusPassword
	}
	if c.PrometheusToken == "" {
		c.PrometheusToken = saved.PrometheusToken
	}
	if c.Kubeconfig == "" {
		c.Kubeconfig = saved.Kubeconfig
	}
	return c
}

// Cluster validates c exactly as saved settings are (settings.Parse: defaults, then validation)
// and returns it; a problem is a *refusal.FieldError naming the body's field.
func (c Connection) Cluster() (settings.Cluster, error) {
	name := c.Name
	if name == "" {
		name = "new-cluster" // a connection may be tested before it is named
	}
	jsonData, err := json.Marshal(map[string]any{"clusters": []settings.Cluster{{
		Name: name, PrometheusURL: c.PrometheusURL, PrometheusUsername: c.PrometheusUsername,
		PrometheusTLSSkipVerify: c.PrometheusTLSSkipVerify, ClusterLabelKey: c.ClusterLabelKey,
		ClusterLabelValue: c.ClusterLabelValue, TimeZone: c.TimeZone, KubeAccess: c.KubeAccess,
		KubedoorNamespace: c.KubedoorNamespace,
	}}})
	if err != nil {
		return settings.Cluster{}, err
	}
	app, err := settings.Parse(jsonData, map[string]string{
		settings.SecureKey("clusters", name, "prometheusPassword"): c.PrometheusPassword,
		settings.SecureKey("clusters", name, "prometheusToken"):    c.PrometheusToken,
		settings.SecureKey("clusters", name, "kubeconfig"):         c.Kubeconfig,
	})
	if err != nil {
		if fe, ok := refusal.AsFieldError(err); ok {
			return settings.Cluster{}, &refusal.FieldError{Field: strings.TrimPrefix(fe.Field, "clusters[0]."), Reason: fe.Reason}
		}
		return settings.Cluster{}, err
	}
	return app.Clusters[0], nil
}

// TestResult is the answer of POST v1/clusters/test.
type TestResult struct {
	Prometheus PromStatus `json:"prometheus"`
	Kubernetes KubeStatus `json:"kubernetes"`
	Webhook    struct {
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	} `json:"webhook"`
}

// Test checks cl's Prometheus, Kubernetes API and webhook with throwaway clients.
func Test(ctx context.Context, cl settings.Cluster) TestResult {
	t := Target{Cluster: cl.Name}
	t.Prom, t.PromErr = prom.New(prom.Config{
		URL: cl.PrometheusURL, Username: cl.PrometheusUsername, Password: cl.PrometheusPassword,
		BearerToken: cl.PrometheusToken, InsecureSkipVerify: cl.PrometheusTLSSkipVerify, Timeout: Timeout,
	})
	if c, err := kube.NewClients().For(cl); err != nil {
		t.KubeErr = err
	} else {
		t.Kube = c.Kubernetes
	}
	h := Check(ctx, t, nil)
	var out TestResult
	out.Prometheus, out.Kubernetes = h.Prometheus, h.Kubernetes
	out.Webhook.OK = h.Webhook.Installed && h.Webhook.Ready
	out.Webhook.Message = h.Webhook.Message
	return out
}
