package pluginhost

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Gateway serves the part of Grafana's HTTP API that reaches one app plugin, backed by h:
//
//	/api/plugins/<id>/resources/<path>  → CallResource
//	/api/plugins/<id>/health            → CheckHealth, as {"status","message","details"}
//
// The caller is def unless the request names another with the headers X-Grafana-User and
// X-Grafana-Role — a stand-in for Grafana's login, for the local demo and browser tests only.
func (h *Host) Gateway(def User) http.Handler {
	prefix := "/api/plugins/" + h.pluginID + "/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok {
			http.NotFound(w, r)
			return
		}
		u := def
		if v := r.Header.Get("X-Grafana-User"); v != "" {
			u.Login = v
		}
		if v := r.Header.Get("X-Grafana-Role"); v != "" {
			u.Role = v
		}
		switch {
		case rest == "health":
			h.serveHealth(w, r, u)
		case strings.HasPrefix(rest, "resources/"):
			h.serveResource(w, r, u, strings.TrimPrefix(rest, "resources/"))
		default:
			http.NotFound(w, r)
		}
	})
}

func (h *Host) serveHealth(w http.ResponseWriter, r *http.Request, u User) {
	res, err := h.CheckHealth(r.Context(), u)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := map[string]any{"status": res.Status.String(), "message": res.Message}
	if len(res.JsonDetails) > 0 {
		out["details"] = json.RawMessage(res.JsonDetails)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (h *Host) serveResource(w http.ResponseWriter, r *http.Request, u User, path string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	res, err := h.CallWithHeaders(r.Context(), u, r.Method, path, r.Header.Clone(), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, vs := range res.Headers {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(res.Body)
}
