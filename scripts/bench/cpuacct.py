#!/usr/bin/env python3
"""CPU accounting for scripts/bench.sh: who used the CPU during a run, we or someone else?

  cpuacct.py PID...   prints "<all jiffies> <busy jiffies> <our jiffies>"

all/busy come from the first line of /proc/stat (busy = all − idle − iowait). "Ours" is the CPU time
of the given processes and of every live descendant (utime + stime), plus what their reaped children
used (cutime + cstime): PostgreSQL's postmaster reaps its backends, bash reaps psql/pg_dump, so a
run's finished processes are counted there. The difference of two snapshots, busy − ours, is the CPU
that other processes on the box used during the run.
"""
import os
import sys


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] = state (field 3); ppid = field 4; utime..cstime = fields 14..17
    return int(rest[1]), sum(int(x) for x in rest[11:15])


def main():
    roots = {int(p) for p in sys.argv[1:] if p.isdigit()}
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = stat(d)
            if st:
                procs[int(d)] = st
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    ours, todo, seen = 0, list(roots), set()
    while todo:
        p = todo.pop()
        if p in seen or p not in procs:
            continue
        seen.add(p)
        ours += procs[p][1]
        todo.extend(children.get(p, []))
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    total = sum(v)
    busy = total - v[3] - v[4]
    print(total, busy, ours)


if __name__ == "__main__":
    main()
