package dev.archon.sync.engine.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing pg_restore --list lines and choosing the comment/privilege entries that belong to a chosen object. */
class DumpTocTest {
    private static final String LISTING = String.join("\n",
            ";",
            "; Archive created at 2026-12-01 13:45:51 UTC",
            "449; 1255 17356 FUNCTION public archive_task(uuid, text) postgres",
            "4130; 0 0 COMMENT public FUNCTION archive_task(task_id_param uuid, archived_by_param text) postgres",
            "4131; 0 0 ACL public FUNCTION archive_task(task_id_param uuid, archived_by_param text) postgres",
            "450; 1255 17400 FUNCTION public other_app_touch() postgres",
            "4132; 0 0 ACL public FUNCTION other_app_touch() postgres",
            "226; 1259 16935 TABLE public archon_crawled_pages postgres",
            "4127; 0 0 ACL public TABLE archon_crawled_pages postgres",
            "4150; 0 0 COMMENT public COLUMN archon_crawled_pages.page_id postgres",
            "225; 1259 16934 SEQUENCE public archon_crawled_pages_id_seq postgres",
            "4128; 0 0 SEQUENCE OWNED BY public archon_crawled_pages_id_seq postgres",
            "4098; 3256 17336 POLICY public archon_crawled_pages Allow public read access postgres",
            "4099; 0 0 COMMENT public POLICY Allow public read access ON archon_crawled_pages postgres",
            "4049; 0 16935 ROW SECURITY public archon_crawled_pages postgres",
            "3890; 2606 17000 FK CONSTRAINT public archon_crawled_pages archon_crawled_pages_source_id_fkey postgres",
            "241; 1259 17291 VIEW public open_task_counts postgres",
            "4136; 0 0 ACL public TABLE open_task_counts postgres",
            "2; 3079 16386 EXTENSION - vector ",
            "4112; 0 0 COMMENT - EXTENSION vector ");

    @Test
    void parsesMultiWordKindsAndTagsWithSpaces() {
        DumpToc toc = DumpToc.parse(LISTING);
        DumpToc.Entry policy = toc.entries().stream().filter(e -> e.desc().equals("POLICY")).findFirst().orElseThrow();
        assertEquals("archon_crawled_pages Allow public read access", policy.tag());
        assertEquals(3256, policy.classId());
        assertTrue(toc.entries().stream().anyMatch(e -> e.desc().equals("SEQUENCE OWNED BY")));
        assertTrue(toc.entries().stream().anyMatch(e -> e.desc().equals("FK CONSTRAINT")));
        assertEquals("vector", toc.entries().stream().filter(e -> e.desc().equals("EXTENSION")).findFirst().orElseThrow().tag());
    }

    @Test
    void choosesObjectsByOidAndTheirCommentsAndPrivilegesByName() {
        DumpToc toc = DumpToc.parse(LISTING);
        // a stand-in ArchonSchema: the members are what matters to the selection
        java.util.Set<ArchonSchema.CatalogId> members = java.util.Set.of(new ArchonSchema.CatalogId(1255, 17356),
                new ArchonSchema.CatalogId(1259, 16935), new ArchonSchema.CatalogId(1259, 16934),
                new ArchonSchema.CatalogId(3256, 17336), new ArchonSchema.CatalogId(0, 16935),
                new ArchonSchema.CatalogId(2606, 17000), new ArchonSchema.CatalogId(1259, 17291));
        List<String> chosen = toc.select(members, java.util.Set.of()).stream().map(e -> e.line().split(";")[0]).toList();
        assertEquals(List.of("449", "4130", "4131", "226", "4127", "4150", "225", "4128", "4098", "4099", "4049", "3890", "241", "4136"),
                chosen);
        List<String> withoutFunction = toc.select(members, java.util.Set.of(new ArchonSchema.CatalogId(1255, 17356))).stream()
                .map(e -> e.line().split(";")[0]).toList();
        assertFalse(withoutFunction.contains("449") || withoutFunction.contains("4130") || withoutFunction.contains("4131"));
    }

    @Test
    void functionSignaturesMatchWithOrWithoutArgumentNames() {
        assertTrue(DumpToc.sameFunction("archive_task(uuid, text)", "archive_task(task_id_param uuid, archived_by_param text)"));
        assertTrue(DumpToc.sameFunction("f()", "f()"));
        assertTrue(DumpToc.sameFunction("f(double precision)", "f(x double precision)"));
        assertFalse(DumpToc.sameFunction("f(uuid)", "f(a uuid, b text)"));
        assertFalse(DumpToc.sameFunction("f(uuid)", "g(a uuid)"));
        assertFalse(DumpToc.sameFunction("f(integer)", "f(a text)"));
    }
}
