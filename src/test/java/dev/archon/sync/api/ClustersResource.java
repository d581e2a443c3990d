package dev.archon.sync.api;

import dev.archon.sync.testing.TestClusters;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the service at the test clusters' databases app_local / app_remote (tests reset them). */
public class ClustersResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        TestClusters c = TestClusters.get();
        c.reset(c.local(), "app_local", "tpl_small");
        c.reset(c.remote(), "app_remote", "tpl_small");
        return Map.of(
                "archon.sync.local.url", c.local().url("app_local"),
                "archon.sync.remote.url", c.remote().url("app_remote"),
                "archon.sync.work-dir", "target/api-test-work",
                "archon.sync.backup-dir", "target/api-test-backups",
                "archon.sync.load.maintenance-work-mem", "256MB");
    }

    @Override
    public void stop() {
        // the clusters belong to the JVM-wide TestClusters and stop with it
    }
}
