package dev.archon.sync.testing;

import java.util.List;

/**
 * The Archon schemas users run (facts: {@code archon-versions.md} in the project's shared notes), each a
 * fixture built from {@code fixture/versions/}: what a fresh install of that version creates, plus a few
 * hundred deterministic rows. {@link #tables} is the set a sync of two such databases moves: every
 * {@code archon_*} base table but the per-machine logs and Archon's backup copies.
 */
public enum ArchonVersion {
    /** Upstream v1 (coleam00/Archon archive/v1-stable, complete_setup.sql): 11 tables. */
    V1_STABLE("v1", List.of("versions/v1-stable.sql"), "versions/v1-rows.sql", List.of(), V1Tables.CORE),
    /** Upstream v1 with the two optional agent-work-order scripts (archive/v1-task-management-rag): 14 tables. */
    V1_WORK_ORDERS("v1wo", List.of("versions/v1-stable.sql", "versions/v1-work-orders.sql"), "versions/v1-rows.sql", List.of(),
            V1Tables.WITH_WORK_ORDERS),
    /** Upstream v1 after its backup_database.sql ran: the 11 tables and four archon_*_backup_<date>_<time> copies. */
    V1_BACKUP_COPIES("v1bk", List.of("versions/v1-stable.sql"), "versions/v1-rows.sql", List.of("versions/v1-backup-copies.sql"),
            V1Tables.CORE),
    /** Today's fork fixture (archon-schema.sql and archon-functions.sql, the fork's main): 17 synced tables and the two MCP logs. */
    FORK("fork", List.of(), null, List.of("archon-functions.sql"), ForkTables.MAIN),
    /** The fork's develop: 27 synced tables, ltree, sprint/stage FKs from archon_tasks, its own archon_sync_history. */
    FORK_DEVELOP("dev", List.of(), "versions/fork-develop-rows.sql", List.of("archon-functions.sql", "versions/fork-develop.sql"),
            ForkTables.DEVELOP);

    /** Row count scale of generate.sql for the fork versions: a few hundred crawled pages. */
    static final double FORK_SCALE = 0.002;

    final String key;
    /** Run in a fresh Supabase database (after the emulation, in a new session), in order. */
    final List<String> schema;
    /** Defines one {@code public.archon_fixture_*_rows(seed float8)} function, called once and dropped. */
    final String rows;
    /** Run after the rows. */
    final List<String> after;
    private final List<String> tables;

    ArchonVersion(String key, List<String> schema, String rows, List<String> after, List<String> tables) {
        this.key = key;
        this.schema = schema;
        this.rows = rows;
        this.after = after;
        this.tables = tables;
    }

    /** The template database of this version on a test cluster (see {@link TestClusters#template}). */
    public String template() {
        return "tpl_" + key;
    }

    /** The tables a sync moves, parents before children (as ARCHON_SYNC_TABLES would name them). */
    public List<String> tables() {
        return tables;
    }

    private static final class V1Tables {
        static final List<String> CORE = List.of("archon_settings", "archon_migrations", "archon_prompts", "archon_sources",
                "archon_page_metadata", "archon_crawled_pages", "archon_code_examples", "archon_projects", "archon_tasks",
                "archon_document_versions", "archon_project_sources");
        static final List<String> WITH_WORK_ORDERS = concat(CORE, List.of("archon_configured_repositories",
                "archon_agent_work_orders", "archon_agent_work_order_steps"));
    }

    private static final class ForkTables {
        static final List<String> MAIN = List.of("archon_settings", "archon_migrations", "archon_llm_pricing", "archon_prompts",
                "archon_sources", "archon_page_metadata", "archon_crawled_pages", "archon_code_examples", "archon_crawl_state",
                "archon_projects", "archon_tasks", "archon_task_history", "archon_document_versions", "archon_project_sources",
                "archon_configured_repositories", "archon_agent_work_orders", "archon_agent_work_order_steps");
        static final List<String> DEVELOP = concat(List.of("archon_project_types", "archon_workflows", "archon_workflow_stages"),
                concat(MAIN, List.of("archon_sprints", "archon_time_logs", "archon_project_hierarchy", "archon_teams",
                        "archon_team_members", "archon_knowledge_links", "archon_project_knowledge_links")));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
