#!/usr/bin/env bash
# API fuzzing: schemathesis over /api/openapi.json as each role of the demo PCN, on SQLite
# and on PostgreSQL. Passes when no response is a server error (5xx) and every response
# matches the schema the document gives for it.
#
#   scripts/api-fuzz.sh                 # short form (scripts/test.sh): 8 cases per operation
#   scripts/api-fuzz.sh --examples 100  # long form, by hand
#
# Expects the gpteam binary in $GPTEAM_BIN (default target/debug/gpteam) and PostgreSQL in
# $GPTEAM_TEST_POSTGRES_URL (skipped when unset). Installs schemathesis into
# target/schemathesis-venv when missing. Reports go to target/api-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."

examples=8
databases="sqlite postgres"
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) examples=$2; shift 2 ;;
    --db) databases=$2; shift 2 ;;
    *) echo "usage: $0 [--examples N] [--db sqlite|postgres|'sqlite postgres']" >&2; exit 2 ;;
  esac
done

bin=${GPTEAM_BIN:-$PWD/target/debug/gpteam}
venv=$PWD/target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "Installing schemathesis into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'schemathesis>=4,<5'
fi
out=$PWD/target/api-fuzz
rm -rf "$out" && mkdir -p "$out"

# Operations that end or change the fuzzing user's own session are left out: logging out,
# changing the password or turning off two-factor sign-in would log the rest of the run out.
exclude='^/api/(logout|me/password|me/two-factor.*)$'
password=fuzz-demo-password-2026
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

login() { # url email -> the session cookie
  curl -sf -c - -H 'content-type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$password\"}" "$1/api/login" \
    | awk '$6 == "gpteam_session" { print "gpteam_session=" $7 }'
}

# One database's run: its own server, every role fuzzed in turn. Returns 1 when any failed.
fuzz() {
  local db=$1 url port base failed=0 server
  case "$db" in
    sqlite) url="sqlite://$out/fuzz.db" ;;
    postgres)
      if [ -z "${GPTEAM_TEST_POSTGRES_URL:-}" ]; then echo "No GPTEAM_TEST_POSTGRES_URL: PostgreSQL skipped"; return 0; fi
      psql "$GPTEAM_TEST_POSTGRES_URL" -qc 'drop database if exists gpteam_api_fuzz' -c 'create database gpteam_api_fuzz' >/dev/null
      url="${GPTEAM_TEST_POSTGRES_URL%/*}/gpteam_api_fuzz" ;;
    *) echo "unknown database $db" >&2; return 2 ;;
  esac
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  GPTEAM_DEMO_PASSWORD=$password "$bin" serve --demo --database-url "$url" --addr "127.0.0.1:$port" \
    >"$out/server-$db.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do curl -sf "$base/api/openapi.json" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf "$base/api/openapi.json" >"$out/openapi-$db.json"

  # Every role logs in before any fuzzing: fuzzed log-ins from this address soon meet the
  # log-in limit, which would refuse a real log-in afterwards.
  local roles=(pcn_manager practice_manager ics_viewer staff) role email cookie status summary
  local -A cookies=()
  for role in "${roles[@]}"; do
    email=$("$bin" demo logins --database-url "$url" | awk -F, -v r="$role" '$2 == r { print $1; exit }')
    cookies[$role]=$(login "$base" "$email" || true)
  done
  for role in "${roles[@]}"; do
    cookie=${cookies[$role]}
    if [ -z "$cookie" ]; then echo "$db $role: could not log in" >&2; failed=1; continue; fi
    set +e
    "$venv/bin/schemathesis" run "$base/api/openapi.json" --url "$base" \
      -H "Cookie: $cookie" --checks not_a_server_error,response_schema_conformance \
      --exclude-path-regex "$exclude" --max-examples "$examples" --seed 1 --workers 1 \
      --phases examples,coverage,fuzzing --generation-allow-x00 true --no-color \
      --suppress-health-check all --warnings off --generation-database none \
      --report junit --report-junit-path "$out/$db-$role.xml" >"$out/$db-$role.log" 2>&1
    status=$?
    set -e
    summary=$(python3 scripts/api-fuzz-summary.py "$out/$db-$role.log")
    printf '%-8s %-17s %s\n' "$db" "$role" "$summary"
    if [ $status -ne 0 ]; then failed=1; tail -n 60 "$out/$db-$role.log"; fi
  done
  return $failed
}

# The databases side by side: each run is one schemathesis process and one server, so two
# take the two cores of a CI machine (about a minute less than one after the other).
for db in $databases; do
  fuzz "$db" &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
