package dev.archon.sync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The service's settings. Each maps to an environment variable: {@code archon.sync.local.url} ↔
 * {@code ARCHON_SYNC_LOCAL_URL}, {@code archon.sync.api-key} ↔ {@code ARCHON_SYNC_API_KEY}, …
 */
@ConfigMapping(prefix = "archon.sync")
public interface SyncConfig {

    /** The local Supabase database (libpq URI). Also where the sync history lives. */
    Database local();

    /** The Supabase Cloud database (libpq URI; the session pooler or the direct host, never port 6543). */
    Database remote();

    /** Required by every /api route (X-API-Key). */
    Optional<String> apiKey();

    Auth auth();

    /**
     * The host names the API answers to (ARCHON_SYNC_ALLOWED_HOSTS, comma-separated; the Host header without
     * its port): any other Host is refused, so a DNS-rebinding page never reaches the API. An entry
     * {@code *.example.org} allows its subdomains, {@code archon-db-sync.*} the service's name in any
     * namespace, a lone {@code *} any host.
     */
    @WithDefault("localhost,127.0.0.1,::1,archon-db-sync,archon-db-sync.*")
    List<String> allowedHosts();

    /** The page's sign-in cookie. */
    Cookie cookie();

    /**
     * A pinned list of synced tables (ARCHON_SYNC_TABLES). Unset (or empty): the set is found on the source —
     * every {@code archon_*} table of Archon's schema except per-machine logs and Archon's backup copies.
     * There is no default list any more, so "unset" is told apart from a list someone wrote down.
     */
    Optional<List<String>> tables();

    /** Tables (names or {@code *} patterns) left out of the set (ARCHON_SYNC_EXCLUDE). */
    Optional<List<String>> exclude();

    /** Per-sync temporary files (schema dumps), one directory per sync. */
    @WithDefault("work/tmp")
    String workDir();

    @WithDefault("work/backups")
    String backupDir();

    @WithDefault("3")
    int backupKeep();

    /** Directory (or ':'-separated directories) of PostgreSQL client tools, or "auto". */
    @WithDefault("auto")
    String pgBin();

    Schedule schedule();

    Load load();

    /**
     * How long the source or target server may go without answering during a sync (a cut network, a hung
     * server) before the sync is stopped and fails (ARCHON_SYNC_STALL_TIMEOUT). A long index build that
     * sends nothing is not a stall: the server still answers the watchdog's probes.
     */
    @WithDefault("120s")
    Duration stallTimeout();

    interface Database {
        Optional<String> url();
    }

    interface Cookie {
        /**
         * The cookie's Path (ARCHON_SYNC_COOKIE_PATH): {@code /api} where the browser reaches the API directly;
         * {@code /api/db-sync} behind Archon's dashboard, which proxies {@code /api/db-sync/} to {@code /api/}.
         */
        @WithDefault("/api")
        String path();

        /** Secure cookie (ARCHON_SYNC_COOKIE_SECURE=true when the browser speaks HTTPS to a proxy in front). */
        @WithDefault("false")
        boolean secure();
    }

    interface Auth {
        /** Only for local development: run without an API key. */
        @WithDefault("false")
        boolean disabled();
    }

    interface Schedule {
        @WithDefault("0 0 2 * * ?")
        String cron();

        @WithDefault("false")
        boolean enabled();

        /**
         * The zone the cron is read in (ARCHON_SYNC_SCHEDULE_TZ, an IANA name such as Europe/Berlin), so
         * 02:00 means the user's night. Unset: the JVM's default zone, i.e. the container's (TZ or /etc/localtime).
         */
        @WithName("tz")
        Optional<String> timeZone();
    }

    interface Load {
        /** maintenance_work_mem for rebuilding indexes inside the load transaction. */
        @WithDefault("1GB")
        String maintenanceWorkMem();

        /** How long the load waits for the target's table locks before failing (readers may hold them). */
        @WithDefault("60s")
        Duration lockTimeout();
    }
}
