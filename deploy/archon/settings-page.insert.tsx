{/* ---- archon-db-sync: paste into archon-ui-main/src/pages/SettingsPage.tsx, in the left column right after
     the "Database Migrations" card's closing </motion.div>. Add to the file's imports:
       import { DatabaseBackup } from "lucide-react";      (or add DatabaseBackup to the existing lucide-react import)
       import { DatabaseSyncCard } from "../features/settings/database-sync/components/DatabaseSyncCard";
     ---- */}
          {/* Database Sync (archon-db-sync): back up to / restore from Supabase Cloud */}
          <motion.div variants={itemVariants} id="database-sync">
            <CollapsibleSettingsCard
              title="Database Sync"
              icon={DatabaseBackup}
              accentColor="purple"
              storageKey="database-sync"
              defaultExpanded={true}
            >
              <DatabaseSyncCard />
            </CollapsibleSettingsCard>
          </motion.div>
{/* ---- end archon-db-sync ---- */}
