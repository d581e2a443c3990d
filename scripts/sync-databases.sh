#!/usr/bin/env bash
# sync-databases.sh — start, watch, cancel and inspect syncs of the archon-db-sync service.
# Needs bash, curl and python3 (scripts/install-deps.sh installs them; so do the container images).
# Run with --help for the flags and exit codes (the README's "Command line" section says the same).
set -uo pipefail

readonly EXIT_COMPLETED=0 EXIT_FAILED=1 EXIT_USAGE=2 EXIT_REFUSED=3 EXIT_CANCELLED=4 EXIT_UNREACHABLE=5 EXIT_BUSY=6

usage() {
  cat <<'EOF'
Usage: sync-databases.sh --direction=local-to-remote|remote-to-local [--force] [--full] [--with-schema] [--no-backup] [--dry-run] [--yes] [--json]
       sync-databases.sh --status | --history[=N] | --cancel=<id> | --follow=<id>   [--json]

Replaces the target's rows of Archon's tables with the source's, through the running archon-db-sync
service, and follows its progress (Server-Sent Events) until the sync ends.

  --direction=D     local-to-remote (back up to the cloud) or remote-to-local (restore this machine)
  --url=URL         the service (default: $ARCHON_SYNC_URL, then http://localhost:8091)
  --force           replace rows even if the target would lose rows the source lacks (data-loss guard)
  --full            replace every table, also those already equal to the source's (by default only the
                    tables that differ are reloaded, with the ones a TRUNCATE must take along)
  --with-schema     bring the schema along: create the tables the target lacks from the source's schema, in
                    the same transaction (a refusal for a missing table or schema drift says when it helps)
  --no-backup       skip the pre-sync backup of the target
  --dry-run         validate and print the plan per table (rows on each side, what would happen); change nothing
  --yes             do not ask before a sync that overwrites rows (asked only on a terminal)
  --json            print only the final progress object (or the JSON answer of --status/--history) on stdout
  --status          the running sync (if any) and the nightly backup: next run, last attempt, last success
  --history[=N]     the newest N syncs (default 10)
  --cancel=ID       cancel sync ID, wait for its final state and say whether the target was rolled back
  --follow=ID       attach to sync ID and follow it to the end (exit code as if this script had started it)
  -h, --help        this text

Ctrl-C (or SIGTERM) while a sync runs cancels it on the server, waits for its final state and reports
whether the target was rolled back or the cancel lost to COMMIT; a second Ctrl-C stops waiting.
With --follow, Ctrl-C only stops following: the sync goes on (exit 4).

Environment: ARCHON_SYNC_API_KEY (sent as the X-API-Key header, never on a command line), ARCHON_SYNC_URL.

Exit codes:
  0  completed (a dry run: validated and planned)
  1  failed (the target was rolled back)
  2  usage error (bad flag or value, unknown sync id)
  3  refused by preflight (e.g. the data-loss guard; nothing was changed)
  4  cancelled (the target was rolled back)
  5  service unreachable or unauthorized (or not configured)
  6  another sync is running (HTTP 409)
EOF
}

die_usage() { printf 'sync-databases.sh: %s (see --help)\n' "$1" >&2; exit $EXIT_USAGE; }

# ---- arguments --------------------------------------------------------------------------------------
url=${ARCHON_SYNC_URL:-http://localhost:8091}
direction="" force=false full=false schema=false backup=true dry=false yes=false json=false
mode=sync history_limit=10 target_id=""
set_mode() { [ "$mode" = sync ] || die_usage "--$1 cannot be combined with --$mode"; mode=$1; }
while [ $# -gt 0 ]; do
  a=$1; shift
  case "$a" in
    --direction=*) direction=${a#*=} ;;
    --direction) [ $# -gt 0 ] || die_usage "--direction needs a value"; direction=$1; shift ;;
    --url=*) url=${a#*=} ;;
    --url) [ $# -gt 0 ] || die_usage "--url needs a value"; url=$1; shift ;;
    --force) force=true ;;
    --full) full=true ;;
    --with-schema) schema=true ;;
    --no-backup) backup=false ;;
    --dry-run) dry=true ;;
    --yes|-y) yes=true ;;
    --json) json=true ;;
    --status) set_mode status ;;
    --history) set_mode history ;;
    --history=*) set_mode history; history_limit=${a#*=}
      [[ $history_limit =~ ^[0-9]+$ ]] && [ "$history_limit" -ge 1 ] && [ "$history_limit" -le 500 ] \
        || die_usage "--history=N needs a whole number from 1 to 500, not '$history_limit'" ;;
    --cancel=*|--follow=*) m=${a%%=*}; set_mode "${m#--}"; target_id=${a#*=} ;;
    --cancel|--follow) [ $# -gt 0 ] || die_usage "$a needs a sync id"; set_mode "${a#--}"; target_id=$1; shift ;;
    -h|--help) usage; exit $EXIT_COMPLETED ;;
    *) die_usage "unknown argument: $a" ;;
  esac
