package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.SyncPlan.CopyFormat;
import dev.archon.sync.engine.SyncPlan.SequencePlan;
import dev.archon.sync.engine.SyncPlan.TablePlan;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel;
import dev.archon.sync.pg.CatalogModel.Column;
import dev.archon.sync.pg.CatalogModel.ForeignKey;
import dev.archon.sync.pg.CatalogModel.OwnedSequence;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.PgUri;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The validating phase: every reason not to start, found before anything is touched, and the plan.
 * It opens what the run will use — the source snapshot, the target session, both holding the advisory
 * locks — and hands them over in a {@link PreparedSync}, or closes them again when it refuses or fails.
 * The target is only read.
 */
final class Preflight {
    /** Supabase's transaction pooler: no session state, no snapshot, no COPY sessions. */
    static final int TRANSACTION_POOLER_PORT = 6543;
    static final String UNCHANGED = SyncPlan.UNCHANGED;

    private final SyncContext ctx;
    private final Catalog source;
    private final Catalog target;
    private final List<TableName> tables;
    private final List<Refusal> refusals = new ArrayList<>();
    /** What a "schema": true sync brings along, found by {@link SchemaDrift#check}. */
    private List<SchemaDrift.Change> schemaChanges = List.of();
    /** Each side's {@link RowVersions} where the fingerprints were taken (the target's on its own thread). */
    private final Map<TableName, String> sourceVersions = new ConcurrentHashMap<>();
    private final Map<TableName, String> targetVersions = new ConcurrentHashMap<>();
    /** The differing tables written as row deltas (branch delta: {@link DeltaChoice}); the others reload. */
    private Map<TableName, RowDelta> deltas = Map.of();

    private Preflight(SyncContext ctx, List<TableName> tables) {
        this.ctx = ctx;
        this.source = ctx.sourceConnection == null ? null : new Catalog(ctx.sourceConnection);
        this.target = new Catalog(ctx.targetConnection);
        this.tables = tables;
    }

    @FunctionalInterface
    private interface Opening<T> {
        T open() throws SQLException;
    }

