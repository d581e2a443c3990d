package dev.archon.sync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CorsFromEnvironmentTest {

    @Test
    void offUnlessOriginsAreNamed() {
        assertTrue(new CorsFromEnvironment(Map.<String, String>of()::get).getPropertyNames().isEmpty());
        assertNull(new CorsFromEnvironment(Map.of(CorsFromEnvironment.ENV, "  ")::get).getValue("quarkus.http.cors.enabled"));
    }

    @Test
    void namedOriginsSwitchTheFilterOnForExactlyThose() {
        CorsFromEnvironment s = new CorsFromEnvironment(Map.of(CorsFromEnvironment.ENV, "http://localhost:3737")::get);
        assertEquals("true", s.getValue("quarkus.http.cors.enabled"));
        assertEquals("http://localhost:3737", s.getValue("quarkus.http.cors.origins"));
        assertEquals("true", s.getValue("quarkus.http.cors.access-control-allow-credentials"));
    }
}
