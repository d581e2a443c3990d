package dev.archon.sync.engine.plan;

import dev.archon.sync.engine.Notice;
import dev.archon.sync.engine.SyncContext;
import dev.archon.sync.engine.plan.SyncPlan.TablePlan;
import dev.archon.sync.pg.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Archon's credentials inside the data (issue 19): {@code archon_settings.encrypted_value} holds provider API
 * keys, encrypted with a key derived from that Archon server's SUPABASE_SERVICE_KEY (upstream
 * credential_service.py). A copy decrypts only where Archon runs with the same service key; elsewhere Archon
 * treats the keys as missing while its Settings page still shows them set. Archon also caches settings in its
 * process. Said in the plan as notice {@code encrypted_settings}, before anything moves.
 */
public final class EncryptedSettings {
    static final String CODE = "encrypted_settings";
    public static final String TABLE = "archon_settings";
    /** A setting that holds a credential: Archon decrypts those with is_encrypted and a value (placeholders have none). */
    static final String HOLDS_A_KEY = "encrypted_value IS NOT NULL";
    private static final String AFTERWARDS = " If an Archon is running on the target, restart archon-server (or call its "
            + "POST /api/credentials/initialize) after the sync: it caches settings.";

    private EncryptedSettings() {
    }

    /** The synced archon_settings when this sync replaces it; empty when it is not in the set or left alone. */
    public static Optional<TablePlan> reloaded(SyncPlan plan) {
        return plan.tables().stream().filter(t -> t.table().name().equals(TABLE) && t.reload()).findFirst();
    }

    /** Adds the notice to the job when the plan copies archon_settings and there is anything to say. */
    public static void tell(SyncContext ctx) throws SQLException {
        if (ctx.job.request().isRestore()) {
            return;
        }
        Optional<TablePlan> settings = reloaded(ctx.plan);
        if (settings.isEmpty()) {
            return;
        }
        long copied = count(ctx.sourceConnection, settings.get());
        if (ctx.job.request().keepTargetCredentials()) {
            long own = ctx.plan.freshTarget() ? 0 : count(ctx.targetConnection, settings.get());
            ctx.job.notice(new Notice(CODE, String.format("Keeping the target's own credentials (keep_target_credentials): its %d "
                    + "encrypted %s stay as they are and the source's %d are not copied, nor any source setting with the key of "
                    + "one of them. The target's archon_settings is the source's but for those rows; verification and the "
                    + "fingerprints account for it, and since it then differs from the source's it is reloaded on every sync.",
                    own, own == 1 ? "setting" : "settings", copied) + AFTERWARDS));
        } else if (copied > 0) {
            ctx.job.notice(new Notice(CODE, String.format("%d encrypted %s (API keys in archon_settings) will be copied. Archon on "
                    + "the target can read them only if it runs with the source's SUPABASE_SERVICE_KEY (they are encrypted with a "
                    + "key derived from it); with another key it treats them as missing while Settings still shows them set: "
                    + "enter them again there, or sync with keep_target_credentials to keep the target's own.",
                    copied, copied == 1 ? "setting" : "settings") + AFTERWARDS));
        }
    }

    private static long count(Connection c, TablePlan settings) throws SQLException {
        return Sql.queryLong(c, "SELECT count(*) FROM " + settings.table().sql() + " WHERE " + HOLDS_A_KEY);
    }
}
