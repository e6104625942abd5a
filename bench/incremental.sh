#!/bin/bash
# Incremental re-signing benchmark (dnssigner -i): a full sign of a TLD-like
# zone against a -i re-sign of the same zone with CHANGES records changed
# (bench/change_zone.py), through a fresh keystored, self-verify on and off.
#
# Usage: bash bench/incremental.sh [--size N] [--changes K] [--no-build]
#          [--verify] [--variants "verify noverify"] [--bin DIR]
# --bin DIR: take keystored, maintkeydb and dnssigner from DIR (copies of an
# opt build, so that other builds in the tree cannot swap them mid-run).
# Prints, per variant, the wall time of the full sign of the changed zone,
# of the -i re-sign, their ratio, and dnssigner's summary (reused / new) and
# step times. --verify checks the -i outputs with ldns-verify-zone.
# Ours alone, one run each; for the comparison with dnssec-signzone -i (best
# of N rounds, three verifiers): bash bench/run.sh --incremental-only.
set -euo pipefail
size=100000
changes=1000
build=1
verify=0
variants="verify noverify"
bin_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --changes) changes="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --verify) verify=1; shift ;;
    --variants) variants="$2"; shift 2 ;;
    --bin) bin_dir="$2"; build=0; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "$build" = 1 ]; then
  bazel build -c opt --disk_cache="$HOME/.cache/zonekeep/bazel-disk" \
    //keystore:keystored //cli:maintkeydb //cli:dnssigner >&2
fi
if [ -n "$bin_dir" ]; then
  keystored="$bin_dir/keystored" maintkeydb="$bin_dir/maintkeydb"
  dnssigner="$bin_dir/dnssigner"
else
  keystored="$root/bazel-bin/keystore/keystored"
  maintkeydb="$root/bazel-bin/cli/maintkeydb"
  dnssigner="$root/bazel-bin/cli/dnssigner"
fi
out=$(mktemp -d /tmp/zk-incr.XXXXXX)
trap 'kill "$ks_pid" 2>/dev/null || true; rm -rf "$out"' EXIT
python3 bench/gen_tld_zone.py tld. "$size" "$out/base.zone"
python3 bench/change_zone.py "$out/base.zone" "$out/changed.zone" "$changes"
"$keystored" --state-dir "$out/state" 2>"$out/keystored.log" &
ks_pid=$!
for _ in $(seq 50); do [ -S "$out/state/admin.sock" ] && break; sleep 0.1; done
sock="$out/state/admin.sock"
"$maintkeydb" --socket "$sock" create both ECDSAP256SHA256 - tld. \
  >/dev/null

sign() {  # NAME ZONE ARGS...: prints wall seconds, keeps the log
  local name="$1" zone="$2"
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$dnssigner" --socket "$sock" -q -o tld. -f "$out/$name.signed" \
    "$@" "$zone" 2>"$out/$name.log"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

for variant in $variants; do
  extra=()
  [ "$variant" = noverify ] && extra=(--no-self-verify)
  # The record the -i run reuses comes from a self-verified sign of the base.
  sign "$variant.base" "$out/base.zone" >/dev/null
  incr=$(sign "$variant.incr" "$out/changed.zone" -i 86400 "${extra[@]}")
  full=$(sign "$variant.full" "$out/changed.zone" "${extra[@]}")
  printf '%s, %d delegations, %d changes: full %.2f s, -i %.2f s, ratio %.3f\n' \
    "$variant" "$size" "$changes" "$full" "$incr" "$(echo "$incr / $full" | bc -l)"
  sed -n 's/^dnssigner: tld. signed: /  -i:   /p; s/^dnssigner: time /  -i time: /p' \
    "$out/$variant.incr.log"
  sed -n 's/^dnssigner: time /  full time: /p' "$out/$variant.full.log"
  ls -l "$out/state/signatures/tld.sigs" | awk '{print "  record file: " $5 " bytes"}'
  if [ "$verify" = 1 ]; then
    ldns-verify-zone "$out/$variant.incr.signed" >/dev/null 2>&1 &&
      echo "  -i output: ldns-verify-zone ok" ||
      echo "  -i output: ldns-verify-zone FAILED"
  fi
done
