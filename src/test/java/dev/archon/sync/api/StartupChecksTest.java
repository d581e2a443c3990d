package dev.archon.sync.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.archon.sync.config.SyncConfig;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** No API key and no explicit opt-out: the service does not start, and says why. */
class StartupChecksTest {
    private static SyncConfig config(Optional<String> key, boolean authDisabled) {
        SyncConfig.Auth auth = (SyncConfig.Auth) Proxy.newProxyInstance(SyncConfig.class.getClassLoader(),
                new Class<?>[] {SyncConfig.Auth.class}, (p, m, a) -> authDisabled);
        return (SyncConfig) Proxy.newProxyInstance(SyncConfig.class.getClassLoader(), new Class<?>[] {SyncConfig.class},
                (p, m, a) -> switch (m.getName()) {
                    case "apiKey" -> key;
                    case "auth" -> auth;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void refusesToStartWithoutAKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new StartupChecks().onStart(null, config(Optional.empty(), false)));
        assertTrue(e.getMessage().contains("ARCHON_SYNC_API_KEY") && e.getMessage().contains("ARCHON_SYNC_AUTH_DISABLED"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new StartupChecks().onStart(null, config(Optional.of("  "), false)));
    }

    @Test
    void startsWithAKeyOrAnExplicitOptOut() {
        assertDoesNotThrow(() -> new StartupChecks().onStart(null, config(Optional.of("k"), false)));
        assertDoesNotThrow(() -> new StartupChecks().onStart(null, config(Optional.empty(), true)));
    }
}
