package dev.archon.sync.engine.plan;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.Direction;
import dev.archon.sync.engine.PreparedSync;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.Refusals;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.SyncJob;
import dev.archon.sync.engine.SyncRefusedException;
import dev.archon.sync.engine.SyncSettings;
import dev.archon.sync.engine.schema.SchemaDrift;
import dev.archon.sync.engine.session.SourceSnapshot;
import dev.archon.sync.engine.session.SyncLock;
import dev.archon.sync.engine.session.TargetTransaction;
import dev.archon.sync.engine.session.WorkDir;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Sql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Opening what a run uses, before anything is checked: usable URLs, the source snapshot and the target
 * session, both holding the advisory locks, and the work directory. They are handed over in a
 * {@link PreparedSync} with the plan, or closed again when planning refuses or fails.
 */
final class PreflightSessions {
    /** Supabase's transaction pooler: no session state, no snapshot, no COPY sessions. */
    static final int TRANSACTION_POOLER_PORT = 6543;

    private PreflightSessions() {
    }

    /** Plans a sync over the opened sessions. */
    @FunctionalInterface
    interface SyncPlanning {
        Planned plan(SyncContext ctx, TargetTransaction target) throws SQLException;
    }

    /** Plans a restore over the opened target session. */
    @FunctionalInterface
    interface RestorePlanning {
        SyncPlan plan(SyncContext ctx, TargetTransaction target) throws SQLException;
    }

    /** What planning a sync settled: the context it ends with (tables found) and the plan. */
    record Planned(SyncContext ctx, SyncPlan plan, List<SchemaDrift.Change> schemaChanges) {
    }

    @FunctionalInterface
    private interface Opening<T> {
        T open() throws SQLException;
    }

    /** Connect, lock, snapshot the source, then plan. */
    static PreparedSync forSync(SyncJob job, SyncSettings settings, SyncPlanning planning) throws SQLException {
        Direction direction = job.request().direction();
        PgUri sourceUri = settings.source(direction);
        PgUri targetUri = settings.target(direction);
        refuseUnusableUrls(direction, sourceUri, targetUri);
        SourceSnapshot source = null;
        TargetTransaction target = null;
        WorkDir work = workDir(job, settings);
        try {
            job.progress(0.1, "Connecting to " + sourceUri + " and " + targetUri);
            source = connectOrRefuse("source", () -> SourceSnapshot.connect(sourceUri, "source", job, settings.stallTimeout()));
            target = connectOrRefuse("target", () -> TargetTransaction.connect(targetUri, job, settings));
            SyncContext ctx = new SyncContext(job, settings, source, target, work);
            refuseSameDatabase(ctx);
            SyncLock.acquire(direction, source.connection(), target.connection());
            if (job.request().dryRun()) { // a dry run never holds real syncs off while it fingerprints
                SyncLock.releaseForDryRun(source.connection(), target.connection());
            }
            // one consistent snapshot for everything read from the source, counts included
            source.begin();
            Planned planned = planning.plan(ctx, target);
            return new PreparedSync(planned.ctx().withPlan(planned.plan(), planned.schemaChanges()), source, target, work, null);
        } catch (SQLException | RuntimeException e) {
            PreparedSync.closeAll(target, source, work);
            throw e;
        }
    }

    /** Connect to the target and lock it, then plan the restore. */
    static PreparedSync forRestore(SyncJob job, SyncSettings settings, BackupManifest backup, RestorePlanning planning)
            throws SQLException {
        PgUri targetUri = settings.target(job.request().direction());
        Refusals.throwIfAny(urlRefusals(targetUri, job.request().direction().targetName()));
        TargetTransaction target = null;
        WorkDir work = workDir(job, settings);
        try {
            target = connectOrRefuse("target", () -> TargetTransaction.connect(targetUri, job, settings));
            SyncLock.acquireTarget(target.connection());
            SyncContext ctx = new SyncContext(job, settings, null, target, work);
            SyncPlan plan = planning.plan(ctx, target);
            return new PreparedSync(ctx.withPlan(plan), null, target, work, backup);
        } catch (SQLException | RuntimeException e) {
            PreparedSync.closeAll(target, work);
            throw e;
        }
    }

    private static WorkDir workDir(SyncJob job, SyncSettings settings) {
        return new WorkDir(settings.workDir().resolve("sync-" + job.id()));
    }

    private static void refuseUnusableUrls(Direction direction, PgUri source, PgUri target) {
        List<Refusal> refusals = new ArrayList<>();
        refusals.addAll(urlRefusals(source, direction.sourceName()));
        refusals.addAll(urlRefusals(target, direction.targetName()));
        if (source.endpoint().equals(target.endpoint())) {
            refusals.add(new Refusal("same_database", "local and remote are the same database (" + source + ")"));
        }
        Refusals.throwIfAny(refusals);
    }

    private static List<Refusal> urlRefusals(PgUri uri, String side) {
        if (uri.port() == TRANSACTION_POOLER_PORT) {
            return List.of(new Refusal("transaction_pooler", "the " + side + " URL (" + uri + ") uses port 6543, Supabase's "
                    + "transaction pooler, which cannot keep the snapshot, session settings and COPY a sync needs: use the "
                    + "session pooler (port 5432 on *.pooler.supabase.com) or the direct database host"));
        }
        return List.of();
    }

    private static <T> T connectOrRefuse(String role, Opening<T> opening) {
        try {
            return opening.open();
        } catch (SQLException e) {
            throw new SyncRefusedException(List.of(new Refusal(role + "_unreachable", e.getMessage())));
        }
    }

    /** Refuses when both URLs name one database (aliases, IPs, a pooler). */
    private static void refuseSameDatabase(SyncContext ctx) throws SQLException {
        if (sameDatabase(ctx)) {
            throw new SyncRefusedException(List.of(new Refusal("same_database",
                    "source and target are the same database (" + ctx.target + ")")));
        }
    }

    /**
     * Two URLs can name one database (aliases, IPs, a pooler): the same cluster (its system identifier)
     * and the same database (oid and name). Never by URL parameters such as application_name, which two
     * different clusters may share. Where a role may not read the control data, the target is asked
     * whether it sees our source session (its pid and start time).
     */
    private static boolean sameDatabase(SyncContext ctx) throws SQLException {
        String identity = "SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' || d.oid || '/' || d.datname"
                + " FROM pg_database d WHERE d.datname = current_database()";
        try {
            return Sql.queryString(ctx.sourceConnection, identity).equals(Sql.queryString(ctx.targetConnection, identity));
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
        }
        String session = Sql.queryString(ctx.sourceConnection,
                "SELECT pg_backend_pid() || '/' || backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()");
        return Sql.queryLong(ctx.targetConnection, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid || '/' || backend_start::text = ?", session) > 0;
    }
}
