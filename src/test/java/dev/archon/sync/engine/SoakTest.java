package dev.archon.sync.engine;

import static dev.archon.sync.engine.EngineHarness.forced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.pg.PgClientTools;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, point 4: 50 small syncs back to back through one engine (as one service process runs them),
 * each with its pre-sync backup (pg_dump child, passfile, retention) and alternating direction. Open file
 * descriptors, threads and temp files must not grow; RSS is reported (GC makes it noisy, so not asserted).
 * Tagged "soak": {@code ./mvnw test -Psoak}.
 */
@Tag("soak")
class SoakTest {
    private final EngineHarness h = new EngineHarness();

    record Sample(int sync, long fds, int threads, long tempFiles, long rssKb) {
    }

    @Test
    void fiftyBackToBackSyncsLeakNothing() throws Exception {
        h.reset("tpl_small", "tpl_small");
        Path backups = Files.createTempDirectory(Path.of(System.getProperty("user.dir"), "target"), "soak-backups-");
        SyncEngine engine = new SyncEngine(h.settings(h.local().url(EngineHarness.LOCAL_DB), h.remote().url(EngineHarness.REMOTE_DB),
                PgClientTools.discover("auto"), backups, SyncSettings.FreeSpace.FILESYSTEM), Executors.newCachedThreadPool());
        List<Sample> samples = new ArrayList<>();
        long tempBefore = sample(0).tempFiles(); // another test's leftovers are not this soak's
        for (int i = 1; i <= 50; i++) {
            Direction d = i % 2 == 1 ? Direction.LOCAL_TO_REMOTE : Direction.REMOTE_TO_LOCAL;
            SyncJob job = EngineHarness.run(engine, SyncRequest.sync(d, Trigger.MANUAL).force(true).backup(true).build());
            int n = i;
            assertEquals(SyncStatus.COMPLETED, job.status(), () -> "sync " + n + ": " + job.snapshot());
            if (i == 1 || i == 5 || i % 10 == 0) {
                samples.add(sample(i));
            }
        }
        samples.forEach(s -> System.out.printf("[soak] after sync %2d: %d fds, %d threads, %d temp files, RSS %,d kB%n",
                s.sync(), s.fds(), s.threads(), s.tempFiles(), s.rssKb()));
        Sample warm = samples.get(1);
        Sample last = samples.get(samples.size() - 1);
        assertTrue(last.fds() - warm.fds() <= 5, "open files grew: " + samples);
        assertTrue(last.threads() - warm.threads() <= 5, "threads grew: " + samples);
        assertEquals(tempBefore, last.tempFiles(), "temp or work files left: " + samples);
        try (Stream<Path> s = Files.list(backups)) {
            assertEquals(2 * 3 * 2, s.count(), "retention kept 3 backups (archive + manifest) per database");
        }
    }

    private static Sample sample(int sync) throws Exception {
        System.gc();
        Thread.sleep(200);
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long temp;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            temp = s.filter(p -> p.getFileName().toString().startsWith("archon-pgpass-" + ProcessHandle.current().pid() + "-")).count();
        }
        Path work = Path.of(System.getProperty("user.dir"), "target", "sync-work");
        if (Files.isDirectory(work)) {
            try (Stream<Path> s = Files.list(work)) {
                temp += s.count();
            }
        }
        long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        return new Sample(sync, fds, threads, temp, rss);
    }
}
