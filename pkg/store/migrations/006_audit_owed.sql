-- Every accepted write has its audit entry, even when the backend dies between the two
-- inserts (issue 17 §3). ClickHouse has no transaction spanning control_rows and audit_log, so
-- a version a person wrote records on itself the entry it owes: audit_action and audit_role
-- (with updated_by/updated_at, the entry's who and when). At start the backend writes the entry
-- of any such version that has none, under an ID derived from the version
-- (audit.ControlVersionID). '' = no entry owed: the derivation's versions and versions written
-- before this migration, whose entries were recorded under random IDs.
ALTER TABLE {{.DB}}.control_rows{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS audit_action LowCardinality(String) AFTER write_id,
    ADD COLUMN IF NOT EXISTS audit_role LowCardinality(String) AFTER audit_action;

-- note: how an entry came to be when the action did not write it itself ("recorded later from
-- the stored version …"); '' for the entries actions write.
ALTER TABLE {{.DB}}.audit_log{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS note String AFTER error;
