#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the demo and the benchmark.
#   scripts/pg-cluster.sh start|stop|status NAME PORT [BIN_DIR]
# Data lives in work/clusters/NAME (git-ignored). Superuser `postgres`, scram-sha-256,
# password from $PGCLUSTER_PASSWORD (default `postgres`), listening on 127.0.0.1:PORT.
# PostgreSQL refuses to run as root, so as root every server command runs as the
# `postgres` OS user and the directory is made theirs.
# PGCLUSTER_FAST=1 turns durability off (fsync, full_page_writes, synchronous_commit),
# as the tests do; the default keeps it on so that benchmark numbers stay realistic.
set -euo pipefail
cmd=${1:-}; name=${2:-}; port=${3:-}; bin=${4:-/usr/lib/postgresql/15/bin}
[[ "$cmd" =~ ^(start|stop|status)$ && -n "$name" && "$port" =~ ^[0-9]+$ ]] || {
  echo "usage: $0 start|stop|status NAME PORT [BIN_DIR]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/work/clusters/$name"; data="$dir/data"

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$dir"
        # the postgres user must be able to reach the directory
        p="$dir"; while p=$(dirname "$p"); [ "$p" != / ]; do chmod o+x "$p"; done
      fi
      pwfile="$dir/.pw"; (umask 077; printf '%s\n' "${PGCLUSTER_PASSWORD:-postgres}" > "$pwfile")
      [ "$(id -u)" -ne 0 ] || chown postgres "$pwfile"
      as_pg "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" -A scram-sha-256 \
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
      } | as_pg tee -a "$data/postgresql.conf" >/dev/null
    fi
    if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      echo "cluster $name already running"; exit 0
    fi
    as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 120 -o "-p $port" start >/dev/null
    echo "cluster $name: postgresql://postgres@127.0.0.1:$port/postgres (password: \$PGCLUSTER_PASSWORD or 'postgres')"
    ;;
  stop)
    [ -f "$data/PG_VERSION" ] || { echo "no cluster $name"; exit 0; }
    as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    echo "cluster $name stopped"
    ;;
  status)
    as_pg "$bin/pg_ctl" -D "$data" status
    ;;
esac
