"""What the benchmark reports share (scripts/bench/report.py, scripts/bench/incremental_report.py): reading a
run directory's meta.tsv and results.tsv (rep, pos, name, key, value), and medians over the ok runs.

  from benchlib import Results, fmt
  r = Results("work/bench")      # r.meta, r.runs[(rep, name)] = {key: value}, r.order[rep][pos] = name
  r.med("service", "wall_s"); r.mmr("service", "wall_s")     # median; "median (min–max)"
"""
import collections
import statistics


def fmt(x, p=2):
    return "–" if x is None else f"{x:.{p}f}"


class Results:
    def __init__(self, d, unordered=()):
        self.meta = {}
        for line in open(f"{d}/meta.tsv"):
            k, _, v = line.rstrip("\n").partition("\t")
            self.meta[k] = v
        self.runs = collections.OrderedDict()       # (rep, name) -> {key: value}
        self.order = collections.defaultdict(dict)  # rep -> pos -> name (names in `unordered` left out)
        with open(f"{d}/results.tsv") as f:
            next(f)
            for line in f:
                rep, pos, name, key, value = line.rstrip("\n").split("\t")
                self.runs.setdefault((int(rep), name), {})[key] = value
                if name not in unordered:
                    self.order[int(rep)][int(pos)] = name

    def names(self):
        return {k[1] for k in self.runs}

    def ok(self, name):
        return [v for (r, n), v in self.runs.items() if n == name and v.get("status") == "ok"]

    def vals(self, name, key):
        out = []
        for v in self.ok(name):
            try:
                out.append(float(v[key]))
            except (KeyError, ValueError):
                pass
        return out

    def med(self, name, key):
        x = self.vals(name, key)
        return statistics.median(x) if x else None

    def mmr(self, name, key, p=2):
        x = self.vals(name, key)
        if not x:
            return "–"
        if len(x) == 1:
            return fmt(x[0], p)
        return f"{fmt(statistics.median(x), p)} ({fmt(min(x), p)}–{fmt(max(x), p)})"
