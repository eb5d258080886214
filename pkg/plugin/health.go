package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// CheckHealth answers Grafana's health check with the store's and each Prometheus' state.
func (a *App) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if a.settingsErr != nil {
		return &backend.CheckHealthResult{
			Status:  backend.HealthStatusError,
			Message: "invalid app settings: " + a.settingsErr.Error(),
		}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st := a.svc.Status(ctx)

	problems := []string{}
	if !st.Store.OK {
		problems = append(problems, "store: "+st.Store.Message)
	}
	for _, p := range st.Prometheus {
		if !p.OK {
			problems = append(problems, fmt.Sprintf("prometheus (%s): %s", p.Cluster, p.Message))
		}
	}
	details, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encoding health details: %w", err)
	}
	res := &backend.CheckHealthResult{Status: backend.HealthStatusOk, JSONDetails: details}
	if len(problems) > 0 {
		res.Status = backend.HealthStatusError
		res.Message = strings.Join(problems, "; ")
		return res, nil
	}
	res.Message = fmt.Sprintf("%s; %d Prometheus reachable", st.Store.Message, len(st.Prometheus))
	if e := st.Store.Engine; e != nil && e.Library != "" {
		// Health is for admins: it names the engine file, which v1/status leaves out.
		res.Message = fmt.Sprintf("%s; engine %s loaded from %s", res.Message, e.Version, e.Library)
	}
	return res, nil
}
