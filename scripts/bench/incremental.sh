#!/usr/bin/env bash
# Benchmark of issue 14: what a sync costs when little or nothing changed, against a full replace.
#   bash scripts/bench/incremental.sh [SCALE] [REPS]          (defaults 0.25 and 3)
#
# The same data as scripts/bench.sh: the clusters bench-src (:55461) and bench-tgt (:55462), the source DB
# `archon` = Archon fixture at SCALE, seed 1 (built by either script, reused when its mark matches; FRESH=1
# rebuilds). Once: the service syncs the source into the target with "full": true, which leaves the target
# equal to the source and its last sync recorded (archon_sync_guard.last_sync); that database is kept as the
# template `tgt_synced`. Before every run the target DB `archon` is recreated from that template, the
# scenario's change is made (untimed), and both clusters CHECKPOINT. Scenarios, order rotated per repetition:
#   unchanged   nothing changed
#   few         3 archon_settings rows and 10 archon_tasks rows changed (UPDATE)
#   pages1pct   1% of archon_crawled_pages changed (every 100th row's content; its tsvector follows)
#   full        nothing changed, "full": true: every table replaced
#   rewritten   every table of the target rewritten with the same rows (VACUUM FULL: new row versions), so the
#               target must read each one for its fingerprint — the fingerprint's cost per table when the
#               last sync's record does not apply (not in the default set; SCENARIOS=rewritten)
# The changes are made on the target copy (so the source stays exactly the dataset and every run starts from
# the same bytes): a sync reloads a table that differs whichever side changed, and a changed row counts as
# "the target changed since the last sync" only when it adds rows, so no run needs force.
# Each sync: POST /api/database/sync local-to-remote, backup off, polled to the end (scripts/bench/service_run.py),
# then the target's 17 tables and sequences must be checksum-identical to the source (scripts/db-checksum.sh).
# Prints medians (min–max), the ratio to the full sync, the phases, which tables were reloaded and the
# fingerprint's cost per table on each side (scripts/bench/incremental_report.py). The load average and the
# CPU other processes used are recorded per run (the machine may be shared; QUIET_WAIT s, default 60, are
# spent waiting for a quieter box before each run). Raw numbers: work/bench-incremental/results.tsv.
# Environment: FRESH=1, KEEP=1 (leave the clusters running), BUILD=tree|target (as bench.sh), SCENARIOS, BACKUP=1,
# QUIET_MAX_BUSY (default 25), QUIET_WAIT, BENCH_SRC_PORT, BENCH_TGT_PORT, BENCH_HTTP_PORT.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd); cd "$root"
. scripts/lib/pg.sh
SCALE=${1:-0.25}; REPS=${2:-3}
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ && "$REPS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SCALE] [REPS]" >&2; exit 2; }
SRC_PORT=${BENCH_SRC_PORT:-55461}; TGT_PORT=${BENCH_TGT_PORT:-55462}; HTTP_PORT=${BENCH_HTTP_PORT:-8098}
read -r -a SCENARIOS <<< "${SCENARIOS:-unchanged few pages1pct full}"
QUIET_MAX_BUSY=${QUIET_MAX_BUSY:-25}; QUIET_WAIT=${QUIET_WAIT:-60}
export PGCLUSTER_PASSWORD=${PGCLUSTER_PASSWORD:-bench-password}
export PGPASSWORD=$PGCLUSTER_PASSWORD
out=$root/work/bench-incremental; mkdir -p "$out/runs"
results=$out/results.tsv; meta=$out/meta.tsv
API_KEY=bench-key-not-secret-0123456789abcdef
mapfile -t TABLES < <(archon_tables)
[ ${#TABLES[@]} = 17 ] || { echo "expected the 17 synced tables, read ${#TABLES[@]}" >&2; exit 1; }
TREGEX="^(table|sequence) ($(IFS='|'; echo "${TABLES[*]}"))( |_[a-z0-9_]*_seq )"
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

service_pid=""
cleanup() {
  local rc=$?
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ]; then
    pg_cluster_stop bench-src >/dev/null 2>&1 || true
    pg_cluster_stop bench-tgt >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu_busy() {
  local a b
  read -r -a a < /proc/stat; sleep 1; read -r -a b < /proc/stat
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
quiet() {
  local busy n=0 waited=0
  while :; do
    busy=$(cpu_busy)
    if [ "$busy" -le "$QUIET_MAX_BUSY" ]; then n=$((n + 1)); [ $n -lt 3 ] || break; else n=0; fi
    waited=$((waited + 1)); [ $waited -lt "$QUIET_WAIT" ] || break
  done
  echo "$busy"
}

# ------------------------------------------------------------------------------------------- data
log "clusters: bench-src :$SRC_PORT, bench-tgt :$TGT_PORT (scale $SCALE)"
pg_cluster_start bench-src "$SRC_PORT" >/dev/null
pg_cluster_start bench-tgt "$TGT_PORT" >/dev/null
for p in $SRC_PORT $TGT_PORT; do
  pg_psql "$p" postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
done
db_comment() { pg_psql "$1" postgres -At -c "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$2'"; }
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
build=${BUILD:-tree}; bdir=$out/build
case $build in
  target)
    [ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
    app=target/quarkus-app; what="target/quarkus-app" ;;
  tree)
    rm -rf "$bdir"; mkdir -p "$bdir"
    git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -c 2>/dev/null | tar -x -C "$bdir"
    what="HEAD $(git rev-parse --short HEAD) + working tree ($(git status --porcelain -- src pom.xml | wc -l) changed files)"
    log "building the service from $what"
    (cd "$bdir" && ./mvnw -B -q package -DskipTests) > "$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; exit 1; }
    app=$bdir/target/quarkus-app ;;
  *) echo "BUILD must be tree or target" >&2; exit 2 ;;
esac
rm -rf "$out/app"; cp -a "$app" "$out/app"
# the target database must exist before the service starts (its readiness check connects to it)
if [ "$(pg_psql "$TGT_PORT" postgres -At -c "SELECT 1 FROM pg_database WHERE datname = 'archon'")" != 1 ]; then
  pg_recreate_db "$TGT_PORT" archon
fi
log "service: starting on :$HTTP_PORT (local = source, remote = target)"
ARCHON_SYNC_LOCAL_URL=$src_url ARCHON_SYNC_REMOTE_URL=$tgt_url ARCHON_SYNC_API_KEY=$API_KEY \
ARCHON_SYNC_WORK_DIR=$out/service-tmp ARCHON_SYNC_BACKUP_DIR=$out/service-backups \
ARCHON_SYNC_SCHEDULE_ENABLED=false PORT=$HTTP_PORT \
  java -Xmx256m -jar "$out/app/quarkus-run.jar" > "$out/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$HTTP_PORT/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$service_pid" 2>/dev/null || { echo "the service died at startup; see $out/service.log" >&2; exit 1; }
  sleep 0.5
done
sync_once() { # BODY-JSON OUT-JSON: one sync through the service; its records (key, value) on stdout
  ARCHON_SYNC_API_KEY=$API_KEY python3 scripts/bench/service_run.py "http://127.0.0.1:$HTTP_PORT" \
    local-to-remote "$service_pid" "$2" "$1"
}

# The synced target, once: a fresh Supabase-like database, Archon's whole schema and rows from the source.
if [ "${FRESH:-0}" = 1 ] || [ "$(db_comment "$TGT_PORT" tgt_synced)" != "$synced_mark" ]; then
  log "target: a first sync from the source into an empty Supabase-like database (untimed), kept as template tgt_synced"
  pg_recreate_db "$TGT_PORT" archon
  archon_fresh_supabase "$TGT_PORT" archon
  sync_once '{"backup": false, "full": true}' "$out/first-sync.json" > /dev/null \
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
change_for() {
  case $1 in
    unchanged|full) ;;
    rewritten) pg_psql "$TGT_PORT" archon -c "VACUUM FULL $(IFS=,; echo "${TABLES[*]}")" >/dev/null ;;
    few) pg_psql "$TGT_PORT" archon -c "SET session_replication_role = replica" \
           -c "UPDATE archon_settings SET value = coalesce(value, '') || ' (bench)' WHERE key IN (SELECT key FROM archon_settings ORDER BY key LIMIT 3)" \
           -c "UPDATE archon_tasks SET description = coalesce(description, '') || ' (bench)' WHERE id IN (SELECT id FROM archon_tasks ORDER BY id LIMIT 10)" >/dev/null ;;
    pages1pct) pg_psql "$TGT_PORT" archon -c "SET session_replication_role = replica" \
           -c "UPDATE archon_crawled_pages SET content = content || ' (bench)' WHERE id % 100 = 0" >/dev/null ;;
    *) echo "unknown scenario $1" >&2; return 2 ;;
  esac
}
# BACKUP=1: every run takes its pre-sync backup of the target (the backing_up phase is then in the report)
backup=false; [ "${BACKUP:-0}" = 1 ] && backup=true
body_for() { if [ "$1" = full ]; then echo "{\"backup\": $backup, \"full\": true}"; else echo "{\"backup\": $backup}"; fi; }

: > "$meta"
printf 'scale\t%s\nreps\t%s\nstarted\t%s\ncpu\t%s\n' "$SCALE" "$REPS" "$(date -Is)" \
  "$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >> "$meta"
printf 'server\t%s\n' "$(pg_psql "$SRC_PORT" archon -At -c "SELECT current_setting('server_version')")" >> "$meta"
printf 'rows\t%s\n' "$(pg_psql "$SRC_PORT" archon -At -c "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = 'public' AND relname LIKE 'archon\_%'")" >> "$meta"
printf 'crawled_pages\t%s\n' "$(pg_psql "$SRC_PORT" archon -At -c "SELECT count(*) FROM archon_crawled_pages")" >> "$meta"
printf 'service_build\t%s\n' "$what" >> "$meta"
printf 'rep\tpos\tscenario\tkey\tvalue\n' > "$results"
ours_pids() { echo $$ "$service_pid" "$(pg_cluster_pid bench-src)" "$(pg_cluster_pid bench-tgt)"; }
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
    sync_once "$(body_for "$scenario")" "$rundir/service.json" > "$rundir/service.tsv" || ok=0
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
