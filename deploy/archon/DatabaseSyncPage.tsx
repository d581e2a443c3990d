/**
 * archon-db-sync: Database Sync as a page of its own, for the navigation entry (navigation.insert.tsx).
 * Copy to archon-ui-main/src/features/settings/database-sync/DatabaseSyncPage.tsx. The same card as on
 * the Settings page, full width, under a heading in the style of Archon's pages.
 */
import { DatabaseBackup } from "lucide-react";
import { DatabaseSyncCard } from "./components/DatabaseSyncCard";

export function DatabaseSyncPage() {
  return (
    <div className="w-full">
      <div className="flex justify-between items-center mb-8">
        <h1 className="text-3xl font-bold text-gray-800 dark:text-white flex items-center gap-3">
          <DatabaseBackup className="w-7 h-7 text-purple-500 filter drop-shadow-[0_0_8px_rgba(168,85,247,0.8)]" />
          Database Sync
        </h1>
      </div>
      <DatabaseSyncCard />
    </div>
  );
}
