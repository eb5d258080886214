-- Collection jobs report what they did not overwrite (issue 10 §5, docs/api.md "Collection jobs").
--
-- kept: JSON array of the days whose stored peak rows a job left in place, each
--   {day, storedWorkloads, foundWorkloads, keptWorkloads, reason}: a day Prometheus answered
--   empty or with too few of the stored workloads (collect.minFoundRatio) keeps all its rows; a
--   replaced day keeps the rows of stored workloads the answer lacked.
-- unavailable: the days of the job for which Prometheus held no pod series at all when the job
--   started (beyond its retention, or a wrong cluster label or URL); they are not collected.
-- Jobs written before this migration read back with nothing kept and nothing unavailable.
ALTER TABLE {{.DB}}.collection_jobs{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS kept String DEFAULT '[]' AFTER errors,
    ADD COLUMN IF NOT EXISTS unavailable Array(Date) AFTER kept;
