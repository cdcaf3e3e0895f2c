#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests (test/e2e). Playwright drives it via
# executable_path; it never downloads its own browsers. Idempotent: does nothing when Chromium is there.
#   PRIVSYN_CHROMIUM_NO_INSTALL=1  fail instead of apt-get installing (needs root)
set -euo pipefail
CHROMIUM=${PRIVSYN_CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
die() { echo "chromium.sh: $*" >&2; exit 1; }
[ "${PRIVSYN_CHROMIUM_NO_INSTALL:-0}" = 1 ] && die "$CHROMIUM is missing (apt-get install chromium)"
[ "$(id -u)" = 0 ] || die "$CHROMIUM is missing and installing it needs root: sudo apt-get install chromium"
log=${TMPDIR:-/tmp}/privsyn-chromium-apt.log
echo "chromium.sh: apt-get install chromium (log: $log)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >"$log" 2>&1 \
  || { apt-get update -q >>"$log" 2>&1 && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core \
       >>"$log" 2>&1; } || die "apt-get failed; see $log"
[ -x "$CHROMIUM" ] || die "apt-get installed chromium but $CHROMIUM is still missing"
