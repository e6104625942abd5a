#!/usr/bin/env bash
# Builds zonekeep's libFuzzer targets with clang, libFuzzer, ASan and UBSan
# (--config=fuzz, own Bazel output base so the gcc build stays cached) and
# runs each for a bounded time on a temporary copy of its committed seed
# corpus (the repository is never written). Prints per target the executions,
# coverage and features, and a line "NAME=passed" or "NAME=failed"; exits
# non-zero on any crash, leak, timeout, out-of-memory or UBSan finding.
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_SEED      libFuzzer's -seed (default 1: the CI run is the same
#                  search each time, so a red run replays; "random" explores)
#   FUZZ_TARGETS   space-separated subset of the names below
#   FUZZ_ARTIFACT_DIR  where failing inputs are kept (default
#                  /tmp/zonekeep-fuzz-artifacts; outside the repository)
#   ZONEKEEP_BAZEL_CACHE, ZONEKEEP_FUZZ_OUTPUT_BASE   Bazel disk cache, output base
#
# fuzz_bind_key_import also gets real key pairs made now by dnssec-keygen
# (every algorithm keystored imports) in its temporary corpus: real private
# keys are never committed. Reports name the input file, never print it.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
seed="${FUZZ_SEED:-1}"
seed_flag=(-seed="$seed")
[ "$seed" = random ] && seed_flag=()
cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
output_base="${ZONEKEEP_FUZZ_OUTPUT_BASE:-$HOME/.cache/zonekeep/bazel-fuzz}"
declare -A labels=(
  [fuzz_zone_ingest]=//signer:fuzz_zone_ingest
  [fuzz_config]=//keystore/daemon:fuzz_config
  [fuzz_bind_key_import]=//keystore/crypto:fuzz_bind_key_import
  [fuzz_sign_request_stream]=//keystore/daemon:fuzz_sign_request_stream
)
targets=(${FUZZ_TARGETS:-fuzz_zone_ingest fuzz_config fuzz_bind_key_import fuzz_sign_request_stream})
for t in "${targets[@]}"; do
  if [ -z "${labels[$t]:-}" ]; then
    echo "run_fuzz: unknown target $t" >&2
    exit 2
  fi
done

for tool in clang dnssec-keygen; do
  if ! command -v "$tool" >/dev/null; then
    echo "run_fuzz: $tool missing; run tools/setup.sh" >&2
    exit 1
  fi
done

bazel_fuzz() {
  bazel --output_base="$output_base" "$@"
}
build_labels=()
for t in "${targets[@]}"; do build_labels+=("${labels[$t]}"); done
echo "run_fuzz: building ${build_labels[*]} (clang, libFuzzer, ASan, UBSan)"
build_start=$(date +%s)
# --symlink_prefix=/: the bazel-* links stay those of the normal build.
if ! bazel_fuzz build --config=fuzz --disk_cache="$cache_dir" --symlink_prefix=/ \
    "${build_labels[@]}"; then
  echo "run_fuzz: build failed" >&2
  for t in "${targets[@]}"; do echo "$t=failed"; done
  exit 1
fi
echo "run_fuzz: build took $(($(date +%s) - build_start)) s"
bin_dir=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null)

work=$(mktemp -d /tmp/zonekeep-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Real BIND key pairs for the import target, as one input each: the .key
# text, a NUL byte, the .private text (fuzz_bind_key_import.cc).
# Base64 of a CURVE scalar of BYTES octets: zero, the group order (from
# openssl ecparam), or all ones (above the order).
curve_scalar() {
  local curve=$1 bytes=$2 kind=$3 hex
  case $kind in
    zero) hex=$(printf '%0*d' $((bytes * 2)) 0) ;;
    above) hex=$(printf 'ff%.0s' $(seq "$bytes")) ;;
    order) hex=$(openssl ecparam -name "$curve" -param_enc explicit -text -noout |
                 sed -n '/^Order:/,/^Cofactor:/p' | sed '1d;$d' | tr -d ' :\n')
           hex=${hex: -$((bytes * 2))} ;;
  esac
  python3 -c 'import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$hex"
}

