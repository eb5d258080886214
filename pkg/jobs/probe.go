package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/kubedoor/kubedoor-grafana/pkg/clustersettings"
	"github.com/kubedoor/kubedoor-grafana/pkg/peakwindow"
	"github.com/kubedoor/kubedoor-grafana/pkg/prom"
	"github.com/kubedoor/kubedoor-grafana/pkg/promql"
	"github.com/kubedoor/kubedoor-grafana/pkg/settings"
)

// unavailableDays asks Prometheus, before a job collects anything, which of its days it holds no
// pod series for at all: one instant query per day and peak window (promql.PodSeriesIn at the
// window's end), with the cluster's query concurrency. Those days are reported on the job and
// not collected, and their stored rows stay. A probe that fails stops the probing: the days are
// then collected as usual and the collection reports its own errors.
func unavailableDays(ctx context.Context, client prom.Client, cl settings.Cluster, cs clustersettings.ClusterSettings, first, last peakwindow.Day) ([]peakwindow.Day, error) {
	loc, err := cs.Location()
	if err != nil {
		return nil, err
	}
	windows, err := cs.Windows()
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cl.Name, err)
	}
	scope := promql.Scope{ClusterKey: cl.ClusterLabelKey, ClusterValue: cl.ClusterLabelValue}
	timeout := time.Duration(cs.Collect.QueryTimeoutSeconds) * time.Second
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	n := first.DaysUntil(last) + 1
	empty := make([]bool, n)
	sem := make(chan struct{}, max(cs.Collect.Concurrency, 1))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := range n {
		day := first.AddDays(i)
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			series, err := podSeries(ctx, client, scope, windows, day, loc, timeout)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("probing %s: %w", day, err)
				}
				cancel()
				return
			}
			empty[i] = series == 0
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []peakwindow.Day
	for i, e := range empty {
		if e {
			out = append(out, first.AddDays(i))
		}
	}
	return out, nil
}

// podSeries is how many pod-owner series Prometheus holds in day's peak windows (the largest
// over the windows; one is enough for the day to be there).
func podSeries(ctx context.Context, client prom.Client, scope promql.Scope, windows []peakwindow.Window, day peakwindow.Day, loc *time.Location, timeout time.Duration) (int, error) {
	most := 0
	for _, w := range windows {
		sp := w.On(day, loc)
		if sp.Duration() <= 0 {
			continue // a window inside a skipped DST hour: nothing to probe
		}
		qctx, cancel := context.WithTimeout(ctx, timeout)
		v, err := client.Query(qctx, promql.PodSeriesIn(scope, sp.Duration()), sp.End)
		cancel()
		if err != nil {
			return 0, err
		}
		vec, ok := v.(model.Vector)
		if !ok {
			return 0, errors.New("the pod-series probe did not answer a vector")
		}
		for _, s := range vec {
			most = max(most, int(s.Value))
		}
	}
	return most, nil
}
