#!/usr/bin/env bash
# Crash safety: `gpteam bench soak` on SQLite and then on PostgreSQL. Each starts
# `gpteam serve` on a fresh database holding the demo PCN, runs concurrent writes through
# the API (staff imports, new staff, leave, wellbeing check-ins, rota requests and
# publications) and kill -9s the server KILLS times, checking after every kill that the
# database passes its integrity check, that every acknowledged write is still there, and
# that no rota is left "running" for the dead server.
#
#   scripts/soak.sh [KILLS]      KILLS defaults to 100 (scripts/test.sh runs 5)
#
# GPTEAM_BIN names the binary (default: a release build, made if needed). PostgreSQL:
# $GPTEAM_TEST_POSTGRES_URL, else a server on 127.0.0.1:5432 (user postgres, trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
bin=${GPTEAM_BIN:-}
if [ -z "$bin" ]; then
  cargo build --locked --release -p gpteam --features bench
  bin="$PWD/target/release/gpteam"
fi
pg=${GPTEAM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

echo "== soak: SQLite, $kills kills"
"$bin" bench soak --kills "$kills"
echo "== soak: PostgreSQL ($pg), $kills kills"
"$bin" bench soak --kills "$kills" --postgres "$pg"
