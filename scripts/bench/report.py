#!/usr/bin/env python3
"""Summarises work/bench/results.tsv (+ meta.tsv) written by scripts/bench.sh.

  report.py WORK_BENCH_DIR

Medians (min–max) over the runs whose status is ok; FAILED runs are counted, never timed.
"""
import collections
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Results, fmt  # noqa: E402

d = sys.argv[1] if len(sys.argv) > 1 else "work/bench"
res = Results(d, unordered=("limit",))
meta, runs, order = res.meta, res.runs, res.order

METHODS = ["seed", "rawpipe", "handwritten", "service"]
LABEL = {"seed": "seed (pg_dump text file → psql -f → REINDEX ivfflat)",
         "rawpipe": "raw binary pipe (1 tx, all indexes kept)",
         "handwritten": "handwritten (1 tx, drop/recreate indexes)",
         "service": "service (POST → final status)"}
methods = [m for m in METHODS if any(k[1] == m for k in runs)]
ok_runs, vals, med, mmr = res.ok, res.vals, res.med, res.mmr


def ratio(a, b, p=2):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.{p}f}"


def table(headers, rows, align=None):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    align = align or ["<"] + [">"] * (len(headers) - 1)
    line = lambda cells: "| " + " | ".join(f"{str(c):{a}{w}}" for c, a, w in zip(cells, align, widths)) + " |"
    print(line(headers))
    print("|" + "|".join(("-" * (w + 1) + ":" if a == ">" else "-" * (w + 2)) for a, w in zip(align, widths)) + "|")
    for r in rows:
        print(line(r))


rows_total = int(meta.get("total_rows", 0))
bin_bytes = int(meta.get("bin_bytes", 0))
n_total = collections.Counter(m for (_, m) in runs)
print(f"== archon-db-sync benchmark: scale {meta.get('scale')} (target before: scale {meta.get('tgt_scale')}), "
      f"{meta.get('reps')} reps, order rotated: " +
      "; ".join(f"r{r}: " + ",".join(order[r][p] for p in sorted(order[r])) for r in sorted(order)))
print(f"   {meta.get('cpu')}; PostgreSQL {meta.get('server')}; {meta.get('settings')}")
if meta.get("service_build"):
    print(f"   service measured: {meta['service_build']}")
print(f"   17 tables, {rows_total:,} rows, binary COPY payload {bin_bytes / 1e6:,.1f} MB (MB = 10^6 B)")
print()

seed_wall = med("seed", "wall_s")
hw_wall = med("handwritten", "wall_s")
svc_wall = med("service", "wall_s")
print("Wall time per method (median (min–max) over the runs that passed the checksum)")
rows = []
for m in methods:
    w = med(m, "wall_s")
    rows.append([LABEL[m], f"{len(ok_runs(m))}/{n_total[m]}", mmr(m, "wall_s"),
                 fmt(bin_bytes / 1e6 / w, 1) if w else "–", f"{rows_total / w:,.0f}" if w else "–",
                 ratio(w, seed_wall), ratio(w, hw_wall)])
table(["method", "ok/runs", "wall s", "MB/s", "rows/s", "× seed", "× handwritten"], rows)
print()

print("Parts (median (min–max) s)")
parts = {"seed": [("export (pg_dump → file)", "export_s"), ("import (TRUNCATE; psql -f)", "import_s"),
                  ("REINDEX ivfflat", "reindex_s")],
         "rawpipe": [("prep (source sequences)", "prep_s"), ("connect+BEGIN+TRUNCATE", "truncate_s"),
                     ("17 COPY pipes + setval", "copy_s"), ("COMMIT", "commit_s"),
                     ("= data part (prep..setval)", "data_s")],
         "handwritten": [("prep (sequences, index defs)", "prep_s"), ("connect+TRUNCATE+DROP INDEX", "truncate_s"),
                         ("17 COPY pipes + setval", "copy_s"), ("CREATE INDEX ×n", "index_s"), ("COMMIT", "commit_s"),
                         ("= data part (prep..setval)", "data_s")],
         "service": [("phase " + p, f"phase.{p}_s") for p in
                     ["validating", "backing_up", "exporting", "importing", "indexing", "verifying"]] +
                    [("service elapsed_seconds", "elapsed_s")]}
rows = []
for m in methods:
    for label, key in parts[m]:
        if vals(m, key):
            rows.append([m, label, mmr(m, key, 3)])
table(["method", "part", "seconds"], rows, ["<", "<", ">"])
print()

