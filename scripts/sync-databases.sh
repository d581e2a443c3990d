#!/usr/bin/env bash
# The seed's CLI: start a sync through the running service and show its progress until it ends.
#   scripts/sync-databases.sh --direction=local-to-remote|remote-to-local [--force] [--no-backup] [--dry-run]
# Environment: ARCHON_SYNC_URL (default http://localhost:8091), ARCHON_SYNC_API_KEY.
# Exit code: 0 completed, 1 failed/cancelled, 2 refused or bad usage, 3 service unreachable.
set -euo pipefail
url=${ARCHON_SYNC_URL:-http://localhost:8091}
direction=""; force=false; backup=true; dry=false
for a in "$@"; do
  case "$a" in
    --direction=*) direction=${a#--direction=} ;;
    --force) force=true ;;
    --no-backup) backup=false ;;
    --dry-run) dry=true ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown argument: $a (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$direction" ] || { echo "--direction=local-to-remote or --direction=remote-to-local is required" >&2; exit 2; }
key_header=(-H "X-API-Key: ${ARCHON_SYNC_API_KEY:-}")
body=$(printf '{"direction":"%s","force":%s,"backup":%s,"dry_run":%s,"trigger":"cli"}' "$direction" "$force" "$backup" "$dry")
resp=$(mktemp); trap 'rm -f "$resp"' EXIT
code=$(curl -sS -o "$resp" -w '%{http_code}' "${key_header[@]}" -H 'Content-Type: application/json' \
  -X POST --data "$body" "$url/api/database/sync") || { echo "cannot reach the sync service at $url" >&2; exit 3; }
show() { python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if "title" in d and "status" in d and isinstance(d["status"], int):
    print("%s (HTTP %d): %s" % (d["title"], d["status"], d.get("detail", "")))
    for r in d.get("refusals") or []:
        print("  - [%s] %s" % (r["code"], r["message"]))
    sys.exit(0)
eta = d.get("eta_seconds")
print("%5.1f%%  %-10s %s%s" % (d["percent_complete"], d["phase"], d.get("message") or "",
      "" if eta in (None, 0) else "  (eta %ds)" % eta), flush=True)
if d["status"] != "running" and d.get("error"):
    print("error: " + d["error"])
' "$resp"; }
case "$code" in
  202) ;;
  200) show; exit 0 ;;   # dry run: the plan and the verdict
  422) show; exit 2 ;;
  *) show || cat "$resp"; exit 2 ;;
esac
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sync_id"])' "$resp")
echo "sync $id started ($direction)"
last=""
while true; do
  curl -sS -o "$resp" "${key_header[@]}" "$url/api/database/sync/$id" || { echo "lost the service" >&2; exit 3; }
  line=$(show)
  [ "$line" = "$last" ] || { echo "$line"; last=$line; }
  status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$resp")
  case "$status" in
    running) sleep 0.5 ;;
    completed) exit 0 ;;
    *) exit 1 ;;
  esac
done
