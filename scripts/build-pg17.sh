#!/usr/bin/env bash
# Builds PostgreSQL 17 (server + client tools + contrib pg_trgm and pgcrypto) and pgvector
# from Debian trixie's source packages on Debian bookworm, into PREFIX. Run as root
# (apt-get). Used for the cross-version tests (a 17 "local" against a 15 "remote").
#
#   bash scripts/build-pg17.sh [PREFIX]        PREFIX defaults to /opt/archon-pg17
#
# Idempotent: when PREFIX holds a complete build (the marker file PREFIX/.archon-build-complete,
# written last, plus postgres 17, vector, pg_trgm and pgcrypto) it prints one line and exits 0.
# A fresh build takes about 3-5 minutes on 2 idle cores (7-13 min measured while other
# CPU-heavy work ran: it builds under nice).
#
# - Build deps come from bookworm (the system's apt sources); only missing ones are installed.
# - Sources come from trixie as deb-src only, through a private apt configuration in a
#   temporary directory: the system's apt sources are not touched, no trixie binary is installed.
# - If `apt-get source postgresql-17` fails (the mirror has been seen to 404 on the newest
#   17.x .dsc), it falls back to the 17.11 orig tarball, pinned by SHA256 (from its .dsc).
# - Everything is built in a temporary directory that is always removed. The prefix is
#   compiled into the binaries, so the build installs into PREFIX itself and writes the
#   marker last: an interrupted run leaves no marker, and the next run rebuilds.
# Env: JOBS (default nproc), NICE_LEVEL (default 19).
set -euo pipefail
umask 022
. "$(dirname "$0")/lib/pg.sh"