if "service" in methods:
    imp = med("service", "phase.importing_s")
    print("Ratios (medians)")
    rows = [
        ["service importing phase / raw pipe wall (pipe keeps every index)", ratio(imp, med("rawpipe", "wall_s"))],
        ["service importing phase / handwritten data part (TRUNCATE+DROP+COPY+setval)", ratio(imp, med("handwritten", "data_s"))],
        ["service importing phase / raw pipe data part", ratio(imp, med("rawpipe", "data_s"))],
        ["service indexing phase / handwritten CREATE INDEX part", ratio(med("service", "phase.indexing_s"), med("handwritten", "index_s"))],
        ["service end-to-end / seed way", ratio(svc_wall, seed_wall)],
        ["service end-to-end / handwritten run", ratio(svc_wall, hw_wall)],
        ["service end-to-end / raw pipe", ratio(svc_wall, med("rawpipe", "wall_s"))],
    ]
    # paired per repetition (same rep = same box conditions)
    paired = []
    for r in sorted(order):
        s, h = runs.get((r, "service"), {}), runs.get((r, "handwritten"), {})
        if s.get("status") == "ok" and h.get("status") == "ok":
            paired.append(float(s["wall_s"]) / float(h["wall_s"]))
    if paired:
        rows.append(["service / handwritten, paired per rep: " + ", ".join(f"{x:.2f}" for x in paired), fmt(statistics.median(paired))])
    table(["ratio", "value"], rows)
    print()

    if hw_wall is not None:
        # The handwritten run is the same load with no preflight, no progress and no verification: the
        # service's extra time per part is what those cost (there are no switches to turn them off).
        print("What preflight, progress and verification cost: service minus the handwritten run (medians, s)")
        parts_cost = [
            ("validating (preflight: no counterpart)", med("service", "phase.validating_s"), 0.0),
            ("importing vs data part (rows counted on the stream, 5 progress events/s)", imp, med("handwritten", "data_s")),
            ("indexing vs CREATE INDEX part (index progress monitor)", med("service", "phase.indexing_s"), med("handwritten", "index_s")),
            ("verifying (counts, FK anti-joins, indexes, sequences, COMMIT, recount) vs COMMIT",
             med("service", "phase.verifying_s"), med("handwritten", "commit_s")),
            ("end to end", svc_wall, hw_wall),
        ]
        rows = [[label, fmt(a, 3), fmt(b, 3), "–" if a is None or b is None else f"{a - b:+.3f}",
                 "–" if a is None or b is None or not hw_wall else f"{100 * (a - b) / hw_wall:+.1f}%"]
                for label, a, b in parts_cost]
        table(["part", "service", "handwritten", "difference", "of handwritten wall"], rows, ["<", ">", ">", ">", ">"])
        print()

    el = med("service", "elapsed_s")
    print("Service: where the time goes (phase_seconds, median over reps)")
    rows = []
    for p in ["validating", "backing_up", "exporting", "importing", "indexing", "verifying"]:
        x = med("service", f"phase.{p}_s")
        if x is not None:
            rows.append([p, mmr("service", f"phase.{p}_s", 3), f"{100 * x / el:.1f}%" if el else "–"])
    gaps = [float(v["elapsed_s"]) - sum(float(x) for k, x in v.items() if k.startswith("phase."))
            for v in ok_runs("service") if "elapsed_s" in v]
    if gaps:
        g = statistics.median(gaps)
        rows.append(["(elapsed − sum of phases, per run)", fmt(g, 3), f"{100 * g / el:.1f}%" if el else "–"])
    rows.append(["(wall POST→final − elapsed)", fmt((svc_wall or 0) - (el or 0), 3), ""])
    rows.append(["  of which POST → job created", mmr("service", "start_lag_s", 3), ""])
    rows.append(["(POST round trip, incl. synchronous validation)", mmr("service", "post_s", 3), ""])
    table(["phase", "seconds", "% of elapsed"], rows)
    print()

    tnames = sorted({k[6:-2] for v in ok_runs("service") for k in v if k.startswith("table.") and k.endswith("_s")},
                    key=lambda t: -(med("service", f"table.{t}_s") or 0))
    print(f"Service: per-table copy, top 5 of {len(tnames)} (median s; importing phase {fmt(imp, 3)} s)")
    rows = []
    for t in tnames[:5]:
        s = med("service", f"table.{t}_s")
        b = med("service", f"table.{t}_bytes")
        rows.append([t, f"{int(med('service', f'table.{t}_rows') or 0):,}", fmt((b or 0) / 1e6, 1), mmr("service", f"table.{t}_s", 3),
                     fmt((b or 0) / 1e6 / s, 1) if s else "–", ok_runs("service")[0].get(f"table.{t}_format", "")])
    rest = sum(med("service", f"table.{t}_s") or 0 for t in tnames[5:])
    rows.append([f"(other {max(0, len(tnames) - 5)} tables)", "", "", fmt(rest, 3), "", ""])
    rows.append(["(sum of tables)", "", "", fmt(sum(med("service", f"table.{t}_s") or 0 for t in tnames), 3), "", ""])
    table(["table", "rows", "MB", "seconds", "MB/s", "format"], rows)
    print()

    inames = sorted({k[6:-2] for v in ok_runs("service") for k in v if k.startswith("index.") and k.endswith("_s")},
                    key=lambda t: -(med("service", f"index.{t}_s") or 0))
    print(f"Service: per-index rebuild, top 8 of {len(inames)} (median s), next to the same CREATE INDEX in the "
          f"handwritten run and the seed way's REINDEX")
    rows = []
    for i in inames[:8]:
        rows.append([i, ok_runs("service")[0].get(f"index.{i}_method", ""), mmr("service", f"index.{i}_s", 3),
                     mmr("handwritten", f"index.{i}_s", 3), mmr("seed", f"reindex.{i}_s", 3)])
    svc_sum = sum(med("service", f"index.{i}_s") or 0 for i in inames)
    hw_sum = sum(med("handwritten", f"index.{i}_s") or 0 for i in inames)
    rows.append([f"(sum of all {len(inames)})", "", fmt(svc_sum, 3), fmt(hw_sum, 3), fmt(med("seed", "reindex_s"), 3)])
    rows.append(["(indexing phase / CREATE part)", "", fmt(med("service", "phase.indexing_s"), 3), fmt(med("handwritten", "index_s"), 3), ""])
    table(["index", "method", "service s", "handwritten s", "seed REINDEX s"], rows)
    by_method = collections.defaultdict(float)
    for i in inames:
        by_method[ok_runs("service")[0].get(f"index.{i}_method", "?")] += med("service", f"index.{i}_s") or 0
    print("   by access method: " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(by_method.items(), key=lambda kv: -kv[1])))
    print()

    kb = lambda k: med("service", k)
    mb = lambda x: "–" if x is None else f"{x / 1024:.0f} MB"
    print(f"Service RSS (VmRSS, median over reps): idle before the first sync {mb(float(meta['service_rss_idle_kb']) if meta.get('service_rss_idle_kb') else None)}, "
          f"at start {mb(kb('rss_start_kb'))}; at ≥10% {mb(kb('rss_p10_kb'))}, ≥50% {mb(kb('rss_p50_kb'))}, "
          f"100% {mb(kb('rss_p100_kb'))}; peak during the sync (VmHWM) {mb(kb('rss_hwm_kb'))}")
    bt = med("service", "bytes_transferred")
    dump = med("seed", "dump_bytes")
    print(f"Bytes: service bytes_transferred (binary) {fmt((bt or 0) / 1e6, 1)} MB; seed text dump file "
          f"{fmt((dump or 0) / 1e6, 1)} MB; text/binary = {ratio(dump, bt)}; "
          f"(binary payload measured with psql: {bin_bytes / 1e6:,.1f} MB)")
    print()

