#!/usr/bin/env bash
# Prints a content checksum of a database's archon_* tables and public sequences, one line each:
#   table <name> <rowcount>:<md5>      sequence <name> <last_value>:<is_called>
# Usage: scripts/db-checksum.sh postgresql://user:password@host:port/db[?params]
# Two databases hold the same rows (in any order) exactly when their outputs are equal.
# The password is taken out of the URI and handed to psql through PGPASSWORD only, never
# on a command line. psql: $PG_BIN/psql, else PostgreSQL 15's, else the one on PATH.
set -euo pipefail
url=${1:-}
[[ "$url" =~ ^postgres(ql)?:// ]] || { echo "usage: $0 postgresql://user:password@host:port/db" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
psql=psql
for b in "${PG_BIN:-}" /usr/lib/postgresql/15/bin; do
  if [ -n "$b" ] && [ -x "$b/psql" ]; then psql="$b/psql"; break; fi
done

scheme=${url%%://*}; rest=${url#*://}
authority=${rest%%[/?]*}; tail=${rest:${#authority}}
if [[ "$authority" == *@* ]]; then
  userinfo=${authority%@*}; hostport=${authority##*@}
  if [[ "$userinfo" == *:* ]]; then
    pw=${userinfo#*:}; userinfo=${userinfo%%:*}
    # percent-decode (%40 -> @ ...)
    PGPASSWORD=$(printf '%b' "${pw//%/\\x}"); export PGPASSWORD
  fi
  url="$scheme://$userinfo@$hostport$tail"
fi

# The pinned settings fix the text form of rows (see fixture/checksum.sql); one snapshot.
{
  echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
  echo "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD';"
  echo "SET LOCAL extra_float_digits = 1; SET LOCAL IntervalStyle = 'postgres'; SET LOCAL row_security = off;"
  # each row of checksum.sql names a checksum query; \gexec runs them, one output line each
  echo "SELECT format('SELECT %L || '' '' || %L || '' '' || (%s)', kind, name, query) FROM ("
  cat "$here/fixture/checksum.sql"
  echo ") q ORDER BY kind COLLATE \"C\", name COLLATE \"C\" \\gexec"
  echo "COMMIT;"
} | "$psql" "$url" -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -f -
