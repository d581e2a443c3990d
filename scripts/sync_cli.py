#!/usr/bin/env python3
"""The reading and drawing half of scripts/sync-databases.sh: the wrapper talks HTTP (curl) and handles
signals; this file reads the service's JSON and prints it for people. Called as
``sync_cli.py <command> <args…>`` (the commands are at the bottom). Every decision comes from the
progress object's facts — status, outcome, dry_run, decisions[] (action, counts, bytes), report,
left_out[], notices[] — never from its message, which is only shown."""
import json
import os
import re
import shutil
import sys

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


# ---- the facts of a progress object -----------------------------------------------------------------
FINAL = ("completed", "failed", "cancelled", "refused")


def outcome_of(d):
    """completed, nothing_to_do, planned, refused, failed or cancelled; None while it runs."""
    if d.get("outcome"):
        return d["outcome"]
    return d.get("status") if d.get("status") in FINAL else None  # a service older than the outcome field


def action_of(t):
    """reload, delta or unchanged (services before per-table actions: from reload)."""
    return t.get("action") or ("unchanged" if t.get("reload") is False else "reload")


def counts(t):
    parts = []
    if t.get("rows_inserted") is not None:
        parts.append("%s inserted" % num(t["rows_inserted"]))
    if t.get("rows_deleted") is not None:
        parts.append("%s deleted" % num(t["rows_deleted"]))
    return ", ".join(parts)


def decision_words(t):
    """One table's decision: "reload (differs)", "delta: 12 inserted, 3 deleted", "left alone: unchanged"."""
    action = action_of(t)
    if action == "unchanged":
        return "left alone: unchanged"
    if action == "delta":
        return "delta: " + (counts(t) or "changed rows only")
    return "reload (%s)" % clean(t.get("why") or "reload")


# ---- the live view --------------------------------------------------------------------------------
def line(d, width):
    pct = d.get("percent_complete") or 0.0
    phase = d.get("phase") or ""
    tables = "%s/%s" % (d.get("tables_completed", 0), d.get("total_tables", 0))
    eta = d.get("eta_seconds")
    head = "%5.1f%% %-10s table %s" % (pct, phase, tables)
    what = ""
    if d.get("current_table"):
        what = clean(d["current_table"])
        if phase == "importing":
            what += "  %s / %s rows" % (num(d.get("rows_synced")), num(d.get("total_rows")))
    if d.get("dry_run"):
        what = ("dry run  " + what).rstrip()
    if width:  # a terminal: a bar, the ETA, and the rest cut to what fits
        bar_w = 20
        filled = int(round(bar_w * pct / 100.0))
        text = "[%s%s] %s%s  %s" % ("#" * filled, "." * (bar_w - filled), head,
                                    "" if eta in (None, 0) else "  eta " + duration(eta), what)
        return text[: max(10, width - 1)]
    return ("%s  %s" % (head, what)).rstrip()


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
    last_key, data = None, []
    for raw in lines_as_they_come(0):
        raw = raw.rstrip("\r")
        if raw.startswith(":") or raw.startswith("event:"):  # heartbeat comment; the name repeats the status
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
    return 3  # the stream ended without a final event


# ---- the end of a sync: per-phase summary and verification ----------------------------------------
PHASES = ["validating", "backing_up", "exporting", "importing", "indexing", "verifying"]


def summary(path):
    d = load(path)
    status = d.get("status")
    how = outcome_of(d)
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
    ds = [] if d.get("operation") == "restore" else d.get("decisions") or []
    decisions(ds)
    set_aside(d)
    for w in report.get("warnings") or []:
        print("warning: " + clean(w))
    changed = sum(1 for t in ds if action_of(t) != "unchanged")
    unchanged = len(ds) - changed
    if how == "nothing_to_do":
        # nothing differed (issue 14): no write transaction was opened, so there was nothing to verify or commit
        print("verification: nothing to verify: every table already equals the source (fingerprints); no write "
              "transaction was opened on the target, nothing was written")
    elif how == "completed":
        n = changed or d.get("total_tables") or 0
        print("verification: passed before COMMIT (row counts of %d reloaded %s the source snapshot%s, no "
              "foreign-key orphans, every index valid, sequences at the source's values) and rechecked after"
              % (n, "table equals" if n == 1 else "tables equal",
                 "; the %d unchanged ones fingerprint-checked again under the lock" % unchanged if unchanged else ""))
    elif how == "failed" and d.get("phase") == "verifying":
        print("verification: FAILED, so nothing was committed: the target was rolled back")
    elif how in ("failed", "cancelled"):
        print("verification: not reached (%s in %s): the target was rolled back, nothing changed" % (status, d.get("phase")))


