# shellcheck shell=bash
# The scripts' one library for PostgreSQL chores. Source it:   . "$(dirname "$0")/lib/pg.sh"
#   pg_cluster_start|stop|status  a throwaway cluster under work/clusters/NAME (demo, benchmark)
#   pg_psql PORT DB ARGS...       psql as postgres@127.0.0.1:PORT (password: $PGCLUSTER_PASSWORD, via PGPASSWORD)
#   archon_fixture PORT DB SCALE SEED | archon_fresh_supabase PORT DB    the test fixture, as the Java tests load it
#   archon_tables                 the 17 synced tables in load order (from the service's own default)
#   debian_mirror, apt_trixie_sources DIR, pgvector_build SRC PG_CONFIG [SUDO]    for the installers
# Clusters: superuser postgres, scram-sha-256, 127.0.0.1 only. PostgreSQL refuses to run as root, so as root
# every server command runs as the postgres OS user and the directory is made theirs.
# PGCLUSTER_FAST=1 turns durability off (fsync, full_page_writes, synchronous_commit), as the tests do.

ARCHON_ROOT=${ARCHON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PG15_BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}

# Runs a server command as the postgres OS user when we are root.
pg_as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_cluster_dir() { echo "$ARCHON_ROOT/work/clusters/$1"; }

# pg_cluster_start NAME PORT [BIN_DIR]: initdb on first use, then start (already running: says so).
pg_cluster_start() {
  local name=$1 port=$2 bin=${3:-$PG15_BIN} dir data pwfile p
  dir=$(pg_cluster_dir "$name"); data=$dir/data
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$dir"
      # the postgres user must be able to reach the directory
      p=$dir; while p=$(dirname "$p"); [ "$p" != / ]; do chmod o+x "$p"; done
    fi
    pwfile=$dir/.pw; (umask 077; printf '%s\n' "${PGCLUSTER_PASSWORD:-postgres}" > "$pwfile")
    [ "$(id -u)" -ne 0 ] || chown postgres "$pwfile"
    pg_as_owner "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" -A scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log"
    rm -f "$pwfile"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = '$dir'"
      echo "shared_buffers = 1GB"
      echo "maintenance_work_mem = 1GB"
      echo "max_wal_size = 4GB"
      echo "checkpoint_timeout = 15min"
      echo "max_connections = 100"
      if [ "${PGCLUSTER_FAST:-0}" = 1 ]; then
        echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
      fi
    } | pg_as_owner tee -a "$data/postgresql.conf" >/dev/null
  fi
  if pg_as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "cluster $name already running"; return 0
  fi
  pg_as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 120 -o "-p $port" start >/dev/null
  echo "cluster $name: postgresql://postgres@127.0.0.1:$port/postgres (password: \$PGCLUSTER_PASSWORD or 'postgres')"
}

# pg_cluster_stop NAME [BIN_DIR]
pg_cluster_stop() {
  local name=$1 bin=${2:-$PG15_BIN} data
  data=$(pg_cluster_dir "$name")/data
  [ -f "$data/PG_VERSION" ] || { echo "no cluster $name"; return 0; }
  pg_as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  echo "cluster $name stopped"
}

# pg_cluster_status NAME [BIN_DIR]
pg_cluster_status() { pg_as_owner "${2:-$PG15_BIN}/pg_ctl" -D "$(pg_cluster_dir "$1")/data" status; }

# pg_cluster_pid NAME: the postmaster's pid (for CPU accounting)
pg_cluster_pid() { head -1 "$(pg_cluster_dir "$1")/data/postmaster.pid"; }

# pg_psql PORT DB ARGS...: psql on a local cluster; the password travels in the environment, never in argv.
pg_psql() {
  local port=$1 db=$2; shift 2
  PGPASSWORD=${PGCLUSTER_PASSWORD:-postgres} "${PG_BIN:-$PG15_BIN}/psql" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# pg_recreate_db PORT DB [TEMPLATE]: drops DB (ending its sessions) and creates it again, empty or from TEMPLATE.
pg_recreate_db() {
  local port=$1 db=$2 tpl=${3:-}
  PGOPTIONS="-c client_min_messages=warning" pg_psql "$port" postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$db\"${tpl:+ TEMPLATE \"$tpl\"}"
}

# archon_fixture PORT DB SCALE SEED: an existing empty DB gets Supabase's emulation, Archon's schema and
# generated rows (deterministic per SCALE and SEED; 1.0 = the seed's row counts), then VACUUM ANALYZE.
# The same three fixture files, in the same order, as the Java tests' ArchonFixture.
archon_fixture() {
  local port=$1 db=$2 scale=$3 seed=$4
  PGOPTIONS="-c client_min_messages=warning" pg_psql "$port" "$db" -f "$ARCHON_ROOT/fixture/supabase-emulation.sql" \
    -f "$ARCHON_ROOT/fixture/archon-schema.sql" -f "$ARCHON_ROOT/fixture/generate.sql" \
    -c "SELECT public.archon_fixture_generate($scale, $seed)" -c "DROP FUNCTION public.archon_fixture_generate" \
    -c "VACUUM ANALYZE" >/dev/null
}

# archon_fresh_supabase PORT DB: a fresh machine: Supabase's emulation, no Archon tables.
archon_fresh_supabase() {
  PGOPTIONS="-c client_min_messages=warning" pg_psql "$1" "$2" -f "$ARCHON_ROOT/fixture/supabase-emulation.sql" >/dev/null
}

# archon_tables: the 17 synced tables in FK-dependency order, one a line (ArchonTables.DEFAULT_CSV is the source).
archon_tables() {
  sed -n '/DEFAULT_CSV = /,/;/p' "$ARCHON_ROOT/src/main/java/dev/archon/sync/config/ArchonTables.java" |
    grep -o '"[^"]*"' | tr -d '"\n' | tr ',' '\n' | sed '/^$/d'
}

# debian_mirror: the machine's own Debian mirror (deb822 sources, then sources.list, then deb.debian.org).
debian_mirror() {
  local m
  m=$(awk '$1=="URIs:" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}" | sed 's:/*$::'
}

# apt_trixie_sources DIR: a private apt configuration in DIR with trixie as deb-src only (the system's sources
# stay as they are; no trixie binary is ever installed). Sets the array APT_TRIXIE to the apt-get options.
apt_trixie_sources() {
  local a=$1/apt
  mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
  echo "deb-src $(debian_mirror) trixie main" > "$a/sources.list"
  APT_TRIXIE=(-o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache")
}

# pgvector_build SRC PG_CONFIG [SUDO]: builds an unpacked pgvector source tree against PG_CONFIG and installs it.
# OPTFLAGS="": no -march=native, so the build runs on any x86-64 (as Debian builds it). PGVECTOR_MAKE may prefix
# the build (e.g. "nice -n 19").
pgvector_build() {
  local src=$1 pgc=$2 sudo=${3:-}
  # shellcheck disable=SC2086
  ${PGVECTOR_MAKE:-} make -s -j"${JOBS:-$(nproc)}" -C "$src" PG_CONFIG="$pgc" OPTFLAGS="" >/dev/null &&
    $sudo make -s -C "$src" PG_CONFIG="$pgc" install >/dev/null
}
