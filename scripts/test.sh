#!/usr/bin/env bash
# The whole test suite, set-up included: installs PostgreSQL 15 + pgvector if missing, then runs
# every test (they start their own PostgreSQL clusters under target/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
bash scripts/install-deps.sh
./mvnw -B verify "$@"
