-- Restores of pre-sync backups are recorded too: the direction names the database they went into.
ALTER TABLE archon_sync.archon_sync_history
    ADD COLUMN IF NOT EXISTS operation text NOT NULL DEFAULT 'sync' CHECK (operation IN ('sync', 'restore')),
    ADD COLUMN IF NOT EXISTS backup_id text;
