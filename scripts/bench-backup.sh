#!/usr/bin/env bash
# Pre-sync backup size and time per pg_dump client and compression (issue 12), on the benchmark's
# Archon dataset, and a restore round trip of each archive through pg_restore --data-only.
#   scripts/bench-backup.sh [SCALE] [REPS]     (defaults 0.25 and 3)
#   VARIANTS="15 0,17 zstd:1" narrows the variants (client major and --compress value, comma-separated)
# Builds a throwaway cluster "bench-backup" (port 55499) with the fixture at SCALE once (KEEP=1 keeps it),
# then dumps the 17 synced tables exactly as TargetBackup does (-Fc, --no-owner, --no-privileges) with
# every available variant in rotating order, and prints median seconds, MB and ratios against today's -Z0.
set -euo pipefail
scale=${1:-0.25}; reps=${2:-3}; port=55499
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
pg15=/usr/lib/postgresql/15/bin; pg17=${PG17_BIN:-/opt/archon-pg17/bin}
export PGPASSWORD=postgres PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
out="$root/work/bench-backup"; mkdir -p "$out"
tables=$(tr ',' '\n' <<<"archon_settings,archon_migrations,archon_llm_pricing,archon_prompts,archon_sources,archon_page_metadata,archon_crawled_pages,archon_code_examples,archon_crawl_state,archon_projects,archon_tasks,archon_task_history,archon_project_sources,archon_document_versions,archon_configured_repositories,archon_agent_work_orders,archon_agent_work_order_steps" | sed 's/^/--table=public./')

PGCLUSTER_FAST=1 bash scripts/pg-cluster.sh start bench-backup $port >/dev/null
trap '[ "${KEEP:-0}" = 1 ] || bash scripts/pg-cluster.sh stop bench-backup $port >/dev/null' EXIT
if [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'archon'")" != 1 ]; then
  echo "generating the dataset at scale $scale ..."
  psql -q -d postgres -c "CREATE DATABASE archon"
  psql -q -v ON_ERROR_STOP=1 -d archon -f fixture/supabase-emulation.sql -f fixture/archon-schema.sql -f fixture/generate.sql 2>/dev/null
  psql -q -d archon -c "SELECT archon_fixture_generate($scale, 1)" -c "DROP FUNCTION archon_fixture_generate(float8, float8)"
fi
psql -d archon -tAc "SELECT 'dataset: ' || (SELECT count(*) FROM archon_crawled_pages) || ' crawled pages, heap+toast '
  || pg_size_pretty(sum(pg_table_size(c.oid))) FROM pg_class c WHERE relname LIKE 'archon\_%' AND relkind = 'r'"

variants=("15 0" "17 0" "17 zstd:1" "17 zstd:3" "17 lz4" "15 1")
[ -x "$pg17/pg_dump" ] || variants=("15 0" "15 1")
[ -z "${VARIANTS:-}" ] || IFS=, read -r -a variants <<<"$VARIANTS"
uptime
: > "$out/results.tsv"
for ((r = 0; r < reps; r++)); do
  for ((i = 0; i < ${#variants[@]}; i++)); do
    v=${variants[$(( (i + r) % ${#variants[@]} ))]}; read -r major comp <<<"$v"
    bin=$pg15; [ "$major" = 17 ] && bin=$pg17
    f="$out/$major-${comp//:/_}.dump"
    # wall seconds, and pg_dump's own CPU seconds (the compression's cost, less disturbed by other load)
    /usr/bin/time -f '%e %U %S' -o "$out/time" \
      "$bin/pg_dump" -d archon --format=custom --compress="$comp" --no-owner --no-privileges $tables -f "$f"
    read -r wall user sys < "$out/time"
    printf '%s\t%s\t%s\t%s\t%s\n' "$major" "$comp" "$wall" "$(stat -c %s "$f")" "$(echo "$user + $sys" | bc)" >> "$out/results.tsv"
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
for f in "$out"/*.dump; do
  bin=$pg15; case "$(basename "$f")" in 17-*) bin=$pg17;; esac
  sum=$("$bin/pg_restore" --data-only -f - "$f" | grep -v '^\\\|^--\|^SET \|^SELECT pg_catalog.set_config' | md5sum)
  [ "$sum" = "$ref" ] && echo "restore $(basename "$f"): rows identical to -Z0's" || { echo "restore $(basename "$f"): DIFFERENT"; exit 1; }
done