PREFIX=${1:-/opt/archon-pg17}
case "$PREFIX" in /*) ;; *) PREFIX=$(pwd)/$PREFIX ;; esac
PREFIX=${PREFIX%/}
[ -n "$PREFIX" ] && [ "$PREFIX" != / ] || { echo "[build-pg17] refusing PREFIX '/'" >&2; exit 2; }
MARKER=$PREFIX/.archon-build-complete
STARTED=$PREFIX/.archon-build-started

log() { echo "[build-pg17] $*"; }
die() { echo "[build-pg17] ERROR: $*" >&2; exit 1; }

# --- 0. already built? (fast: no apt, no network) --------------------------------------
complete() {
  [ -f "$MARKER" ] || return 1
  local v pkglib share
  v=$("$PREFIX/bin/postgres" --version 2>/dev/null) || return 1
  [[ $v =~ \(PostgreSQL\)\ 17(\.|$) ]] || return 1
  pkglib=$("$PREFIX/bin/pg_config" --pkglibdir 2>/dev/null) || return 1
  share=$("$PREFIX/bin/pg_config" --sharedir 2>/dev/null) || return 1
  local f
  for f in "$pkglib/vector.so" "$pkglib/pg_trgm.so" "$pkglib/pgcrypto.so" \
           "$share/extension/vector.control" "$share/extension/pg_trgm.control" \
           "$share/extension/pgcrypto.control" \
           "$PREFIX/bin/psql" "$PREFIX/bin/pg_dump" "$PREFIX/bin/pg_restore"; do
    [ -f "$f" ] || return 1
  done
  COMPLETE_VERSION=$v
}
if complete; then
  log "already built: $COMPLETE_VERSION in $PREFIX (vector, pg_trgm, pgcrypto present); skipping"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root (it installs build deps with apt-get)"

# One build at a time per parent directory of PREFIX (a lock on the directory itself, so
# nothing is left behind); re-check once we hold it.
mkdir -p "$(dirname "$PREFIX")"
exec 9<"$(dirname "$PREFIX")"
flock 9
if complete; then
  log "already built (by a concurrent run): $COMPLETE_VERSION in $PREFIX; skipping"
  exit 0
fi

# Only a prefix that is empty/absent or was left by this script may be (re)built over.
if [ -d "$PREFIX" ] && [ -n "$(ls -A "$PREFIX")" ] && [ ! -e "$MARKER" ] && [ ! -e "$STARTED" ]; then
  die "$PREFIX exists, is not empty and was not made by this script; remove it or pick another PREFIX"
fi

JOBS=${JOBS:-$(nproc)}
NICE=(nice -n "${NICE_LEVEL:-19}")
T0=$SECONDS
STEP="setup"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-pg17.XXXXXX")
chmod 755 "$WORK"
# apt downloads as the _apt user: give it the directory the sources land in
mkdir "$WORK/src" && { chown _apt "$WORK/src" 2>/dev/null || true; }
cleanup() {
  local rc=$?
  rm -rf "$WORK"
  if [ $rc -ne 0 ]; then
    echo "[build-pg17] FAILED (exit $rc) during: $STEP" >&2
    echo "[build-pg17] $PREFIX has no completion marker; the next run rebuilds it" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# step NAME CMD...: runs CMD, prints its wall time (to fd 3 = the script's stdout, so that
# a `>/dev/null` on the step's command line does not swallow it)
exec 3>&1
step() {
  local name=$1 s=$SECONDS rc=0; shift
  STEP=$name
  "$@" || rc=$?
  printf '[build-pg17] [time] %-34s %4d s%s\n' "$name" $((SECONDS - s)) \
    "$([ $rc -eq 0 ] || echo "  (FAILED, rc=$rc)")" >&3
  return $rc
}

log "building PostgreSQL 17 + pg_trgm + pgcrypto + pgvector into $PREFIX (-j$JOBS, nice)"

# --- 1. build deps from bookworm (only the missing ones) -------------------------------
export DEBIAN_FRONTEND=noninteractive
deps=(build-essential bison flex pkg-config bzip2 libreadline-dev zlib1g-dev libssl-dev
      libicu-dev liblz4-dev libzstd-dev)
missing=()
for p in "${deps[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
# (functions run by `step` sit in an `||` context where set -e is off: chain with &&)
install_deps() {
  apt-get update -qq &&
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
if [ ${#missing[@]} -gt 0 ]; then
  log "installing build deps: ${missing[*]}"
  step "apt-get install build deps" install_deps
else
  log "build deps already installed"
fi

# --- 2. sources from trixie (deb-src only, private apt config) ------------------------
mirror=$(debian_mirror)
apt_trixie_sources "$WORK"
o=("${APT_TRIXIE[@]}")
step "apt-get update (trixie deb-src)" apt-get "${o[@]}" update -qq \
  || die "could not read trixie's Sources index from $mirror"
cd "$WORK/src"

step "apt-get source pgvector" apt-get "${o[@]}" source --download-only -qq pgvector \
  || die "could not download trixie's pgvector source package from $mirror"

# Fallback pin: postgresql-17 17.11-0+deb13u1's orig tarball (SHA256 from its .dsc).
PG_FALLBACK_VERSION=17.11
PG_FALLBACK_SHA256=dd27f2b3c59e73ed14aa3324901242bf69a032a6347805f274e6260322d42979
pg_source=""
if step "apt-get source postgresql-17" apt-get "${o[@]}" source --download-only -qq postgresql-17 \
   && ls postgresql-17_*.orig.tar.bz2 >/dev/null 2>&1; then
  pg_source="trixie source package ($(ls postgresql-17_*.dsc | sed 's/^postgresql-17_//; s/\.dsc$//'))"
else
  log "apt-get source postgresql-17 failed; falling back to the pinned $PG_FALLBACK_VERSION orig tarball"
  rm -f postgresql-17_*
  f=postgresql-17_$PG_FALLBACK_VERSION.orig.tar.bz2
  if step "fetch pinned $PG_FALLBACK_VERSION orig" /usr/lib/apt/apt-helper -qq download-file \
       "$mirror/pool/main/p/postgresql-17/$f" "$WORK/src/$f" "SHA256:$PG_FALLBACK_SHA256"; then
    pg_source="pinned fallback $f (sha256 $PG_FALLBACK_SHA256)"
  else
    die "could not get PostgreSQL 17 sources: 'apt-get source postgresql-17' (trixie deb-src on
  $mirror) failed AND the pinned fallback $mirror/pool/main/p/postgresql-17/$f
  (sha256 $PG_FALLBACK_SHA256) failed to download or verify.
  The mirror may have dropped $PG_FALLBACK_VERSION: look for a postgresql-17_17.*-0+deb13u*.dsc that
  it still serves and update PG_FALLBACK_VERSION/PG_FALLBACK_SHA256 (the .dsc's Checksums-Sha256
  line for the .orig.tar.bz2) in this script."
  fi
fi
log "PostgreSQL source: $pg_source"
# plain upstream tarballs; Debian's patches are not needed here
step "unpack sources" "${NICE[@]}" bash -c 'tar --no-same-owner -xjf postgresql-17_*.orig.tar.bz2 && tar --no-same-owner -xzf pgvector_*.orig.tar.gz'
PGSRC=$(ls -d "$WORK"/src/postgresql-17.*/ | head -1)
VECSRC=$(ls -d "$WORK"/src/pgvector-*/ | head -1)
[ -n "$PGSRC" ] && [ -n "$VECSRC" ] || die "unexpected layout of the unpacked sources in $WORK"

