#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine (as root): install what is
# missing, build, start keystored on its embedded default (state in
# ./var/keystored), create keys for example.com., list them, print the DS for the
# parent, sign deploy/example.com.zone through keystored and verify the result
# with three independent verifiers. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
mkdir -p "$cache_dir"
bazel build -c opt --disk_cache="$cache_dir" //keystore:keystored //cli:maintkeydb //cli:dnssigner

bin=bazel-bin
socket=./var/keystored/admin.sock
zone=example.com.

started_here=0
if ! "$bin/cli/maintkeydb" --socket "$socket" list >/dev/null 2>&1; then
  mkdir -p var
  "$bin/keystore/keystored" 2>var/keystored.log &
  keystored_pid=$!
  started_here=1
  trap '[ "$started_here" = 1 ] && kill "$keystored_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    "$bin/cli/maintkeydb" --socket "$socket" list >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
echo "== keystored is serving $socket"

mk() { echo "\$ maintkeydb $*"; "$bin/cli/maintkeydb" --socket "$socket" "$@"; }

if ! "$bin/cli/maintkeydb" --socket "$socket" list "$zone" >/dev/null 2>&1; then
  mk create both ECDSAP256SHA256 - "$zone"
fi
mk list "$zone"
mk parentdata ds "$zone"

out=var/example.com.signed
echo "\$ dnssigner -o $zone -f $out deploy/example.com.zone"
"$bin/cli/dnssigner" --socket "$socket" -o "$zone" -f "$out" deploy/example.com.zone
echo "== verifying $out"
dnssec-verify -q -o "$zone" "$out" && echo "dnssec-verify: ok"
ldns-verify-zone "$out" >/dev/null && echo "ldns-verify-zone: ok"
kzonecheck -o "$zone" --dnssec on "$out" && echo "kzonecheck: ok"
echo "== done: signed zone in $out"
