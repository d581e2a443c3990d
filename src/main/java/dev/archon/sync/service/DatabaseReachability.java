package dev.archon.sync.service;

import dev.archon.sync.history.SyncHistory;
import dev.archon.sync.pg.Redactor;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Whether the local and the remote database answer a new session, checked in the background every 15 s
 * through their pools (so a health probe never waits for a connect timeout); the pools' idle connections
 * are dropped first, so the check sees what a sync would see. When the local database answers and the history table was not created yet — it was
 * down at start-up — this is where it gets created.
 */
@ApplicationScoped
public class DatabaseReachability {
    private static final Logger LOG = Logger.getLogger(DatabaseReachability.class);

    /** What health data and metrics show: a word, never a host, a user or an error text. */
    public enum State {
        NOT_CONFIGURED, UNKNOWN, REACHABLE, UNREACHABLE;

        public String wire() {
            return name().toLowerCase().replace('_', ' ');
        }
    }

    private final InjectableInstance<AgroalDataSource> local;
    private final InjectableInstance<AgroalDataSource> remote;
    private final SyncHistory history;
    private final Map<String, State> states = new LinkedHashMap<>();
    private volatile Instant checkedAt;

    public DatabaseReachability(@DataSource("local") InjectableInstance<AgroalDataSource> local,
            @DataSource("remote") InjectableInstance<AgroalDataSource> remote, SyncHistory history) {
        this.local = local;
        this.remote = remote;
        this.history = history;
        states.put("local", State.UNKNOWN);
        states.put("remote", State.UNKNOWN);
    }

    @Scheduled(identity = "database-reachability", every = "${archon.sync.health.check-interval:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledCheck() {
        check();
    }

    /** Checks both databases now (blocking: at most the pools' acquisition timeouts). */
    public void check() {
        State l = probe(local);
        State r = probe(remote);
        synchronized (states) {
            states.put("local", l);
            states.put("remote", r);
        }
        checkedAt = Instant.now();
        if (l == State.REACHABLE && !history.migrated()) {
            try {
                history.migrate();
                LOG.info("the local database is reachable: sync history table created or upgraded");
            } catch (RuntimeException e) {
                LOG.warnf("sync history table not created yet: %s", Redactor.redact(e.getMessage()));
            }
        }
    }

    private static State probe(InjectableInstance<AgroalDataSource> pool) {
        if (!pool.getHandle().getBean().isActive()) {
            return State.NOT_CONFIGURED;
        }
        // an idle pooled connection would say "reachable" while the server refuses every new one (too many
        // clients, a changed password): drop the idle ones so the check logs in afresh, as a sync would
        pool.get().flush(AgroalDataSource.FlushMode.IDLE);
        try (Connection c = pool.get().getConnection()) {
            return c.isValid(5) ? State.REACHABLE : State.UNREACHABLE;
        } catch (Exception e) {
            return State.UNREACHABLE;
        }
    }

    /** "local" and "remote", in that order. */
    public Map<String, State> states() {
        synchronized (states) {
            return Map.copyOf(states);
        }
    }

    public State state(String side) {
        synchronized (states) {
            return states.getOrDefault(side, State.UNKNOWN);
        }
    }

    /** When the last check finished; null before the first. */
    public Instant checkedAt() {
        return checkedAt;
    }
}
