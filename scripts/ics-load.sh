#!/usr/bin/env bash
# The ICS-scale load test (issue 21): a generated system of 1,000 practices on PostgreSQL,
# two `gpteam serve --reuse-port` processes on one port, and `gpteam bench load` against
# them. By hand, on a release build:
#   cargo build --release -p gpteam --features bench
#   GPTEAM_BIN=target/release/gpteam scripts/ics-load.sh [RATE] [SECONDS]
# Environment: GPTEAM_BIN (default target/release/gpteam), GPTEAM_ICS_DB (a PostgreSQL
# URL of a database this script may drop and create; default gpteam_ics on 127.0.0.1),
# GPTEAM_ICS_KEEP=1 to reuse a database already loaded, GPTEAM_ICS_PRACTICES (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-200}
seconds=${2:-30}
bin=${GPTEAM_BIN:-target/release/gpteam}
server=${GPTEAM_ICS_SERVER:-postgres://postgres@127.0.0.1:5432}
db=${GPTEAM_ICS_DB:-$server/gpteam_ics}
practices=${GPTEAM_ICS_PRACTICES:-1000}
port=${GPTEAM_ICS_PORT:-18080}
export GPTEAM_DEMO_PASSWORD=${GPTEAM_DEMO_PASSWORD:-ics-load-password-1}

if [[ "${GPTEAM_ICS_KEEP:-0}" != 1 ]]; then
  name=${db##*/}
  psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  echo "loading $practices practices into $name"
  /usr/bin/time -f "demo: %e s wall, %M KB peak" "$bin" demo --practices "$practices" --database-url "$db"
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in 1 2; do
  "$bin" serve --reuse-port --addr "127.0.0.1:$port" --database-url "$db" >/dev/null 2>&1 &
  pids+=($!)
done
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" bench load --base "http://127.0.0.1:$port" --rate "$rate" --seconds "$seconds" \
  --database-url "$db"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
