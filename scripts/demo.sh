#!/usr/bin/env bash
# The demo: restore a "fresh machine" from the "cloud", on two PostgreSQL clusters this script creates.
#   bash scripts/demo.sh            (DEMO_SCALE=0.05 by default: ~11k embedding rows; 1.0 = the seed's 218,714)
# 1. installs what it needs (PostgreSQL 15, pgvector), builds the service;
# 2. starts two throwaway clusters under work/clusters: "remote" (port 55433) with Archon's schema and
#    generated data, "local" (port 55432) like a fresh Supabase: no Archon tables at all;
# 3. starts the service and runs a remote-to-local sync through the CLI script, showing its progress;
# 4. compares both databases by content checksums, then a local-to-remote sync of the same data;
# 5. stops everything (the clusters' files stay in work/clusters; `rm -rf work` removes them);
#    DEMO_KEEP=1 leaves the service and clusters running for the page at http://localhost:8091/ until Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
. scripts/lib/pg.sh
scale=${DEMO_SCALE:-0.05}
export PGCLUSTER_PASSWORD=${PGCLUSTER_PASSWORD:-demo-password}
lport=55432; rport=55433; http=${DEMO_HTTP_PORT:-8091}

bash scripts/install-deps.sh
echo "== building the service"
./mvnw -B -q package -DskipTests

service_pid=""
cleanup() {
  [ -z "$service_pid" ] || kill "$service_pid" 2>/dev/null || true
  pg_cluster_stop demo-local >/dev/null || true
  pg_cluster_stop demo-remote >/dev/null || true
}
trap cleanup EXIT

echo "== starting two clusters"
pg_cluster_start demo-local $lport
pg_cluster_start demo-remote $rport
for p in $lport $rport; do pg_recreate_db $p archon; done
echo "== remote: Archon's schema + generated data at scale $scale (hostile values included)"
archon_fixture $rport archon "$scale" 1
# the rest of Archon's schema (search functions, helpers, grants), so the restored machine can answer a search
pg_psql $rport archon -q -f fixture/archon-functions.sql >/dev/null
pg_psql $rport archon -At -c "SELECT 'remote: ' || count(*) || ' crawled pages' FROM archon_crawled_pages"
echo "== local: a fresh Supabase database without Archon's tables"
archon_fresh_supabase $lport archon

echo "== starting the service on :$http"
export ARCHON_SYNC_LOCAL_URL="postgresql://postgres:$PGCLUSTER_PASSWORD@127.0.0.1:$lport/archon"
export ARCHON_SYNC_REMOTE_URL="postgresql://postgres:$PGCLUSTER_PASSWORD@127.0.0.1:$rport/archon"
export ARCHON_SYNC_API_KEY=demo-key-not-secret-0123456789abcdef ARCHON_SYNC_WORK_DIR="$root/work/demo-tmp" PORT=$http
java -Xmx256m -jar target/quarkus-app/quarkus-run.jar > work/demo-service.log 2>&1 &
service_pid=$!
for _ in $(seq 1 60); do curl -sf "http://localhost:$http/q/health/live" >/dev/null && break; sleep 0.5; done
export ARCHON_SYNC_URL="http://localhost:$http"
echo "   the Database Sync page: http://localhost:$http/  (API key: $ARCHON_SYNC_API_KEY; DEMO_KEEP=1 keeps it running)"

echo "== sync remote → local (restore a machine from the cloud)"
scripts/sync-databases.sh --direction=remote-to-local --no-backup --yes

echo "== checksums (17 synced tables + sequences), remote vs local"
scripts/db-checksum.sh "$ARCHON_SYNC_REMOTE_URL" > work/demo-remote.sum
scripts/db-checksum.sh "$ARCHON_SYNC_LOCAL_URL" > work/demo-local.sum
# not compared: Archon's MCP tables (created empty, never synced) and the fixture's "other app" in the
# same schema, which a bootstrap leaves behind by design
skip='archon_mcp_(sessions|requests)|other_app_'
if diff <(grep -Ev "$skip" work/demo-remote.sum) <(grep -Ev "$skip" work/demo-local.sum); then
  echo "identical: $(grep -Evc "$skip" work/demo-local.sum) tables and sequences match"
else
  echo "MISMATCH"; exit 1
fi

echo "== sync local → remote (the nightly backup direction; same data, so nothing is lost)"
scripts/sync-databases.sh --direction=local-to-remote --no-backup --yes
echo "demo done; service log: work/demo-service.log"
if [ "${DEMO_KEEP:-0}" = 1 ]; then
  echo "== DEMO_KEEP=1: the service keeps running. Open http://localhost:$http/ and sign in with the API key $ARCHON_SYNC_API_KEY"
  echo "   Ctrl-C stops the service and both clusters."
  wait "$service_pid"
fi
