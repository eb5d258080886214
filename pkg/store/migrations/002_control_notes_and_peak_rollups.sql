-- Control table additions (DESIGN.md §4, §6).
--
-- notes: what the derivation did to this version and why ("cpu request clamped to the limit",
-- "memory request raised after 2 OOM kills"), shown beside the row.
-- write_id: a time-ordered id (UUIDv7 text) of the write that produced the version. Two writers
-- racing past the optimistic-concurrency check insert the same version; readers then take the
-- row with the smallest write_id, and the loser's writer, re-reading after its insert, answers
-- 409. Text, not UUID, so that ordering is the plain lexical (= time) order in SQL and in Go.
-- Rows written before this migration get '' and therefore win any tie, as they did alone.
ALTER TABLE {{.DB}}.control_rows{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS notes Array(String) AFTER peak_day,
    ADD COLUMN IF NOT EXISTS write_id String AFTER deleted;

-- Peak-data rollups for the dashboards (pkg/peaks, query_rollup.go). Aggregating a year of
-- peak_samples on every panel query costs seconds; these tables hold the same sums per
-- workload-day, per namespace-day and per workload-month. They are rebuilt a month at a time
-- from peak_samples FINAL when a query finds that month's samples changed, so re-collections,
-- deletions and TTL show up without the collector knowing about rollups. Each rebuild writes a
-- new generation; readers take, per month, the generation its latest mark names, so a half-done
-- or racing rebuild is never mixed in. Rows of older generations are replaced by merges (same
-- key) or ignored.
--
-- A mark records what the month's samples looked like: the hash of the partition's active part
-- names (any insert, delete, TTL or merge changes it; reading it costs nothing) and the
-- cluster's sample count and newest collected_at (changed by every insert, delete or TTL of
-- the cluster's data, never by a plain merge). Only when the part names moved is the data
-- fingerprint read, and only when that moved too is the month rebuilt.
CREATE TABLE IF NOT EXISTS {{.DB}}.peak_rollup_marks{{.OnCluster}}
(
    cluster          LowCardinality(String),
    month            Date COMMENT 'first day of the month',
    generation       UInt64 COMMENT 'the rebuild, in ns since the epoch; the month''s rollup rows carry it',
    parts_hash       UInt64 COMMENT 'cityHash64 of the sorted active part names of peak_samples in the month''s partition',
    source_rows      UInt64 COMMENT 'count() of the cluster''s samples of the month (before merges)',
    source_collected DateTime64(3, 'UTC') COMMENT 'their newest collected_at',
    refreshed_at     DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "refreshed_at"}}
ORDER BY (cluster, month);

-- One row per (cluster, day, namespace, workload): sums over the workload's containers (pod
-- totals excluded) of pods_min × per-pod values, the fewest/most pods, the highest % of limit.
CREATE TABLE IF NOT EXISTS {{.DB}}.peak_rollup_workload_days{{.OnCluster}}
(
    cluster     LowCardinality(String),
    day         Date,
    namespace   LowCardinality(String),
    workload    String,
    generation  UInt64,
    pods        UInt32 COMMENT 'max over containers of pods_min',
    pods_max    UInt32,
    cpu_usage   Float64 COMMENT 'Σ containers pods_min × cpu_p95_avg, cores',
    mem_usage   Float64 COMMENT 'Σ containers pods_min × mem_p95_avg, bytes',
    cpu_request Float64,
    cpu_limit   Float64,
    mem_request Float64,
    mem_limit   Float64,
    cpu_pct     Float64 COMMENT 'max over containers of cpu_pct_of_limit',
    mem_pct     Float64
)
ENGINE = {{engine "ReplacingMergeTree" "generation"}}
PARTITION BY toYYYYMM(day)
ORDER BY (cluster, day, namespace, workload);

-- One row per (cluster, day, namespace): the workload-day rows summed.
CREATE TABLE IF NOT EXISTS {{.DB}}.peak_rollup_namespace_days{{.OnCluster}}
(
    cluster     LowCardinality(String),
    day         Date,
    namespace   LowCardinality(String),
    generation  UInt64,
    workloads   UInt32,
    pods        UInt64,
    cpu_usage   Float64,
    mem_usage   Float64,
    cpu_request Float64,
    cpu_limit   Float64,
    mem_request Float64,
    mem_limit   Float64
)
ENGINE = {{engine "ReplacingMergeTree" "generation"}}
PARTITION BY toYYYYMM(day)
ORDER BY (cluster, day, namespace);

-- One row per (cluster, month, namespace, workload): the month's worst day by each TOP order.
CREATE TABLE IF NOT EXISTS {{.DB}}.peak_rollup_workload_months{{.OnCluster}}
(
    cluster     LowCardinality(String),
    month       Date,
    namespace   LowCardinality(String),
    workload    String,
    generation  UInt64,
    cpu         Float64,
    cpu_day     Date,
    memory      Float64,
    memory_day  Date,
    cpu_pct     Float64,
    cpu_pct_day Date,
    mem_pct     Float64,
    mem_pct_day Date,
    pods        Float64,
    pods_day    Date
)
ENGINE = {{engine "ReplacingMergeTree" "generation"}}
PARTITION BY toYear(month)
ORDER BY (cluster, month, namespace, workload);
