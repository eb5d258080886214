// Package pluginhost starts a built backend plugin executable the way Grafana does — the
// hashicorp/go-plugin handshake (protocol 2, magic cookie grafana_plugin_type=datasource) over
// gRPC — and calls CheckHealth and CallResource with a chosen Grafana user. Tests use it to talk
// to the real executable; the demo uses it in place of a Grafana server, which cannot run here.
package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// Options describe the plugin process and the app settings Grafana would hand it.
type Options struct {
	Executable string
	PluginID   string
	Env        []string // extra environment, KEY=VALUE
	JSONData   []byte
	Secure     map[string]string
	Log        io.Writer // plugin logs; nil = stderr
}

// User is the Grafana user a call is made as.
type User struct {
	Login string
	Role  string // Viewer | Editor | Admin
}

// Host is a running plugin process.
type Host struct {
	client   *plugin.Client
	diag     grpcplugin.DiagnosticsClient
	resource grpcplugin.ResourceClient
	pluginID string

	mu       sync.Mutex
	settings *pluginv2.AppInstanceSettings
}

// Start launches the executable and completes the handshake.
func Start(opts Options) (*Host, error) {
	if _, err := os.Stat(opts.Executable); err != nil {
		return nil, fmt.Errorf("plugin executable: %w (build it with `go tool mage build:backend`)", err)
	}
	logOut := opts.Log
	if logOut == nil {
		logOut = os.Stderr
	}
	cmd := exec.Command(opts.Executable)
	cmd.Env = append(os.Environ(), opts.Env...)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		Plugins: plugin.PluginSet{
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
		},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logOut, Level: hclog.Debug}),
		StartTimeout:     60 * time.Second,
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("plugin handshake: %w", err)
	}
	h := &Host{client: client, pluginID: opts.PluginID}
	for name, dst := range map[string]any{"diagnostics": &h.diag, "resource": &h.resource} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			client.Kill()
			return nil, fmt.Errorf("dispensing %s: %w", name, err)
		}
		switch d := dst.(type) {
		case *grpcplugin.DiagnosticsClient:
			*d = raw.(grpcplugin.DiagnosticsClient)
		case *grpcplugin.ResourceClient:
			*d = raw.(grpcplugin.ResourceClient)
		}
	}
	h.SetSettings(opts.JSONData, opts.Secure)
	return h, nil
}

// SetSettings replaces the app settings sent with every call, as saving Grafana's config page
// does; the new update time makes the plugin build a new instance.
func (h *Host) SetSettings(jsonData []byte, secure map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if jsonData == nil {
		jsonData = []byte("{}")
	}
	last := time.Now().UnixMilli()
	if h.settings != nil && last <= h.settings.LastUpdatedMS {
		last = h.settings.LastUpdatedMS + 1
	}
	h.settings = &pluginv2.AppInstanceSettings{JsonData: jsonData, DecryptedSecureJsonData: secure, LastUpdatedMS: last}
}

func (h *Host) pluginContext(u User) *pluginv2.PluginContext {
	h.mu.Lock()
	defer h.mu.Unlock()
	return &pluginv2.PluginContext{
		OrgId:               1,
		PluginId:            h.pluginID,
		User:                &pluginv2.User{Login: u.Login, Name: u.Login, Role: u.Role},
		AppInstanceSettings: h.settings,
		GrafanaConfig:       map[string]string{},
		UserAgent:           "kubedoor-pluginhost",
		PluginVersion:       "dev",
		ApiVersion:          "v0alpha1",
	}
}

// CheckHealth calls the plugin's health check as u.
func (h *Host) CheckHealth(ctx context.Context, u User) (*pluginv2.CheckHealthResponse, error) {
	return h.diag.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: h.pluginContext(u)})
}

// Response is a resource call's answer.
type Response struct {
	Status  int
	Headers http.Header
	Body    []byte
}

// Call makes a resource call as u; path is relative to the plugin's resources root ("v1/status").
func (h *Host) Call(ctx context.Context, u User, method, path string, body []byte) (*Response, error) {
	return h.CallWithHeaders(ctx, u, method, path, nil, body)
}

// CallWithHeaders is Call with request headers.
func (h *Host) CallWithHeaders(ctx context.Context, u User, method, path string, headers http.Header, body []byte) (*Response, error) {
	pathOnly, _, _ := cutQuery(path)
	req := &pluginv2.CallResourceRequest{
		PluginContext: h.pluginContext(u),
		Path:          pathOnly,
		Method:        method,
		Url:           "/api/plugins/" + h.pluginID + "/resources/" + path,
		Headers:       map[string]*pluginv2.StringList{},
		Body:          body,
	}
	for k, vs := range headers {
		req.Headers[k] = &pluginv2.StringList{Values: vs}
	}
	stream, err := h.resource.CallResource(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("call resource %s %s: %w", method, path, err)
	}
	out := &Response{Headers: http.Header{}}
	for {
		part, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("call resource %s %s: receiving: %w", method, path, err)
		}
		if part.Code != 0 {
			out.Status = int(part.Code)
		}
		for k, v := range part.Headers {
			out.Headers[k] = append(out.Headers[k], v.Values...)
		}
		out.Body = append(out.Body, part.Body...)
	}
	return out, nil
}

// Stop ends the plugin process.
func (h *Host) Stop() { h.client.Kill() }

// Exited reports whether the plugin process has ended.
func (h *Host) Exited() bool { return h.client.Exited() }

func cutQuery(p string) (string, string, bool) {
	for i := 0; i < len(p); i++ {
		if p[i] == '?' {
			return p[:i], p[i+1:], true
		}
	}
	return p, "", false
}
