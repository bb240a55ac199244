#!/usr/bin/env bash
# Browser tests: Debian's Chromium driven by playwright-core, axe-core in the page.
# Installs Chromium and the Node packages when they are missing. Expects the gpteam binary
# in $GPTEAM_BIN (default target/debug/gpteam). Screenshots go to target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/smtp-server ] \
  || [ ! -d tests/browser/node_modules/mailparser ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
export GPTEAM_BIN=${GPTEAM_BIN:-$PWD/target/debug/gpteam}
# Two files at a time (each starts its own server on its own port and database): 293 s
# against 393 s one at a time on a 2-core machine.
node --test --test-concurrency=2 tests/browser/