if "limit" in n_total:
    L = lambda k: med("limit", f"limit.{k}_s")
    print("Physical limits, archon_crawled_pages only (server-side binary COPY to/from a file, no client; 3 runs, median (min–max) s)")
    svc_cp = med("service", "table.archon_crawled_pages_s")
    rows = [["source: COPY … TO file (FORMAT binary)", mmr("limit", "limit.src_copy_to_file_s", 3), ""],
            ["target: COPY … FROM file, non-constraint indexes dropped (sync's shape)", mmr("limit", "limit.tgt_copy_from_file_idx_dropped_s", 3),
             f"service's copy of this table: {fmt(svc_cp, 3)} s = {ratio(svc_cp, L('tgt_copy_from_file_idx_dropped'))}×"],
            ["target: COPY … FROM file, every index kept", mmr("limit", "limit.tgt_copy_from_file_idx_kept_s", 3),
             f"raw pipe's 17 COPYs: {fmt(med('rawpipe', 'copy_s'), 3)} s = {ratio(med('rawpipe', 'copy_s'), L('tgt_copy_from_file_idx_kept'))}×"],
            ["to_tsvector('english', content) over the table (the generated column)", mmr("limit", "limit.tsvector_s", 3),
             f"{ratio(L('tsvector'), L('tgt_copy_from_file_idx_dropped'))} of the dropped-index load"]]
    table(["component", "seconds", "compare"], rows, ["<", ">", "<"])
    print()

runs = {k: v for k, v in runs.items() if k[1] != "limit"}
failed = [(r, m) for (r, m), v in runs.items() if v.get("status") != "ok"]
if failed:
    print("FAILED runs (not timed): " + ", ".join(f"rep {r} {m}" for r, m in failed))
noisy = [(r, m, v.get("cpu_foreign_pct"), v.get("busy_before_pct")) for (r, m), v in runs.items()
         if int(v.get("cpu_foreign_pct", 0)) > 10]
fg = [int(v.get("cpu_foreign_pct", 0)) for v in runs.values()]
print(f"CPU used by other processes during the kept runs (% of the 2-core box): median {statistics.median(fg) if fg else 0}, "
      f"max {max(fg) if fg else 0}" + ("; above 10%: " + ", ".join(f"rep {r} {m} {f}%" for r, m, f, b in noisy) if noisy else ""))
disc = collections.Counter()
try:
    with open(f"{d}/results-discarded.tsv") as f:
        next(f)
        for line in f:
            rep, pos, method, key, value = line.rstrip("\n").split("\t")
            if key == "cpu_foreign_pct":
                disc[(rep, method, value)] += 1
except (OSError, StopIteration):
    pass
if disc:
    print("Discarded and re-run because other processes were busy: " +
          ", ".join(f"rep {r} {m} ({v}% others)" for (r, m, v) in disc))
