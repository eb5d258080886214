// Package settings holds the app's typed configuration as Grafana stores it (jsonData plus
// secureJsonData), with defaults and validation that names the offending field.
package settings

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// Storage modes.
const (
	StorageEmbedded = "embedded"
	StorageServer   = "server"
)

// Secure (encrypted by Grafana) keys.
const (
	SecureClickHousePassword = "clickhousePassword"
)

// App is the whole app configuration.
type App struct {
	Storage       Storage   `json:"storage"`
	Clusters      []Cluster `json:"clusters"`
	Notifications []Channel `json:"notifications,omitempty"`
	// PublishIntervalSeconds is how often every cluster's CapacityPolicies are reconciled with
	// the control table, so drift (kubectl edits, deletions) heals (default 300, 30..86400).
	PublishIntervalSeconds int `json:"publishIntervalSeconds,omitempty"`

	// ClickHousePassword comes from secureJsonData and is never serialised back out.
	ClickHousePassword string `json:"-"`
}

// Storage says where the ClickHouse engine is.
type Storage struct {
	Mode     string `json:"mode"`               // embedded (default) | server
	DataDir  string `json:"dataDir,omitempty"`  // embedded: data directory ("" = default)
	Address  string `json:"address,omitempty"`  // server: host:port of the native protocol
	Database string `json:"database,omitempty"` // server: database (default "kubedoor")
	Username string `json:"username,omitempty"` // server
	Cluster  string `json:"cluster,omitempty"`  // server: ClickHouse cluster name for ON CLUSTER + replicated tables
	TLS      bool   `json:"tls,omitempty"`      // server
}

// Cluster is one Kubernetes cluster and the Prometheus that watches it.
type Cluster struct {
	Name                    string `json:"name"`
	PrometheusURL           string `json:"prometheusUrl"`
	PrometheusUsername      string `json:"prometheusUsername,omitempty"` // basic auth, with the secure password
	PrometheusTLSSkipVerify bool   `json:"prometheusTlsSkipVerify,omitempty"`
	ClusterLabelKey         string `json:"clusterLabelKey,omitempty"`   // set when one Prometheus serves several clusters
	ClusterLabelValue       string `json:"clusterLabelValue,omitempty"` // defaults to Name when the key is set
	TimeZone                string `json:"timeZone,omitempty"`          // IANA name, default UTC
	// KubeAccess is how the backend reaches the cluster's API: KubeAccessKubeconfig (the secure
	// kubeconfig), KubeAccessInCluster (the Grafana pod's service account) or "" (not at all:
	// peak data only, no publishing or actions).
	KubeAccess string `json:"kubeAccess,omitempty"`
	// KubedoorNamespace is where kubedoor-webhook and the backend's leases live in the cluster
	// (default "kubedoor"); enforcement can never be switched on there.
	KubedoorNamespace string `json:"kubedoorNamespace,omitempty"`

	// Secrets, from secureJsonData["clusters.<name>.<key>"]; never serialised back out.
	PrometheusPassword string `json:"-"`
	PrometheusToken    string `json:"-"`
	Kubeconfig         string `json:"-"`
}

// Defaults.
const (
	DefaultPublishIntervalSeconds = 300
	DefaultKubedoorNamespace      = "kubedoor"
)

// Kubernetes access modes.
const (
	KubeAccessKubeconfig = "kubeconfig"
	KubeAccessInCluster  = "in-cluster"
)

// Channel is one notification channel; its webhook URL or token is secure.
type Channel struct {
	ID      string   `json:"id"`
	Cluster string   `json:"cluster,omitempty"` // "" = every cluster
	Kind    string   `json:"kind"`              // wecom | dingtalk | feishu | slack | webhook
	Name    string   `json:"name"`
	Events  []string `json:"events"`
	Enabled bool     `json:"enabled"`

	// Secret is secureJsonData["notifications.<id>"]: the webhook URL (or the bot key).
	Secret string `json:"-"`
}

// SecureKey names a per-cluster or per-channel secret in secureJsonData.
func SecureKey(kind, name, key string) string {
	if key == "" {
		return kind + "." + name
	}
	return kind + "." + name + "." + key
}

// Parse decodes Grafana's jsonData and secureJsonData, applies defaults and validates.
func Parse(jsonData []byte, secure map[string]string) (App, error) {
	var a App
	if len(strings.TrimSpace(string(jsonData))) > 0 {
		if err := json.Unmarshal(jsonData, &a); err != nil {
			return App{}, fmt.Errorf("decoding app settings: %w", err)
		}
	}
	a.ClickHousePassword = secure[SecureClickHousePassword]
	for i := range a.Clusters {
		c := &a.Clusters[i]
		c.PrometheusPassword = secure[SecureKey("clusters", c.Name, "prometheusPassword")]
		c.PrometheusToken = secure[SecureKey("clusters", c.Name, "prometheusToken")]
		c.Kubeconfig = secure[SecureKey("clusters", c.Name, "kubeconfig")]
	}
	for i := range a.Notifications {
		a.Notifications[i].Secret = secure[SecureKey("notifications", a.Notifications[i].ID, "")]
	}
	a.applyDefaults()
	if err := a.Validate(); err != nil {
		return App{}, err
	}
	return a, nil
}

