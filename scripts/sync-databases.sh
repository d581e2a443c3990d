#!/usr/bin/env bash
# sync-databases.sh — start, watch, cancel and inspect syncs of the archon-db-sync service.
# Needs bash, curl and python3 (scripts/install-deps.sh installs them; so do the container images).
# Run with --help for the flags and exit codes (the README's "Command line" section says the same).
set -uo pipefail

readonly EXIT_COMPLETED=0 EXIT_FAILED=1 EXIT_USAGE=2 EXIT_REFUSED=3 EXIT_CANCELLED=4 EXIT_UNREACHABLE=5 EXIT_BUSY=6

usage() {
  cat <<'EOF'
Usage: sync-databases.sh --direction=local-to-remote|remote-to-local [--force] [--full] [--no-backup] [--dry-run] [--yes] [--json]
       sync-databases.sh --status | --history[=N] | --cancel=<id> | --follow=<id>   [--json]

Replaces the target's rows of Archon's tables with the source's, through the running archon-db-sync
service, and follows its progress (Server-Sent Events) until the sync ends.

  --direction=D     local-to-remote (back up to the cloud) or remote-to-local (restore this machine)
  --url=URL         the service (default: $ARCHON_SYNC_URL, then http://localhost:8091)
  --force           replace rows even if the target would lose rows the source lacks (data-loss guard)
  --full            replace every table, also those already equal to the source's (by default only the
                    tables that differ are reloaded, with the ones a TRUNCATE must take along)
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
direction="" force=false full=false backup=true dry=false yes=false json=false
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
elif [ -n "$direction" ] || $force || $full || ! $backup || $dry || $yes; then
  die_usage "--direction, --force, --full, --no-backup, --dry-run and --yes only go with a sync, not with --$mode"
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

read -r -d '' PY <<'PYEOF'
import json, os, re, shutil, sys, time

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

def clean(s):
    """Server text printed as one line: no control characters (a terminal must never be steered)."""
    return CONTROL.sub(" ", "" if s is None else str(s))

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def num(n):
    return "-" if n is None else "{:,}".format(n)

def size(b):
    if b is None:
        return "-"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(b) < 1000 or unit == "TB":
            return ("%d %s" % (b, unit)) if unit == "B" else ("%.1f %s" % (b, unit))
        b /= 1000.0

def duration(s):
    if s is None:
        return "-"
    s = int(round(s))
    return "%d:%02d" % divmod(s, 60) if s < 3600 else "%d:%02d:%02d" % (s // 3600, s % 3600 // 60, s % 60)

def is_problem(d):
    return isinstance(d, dict) and isinstance(d.get("status"), int) and "title" in d

# ---- the live view --------------------------------------------------------------------------------
def line(d, width):
    pct = d.get("percent_complete") or 0.0
    phase = d.get("phase") or ""
    tables = "%s/%s" % (d.get("tables_completed", 0), d.get("total_tables", 0))
    eta = d.get("eta_seconds")
    head = "%5.1f%% %-10s table %s" % (pct, phase, tables)
    msg = clean(d.get("message"))  # names the table and its rows: "Syncing archon_crawled_pages: 5,940 / 10,936 rows"
    if width:  # a terminal: a bar, the ETA, and the message cut to what fits
        bar_w = 20
        filled = int(round(bar_w * pct / 100.0))
        text = "[%s%s] %s%s  %s" % ("#" * filled, "." * (bar_w - filled), head,
                                    "" if eta in (None, 0) else "  eta " + duration(eta), msg)
        return text[: max(10, width - 1)]
    return "%s  %s" % (head, msg)

def lines_as_they_come(fd):
    """Lines from a pipe as soon as each is complete (iterating sys.stdin would wait for a full buffer)."""
    pending = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            yield raw.decode("utf-8", "replace")
    if pending:
        yield pending.decode("utf-8", "replace")

def follow(mode, final_path):
    """Reads the event stream on stdin; draws it; writes the final progress object; 0 when it came."""
    width = shutil.get_terminal_size((100, 20)).columns if mode == "tty" else 0
    last_key, event, data = None, None, []
    for raw in lines_as_they_come(0):
        raw = raw.rstrip("\r")
        if raw.startswith(":"):        # heartbeat comment
            continue
        if raw.startswith("event:"):
            event = raw[6:].strip()
            continue
        if raw.startswith("data:"):
            data.append(raw[5:].lstrip(" "))
            continue
        if raw or not data:
            continue
        d = json.loads("\n".join(data))
        data = []
        final = d.get("status") != "running"
        if mode == "tty":
            sys.stdout.write("\r\x1b[K" + line(d, width) + ("\n" if final else ""))
            sys.stdout.flush()
        elif mode == "plain":
            key = (d.get("status"), d.get("phase"), d.get("current_table"))
            if key != last_key:
                print(line(d, 0), flush=True)
                last_key = key
        if final:
            with open(final_path, "w", encoding="utf-8") as f:
                json.dump(d, f)
            return 0
        event = None
    return 3  # the stream ended without a final event

# ---- the end of a sync: per-phase summary and verification ----------------------------------------
PHASES = ["validating", "backing_up", "exporting", "importing", "indexing", "verifying"]

def summary(path):
    d = load(path)
    status = d.get("status")
    report = d.get("report") or {}
    seconds = report.get("phase_seconds") or {}
    tables = report.get("tables") or []
    indexes = report.get("indexes") or []
    print("%s %s %s (%s) in %s s: %s" % (d.get("operation") or "sync", d.get("sync_id"), status, d.get("direction"),
          "%.1f" % (d.get("elapsed_seconds") or 0), clean(d.get("message"))))
    if d.get("error"):
        print("error: " + clean(d.get("error")))
    if seconds:
        # finished tables are in the report; a cancelled or failed load also moved part of one more
        loaded_rows = max(sum(t.get("rows_loaded") or 0 for t in tables), d.get("rows_synced") or 0)
        loaded_bytes = max(sum(t.get("bytes") or 0 for t in tables), d.get("bytes_transferred") or 0)
        print("%-12s %9s %12s %12s" % ("phase", "seconds", "rows", "bytes"))
        for p in PHASES + [p for p in seconds if p not in PHASES]:
            if p not in seconds:
                continue
            rows, byts = ("-", "-")
            if p == "importing":
                rows, byts = num(loaded_rows), size(loaded_bytes)
            elif p == "indexing" and indexes:
                rows = "%d indexes" % len(indexes)
            print("%-12s %9.2f %12s %12s" % (p, seconds[p], rows, byts))
        print("%-12s %9.2f %12s %12s" % ("total", sum(seconds.values()), num(loaded_rows), size(loaded_bytes)))
    decisions(d.get("decisions") or [])
    for w in report.get("warnings") or []:
        print("warning: " + clean(w))
    phase = d.get("phase")
    reloaded = sum(1 for t in d.get("decisions") or [] if t.get("reload"))
    unchanged = len(d.get("decisions") or []) - reloaded
    if status == "completed" and "verifying" not in (report.get("phase_seconds") or {}):
        # nothing differed (issue 14): no write transaction was opened, so there was nothing to verify or commit
        print("verification: nothing to verify: every table already equals the source (fingerprints); no write "
              "transaction was opened on the target, nothing was written")
    elif status == "completed":
        n = reloaded or d.get("total_tables") or 0
        print("verification: passed before COMMIT (row counts of %d reloaded %s the source snapshot%s, no "
              "foreign-key orphans, every index valid, sequences at the source's values) and rechecked after"
              % (n, "table equals" if n == 1 else "tables equal",
                 "; the %d unchanged ones fingerprint-checked again under the lock" % unchanged if unchanged else ""))
    elif status == "failed" and phase == "verifying":
        print("verification: FAILED, so nothing was committed: the target was rolled back")
    elif status in ("failed", "cancelled"):
        print("verification: not reached (%s in %s): the target was rolled back, nothing changed" % (status, phase))

def decisions(ds):
    """Which tables were reloaded and why, which were left alone as unchanged (issue 14)."""
    if not ds:
        return
    reloaded = [t for t in ds if t.get("reload")]
    left = [t for t in ds if not t.get("reload")]
    by_why = {}
    for t in reloaded:
        by_why.setdefault(t.get("why"), []).append(clean(t.get("table")))
    if reloaded:
        print("reloaded (%d): %s" % (len(reloaded), "; ".join(
            "%s (%s)" % (", ".join(names), clean(why)) for why, names in by_why.items())))
    if left:
        print("left alone, unchanged (%d): %s" % (len(left), ", ".join(clean(t.get("table")) for t in left)))

# ---- answers that are not a running sync ------------------------------------------------------------
def problem(path):
    """Prints a problem+json (or any error body) for people."""
    try:
        d = load(path)
    except (ValueError, OSError):
        print("the service answered: " + clean(open(path, encoding="utf-8", errors="replace").read()[:300]))
        return
    if not is_problem(d):
        print(clean(json.dumps(d))[:300])
        return
    refusals = d.get("refusals") or []
    if not refusals:
        print("%s (HTTP %d): %s" % (clean(d.get("title")), d["status"], clean(d.get("detail"))))
        return
    print("%s (HTTP %d): nothing was changed" % (clean(d.get("title")), d["status"]))
    for r in refusals:
        print("  - [%s] %s" % (clean(r.get("code")), clean(r.get("message"))))

def has_refusal(path, code):
    d = load(path)
    print("yes" if any(r.get("code") == code for r in (d.get("refusals") or [])) else "no")

def losses(compare_path, direction):
    """The data-loss guard's tables and numbers, from the service's read-only comparison."""
    d = load(compare_path)
    src, tgt = ("local", "remote") if direction == "local-to-remote" else ("remote", "local")
    rows = [t for t in d.get("tables") or [] if (t.get(tgt + "_rows") or 0) > (t.get(src + "_rows") or 0)]
    if not rows:
        return
    print("%-32s %14s %14s %14s" % ("table", "source rows", "target rows", "would be lost"))
    for t in rows:
        s, g = t.get(src + "_rows") or 0, t.get(tgt + "_rows") or 0
        print("%-32s %14s %14s %14s" % (clean(t.get("table")), num(s), num(g), num(g - s)))

def effect(t):
    src, tgt = t.get("source_rows") or 0, t.get("target_rows_before") or 0
    if tgt == 0:
        return "load %s rows" % num(src)
    if src == tgt:
        return "replace %s rows (same count)" % num(tgt)
    if src > tgt:
        return "replace %s rows with %s (+%s)" % (num(tgt), num(src), num(src - tgt))
    return "replace %s rows with %s (-%s lost: needs --force)" % (num(tgt), num(src), num(tgt - src))

def plan(path, heading):
    d = load(path)
    p = d.get("plan") or {}
    tables = p.get("tables") or []
    print("%s: %s -> %s%s" % (heading, clean(p.get("source")), clean(p.get("target")),
          " (the target has none of the tables: they are created from the source's schema)" if p.get("fresh_target") else ""))
    print("%-32s %14s %14s  %s" % ("table", "source rows", "target rows", "what would happen"))
    for t in tables:
        # issue 14: a table equal to the source (fingerprints) is left alone; the others say why they are reloaded
        what = "left alone: unchanged" if t.get("reload") is False else "%s (%s)" % (effect(t), clean(t.get("why") or "reload"))
        print("%-32s %14s %14s  %s" % (clean(t.get("table")), num(t.get("source_rows")), num(t.get("target_rows_before")), what))
    src = sum(t.get("source_rows") or 0 for t in tables)
    tgt = sum(t.get("target_rows_before") or 0 for t in tables)
    reload = sum(1 for t in tables if t.get("reload") is not False)
    print("%-32s %14s %14s  %s" % ("total (%d tables)" % len(tables), num(src), num(tgt),
          "%d to reload, %d left alone" % (reload, len(tables) - reload)))

def rows_to_overwrite(path):
    p = load(path).get("plan") or {}
    print(num(sum(t.get("target_rows_before") or 0 for t in p.get("tables") or [] if t.get("reload") is not False)))

def json_field(path, name):
    d = load(path)
    print(json.dumps(d.get(name) if isinstance(d, dict) and name in d else d))

def field(path, name):
    d = load(path)
    for part in name.split("."):
        d = d.get(part) if isinstance(d, dict) else None
    print("" if d is None else d)

def history(path):
    rows = load(path)
    print("%-20s %-36s %-9s %-15s %-9s %8s %10s  %s" % ("started (UTC)", "sync id", "trigger", "direction", "status", "seconds", "rows", "message"))
    for r in rows:
        dur = r.get("duration_seconds")
        text = r.get("error") or r.get("message") or ""
        op = "restore " if r.get("operation") == "restore" else ("dry run " if r.get("dry_run") else "")
        print("%-20s %-36s %-9s %-15s %-9s %8s %10s  %s" % (clean(r.get("started_at", ""))[:19].replace("T", " "), r.get("sync_id"),
              r.get("trigger"), r.get("direction"), r.get("status"), "-" if dur is None else "%.1f" % dur,
              num(r.get("rows_synced")), (op + clean(text))[:100]))

def ago(seconds):
    if seconds is None:
        return "never"
    s = int(seconds)
    return "%dd %dh ago" % (s // 86400, s % 86400 // 3600) if s >= 86400 else "%dh %dm ago" % (s // 3600, s % 3600 // 60)

def status(schedule_path, running_path, url):
    s = load(schedule_path) if os.path.getsize(schedule_path) else None
    running = [r for r in load(running_path) if r.get("status") == "running"]
    print("service:      %s" % url)
    if running:
        for r in running:
            print("running:      sync %s %s (%s), %s, started %s" % (r.get("sync_id"), r.get("direction"), r.get("trigger"),
                  r.get("phase"), r.get("started_at")))
    else:
        print("running:      no sync")
    if s is None:
        print("nightly:      unknown (the schedule could not be read)")
        return
    print("nightly:      %s, cron '%s' in %s, next run %s" % ("enabled" if s.get("enabled") else "disabled",
          s.get("cron"), s.get("time_zone"), s.get("next_fire_at") or "-"))
    a = s.get("last_attempt")
    if a:
        print("last attempt: %s at %s (sync %s): %s" % (a.get("status"), a.get("started_at"), a.get("sync_id"), clean(a.get("message"))))
    else:
        print("last attempt: none")
    print("last success: %s (%s)" % (s.get("last_success_at") or "-", ago(s.get("last_success_age_seconds"))))

def status_json(schedule_path, running_path):
    s = load(schedule_path) if os.path.getsize(schedule_path) else None
    running = [r for r in load(running_path) if r.get("status") == "running"]
    print(json.dumps({"running": running, "schedule": s}))

cmd, args = sys.argv[1], sys.argv[2:]
sys.exit({"follow": follow, "summary": summary, "problem": problem, "plan": plan, "field": field,
          "rows_to_overwrite": rows_to_overwrite, "json_field": json_field, "has_refusal": has_refusal, "losses": losses, "history": history, "status": status,
          "status_json": status_json}[cmd](*args) or 0)
PYEOF
py() { python3 -c "$PY" "$@"; }
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

# A refusal: the reasons; for the data-loss guard also its tables and numbers, and how to force.
refused_report() {
  py problem "$resp"
  [ "$mode" = sync ] && [ "$(py has_refusal "$resp" data_loss)" = yes ] || return 0
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
body() { printf '{"direction":"%s","force":%s,"full":%s,"backup":%s,"dry_run":%s,"trigger":"cli"}' "$direction" "$force" "$full" "$backup" "$1"; }
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
