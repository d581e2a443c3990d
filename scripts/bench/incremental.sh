#!/usr/bin/env bash
# Benchmark of issues 14 and 22: what a sync costs when little or nothing changed, against a full replace
# and against the seed's way, and whether Archon keeps answering on the target meanwhile.
#   bash scripts/bench/incremental.sh [SCALE] [REPS]          (defaults 0.25 and 3)
#
# The same data as scripts/bench.sh: the clusters bench-src (:55461) and bench-tgt (:55462), the source DB
# `archon` = Archon fixture at SCALE, seed 1 (built by either script, reused when its mark matches; FRESH=1
# rebuilds). Once: the service syncs the source into an empty Supabase-like target (a fresh target: every
# table loaded, the source's fingerprints recorded in archon_sync_guard.last_sync); that database is kept as
# the template `tgt_synced`. Before every run the target DB `archon` is recreated from that template, the
# scenario's change is made (untimed), and both clusters CHECKPOINT. Scenarios, order rotated per repetition:
#   unchanged    nothing changed
#   few          3 archon_settings rows and 10 archon_tasks rows changed (UPDATE)
#   pages1pct    1% of archon_crawled_pages changed, scattered (every 100th row's content; its tsvector follows)
#   crawl1pct    a crawl: 1% of the crawled pages are new on the source (the newest 1% by id)
#   recrawl1pct  a re-crawl: 1% of the crawled pages (whole sources) have new content and embeddings
#   recrawl10pct the same, 10% (recrawl25pct: 25%, not in the default set: near the delta/reload crossover)
#   delete1pct   a source removed: 1% of the crawled pages are gone from the source ("force": true, see below)
#   full         nothing changed, "full": true: every table replaced
#   seed         the seed's way (pg_dump --data-only text, TRUNCATE, psql -f, REINDEX ivfflat; scripts/lib/bench.sh)
#   rewritten    every table of the target rewritten with the same rows (VACUUM FULL: new row versions), so the
#                target must read each one for its fingerprint (not in the default set; SCENARIOS=rewritten)
# The changes are made on the target copy (so the source stays exactly the dataset and every run starts from
# the same bytes): the target lacks what the source gained and holds what the source lost or had before. The
# guard sees the target changed since the last sync; only rows the source lacks make it refuse, so
# delete1pct alone runs with "force": true (the work is the same: delete those rows).
# Each service run: POST /api/database/sync local-to-remote, backup off, polled to the end
# (scripts/bench/service_run.py), a reader loop on the target meanwhile (scripts/bench/reader_loop.py: a
# primary-key lookup and match_archon_crawled_pages as service_role every 100 ms; READER=0 turns it off);
# then the target's 17 tables and sequences must be checksum-identical to the source (scripts/db-checksum.sh).
# Prints medians (min–max), the ratio to the full sync and the seed's way, bytes sent, the reader's worst wait,
# the phases, what each table got (delta: N inserted, M deleted / reloaded (why)) and the fingerprint's cost
# per table (scripts/bench/incremental_report.py). The load average and the CPU other processes used are
# recorded per run (the machine may be shared; QUIET_WAIT s, default 60, are spent waiting for a quieter box
# before each run). Raw numbers: work/bench-incremental/results.tsv.
# Environment: FRESH=1, KEEP=1 (leave the clusters running), BUILD=tree|head|target (as bench.sh), SCENARIOS,
# BACKUP=1, READER=0, QUIET_MAX_BUSY (default 25), QUIET_WAIT, BENCH_SRC_PORT, BENCH_TGT_PORT, BENCH_HTTP_PORT.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd); cd "$root"
. scripts/lib/pg.sh
. scripts/lib/bench.sh
SCALE=${1:-0.25}; REPS=${2:-3}
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ && "$REPS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SCALE] [REPS]" >&2; exit 2; }
SRC_PORT=${BENCH_SRC_PORT:-55461}; TGT_PORT=${BENCH_TGT_PORT:-55462}; HTTP_PORT=${BENCH_HTTP_PORT:-8098}
read -r -a SCENARIOS <<< "${SCENARIOS:-unchanged few pages1pct crawl1pct recrawl1pct recrawl10pct delete1pct full seed}"
QUIET_MAX_BUSY=${QUIET_MAX_BUSY:-25}; QUIET_WAIT=${QUIET_WAIT:-60}
export PGCLUSTER_PASSWORD=${PGCLUSTER_PASSWORD:-bench-password}
export PGPASSWORD=$PGCLUSTER_PASSWORD
out=$root/work/bench-incremental; mkdir -p "$out/runs"
results=$out/results.tsv; meta=$out/meta.tsv
API_KEY=bench-key-not-secret-0123456789abcdef
mapfile -t TABLES < <(archon_tables)
[ ${#TABLES[@]} = 17 ] || { echo "expected the 17 synced tables, read ${#TABLES[@]}" >&2; exit 1; }
TREGEX="^(table|sequence) ($(IFS='|'; echo "${TABLES[*]}"))( |_[a-z0-9_]*_seq )"
log() { bench_log "$@"; }
trap bench_on_exit EXIT
trap 'exit 130' INT TERM
quiet() { bench_quiet "$QUIET_MAX_BUSY" "$QUIET_WAIT"; }

# ------------------------------------------------------------------------------------------- data
log "clusters: bench-src :$SRC_PORT, bench-tgt :$TGT_PORT (scale $SCALE)"
bench_clusters_start "$SRC_PORT" "$TGT_PORT"
db_comment() { bench_db_comment "$@"; }
src_mark="bench source scale=$SCALE seed=1"
# the service remembers the source's row versions per server start (engine/RowVersions): a template synced
# before the source server's last start would make every run fingerprint the source again
synced_mark="synced from: $src_mark, source started $(pg_psql "$SRC_PORT" postgres -At -c "SELECT pg_postmaster_start_time()")"
if [ "${FRESH:-0}" = 1 ] || [ "$(db_comment "$SRC_PORT" archon)" != "$src_mark" ]; then
  log "dataset: generating the source (scale $SCALE, seed 1)"
  pg_recreate_db "$SRC_PORT" archon
  archon_fixture "$SRC_PORT" archon "$SCALE" 1
  pg_psql "$SRC_PORT" postgres -c "COMMENT ON DATABASE archon IS '$src_mark'"
fi
pg_psql "$SRC_PORT" archon -c "CHECKPOINT"
src_url="postgresql://postgres:$PGCLUSTER_PASSWORD@127.0.0.1:$SRC_PORT/archon"
tgt_url="postgresql://postgres:$PGCLUSTER_PASSWORD@127.0.0.1:$TGT_PORT/archon"
scripts/db-checksum.sh "$src_url" | grep -E "$TREGEX" > "$out/source.sum"
[ "$(grep -c '^table ' "$out/source.sum")" = 17 ] || { echo "source checksum does not list the 17 tables" >&2; exit 1; }

# ------------------------------------------------------------------------------------------- service
bench_build_service "${BUILD:-tree}" "$out"
what=$BENCH_WHAT
# the target database must exist before the service starts (its readiness check connects to it)
if [ "$(pg_psql "$TGT_PORT" postgres -At -c "SELECT 1 FROM pg_database WHERE datname = 'archon'")" != 1 ]; then
  pg_recreate_db "$TGT_PORT" archon
fi
bench_start_service "$out" "$HTTP_PORT" "$src_url" "$tgt_url" "$API_KEY" -Xmx256m
service_pid=$BENCH_SERVICE_PID
sync_once() { # BODY-JSON OUT-JSON: one sync through the service; its records (key, value) on stdout
  ARCHON_SYNC_API_KEY=$API_KEY python3 scripts/bench/service_run.py "http://127.0.0.1:$HTTP_PORT" \
    local-to-remote "$service_pid" "$2" "$1"
}

# The synced target, once: a fresh Supabase-like database, Archon's whole schema and rows from the source.
if [ "${FRESH:-0}" = 1 ] || [ "$(db_comment "$TGT_PORT" tgt_synced)" != "$synced_mark" ]; then
  log "target: a first sync from the source into an empty Supabase-like database (untimed), kept as template tgt_synced"
  pg_recreate_db "$TGT_PORT" archon
  archon_fresh_supabase "$TGT_PORT" archon
  # not "full": a fresh target loads every table anyway, and records the fingerprints the next syncs rely on
  sync_once '{"backup": false}' "$out/first-sync.json" > /dev/null \
    || { echo "the first sync failed; see $out/first-sync.json" >&2; exit 1; }
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    # the service's readiness check may hold a session on the database: end it and copy at once
    if pg_psql "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS tgt_synced" \
        -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'archon'" \
        -c "CREATE DATABASE tgt_synced TEMPLATE archon" > /dev/null 2>&1; then break; fi
    [ $attempt -lt 10 ] || { echo "could not copy the synced target into tgt_synced" >&2; exit 1; }
    sleep 1
  done
  pg_psql "$TGT_PORT" postgres -c "COMMENT ON DATABASE tgt_synced IS '$synced_mark'"
fi

# ------------------------------------------------------------------------------------------- scenarios
pages=$(pg_psql "$SRC_PORT" archon -At -c "SELECT count(*) FROM archon_crawled_pages")
pct() { echo $(( pages * $1 / 100 )); }
on_target() { pg_psql "$TGT_PORT" archon -c "SET session_replication_role = replica" "$@" >/dev/null; }
# the pages of whole sources, about N of them (a crawl or re-crawl is per source; ids follow crawl order)
recrawl() {
  # new embeddings: the next page's (no vector operator needed, whatever schema pgvector lives in)
  on_target -c "UPDATE archon_crawled_pages p SET content = p.content || ' (re-crawled)',
      embedding_1536 = (SELECT q.embedding_1536 FROM archon_crawled_pages q WHERE q.id = p.id + 1),
      embedding_768 = (SELECT q.embedding_768 FROM archon_crawled_pages q WHERE q.id = p.id + 1)
    WHERE p.id IN (SELECT id FROM archon_crawled_pages ORDER BY source_id, id LIMIT $1)"
}
change_for() {
  case $1 in
    unchanged|full|seed) ;;
    rewritten) pg_psql "$TGT_PORT" archon -c "VACUUM FULL $(IFS=,; echo "${TABLES[*]}")" >/dev/null ;;
    few) on_target \
           -c "UPDATE archon_settings SET value = coalesce(value, '') || ' (bench)' WHERE key IN (SELECT key FROM archon_settings ORDER BY key LIMIT 3)" \
           -c "UPDATE archon_tasks SET description = coalesce(description, '') || ' (bench)' WHERE id IN (SELECT id FROM archon_tasks ORDER BY id LIMIT 10)" ;;
    pages1pct) on_target -c "UPDATE archon_crawled_pages SET content = content || ' (bench)' WHERE id % 100 = 0" ;;
    crawl1pct) on_target -c "DELETE FROM archon_crawled_pages WHERE id IN (SELECT id FROM archon_crawled_pages ORDER BY id DESC LIMIT $(pct 1))" ;;
    recrawl1pct) recrawl "$(pct 1)" ;;
    recrawl10pct) recrawl "$(pct 10)" ;;
    recrawl25pct) recrawl "$(pct 25)" ;;   # where delta and reload meet (not in the default set)
    # rows the source no longer has: copies of 1% with new ids (beyond the sequence) and distinct URLs
    delete1pct) printf '%s\n' "SET session_replication_role = replica;" \
         "SELECT format('INSERT INTO archon_crawled_pages (%s) SELECT %s FROM archon_crawled_pages ORDER BY id LIMIT $(pct 1)',
           string_agg(quote_ident(attname), ', ' ORDER BY attnum),
           string_agg(CASE attname WHEN 'id' THEN 'id + (SELECT max(id) + 1000 FROM archon_crawled_pages)'
                                   WHEN 'url' THEN 'url || ''#removed-on-source''' ELSE quote_ident(attname) END, ', ' ORDER BY attnum))
         FROM pg_attribute WHERE attrelid = 'archon_crawled_pages'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''" \
         '\gexec' | pg_psql "$TGT_PORT" archon -f - >/dev/null ;;
    *) echo "unknown scenario $1" >&2; return 2 ;;
  esac
}
# BACKUP=1: every run takes its pre-sync backup of the target (the backing_up phase is then in the report)
backup=false; [ "${BACKUP:-0}" = 1 ] && backup=true
body_for() {
  case $1 in
    full) echo "{\"backup\": $backup, \"full\": true}" ;;
    delete1pct) echo "{\"backup\": $backup, \"force\": true}" ;;
    *) echo "{\"backup\": $backup}" ;;
  esac
}
reader_pid=""
reader_start() { # $1: its output file; the reader's own psql session on the target, every 100 ms
  [ "${READER:-1}" = 1 ] || return 0
  PG15_BIN=$PG15_BIN python3 scripts/bench/reader_loop.py "$TGT_PORT" archon "$1" & reader_pid=$!
  sleep 3 # its session is open and reading before the sync starts (it asks 4 psql questions first)
}
reader_stop() {
  [ -n "$reader_pid" ] || return 0
  kill -TERM "$reader_pid" 2>/dev/null || true; wait "$reader_pid" 2>/dev/null || true; reader_pid=""
}

