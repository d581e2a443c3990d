#!/usr/bin/env python3
"""Archon reading the target while a sync runs (issue 22): every 100 ms a primary-key lookup of a crawled page
and Archon's search match_archon_crawled_pages (or, where the schema lacks the function, its query: the 5
nearest pages by cosine distance), as service_role, in one psql session, until SIGTERM.

  reader_loop.py PORT DB OUT_TSV          (PGPASSWORD in the environment; PG_BIN or PG15_BIN for psql)

On SIGTERM it ends the session and writes to OUT_TSV: reader_queries, reader_worst_wait_s (the longest any
one statement took: one that waits for a lock reports the whole wait), reader_p50_s.
A statement queued behind a blocked one is not counted as waiting: the blocked one shows the wait.
"""
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time

port, db, out = sys.argv[1:4]
psql = os.path.join(os.environ.get("PG_BIN") or os.environ.get("PG15_BIN") or "/usr/lib/postgresql/15/bin", "psql")
base = [psql, "-X", "-q", "-At", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", db]
max_id = int(subprocess.run(base + ["-c", "SELECT coalesce(max(id), 1) FROM archon_crawled_pages"], capture_output=True,
                            text=True, check=True).stdout.strip())
# the query vector: one page's embedding, read once (a constant in every search)
vec = subprocess.run(base + ["-c", "SELECT embedding_1536::text FROM archon_crawled_pages WHERE embedding_1536 IS NOT NULL LIMIT 1"],
                     capture_output=True, text=True, check=True).stdout.strip()
# the vector type by the name this database gives it (pgvector may live in `extensions`, off the search_path)
vtype = subprocess.run(base + ["-c", "SELECT format_type(atttypid, NULL) FROM pg_attribute "
                               "WHERE attrelid = 'archon_crawled_pages'::regclass AND attname = 'embedding_1536'"],
                       capture_output=True, text=True, check=True).stdout.strip()
has_search = subprocess.run(base + ["-c", "SELECT count(*) FROM pg_proc WHERE proname = 'match_archon_crawled_pages'"],
                            capture_output=True, text=True, check=True).stdout.strip() != "0"
schema = vtype.rpartition(".")[0]
op = f"OPERATOR({schema}.<=>)" if schema else "<=>"
# Archon's search function where the schema has it (the benchmark fixture has tables only): else its query,
# the cosine-distance ORDER BY the ivfflat index serves
search = ("SELECT 1;" if not vec else
          f"SELECT count(*) FROM match_archon_crawled_pages('{vec}'::{vtype}, 5);" if has_search else
          f"SELECT count(*) FROM (SELECT id FROM archon_crawled_pages WHERE embedding_1536 IS NOT NULL "
          f"ORDER BY embedding_1536 {op} '{vec}'::{vtype} LIMIT 5) s;")
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
log = open(out + ".log", "w")
p = subprocess.Popen(base, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, text=True)
p.stdin.write("\\timing on\nSET ROLE service_role;\n")
while not stop:
    p.stdin.write(f"SELECT id FROM archon_crawled_pages WHERE id = {random.randint(1, max_id)};\n{search}\n")
    p.stdin.flush()
    time.sleep(0.1)
p.stdin.close()
p.wait(timeout=600)
log.close()
text = open(out + ".log").read()
times = [float(m.group(1)) / 1000 for m in re.finditer(r"^Time: ([0-9.]+) ms", text, re.M)]
with open(out, "w") as f:
    # a reader that errs measures nothing: its errors are counted (and the run's log kept beside OUT_TSV)
    f.write(f"reader_queries\t{len(times)}\nreader_errors\t{len(re.findall(r'^ERROR:', text, re.M))}\n")
    if times:
        f.write(f"reader_worst_wait_s\t{max(times):.3f}\nreader_p50_s\t{statistics.median(times):.4f}\n")
