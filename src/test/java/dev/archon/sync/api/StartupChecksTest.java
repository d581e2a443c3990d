package dev.archon.sync.api;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * No API key and no explicit opt-out, a weak key, the opt-out on a public address, or CORS for every origin:
 * the service does not start, and says why.
 */
class StartupChecksTest {
    private static final String GOOD_KEY = "9f4c2e7a1b8d6f3e0a5c9b2d7e4f1a8c";

    private static StartupChecks.Settings settings(Optional<String> key, boolean authDisabled, String host) {
        return new StartupChecks.Settings(key, authDisabled, host, "", false, false);
    }

    private static String refusal(StartupChecks.Settings s) {
        return assertThrows(IllegalStateException.class, () -> StartupChecks.check(s)).getMessage();
    }

    @Test
    void refusesToStartWithoutAKey() {
        String e = refusal(settings(Optional.empty(), false, "0.0.0.0"));
        assertTrue(e.contains("ARCHON_SYNC_API_KEY") && e.contains("ARCHON_SYNC_AUTH_DISABLED"), e);
        refusal(settings(Optional.of("  "), false, "0.0.0.0"));
    }

    @Test
    void refusesAShortKeyAndTheExamplePlaceholder() {
        assertTrue(refusal(settings(Optional.of("k"), false, "0.0.0.0")).contains("at least 24"));
        assertTrue(refusal(settings(Optional.of("x".repeat(23)), false, "0.0.0.0")).contains("at least 24"));
        assertTrue(refusal(settings(Optional.of(StartupChecks.EXAMPLE_KEY), false, "0.0.0.0")).contains("placeholder"));
    }

    @Test
    void authDisabledOnlyOnLoopbackAndNeverTogetherWithAKey() {
        assertTrue(refusal(settings(Optional.empty(), true, "0.0.0.0")).contains("loopback"));
        assertTrue(refusal(settings(Optional.of(GOOD_KEY), true, "127.0.0.1")).contains("both set"));
        assertDoesNotThrow(() -> StartupChecks.check(settings(Optional.empty(), true, "127.0.0.1")));
        assertDoesNotThrow(() -> StartupChecks.check(settings(Optional.empty(), true, "localhost")));
    }

    @Test
    void corsForEveryOriginWithCredentialsIsRefused() {
        String e = refusal(new StartupChecks.Settings(Optional.of(GOOD_KEY), false, "0.0.0.0", "*", true, false));
        assertTrue(e.contains("ARCHON_SYNC_CORS_ORIGINS"), e);
        assertDoesNotThrow(() -> StartupChecks.check(new StartupChecks.Settings(Optional.of(GOOD_KEY), false, "0.0.0.0",
                "http://localhost:3737", true, false)));
    }

    @Test
    void startsWithALongRandomKey() {
        assertDoesNotThrow(() -> StartupChecks.check(settings(Optional.of(GOOD_KEY), false, "0.0.0.0")));
        assertDoesNotThrow(() -> StartupChecks.check(settings(Optional.of("x".repeat(24)), false, "0.0.0.0")));
    }
}
