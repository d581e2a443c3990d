package dev.archon.sync.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The libpq URI → Quarkus datasource properties mapping (the pools' only source of connection settings). */
class DatabaseUrlConfigSourceTest {

    @Test
    void aLibpqUriBecomesJdbcUrlUserPasswordAndDriverProperties() {
        Map<String, String> p = DatabaseUrlConfigSource.datasourceProperties("remote",
                "postgresql://postgres.ref:p%40ss%2Fword@aws-0-eu.pooler.supabase.com:5432/postgres?sslmode=require&connect_timeout=7");
        assertEquals("jdbc:postgresql://aws-0-eu.pooler.supabase.com:5432/postgres", p.get("quarkus.datasource.remote.jdbc.url"));
        assertEquals("postgres.ref", p.get("quarkus.datasource.remote.username"));
        assertEquals("p@ss/word", p.get("quarkus.datasource.remote.password"));
        String extra = "quarkus.datasource.remote.jdbc.additional-jdbc-properties.";
        assertEquals("require", p.get(extra + "sslmode"));
        assertEquals("7", p.get(extra + "connectTimeout"));
        assertEquals("archon-db-sync pool", p.get(extra + "ApplicationName"));
        // the password is only ever in the password property
        p.forEach((k, v) -> assertFalse(!k.endsWith(".password") && v.contains("p@ss"), k + " carries the password"));
    }

    @Test
    void anUnparsableUriYieldsNothingSoTheDatasourceStaysInactive() {
        assertTrue(DatabaseUrlConfigSource.datasourceProperties("local", "mysql://nope").isEmpty());
        assertTrue(DatabaseUrlConfigSource.datasourceProperties("local", "  ").isEmpty());
    }
}
