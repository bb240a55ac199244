#!/usr/bin/env bash
# The long fuzz run of every file reader (crates/fuzz), by hand:
#
#   scripts/fuzz.sh [EXECUTIONS] [TARGET ...]     # default 10,000,000 executions per target
#
# Each target runs in its own process (niced, memory capped at 4 GB so a reader that tries
# to allocate without bound fails loudly instead of swapping), on the stable engine: the
# seed files of shared/data mutated and kept when their outcome is new. Findings (panics,
# inputs over a second) are written to target/fuzz-findings/ and make the exit status 1.
# A process killed outright (out of memory, stack overflow) is reported with its signal;
# the run is deterministic, so `--seed` and the printed progress find the input again.
#
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10000000}
shift || true
# The fuzz profile: release optimisation with overflow checks and debug assertions.
cargo build --profile fuzz --locked -p fuzz --bin gpteam-fuzz >/dev/null || exit 2
bin=target/fuzz/gpteam-fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <("$bin" --list)
fi
status=0
for target in "${targets[@]}"; do
  (ulimit -v 4194304; nice -n 10 "$bin" --runs "$runs" "$target")
  rc=$?
  if [ "$rc" -gt 128 ]; then
    echo "$target: the process was killed by signal $((rc - 128))"
  fi
  [ "$rc" -eq 0 ] || status=1
done
exit $status
