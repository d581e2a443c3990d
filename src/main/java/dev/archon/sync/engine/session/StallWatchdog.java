package dev.archon.sync.engine.session;

import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.pg.PgUri;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Notices a server that stopped answering while the sync waits on it. A cut network drops packets
 * silently: TCP keepalive cannot tell (whatever still holds the connection may answer it, and pgjdbc
 * cannot shorten its interval), and a socket timeout would be wrong (a long CREATE INDEX legitimately
 * sends nothing for minutes). So every few seconds, for each server the sync is waiting on, the watchdog
 * opens a fresh connection with a short timeout and asks whether the sync's backends are still there.
 * A server that has not answered for the stall timeout, or that no longer has one of the sync's sessions,
 * ends the sync: its sessions are cut ({@link SyncSessions#abortAll}, no round trip), its child processes
 * killed, and it fails with a reason naming the side and the time ({@link CancelSignal#abort}).
 * Owned by the run: {@link #close} stops the thread and waits for it.
 */
public final class StallWatchdog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StallWatchdog.class);
    private static final Duration LONGEST_PROBE_INTERVAL = Duration.ofSeconds(10);

    private final SyncContext ctx;
    private final Duration stallTimeout;
    private final Duration every;
    private final IntervalThread thread;
    /** When the watching began (System.nanoTime): a server not heard from since counts as silent from then. */
    private final long started = System.nanoTime();
    /** The watchdog thread's own: when each server last answered (System.nanoTime). */
    private final Map<PgUri, Long> lastAnswer = new HashMap<>();
    /** The watchdog thread's own: pids found missing once (twice in a row ends the sync: no race with a close). */
    private final Set<Integer> missingOnce = new HashSet<>();

    private StallWatchdog(SyncContext ctx) {
        this.ctx = ctx;
        this.stallTimeout = ctx.settings.stallTimeout();
        this.every = probeInterval(stallTimeout);
        this.thread = new IntervalThread("stall-watchdog-" + ctx.job.id(), every, this::probeAll);
    }

    public static StallWatchdog watch(SyncContext ctx) {
        StallWatchdog w = new StallWatchdog(ctx);
        w.thread.start();
        return w;
    }

    /** A probe every eighth of the stall timeout, between 1 s and 10 s; each probe gives up after as long. */
    static Duration probeInterval(Duration stallTimeout) {
        Duration d = stallTimeout.dividedBy(8);
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                : d.compareTo(LONGEST_PROBE_INTERVAL) > 0 ? LONGEST_PROBE_INTERVAL : d;
    }

    /** Opening one of the sync's sessions waits no longer than the watchdog would (so its reason wins). */
    static Duration loginTimeout(Duration stallTimeout) {
        return stallTimeout.plus(probeInterval(stallTimeout).multipliedBy(3));
    }

    /** One round over the servers the sync waits on; false once it has ended the sync. */
    private boolean probeAll() {
        for (PgUri server : ctx.job.sessions().watchedServers()) {
            String verdict = thread.stopped() ? null : check(server);
            if (verdict != null && !thread.stopped()) {
                LOG.warnf("sync %s: %s", ctx.job.id(), verdict);
                ctx.cancel().abort(verdict, ctx.job.sessions()::abortAll);
                return false;
            }
        }
        return true;
    }

    /**
     * The servers that lost one of the sync's sessions — they do not answer, or no longer have its backend —
     * asked right after a failure, so the message can name the side whose connection broke.
     */
    public static Set<PgUri> serversThatLostTheSync(SyncContext ctx) {
        Duration timeout = probeInterval(ctx.settings.stallTimeout());
        Set<PgUri> lost = new java.util.LinkedHashSet<>();
        for (PgUri server : ctx.job.sessions().servers()) {
            List<SyncSessions.Session> sessions = ctx.job.sessions().on(server);
            try {
                Set<Integer> alive = alivePids(ctx, server, sessions, timeout);
                if (sessions.stream().map(ctx.job.sessions()::pid).anyMatch(pid -> pid != null && !alive.contains(pid))) {
                    lost.add(server);
                }
            } catch (SQLException | RuntimeException e) {
                lost.add(server);
            }
        }
        return lost;
    }

    /** Which of the sessions' backends the server still has, asked on a fresh connection that gives up after {@code timeout}. */
    private static Set<Integer> alivePids(SyncContext ctx, PgUri server, List<SyncSessions.Session> sessions, Duration timeout)
            throws SQLException {
        Set<Integer> alive = new HashSet<>();
        try (Connection probe = server.connect("archon-db-sync watchdog " + ctx.job.id(), timeout, timeout);
                PreparedStatement ps = probe.prepareStatement("SELECT pid FROM pg_stat_activity WHERE pid = ANY (?)")) {
            Integer[] pids = sessions.stream().map(ctx.job.sessions()::pid).filter(p -> p != null).toArray(Integer[]::new);
            Array array = probe.createArrayOf("int4", pids);
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alive.add(rs.getInt(1));
                }
            }
        }
        return alive;
    }

    /** Null while the server answers and still has the sync's sessions; otherwise why the sync must stop. */
    private String check(PgUri server) {
        List<SyncSessions.Session> sessions = ctx.job.sessions().watched(server);
        Set<Integer> alive;
        try {
            alive = alivePids(ctx, server, sessions, every);
        } catch (SQLException | RuntimeException e) {
            long silentNanos = System.nanoTime() - lastAnswer.getOrDefault(server, started);
            if (silentNanos < stallTimeout.toNanos()) {
                return null;
            }
            return String.format("the %s server (%s) has not answered for %d s (a cut network or a hung server; the stall"
                    + " timeout is %d s), so the sync stopped and closed its sessions", side(server), server.endpoint(),
                    TimeUnit.NANOSECONDS.toSeconds(silentNanos), stallTimeout.toSeconds());
        }
        lastAnswer.put(server, System.nanoTime());
        for (SyncSessions.Session s : sessions) {
            Integer pid = ctx.job.sessions().pid(s);
            if (pid == null || alive.contains(pid) || SyncSessions.isClosed(s.connection())) {
                missingOnce.remove(pid);
            } else if (!missingOnce.add(pid)) {
                return String.format("the %s server (%s) no longer has the sync's %s session although the connection to it"
                        + " still looks open (lost on the way), so the sync stopped and closed its sessions", side(server),
                        server.endpoint(), s.role());
            }
        }
        return null;
    }

    private String side(PgUri server) {
        return server == ctx.target ? "target" : "source";
    }

    /** Stops the probes and waits for one in flight (it gives up within its interval). */
    @Override
    public void close() {
        thread.close();
    }
}