def decisions(ds):
    """Which tables were reloaded and why, changed row by row, or left alone as unchanged: the CLI's one sentence."""
    if not ds:
        return
    reloaded = [t for t in ds if action_of(t) == "reload"]
    delta = [t for t in ds if action_of(t) == "delta"]
    left = [t for t in ds if action_of(t) == "unchanged"]
    by_why = {}
    for t in reloaded:
        by_why.setdefault(t.get("why"), []).append(clean(t.get("table")))
    if reloaded:
        print("reloaded (%d): %s" % (len(reloaded), "; ".join(
            "%s (%s)" % (", ".join(names), clean(why)) for why, names in by_why.items())))
    if delta:
        print("delta (%d): %s" % (len(delta), ", ".join(
            "%s (%s)" % (clean(t.get("table")), counts(t) or "changed rows only") for t in delta)))
    if left:
        print("left alone, unchanged (%d): %s" % (len(left), ", ".join(clean(t.get("table")) for t in left)))
    sent = [t for t in ds if t.get("bytes_sent") is not None]
    if sent:
        print("bytes sent: %s (%s)" % (size(sum(t["bytes_sent"] for t in sent)), ", ".join(
            "%s %s" % (clean(t.get("table")), size(t["bytes_sent"])) for t in sent if t["bytes_sent"])))


def set_aside(d):
    """What the user must know beside the tables: notices, and the archon_* tables not in the synced set."""
    for n in d.get("notices") or []:
        print("notice [%s]: %s" % (clean(n.get("code")), clean(n.get("message"))))
    left_out = d.get("left_out") or []
    if left_out:
        print("not synced (%d): %s" % (len(left_out), "; ".join(
            "%s (%s)" % (clean(t.get("table")), clean(t.get("why"))) for t in left_out)))


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


def has_refusal(path, *codes):
    d = load(path)
    print("yes" if any(r.get("code") in codes for r in (d.get("refusals") or [])) else "no")


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


def plan_words(t):
    """What a dry run says will happen to one table: the rows a reload replaces, or its decision."""
    return "%s (%s)" % (effect(t), clean(t.get("why") or "reload")) if action_of(t) == "reload" else decision_words(t)


def plan(path, heading):
    d = load(path)
    p = d.get("plan") or {}
    tables = p.get("tables") or []
    print("%s: %s -> %s%s" % (heading, clean(p.get("source")), clean(p.get("target")),
          " (the target has none of the tables: they are created from the source's schema)" if p.get("fresh_target") else ""))
    print("%-32s %14s %14s  %s" % ("table", "source rows", "target rows", "what would happen"))
    for t in tables:
        print("%-32s %14s %14s  %s" % (clean(t.get("table")), num(t.get("source_rows")), num(t.get("target_rows_before")),
                                       plan_words(t)))
    src = sum(t.get("source_rows") or 0 for t in tables)
    tgt = sum(t.get("target_rows_before") or 0 for t in tables)
    changing = sum(1 for t in tables if action_of(t) != "unchanged")
    print("%-32s %14s %14s  %s" % ("total (%d tables)" % len(tables), num(src), num(tgt),
          "%d to reload, %d left alone" % (changing, len(tables) - changing)))
    set_aside(d)


def rows_to_overwrite(path):
    """Rows on the target a sync would replace or delete (0: it would write nothing, so nothing to confirm)."""
    p = load(path).get("plan") or {}
    total = 0
    for t in p.get("tables") or []:
        action = action_of(t)
        if action == "reload":
            total += t.get("target_rows_before") or 0
        elif action == "delta":
            total += t.get("rows_deleted") or 0
    print(num(total))


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


COMMANDS = {"follow": follow, "summary": summary, "problem": problem, "plan": plan, "field": field,
            "rows_to_overwrite": rows_to_overwrite, "json_field": json_field, "has_refusal": has_refusal,
            "losses": losses, "history": history, "status": status, "status_json": status_json}

if __name__ == "__main__":
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]) or 0)
