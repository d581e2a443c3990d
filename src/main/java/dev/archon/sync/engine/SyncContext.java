package dev.archon.sync.engine;

import dev.archon.sync.engine.load.TargetCredentials;
import dev.archon.sync.engine.plan.SyncPlan;
import dev.archon.sync.engine.plan.TableSet;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.engine.session.Sessions;
import dev.archon.sync.engine.session.SourceSnapshot;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.engine.session.WorkDir;
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
    public final SyncJob job;
    public final SyncSettings settings;
    /** The source database; null for a restore (the rows come from a backup archive). */
    public final PgUri source;
    public final PgUri target;
    public final Connection sourceConnection;
    public final Connection targetConnection;
    /** The tables of this sync and those left out; null until preflight has found them. */
    public final TableSet tables;
    /** Null while preflight is still making it. */
    public final SyncPlan plan;
    /** Issue 12: the source's definitions a "schema": true sync brings along (empty otherwise). */
    public final List<SchemaDrift.Change> schemaChanges;
    /** Issue 19: the target's own credentials, when the request keeps them (filled by the load, read by verification). */
    public final TargetCredentials credentials;
    private final WorkDir workDir;

    public SyncContext(SyncJob job, SyncSettings settings, SourceSnapshot source, TargetTransaction target, WorkDir workDir) {
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

    public SyncContext withTables(TableSet set) {
        return new SyncContext(job, settings, sourceConnection, targetConnection, set, plan, schemaChanges, workDir, credentials);
    }

    public SyncContext withPlan(SyncPlan p) {
        return withPlan(p, List.of());
    }

    public SyncContext withPlan(SyncPlan p, List<SchemaDrift.Change> schemaChanges) {
        return new SyncContext(job, settings, sourceConnection, targetConnection, tables, p, schemaChanges, workDir, credentials);
    }

    public CancelSignal cancel() {
        return job.cancelSignal();
    }

    /** Opens another session of this sync (a cancel interrupts it); the caller owns and closes it. */
    public Connection connect(PgUri uri, String role) throws SQLException {
        return Sessions.open(uri, role, job, settings.stallTimeout());
    }

    public Path workDir() throws IOException {
        return workDir.path();
    }
}
