package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.LOCAL_DB;
import static dev.archon.sync.engine.EngineHarness.REMOTE_DB;
import static dev.archon.sync.engine.EngineHarness.TABLE_NAMES;
import static dev.archon.sync.engine.EngineHarness.exec;
import static dev.archon.sync.engine.EngineHarness.forced;
import static dev.archon.sync.engine.EngineHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.PgClientTools;
import dev.archon.sync.testing.DbChecksum;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Catalog text written by an attacker and odd but legal settings: the sync neither breaks nor obeys them. */
class HostileConfigurationTest {
    private final EngineHarness h = new EngineHarness();

    /** With standard_conforming_strings off a backslash escapes a quote: only server-side quoting is safe. */
    static final List<String> HOSTILE = List.of(
            "x\\'; DROP TABLE public.canary; --",
            "x''; DROP TABLE public.canary; --",
            "x\\\\'; DROP TABLE public.canary; --",
            "$$; DROP TABLE public.canary; --",
            "line one\n\\! touch /tmp/pwned\n\\gexec");

    @Test
    void hostileIndexCommentsAreCopiedAsTextAndNeverRun() throws Exception {
        h.reset("tpl_small", "tpl_small");
        exec(h.local(), "postgres", "ALTER DATABASE " + LOCAL_DB + " SET standard_conforming_strings = off");
        exec(h.remote(), "postgres", "ALTER DATABASE " + REMOTE_DB + " SET standard_conforming_strings = off");
        exec(h.remote(), REMOTE_DB, "CREATE TABLE public.canary (alive int)", "INSERT INTO public.canary VALUES (1)");
        String[] indexes = {"idx_archon_settings_category", "idx_archon_sources_title", "idx_archon_sources_url",
                "idx_archon_prompts_name", "idx_archon_migrations_applied_at"};
        for (int i = 0; i < HOSTILE.size(); i++) {
            setComment(indexes[i], HOSTILE.get(i));
        }
        DbChecksum localBefore = h.localSum();
        SyncJob job = run(h.engine(), forced(Direction.LOCAL_TO_REMOTE));
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        try (Connection c = h.remote().connect(REMOTE_DB); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM public.canary")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the canary survived");
            }
            for (int i = 0; i < HOSTILE.size(); i++) {
                try (var ps = c.prepareStatement("SELECT obj_description(?::regclass, 'pg_class')")) {
                    ps.setString(1, "public." + indexes[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(HOSTILE.get(i), rs.getString(1), "the comment is kept, byte for byte");
                    }
                }
            }
        }
        assertEquals(localBefore, h.localSum(), "the source is untouched");
        assertEquals(h.localSum().only(TABLE_NAMES), h.remoteSum().only(TABLE_NAMES), "fully synced");
    }

    /** Two different clusters may well share application_name (both URLs copied from one template). */
    @Test
    void sameApplicationNameOnTwoClustersIsNotTheSameDatabase() {
        h.reset("tpl_small", "tpl_small");
        String local = h.local().url(LOCAL_DB) + "?application_name=archon";
        String remote = h.remote().url(REMOTE_DB) + "?application_name=archon";
        SyncEngine engine = new SyncEngine(h.settings(local, remote, PgClientTools.discover("auto")),
                Executors.newSingleThreadExecutor());
        SyncJob job = run(engine, SyncRequest.sync(Direction.LOCAL_TO_REMOTE, Trigger.MANUAL).force(true).dryRun(true).build());
        assertEquals(SyncStatus.COMPLETED, job.status(), () -> job.snapshot().toString());
        assertTrue(job.snapshot().refusals() == null || job.snapshot().refusals().isEmpty(), () -> job.snapshot().toString());
    }

    private void setComment(String index, String text) throws Exception {
        try (Connection c = h.remote().connect(REMOTE_DB); Statement st = c.createStatement()) {
            // server-side quoting, as the product must do it
            try (ResultSet rs = st.executeQuery("SELECT format('COMMENT ON INDEX public.%I IS %L', '" + index + "', "
                    + "convert_from(decode('" + java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + "', 'hex'), 'UTF8'))")) {
                rs.next();
                st.execute(rs.getString(1));
            }
        }
    }
}
