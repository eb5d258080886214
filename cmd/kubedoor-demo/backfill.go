package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
)

var operator = pluginhost.User{Login: "demo", Role: "Editor"}

// backfill collects the demo's history through the API, as an operator would from the
// Collection page, so the control table is derived and published before the demo is handed over.
func backfill(ctx context.Context, host *pluginhost.Host, days int, log *slog.Logger) error {
	var job struct {
		ID, State           string
		DaysDone, DaysTotal int
		Errors              []string
	}
	body, _ := json.Marshal(map[string]int{"days": days})
	for attempt := 0; ; attempt++ {
		res, err := host.Call(ctx, operator, "POST", "v1/clusters/demo/collections", body)
		if err != nil {
			return err
		}
		if res.Status == 202 {
			if err := json.Unmarshal(res.Body, &job); err != nil {
				return err
			}
			break
		}
		// 409: the daily collection's start-up catch-up is running; wait for it.
		if res.Status != 409 || attempt > 120 {
			return fmt.Errorf("starting the backfill: %d %s", res.Status, res.Body)
		}
		time.Sleep(time.Second)
	}
	log.Info("collecting the demo's peak history", "days", days, "job", job.ID)
	for job.State != "succeeded" {
		if job.State == "failed" || job.State == "cancelled" {
			return fmt.Errorf("backfill %s: %v", job.State, job.Errors)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		res, err := host.Call(ctx, operator, "GET", "v1/collections/"+job.ID, nil)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(res.Body, &job); err != nil {
			return err
		}
	}
	res, err := host.Call(ctx, operator, "GET", "v1/control?cluster=demo", nil)
	if err != nil {
		return err
	}
	var table struct{ Total int }
	_ = json.Unmarshal(res.Body, &table)
	fmt.Printf("collected %d days; the control table holds %d workloads and is published as CapacityPolicies\n", job.DaysDone, table.Total)
	return nil
}
