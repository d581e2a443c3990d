#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the demo and the benchmark (see scripts/lib/pg.sh).
#   scripts/pg-cluster.sh start|stop|status NAME PORT [BIN_DIR]
# Data lives in work/clusters/NAME (git-ignored). Superuser `postgres`, scram-sha-256,
# password from $PGCLUSTER_PASSWORD (default `postgres`), listening on 127.0.0.1:PORT.
# PGCLUSTER_FAST=1 turns durability off (fsync, full_page_writes, synchronous_commit),
# as the tests do; the default keeps it on so that benchmark numbers stay realistic.
set -euo pipefail
. "$(dirname "$0")/lib/pg.sh"
cmd=${1:-}; name=${2:-}; port=${3:-}; bin=${4:-$PG15_BIN}
[[ "$cmd" =~ ^(start|stop|status)$ && -n "$name" && "$port" =~ ^[0-9]+$ ]] || {
  echo "usage: $0 start|stop|status NAME PORT [BIN_DIR]" >&2; exit 2; }
case "$cmd" in
  start) pg_cluster_start "$name" "$port" "$bin" ;;
  stop) pg_cluster_stop "$name" "$bin" ;;
  status) pg_cluster_status "$name" "$bin" ;;
esac
