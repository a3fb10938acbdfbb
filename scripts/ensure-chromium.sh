#!/usr/bin/env bash
# Make sure Debian's chromium is installed at /usr/bin/chromium: the console's browser test drives it with
# Playwright's Python API (Playwright's own browser download is not reachable from CI machines). Idempotent.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
echo "chromium not found; installing Debian's chromium with apt-get"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends chromium; }
