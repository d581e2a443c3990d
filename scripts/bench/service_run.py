#!/usr/bin/env python3
"""One timed sync through the running service, for scripts/bench.sh.

  service_run.py BASE_URL DIRECTION PID OUT_JSON [BODY]     (API key from $ARCHON_SYNC_API_KEY)

POSTs /api/database/sync {"direction": DIRECTION, "force": true, "backup": false} (or, given BODY, a JSON
object: {"direction": DIRECTION} plus BODY's fields, e.g. '{"backup": false, "full": true}'), then polls
GET /api/database/sync/{id} every 200 ms until the status is final. On every poll it reads the
service process's VmRSS from /proc/PID/status and keeps the first sample at or above 10 % and
50 % of percent_complete, and the one taken when the final status was seen (100 %). Before the
POST it resets the process's peak RSS (echo 5 > /proc/PID/clear_refs), so VmHWM at the end is the
peak during this sync. Wall time runs from just before the POST to the poll that saw the final
status (so it is up to one poll interval late). Writes everything as JSON to OUT_JSON; exit 0 when
the sync completed, 1 otherwise.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

POLL = 0.2


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def epoch(iso):
    """'2026-11-25T19:01:47.695912058Z' -> seconds since the epoch (float)."""
    import datetime
    iso = iso.rstrip("Z")
    head, _, frac = iso.partition(".")
    t = datetime.datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() + (float("0." + frac) if frac else 0.0)


def call(method, url, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"X-API-Key": key, "Content-Type": "application/json",
                                          "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"raw": raw.decode(errors="replace")}


def records(result):
    """The (key, value) pairs bench.sh records for a service run; missing values are left out."""
    final = result.get("final") or {}
    report = final.get("report") or {}
    out = [("wall_s", result.get("wall_s")), ("elapsed_s", final.get("elapsed_seconds")), ("post_s", result.get("post_s")),
           ("start_lag_s", result.get("start_lag_s")), ("bytes_transferred", final.get("bytes_transferred")),
           ("rows_synced", final.get("rows_synced")), ("rss_p10_kb", result.get("rss_p10_kb")),
           ("rss_p50_kb", result.get("rss_p50_kb")), ("rss_p100_kb", result.get("rss_p100_kb")),
           ("rss_hwm_kb", result.get("rss_hwm_kb") if result.get("hwm_reset") else None),
           ("rss_start_kb", result.get("rss_start_kb"))]
    out += [(f"phase.{k}_s", v) for k, v in (report.get("phase_seconds") or {}).items()]
    for t in report.get("tables") or []:
        out += [(f"table.{t['table']}_s", t.get("seconds")), (f"table.{t['table']}_bytes", t.get("bytes")),
                (f"table.{t['table']}_rows", t.get("rows_loaded")), (f"table.{t['table']}_format", t.get("format"))]
    for d in final.get("decisions") or []:  # issue 14: reloaded or left alone, and the fingerprints' cost
        out += [(f"decision.{d['table']}", d.get("why")),
                (f"fingerprint.{d['table']}.source_s", d.get("source_fingerprint_seconds")),
                (f"fingerprint.{d['table']}.target_s", d.get("target_fingerprint_seconds")),
                (f"action.{d['table']}", d.get("action")), (f"inserted.{d['table']}", d.get("rows_inserted")),
                (f"deleted.{d['table']}", d.get("rows_deleted")), (f"sent.{d['table']}", d.get("bytes_sent"))]
    for i in report.get("indexes") or []:
        out += [(f"index.{i['index']}_s", i.get("seconds")), (f"index.{i['index']}_method", i.get("method"))]
    return [(k, v) for k, v in out if v is not None]


def finish(result, out_path):
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    for k, v in records(result):
        print(f"{k}\t{v}")


def main():
    base, direction, pid, out_path = sys.argv[1:5]
    body = {"direction": direction, "force": True, "backup": False}
    if len(sys.argv) > 5:
        body = {"direction": direction, **json.loads(sys.argv[5])}
    key = os.environ.get("ARCHON_SYNC_API_KEY", "")
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        hwm_reset = True
    except OSError:
        hwm_reset = False
    rss_start = rss_kb(pid)
    wall0 = time.time()
    t0 = time.monotonic()
    code, body = call("POST", base + "/api/database/sync", key, body)
    result = {"post_status": code, "post_s": time.monotonic() - t0, "rss_start_kb": rss_start,
              "hwm_reset": hwm_reset, "samples": []}
    if code != 202:
        result.update(status="post-failed", response=body, wall_s=time.monotonic() - t0)
        finish(result, out_path)
        print(f"POST returned {code}: {json.dumps(body)[:500]}", file=sys.stderr)
        return 1
    sync_id = body["sync_id"]
    rss10 = rss50 = None
    peak_sampled = 0
    last = body
    while True:
        time.sleep(POLL)
        code, d = call("GET", f"{base}/api/database/sync/{sync_id}", key)
        now = time.monotonic() - t0
        if code != 200:
            result.update(status=f"get-failed-{code}", response=d, wall_s=now)
            break
        r = rss_kb(pid)
        pct = d.get("percent_complete") or 0
        result["samples"].append([round(now, 3), pct, d.get("phase"), r])
        if r:
            peak_sampled = max(peak_sampled, r)
        if rss10 is None and pct >= 10:
            rss10 = r
        if rss50 is None and pct >= 50:
            rss50 = r
        last = d
        if d.get("status") != "running":
            result.update(status=d.get("status"), wall_s=now)
            break
    try:
        # started_at is when the service created the job: the gap from our POST is HTTP + request handling
        result["start_lag_s"] = epoch(last["started_at"]) - wall0
    except (KeyError, ValueError, TypeError):
        pass
    result.update(sync_id=sync_id, final=last, rss_p10_kb=rss10, rss_p50_kb=rss50, rss_p100_kb=rss_kb(pid),
                  rss_peak_sampled_kb=peak_sampled, rss_hwm_kb=rss_kb(pid, "VmHWM"))
    finish(result, out_path)
    if result["status"] != "completed":
        print(f"sync {sync_id} ended {result['status']}: {last.get('error') or last.get('message')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
