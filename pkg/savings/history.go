package savings

import (
	"context"
	"fmt"
	"math"

	"github.com/kubedoor/kubedoor-grafana/pkg/backtest"
	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Stored is one workload's replay (its Replayed) and its latest stored day, the stored "now".
type Stored struct {
	Replayed
	// Latest day: most Ready pods and the summed container requests (cores, bytes) as ran.
	LatestPods           uint32
	LatestCPU, LatestMem float64
}

// replayQuery is backtest.Replay of every row at once, in the engine: each sample gets the
// row's values (a value the row leaves unset, and a container it does not name, run as stored;
// CPU scaled by the day's most Ready pods ÷ the row's replicas), days are flagged as Replay flags
// them, and each workload comes back as one row of counts, its worst day per resource and its
// latest day. Scanning a year of a large cluster's samples into Go, not the engine's read, was
// what the first version spent its time on. A re-collected day is deduplicated by argMax over
// collected_at, what FINAL keeps in this ReplacingMergeTree; the whole query measured the same
// either way (BENCHMARKS.md, which also says where its time goes and what to try next).
const replayQuery = `SELECT namespace, workload, count(), sum(over), sum(thr), sum(oomr), sum(over OR thr OR oomr),
       sum(kills), countIf(kills > 0),
       argMax((cpu_used, cpu_req), (if(cpu_req > 0, cpu_used / cpu_req, -1), day)),
       argMax((mem_used, mem_req), (if(mem_req > 0, mem_used / mem_req, -1), day)),
       argMax((pods, now_cpu, now_mem), day)
FROM (
  SELECT namespace, workload, day, max(over1) AS over, max(thr1) AS thr, max(oomr1) AS oomr, sum(oom_kills) AS kills,
         sumIf(cpu, creq > 0) AS cpu_used, sumIf(creq, creq > 0) AS cpu_req,
         sumIf(mem, mreq > 0) AS mem_used, sumIf(mreq, mreq > 0) AS mem_req,
         max(pods_max) AS pods, sum(greatest(cpu_stored, 0)) AS now_cpu, sum(greatest(mem_stored, 0)) AS now_mem
  FROM (
    SELECT s.namespace AS namespace, s.workload AS workload, s.day AS day, s.pods_max AS pods_max, s.oom_kills AS oom_kills,
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
    FROM (SELECT namespace, workload, container, day, argMax(pods_max, collected_at) AS pods_max,
                 argMax(cpu_p95_max, collected_at) AS cpu_p95_max, argMax(mem_p95_max, collected_at) AS mem_p95_max,
                 argMax(cpu_request, collected_at) AS cpu_request, argMax(cpu_limit, collected_at) AS cpu_limit,
                 argMax(mem_request, collected_at) AS mem_request, argMax(mem_limit, collected_at) AS mem_limit,
                 argMax(oom_kills, collected_at) AS oom_kills
          FROM peak_samples
          WHERE cluster = {cluster:String} AND container != '' AND day BETWEEN {from:Date} AND {to:Date}
          GROUP BY namespace, workload, container, day) AS s
    INNER JOIN (SELECT t.1 AS namespace, t.2 AS workload, t.3 AS rep
                FROM (SELECT arrayJoin(arrayZip({wns:Array(String)}, {wwl:Array(String)}, {wrep:Array(Int32)})) AS t)) AS w
      ON s.namespace = w.namespace AND s.workload = w.workload
    LEFT JOIN (SELECT t.1 AS namespace, t.2 AS workload, t.3 AS container, t.4 AS cr, t.5 AS cl, t.6 AS mr, t.7 AS ml
               FROM (SELECT arrayJoin(arrayZip({cns:Array(String)}, {cwl:Array(String)}, {cct:Array(String)},
                     {ccr:Array(Float64)}, {ccl:Array(Float64)}, {cmr:Array(Float64)}, {cml:Array(Float64)})) AS t)) AS c
      ON s.namespace = c.namespace AND s.workload = c.workload AND s.container = c.container
  )
  GROUP BY namespace, workload, day
)
GROUP BY namespace, workload`

// clusterReplays replays every row (the current rows of cluster) over r in one query.
func clusterReplays(ctx context.Context, conn store.Conn, cluster string, r peaks.Range, rows []control.Row) (map[[2]string]Stored, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var wns, wwl, cns, cwl, cct []string
	var wrep []int32
	var ccr, ccl, cmr, cml []float64
	// Proposed values in peak-data units, 0 = run as stored (backtest.Replay's pick).
	unit := func(v int64, u float64) float64 { return float64(max(v, 0)) * u }
	for _, row := range rows {
		p := backtest.ProposalOf(row)
		wns, wwl, wrep = append(wns, row.Namespace), append(wwl, row.Workload), append(wrep, p.Replicas)
		for _, c := range p.Containers {
			cns, cwl, cct = append(cns, row.Namespace), append(cwl, row.Workload), append(cct, c.Name)
			ccr, ccl = append(ccr, unit(c.CPURequestMillis, 1e-3)), append(ccl, unit(c.CPULimitMillis, 1e-3))
			cmr, cml = append(cmr, unit(c.MemRequestMiB, 1<<20)), append(cml, unit(c.MemLimitMiB, 1<<20))
		}
	}
	res, err := conn.Query(ctx, replayQuery, store.P("cluster", cluster), store.P("from", store.Date(r.From)), store.P("to", store.Date(r.To)),
		store.P("thr", backtest.ThrottleShare), store.P("oom", backtest.OOMShare),
		store.P("wns", wns), store.P("wwl", wwl), store.P("wrep", wrep),
		store.P("cns", cns), store.P("cwl", cwl), store.P("cct", cct), store.P("ccr", ccr), store.P("ccl", ccl), store.P("cmr", cmr), store.P("cml", cml))
	if err != nil {
		return nil, fmt.Errorf("replaying the cluster's rows over its peak days: %w", err)
	}
	defer res.Close()
	days := int(math.Round(r.To.Sub(r.From).Hours()/24)) + 1
	out := make(map[[2]string]Stored, len(rows))
	for res.Next() {
		var (
			ns, wl                                    string
			n, over, thr, oomr, risk, kills, killDays uint64
			cpu, mem                                  []any
			latest                                    []any
		)
		if err := res.Scan(&ns, &wl, &n, &over, &thr, &oomr, &risk, &kills, &killDays, &cpu, &mem, &latest); err != nil {
			return nil, fmt.Errorf("replaying the cluster's rows over its peak days: %w", err)
		}
		out[[2]string{ns, wl}] = Stored{
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
