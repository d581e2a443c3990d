# shellcheck shell=bash
# What the benchmarks share (scripts/bench.sh, scripts/bench/incremental.sh). Source it after lib/pg.sh:
#   . scripts/lib/pg.sh; . scripts/lib/bench.sh
#   bench_log MSG...                        a timestamped line on stderr
#   bench_quiet MAX_BUSY WAIT               wait (≤ WAIT s) until the box is below MAX_BUSY % CPU 3 s in a row; prints the last %
#   bench_clusters_start SRC_PORT TGT_PORT  bench-src and bench-tgt running, autovacuum off (no vacuum inside a timed run)
#   bench_db_comment PORT DB                a database's comment (the datasets' marks)
#   bench_build_service BUILD DIR           tree|head|target → BENCH_APP (a private copy under DIR/app), BENCH_WHAT
#   bench_start_service DIR HTTP_PORT SRC_URL TGT_URL API_KEY [JAVA_OPT...]  → BENCH_SERVICE_PID, once ready
#   bench_on_exit                           the EXIT trap: stops the service and (unless KEEP=1) both clusters
#   bench_ours_pids                         this script, the service and both postmasters (for CPU accounting)
#   bench_seed_way SRC_PORT TGT_PORT DIR TABLE...   the seed's way into the target, timed: prints "key<TAB>value"
#   bench_cpu_foreign_pct BEFORE AFTER      CPU other processes used between two `cpuacct.py` readings, % of the box

BENCH_SERVICE_PID=""

bench_log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# CPU busy % over 1 s (all cores), from /proc/stat.
bench_cpu_busy() {
  local a b
  read -r -a a < /proc/stat; sleep 1; read -r -a b < /proc/stat
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

bench_quiet() {
  local max=$1 wait=$2 busy n=0 waited=0 warned=0
  while :; do
    busy=$(bench_cpu_busy)
    if [ "$busy" -le "$max" ]; then
      n=$((n + 1)); [ $n -lt 3 ] || break
    else
      n=0
      [ $warned = 1 ] || bench_log "box is busy (${busy}% CPU before the run): waiting for quiet; top: $(ps -eo pcpu,comm --sort=-pcpu --no-headers | head -3 | tr -s ' ' | paste -sd, -)"
      warned=1
    fi
    waited=$((waited + 1)); [ $waited -lt "$wait" ] || { [ $warned = 0 ] || bench_log "still busy after ${wait} s: running anyway"; break; }
  done
  echo "$busy"
}

bench_clusters_start() {
  local p
  pg_cluster_start bench-src "$1" >/dev/null
  pg_cluster_start bench-tgt "$2" >/dev/null
  for p in "$1" "$2"; do
    pg_psql "$p" postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
  done
}

bench_db_comment() {
  pg_psql "$1" postgres -At -c "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$2'"
}

# Which code is measured: "tree" = a snapshot of the working tree as it is now (tracked and untracked,
# non-ignored files) built in DIR/build; "head" = the last commit, built there; "target" = target/quarkus-app
# as it is (built if missing). The service runs from a private copy (DIR/app), so that a concurrent
# `mvn package` by someone else cannot swap jars under the JVM.
bench_build_service() {
  local build=$1 dir=$2 bdir=$2/build app
  case $build in
    target)
      if [ ! -f target/quarkus-app/quarkus-run.jar ]; then bench_log "building the service (./mvnw -B -q package -DskipTests)"; ./mvnw -B -q package -DskipTests; fi
      app=target/quarkus-app
      BENCH_WHAT="target/quarkus-app built $(stat -c '%y' target/quarkus-app/quarkus-run.jar | cut -d. -f1)" ;;
    head|tree)
      rm -rf "$bdir"; mkdir -p "$bdir"
      if [ "$build" = head ]; then
        git archive HEAD | tar -x -C "$bdir"
        BENCH_WHAT="HEAD $(git rev-parse --short HEAD)"
      else
        git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -c 2>/dev/null | tar -x -C "$bdir"
        BENCH_WHAT="HEAD $(git rev-parse --short HEAD) + working tree ($(git status --porcelain -- src pom.xml | wc -l) changed files under src/, pom.xml: $(git status --porcelain -- src pom.xml | awk '{print $2}' | xargs -r -n1 basename | paste -sd, -))"
      fi
      bench_log "building the service from $BENCH_WHAT in $bdir"
      (cd "$bdir" && ./mvnw -B -q package -DskipTests) > "$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; echo "build failed; see $dir/build.log" >&2; return 1; }
      app=$bdir/target/quarkus-app ;;
    *) echo "BUILD must be tree, head or target" >&2; return 2 ;;
  esac
  rm -rf "$dir/app"; cp -a "$app" "$dir/app"
  BENCH_APP=$dir/app
}