func (a *App) applyDefaults() {
	if a.Storage.Mode == "" {
		a.Storage.Mode = StorageEmbedded
	}
	if a.Storage.Mode == StorageServer && a.Storage.Database == "" {
		a.Storage.Database = "kubedoor"
	}
	if a.PublishIntervalSeconds == 0 {
		a.PublishIntervalSeconds = DefaultPublishIntervalSeconds
	}
	for i := range a.Clusters {
		c := &a.Clusters[i]
		if c.TimeZone == "" {
			c.TimeZone = "UTC"
		}
		if c.KubedoorNamespace == "" {
			c.KubedoorNamespace = DefaultKubedoorNamespace
		}
		if c.ClusterLabelKey != "" && c.ClusterLabelValue == "" {
			c.ClusterLabelValue = c.Name
		}
	}
}

var (
	clusterName   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	namespaceName = clusterName // both are RFC 1123 labels
	identifier    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	promLabelKey  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// Validate returns the first problem found as a *refusal.FieldError.
func (a App) Validate() error {
	switch a.Storage.Mode {
	case StorageEmbedded:
	case StorageServer:
		if a.Storage.Address == "" {
			return refusal.Field("storage.address", "required when storage.mode is server (host:port of the native protocol, e.g. clickhouse:9000)")
		}
		if !strings.Contains(a.Storage.Address, ":") {
			return refusal.Field("storage.address", "must be host:port")
		}
		if !identifier.MatchString(a.Storage.Database) {
			return refusal.Field("storage.database", "must be a plain identifier (letters, digits, underscore)")
		}
		if a.Storage.Cluster != "" && !identifier.MatchString(a.Storage.Cluster) {
			return refusal.Field("storage.cluster", "must be a plain identifier (letters, digits, underscore)")
		}
	default:
		return refusal.Field("storage.mode", fmt.Sprintf("must be %q or %q, got %q", StorageEmbedded, StorageServer, a.Storage.Mode))
	}
	if a.PublishIntervalSeconds < 30 || a.PublishIntervalSeconds > 86400 {
		return refusal.Field("publishIntervalSeconds", "must be from 30 to 86400 seconds")
	}
	seen := map[string]bool{}
	for i, c := range a.Clusters {
		if err := c.validate(fmt.Sprintf("clusters[%d]", i)); err != nil {
			return err
		}
		if seen[c.Name] {
			return refusal.Field(fmt.Sprintf("clusters[%d].name", i), fmt.Sprintf("duplicate cluster name %q", c.Name))
		}
		seen[c.Name] = true
	}
	ids := map[string]bool{}
	for i, ch := range a.Notifications {
		path := fmt.Sprintf("notifications[%d]", i)
		if !channelID.MatchString(ch.ID) {
			return refusal.Field(path+".id", "must be 1-63 letters, digits, '-' or '_'")
		}
		if ids[ch.ID] {
			return refusal.Field(path+".id", fmt.Sprintf("duplicate channel id %q", ch.ID))
		}
		ids[ch.ID] = true
		if !channelKinds[ch.Kind] {
			return refusal.Field(path+".kind", "must be one of wecom, dingtalk, feishu, slack, webhook")
		}
		if ch.Cluster != "" && !seen[ch.Cluster] {
			return refusal.Field(path+".cluster", fmt.Sprintf("no cluster named %q", ch.Cluster))
		}
	}
	return nil
}

var (
	channelID    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,63}$`)
	channelKinds = map[string]bool{"wecom": true, "dingtalk": true, "feishu": true, "slack": true, "webhook": true}
)

func (c Cluster) validate(path string) error {
	if !clusterName.MatchString(c.Name) {
		return refusal.Field(path+".name", "must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit")
	}
	u, err := url.Parse(c.PrometheusURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return refusal.Field(path+".prometheusUrl", "must be an http(s) URL such as http://prometheus:9090")
	}
	if c.ClusterLabelKey != "" && !promLabelKey.MatchString(c.ClusterLabelKey) {
		return refusal.Field(path+".clusterLabelKey", "must be a valid Prometheus label name")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return refusal.Field(path+".timeZone", fmt.Sprintf("unknown IANA time zone %q", c.TimeZone))
	}
	if !namespaceName.MatchString(c.KubedoorNamespace) {
		return refusal.Field(path+".kubedoorNamespace", "must be a namespace name: 1-63 lower-case letters, digits or '-'")
	}
	switch c.KubeAccess {
	case "", KubeAccessInCluster:
	case KubeAccessKubeconfig:
		if strings.TrimSpace(c.Kubeconfig) == "" {
			return refusal.Field(path+".kubeconfig", "kubeAccess is kubeconfig but no kubeconfig is stored (secure field)")
		}
	default:
		return refusal.Field(path+".kubeAccess", fmt.Sprintf("must be %q, %q or empty", KubeAccessKubeconfig, KubeAccessInCluster))
	}
	return nil
}

// Cluster returns the cluster named name.
func (a App) Cluster(name string) (Cluster, bool) {
	for _, c := range a.Clusters {
		if c.Name == name {
			return c, true
		}
	}
	return Cluster{}, false
}

// Default is the configuration used before Grafana hands over saved settings: the embedded
// engine in its default data directory, no clusters.
func Default() App {
	a := App{}
	a.applyDefaults()
	return a
}
