-- A nightly backup that could not run because another sync held the databases is recorded too, as
-- 'skipped' (its message names the sync that held them), so every scheduled attempt leaves a row.
ALTER TABLE archon_sync.archon_sync_history DROP CONSTRAINT IF EXISTS archon_sync_history_status_check;
ALTER TABLE archon_sync.archon_sync_history ADD CONSTRAINT archon_sync_history_status_check
    CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'refused', 'skipped'));
