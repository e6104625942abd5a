#!/usr/bin/env bash
# The ThreadSanitizer tier: builds with --config=tsan (.bazelrc) and runs the
# concurrency and disconnect suites (their keystored, dnssigner and maintkeydb
# are built with TSan too) and the unit tests of //keystore/... //signer/...
# //dnssec/... . TSAN_OPTIONS (suppressions: tools/tsan.supp, by absolute
# path) reaches the tests through --test_env and the daemons they start by
# inheritance; the e2e harness fails a test when a child's stderr holds a
# ThreadSanitizer report, and a test binary with one exits 66.
# Prints what ran, one pass/fail line per target, and the times.
# Usage: bash tools/run_tsan.sh [extra bazel test flags]
set -uo pipefail
cd "$(dirname "$0")/.."

cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
mkdir -p "$cache_dir"
export TSAN_OPTIONS="suppressions=$PWD/tools/tsan.supp second_deadlock_stack=1 history_size=4 ignore_noninstrumented_modules=1"

e2e=(//tests/e2e:sanitizer_report_test //tests/e2e:concurrent_signing_e2e_test
  //tests/e2e:client_disconnect_e2e_test)
units=$(bazel query 'kind(cc_test, //keystore/... + //signer/... + //dnssec/...)' 2>/dev/null)
# shellcheck disable=SC2206
targets=("${e2e[@]}" $units)
echo "run_tsan: ${#targets[@]} test targets with --config=tsan"
echo "run_tsan: TSAN_OPTIONS=$TSAN_OPTIONS"

log=$(mktemp /tmp/zonekeep-tsan.XXXXXX)
trap 'rm -f "$log"' EXIT
t0=$(date +%s)
# --symlink_prefix=/ leaves the bazel-* links of the normal build alone.
bazel build --config=tsan --disk_cache="$cache_dir" --symlink_prefix=/ \
  "${targets[@]}" 2>&1 | tail -n 3
build_rc=${PIPESTATUS[0]}
t1=$(date +%s)
# TSan runs code 5-15 times slower: the timeouts of each size are tripled.
bazel test --config=tsan --disk_cache="$cache_dir" --keep_going \
  --nocache_test_results --test_summary=short --symlink_prefix=/ \
  --test_timeout=180,900,2700,10800 "$@" "${targets[@]}" >"$log" 2>&1
test_rc=$?
t2=$(date +%s)

grep -E '^//[^ ]+ +(\(cached\) )?(PASSED|FAILED|TIMEOUT|NO STATUS|FLAKY|FAILED TO BUILD)' "$log" |
  sed -E 's/^(\/\/[^ ]+) +/\1 /' | while read -r target verdict rest; do
    echo "run_tsan: $verdict $target $rest"
  done
grep -E '^Executed ' "$log"
echo "run_tsan: build $((t1 - t0)) s, tests $((t2 - t1)) s, total $((t2 - t0)) s"
testlogs=$(bazel info --config=tsan bazel-testlogs 2>/dev/null)
# The GoogleTest cases of this tier; last line "N passed, N failed".
python3 tools/count_test_cases.py "$testlogs" "$log" "${targets[@]}"
count_rc=$?
if [ "$build_rc" -ne 0 ] || [ "$test_rc" -ne 0 ] || [ "$count_rc" -ne 0 ]; then
  echo "run_tsan: FAILED (logs under $testlogs)"
  exit 1
fi
echo "run_tsan: all passed, no ThreadSanitizer report"