: > "$meta"
printf 'scale\t%s\nreps\t%s\nstarted\t%s\ncpu\t%s\n' "$SCALE" "$REPS" "$(date -Is)" \
  "$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >> "$meta"
printf 'server\t%s\n' "$(pg_psql "$SRC_PORT" archon -At -c "SELECT current_setting('server_version')")" >> "$meta"
printf 'rows\t%s\n' "$(pg_psql "$SRC_PORT" archon -At -c "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = 'public' AND relname LIKE 'archon\_%'")" >> "$meta"
printf 'crawled_pages\t%s\n' "$(pg_psql "$SRC_PORT" archon -At -c "SELECT count(*) FROM archon_crawled_pages")" >> "$meta"
printf 'service_build\t%s\n' "$what" >> "$meta"
printf 'rep\tpos\tscenario\tkey\tvalue\n' > "$results"
ours_pids() { bench_ours_pids; }
n=${#SCENARIOS[@]}
for rep in $(seq 1 "$REPS"); do
  for i in $(seq 0 $((n - 1))); do
    pos=$((i + 1)); scenario=${SCENARIOS[$(( (i + rep - 1) % n ))]}
    rundir=$out/runs/r$rep-$scenario; rm -rf "$rundir"; mkdir -p "$rundir"
    rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$rep" "$pos" "$scenario" "$1" "$2" >> "$results"; }
    pg_recreate_db "$TGT_PORT" archon tgt_synced
    change_for "$scenario"
    pg_psql "$TGT_PORT" postgres -c "CHECKPOINT"; pg_psql "$SRC_PORT" postgres -c "CHECKPOINT"
    busy=$(quiet); rec busy_before_pct "$busy"; rec load1_before "$(cut -d' ' -f1 /proc/loadavg)"
    log "rep $rep/$REPS #$pos $scenario (CPU busy before: ${busy}%, load $(cut -d' ' -f1-3 /proc/loadavg))"
    read -r a_all a_busy a_ours < <(python3 scripts/bench/cpuacct.py $(ours_pids))
    ok=1
    if [ "$scenario" = seed ]; then
      bench_seed_way "$SRC_PORT" "$TGT_PORT" "$rundir" "${TABLES[@]}" > "$rundir/service.tsv" || ok=0
    else
      reader_start "$rundir/reader.tsv"
      sync_once "$(body_for "$scenario")" "$rundir/service.json" > "$rundir/service.tsv" || ok=0
      reader_stop
      [ ! -f "$rundir/reader.tsv" ] || cat "$rundir/reader.tsv" >> "$rundir/service.tsv"
    fi
    read -r b_all b_busy b_ours < <(python3 scripts/bench/cpuacct.py $(ours_pids))
    d_all=$((b_all - a_all)); d_busy=$((b_busy - a_busy)); d_ours=$((b_ours - a_ours))
    rec cpu_foreign_pct $(( d_all > 0 ? 100 * (d_busy > d_ours ? d_busy - d_ours : 0) / d_all : 0 ))
    while IFS=$'\t' read -r k v; do rec "$k" "$v"; done < "$rundir/service.tsv"
    scripts/db-checksum.sh "$tgt_url" | grep -E "$TREGEX" > "$rundir/target.sum"
    if [ $ok = 1 ] && diff -q "$out/source.sum" "$rundir/target.sum" >/dev/null; then
      rec status ok
      log "  ok: $(awk -F'\t' '$1 == "wall_s" {printf "%.2f", $2}' "$rundir/service.tsv") s, checksum matches"
    else
      rec status FAILED; log "  FAILED (sync or checksum); see $rundir"
    fi
  done
done
printf 'finished\t%s\nload_after\t%s\n' "$(date -Is)" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$meta"
python3 scripts/bench/incremental_report.py "$out" | tee "$out/report.txt"