make_key_corpus() {
  local dir=$1 keys="$work/keys" n=0
  mkdir -p "$keys"
  local specs=("ECDSAP256SHA256 256" "ECDSAP384SHA384 384" "ED25519 256"
               "ED448 456" "RSASHA256 1024" "RSASHA512 1024")
  for spec in "${specs[@]}"; do
    set -- $spec
    local base
    base=$(dnssec-keygen -q -K "$keys" -a "$1" -b "$2" -n ZONE \
             fuzz.example 2>/dev/null) || continue
    { cat "$keys/$base.key"; printf '\0'; cat "$keys/$base.private"; } \
      > "$dir/generated_$1"
    n=$((n + 1))
  done
  # One pair whose halves do not match: the .key of one, .private of another.
  if [ -f "$dir/generated_ECDSAP256SHA256" ]; then
    local other
    other=$(dnssec-keygen -q -K "$keys" -a ECDSAP256SHA256 -n ZONE \
              fuzz.example 2>/dev/null) &&
      { cat "$keys/$other.key"; printf '\0';
        tr '\0' '\n' < "$dir/generated_ECDSAP256SHA256" |
          sed -n '/^Private-key-format/,$p'; } > "$dir/generated_mismatch" &&
      n=$((n + 1))
  fi
  # Malformed variants of the fresh keys (never committed: even a broken
  # private key file is key material): a seed one byte short, one too long, a
  # scalar with leading bytes, the PrivateKey field twice, the wrong algorithm.
  local g=$dir/generated_
  [ -f "${g}ED25519" ] && sed 's/^\(PrivateKey: \).\{4\}/\1/' "${g}ED25519" > "${g}ED25519_short"
  [ -f "${g}ED448" ] && sed 's/^\(PrivateKey: .*\)$/\1AAAA/' "${g}ED448" > "${g}ED448_long"
  if [ -f "${g}ECDSAP256SHA256" ]; then
    # Scalars no key can have (0, the order n, 2^256 - 1), a short one, and
    # no format line: made from the curve here, as the unit test does.
    local scalar
    for scalar in zero order above; do
      sed "s|^PrivateKey: .*|PrivateKey: $(curve_scalar prime256v1 32 $scalar)|" \
        "${g}ECDSAP256SHA256" > "${g}P256_scalar_$scalar"
    done
    sed 's/^\(PrivateKey: \).\{4\}/\1/' "${g}ECDSAP256SHA256" > "${g}P256_short_scalar"
    sed '/^Private-key-format/d' "${g}ECDSAP256SHA256" > "${g}P256_no_format_line"
    sed 's/^\(PrivateKey: \)/\1AAAA/' "${g}ECDSAP256SHA256" > "${g}P256_long_scalar"
    sed '/^PrivateKey: /p' "${g}ECDSAP256SHA256" > "${g}P256_duplicate_field"
    sed 's/^Algorithm: 13 .*/Algorithm: 14 (ECDSAP384SHA384)/' \
      "${g}ECDSAP256SHA256" > "${g}P256_alg_mismatch"
    # Two DNSKEY records in the .key part (the same one twice), and an
    # algorithm nobody implements (253, PRIVATEDNS) in both parts.
    sed '/^[^;].* DNSKEY /p' "${g}ECDSAP256SHA256" > "${g}P256_two_dnskeys"
    sed -e 's/ DNSKEY \([0-9]*\) 3 13 / DNSKEY \1 3 253 /' \
        -e 's/^Algorithm: 13 .*/Algorithm: 253 (PRIVATEDNS)/' \
      "${g}ECDSAP256SHA256" > "${g}P256_unknown_algorithm"
  fi
  [ -f "${g}ECDSAP384SHA384" ] &&
    sed "s|^PrivateKey: .*|PrivateKey: $(curve_scalar secp384r1 48 order)|" \
      "${g}ECDSAP384SHA384" > "${g}P384_scalar_order"
  echo "run_fuzz: fuzz_bind_key_import: $n key pairs made by dnssec-keygen, and malformed variants (temporary corpus only)"
}

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

results=()
failed=0
for t in "${targets[@]}"; do
  pkg=${labels[$t]#//}; pkg=${pkg%%:*}
  corpus="$work/$t/corpus"
  artifacts="$work/$t/artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp -r "$pkg/fuzz_corpus/$t/." "$corpus/"
  [ "$t" = fuzz_bind_key_import ] && make_key_corpus "$corpus"
  seeds=$(ls "$corpus" | wc -l)
  log="$work/$t/log"
  echo "run_fuzz: $t: ${seconds}s on $seeds seed files, seed $seed"
  start=$(date +%s)
  (cd "$work/$t" && "$bin_dir/$pkg/$t" -max_total_time="$seconds" "${seed_flag[@]}" \
      -timeout=25 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" > "$log" 2>&1)
  rc=$?
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<< "$last")
  crashes=$(ls "$artifacts" | wc -l)
  echo "run_fuzz: $t: executions=${execs:-0} seconds=$elapsed cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?} crashes=$crashes rc=$rc"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$execs" ]; then
    failed=1
    results+=("$t=failed")
    # The finding's kind and stack; the input itself stays unprinted.
    grep -E 'ERROR: |SUMMARY: |runtime error|#[0-9]+ 0x' "$log" | head -40
    # One line for the summary of tools/run_tests.sh (CI shows only a tail).
    reason=$(grep -m1 -E 'canonical output|disagree|read different|runtime error|ERROR: ' "$log")
    echo "run_fuzz: $t failed because: ${reason:-exit code $rc, $crashes failing inputs}"
    keep="${FUZZ_ARTIFACT_DIR:-/tmp/zonekeep-fuzz-artifacts}/$t"
    mkdir -p "$keep" && cp -r "$artifacts/." "$keep/" 2>/dev/null
    echo "run_fuzz: $t: failing inputs (if any) kept in $keep"
  else
    results+=("$t=passed")
  fi
done

printf '%s\n' "${results[@]}"
exit "$failed"
