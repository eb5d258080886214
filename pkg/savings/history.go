package savings

import (
	"context"
	"fmt"
	"math"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
	"github.com/kubedoor/kubedoor-grafana/pkg/workload"
)

// Stored is one workload's replay (its Replayed) and its latest stored day, the stored "now".
type Stored struct {
	Replayed
	// Latest day: most Ready pods and the summed container requests (cores, bytes) as ran.
	LatestPods           uint32
	LatestCPU, LatestMem float64
}

// replayQuery is backtest.Replay of every current row at once, in the engine: each sample gets
// its row's values (a value the row leaves unset, and a container it does not name, run as
// stored; CPU scaled by the day's most Ready pods ÷ the row's replicas), days are flagged as
// Replay flags them, and each workload comes back as one row of counts, its worst day per
// resource and its latest day. The rows come from control.CurrentSQL inside the same query:
// shipping 10,000 rows' values as array parameters was slower in side-by-side runs, and
// scanning the window's samples into Go slower still (BENCHMARKS.md). A re-collected day is
// deduplicated by argMax over collected_at, what FINAL keeps in this ReplacingMergeTree.
const replayTemplate = `SELECT namespace, kind, workload, count(), sum(over), sum(thr), sum(oomr), sum(over OR thr OR oomr),
       sum(kills), countIf(kills > 0),
       argMax((cpu_used, cpu_req), (if(cpu_req > 0, cpu_used / cpu_req, -1), day)),
       argMax((mem_used, mem_req), (if(mem_req > 0, mem_used / mem_req, -1), day)),
       argMax((pods, now_cpu, now_mem), day)
FROM (
  SELECT namespace, kind, workload, day, max(over1) AS over, max(thr1) AS thr, max(oomr1) AS oomr, sum(oom_kills) AS kills,
         sumIf(cpu, creq > 0) AS cpu_used, sumIf(creq, creq > 0) AS cpu_req,
         sumIf(mem, mreq > 0) AS mem_used, sumIf(mreq, mreq > 0) AS mem_req,
         max(pods_max) AS pods, sum(greatest(cpu_stored, 0)) AS now_cpu, sum(greatest(mem_stored, 0)) AS now_mem
  FROM (
    SELECT s.namespace AS namespace, s.kind AS kind, s.workload AS workload, s.day AS day, s.pods_max AS pods_max, s.oom_kills AS oom_kills,
           s.cpu_request AS cpu_stored, s.mem_request AS mem_stored,
           if(isFinite(s.cpu_p95_max), s.cpu_p95_max, 0) * if(w.rep > 0 AND s.pods_max > 0, s.pods_max / w.rep, 1) AS cpu,
           if(isFinite(s.mem_p95_max), s.mem_p95_max, 0) AS mem,
           if(c.cr > 0, c.cr, greatest(if(isFinite(s.cpu_request), s.cpu_request, 0), 0)) AS creq,
           if(c.cl > 0, c.cl, greatest(if(isFinite(s.cpu_limit), s.cpu_limit, 0), 0)) AS clim,
           if(c.mr > 0, c.mr, greatest(if(isFinite(s.mem_request), s.mem_request, 0), 0)) AS mreq,
           if(c.ml > 0, c.ml, greatest(if(isFinite(s.mem_limit), s.mem_limit, 0), 0)) AS mlim,
           (creq > 0 AND cpu > creq) OR (mreq > 0 AND mem > mreq) AS over1,
           clim > 0 AND cpu >= {thr:Float64} * clim AS thr1,
           mlim > 0 AND mem > {oom:Float64} * mlim AS oomr1
    FROM (SELECT namespace, kind, workload, container, day, argMax(pods_max, collected_at) AS pods_max,
                 argMax(cpu_p95_max, collected_at) AS cpu_p95_max, argMax(mem_p95_max, collected_at) AS mem_p95_max,
                 argMax(cpu_request, collected_at) AS cpu_request, argMax(cpu_limit, collected_at) AS cpu_limit,
                 argMax(mem_request, collected_at) AS mem_request, argMax(mem_limit, collected_at) AS mem_limit,
                 argMax(oom_kills, collected_at) AS oom_kills
          FROM peak_samples
          WHERE cluster = {cluster:String} AND container != '' AND day BETWEEN {from:Date} AND {to:Date}%[2]s
          GROUP BY namespace, kind, workload, container, day) AS s
    INNER JOIN (SELECT namespace, kind, workload, replicas AS rep FROM (%[1]s)) AS w
      ON s.namespace = w.namespace AND s.kind = w.kind AND s.workload = w.workload
    LEFT JOIN (SELECT namespace, kind, workload, cn AS container, toFloat64(greatest(ccr, 0)) * 1e-3 AS cr, toFloat64(greatest(ccl, 0)) * 1e-3 AS cl,
                      toFloat64(greatest(cmr, 0)) * 1048576 AS mr, toFloat64(greatest(cml, 0)) * 1048576 AS ml
               FROM (%[1]s) ARRAY JOIN cn, ccr, ccl, cmr, cml) AS c
      ON s.namespace = c.namespace AND s.kind = c.kind AND s.workload = c.workload AND s.container = c.container
  )
  GROUP BY namespace, kind, workload, day
)
GROUP BY namespace, kind, workload`

