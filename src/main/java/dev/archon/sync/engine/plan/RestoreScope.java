package dev.archon.sync.engine.plan;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.engine.Refusal;
import dev.archon.sync.engine.SyncRefusedException;
import dev.archon.sync.engine.TableSelection;
import dev.archon.sync.pg.TableName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A restore puts back Archon's tables only: every table a backup's manifest names (its row counts, table
 * files and sequences) must be one of the synced tables, written exactly as the service writes it. A manifest
 * is a file anyone with access to the backup directory can write; a name it invents — another application's
 * table, a differently spelled one — refuses the restore before any session is opened.
 */
public final class RestoreScope {
    private RestoreScope() {
    }

    public static void check(BackupManifest backup, TableSelection synced) {
        Set<String> named = new LinkedHashSet<>(backup.tables().keySet());
        if (backup.files() != null) {
            backup.files().forEach(f -> named.add(f.table()));
        }
        backup.sequences().forEach(s -> named.add(s.table()));
        List<String> foreign = new ArrayList<>();
        for (String name : named) {
            if (name == null || !admitted(synced, name)) {
                foreign.add(name == null ? "(no name)" : "'" + shorten(name) + "'");
            }
        }
        List<Refusal> refusals = new ArrayList<>();
        if (!foreign.isEmpty()) {
            refusals.add(new Refusal("backup_not_archon", "backup " + backup.id() + " names " + String.join(", ", foreign)
                    + ", which " + (foreign.size() == 1 ? "is" : "are") + " not among Archon's synced tables: "
                    + "a restore only puts back Archon's tables; this backup's manifest was not written for them and is not restored"));
        } else if (!backup.sequences().stream().allMatch(s -> backup.tables().containsKey(s.table()))) {
            refusals.add(new Refusal("backup_not_archon", "backup " + backup.id() + " sets a sequence of a table it holds no rows for"));
        }
        if (!refusals.isEmpty()) {
            throw new SyncRefusedException(refusals);
        }
    }

    /** Exactly as the service writes a name (schema.table, quoted only where needed), and one the set admits. */
    private static boolean admitted(TableSelection synced, String name) {
        try {
            TableName t = TableName.parse(name);
            return t.toString().equals(name) && TableSet.admits(synced, t);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String shorten(String name) {
        String printable = name.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "…";
    }
}
