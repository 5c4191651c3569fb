#!/usr/bin/env bash
# A browser for the Playwright tests: Debian's Chromium where we can install it (root + apt),
# otherwise Playwright's own Chromium build.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "browser: /usr/bin/chromium ($(/usr/bin/chromium --version 2>/dev/null || true))"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser: installing Debian's chromium with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "browser: no Debian chromium; installing Playwright's Chromium"
.venv/bin/playwright install chromium
