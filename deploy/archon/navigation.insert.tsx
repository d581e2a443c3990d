// ---- archon-db-sync: a navigation entry for Database Sync (optional; the Settings card alone also works) ----
//
// 1. archon-ui-main/src/components/layout/Navigation.tsx — add DatabaseBackup to the lucide-react import:
//      import { BookOpen, Bot, DatabaseBackup, Palette, Settings } from "lucide-react";
//    and this item to `navigationItems`, just before the Settings item:
    {
      path: "/database-sync",
      icon: <DatabaseBackup className="h-5 w-5" />,
      label: "Database Sync",
      enabled: true,
    },
//
// 2. archon-ui-main/src/App.tsx — import the page and add its route inside <Routes> (next to /settings):
//      import { DatabaseSyncPage } from './features/settings/database-sync/DatabaseSyncPage';
      <Route path="/database-sync" element={<DatabaseSyncPage />} />
//
// 3. Copy DatabaseSyncPage.tsx to archon-ui-main/src/features/settings/database-sync/DatabaseSyncPage.tsx.
// ---- end archon-db-sync ----
