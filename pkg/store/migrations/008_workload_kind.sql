-- A workload is (cluster, namespace, kind, name) (issue 12): StatefulSets and DaemonSets are
-- collected and controlled beside Deployments, and one of each may share a name in a namespace.
-- Every row written before this migration is a Deployment's, hence the default. kind joins the
-- end of the sorting key where rows are deduplicated by it (ReplacingMergeTree), so a
-- StatefulSet's sample never replaces a same-named Deployment's; ClickHouse only lets a column
-- added in the same ALTER join the sorting key, only at its end and only without a default, so
-- the default is set by a second ALTER: parts written before it have no kind on disk and read
-- the default, 'Deployment', until a merge writes it.
ALTER TABLE {{.DB}}.peak_samples{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS kind LowCardinality(String) AFTER namespace,
    MODIFY ORDER BY (cluster, namespace, workload, container, day, kind);
ALTER TABLE {{.DB}}.peak_samples{{.OnCluster}}
    MODIFY COLUMN kind LowCardinality(String) DEFAULT 'Deployment';

-- control_rows is a plain MergeTree (nothing is deduplicated); readers take the highest version
-- per (cluster, namespace, kind, workload).
ALTER TABLE {{.DB}}.control_rows{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS kind LowCardinality(String) DEFAULT 'Deployment' AFTER namespace;

ALTER TABLE {{.DB}}.peak_rollup_workload_days{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS kind LowCardinality(String) AFTER namespace,
    MODIFY ORDER BY (cluster, day, namespace, workload, kind);
ALTER TABLE {{.DB}}.peak_rollup_workload_days{{.OnCluster}}
    MODIFY COLUMN kind LowCardinality(String) DEFAULT 'Deployment';

ALTER TABLE {{.DB}}.peak_rollup_workload_months{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS kind LowCardinality(String) AFTER namespace,
    MODIFY ORDER BY (cluster, month, namespace, workload, kind);
ALTER TABLE {{.DB}}.peak_rollup_workload_months{{.OnCluster}}
    MODIFY COLUMN kind LowCardinality(String) DEFAULT 'Deployment';
