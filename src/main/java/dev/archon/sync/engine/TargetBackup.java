package dev.archon.sync.engine;

import dev.archon.sync.backup.BackupManifest;
import dev.archon.sync.backup.BackupStore;
import dev.archon.sync.pg.Catalog;
import dev.archon.sync.pg.CatalogModel.OwnedSequence;
import dev.archon.sync.pg.CatalogModel.SequenceState;
import dev.archon.sync.pg.DumpCompression;
import dev.archon.sync.pg.PgClient;
import dev.archon.sync.pg.Sql;
import dev.archon.sync.pg.TableName;
import dev.archon.sync.pg.ToolProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backing_up phase: {@code pg_dump -Fc} of the target's synced tables, before anything is touched,
 * compressed as {@link DumpCompression} chooses for the clients at hand: zstd with a 16+ client (a third
 * of the size for about the same time), none with a 15 one (gzip of vectors is the slowest step of any
 * dump: 50 s vs 4 s for 50k embedding rows). The dump reads an exported snapshot in which the row
 * counts and sequence values of the manifest are taken, so a restore can verify it got everything back.
 */
final class TargetBackup {
    private TargetBackup() {
    }

    static BackupManifest take(SyncContext ctx) throws SQLException, IOException, InterruptedException {
        BackupStore store = ctx.settings.backups();
        Files.createDirectories(store.directory());
        List<TableName> tables = ctx.plan.tableNames();
        DumpCompression.Choice how = DumpCompression.forBackup(ctx.settings.clients(), ctx.plan.targetServerVersion() / 10000)
                .orElseThrow(() -> new IOException("no pg_dump for a PostgreSQL " + ctx.plan.targetServerVersion() / 10000 + " server"));
        PgClient client = how.client();
        String database = ctx.job.request().direction().targetName();
        String id = BackupStore.newId(Instant.now(), ctx.job.request().direction().wire(), database, ctx.target.database(),
                ctx.job.id());
        Path partial = store.directory().resolve(id + ".dump.partial");
        WritableDirectory where = WritableDirectory.backups(store.directory());
        boolean kept = false;
        try (SourceSnapshot snapshot = SourceSnapshot.connect(ctx.target, "backup snapshot", ctx.job, ctx.settings.stallTimeout())) {
            snapshot.begin();
            String exported = snapshot.export();
            Connection snap = snapshot.connection();
            Catalog target = new Catalog(snap);
            Map<String, Long> counts = new LinkedHashMap<>();
            for (TableName t : tables) {
                counts.put(t.toString(), target.count(t));
            }
            List<BackupManifest.Sequence> sequences = new ArrayList<>();
            for (OwnedSequence s : target.ownedSequences(tables)) {
                SequenceState v = target.sequenceState(s.sequence());
                sequences.add(new BackupManifest.Sequence(s.table().toString(), s.column(), v.lastValue(), v.isCalled()));
            }
            List<String> args = new ArrayList<>(List.of("--format=custom", how.option(), "--no-owner", "--no-privileges",
                    "--snapshot=" + exported, "--file=" + partial));
            for (TableName t : tables) {
                args.add("--table=" + Sql.ident(t.schema()) + "." + Sql.ident(t.name()));
            }
            ctx.job.progress(0.1, "Backing up the target's " + tables.size() + " tables to " + store.directory() + " (pg_dump "
                    + client.major() + ", compression " + how.method() + ")");
            ToolProcess.Result r = ToolProcess.run(client, "pg_dump", args, ctx.target, null, ctx.cancel());
            ctx.cancel().throwIfCancelled();
            if (r.exitCode() != 0) {
                throw new IOException(WritableDirectory.isNoSpace(r.stderr()) ? where.full("writing the backup") + "; nothing was changed"
                        : "the backup failed, nothing was changed: pg_dump exited " + r.exitCode() + ": " + r.stderr());
            }
            snapshot.release();
            BackupStore.move(partial, store.archive(id));
            BackupManifest manifest = new BackupManifest(id, database, ctx.target.endpoint(), Instant.now(), ctx.job.id(),
                    ctx.job.request().direction().wire(), ctx.plan.targetServerVersion(), client.major(),
                    Files.size(store.archive(id)), counts, sequences);
            store.save(manifest);
            kept = true;
            List<String> pruned = store.prune(database, ctx.target.endpoint());
            ctx.job.progress(1, String.format("Backup %s written (%,d MB)%s", id, manifest.sizeBytes() >> 20,
                    pruned.isEmpty() ? "" : "; removed " + pruned.size() + " older"));
            return manifest;
        } catch (IOException e) {
            if (WritableDirectory.isNoSpace(e)) { // the manifest, or the move, found the disk full
                throw new IOException(where.full("writing the backup") + "; nothing was changed");
            }
            throw e;
        } finally {
            Files.deleteIfExists(partial);
            if (!kept) { // an archive without its manifest is never listed, restored or pruned: never leave one
                Files.deleteIfExists(store.archive(id));
            }
        }
    }
}
