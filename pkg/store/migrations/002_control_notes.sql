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
