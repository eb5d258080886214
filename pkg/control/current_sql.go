package control

import "fmt"

// CurrentSQL is a subquery of cluster {cluster:String}'s current rows for queries that join the
// control table inside the store instead of shipping the rows to it as parameters (slower at
// 10,000 workloads; BENCHMARKS.md). It reads what Current
// reads — each workload's latest version, racing writers resolved by the smallest write_id,
// removed rows left out — one line per workload with the columns
//
//	namespace, kind, workload  String
//	replicas             Int32: the effective replicas as Replicas.Resolve picks them, -1 for none
//	cn                   Array(String): container names
//	ccr, ccl, cmr, cml   Array(Int64): CPU request/limit in millicores, memory request/limit in MiB; -1 = unset
//
// TestCurrentSQLResolvesAsResolve holds replicas to Resolve.
var CurrentSQL = fmt.Sprintf(`SELECT namespace, kind, workload,
       multiIf(replicas_manual >= 0, replicas_manual,
               replicas_recommended >= 0 AND replicas_recommended_active = 1 AND replicas_recommended_for = '%s', replicas_recommended,
               replicas_observed >= 0, replicas_observed, %d) AS replicas,
       cn, ccr, ccl, cmr, cml
FROM (SELECT namespace, kind, workload, replicas_manual, replicas_recommended, replicas_recommended_active,
             replicas_recommended_for, replicas_observed, deleted,
             containers.name AS cn, containers.cpu_request_m AS ccr, containers.cpu_limit_m AS ccl,
             containers.mem_request_mib AS cmr, containers.mem_limit_mib AS cml
      FROM control_rows WHERE cluster = {cluster:String}
      ORDER BY cluster, namespace, kind, workload, version DESC, write_id ASC
      LIMIT 1 BY cluster, namespace, kind, workload)
WHERE deleted = 0`, RecommendedForReplicas, Unset)
