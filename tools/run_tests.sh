#!/usr/bin/env bash
# Sets up the machine, runs every test, and prints "N passed, N failed" as its
# last line, counted from the GoogleTest cases in the JUnit XML of each test
# target, plus the layer checks of tools/check_layers.sh and one case per fuzz
# target. Exits non-zero if any case, target or tier failed.
#
# Tier 1: `bazel test //...` (unit, interop, end to end) and the layer checks.
# Tier 2: the fuzz targets for a bounded time each (tools/run_fuzz.sh), the
# ThreadSanitizer tier (tools/run_tsan.sh) and every test again under ASan and
# UBSan (tools/run_asan.sh). ZONEKEEP_TIERS=1 runs tier 1 only (for a quick
# check while working; CI runs both). Extra arguments go to tier 1's
# `bazel test`.
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh || exit 1

cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
mkdir -p "$cache_dir"
work=$(mktemp -d /tmp/zonekeep-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# count_line FILE: the last "N passed, N failed" line a tier printed, or
# "0 passed, 1 failed" when it printed none (it died before counting).
count_line() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
  echo "${line:-0 passed, 1 failed}"
}

# Tests always run: several suites depend on what Bazel cannot see (Debian's
# DNS tools, the machine), so a cached verdict could hide a broken machine.
bazel test //... --keep_going --test_summary=short --nocache_test_results \
  --disk_cache="$cache_dir" "$@" 2>&1 | tee "$work/tier1.log"
bazel_rc=${PIPESTATUS[0]}

# The build graph keeps the layers of docs/ARCHITECTURE.md (private keys
# confined to keystore/ among them), and the check catches a wrong dependency.
checks=()
for mode in "" --self-test; do
  if bash tools/check_layers.sh $mode; then
    checks+=("check_layers${mode}=passed")
  else
    checks+=("check_layers${mode}=failed")
  fi
done

targets=$(bazel query 'tests(//...)' 2>/dev/null)
python3 tools/count_test_cases.py bazel-testlogs "$work/tier1.log" $targets \
  "${checks[@]}" >"$work/tier1.count"
tier1_rc=$?
[ "$bazel_rc" -ne 0 ] && tier1_rc=1
tiers=("tier 1 (bazel test //..., layer checks)|$work/tier1.count|$tier1_rc")
tier1_seconds=$(($(date +%s) - started))

if [ "${ZONEKEEP_TIERS:-2}" != 1 ]; then
  # Fuzzing: each target's verdict counts as one case.
  t0=$(date +%s)
  bash tools/run_fuzz.sh 2>&1 | tee "$work/fuzz.log"
  fuzz_rc=${PIPESTATUS[0]}
  fuzz_checks=$(grep -E '^fuzz_[a-z_]+=(passed|failed)$' "$work/fuzz.log")
  # shellcheck disable=SC2086
  python3 tools/count_test_cases.py /nonexistent "$work/fuzz.log" \
    ${fuzz_checks:-fuzz=failed} >"$work/fuzz.count"
  [ $? -ne 0 ] && fuzz_rc=1
  grep -E '^run_fuzz: [a-z_]+ failed because: ' "$work/fuzz.log" |
    sed 's/^run_fuzz: /FAILED fuzz: /' >>"$work/fuzz.count"
  tiers+=("fuzz, $(($(date +%s) - t0)) s|$work/fuzz.count|$fuzz_rc")

  t0=$(date +%s)
  bash tools/run_tsan.sh 2>&1 | tee "$work/tsan.log"
  tsan_rc=${PIPESTATUS[0]}
  count_line "$work/tsan.log" >"$work/tsan.count"
  grep -E '^FAILED ' "$work/tsan.log" >>"$work/tsan.count"
  tiers+=("ThreadSanitizer, $(($(date +%s) - t0)) s|$work/tsan.count|$tsan_rc")

  t0=$(date +%s)
  bash tools/run_asan.sh 2>&1 | tee "$work/asan.log"
  asan_rc=${PIPESTATUS[0]}
  count_line "$work/asan.log" >"$work/asan.count"
  grep -E '^FAILED ' "$work/asan.log" >>"$work/asan.count"
  tiers+=("ASan+UBSan, $(($(date +%s) - t0)) s|$work/asan.count|$asan_rc")
fi

echo
echo "== summary (tier 1: ${tier1_seconds} s; total $(($(date +%s) - started)) s)"
passed=0
failed=0
for tier in "${tiers[@]}"; do
  IFS='|' read -r name file rc <<<"$tier"
  grep -E '^FAILED ' "$file" | sort -u | while read -r failure; do
    echo "[$name] $failure"
  done
  line=$(count_line "$file")
  echo "$name: $line"
  p=${line%% passed*}
  f=${line#*, }
  f=${f%% failed}
  # A tier that failed without a failing case still fails the run.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$name: exited $rc with no failed case counted; counted as one failure"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
