#!/usr/bin/env bash
# Benchmark: the seed's way vs a raw binary COPY pipe vs a hand-written one-transaction run vs the service.
#   bash scripts/bench.sh [SCALE] [REPS]          (defaults 0.25 and 3; SCALE 1.0 = the seed's 218,714 chunks)
#
# 1. Starts two throwaway clusters (scripts/lib/pg.sh; fsync stays ON): bench-src (:55461) and
#    bench-tgt (:55462). Builds the data once: source DB `archon` = Archon fixture at SCALE, seed 1;
#    target template `tgt_tpl` = fixture at TGT_SCALE (default SCALE/5), seed 2. Before every run the
#    target DB `archon` is recreated from `tgt_tpl` and both clusters CHECKPOINT (untimed). A dataset
#    left by an earlier run with the same scales is reused (FRESH=1 rebuilds it).
# 2. Methods, order rotated each repetition:
#      seed        pg_dump --data-only (plain text) of the 17 tables to a file; TRUNCATE them; psql -f the
#                  file; REINDEX the ivfflat indexes. Autocommit, like the user's scripts.
#      rawpipe     one psql target session: BEGIN; SET LOCAL session_replication_role = replica; TRUNCATE
#                  the 17 RESTART IDENTITY; per table in FK order \copy … FROM PROGRAM 'psql source COPY …
#                  TO STDOUT (FORMAT binary)' (FORMAT binary); setval (source values); COMMIT. Every index
#                  of the target stays in place during the load (so it is NOT a floor for the service's
#                  importing phase: the handwritten run's data part is).
#      handwritten as rawpipe, plus DROP of the non-constraint indexes after TRUNCATE (definitions from
#                  pg_get_indexdef) and CREATE of the same after the load, before COMMIT. Its TRUNCATE +
#                  DROP + COPY + setval part ("data") is the floor for the service's importing phase.
#      service     the real service (built per BUILD, started once, before the runs): POST
#                  /api/database/sync local-to-remote (local = source, remote = target), force, no backup;
#                  polled every 200 ms (scripts/bench/service_run.py) with RSS sampling. Needs python3, not jq.
#    Each run is followed by an untimed content checksum of the 17 tables and their sequences
#    (scripts/db-checksum.sh), compared with the source's: a mismatch makes the run FAILED.
# 3. Prints medians (min–max) and ratios (scripts/bench/report.py), among them what preflight, progress and
#    verification cost: the service's phases next to the handwritten run's parts, which lack all three (the
#    service has no switch to turn them off); raw numbers in work/bench/results.tsv
#    (rep, position, method, key, value) and work/bench/meta.tsv. After the runs, unless LIMITS=0: the
#    physical limits for archon_crawled_pages (server-side COPY to/from a file, to_tsvector), 3 times.
# 4. On exit (also on failure or Ctrl-C) stops the service and the clusters; KEEP=1 leaves the clusters
#    running. The clusters' files stay in work/clusters/bench-{src,tgt} (rm -rf them to reclaim the disk).
#
# Noise: before each run the script waits (up to QUIET_WAIT s, default 600) until the box is below
# QUIET_MAX_BUSY % CPU (default 25) for 3 s in a row. During each run it accounts the CPU used by its own
# processes (both clusters, the service, its psql/pg_dump children; scripts/bench/cpuacct.py) against the
# whole box; a run in which other processes used more than NOISE_MAX % (default 10) of the box is
# discarded (kept in work/bench/results-discarded.tsv) and re-run, up to RETRIES (default 2) times.
# Environment: METHODS (default "seed rawpipe handwritten service"; "" = limits only), TGT_SCALE, FRESH=1,
# KEEP=1, LIMITS=0, BUILD=tree|head|target (which code the service runs, see the service section; default
# tree = the working tree as it is now), BENCH_SRC_PORT, BENCH_TGT_PORT, BENCH_HTTP_PORT,
# PGCLUSTER_PASSWORD, QUIET_MAX_BUSY, QUIET_WAIT, NOISE_MAX, RETRIES.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
. scripts/lib/pg.sh
. scripts/lib/bench.sh
SCALE=${1:-0.25}; REPS=${2:-3}
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ && "$REPS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [SCALE] [REPS]" >&2; exit 2; }
TGT_SCALE=${TGT_SCALE:-$(python3 -c "print(max(0.01, round($SCALE / 5, 4)))")}
SRC_PORT=${BENCH_SRC_PORT:-55461}; TGT_PORT=${BENCH_TGT_PORT:-55462}; HTTP_PORT=${BENCH_HTTP_PORT:-8097}
read -r -a METHODS <<< "${METHODS-seed rawpipe handwritten service}"   # METHODS="" = only the limits
QUIET_MAX_BUSY=${QUIET_MAX_BUSY:-25}; QUIET_WAIT=${QUIET_WAIT:-600}
NOISE_MAX=${NOISE_MAX:-10}; RETRIES=${RETRIES:-2}
export PGCLUSTER_PASSWORD=${PGCLUSTER_PASSWORD:-bench-password}
export PGPASSWORD=$PGCLUSTER_PASSWORD     # every psql/pg_dump child (and \copy's programs) reads it; never in argv
bin=$PG15_BIN
out=$root/work/bench; mkdir -p "$out/raw" "$out/runs"
results=$out/results.tsv; meta=$out/meta.tsv; discarded=$out/results-discarded.tsv
API_KEY=bench-key-not-secret-0123456789abcdef

