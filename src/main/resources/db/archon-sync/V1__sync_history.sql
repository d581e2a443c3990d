-- archon-db-sync's own table, in its own schema so it never mixes with Archon's tables or migrations
-- (Flyway's history of these migrations is archon_sync.archon_sync_schema_history). Never synced.
CREATE TABLE IF NOT EXISTS archon_sync.archon_sync_history (
    sync_id          uuid PRIMARY KEY,
    direction        text NOT NULL CHECK (direction IN ('local-to-remote', 'remote-to-local')),
    trigger          text NOT NULL CHECK (trigger IN ('manual', 'scheduled', 'cli')),
    status           text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'refused')),
    phase            text NOT NULL,
    forced           boolean NOT NULL DEFAULT false,
    backup           boolean NOT NULL DEFAULT true,
    dry_run          boolean NOT NULL DEFAULT false,
    requested_by     text,
    instance         text NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    rows_synced      bigint NOT NULL DEFAULT 0,
    total_rows       bigint NOT NULL DEFAULT 0,
    bytes_transferred bigint NOT NULL DEFAULT 0,
    phase_seconds    jsonb NOT NULL DEFAULT '{}',
    tables           jsonb NOT NULL DEFAULT '[]',
    refusals         jsonb NOT NULL DEFAULT '[]',
    message          text,
    error            text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS archon_sync_history_started_idx ON archon_sync.archon_sync_history (started_at DESC);
CREATE INDEX IF NOT EXISTS archon_sync_history_running_idx ON archon_sync.archon_sync_history (status) WHERE status = 'running';