// The replay of every row, and of the rows named in {only} (workload.Ref.Target texts).
var (
	replayQuery     = fmt.Sprintf(replayTemplate, control.CurrentSQL, "")
	replayOnlyQuery = fmt.Sprintf(replayTemplate, control.CurrentSQL, " AND has({only:Array(String)}, "+peaks.TargetSQL+")")
)

// clusterReplays replays the current rows of cluster over r in one query: every row when only
// is nil, else the rows it names (namespace and workload; none when empty).
func clusterReplays(ctx context.Context, conn store.Conn, cluster string, r peaks.Range, only []workload.Ref) (map[workload.Ref]Stored, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	query, params := replayQuery, []store.Param{store.P("cluster", cluster), store.P("from", store.Date(r.From)), store.P("to", store.Date(r.To)),
		store.P("thr", backtest.ThrottleShare), store.P("oom", backtest.OOMShare)}
	if only != nil {
		if len(only) == 0 {
			return map[workload.Ref]Stored{}, nil
		}
		keys := make([]string, len(only))
		for i, k := range only {
			keys[i] = k.Target()
		}
		query, params = replayOnlyQuery, append(params, store.P("only", keys))
	}
	res, err := conn.Query(ctx, query, params...)
	if err != nil {
		return nil, fmt.Errorf("replaying the cluster's rows over its peak days: %w", err)
	}
	defer res.Close()
	days := int(math.Round(r.To.Sub(r.From).Hours()/24)) + 1
	out := map[workload.Ref]Stored{}
	for res.Next() {
		var (
			ns, kind, wl                              string
			n, over, thr, oomr, risk, kills, killDays uint64
			cpu, mem                                  []any
			latest                                    []any
		)
		if err := res.Scan(&ns, &kind, &wl, &n, &over, &thr, &oomr, &risk, &kills, &killDays, &cpu, &mem, &latest); err != nil {
			return nil, fmt.Errorf("replaying the cluster's rows over its peak days: %w", err)
		}
		out[workload.Ref{Namespace: ns, Kind: kind, Name: wl}] = Stored{
			Replayed: Replayed{Days: days, HistoryDays: int(n), OverRequestDays: int(over), NearCPUDays: int(thr), NearMemDays: int(oomr),
				RiskDays: int(risk), OOMKills: int(kills), OOMKillDays: int(killDays),
				CPU: newUsage(f64(cpu[0]), f64(cpu[1])), Mem: newUsage(f64(mem[0]), f64(mem[1]))},
			LatestPods: uint32(f64(latest[0])), LatestCPU: f64(latest[1]), LatestMem: f64(latest[2]),
		}
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("replaying the cluster's rows over its peak days: %w", err)
	}
	return out, nil
}

// f64 reads a tuple element the driver scanned as any.
func f64(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case int64:
		return float64(x)
	}
	return 0
}