    /** Validates a sync: connect, lock, snapshot the source, check, plan. */
    static PreparedSync sync(SyncJob job, SyncSettings settings) throws SQLException {
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
            // one consistent snapshot for everything read from the source, counts included
            source.begin();
            Preflight preflight = new Preflight(ctx, settings.tables());
            SyncPlan plan = preflight.planSync(target);
            return new PreparedSync(ctx.withPlan(plan, preflight.schemaChanges), source, target, work, null);
        } catch (SQLException | RuntimeException e) {
            PreparedSync.closeAll(target, source, work);
            throw e;
        }
    }

    /** Validates a restore: the target must have the tables; the backup supplies the rows. */
    static PreparedSync restore(SyncJob job, SyncSettings settings, BackupManifest backup) throws SQLException {
        PgUri targetUri = settings.target(job.request().direction());
        List<Refusal> urls = new ArrayList<>();
        checkUrl(targetUri, job.request().direction().targetName(), urls);
        refuseIf(urls);
        TargetTransaction target = null;
        WorkDir work = workDir(job, settings);
        try {
            target = connectOrRefuse("target", () -> TargetTransaction.connect(targetUri, job, settings));
            SyncLock.acquireTarget(target.connection());
            SyncContext ctx = new SyncContext(job, settings, null, target, work);
            List<TableName> tables = backup.tables().keySet().stream().map(TableName::parse).toList();
            SyncPlan plan = new Preflight(ctx, tables).planRestore(backup, target);
            return new PreparedSync(ctx.withPlan(plan), null, target, work, backup);
        } catch (SQLException | RuntimeException e) {
            PreparedSync.closeAll(target, work);
            throw e;
        }
    }

    private static WorkDir workDir(SyncJob job, SyncSettings settings) {
        return new WorkDir(settings.workDir().resolve("sync-" + job.id()));
    }

    // ------------------------------------------------------------------ a sync, step by step

    private SyncPlan planSync(TargetTransaction tx) throws SQLException {
        int sourceVersion = source.serverVersionNum();
        int targetVersion = target.serverVersionNum();
        boolean fresh = checkTablesExist();
        Optional<PgClient> schemaClient = checkClients(fresh, sourceVersion);
        refuseIf(refusals);

        Map<TableName, List<Column>> sourceColumns = source.columns(tables);
        if (!fresh) {
            compareColumns(sourceColumns, target.columns(tables));
            foreignKeysFromOutside(target.foreignKeysTouching(tables));
        }
        TargetPrerequisites.check(ctx, fresh, refusals); // extensions, schemas, functions, roles (issue 12)
        schemaChanges = SchemaDrift.check(ctx, fresh, refusals); // functions, views, policies, triggers (issue 12)
        checkReplicationRole(tx);
        BackupPreflight.check(ctx, target, tables, fresh, refusals);
        if (fresh) { // a fresh target's schema is dumped into the work directory first
            WritableDirectory.work(ctx.settings.workDir()).whyNotWritable()
                    .ifPresent(why -> refusals.add(new Refusal("work_dir_unwritable", why)));
        }
        refuseIf(refusals);

        ctx.job.progress(0.5, "Fingerprinting the tables on both sides");
        Map<TableName, TableFingerprint> onSource = new LinkedHashMap<>();
        Map<TableName, Double> sourceSeconds = new ConcurrentHashMap<>();
        Map<TableName, Double> targetSeconds = new ConcurrentHashMap<>();
        Map<TableName, TableFingerprint> onTarget = fingerprintBothSides(tx, fresh, onSource, sourceSeconds, targetSeconds);
        ctx.cancel().throwIfCancelled();
        if (!ctx.job.request().force()) {
            refusals.addAll(DataLossGuard.check(guardStates(onSource, onTarget, fresh ? Map.of() : LastSync.recorded(ctx.targetConnection))));
        }
        refuseIf(refusals);
        DeltaChoice.Choice choice = DeltaChoice.choose(ctx, tx, tables, onSource, onTarget, fresh); // delta or reload, per differing table
        deltas = choice.deltas();
        refuseIf(choice.refusals());

        return new SyncPlan(ctx.job.request().direction(), ctx.source.toString(), ctx.target.toString(), sourceVersion,
                targetVersion, schemaClient.orElse(null), fresh,
                tablePlans(sourceColumns, fresh, onSource, onTarget, reloadReasons(fresh, onSource, onTarget), sourceSeconds,
                        targetSeconds), sequencePlans());
    }

    /**
     * Both sides at once, each on its own session and thread (only digests cross the network): the source in
     * its snapshot, the target in a transaction rolled back at once. A fresh target has nothing to fingerprint.
     */
    private Map<TableName, TableFingerprint> fingerprintBothSides(TargetTransaction tx, boolean fresh,
            Map<TableName, TableFingerprint> onSource, Map<TableName, Double> sourceSeconds, Map<TableName, Double> targetSeconds)
            throws SQLException {
        // A table whose row versions are those the last sync recorded holds what it recorded: its content
        // fingerprint is taken from the record instead of read again. Versions first, then the contents: a
        // write in between changes the versions, so the lock's re-check (by versions) catches it.
        Map<TableName, LastSync.Remembered> last = fresh ? Map.of() : LastSync.remembered(ctx.targetConnection);
        FutureTask<Map<TableName, TableFingerprint>> onTarget = new FutureTask<>(() -> fresh ? Map.of()
                : tx.inRolledBackTransaction(c -> {
                    Map<TableName, String> versions = RowVersions.onTarget(c, tables);
                    targetVersions.putAll(versions);
                    return TableFingerprint.of(c, tables, targetSeconds, stillAsRecorded(versions, last, LastSync.Remembered::targetVersions),
                            !ctx.job.request().full()); // a full replace only counts (branch delta)
                }));
        Thread targetSide = new Thread(onTarget, "fingerprint-target");
        targetSide.setDaemon(true);
        targetSide.start();
        try {
            Map<TableName, String> versions = RowVersions.onSource(ctx.sourceConnection, tables); // in the sync's snapshot
            sourceVersions.putAll(versions);
            onSource.putAll(TableFingerprint.of(ctx.sourceConnection, tables, sourceSeconds,
                    stillAsRecorded(versions, last, LastSync.Remembered::sourceVersions), !ctx.job.request().full()));
        } catch (SQLException | RuntimeException e) {
            try {
                await(onTarget); // the target's session is ours again only when its side has ended
            } catch (SQLException | RuntimeException ignored) {
                // the source's failure is the one to report
            }
            throw e;
        }
        return await(onTarget);
    }

    /** The recorded fingerprints of the tables whose row versions are still the recorded ones. */
    private static Map<TableName, TableFingerprint> stillAsRecorded(Map<TableName, String> versions,
            Map<TableName, LastSync.Remembered> last, Function<LastSync.Remembered, String> recordedVersions) {
        Map<TableName, TableFingerprint> out = new LinkedHashMap<>();
        versions.forEach((t, v) -> {
            LastSync.Remembered r = last.get(t);
            if (r != null && v.equals(recordedVersions.apply(r))) {
                out.put(t, r.fingerprint());
            }
        });
        return out;
    }

    private static <T> T await(FutureTask<T> task) throws SQLException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while fingerprinting the target", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SQLException("fingerprinting the target failed: " + e.getCause(), e.getCause());
        }
    }

    /** What the data-loss guard knows per table: the counts, whether both sides are equal, and the last sync. */
    private Map<TableName, DataLossGuard.TableState> guardStates(Map<TableName, TableFingerprint> onSource,
            Map<TableName, TableFingerprint> onTarget, Map<TableName, TableFingerprint> lastSync) {
        Map<TableName, DataLossGuard.TableState> out = new LinkedHashMap<>();
        for (TableName t : tables) {
            TableFingerprint src = onSource.get(t);
            TableFingerprint tgt = onTarget.get(t);
            TableFingerprint last = lastSync.get(t);
            out.put(t, new DataLossGuard.TableState(src.rows(), tgt == null ? 0 : tgt.rows(), src.equals(tgt),
                    last == null ? null : last.equals(tgt)));
        }
        return out;
    }

    /**
     * Which tables are reloaded, and why: those whose fingerprints differ, and every table referencing one of
     * them (a TRUNCATE of a parent needs its FK children in the same statement; this tool never uses CASCADE);
     * with {@code full}, every table.
     */
    private Map<TableName, String> reloadReasons(boolean fresh, Map<TableName, TableFingerprint> onSource,
            Map<TableName, TableFingerprint> onTarget) throws SQLException {
        Map<TableName, String> why = new LinkedHashMap<>();
        boolean full = ctx.job.request().full();
        for (TableName t : tables) {
            if (fresh) {
                why.put(t, SyncPlan.FRESH_TARGET);
            } else if (!onSource.get(t).equals(onTarget.get(t))) {
                why.put(t, SyncPlan.DIFFERS);
            } else if (full) {
                why.put(t, SyncPlan.FULL); // equal, but the user asked for every table to be replaced
            }
        }
        List<ForeignKey> fks = fresh ? List.of() : target.foreignKeysTouching(tables);
        for (boolean grew = true; grew; ) {
            grew = false;
            for (ForeignKey fk : fks) {
                if (why.containsKey(fk.parent()) && !deltas.containsKey(fk.parent()) && tables.contains(fk.child())
                        && !why.containsKey(fk.child())) {
                    why.put(fk.child(), "truncated with its parent " + fk.parent());
                    grew = true;
                }
            }
        }
        tables.forEach(t -> why.putIfAbsent(t, UNCHANGED));
        return why;
    }

    /**
     * Only a fresh target needs a client tool: its schema is the source's, read by a pg_dump not older than the
     * source's server. Rows, backups (table files) and restores of them go through the sessions alone.
     */
    private Optional<PgClient> checkClients(boolean fresh, int sourceVersion) {
        int major = sourceVersion / 10000;
        Optional<PgClient> client = ctx.settings.clients().forDump(major);
        if (fresh && client.isEmpty()) {
            refusals.add(new Refusal("client_too_old", "the target has none of Archon's tables, so their schema is read from the"
                    + " source with pg_dump, and there is no PostgreSQL client of major version " + major + " or newer (the source is "
                    + major + "; found: " + ctx.settings.clients().describe() + "): install postgresql-client-" + major
                    + " or point ARCHON_SYNC_PG_BIN at its bin directory"));
        }
        return client;
    }

    /** @return true when the target has none of the tables (a fresh target: they are created from the source's schema) */
    private boolean checkTablesExist() throws SQLException {
        Set<TableName> onSource = source.existingTables(tables);
        Set<TableName> onTarget = target.existingTables(tables);
        List<TableName> missingOnSource = tables.stream().filter(t -> !onSource.contains(t)).toList();
        if (!missingOnSource.isEmpty()) {
            refusals.add(new Refusal("table_missing_on_source", "the source (" + ctx.source + ") lacks synced table(s) "
                    + join(missingOnSource) + ": is Archon's schema installed and up to date there?"));
        }
        boolean fresh = onTarget.isEmpty();
        List<TableName> missingOnTarget = tables.stream().filter(t -> !onTarget.contains(t)).toList();
        if (!fresh && !missingOnTarget.isEmpty()) {
            refusals.add(new Refusal("table_missing_on_target", "the target (" + ctx.target + ") has some of Archon's tables but lacks "
                    + join(missingOnTarget) + ": run Archon's migrations on the target first"));
        }
        return fresh;
    }

    private List<TablePlan> tablePlans(Map<TableName, List<Column>> sourceColumns, boolean fresh,
            Map<TableName, TableFingerprint> onSource, Map<TableName, TableFingerprint> onTarget, Map<TableName, String> why,
            Map<TableName, Double> sourceSeconds, Map<TableName, Double> targetSeconds) throws SQLException {
        Map<TableName, List<Column>> targetColumns = fresh ? sourceColumns : target.columns(tables);
        List<TablePlan> plans = new ArrayList<>();
        for (TableName t : LoadOrder.of(tables, source.foreignKeysTouching(tables))) {
            List<Column> cols = sourceColumns.get(t).stream().filter(c -> !c.generated()).toList();
            Map<String, Column> tgtCols = targetColumns.get(t).stream().collect(Collectors.toMap(Column::name, Function.identity()));
            boolean binary = cols.stream().allMatch(c -> c.binarySafe() && tgtCols.get(c.name()).binarySafe());
            plans.add(new TablePlan(t, cols.stream().map(Column::name).toList(), binary ? CopyFormat.BINARY : CopyFormat.TEXT,
                    onSource.get(t).rows(), fresh ? 0 : onTarget.get(t).rows(), source.dataBytes(t), !why.get(t).equals(UNCHANGED),
                    why.get(t), onSource.get(t), sourceSeconds.getOrDefault(t, 0.0), targetSeconds.getOrDefault(t, 0.0),
                    sourceVersions.get(t), targetVersions.get(t), SyncPlan.DIFFERS.equals(why.get(t)) ? deltas.get(t) : null));
        }
        return plans;
    }

    private List<SequencePlan> sequencePlans() throws SQLException {
        List<SequencePlan> sequences = new ArrayList<>();
        for (OwnedSequence s : source.ownedSequences(tables)) {
            sequences.add(new SequencePlan(s.table(), s.column(), s.sequence(), source.sequenceState(s.sequence())));
        }
        return sequences;
    }

    // ------------------------------------------------------------------ a restore

    private SyncPlan planRestore(BackupManifest backup, TargetTransaction tx) throws SQLException {
        String side = ctx.job.request().direction().targetName();
        int targetVersion = target.serverVersionNum();
        Set<TableName> onTarget = target.existingTables(tables);
        List<TableName> missing = tables.stream().filter(t -> !onTarget.contains(t)).toList();
        if (!missing.isEmpty()) {
            refusals.add(new Refusal("table_missing_on_target", "the " + side + " database lacks " + join(missing)
                    + ", which the backup holds rows for: run Archon's migrations there first"));
        }
        if (!backup.endpoint().equals(ctx.target.endpoint())) {
            ctx.job.warn("the backup was taken of " + backup.endpoint() + " and is restored into " + ctx.target.endpoint());
        }
        Optional<PgClient> reader = backup.isTableFiles() ? Optional.empty()
                : ctx.settings.clients().forRestore(backup.dumpMajor(), targetVersion / 10000);
        if (!backup.isTableFiles() && reader.isEmpty()) {
            refusals.add(new Refusal("client_too_old", "the backup was written by pg_dump " + backup.dumpMajor()
                    + " and needs pg_restore " + backup.dumpMajor() + " or newer to read it (found: "
                    + ctx.settings.clients().describe() + ")"));
        }
        if (backup.isTableFiles() && missing.isEmpty()) {
            checkBackupColumns(backup);
        }
        refuseIf(refusals);
        foreignKeysFromOutside(target.foreignKeysTouching(tables));
        checkVectorExtension("the " + side + " database has no 'vector' extension");
        checkReplicationRole(tx);
        refuseIf(refusals);
        List<TablePlan> plans = new ArrayList<>();
        Map<TableName, Long> backupRows = new LinkedHashMap<>();
        Map<TableName, Long> targetRows = new LinkedHashMap<>();
        for (TableName t : tables) {
            long rows = backup.tables().get(t.toString());
            long now = target.count(t);
            backupRows.put(t, rows);
            targetRows.put(t, now);
            plans.add(new TablePlan(t, List.of(), CopyFormat.TEXT, rows, now, Math.max(1, rows)));
        }
        if (!ctx.job.request().force()) {
            // a restore replaces rows like a sync: rows the backup lacks would be lost unless the user confirms
            refusals.addAll(DataLossGuard.check(backupRows, targetRows));
        }
        refuseIf(refusals);
        List<SequencePlan> sequences = backup.sequences().stream().map(s -> new SequencePlan(TableName.parse(s.table()),
                s.column(), "", new CatalogModel.SequenceState(s.lastValue(), s.isCalled()))).toList();
        return new SyncPlan(ctx.job.request().direction(), "backup " + backup.id(), ctx.target.toString(), backup.serverVersion(),
                targetVersion, reader.orElse(null), false, plans, sequences);
    }

    /**
     * Table files are loaded by COPY with the backup's column lists: each column must still be there (and not
     * generated); a column the target gained since must be nullable or have a default, as for any COPY.
     */
    private void checkBackupColumns(BackupManifest backup) throws SQLException {
        Map<TableName, List<Column>> now = target.columns(tables);
        for (BackupManifest.TableFile f : backup.files()) {
            TableName t = TableName.parse(f.table());
            Set<String> loadable = now.getOrDefault(t, List.of()).stream().filter(c -> !c.generated()).map(Column::name)
                    .collect(Collectors.toSet());
            List<String> gone = f.columns().stream().filter(c -> !loadable.contains(c)).toList();
            if (!gone.isEmpty()) {
                refusals.add(new Refusal("backup_columns_differ", "the backup holds column(s) " + String.join(", ", gone) + " of "
                        + t + ", which the target no longer has (or now generates): the schema changed since the backup"));
            }
        }
    }

    // ------------------------------------------------------------------ checks shared by both

    private static void refuseUnusableUrls(Direction direction, PgUri source, PgUri target) {
        List<Refusal> refusals = new ArrayList<>();
        checkUrl(source, direction.sourceName(), refusals);
        checkUrl(target, direction.targetName(), refusals);
        if (source.endpoint().equals(target.endpoint())) {
            refusals.add(new Refusal("same_database", "local and remote are the same database (" + source + ")"));
        }
        refuseIf(refusals);
    }

    private static void checkUrl(PgUri uri, String side, List<Refusal> refusals) {
        if (uri.port() == TRANSACTION_POOLER_PORT) {
            refusals.add(new Refusal("transaction_pooler", "the " + side + " URL (" + uri + ") uses port 6543, Supabase's "
                    + "transaction pooler, which cannot keep the snapshot, session settings and COPY a sync needs: use the "
                    + "session pooler (port 5432 on *.pooler.supabase.com) or the direct database host"));
        }
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

    private void compareColumns(Map<TableName, List<Column>> sourceColumns, Map<TableName, List<Column>> targetColumns) {
        List<String> drift = new ArrayList<>();
        sourceColumns.forEach((table, srcCols) -> drift.addAll(
                ColumnDrift.between(srcCols, targetColumns.getOrDefault(table, List.of()), table + ".", "source", "target")));
        if (!drift.isEmpty()) {
            refusals.add(new Refusal("column_drift", "the two schemas differ (" + drift.size() + " column(s)): "
                    + String.join("; ", drift) + ". Bring both to the same Archon migration first"));
        }
    }

    private void foreignKeysFromOutside(List<ForeignKey> fks) {
        List<String> blocking = fks.stream().filter(fk -> tables.contains(fk.parent()) && !tables.contains(fk.child()))
                .map(ForeignKey::toString).toList();
        if (!blocking.isEmpty()) {
            refusals.add(new Refusal("foreign_key_from_outside", "table(s) outside the synced set reference it, so the TRUNCATE would fail (and CASCADE would empty them, which this tool never does): "
                    + String.join("; ", blocking) + ". Add the referencing table to ARCHON_SYNC_TABLES or drop the constraint"));
        }
    }

    private void checkVectorExtension(String refusal) throws SQLException {
        if (target.extensionSchema("vector").isEmpty()) {
            refusals.add(new Refusal("vector_missing_on_target", refusal));
        }
    }

    private void checkReplicationRole(TargetTransaction tx) {
        try {
            tx.rehearse("SET LOCAL session_replication_role = replica");
        } catch (SQLException e) {
            refusals.add(new Refusal("replication_role_denied", "the target role may not set session_replication_role, "
                    + "which the load needs so that Archon's triggers do not rewrite rows: " + e.getMessage()
                    + " (on Supabase use the postgres role)"));
        }
    }

    private static void refuseIf(List<Refusal> refusals) {
        if (!refusals.isEmpty()) {
            throw new SyncRefusedException(refusals);
        }
    }

    private static String join(List<TableName> tables) {
        return tables.stream().map(TableName::toString).collect(Collectors.joining(", "));
    }
}
