package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/internal/pluginhost"
)

var operator = pluginhost.User{Login: "demo", Role: "Editor"}

// backfill collects the demo's history through the API, as an operator would from Clusters &
// settings, so the control table is derived and published before the demo is handed over.
func backfill(ctx context.Context, host *pluginhost.Host, days int, p *progress) error {
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
		if attempt%15 == 0 {
			p.printf("  waiting for the daily collection's start-up catch-up to finish before the backfill")
		}
		time.Sleep(time.Second)
	}
	t0 := time.Now()
	p.printf("collecting %d days of peak history (job %s) …", days, job.ID)
	last := time.Now()
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
		if time.Since(last) >= p.every {
			last = time.Now()
			p.printf("  collecting: %d of %d days (%.0fs so far)", job.DaysDone, job.DaysTotal, time.Since(t0).Seconds())
		}
	}
	res, err := host.Call(ctx, operator, "GET", "v1/control?cluster=demo", nil)
	if err != nil {
		return err
	}
	var table struct{ Total int }
	_ = json.Unmarshal(res.Body, &table)
	p.printf("collected %d days in %.0fs; the control table holds %d workloads and is published as CapacityPolicies",
		job.DaysDone, time.Since(t0).Seconds(), table.Total)
	return nil
}