# The 17 synced tables in FK-dependency order: the service's default (ArchonTables.DEFAULT_CSV).
mapfile -t TABLES < <(archon_tables)
[ ${#TABLES[@]} = 17 ] || { echo "expected the 17 synced tables, read ${#TABLES[@]}" >&2; exit 1; }
TLIST=$(printf 'public.%s, ' "${TABLES[@]}"); TLIST=${TLIST%, }
TARR="ARRAY[$(printf "'public.%s'," "${TABLES[@]}" | sed 's/,$//')]::regclass[]"
TREGEX="^(table|sequence) ($(IFS='|'; echo "${TABLES[*]}"))( |_[a-z0-9_]*_seq )"

psql_on() { pg_psql "$@"; }
now() { echo "$EPOCHREALTIME"; }
sub() { python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$1" "$2"; }
log() { bench_log "$@"; }
service_pid=""
trap 'rm -f "$out/seed-dump.sql"; bench_on_exit' EXIT
trap 'exit 130' INT TERM
quiet() { bench_quiet "$QUIET_MAX_BUSY" "$QUIET_WAIT"; }

# ---------------------------------------------------------------------------------------------- clusters
log "clusters: bench-src :$SRC_PORT, bench-tgt :$TGT_PORT (scale $SCALE -> target scale $TGT_SCALE)"
bench_clusters_start "$SRC_PORT" "$TGT_PORT"   # autovacuum off: no vacuum kicking in during a timed run
db_comment() { bench_db_comment "$@"; }
src_mark="bench source scale=$SCALE seed=1"; tgt_mark="bench target scale=$TGT_SCALE seed=2"
if [ "${FRESH:-0}" != 1 ] && [ "$(db_comment "$SRC_PORT" archon)" = "$src_mark" ] \
   && [ "$(db_comment "$TGT_PORT" tgt_tpl)" = "$tgt_mark" ]; then
  log "dataset: reusing the one built earlier ($src_mark / $tgt_mark)"
else
  log "dataset: generating source (scale $SCALE, seed 1) and target template (scale $TGT_SCALE, seed 2) in parallel"
  t=$(now)
  psql_on "$SRC_PORT" postgres -c "DROP DATABASE IF EXISTS archon WITH (FORCE)" -c "CREATE DATABASE archon"
  psql_on "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS archon WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS tgt_tpl WITH (FORCE)" -c "CREATE DATABASE tgt_tpl"
  archon_fixture "$SRC_PORT" archon "$SCALE" 1 & p1=$!
  archon_fixture "$TGT_PORT" tgt_tpl "$TGT_SCALE" 2 & p2=$!
  wait $p1; wait $p2
  psql_on "$SRC_PORT" postgres -c "COMMENT ON DATABASE archon IS '$src_mark'"
  psql_on "$TGT_PORT" postgres -c "COMMENT ON DATABASE tgt_tpl IS '$tgt_mark'"
  log "dataset: generated in $(sub "$(now)" "$t") s"
fi
psql_on "$SRC_PORT" archon -c "CHECKPOINT"

# ------------------------------------------------------------------------- source facts (untimed, once)
log "source facts: row counts, binary/text payload sizes, checksum"
: > "$meta"
printf 'scale\t%s\ntgt_scale\t%s\nreps\t%s\nstarted\t%s\n' "$SCALE" "$TGT_SCALE" "$REPS" "$(date -Is)" >> "$meta"
printf 'cpu\t%s\n' "$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >> "$meta"
printf 'server\t%s\n' "$(psql_on "$SRC_PORT" archon -At -c "SELECT current_setting('server_version') || ', pgvector ' || extversion FROM pg_extension WHERE extname = 'vector'")" >> "$meta"
printf 'settings\t%s\n' "$(psql_on "$TGT_PORT" postgres -At -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','synchronous_commit','full_page_writes','shared_buffers','maintenance_work_mem','max_wal_size','autovacuum','max_parallel_maintenance_workers','wal_level')")" >> "$meta"
total_rows=0; total_bin=0
for t in "${TABLES[@]}"; do
  cols=$(psql_on "$SRC_PORT" archon -At -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
          WHERE attrelid = 'public.$t'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")
  # the source side of the pipe reads its COPY from a file: no shell quoting of column names needed
  echo "COPY public.$t ($cols) TO STDOUT (FORMAT binary)" > "$out/raw/src-$t.sql"
  echo "$cols" > "$out/raw/cols-$t"
  rows=$(psql_on "$SRC_PORT" archon -At -c "SELECT count(*) FROM public.$t")
  bytes=$(psql_on "$SRC_PORT" archon -f "$out/raw/src-$t.sql" | wc -c)
  printf 'rows.%s\t%s\nbin_bytes.%s\t%s\n' "$t" "$rows" "$t" "$bytes" >> "$meta"
  total_rows=$((total_rows + rows)); total_bin=$((total_bin + bytes))
done
printf 'total_rows\t%s\nbin_bytes\t%s\n' "$total_rows" "$total_bin" >> "$meta"
log "source: $total_rows rows in the 17 tables, binary COPY payload $((total_bin / 1048576)) MiB"
src_url="postgresql://postgres:$PGCLUSTER_PASSWORD@127.0.0.1:$SRC_PORT/archon"
tgt_url="postgresql://postgres:$PGCLUSTER_PASSWORD@127.0.0.1:$TGT_PORT/archon"
scripts/db-checksum.sh "$src_url" | grep -E "$TREGEX" > "$out/source.sum"
[ "$(grep -c '^table ' "$out/source.sum")" = 17 ] || { echo "source checksum does not list the 17 tables" >&2; exit 1; }

# ------------------------------------------------------------------------------------------- service
need_service=0; for m in "${METHODS[@]}"; do [ "$m" != service ] || need_service=1; done
if [ $need_service = 1 ]; then
  # Which code is measured (BUILD, scripts/lib/bench.sh): tree (default: the working tree as it is now), head, target
  bench_build_service "${BUILD:-tree}" "$out"
  printf 'service_build\t%s\n' "$BENCH_WHAT" >> "$meta"
  bench_start_service "$out" "$HTTP_PORT" "$src_url" "$tgt_url" "$API_KEY"
  service_pid=$BENCH_SERVICE_PID
  printf 'service_rss_idle_kb\t%s\n' "$(awk '/^VmRSS/ {print $2}' "/proc/$service_pid/status")" >> "$meta"
fi

# ------------------------------------------------------------------------------------------- methods
rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$rep" "$pos" "$method" "$1" "$2" >> "$cur"; }

# the setval statements carrying the source's sequence states (generated on the source, executed on the target)
SEQ_SQL="SELECT format('SELECT format(''SELECT pg_catalog.setval(%%L, %%s, %%L);'', %L, last_value, is_called) FROM %s',
                d.objid::regclass::text, d.objid::regclass)
           FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'S'
          WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
            AND d.deptype IN ('a', 'i') AND d.refobjid = ANY ($TARR) ORDER BY 1
\\gexec"
# the indexes the service rebuilds around the load (IndexRebuild/Catalog): no p/u/x constraint uses them,
# not the replica identity, nothing depends on them
IDX_SQL="SELECT format('DROP INDEX %s;', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) || ';', ic.relname
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
          WHERE i.indrelid = ANY ($TARR)
            AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
            AND NOT i.indisreplident
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass
                             AND d.refobjid = i.indexrelid AND d.deptype = 'n')
          ORDER BY c.relname, ic.relname"

run_seed() { # the seed's way (scripts/lib/bench.sh), its records into this run's
  bench_seed_way "$SRC_PORT" "$TGT_PORT" "$rundir" "${TABLES[@]}" > "$rundir/seed.tsv"
  while IFS=$'\t' read -r k v; do rec "$k" "$v"; done < "$rundir/seed.tsv"
}

# \timing output after "\echo IDX name" lines -> one record per index
timed_items() {
  awk -v pfx="$2" '/^IDX / {n = $2} /^Time: / && n != "" {printf "%s.%s_s\t%.3f\n", pfx, n, $2 / 1000; n = ""}' "$1" |
    while IFS=$'\t' read -r k v; do rec "$k" "$v"; done
}

# rawpipe (with_indexes=0) and handwritten (1)
run_pipe() {
  local hw=$1 s="$rundir/load.sql" t0 tp t9 seqs idx t
  t0=$(now)
  seqs=$(printf '%s\n' "$SEQ_SQL" | psql_on "$SRC_PORT" archon -At -f -)
  [ "$hw" = 0 ] || idx=$(psql_on "$TGT_PORT" archon -At -F $'\t' -c "$IDX_SQL")
  {
    echo '\set ON_ERROR_STOP 1'
    echo 'BEGIN;'
    echo 'SET LOCAL session_replication_role = replica;'
    echo "TRUNCATE $TLIST RESTART IDENTITY;"
    [ "$hw" = 0 ] || cut -f1 <<< "$idx"
    echo '\! date +"MARK truncated %s.%N"'
    for t in "${TABLES[@]}"; do
      echo "\\copy public.$t ($(cat "$out/raw/cols-$t")) FROM PROGRAM '$bin/psql -X -q -h 127.0.0.1 -p $SRC_PORT -U postgres -d archon -f $out/raw/src-$t.sql' WITH (FORMAT binary)"
    done
    echo "$seqs"
    echo '\! date +"MARK loaded %s.%N"'
    if [ "$hw" = 1 ]; then
      echo '\timing on'
      while IFS=$'\t' read -r _ def name; do printf '\\echo IDX %s\n%s\n' "$name" "$def"; done <<< "$idx"
      echo '\timing off'
    fi
    echo '\! date +"MARK indexed %s.%N"'
    echo 'COMMIT;'
  } > "$s"
  tp=$(now)
  psql_on "$TGT_PORT" archon -f "$s" > "$rundir/load.log"
  t9=$(now)
  local m1 m2 m3
  m1=$(awk '$2 == "truncated" {print $3}' "$rundir/load.log")
  m2=$(awk '$2 == "loaded" {print $3}' "$rundir/load.log")
  m3=$(awk '$2 == "indexed" {print $3}' "$rundir/load.log")
  rec wall_s "$(sub "$t9" "$t0")"
  rec prep_s "$(sub "$tp" "$t0")"                 # source sequences (+ target index definitions) queries
  rec truncate_s "$(sub "$m1" "$tp")"             # connect, BEGIN, TRUNCATE (+ DROP INDEX)
  rec copy_s "$(sub "$m2" "$m1")"                 # the 17 COPY pipes + setval
  rec data_s "$(sub "$m2" "$t0")"                 # all of the above = what the service calls importing
  rec index_s "$(sub "$m3" "$m2")"
  rec commit_s "$(sub "$t9" "$m3")"
  [ "$hw" = 0 ] || timed_items "$rundir/load.log" index
}

run_service() {
  local rc=0
  # service_run.py prints this run's records (key, value) as TSV: totals, RSS, per phase, table and index
  ARCHON_SYNC_API_KEY=$API_KEY python3 scripts/bench/service_run.py "http://127.0.0.1:$HTTP_PORT" \
    local-to-remote "$service_pid" "$rundir/service.json" > "$rundir/service.tsv" || rc=$?
  while IFS=$'\t' read -r k v; do rec "$k" "$v"; done < "$rundir/service.tsv"
  return $rc
}

run_method() {
  case $1 in
    seed) run_seed ;;
    rawpipe) run_pipe 0 ;;
    handwritten) run_pipe 1 ;;
    service) run_service ;;
    *) echo "unknown method $1" >&2; return 2 ;;
  esac
}

