-- Issue 19: the table set is found, not fixed. Each row says which archon_* tables the sync left out and why
-- ([{table, why}]); the tables in the set are those of the row's "tables".
ALTER TABLE archon_sync.archon_sync_history ADD COLUMN IF NOT EXISTS left_out jsonb;