done
if [ "$mode" = cancel ] || [ "$mode" = follow ]; then
  [[ $target_id =~ ^[0-9a-fA-F-]{8,64}$ ]] || die_usage "--$mode needs a sync id (a UUID), not '$target_id'"
fi
if [ "$mode" = sync ]; then
  case "$direction" in
    local-to-remote|remote-to-local) ;;
    "") die_usage "--direction=local-to-remote or --direction=remote-to-local is required" ;;
    *) die_usage "unknown direction '$direction': use local-to-remote or remote-to-local" ;;
  esac
elif [ -n "$direction" ] || $force || $full || $schema || ! $backup || $dry || $yes; then
  die_usage "--direction, --force, --full, --with-schema, --no-backup, --dry-run and --yes only go with a sync, not with --$mode"
fi
url=${url%/}
command -v curl >/dev/null || { echo "sync-databases.sh needs curl (scripts/install-deps.sh installs it)" >&2; exit $EXIT_UNREACHABLE; }
command -v python3 >/dev/null || { echo "sync-databases.sh needs python3 (scripts/install-deps.sh installs it)" >&2; exit $EXIT_UNREACHABLE; }

# ---- output helpers (python3 reads the JSON and draws; bash talks HTTP and handles signals) ---------
tty=false; [ -t 1 ] && ! $json && [ "${TERM:-dumb}" != dumb ] && tty=true
work=$(mktemp -d "${TMPDIR:-/tmp}/archon-sync-cli.XXXXXX") || exit $EXIT_FAILED
resp=$work/response.json final=$work/final.json
bg_pid=""
cleanup() { [ -z "$bg_pid" ] || kill "$bg_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The JSON is read and drawn by sync_cli.py beside this script (installed next to it in the images).
cli_py=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/sync_cli.py
[ -r "$cli_py" ] || { echo "sync-databases.sh needs $cli_py (it is installed beside this script)" >&2; exit $EXIT_FAILED; }
py() { python3 "$cli_py" "$@"; }
say() { $json || printf '%s\n' "$*"; }                  # progress chatter: stdout, never with --json
note() { $tty && printf '\r\033[K' ; printf '%s\n' "$*" >&2; }   # out-of-band news: stderr

# ---- HTTP: the key goes to curl through a file descriptor, never on its command line -----------------
key_header() { [ -z "${ARCHON_SYNC_API_KEY:-}" ] || printf 'X-API-Key: %s\n' "$ARCHON_SYNC_API_KEY"; }
curl_err=$work/curl.err

# Runs in the background (so a terminal's Ctrl-C reaches only this script, never curl mid-request)
# and waits for it through interruptions. Sets $http to the status code, the body is in $resp.
http=""
request() {
  local method=$1 path=$2; shift 2
  curl -sS -o "$resp" -w '%{http_code}' --connect-timeout 5 --max-time 600 -X "$method" \
    -H @<(key_header) "$@" "$url$path" > "$work/code" 2> "$curl_err" &
  wait_for $!
  local rc=$?
  http=$(cat "$work/code" 2>/dev/null)
  if [ $rc -ne 0 ]; then
    note "cannot reach the sync service at $url: $(sed 's/^curl: ([0-9]*) //' "$curl_err" | head -1)"
    exit $EXIT_UNREACHABLE
  fi
}

# `wait` returns early when a trapped signal arrives; keep waiting until the process really ends.
interrupted=false
wait_for() {
  bg_pid=$1
  local rc
  while :; do
    interrupted=false
    wait "$bg_pid"; rc=$?
    $interrupted || break
  done
  bg_pid=""
  return $rc
}

# Maps an answer that is not a success to a message and an exit code.
fail_http() {
  case "$http" in
    401|403) note "unauthorized (HTTP $http): set ARCHON_SYNC_API_KEY to the service's API key"; exit $EXIT_UNREACHABLE ;;
    409) if $json; then cat "$resp"; echo; fi
         local other; other=$(py field "$resp" sync_id 2>/dev/null)
         if [ -n "$other" ]; then
           note "another sync is running ($other): wait for it (--follow=$other) or cancel it (--cancel=$other)"
         else
           note "another sync is running: $(py field "$resp" detail)"
         fi
         exit $EXIT_BUSY ;;
    422) $json && py json_field "$resp" sync
         if $json; then refused_report >&2; else refused_report; fi
         exit $EXIT_REFUSED ;;
    404) note "$(py problem "$resp")"; exit $EXIT_USAGE ;;
    400) note "$(py problem "$resp")"; exit $EXIT_USAGE ;;
    502|503|504) note "$(py problem "$resp")"; exit $EXIT_UNREACHABLE ;;
    000|"") note "no answer from the sync service at $url"; exit $EXIT_UNREACHABLE ;;
    *) note "$(py problem "$resp")"; exit $EXIT_FAILED ;;
  esac
}