prepare_target() {
  psql_on "$TGT_PORT" postgres -c "DROP DATABASE IF EXISTS archon WITH (FORCE)" -c "CREATE DATABASE archon TEMPLATE tgt_tpl"
  psql_on "$TGT_PORT" postgres -c "CHECKPOINT"
  psql_on "$SRC_PORT" postgres -c "CHECKPOINT"
}

verify_target() {
  scripts/db-checksum.sh "$tgt_url" | grep -E "$TREGEX" > "$rundir/target.sum"
  diff -q "$out/source.sum" "$rundir/target.sum" >/dev/null
}

[ -f "$results" ] && mv "$results" "$results.prev"
printf 'rep\tpos\tmethod\tkey\tvalue\n' > "$results"
printf 'rep\tpos\tmethod\tkey\tvalue\n' > "$discarded"
ours_pids() { bench_ours_pids; }
n=${#METHODS[@]}
for rep in $(seq 1 "$REPS"); do
  for i in $(seq 0 $((n - 1))); do
    pos=$((i + 1)); method=${METHODS[$(( (i + rep - 1) % n ))]}
    attempt=0
    while :; do
      attempt=$((attempt + 1))
      rundir=$out/runs/r$rep-$method; rm -rf "$rundir"; mkdir -p "$rundir"
      cur=$rundir/records.tsv; : > "$cur"
      prepare_target
      busy=$(quiet); rec busy_before_pct "$busy"
      rec load1_before "$(cut -d' ' -f1 /proc/loadavg)"
      log "rep $rep/$REPS #$pos $method$([ $attempt = 1 ] || echo " (attempt $attempt)") (CPU busy before: ${busy}%)"
      ok=1
      read -r a_all a_busy a_ours < <(python3 scripts/bench/cpuacct.py $(ours_pids))
      # in the background so that `set -e` holds inside the method (it is ignored in a `||` context)
      run_method "$method" & wait $! || ok=0
      read -r b_all b_busy b_ours < <(python3 scripts/bench/cpuacct.py $(ours_pids))
      d_all=$((b_all - a_all)); d_busy=$((b_busy - a_busy)); d_ours=$((b_ours - a_ours))
      foreign=$(( d_all > 0 ? 100 * (d_busy > d_ours ? d_busy - d_ours : 0) / d_all : 0 ))
      rec cpu_ours_pct "$(( d_all > 0 ? 100 * d_ours / d_all : 0 ))"; rec cpu_foreign_pct "$foreign"
      if [ $ok = 1 ] && verify_target; then
        rec status ok
        log "  ok: $(awk -F'\t' '$4 == "wall_s" {printf "%.2f", $5}' "$cur") s, checksum matches; CPU: ours $(awk -F'\t' '$4 == "cpu_ours_pct" {print $5}' "$cur")%, others ${foreign}% of the box"
      else
        rec status FAILED
        log "  FAILED (method exit or checksum mismatch); see $rundir"
        [ ! -f "$rundir/target.sum" ] || diff "$out/source.sum" "$rundir/target.sum" | head -10 >&2 || true
      fi
      if [ "$foreign" -gt "$NOISE_MAX" ] && [ $attempt -le "$RETRIES" ]; then
        log "  other processes used ${foreign}% of the CPU during this run (> NOISE_MAX=$NOISE_MAX%): discarded, re-running"
        cat "$cur" >> "$discarded"
        continue
      fi
      cat "$cur" >> "$results"
      break
    done
  done
done
# ------------------------------------------------------- physical limits for archon_crawled_pages (untimed above)
# Server-side binary COPY (no client, no pipe), 3 times each: the source writing the table to a file; the
# target loading that file inside a transaction shaped like the sync's (TRUNCATE … RESTART IDENTITY, the
# non-constraint indexes dropped, then ROLLBACK), and the same with every index kept; and the cost of the
# generated column content_search_vector = to_tsvector('english', content), computed on every loaded row.
if [ "${LIMITS:-1}" != 0 ]; then
  ldir=$out/limits; rm -rf "$ldir"; mkdir -p "$ldir"; chown postgres "$ldir" 2>/dev/null || true
  cpcols=$(cat "$out/raw/cols-archon_crawled_pages")
  for rep in 1 2 3; do
    pos=0; method=limit; rundir=$ldir; cur=$ldir/records.tsv; : > "$cur"
    prepare_target; busy=$(quiet); rec busy_before_pct "$busy"
    log "limits $rep/3: server-side COPY of archon_crawled_pages (source → file, file → target), to_tsvector"
    printf '\\timing on\n\\echo IDX src_copy_to_file\nCOPY public.archon_crawled_pages (%s) TO %s (FORMAT binary);\n\\echo IDX tsvector\nSELECT count(to_tsvector('"'english'"', content)) FROM public.archon_crawled_pages;\n' \
      "$cpcols" "'$ldir/cp.bin'" | psql_on "$SRC_PORT" archon -f - > "$ldir/src.log"
    idx=$(psql_on "$TGT_PORT" archon -At -F $'\t' -c "$IDX_SQL")
    for variant in dropped kept; do
      {
        echo 'BEGIN;'; echo 'SET LOCAL session_replication_role = replica;'; echo "TRUNCATE $TLIST RESTART IDENTITY;"
        [ $variant = kept ] || cut -f1 <<< "$idx"
        echo '\timing on'; echo "\\echo IDX tgt_copy_from_file_idx_$variant"
        echo "COPY public.archon_crawled_pages ($cpcols) FROM '$ldir/cp.bin' (FORMAT binary);"
        echo '\timing off'; echo 'ROLLBACK;'
      } | psql_on "$TGT_PORT" archon -f - > "$ldir/tgt-$variant.log"
      psql_on "$TGT_PORT" postgres -c "CHECKPOINT"
    done
    cat "$ldir/src.log" "$ldir/tgt-dropped.log" "$ldir/tgt-kept.log" > "$ldir/all.log"
    timed_items "$ldir/all.log" limit
    rec cp_file_bytes "$(stat -c %s "$ldir/cp.bin")"
    rec status ok
    cat "$cur" >> "$results"
    rm -f "$ldir/cp.bin"
  done
fi
printf 'finished\t%s\n' "$(date -Is)" >> "$meta"
python3 scripts/bench/report.py "$out" | tee "$out/report.txt"
