-- A settings version a person saved records the audit entry it owes, as control_rows (006) and
-- schedules (007) do: at start the backend writes the entry of a version whose own entry was
-- lost (a crash between the two inserts) under audit.SettingsVersionID. '' = none owed
-- (versions saved before this migration). settings keeps only each key's newest version once
-- merged, so a lost entry of a version replaced and merged away since stays lost.
ALTER TABLE {{.DB}}.settings{{.OnCluster}}
    ADD COLUMN IF NOT EXISTS audit_action LowCardinality(String) AFTER updated_at,
    ADD COLUMN IF NOT EXISTS audit_role LowCardinality(String) AFTER audit_action;