# A refusal: the reasons; for the data-loss guard also its tables and numbers, and how to force; for a
# table or schema the target lacks, the flag that brings it along.
refused_report() {
  py problem "$resp"
  [ "$mode" = sync ] || return 0
  if ! $schema && [ "$(py has_refusal "$resp" schema_drift table_missing_on_target)" = yes ]; then
    echo "To create what the target lacks from the source's schema, in the same transaction:"
    echo "  scripts/sync-databases.sh --direction=$direction --with-schema"
  fi
  [ "$(py has_refusal "$resp" data_loss)" = yes ] || return 0
  if curl -sS -o "$work/compare.json" --connect-timeout 5 --max-time 120 -H @<(key_header) \
      "$url/api/database/compare" 2>/dev/null; then
    py losses "$work/compare.json" "$direction" 2>/dev/null
  fi
  echo "To replace those rows anyway (the target is backed up first unless --no-backup):"
  echo "  scripts/sync-databases.sh --direction=$direction --force"
}

# ---- following a sync to its end ----------------------------------------------------------------------
sync_id="" cancel_state=none   # none | pending (Ctrl-C before we knew the id) | requested | too-late
on_signal() {
  interrupted=true
  case "$cancel_state" in
    none|pending)
      if [ -z "$sync_id" ]; then
        cancel_state=pending; note "cancelling as soon as the service answers…"; return
      fi
      cancel_now ;;
    *) note "stopped waiting; the cancel stands on the server. Follow it: scripts/sync-databases.sh --follow=$sync_id"
       exit $EXIT_CANCELLED ;;
  esac
}
cancel_now() {
  note "cancelling sync $sync_id on the server; waiting for its final state (Ctrl-C again to stop waiting)…"
  local code
  code=$(curl -sS -o "$work/cancel.json" -w '%{http_code}' --connect-timeout 5 --max-time 30 -X POST \
    -H @<(key_header) "$url/api/database/sync/$sync_id/cancel" 2>/dev/null)
  case "$code" in
    202) cancel_state=requested ;;
    409) cancel_state=too-late; note "too late to cancel: the sync has begun its COMMIT or ended; waiting for the truth…" ;;
    *) cancel_state=requested; note "the cancel request failed (HTTP ${code:-none}); waiting for the sync's final state…" ;;
  esac
}

# Follows the event stream to the final event (reconnecting if the stream breaks while the service
# still knows the sync). The final progress object lands in $final.
follow_to_end() {
  local attempts=0 view=plain
  $tty && view=tty
  $json && view=none
  while :; do
    curl -sS -N --fail --connect-timeout 5 -H @<(key_header) -H 'Accept: text/event-stream' \
      "$url/api/database/sync/$sync_id/events" 2> "$curl_err" | py follow "$view" "$final" &
    wait_for $!
    [ -s "$final" ] && return 0
    request GET "/api/database/sync/$sync_id"
    [ "$http" = 200 ] || { note "lost the sync: the service no longer knows $sync_id (restarted?); see --history"; exit $EXIT_FAILED; }
    if [ "$(py field "$resp" status)" != running ]; then cp "$resp" "$final"; return 0; fi
    attempts=$((attempts + 1))
    [ $attempts -lt 20 ] || { note "the event stream keeps breaking: $(head -1 "$curl_err")"; exit $EXIT_UNREACHABLE; }
    sleep 1
  done
}

