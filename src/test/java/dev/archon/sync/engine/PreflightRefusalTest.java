package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static dev.archon.sync.engine.EngineHarness.request;
import static dev.archon.sync.engine.EngineHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.DbChecksum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every preflight refusal: a clear message naming what is wrong, and both databases untouched. */
class PreflightRefusalTest {
    private final EngineHarness h = new EngineHarness();

    /** Runs the sync, expects a refusal with the code, and both databases exactly as before. */
    private SyncJob assertRefused(Supplier<SyncEngine> engine, SyncRequest request, String code, String... mentions) {
        DbChecksum local = h.localSum();
        DbChecksum remote = h.remoteSum();
        SyncJob job = run(engine.get(), request);
        ProgressEvent end = job.snapshot();
        assertEquals(SyncStatus.REFUSED, end.status(), end::toString);
        assertTrue(end.refusals().stream().anyMatch(r -> r.code().equals(code)), () -> "expected " + code + " in " + end.refusals());
        String messages = end.refusals().toString();
        for (String m : mentions) {
            assertTrue(messages.contains(m), () -> "the message should name '" + m + "': " + messages);
        }
        assertEquals(local, h.localSum(), "local untouched");
        assertEquals(remote, h.remoteSum(), "remote untouched");
        return job;
    }

    @Test
    void dataLossGuardRefusesUnlessForced() {
        h.reset("tpl_big", "tpl_small");
        // remote → local would shrink the local knowledge base
        assertRefused(h::engine, request(Direction.REMOTE_TO_LOCAL), "data_loss", "archon_crawled_pages", "would be lost", "force");
    }

    /** A remote → local sync after {@code sql} ran on one side ({@code onRemote} or the local one): refused. */
    private void refusedAfter(String localTemplate, boolean onRemote, String sql, String code, String... mentions) {
        h.reset(localTemplate, "tpl_small");
        exec(onRemote ? h.remote() : h.local(), onRemote ? REMOTE_DB : LOCAL_DB, sql);
        assertRefused(h::engine, request(Direction.REMOTE_TO_LOCAL), code, mentions);
    }

    @Test
    void dataLossGuardSeesAnEmptySourceTable() {
        refusedAfter("tpl_small", true, "DELETE FROM archon_prompts", "data_loss", "archon_prompts");
    }

    @Test
    void tableMissingOnTheSource() {
        refusedAfter("tpl_small", true, "DROP TABLE archon_agent_work_order_steps", "table_missing_on_source",
                "archon_agent_work_order_steps");
    }

    @Test
    void columnDriftIsListed() {
        refusedAfter("tpl_small", false, "ALTER TABLE archon_sources ADD COLUMN local_only text; "
                + "ALTER TABLE archon_projects ALTER COLUMN github_repo TYPE varchar(300)", "column_drift",
                "archon_sources.local_only", "archon_projects.github_repo", "character varying(300)");
    }

    @Test
    void foreignKeyFromOutsideTheSet() {
        refusedAfter("tpl_small", false, "CREATE TABLE my_bookmarks (id int PRIMARY KEY, source_id text REFERENCES archon_sources(source_id))",
                "foreign_key_from_outside", "my_bookmarks", "archon_sources");
    }

    @Test
    void vectorMissingOnTheTarget() {
        refusedAfter("tpl_supabase", false, "DROP EXTENSION vector", "vector_missing_on_target", "vector");
    }

    @Test
    void transactionPoolerPort() {
        h.reset("tpl_small", "tpl_small");
        String pooled = "postgresql://postgres.abcdef:secret-pw@127.0.0.1:6543/postgres";
        SyncJob job = assertRefused(() -> new SyncEngine(h.settings(h.local().url(LOCAL_DB), pooled, PgClientTools.discover("auto")),
                Executors.newSingleThreadExecutor()), request(Direction.LOCAL_TO_REMOTE), "transaction_pooler", "6543", "session pooler");
        assertTrue(!job.snapshot().toString().contains("secret-pw"), "the password is redacted");
    }

    /** A fresh target's schema is read by pg_dump: a client older than the source's server is refused. */
    @Test
    void clientOlderThanTheSourceForAFreshTarget() {
        h.reset("tpl_supabase", "tpl_small");
        PgClientTools onlyOld = new PgClientTools(List.of(new PgClient(14, "14.11", Path.of("/usr/lib/postgresql/14/bin"))));
        assertRefused(() -> new SyncEngine(h.settings(h.local().url(LOCAL_DB), h.remote().url(REMOTE_DB), onlyOld),
                Executors.newSingleThreadExecutor()), request(Direction.REMOTE_TO_LOCAL), "client_too_old", "14.11", "postgresql-client-15");
    }

    /** Everything else needs no client tool at all: a sync with its backup, and the restore of that backup. */
    @Test
    void anExistingTargetIsSyncedBackedUpAndRestoredWithoutAnyClientTool() throws Exception {
        h.reset("tpl_small", "tpl_small");
        exec(h.remote(), REMOTE_DB, "UPDATE archon_prompts SET prompt = prompt || ' (cloud)'");
        DbChecksum before = h.localSum();
        PgClientTools none = new PgClientTools(List.of());
        Path backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "no-client-backups-");
        SyncEngine engine = new SyncEngine(h.settings(h.local().url(LOCAL_DB), h.remote().url(REMOTE_DB), none, backups,
                SyncSettings.FreeSpace.FILESYSTEM), Executors.newSingleThreadExecutor());
        SyncJob sync = EngineHarness.run(engine, SyncRequest.sync(Direction.REMOTE_TO_LOCAL, Trigger.MANUAL).force(true).backup(true).build());
        assertEquals(SyncStatus.COMPLETED, sync.status(), () -> sync.snapshot().toString());
        assertEquals(h.remoteSum().only(TABLE_NAMES), h.localSum().only(TABLE_NAMES));
        String id = new BackupStore(backups, 3).list().get(0).id();
        SyncJob restore = EngineHarness.run(engine, SyncRequest.restore("local", id, Trigger.MANUAL).force(true).requestedBy("test").build());
        assertEquals(SyncStatus.COMPLETED, restore.status(), () -> restore.snapshot().toString());
        assertEquals(before, h.localSum());
    }

    @Test
    void sameDatabaseUnderTwoNames() {
        h.reset("tpl_small", "tpl_small");
        String alias = h.local().url(LOCAL_DB).replace("127.0.0.1", "localhost");
        assertRefused(() -> new SyncEngine(h.settings(h.local().url(LOCAL_DB), alias, PgClientTools.discover("auto")),
                Executors.newSingleThreadExecutor()), request(Direction.LOCAL_TO_REMOTE), "same_database");
    }
}
