-- Initial schema (DESIGN.md §4). A text/template rendered by store.Render: .DB is the quoted
-- database, .OnCluster the ON CLUSTER clause (empty on one node), and the engine function picks
-- the Replicated* variant on a cluster. Every statement is idempotent.
--
-- Conventions: times are DateTime('UTC')/DateTime64(3, 'UTC'); counts are UInt32; JSON is
-- kept as String; "versioned rows" means a change inserts a new row, never ALTER … UPDATE.

-- One row per (cluster, namespace, workload, container, day): the container's usage in the
-- day's peak window. A re-collection inserts the row again with a later collected_at and
-- ReplacingMergeTree keeps the latest; read with FINAL (or argMax by collected_at) until merges
-- catch up. container = '' holds pod totals (the sum of a pod's containers).
-- *_p95_* are the configured quantile (column `quantile`, default 0.95) of the usage series
-- over the window, per pod: *_max is the worst pod, *_avg the mean over pods.
CREATE TABLE IF NOT EXISTS {{.DB}}.peak_samples{{.OnCluster}}
(
    cluster          LowCardinality(String),
    namespace        LowCardinality(String),
    workload         String,
    container        LowCardinality(String),
    day              Date,
    window_start     DateTime('UTC'),
    window_end       DateTime('UTC'),
    pods_min         UInt32 COMMENT 'fewest Running+Ready pods in the window',
    pods_max         UInt32,
    cpu_p95_max      Float64 COMMENT 'cores',
    cpu_p95_avg      Float64 COMMENT 'cores',
    mem_p95_max      Float64 COMMENT 'bytes of working set',
    mem_p95_avg      Float64 COMMENT 'bytes of working set',
    cpu_request      Float64 COMMENT 'cores; 0 = not set',
    cpu_limit        Float64 COMMENT 'cores; 0 = not set',
    mem_request      Float64 COMMENT 'bytes; 0 = not set',
    mem_limit        Float64 COMMENT 'bytes; 0 = not set',
    cpu_pct_of_limit Float64 COMMENT 'cpu_p95_max / cpu_limit * 100; 0 without a limit',
    mem_pct_of_limit Float64 COMMENT 'mem_p95_max / mem_limit * 100; 0 without a limit',
    throttling_ratio Float64 COMMENT 'throttled / total CFS periods in the window, 0..1',
    oom_kills        UInt32,
    quantile         Float64,
    collected_at     DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "collected_at"}}
PARTITION BY toYYYYMM(day)
ORDER BY (cluster, namespace, workload, container, day)
TTL day + toIntervalDay({{.RetentionDays}});

-- The control table: every change inserts the workload's row again with version + 1. Current
-- state = the highest version (ORDER BY version DESC LIMIT 1 BY cluster, namespace, workload,
-- then skip deleted = 1); the older versions are the row's history, so plain MergeTree.
-- Resource fields: -1 = unset (the webhook keeps what the Deployment sent). Sources are
-- 'collected' or 'manual'; collection never overwrites a manual value.
CREATE TABLE IF NOT EXISTS {{.DB}}.control_rows{{.OnCluster}}
(
    cluster              LowCardinality(String),
    namespace            LowCardinality(String),
    workload             String,
    version              UInt64,
    replicas_manual      Int32 COMMENT '-1 = unset',
    replicas_recommended Int32 COMMENT '-1 = unset',
    replicas_observed    Int32 COMMENT '-1 = unset',
    containers Nested
    (
        name               String,
        cpu_request_m      Int64,
        cpu_limit_m        Int64,
        mem_request_mib    Int64,
        mem_limit_mib      Int64,
        cpu_request_source LowCardinality(String),
        cpu_limit_source   LowCardinality(String),
        mem_request_source LowCardinality(String),
        mem_limit_source   LowCardinality(String)
    ),
    peak_day             Date COMMENT 'the day the recommendation was taken from',
    updated_by           String,
    updated_at           DateTime64(3, 'UTC'),
    deleted              UInt8
)
ENGINE = {{engine "MergeTree"}}
ORDER BY (cluster, namespace, workload, version);

-- Who did what, when, to what: append-only.
CREATE TABLE IF NOT EXISTS {{.DB}}.audit_log{{.OnCluster}}
(
    id          UUID,
    at          DateTime64(3, 'UTC'),
    user_login  String,
    user_role   LowCardinality(String),
    action      LowCardinality(String),
    cluster     LowCardinality(String),
    target      String COMMENT 'namespace/workload, schedule id, setting key, ...',
    before_json String,
    after_json  String,
    result      LowCardinality(String) COMMENT 'ok | denied | failed',
    error       String
)
ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(at)
ORDER BY (cluster, target, at, id);

-- Schedules: versioned rows per id, the highest version wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.schedules{{.OnCluster}}
(
    id          UUID,
    version     UInt64,
    cluster     LowCardinality(String),
    name        String,
    kind        LowCardinality(String) COMMENT 'once | cron',
    run_at      Nullable(DateTime('UTC')) COMMENT 'once: when',
    cron        String COMMENT 'cron: 5 fields',
    timezone    String COMMENT 'IANA zone the cron is read in',
    action      LowCardinality(String) COMMENT 'scale | restart | collect | ...',
    targets     Array(String) COMMENT 'namespace/workload',
    params      String COMMENT 'JSON',
    enabled     UInt8,
    next_run_at Nullable(DateTime('UTC')),
    created_by  String,
    created_at  DateTime64(3, 'UTC'),
    updated_by  String,
    updated_at  DateTime64(3, 'UTC'),
    deleted     UInt8
)
ENGINE = {{engine "ReplacingMergeTree" "version"}}
ORDER BY id;

-- One row per run of a schedule, re-inserted as the run progresses; the latest wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.schedule_runs{{.OnCluster}}
(
    id            UUID,
    schedule_id   UUID,
    cluster       LowCardinality(String),
    scheduled_for DateTime('UTC'),
    started_at    DateTime64(3, 'UTC'),
    finished_at   Nullable(DateTime64(3, 'UTC')),
    status        LowCardinality(String) COMMENT 'running | succeeded | failed | skipped',
    error         String,
    result        String COMMENT 'JSON, per target',
    runner        String COMMENT 'backend instance that held the lease',
    updated_at    DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "updated_at"}}
PARTITION BY toYYYYMM(scheduled_for)
ORDER BY (schedule_id, scheduled_for, id);

-- Collection and backfill jobs with progress, re-inserted as they progress; the latest wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.collection_jobs{{.OnCluster}}
(
    id          UUID,
    cluster     LowCardinality(String),
    kind        LowCardinality(String) COMMENT 'daily | backfill | rerun',
    state       LowCardinality(String) COMMENT 'queued | running | succeeded | failed | cancelled',
    first_day   Date,
    last_day    Date,
    days_total  UInt32,
    days_done   UInt32,
    workloads   UInt32,
    error_count UInt32,
    errors      Array(String) COMMENT 'the first errors, capped',
    started_by  String,
    started_at  DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "updated_at"}}
ORDER BY (cluster, id);

-- The backend's persisted settings (DESIGN §8: background work starts from these).
CREATE TABLE IF NOT EXISTS {{.DB}}.settings{{.OnCluster}}
(
    key        String,
    value      String COMMENT 'JSON',
    version    UInt64,
    updated_by String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = {{engine "ReplacingMergeTree" "version"}}
ORDER BY key;