# --- 3. PostgreSQL 17 core + contrib pg_trgm, pgcrypto ---------------------------------
CONTRIB=(pg_trgm pgcrypto)
cd "$PGSRC"
# --without-llvm: no JIT, keeps the build short. --with-openssl: needed by pgcrypto.
step "configure" "${NICE[@]}" ./configure -q --prefix="$PREFIX" --with-openssl --with-icu \
  --with-lz4 --with-zstd --without-llvm
step "make -j$JOBS (core)" "${NICE[@]}" make -s -j"$JOBS" >/dev/null
for m in "${CONTRIB[@]}"; do
  step "make contrib/$m" "${NICE[@]}" make -s -j"$JOBS" -C "contrib/$m" >/dev/null
done

# --- 4. install into the real PREFIX (the path is compiled in): first wipe what an ------
#        earlier run of this script left there, and mark the install as started
#        (the install takes seconds; the marker of completion comes last, in step 6)
install_all() {
  if [ -d "$PREFIX" ] && { [ -e "$MARKER" ] || [ -e "$STARTED" ]; }; then
    rm -f "$MARKER" || return 1
    find "$PREFIX" -mindepth 1 -maxdepth 1 ! -name .archon-build-started -exec rm -rf {} + || return 1
  fi
  mkdir -p "$PREFIX" && date -u +%FT%TZ > "$STARTED" || return 1
  make -s install >/dev/null || return 1
  local m
  for m in "${CONTRIB[@]}"; do make -s -C "contrib/$m" install >/dev/null || return 1; done
}
step "make install (core + contrib)" install_all

# --- 5. pgvector against it (scripts/lib/pg.sh: no -march=native, as Debian builds it) -
PGVECTOR_MAKE="${NICE[*]}" step "pgvector build + install" pgvector_build "$VECSRC" "$PREFIX/bin/pg_config"

# --- 6. marker last --------------------------------------------------------------------
STEP="final check"
vec_version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$("$PREFIX/bin/pg_config" --sharedir)/extension/vector.control")
{
  echo "version: $("$PREFIX/bin/postgres" --version)"
  echo "pgvector: $vec_version"
  echo "source: $pg_source"
  echo "built: $(date -u +%FT%TZ) by scripts/build-pg17.sh"
} > "$MARKER.tmp"
mv "$MARKER.tmp" "$MARKER"
rm -f "$STARTED"
complete || { rm -f "$MARKER"; die "the build finished but $PREFIX fails the completeness check"; }

log "done in $((SECONDS - T0)) s: $COMPLETE_VERSION, pgvector $vec_version, $(du -sh "$PREFIX" | cut -f1) in $PREFIX"
