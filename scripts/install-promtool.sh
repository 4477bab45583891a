#!/usr/bin/env bash
# Make `promtool` available for tests using only the Debian package registry.
#
# Usage: scripts/install-promtool.sh [CACHE_DIR]   (default: .cache/promtool)
#
# 1. If promtool is already on PATH, print its path and exit 0.
# 2. If CACHE_DIR/promtool exists and runs, reuse it (idempotent).
# 3. Otherwise `apt-get download prometheus` (running `apt-get update` once if
#    the download fails), unpack the .deb with `dpkg -x` and copy
#    usr/bin/promtool into CACHE_DIR.  Nothing is installed system-wide.
#
# Progress goes to stderr; the last line of stdout is the binary's path.
set -euo pipefail

die() { echo "install-promtool: error: $*" >&2; exit 1; }
log() { echo "install-promtool: $*" >&2; }

if existing=$(command -v promtool 2>/dev/null); then
    echo "$existing"
    exit 0
fi

cache_dir=${1:-.cache/promtool}
mkdir -p "$cache_dir" || die "cannot create cache dir '$cache_dir'"
cache_dir=$(cd "$cache_dir" && pwd)
target="$cache_dir/promtool"

# Reuse a cached binary only if it actually runs (guards against a truncated copy).
if [[ -x "$target" ]] && "$target" --version >/dev/null 2>&1; then
    log "using cached $target"
    echo "$target"
    exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (needs a Debian-based system)"
command -v dpkg >/dev/null || die "dpkg not found"

work=$(mktemp -d)
trap 'rm -rf "$work" "$target.tmp.$$"' EXIT

# As root, apt's download sandbox user (_apt) cannot write into our 0700 temp
# dir; download as root instead of emitting a noisy warning.
apt_opts=(-q)
if [[ $EUID -eq 0 ]]; then
    apt_opts+=(-o APT::Sandbox::User=root)
fi

download() { (cd "$work" && apt-get "${apt_opts[@]}" download prometheus) >&2; }

log "downloading the Debian 'prometheus' package"
if ! download; then
    log "download failed; running apt-get update and retrying"
    apt-get "${apt_opts[@]}" update >&2 || die "apt-get update failed (are you root? is the Debian mirror reachable?)"
    download || die "apt-get download prometheus failed"
fi

shopt -s nullglob
debs=("$work"/prometheus_*.deb)
[[ ${#debs[@]} -eq 1 ]] || die "expected one prometheus .deb, found ${#debs[@]}"

dpkg -x "${debs[0]}" "$work/root" || die "dpkg -x failed on ${debs[0]}"
[[ -f "$work/root/usr/bin/promtool" ]] || die "usr/bin/promtool not found in ${debs[0]##*/}"

# Copy then rename so a concurrent or interrupted run never sees a partial binary.
cp "$work/root/usr/bin/promtool" "$target.tmp.$$"
chmod 0755 "$target.tmp.$$"
mv -f "$target.tmp.$$" "$target"

"$target" --version >/dev/null 2>&1 || die "installed $target but it does not run"
log "installed $("$target" --version 2>&1 | head -n1)"
echo "$target"
