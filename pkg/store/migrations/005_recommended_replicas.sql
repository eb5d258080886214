-- Recommended replicas (issue 11 §1, DESIGN.md §6).
--
-- peak_samples.hpa_min_replicas: the minReplicas of the HorizontalPodAutoscaler that targets
-- the workload (kube_horizontalpodautoscaler_spec_min_replicas joined with
-- kube_horizontalpodautoscaler_info's scaletargetref), the last value in the peak window. NULL
-- when no HPA targets it, and for every row collected before this migration: the derivation
-- reads NULL as "no HPA", so a recommendation for an HPA's minReplicas rests on stored data.
-- control_rows.replicas_recommended_for: what replicas_recommended sizes — 'replicas',
-- 'hpaMinReplicas' (advice for the HPA) or '' (none; the reason says why).
-- control_rows.replicas_recommended_reason: the recommendation, or its absence, in one sentence.
-- control_rows.replicas_recommended_active: 1 when the cluster's recommend switch was on and the
-- recommendation is for the replicas, so it takes part in the effective replicas. Rows written
-- before this migration read 0: installing the migration changes no enforced value.
ALTER TABLE {{.DB}}.peak_samples{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS hpa_min_replicas Nullable(UInt32) AFTER pods_ready_median;

ALTER TABLE {{.DB}}.control_rows{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS replicas_recommended_for LowCardinality(String) DEFAULT '' AFTER replicas_observed_from,
    ADD COLUMN IF NOT EXISTS replicas_recommended_reason String DEFAULT '' AFTER replicas_recommended_for,
    ADD COLUMN IF NOT EXISTS replicas_recommended_active UInt8 DEFAULT 0 AFTER replicas_recommended_reason;
