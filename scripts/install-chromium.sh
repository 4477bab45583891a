#!/usr/bin/env bash
# Make Debian's chromium available for the browser tests of the HTML report (tests/e2e/test_report_browser.py).
#
# Usage: scripts/install-chromium.sh      (`make test` runs it before pytest)
#
# 1. If chromium is already installed (SPECGEN_CHROMIUM, else /usr/bin/chromium), print its path.
# 2. Otherwise, as root or with passwordless sudo: `apt-get install -y chromium` (after
#    `apt-get update` when the package is unknown), from the Debian registry only.
# 3. Otherwise print why it cannot, and exit 0 anyway: `make test` goes on and the browser
#    tests skip with that reason (playwright's own browser download needs the network, so it is not used).
set -uo pipefail

target=${SPECGEN_CHROMIUM:-/usr/bin/chromium}
log() { echo "install-chromium: $*" >&2; }

if [[ -x "$target" ]]; then
    echo "$target"
    exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    log "chromium is not installed and this user cannot install it (not root, no passwordless sudo);"
    log "the browser tests will be skipped. Install it with: sudo apt-get install -y chromium"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    log "no apt-get here (not Debian/Ubuntu): install chromium yourself; the browser tests will be skipped"
    exit 0
fi
install() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2; }
if ! install; then
    log "apt-get install failed; running apt-get update once and retrying"
    "${as_root[@]}" apt-get update >&2 && install || { log "cannot install chromium; the browser tests will be skipped"; exit 0; }
fi
if [[ -x "$target" ]]; then
    echo "$target"
else
    log "chromium was installed but $target is missing; set SPECGEN_CHROMIUM to its path"
fi
exit 0
