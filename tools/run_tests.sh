#!/usr/bin/env bash
# Sets up the machine, runs every test, and prints "N passed, N failed" counted
# from the GoogleTest cases in the JUnit XML of each test target, plus the
# layer checks of tools/check_layers.sh (last line).
# Exits non-zero if any case or target failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh || exit 1

cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
mkdir -p "$cache_dir"
log=$(mktemp /tmp/zonekeep-test.XXXXXX)
trap 'rm -f "$log"' EXIT

# Tests always run: several suites depend on what Bazel cannot see (Debian's
# DNS tools, the machine), so a cached verdict could hide a broken machine.
bazel test //... --keep_going --test_summary=short --nocache_test_results \
  --disk_cache="$cache_dir" "$@" 2>&1 | tee "$log"
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
python3 tools/count_test_cases.py bazel-testlogs "$log" $targets "${checks[@]}"
count_rc=$?

if [ "$bazel_rc" -ne 0 ] || [ "$count_rc" -ne 0 ]; then
  exit 1
fi
