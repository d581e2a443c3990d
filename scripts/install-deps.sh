#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian bookworm machine (as root).
# Idempotent: every step checks first and skips what is already there.
#   - PostgreSQL 15 server + client + postgresql-server-dev-15 (Debian bookworm)
#   - pgvector, built from Debian trixie's source package against PostgreSQL 15
#     (bookworm has no postgresql-15-pgvector binary package)
#   - chromium + chromium-driver, for the page's browser test
# PostgreSQL 17 (for the cross-version tests) is built by scripts/build-pg17.sh.
set -euo pipefail
. "$(dirname "$0")/lib/pg.sh"
log() { echo "[install-deps] $*"; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
PG15=/usr/lib/postgresql/15

apt_updated=""
apt_update_once() { [ -n "$apt_updated" ] || { $SUDO apt-get update -qq; apt_updated=1; }; }

need=()
[ -x "$PG15/bin/postgres" ] || need+=(postgresql-15)
[ -x "$PG15/bin/pg_dump" ] || need+=(postgresql-client-15)
[ -x "$PG15/bin/pg_config" ] && [ -f /usr/include/postgresql/15/server/postgres.h ] || need+=(postgresql-server-dev-15)
command -v make >/dev/null && command -v gcc >/dev/null || need+=(build-essential)
command -v runuser >/dev/null || need+=(util-linux)
command -v curl >/dev/null || need+=(curl ca-certificates)
command -v python3 >/dev/null || need+=(python3)   # the CLI script reads JSON with it
# the browser test of the Database Sync page: Debian's Chromium and its driver (no downloads at test time)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
# its theme test checks colour contrast with axe-core, an npm package pinned in src/test/browser/package-lock.json
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt_update_once
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

browser_tests="$(cd "$(dirname "$0")/.." && pwd)/src/test/browser"
if [ -f "$browser_tests/node_modules/axe-core/axe.min.js" ]; then
  log "axe-core already installed for the page's browser tests"
else
  log "installing axe-core for the page's browser tests (npm ci, from package-lock.json)"
  (cd "$browser_tests" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
fi

if [ -f "$PG15/lib/vector.so" ] && [ -f /usr/share/postgresql/15/extension/vector.control ]; then
  log "pgvector already installed for PostgreSQL 15"
else
  log "building pgvector from Debian trixie's source package"
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  # trixie's sources through a private apt configuration: the system's sources stay as they are
  apt_trixie_sources "$work"
  $SUDO apt-get "${APT_TRIXIE[@]}" update -qq
  (cd "$work" && apt-get "${APT_TRIXIE[@]}" source --download-only pgvector >/dev/null)
  tar -C "$work" -xzf "$work"/pgvector_*.orig.tar.gz
  pgvector_build "$(ls -d "$work"/pgvector-*/ | head -1)" "$PG15/bin/pg_config" "$SUDO"
  log "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" /usr/share/postgresql/15/extension/vector.control) installed"
fi
"$PG15/bin/postgres" --version
