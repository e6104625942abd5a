#!/usr/bin/env bash
# Checks with `bazel query` that the build graph keeps the layers of
# docs/ARCHITECTURE.md: which folder may depend on which, and that nothing
# outside keystore/ can link //keystore/crypto:private_key.
#
#   bash tools/check_layers.sh              the checks; exit 1 on a violation
#   bash tools/check_layers.sh --self-test  adds a deliberately wrong target
#       (a library outside keystore/ that depends on private_key) in a
#       throw-away package, and passes only if the checks then fail
#
# "Depends" means compile and link edges. A test that runs keystored as a
# separate process (a `data` dependency on the binary) links none of it, so
# the private-key check follows only library-to-library paths.
set -uo pipefail
cd "$(dirname "$0")/.."

query() { bazel query --noshow_progress --keep_going "$1" 2>/dev/null; }

violations=0
expect_none() {  # NAME QUERY
  local found
  found=$(query "$2")
  if [ -n "$found" ]; then
    echo "layer check FAILED: $1:"
    echo "$found" | sed 's/^/  /'
    violations=$((violations + 1))
  fi
}

run_checks() {
  local outside_keystore='//... except //keystore/...'
  # Private keys: the libraries that link private_key, and who uses them.
  expect_none "outside keystore/ but linking //keystore/crypto:private_key" \
    "rdeps(//..., rdeps(kind('cc_library', //...), //keystore/crypto:private_key), 1) except //keystore/..."
  expect_none "dnssec/ depends on a project folder" \
    "deps(//dnssec/...) intersect (//keystore/... + //signer/... + //cli/... + //proto/... + //tests/...)"
  expect_none "signer/ depends on keystore/, cli/, proto/ or tests/" \
    "deps(//signer/...) intersect (//keystore/... + //cli/... + //proto/... + //tests/...)"
  expect_none "keystore/ (outside its daemon) depends on signer/, cli/, proto/ or tests/" \
    "deps(//keystore/... except //keystore/daemon/... except //keystore:keystored) intersect (//signer/... + //cli/... + //proto/... + //tests/...)"
  # cli/ may use one signer target, the check API (//signer:zone_check, what
  # `dnssigner --check` runs), and what that is built from; nothing else.
  expect_none "cli/ depends on keystore/ or tests/" \
    "kind('cc_.*', deps(//cli/...)) intersect (//keystore/... + //tests/...)"
  expect_none "cli/ uses a signer/ target other than //signer:zone_check" \
    "kind('cc_.*', deps(//cli/..., 1)) intersect (//signer/... except //signer:zone_check)"
  expect_none "cli/ reaches signer/ other than through //signer:zone_check" \
    "kind('cc_.*', deps(//cli/...)) intersect (//signer/... except deps(//signer:zone_check))"
  expect_none "proto/ depends on a project folder" \
    "deps(//proto/...) intersect (//dnssec/... + //keystore/... + //signer/... + //cli/... + //tests/...)"
  expect_none "a target outside keystore/ uses keystore/ other than the keystored binary" \
    "rdeps(${outside_keystore}, //keystore/... except //keystore:keystored, 1) except //keystore/..."
}

if [ "${1:-}" = "--self-test" ]; then
  demo=tools/layer_violation_demo
  rm -rf "$demo"
  mkdir -p "$demo"
  trap 'rm -rf "$demo"' EXIT
  cat > "$demo/BUILD.bazel" <<'BUILD'
# Throw-away package made by tools/check_layers.sh --self-test.
cc_library(
    name = "wrong",
    deps = ["//keystore/crypto:private_key"],
)
BUILD
  run_checks >/dev/null
  if [ "$violations" -eq 0 ]; then
    echo "layer check self-test FAILED: a dependency on private_key from $demo went unnoticed"
    exit 1
  fi
  echo "layer check self-test: ok (the wrong dependency was caught)"
  exit 0
fi

run_checks
if [ "$violations" -ne 0 ]; then
  exit 1
fi
echo "layer check: ok"
