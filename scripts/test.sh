#!/usr/bin/env bash
# The whole test suite, as a new user runs it: formatting and lints, every Rust test on
# SQLite and on PostgreSQL, then the browser tests in headless Chromium.
#
# PostgreSQL: uses $GPTEAM_TEST_POSTGRES_URL when set, else a server on 127.0.0.1:5432
# (user postgres, trust auth), else starts a private one under target/pg (installing
# Debian's postgresql if needed). Chromium and the Node packages are installed by
# scripts/browser-tests.sh when missing, schemathesis by scripts/api-fuzz.sh, cargo-deny here.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

log() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }

find_postgres() {
  if [ -n "${GPTEAM_TEST_POSTGRES_URL:-}" ]; then return 0; fi
  if command -v psql >/dev/null && psql "postgres://postgres@127.0.0.1:5432/postgres" -Atc 'select 1' >/dev/null 2>&1; then
    export GPTEAM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
    return 0
  fi
  log "No PostgreSQL on 127.0.0.1:5432: starting a private server under target/pg"
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  local dir="$PWD/target/pg" port=55432
  mkdir -p "$dir"
  chown -R postgres "$dir" 2>/dev/null || true
  local as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null || true
  export GPTEAM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

log "Formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
python3 scripts/module-cycles.py
python3 scripts/long-functions.py app store web demo

find_postgres
log "Rust tests on SQLite and PostgreSQL ($GPTEAM_TEST_POSTGRES_URL)"
# With the `bench` feature, so the gpteam binary this builds (target/debug/gpteam, for the
# CLI tests) is also the one the soak, fuzz and browser runs below need: one build, not two.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast --features gpteam/bench
else
  cargo test --workspace --locked --no-fail-fast --features gpteam/bench
fi

log "Dependencies: known vulnerabilities, licences and sources (cargo deny)"
if ! cargo deny --version >/dev/null 2>&1; then cargo install --locked cargo-deny; fi
cargo deny --locked check licenses sources bans
mkdir -p target
if cargo deny --locked check advisories >target/deny-advisories.log 2>&1; then
  echo "advisories ok"
elif grep -q "failed to fetch advisory database" target/deny-advisories.log; then
  echo "WARNING: the RustSec advisory database could not be fetched (no network): advisories not checked"
else
  cat target/deny-advisories.log
  exit 1
fi

log "Crash safety: the server kill -9ed 5 times under writes, on SQLite and PostgreSQL"
GPTEAM_BIN="$PWD/target/debug/gpteam" scripts/soak.sh 5

log "API fuzzing: schemathesis as each role, on SQLite and PostgreSQL (short form)"
GPTEAM_BIN="$PWD/target/debug/gpteam" scripts/api-fuzz.sh

log "Browser tests (headless Chromium)"
GPTEAM_BIN="$PWD/target/debug/gpteam" scripts/browser-tests.sh
log "All passed"
