package devhost

import (
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
)

// The parts of Grafana's HTTP API and page shell the app's frontend talks to, standing in for a
// Grafana server (none can run here). Who the caller is comes from the kd_user / kd_role
// cookies, set by the browser run per role; the backend checks the role itself, as in Grafana.

const PluginID = "kubedoor-capacity-app"

func caller(r *http.Request) pluginhost.User {
	u := pluginhost.User{Login: "admin", Role: "Admin"}
	if c, err := r.Cookie("kd_user"); err == nil && c.Value != "" {
		u.Login = c.Value
	}
	if c, err := r.Cookie("kd_role"); err == nil {
		switch c.Value {
		case "Viewer", "Editor", "Admin":
			u.Role = c.Value
		}
	}
	return u
}

// withCaller passes the cookie identity to the plugin gateway as its user headers.
func withCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := caller(r)
		r.Header.Set("X-Grafana-User", u.Login)
		r.Header.Set("X-Grafana-Role", u.Role)
		next.ServeHTTP(w, r)
	})
}

// pluginSettings is Grafana's per-org app settings: jsonData, and secureJsonData that is never
// sent back (only which keys hold a value).
type pluginSettings struct {
	mu       sync.Mutex
	jsonData json.RawMessage
	secure   map[string]string
	// apply hands saved settings to the plugin (pluginhost.Host.SetSettings).
	apply func(jsonData []byte, secure map[string]string)
	log   *slog.Logger
}

type settingsUpdate struct {
	Enabled        bool              `json:"enabled"`
	Pinned         bool              `json:"pinned"`
	JSONData       json.RawMessage   `json:"jsonData"`
	SecureJSONData map[string]string `json:"secureJsonData"`
}

func (s *pluginSettings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.get(w)
	case http.MethodPost:
		s.post(w, r)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *pluginSettings) get(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fields := map[string]bool{}
	for k, v := range s.secure {
		if v != "" {
			fields[k] = true
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": PluginID, "type": "app", "name": "KubeDoor Capacity", "enabled": true, "pinned": true,
		"jsonData": s.jsonData, "secureJsonFields": fields,
	})
}

// post replaces jsonData and merges secureJsonData as Grafana does, then hands the new settings
// to the plugin (Grafana's next call carries them, and the plugin builds a new instance).
func (s *pluginSettings) post(w http.ResponseWriter, r *http.Request) {
	if u := caller(r); u.Role != "Admin" {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Permission denied: plugins:write requires the Admin role"})
		s.log.Info("plugin settings refused", "user", u.Login, "role", u.Role)
		return
	}
	var up settingsUpdate
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&up); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid body: " + err.Error()})
		return
	}
	s.mu.Lock()
	if len(up.JSONData) > 0 {
		s.jsonData = up.JSONData
	}
	for k, v := range up.SecureJSONData {
		s.secure[k] = v
	}
	jsonData, secure := s.jsonData, copyMap(s.secure)
	s.mu.Unlock()
	s.apply(jsonData, secure)
	s.log.Info("plugin settings saved", "user", caller(r).Login, "secureKeys", len(up.SecureJSONData))
	writeJSON(w, http.StatusOK, map[string]string{"message": "Plugin settings updated"})
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// shell is the HTML page every app URL gets: Grafana's boot data for the caller, then the host
// bundle, which mounts the plugin's built module from /public/plugins/<id>/.
var shell = template.Must(template.New("shell").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>KubeDoor · {{.settings.buildInfo.edition}}</title>
<link rel="icon" href="data:,">
<script>window.grafanaBootData = {{.}}; window.__grafana_public_path__ = "/public/";</script>
</head>
<body>
<div id="reactRoot"></div>
<script src="/public/host/host.js"></script>
</body>
</html>
`))

// serveShell answers with the page shell; edition names the host (browser run or demo) on the
// page, so nobody mistakes it for Grafana.
func serveShell(edition string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		shellFor(w, r, edition)
	}
}

func shellFor(w http.ResponseWriter, r *http.Request, edition string) {
	u := caller(r)
	boot := map[string]any{
		"settings": map[string]any{
			"appSubUrl": "", "appUrl": "http://" + r.Host + "/",
			"buildInfo": map[string]any{"version": "12.4.0", "edition": edition},
			"bootData":  nil,
		},
		"user": map[string]any{
			"login": u.Login, "name": u.Login, "orgRole": u.Role, "isSignedIn": true, "orgId": 1,
			"isGrafanaAdmin": u.Role == "Admin", "lightTheme": false, "timezone": "browser",
		},
		"navTree": []any{},
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := shell.Execute(w, boot); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// dashboardIndex lists the provisioned dashboard files for the host's dashboard preview.
func dashboardIndex(dir string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		names := []string{}
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
		sort.Strings(names)
		writeJSON(w, http.StatusOK, names)
	}
}

// static serves dir under prefix, refusing to list directories.
func static(prefix, dir string) http.Handler {
	fs := http.StripPrefix(prefix, http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		fs.ServeHTTP(w, r)
	})
}

// MustDir is path made absolute, or an error naming what is missing there.
func MustDir(path, what string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", fmt.Errorf("%s %s not found (build it first)", what, abs)
	}
	return abs, nil
}
