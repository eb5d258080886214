-- A schedule version a person wrote records the audit entry it owes, as control_rows do since
-- 006: at start the backend writes the entry of a version whose own entry was lost (a crash
-- between the two inserts) under audit.ScheduleVersionID. '' = none owed (versions written
-- before this migration). schedules keeps only each schedule's newest version once merged, so
-- only the newest can be reconciled; a lost entry of a version replaced since stays lost.
ALTER TABLE {{.DB}}.schedules{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS audit_action LowCardinality(String) AFTER deleted,
    ADD COLUMN IF NOT EXISTS audit_role LowCardinality(String) AFTER audit_action;