# local = the source, remote = the target; no schedule; work and backups under DIR.
bench_start_service() {
  local dir=$1 port=$2 src=$3 tgt=$4 key=$5; shift 5
  bench_log "service: starting on :$port (local = source, remote = target)"
  ARCHON_SYNC_LOCAL_URL=$src ARCHON_SYNC_REMOTE_URL=$tgt ARCHON_SYNC_API_KEY=$key \
  ARCHON_SYNC_WORK_DIR=$dir/service-tmp ARCHON_SYNC_BACKUP_DIR=$dir/service-backups \
  ARCHON_SYNC_SCHEDULE_ENABLED=false PORT=$port \
    java "$@" -jar "$BENCH_APP/quarkus-run.jar" > "$dir/service.log" 2>&1 &
  BENCH_SERVICE_PID=$!
  local _
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$BENCH_SERVICE_PID" 2>/dev/null || { echo "the service died at startup; see $dir/service.log" >&2; tail -20 "$dir/service.log" >&2; return 1; }
    sleep 0.5
  done
  echo "the service is not ready; see $dir/service.log" >&2; return 1
}

bench_on_exit() {
  local rc=$?
  if [ -n "$BENCH_SERVICE_PID" ]; then kill "$BENCH_SERVICE_PID" 2>/dev/null || true; wait "$BENCH_SERVICE_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then
    bench_log "KEEP=1: clusters left running; stop with scripts/pg-cluster.sh stop bench-src …; scripts/pg-cluster.sh stop bench-tgt …"
  else
    pg_cluster_stop bench-src >/dev/null 2>&1 || true
    pg_cluster_stop bench-tgt >/dev/null 2>&1 || true
  fi
  exit $rc
}

bench_ours_pids() { echo $$ ${BENCH_SERVICE_PID:-} "$(pg_cluster_pid bench-src)" "$(pg_cluster_pid bench-tgt)"; }

# "ALL BUSY OURS" before and after (scripts/bench/cpuacct.py) → the % of the box other processes used
bench_cpu_foreign_pct() {
  local a b
  read -r -a a <<< "$1"; read -r -a b <<< "$2"
  local all=$((b[0] - a[0])) busy=$((b[1] - a[1])) ours=$((b[2] - a[2]))
  echo $(( all > 0 ? 100 * (busy > ours ? busy - ours : 0) / all : 0 ))
}

# The seed's way (what the user's scripts did): pg_dump --data-only (plain text) of the tables to a file;
# TRUNCATE them; psql -f the file; REINDEX the ivfflat indexes. Autocommit. Prints its records.
bench_seed_way() {
  local src=$1 tgt=$2 dir=$3; shift 3
  local f=$dir/seed-dump.sql dargs=() tlist="" tarr t ivf t0 t1 t2 t3
  for t in "$@"; do dargs+=(-t "public.$t"); tlist+="${tlist:+, }public.$t"; done
  tarr="ARRAY[$(printf "'public.%s'," "$@" | sed 's/,$//')]::regclass[]"
  ivf=$(pg_psql "$tgt" archon -At -c "SELECT string_agg(format('\\echo IDX %s', ic.relname) || E'\n' ||
          format('REINDEX INDEX %s;', i.indexrelid::regclass), E'\n' ORDER BY ic.relname)
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
          WHERE i.indrelid = ANY ($tarr) AND am.amname = 'ivfflat'")
  t0=$EPOCHREALTIME
  "${PG_BIN:-$PG15_BIN}/pg_dump" -h 127.0.0.1 -p "$src" -U postgres -d archon --data-only --no-owner --no-privileges \
    "${dargs[@]}" -f "$f"
  t1=$EPOCHREALTIME
  pg_psql "$tgt" archon -c "TRUNCATE $tlist"
  pg_psql "$tgt" archon -f "$f" > "$dir/import.log"
  t2=$EPOCHREALTIME
  printf '\\timing on\n%s\n' "$ivf" | pg_psql "$tgt" archon -f - > "$dir/reindex.log"
  t3=$EPOCHREALTIME
  python3 - "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:])
print(f"wall_s\t{t3 - t0:.3f}\nexport_s\t{t1 - t0:.3f}\nimport_s\t{t2 - t1:.3f}\nreindex_s\t{t3 - t2:.3f}")
PY
  printf 'dump_bytes\t%s\n' "$(stat -c %s "$f")"
  # \timing output after "\echo IDX name" lines → one record per index
  awk '/^IDX / {n = $2} /^Time: / && n != "" {printf "reindex.%s_s\t%.3f\n", n, $2 / 1000; n = ""}' "$dir/reindex.log"
  rm -f "$f"
}
