#!/usr/bin/env bash
# The ASan + UBSan tier: builds everything with --config=asan (gcc,
# -fsanitize=address,undefined, UBSan fatal; .bazelrc) in its own Bazel output
# base, so the normal build stays cached, and runs every test: unit, interop
# and end-to-end (the daemons those spawn are built and run with the same
# sanitizers and inherit ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS). Leaks
# inside Debian's uninstrumented libraries are suppressed by tools/lsan.supp
# (never our own frames). Prints each target's verdict as "//pkg:target=passed"
# or "=failed", the GoogleTest case count (tools/count_test_cases.py, last
# line "N passed, N failed") and the wall time; exits non-zero on any failure.
#
#   ZONEKEEP_BAZEL_CACHE, ZONEKEEP_ASAN_OUTPUT_BASE   disk cache, output base
#   Arguments: target patterns to run instead of //... (e.g. //signer/...).
set -uo pipefail
cd "$(dirname "$0")/.."

cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
output_base="${ZONEKEEP_ASAN_OUTPUT_BASE:-$HOME/.cache/zonekeep/bazel-asan}"
mkdir -p "$cache_dir"
log=$(mktemp /tmp/zonekeep-asan.XXXXXX)
trap 'rm -f "$log"' EXIT
bazel_asan() { bazel --output_base="$output_base" "$@"; }

# --symlink_prefix=/ leaves the bazel-* links of the normal build alone. They
# point into the other output base, where //... would descend and fail, so the
# default is //... spelled as every top-level folder except those links.
patterns=("$@")
if [ "${#patterns[@]}" -eq 0 ]; then
  patterns=(//:all)
  for d in */; do
    d=${d%/}
    # third_party holds local repositories, not packages of ours.
    case "$d" in bazel-* | third_party) continue ;; esac
    if [ -n "$(find "$d" \( -name BUILD -o -name BUILD.bazel \) -print -quit)" ]; then
      patterns+=("//$d/...")
    fi
  done
fi

# Built with ThreadSanitizer on purpose (the TSan harness's own check), which
# cannot be combined with ASan: tools/run_tsan.sh runs them.
patterns+=(-//tests/e2e:racy_child -//tests/e2e:sanitizer_report_test)

start=$(date +%s)
bazel_asan test --config=asan --keep_going --test_summary=short \
  --nocache_test_results --disk_cache="$cache_dir" --symlink_prefix=/ \
  --test_env=LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0" \
  -- "${patterns[@]}" 2>&1 |
  tee "$log"
bazel_rc=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))

echo "run_asan: per target"
sed -nE 's#^(//[^ ]+) +(\(cached\) +)?(PASSED).*#\1=passed#p;
         s#^(//[^ ]+) +(\(cached\) +)?(FAILED TO BUILD|FAILED|TIMEOUT|NO STATUS|INCOMPLETE|FLAKY).*#\1=failed#p' "$log"

testlogs=$(bazel_asan info --config=asan bazel-testlogs 2>/dev/null)
query=""
for p in "${patterns[@]}"; do
  case "$p" in
    -*) query="$query - ${p#-}" ;;
    *) query="${query:+$query + }$p" ;;
  esac
done
targets=$(bazel_asan query "tests($query)" 2>/dev/null)
python3 tools/count_test_cases.py "$testlogs" "$log" $targets
count_rc=$?
echo "run_asan: wall time ${elapsed}s (build and tests)"
if [ "$bazel_rc" -ne 0 ] || [ "$count_rc" -ne 0 ]; then
  exit 1
fi
