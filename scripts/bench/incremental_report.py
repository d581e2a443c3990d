#!/usr/bin/env python3
"""Summarises work/bench-incremental/results.tsv (+ meta.tsv) written by scripts/bench/incremental.sh.

  incremental_report.py DIR

Medians (min–max) over the runs whose status is ok (FAILED runs are counted, never timed), the ratio of
each scenario to the full sync against issue 14's targets, the phases, the tables each scenario reloaded
and why, and the fingerprint's cost per table on each side.
"""
import collections
import statistics
import sys

d = sys.argv[1] if len(sys.argv) > 1 else "work/bench-incremental"
meta = {}
for line in open(f"{d}/meta.tsv"):
    k, _, v = line.rstrip("\n").partition("\t")
    meta[k] = v
runs = collections.OrderedDict()  # (rep, scenario) -> {key: value}
with open(f"{d}/results.tsv") as f:
    next(f)
    for line in f:
        rep, pos, scenario, key, value = line.rstrip("\n").split("\t")
        runs.setdefault((int(rep), scenario), {})[key] = value

ORDER = ["unchanged", "few", "pages1pct", "full", "rewritten"]
LABEL = {"unchanged": "nothing changed", "few": "3 settings + 10 tasks changed",
         "pages1pct": "1% of crawled pages changed", "full": "full sync (\"full\": true)",
         "rewritten": "target rewritten, same rows (VACUUM FULL)"}
TARGET = {"unchanged": 0.10, "few": 0.20}
PHASES = ["validating", "backing_up", "exporting", "importing", "indexing", "verifying"]
scenarios = [s for s in ORDER if any(k[1] == s for k in runs)]


def ok(s):
    return [v for (r, ss), v in runs.items() if ss == s and v.get("status") == "ok"]


def vals(s, key):
    out = []
    for v in ok(s):
        try:
            out.append(float(v[key]))
        except (KeyError, ValueError):
            pass
    return out


def med(s, key):
    x = vals(s, key)
    return statistics.median(x) if x else None


def fmt(x, p=2):
    return "–" if x is None else f"{x:.{p}f}"


def mmr(s, key):
    x = vals(s, key)
    return "–" if not x else f"{statistics.median(x):.2f} ({min(x):.2f}–{max(x):.2f})"


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
print(f"{'scenario':<34} {'wall s, median (min–max)':>26} {'× full':>8}  target")
for s in scenarios:
    w = med(s, "wall_s")
    ratio = None if w is None or not full else w / full
    t = TARGET.get(s)
    verdict = "" if t is None or ratio is None else f"≤ {t:.2f}: {'met' if ratio <= t else 'NOT met'}"
    print(f"{LABEL[s]:<34} {mmr(s, 'wall_s'):>26} {fmt(ratio):>8}  {verdict}")

print("\nphases, median seconds (the service's report)")
print(f"{'scenario':<34} " + " ".join(f"{p[:10]:>10}" for p in PHASES))
for s in scenarios:
    print(f"{LABEL[s]:<34} " + " ".join(f"{fmt(med(s, 'phase.' + p + '_s')):>10}" for p in PHASES))

print("\ntables reloaded (why), from the runs' decisions")
for s in scenarios:
    first = ok(s)[0] if ok(s) else {}
    reloaded = [(k[len("decision."):], v) for k, v in first.items() if k.startswith("decision.") and v != "unchanged"]
    left = sum(1 for k, v in first.items() if k.startswith("decision.") and v == "unchanged")
    names = ", ".join(f"{t} ({w})" for t, w in reloaded) if len(reloaded) <= 5 else f"{len(reloaded)} tables"
    print(f"  {LABEL[s]}: {names or 'none'}; {left} left alone")

# the fingerprint's cost per table: both sides run at the same time, each on its own server
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
