-- Replicas observed from what the Deployment was sized to run (issue 10 §4, DESIGN.md §6).
--
-- peak_samples.replicas_desired: the most replicas the Deployment's spec asked for in the
-- window (max over time of kube_deployment_spec_replicas). NULL when kube-state-metrics did
-- not export the series, and for every row collected before this migration.
-- peak_samples.pods_ready_median: the median over the window's steps of the Running+Ready pods
-- (rounded up; when it is 0 but some step had a Ready pod, the median over those steps), the
-- fallback when replicas_desired is NULL. NULL for rows collected before this migration.
-- control_rows.replicas_observed_from: which of them replicas_observed came from — 'desired',
-- 'ready-median', 'ready-max' (a row collected before this migration: the most Ready pods) or
-- 'floor' (raised to the cluster's minReplicas); '' for rows derived before it.
ALTER TABLE {{.DB}}.peak_samples{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS replicas_desired Nullable(UInt32) AFTER pods_max,
    ADD COLUMN IF NOT EXISTS pods_ready_median Nullable(UInt32) AFTER replicas_desired;

ALTER TABLE {{.DB}}.control_rows{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS replicas_observed_from LowCardinality(String) DEFAULT '' AFTER replicas_observed;
