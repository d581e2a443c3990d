package dev.archon.sync.engine.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** pg_dump's psql-only lines are removed by exact statement, never by a line's first character. */
class FreshTargetSchemaTest {
    private static final String DUMP = String.join("\n",
            "--",
            "\\restrict AbC123xyz",
            "SET statement_timeout = 0;",
            "SET transaction_timeout = 0;",
            "COMMENT ON TABLE public.archon_settings IS 'Archon settings.",
            "\\restrict is not a command here",
            "\\. neither is this",
            "\\unrestrict SomeOtherKey';",
            "\\unrestrict AbC123xyz",
            "");

    @Test
    void keepsCommentLinesThatStartWithABackslash() {
        assertEquals(String.join("\n",
                "--",
                "SET statement_timeout = 0;",
                "COMMENT ON TABLE public.archon_settings IS 'Archon settings.",
                "\\restrict is not a command here",
                "\\. neither is this",
                "\\unrestrict SomeOtherKey';",
                "", ""), FreshTargetSchema.forServer(DUMP, 150000));
    }

    @Test
    void keepsTransactionTimeoutForA17Server() {
        String out = FreshTargetSchema.forServer(DUMP, 170000);
        assertEquals(1, out.lines().filter(l -> l.equals("SET transaction_timeout = 0;")).count());
        assertEquals(0, out.lines().filter(l -> l.equals("\\restrict AbC123xyz") || l.equals("\\unrestrict AbC123xyz")).count());
    }
}
