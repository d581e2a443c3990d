#!/usr/bin/env bash
# Pre-sync backup size and time per pg_dump client and compression (issue 12), on the benchmark's
# Archon dataset, and a restore round trip of each archive through pg_restore --data-only.
#   scripts/bench-backup.sh [SCALE] [REPS]     (defaults 0.25 and 3)
#   VARIANTS="15 0,17 zstd:1,15 copy" narrows the variants (client major and --compress value, comma-separated;
#   "copy" is the service's own way since issue 12: the table files TargetBackup writes)
# Builds a throwaway cluster "bench-backup" (port 55499) with the fixture at SCALE once (KEEP=1 keeps it),
# then backs up the 17 synced tables with every variant in rotating order: pg_dump as the service did before
# (-Fc, --no-owner, --no-privileges), or "copy" as TargetBackup does now (one REPEATABLE READ READ ONLY
# transaction, `COPY table (non-generated columns) TO STDOUT (FORMAT binary)` per table into its own file, the
# files fsynced, as pg_dump fsyncs its archive), and prints median seconds, MB and ratios against the old -Z0.
# Round trips: every pg_dump archive's rows as pg_restore writes them back equal -Z0's; the table files loaded
# by COPY FROM into a copy of the database with its 17 tables truncated give a checksum-identical database.
set -euo pipefail
scale=${1:-0.25}; reps=${2:-3}; port=55499
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
pg15=/usr/lib/postgresql/15/bin; pg17=${PG17_BIN:-/opt/archon-pg17/bin}
export PGPASSWORD=postgres PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
out="$root/work/bench-backup"; mkdir -p "$out"
tables=$(tr ',' '\n' <<<"archon_settings,archon_migrations,archon_llm_pricing,archon_prompts,archon_sources,archon_page_metadata,archon_crawled_pages,archon_code_examples,archon_crawl_state,archon_projects,archon_tasks,archon_task_history,archon_project_sources,archon_document_versions,archon_configured_repositories,archon_agent_work_orders,archon_agent_work_order_steps" | sed 's/^/--table=public./')

PGCLUSTER_FAST=1 bash scripts/pg-cluster.sh start bench-backup $port >/dev/null
trap '[ "${KEEP:-0}" = 1 ] || bash scripts/pg-cluster.sh stop bench-backup $port >/dev/null' EXIT
mark="bench-backup scale=$scale seed=1"
if [ "$(psql -d postgres -tAc "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = 'archon'")" != "$mark" ]; then
  echo "generating the dataset at scale $scale ..."
  psql -q -d postgres -c "DROP DATABASE IF EXISTS archon" -c "CREATE DATABASE archon" -c "COMMENT ON DATABASE archon IS '$mark'"
  psql -q -v ON_ERROR_STOP=1 -d archon -f fixture/supabase-emulation.sql -f fixture/archon-schema.sql -f fixture/generate.sql 2>/dev/null
  psql -q -d archon -c "SELECT archon_fixture_generate($scale, 1)" -c "DROP FUNCTION archon_fixture_generate(float8, float8)"
fi
psql -d archon -tAc "SELECT 'dataset: ' || (SELECT count(*) FROM archon_crawled_pages) || ' crawled pages, heap+toast '
  || pg_size_pretty(sum(pg_table_size(c.oid))) FROM pg_class c WHERE relname LIKE 'archon\_%' AND relkind = 'r'"

variants=("15 0" "17 0" "17 zstd:1" "17 zstd:3" "17 lz4" "15 1" "15 copy")
[ -x "$pg17/pg_dump" ] || variants=("15 0" "15 1" "15 copy")
[ -z "${VARIANTS:-}" ] || IFS=, read -r -a variants <<<"$VARIANTS"
# per table: its non-generated columns, as TargetBackup copies them
copy_script() { # DIR: the psql script that writes every table file into DIR
  echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
  psql -d archon -tA -v dir="$1" <<'SQL'
SELECT format('\copy %I.%I (%s) TO %L WITH (FORMAT binary)', n.nspname, c.relname,
              string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), :'dir' || '/' || n.nspname || '.' || c.relname || '.copy')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'archon\_%' AND c.relname NOT LIKE 'archon\_mcp\_%'
