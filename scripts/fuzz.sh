#!/usr/bin/env bash
# The long fuzz run of every file reader (crates/fuzz), by hand:
#
#   scripts/fuzz.sh [EXECUTIONS] [TARGET ...]              # the stable engine
#   scripts/fuzz.sh --libfuzzer [EXECUTIONS] [TARGET ...]  # coverage-guided, needs nightly
#
# Default 10,000,000 executions per target.
#
# --libfuzzer runs the same targets under libFuzzer (`cargo +nightly fuzz`, installed if
# missing; crates/fuzz/fuzz): the seed files as its corpus (kept and grown under
# target/libfuzzer-corpus), the target's tokens as its dictionary, the same input cap, no
# sanitizer (the crates forbid unsafe code) but debug assertions and overflow checks on,
# 4 GB of memory and 1 s an input. Crashes land in crates/fuzz/fuzz/artifacts/.
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
libfuzzer=0
if [ "${1:-}" = "--libfuzzer" ]; then libfuzzer=1; shift; fi
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
if [ "$libfuzzer" = 1 ]; then
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then cargo install --locked cargo-fuzz || exit 2; fi
  root=$PWD
  for target in "${targets[@]}"; do
    corpus="$root/target/libfuzzer-corpus/$target"
    mkdir -p "$corpus"
    "$bin" --write-seeds "$corpus" "$target"
    "$bin" --write-dict "$corpus.dict" "$target"
    max_len=$("$bin" --max-len "$target")
    (cd crates/fuzz && nice -n 10 cargo +nightly fuzz run --sanitizer none --debug-assertions \
      "$target" "$corpus" -- -runs="$runs" -max_len="$max_len" -rss_limit_mb=4096 -timeout=1 \
      -dict="$corpus.dict" -print_final_stats=1 2>&1 |
      grep -E '^(stat::|Done|==|SUMMARY|INFO: Seed|.*(panicked|crash|timeout|leak))')
    rc=$?
    echo "$target: exit $rc"
    [ "$rc" -eq 0 ] || status=1
  done
  exit $status
fi
for target in "${targets[@]}"; do
  (ulimit -v 4194304; nice -n 10 "$bin" --runs "$runs" "$target")
  rc=$?
  if [ "$rc" -gt 128 ]; then
    echo "$target: the process was killed by signal $((rc - 128))"
  fi
  [ "$rc" -eq 0 ] || status=1
done
exit $status
