#!/usr/bin/env bash
# The whole test suite, set-up included, on a fresh Debian bookworm machine (as root) or a dev box:
#   1. PostgreSQL 15 + pgvector (scripts/install-deps.sh), PostgreSQL 17 for the cross-version tests
#      (scripts/build-pg17.sh: built once into /opt/archon-pg17, minutes the first time, then skipped);
#   2. the service packaged, then every test in one run (they start their own PostgreSQL clusters under target/;
#      the fault matrix needs the package);
#   3. the native-image sources build, the part of a native build this machine can check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
bash scripts/install-deps.sh
bash scripts/build-pg17.sh
bash scripts/lint-deploy.sh
echo "== the packaged service (the fault matrix runs it as a process of its own)"
./mvnw -B package -DskipTests "$@"
echo "== every test, the fault matrix (tag 'faults': backends killed per phase, refusals, two instances) included"
./mvnw -B test -Pall "$@"
echo "== native sources (no native-image toolchain here; see README)"
./mvnw -B -q package -Dnative -DskipTests -Dquarkus.native.sources-only=true
test -s target/native-sources/native-image.args && echo "native sources: target/native-sources ($(cat target/native-sources/graalvm.version 2>/dev/null || echo '?'))"
