package dev.archon.sync.engine;

import dev.archon.sync.pg.PgUri;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What every step of one sync reads: the job it reports to, the settings, both ends and the plan.
 * Immutable; it owns nothing. The resources behind {@link #sourceConnection} and {@link #targetConnection}
 * are owned by the {@link SourceSnapshot} and the {@link TargetTransaction} (preflight opens them, the run
 * closes them), the work directory by its {@link WorkDir}.
 */
public final class SyncContext {
    final SyncJob job;
    final SyncSettings settings;
    /** The source database; null for a restore (the rows come from a backup archive). */
    final PgUri source;
    final PgUri target;
    final Connection sourceConnection;
    final Connection targetConnection;
    /** The tables of this sync and those left out; null until preflight has found them. */
    final TableSet tables;
    /** Null while preflight is still making it. */
    final SyncPlan plan;
    /** Issue 12: the source's definitions a "schema": true sync brings along (empty otherwise). */
    final List<SchemaDrift.Change> schemaChanges;
    /** Issue 19: the target's own credentials, when the request keeps them (filled by the load, read by verification). */
    final TargetCredentials credentials;
    private final WorkDir workDir;

    SyncContext(SyncJob job, SyncSettings settings, SourceSnapshot source, TargetTransaction target, WorkDir workDir) {
        this(job, settings, source == null ? null : source.connection(), target.connection(), null, null, List.of(), workDir,
                new TargetCredentials());
    }

    private SyncContext(SyncJob job, SyncSettings settings, Connection sourceConnection, Connection targetConnection,
            TableSet tables, SyncPlan plan, List<SchemaDrift.Change> schemaChanges, WorkDir workDir, TargetCredentials credentials) {
        this.job = job;
        this.settings = settings;
        this.source = job.request().isRestore() ? null : settings.source(job.request().direction());
        this.target = settings.target(job.request().direction());
        this.sourceConnection = sourceConnection;
        this.targetConnection = targetConnection;
        this.tables = tables;
        this.plan = plan;
        this.schemaChanges = List.copyOf(schemaChanges);
        this.workDir = workDir;
        this.credentials = credentials;
    }

    SyncContext withTables(TableSet set) {
        return new SyncContext(job, settings, sourceConnection, targetConnection, set, plan, schemaChanges, workDir, credentials);
    }

    SyncContext withPlan(SyncPlan p) {
        return withPlan(p, List.of());
    }

    SyncContext withPlan(SyncPlan p, List<SchemaDrift.Change> schemaChanges) {
        return new SyncContext(job, settings, sourceConnection, targetConnection, tables, p, schemaChanges, workDir, credentials);
    }

    CancelSignal cancel() {
        return job.cancelSignal();
    }

    /** Opens another session of this sync (a cancel interrupts it); the caller owns and closes it. */
    Connection connect(PgUri uri, String role) throws SQLException {
        return Sessions.open(uri, role, job, settings.stallTimeout());
    }

    Path workDir() throws IOException {
        return workDir.path();
    }
}
