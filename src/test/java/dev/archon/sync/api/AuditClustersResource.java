package dev.archon.sync.api;

import dev.archon.sync.testing.PgCluster;
import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * The service pointed at the test clusters as a user with a hostile password would configure it: a
 * role whose password holds {@code @ : / % ' space}, pasted unencoded into the local URI and as a
 * quoted conninfo value for the remote.
 */
public class AuditClustersResource implements QuarkusTestResourceLifecycleManager {
    /** Distinctive, so a hit anywhere is certain; '%rd' is no percent escape, so the unencoded URI means it literally. */
    public static final String PASSWORD = "Xy7@pa:ss/w%rd' with space";
    public static final String ROLE = "audit_owner";

    @Override
    public Map<String, String> start() {
        TestClusters c = TestClusters.get();
        for (PgCluster p : new PgCluster[] {c.local(), c.remote()}) {
            p.exec("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
                    + "CREATE ROLE " + ROLE + " LOGIN SUPERUSER; END IF; END $$");
            p.exec("postgres", "ALTER ROLE " + ROLE + " PASSWORD '" + PASSWORD.replace("'", "''") + "'");
        }
        c.reset(c.local(), "app_local", "tpl_small");
        c.reset(c.remote(), "app_remote", "tpl_supabase"); // a fresh machine: its schema comes from the local's pg_dump
        return Map.of(
                "archon.sync.local.url", "postgresql://" + ROLE + ":" + PASSWORD + "@127.0.0.1:" + c.local().port() + "/app_local",
                "archon.sync.remote.url", "host=127.0.0.1 port=" + c.remote().port() + " dbname=app_remote user=" + ROLE
                        + " password='" + PASSWORD.replace("\\", "\\\\").replace("'", "\\'") + "' application_name=audit",
                "archon.sync.work-dir", "target/audit-work",
                "archon.sync.backup-dir", "target/audit-backups",
                "archon.sync.load.maintenance-work-mem", "256MB");
    }

    @Override
    public void stop() {
        // the clusters belong to the JVM-wide TestClusters
    }
}
