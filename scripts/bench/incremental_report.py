#!/usr/bin/env python3
"""Summarises work/bench-incremental/results.tsv (+ meta.tsv) written by scripts/bench/incremental.sh.

  incremental_report.py DIR

Medians (min–max) over the runs whose status is ok (FAILED runs are counted, never timed): each scenario's
ratio to the full sync against issues 14 and 22's targets, the full sync against the seed's way, the bytes
sent, the reader loop's worst wait, the phases, what each table got, and the fingerprint's cost per table.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Results, fmt  # noqa: E402

d = sys.argv[1] if len(sys.argv) > 1 else "work/bench-incremental"
res = Results(d)
meta, runs = res.meta, res.runs
ok, vals, med, mmr = res.ok, res.vals, res.med, res.mmr

ORDER = ["unchanged", "few", "pages1pct", "crawl1pct", "recrawl1pct", "recrawl10pct", "recrawl25pct", "delete1pct", "full", "seed", "rewritten"]
LABEL = {"unchanged": "nothing changed", "few": "3 settings + 10 tasks changed",
         "pages1pct": "1% of pages changed (scattered)", "crawl1pct": "a crawl: 1% of pages new",
         "recrawl1pct": "a re-crawl: 1% of pages", "recrawl10pct": "a re-crawl: 10% of pages", "recrawl25pct": "a re-crawl: 25% of pages",
         "delete1pct": "a source removed: 1% of pages", "full": "full sync (\"full\": true)",
         "seed": "the seed's way", "rewritten": "target rewritten, same rows (VACUUM FULL)"}
TARGET = {"unchanged": 0.10, "few": 0.20, "crawl1pct": 0.10, "recrawl1pct": 0.10, "recrawl10pct": 0.35}
BYTES_TARGET = {"crawl1pct": 0.03, "recrawl1pct": 0.03}
PHASES = ["validating", "backing_up", "exporting", "importing", "indexing", "verifying"]
scenarios = [s for s in ORDER if any(k[1] == s for k in runs)]


def sent(v):
    """Bytes of COPY data sent, summed over the tables (decisions' bytes_sent)."""
    return sum(float(x) for k, x in v.items() if k.startswith("sent."))


def med_sent(s):
    x = sorted(sent(v) for v in ok(s))
    return x[len(x) // 2] if x else None


def reader(s):
    """The reader loop's worst wait; a reader whose statements failed measured nothing."""
    if (med(s, "reader_errors") or 0) > 0:
        return "errors"
    return fmt(med(s, "reader_worst_wait_s"), 2)


loads = [float(v["load1_before"]) for v in runs.values() if "load1_before" in v]
foreign = [float(v["cpu_foreign_pct"]) for v in runs.values() if "cpu_foreign_pct" in v]
print(f"Incremental sync benchmark — scale {meta.get('scale')}, {meta.get('rows')} rows "
      f"({meta.get('crawled_pages')} crawled pages), PostgreSQL {meta.get('server')}, {meta.get('cpu')}")
print(f"service: {meta.get('service_build')}; {meta.get('started')} → {meta.get('finished')}")
if loads:
    print(f"load average (1 min) before the runs: {min(loads):.2f}–{max(loads):.2f}; CPU used by other processes "
          f"during the runs: {min(foreign):.0f}–{max(foreign):.0f}% of the box")
failed = sum(1 for v in runs.values() if v.get("status") != "ok")
print(f"runs: {len(runs)}, failed: {failed} (every ok run: target checksum-identical to the source)\n")

full = med("full", "wall_s")
full_sent = med_sent("full")
print(f"{'scenario':<34} {'wall s, median (min–max)':>26} {'× full':>7} {'MB sent':>8} {'× full':>7} {'reader worst s':>14}  target")
for s in scenarios:
    w = med(s, "wall_s")
    ratio = None if w is None or not full else w / full
    b = med_sent(s) if s != "seed" else med(s, "dump_bytes")
    bratio = None if b is None or not full_sent else b / full_sent
    verdict = []
    if s in TARGET and ratio is not None:
        verdict.append(f"time ≤ {TARGET[s]:.2f}: {'met' if ratio <= TARGET[s] else 'NOT met'}")
    if s in BYTES_TARGET and bratio is not None:
        verdict.append(f"bytes ≤ {BYTES_TARGET[s]:.0%}: {'met' if bratio <= BYTES_TARGET[s] else 'NOT met'}")
    if s == "full" and med("seed", "wall_s"):
        r = w / med("seed", "wall_s")
        verdict.append(f"{r:.2f}× the seed's way (≤ 0.65: {'met' if r <= 0.65 else 'NOT met'})")
    print(f"{LABEL[s]:<34} {mmr(s, 'wall_s'):>26} {fmt(ratio):>7} {fmt(None if b is None else b / 1e6, 1):>8} "
          f"{fmt(bratio, 3):>7} {reader(s):>14}  {'; '.join(verdict)}")

print("\nphases, median seconds (the service's report)")
print(f"{'scenario':<34} " + " ".join(f"{p[:10]:>10}" for p in PHASES))
for s in scenarios:
    if s != "seed":
        print(f"{LABEL[s]:<34} " + " ".join(f"{fmt(med(s, 'phase.' + p + '_s')):>10}" for p in PHASES))
if "seed" in scenarios:
    print(f"the seed's way: export {fmt(med('seed', 'export_s'))} s, import {fmt(med('seed', 'import_s'))} s, "
          f"REINDEX ivfflat {fmt(med('seed', 'reindex_s'))} s")

print("\nwhat each table got, from the first ok run's decisions")
for s in scenarios:
    first = ok(s)[0] if ok(s) else {}
    parts, left = [], 0
    for k, why in first.items():
        if not k.startswith("decision."):
            continue
        t = k[len("decision."):]
        action = first.get(f"action.{t}", "reload" if why != "unchanged" else "unchanged")
        if action == "unchanged":
            left += 1
        elif action == "delta":
            parts.append(f"{t} (delta: {int(float(first.get('inserted.' + t, 0))):,} inserted, "
                         f"{int(float(first.get('deleted.' + t, 0))):,} deleted)")
        else:
            parts.append(f"{t} (reloaded: {why})")
    names = "; ".join(parts) if len(parts) <= 5 else f"{len(parts)} tables"
    if s != "seed":
        print(f"  {LABEL[s]}: {names or 'none'}; {left} left alone")

fp = next((s for s in ("rewritten", "unchanged") if s in scenarios), scenarios[0] if scenarios else None)
if fp:
    tables = sorted({k.split(".")[1] for v in ok(fp) for k in v if k.startswith("fingerprint.")},
                    key=lambda t: -(med(fp, f"fingerprint.{t}.source_s") or 0))
    print(f"\nfingerprint per table, median seconds over the '{fp}' runs (source and target in parallel)")
    print(f"{'table':<34} {'source':>9} {'target':>9}")
    tot_s = tot_t = 0.0
    for t in tables:
        s_, t_ = med(fp, f"fingerprint.{t}.source_s") or 0, med(fp, f"fingerprint.{t}.target_s") or 0
        tot_s += s_
        tot_t += t_
        print(f"{t:<34} {s_:>9.3f} {t_:>9.3f}")
    print(f"{'all 17':<34} {tot_s:>9.3f} {tot_t:>9.3f}")
    v = med(fp, "phase.validating_s")
    if v:
        print(f"validating took {v:.2f} s in '{fp}', of which fingerprinting ≈ {max(tot_s, tot_t):.2f} s (the slower side)")
