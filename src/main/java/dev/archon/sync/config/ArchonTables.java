package dev.archon.sync.config;

/**
 * The 17 tables the fork of the seed document syncs (its dependency order): the set a sync finds on the
 * fork's schema, and what ARCHON_SYNC_TABLES defaulted to before the set was found (issue 19). Kept for
 * reference and tests; the service no longer defaults to it.
 */
public final class ArchonTables {
    public static final String DEFAULT_CSV = "archon_settings,archon_migrations,archon_llm_pricing,archon_prompts,"
            + "archon_sources,archon_page_metadata,archon_crawled_pages,archon_code_examples,archon_crawl_state,"
            + "archon_projects,archon_tasks,archon_task_history,archon_document_versions,archon_project_sources,"
            + "archon_configured_repositories,archon_agent_work_orders,archon_agent_work_order_steps";

    private ArchonTables() {
    }
}