# Reports the end and exits with the code of the final status.
finish() {
  local status; status=$(py field "$final" status)
  if $json; then cat "$final"; echo; else py summary "$final"; fi
  case "$cancel_state:$status" in
    requested:cancelled|too-late:cancelled) note "cancelled: the target was rolled back, nothing changed" ;;
    requested:completed|too-late:completed) note "the cancel lost to COMMIT: the sync had already begun committing (or had ended) and completed; the target has the new data" ;;
    requested:failed|too-late:failed) note "the sync failed before the cancel took effect: the target was rolled back" ;;
  esac
  case "$status" in
    completed) exit $EXIT_COMPLETED ;;
    cancelled) exit $EXIT_CANCELLED ;;
    refused) exit $EXIT_REFUSED ;;
    *) exit $EXIT_FAILED ;;
  esac
}

# Ctrl-C cancels the sync this command started or was asked to cancel; a query or a --follow of
# someone else's sync (the nightly one, say) is only left: the sync goes on.
stop_watching() {
  note "stopped${sync_id:+ following sync $sync_id; it goes on (cancel it with --cancel=$sync_id)}"
  exit $EXIT_CANCELLED
}
case "$mode" in
  sync|cancel) trap on_signal INT TERM ;;
  *) trap stop_watching INT TERM ;;
esac

# ---- the modes ----------------------------------------------------------------------------------------
case "$mode" in
  history)
    request GET "/api/database/sync/history?limit=$history_limit"
    [ "$http" = 200 ] || fail_http
    if $json; then cat "$resp"; echo; else py history "$resp"; fi
    exit $EXIT_COMPLETED ;;
  status)
    request GET "/api/database/sync/history?limit=20"
    [ "$http" = 200 ] || fail_http
    cp "$resp" "$work/running.json"
    request GET "/api/database/schedule"
    [ "$http" = 200 ] || { note "the schedule could not be read: $(py problem "$resp")"; : > "$resp"; }
    if $json; then py status_json "$resp" "$work/running.json"; else py status "$resp" "$work/running.json" "$url"; fi
    exit $EXIT_COMPLETED ;;
  follow)
    sync_id=$target_id
    request GET "/api/database/sync/$sync_id"
    [ "$http" = 200 ] || fail_http
    follow_to_end; finish ;;
  cancel)
    sync_id=$target_id
    request GET "/api/database/sync/$sync_id"
    [ "$http" = 200 ] || fail_http
    cancel_now
    follow_to_end; finish ;;
esac

# A sync. On a terminal, without --yes, a sync that overwrites rows is shown (a dry run) and confirmed.
body() { printf '{"direction":"%s","force":%s,"full":%s,"schema":%s,"backup":%s,"dry_run":%s,"trigger":"cli"}' "$direction" "$force" "$full" "$schema" "$backup" "$1"; }
if ! $dry && ! $yes && [ -t 0 ]; then
  trap 'note "not started: nothing was changed"; exit $EXIT_CANCELLED' INT TERM
  request POST /api/database/sync -H 'Content-Type: application/json' --data "$(body true)"
  [ "$http" = 200 ] || fail_http
  overwrite=$(py rows_to_overwrite "$resp")
  if [ "$overwrite" != 0 ]; then
    py plan "$resp" "this sync would do" >&2
    printf 'Replace the %s rows on the target (%s)? [y/N] ' "$overwrite" "$direction" >&2
    answer=""
    read -r answer || true
    case "$answer" in
      y|Y|yes|YES) ;;
      *) note "not started: nothing was changed"; exit $EXIT_CANCELLED ;;
    esac
  fi
  trap on_signal INT TERM
fi
[ "$cancel_state" = none ] || { note "cancelled before starting: nothing was changed"; exit $EXIT_CANCELLED; }

request POST /api/database/sync -H 'Content-Type: application/json' --data "$(body "$dry")"
case "$http" in
  200) if $json; then cat "$resp"; echo; else py plan "$resp" "dry run, nothing changed"; fi
       exit $EXIT_COMPLETED ;;
  202) sync_id=$(py field "$resp" sync_id) ;;
  *) fail_http ;;
esac
say "sync $sync_id started ($direction)"
[ "$cancel_state" = pending ] && cancel_now
follow_to_end
finish