GROUP BY n.nspname, c.relname ORDER BY c.relname;
SQL
  echo "COMMIT;"
}
uptime
rm -rf "$out"/*.dump "$out"/*.tables # only this run's backups are compared in the round trips below
: > "$out/results.tsv"
for ((r = 0; r < reps; r++)); do
  for ((i = 0; i < ${#variants[@]}; i++)); do
    v=${variants[$(( (i + r) % ${#variants[@]} ))]}; read -r major comp <<<"$v"
    bin=$pg15; [ "$major" = 17 ] && bin=$pg17
    if [ "$comp" = copy ]; then
      f="$out/$major-copy.tables"; rm -rf "$f"; mkdir -p "$f"; copy_script "$f" > "$out/copy.sql"
      # wall seconds, and the client's CPU seconds (psql writing the files; the service's JVM does the same)
      /usr/bin/time -f '%e %U %S' -o "$out/time" \
        bash -c '"$1/psql" -q -v ON_ERROR_STOP=1 -d archon -f "$2" && sync "$3"/*.copy "$3"' _ "$bin" "$out/copy.sql" "$f"
      size=$(du -sb --apparent-size "$f"/*.copy | awk '{s += $1} END {print s}')
    else
      f="$out/$major-${comp//:/_}.dump"
      # wall seconds, and pg_dump's own CPU seconds (the compression's cost, less disturbed by other load)
      /usr/bin/time -f '%e %U %S' -o "$out/time" \
        "$bin/pg_dump" -d archon --format=custom --compress="$comp" --no-owner --no-privileges $tables -f "$f"
      size=$(stat -c %s "$f")
    fi
    read -r wall user sys < "$out/time"
    printf '%s\t%s\t%s\t%s\t%s\n' "$major" "$comp" "$wall" "$size" "$(echo "$user + $sys" | bc)" >> "$out/results.tsv"
  done
done
# restore round trip: the rows pg_restore writes back from each archive are those of -Z0's archive
ref=$("$pg15/pg_restore" --data-only -f - "$out/15-0.dump" | grep -v '^\\\|^--\|^SET \|^SELECT pg_catalog.set_config' | md5sum)
python3 - "$out/results.tsv" <<'EOF'
import sys, statistics as st, collections
rows = collections.defaultdict(list)
for l in open(sys.argv[1]):
    m, c, t, b, cpu = l.split('\t'); rows[(m, c)].append((float(t), int(b), float(cpu)))
base = rows[('15', '0')]; bsize = base[0][1]
bmed = st.median(t for t, _, _ in base); bmin = min(t for t, _, _ in base)
print(f"{'client':>6} {'compress':>9} {'median s':>9} {'min-max':>13} {'MB':>8} {'x size':>7} {'x median':>8} {'x min':>6} {'CPU s':>6}")
for (m, c), v in rows.items():
    ts = [t for t, _, _ in v]
    print(f"{m:>6} {c:>9} {st.median(ts):9.2f} {min(ts):6.2f}-{max(ts):<6.2f} {v[0][1]/1e6:8.1f} {v[0][1]/bsize:7.2f}"
          f" {st.median(ts)/bmed:8.2f} {min(ts)/bmin:6.2f} {st.median(x for _, _, x in v):6.1f}")
EOF
for f in "$out"/*.tables; do
  [ -d "$f" ] || continue
  psql -q -d postgres -c "DROP DATABASE IF EXISTS archon_rt" -c "CREATE DATABASE archon_rt TEMPLATE archon"
  { echo "BEGIN;"; echo "SET LOCAL session_replication_role = replica;"; echo "SET LOCAL client_min_messages = warning;"; echo "TRUNCATE $(psql -d archon -tA -c "SELECT string_agg(format('%I.%I', 'public', relname), ', ')
      FROM pg_class WHERE relkind = 'r' AND relname LIKE 'archon\_%' AND relname NOT LIKE 'archon\_mcp\_%'");"
    sed -n 's/ TO \(.*\) WITH (FORMAT binary)$/ FROM \1 WITH (FORMAT binary)/p' "$out/copy.sql" | sed "s#'[^']*/\([^/']*\.copy\)'#'$f/\1'#"
    echo "COMMIT;"; } | psql -q -v ON_ERROR_STOP=1 -d archon_rt
  a=$(scripts/db-checksum.sh "postgresql://postgres:$PGPASSWORD@127.0.0.1:$port/archon" | grep -v '^sequence')
  b=$(scripts/db-checksum.sh "postgresql://postgres:$PGPASSWORD@127.0.0.1:$port/archon_rt" | grep -v '^sequence')
  [ "$a" = "$b" ] && echo "restore $(basename "$f"): COPY FROM the table files gives a checksum-identical database" \
    || { echo "restore $(basename "$f"): DIFFERENT"; exit 1; }
  psql -q -d postgres -c "DROP DATABASE archon_rt"
done
for f in "$out"/*.dump; do
  bin=$pg15; case "$(basename "$f")" in 17-*) bin=$pg17;; esac
  sum=$("$bin/pg_restore" --data-only -f - "$f" | grep -v '^\\\|^--\|^SET \|^SELECT pg_catalog.set_config' | md5sum)
  [ "$sum" = "$ref" ] && echo "restore $(basename "$f"): rows identical to -Z0's" || { echo "restore $(basename "$f"): DIFFERENT"; exit 1; }
done
