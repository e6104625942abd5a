#!/usr/bin/env bash
# Signing benchmark: the same generated TLD-like zone (ECDSA P-256) signed by
# zonekeep (keystored + dnssigner, self-verify on and off, and over loopback
# mutual TLS against the admin socket), Knot kzonesign,
# ldns-signzone and BIND dnssec-signzone; every output verified; one table per
# case with wall time, CPU time, peak RSS, signatures and the crypto limit.
#
#   bash bench/run.sh [--sizes 100000[,1000000...]] [--nsec3-sizes 100000]
#                     [--tools ours,knot,ldns,bind] [--verifier auto|ldns|bind|knot]
#                     [--no-verify] [--timeout SECONDS] [--rounds N]
#                     [--incremental | --incremental-only] [--changes K]
#
# Defaults: NSEC at 100,000 delegations and NSEC3 (opt-out, 0 iterations, no
# salt) at 100,000. `--sizes 100000,1000000` adds the 1M run. `--incremental`
# adds, per NSEC size, the incremental case: the zone with K records changed
# (bench/change_zone.py, default 1000) re-signed with `dnssigner -i 86400`
# and with `dnssec-signzone -i 86400` from its own signed output, against
# both tools' full signs (`--incremental-only`: that case alone). Everything
# it writes goes to bench/out/ (gitignored); the tables also go to
# bench/out/results-<timestamp>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

sizes=100000
nsec3_sizes=100000
tools=ours,knot,ldns,bind
verifier=auto
do_verify=1
step_timeout=3600
rounds=3
changes=1000
full_cases=1
incremental=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --nsec3-sizes) nsec3_sizes=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    --verifier) verifier=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-verify) do_verify=0; shift ;;
    --timeout) step_timeout=$2; shift 2 ;;
    --incremental) incremental=1; shift ;;
    --incremental-only) incremental=1; full_cases=0; shift ;;
    --changes) changes=$2; shift 2 ;;
    -h | --help) sed -n 2,20p "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

out=$root/bench/out
mkdir -p "$out"
origin=tld.
cores=$(nproc)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
report=$out/results-$stamp.md
inception=$(date -u -d '-1 hour' +%Y%m%d%H%M%S)
expiration=$(date -u -d '+30 days' +%Y%m%d%H%M%S)

# Processes started here; killed on any exit.
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

has_tool() { [[ ",$tools," == *",$1,"* ]]; }
log() { echo "== $*" >&2; }

if has_tool ours; then
  log "building zonekeep (-c opt)"
  bazel build -c opt --disk_cache="$HOME/.cache/zonekeep/bazel-disk" \
    //keystore:keystored //cli:maintkeydb //cli:dnssigner \
    >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
fi
bin=$root/bazel-bin

# The crypto limit: ECDSA P-256 signatures per second on all cores, as
# `openssl speed -multi <cores>` measures it, once per round; the best round
# counts (a slow round would make the limit easy to meet).
sign_rate=0
measure_sign_rate() {
  local rate
  rate=$(openssl speed -multi "$cores" -seconds 3 ecdsap256 2>/dev/null |
    awk '/nistp256/ {print $(NF-1)}' | tail -1)
  log "openssl speed -multi $cores ecdsap256: $rate signs/s"
  sign_rate=$(awk -v a="$sign_rate" -v b="$rate" 'BEGIN {print (b > a) ? b : a}')
}

# run_timed NAME CMD...: wall, user+sys CPU and max RSS into $out/NAME.time.
run_timed() {
  local name=$1
  shift
  /usr/bin/time -o "$out/$name.time" -f '%e %U %S %M' \
    timeout "$step_timeout" "$@" >"$out/$name.log" 2>&1 || {
    echo "run.sh: $name failed:" >&2
    tail -20 "$out/$name.log" >&2
    return 1
  }
}

# count_sigs FILE: RRSIG records in a master file (one record per line).
count_sigs() {
  awk '!/^;/ && ($3 == "RRSIG" || $4 == "RRSIG") {n++} END {print n + 0}' "$1"
}

vmhwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
# cpu_ticks PID: user + system clock ticks used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# sign_ours CASE ZONE VARIANT EXTRA-FLAGS...: output $out/CASE.ours-VARIANT.signed;
# a VARIANT ending in noverify adds --no-self-verify, tls goes over mutual TLS.
# The keys and keystored's signature record live in $out/CASE.ours-state.
sign_ours() {
  local case=$1 zone=$2 variant=$3
  shift 3
  local state=$out/$case.ours-state
  local name=$case.ours-$variant
  [[ "$variant" == *noverify ]] && set -- "$@" --no-self-verify
  local config_args=()
  if [ "$variant" = tls ]; then
    # Mutual TLS on loopback; the bench's fixed inception (now - 1 h at the
    # start of the run) needs a wider inception margin than the default.
    [ -s "$out/tls/signer1.pem" ] ||
      { mkdir -p "$out/tls" && bash tests/e2e/make_test_certs.sh "$out/tls" >/dev/null 2>&1; }
    cat >"$out/$name.json" <<JSON
{"listen": "127.0.0.1:0",
 "tls": {"trust-anchor": "$out/tls/ca.pem", "cert-file": "$out/tls/server.pem",
         "key-file": "$out/tls/server.key"},
 "signing-policy": {"inception-margin": 86400},
 "clients": [{"identity": "unix:$(id -un)", "role": "admin"},
             {"identity": "signer1.example.net", "role": "signer", "zones": ["$origin"]}]}
JSON
    config_args=(--config "$out/$name.json")
  fi
  "$bin/keystore/keystored" --state-dir "$state" "${config_args[@]}" \
    2>"$out/$name.keystored.log" &
  local ks=$!
  pids+=("$ks")
  for _ in $(seq 1 100); do
    [ -S "$state/admin.sock" ] && break
    sleep 0.1
  done
  local target=(--socket "$state/admin.sock")
  if [ "$variant" = tls ]; then
    local port=""
    for _ in $(seq 1 100); do
      port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
        "$out/$name.keystored.log" | head -1)
      [ -n "$port" ] && break
      sleep 0.1
    done
    target=(--server "127.0.0.1:$port" --ca "$out/tls/ca.pem"
      --cert "$out/tls/signer1.pem" --key "$out/tls/signer1.key")
  fi
  if ! "$bin/cli/maintkeydb" --socket "$state/admin.sock" list "$origin" \
    >/dev/null 2>&1; then
    "$bin/cli/maintkeydb" --socket "$state/admin.sock" \
      create both ECDSAP256SHA256 - "$origin" >/dev/null
  fi
  local ticks0
  ticks0=$(cpu_ticks "$ks")
  run_timed "$name" "$bin/cli/dnssigner" "${target[@]}" \
    -o "$origin" -s "$inception" -e "$expiration" -f "$out/$name.signed" \
    "$@" "$zone"
  # Peak RSS of ours = keystored's high-water mark + dnssigner's.
  # CPU of ours = keystored's (during the run) + dnssigner's.
  echo "$(vmhwm_kb "$ks") $(($(cpu_ticks "$ks") - ticks0))" \
    >"$out/$name.keystored"
  kill "$ks"
  wait "$ks" 2>/dev/null || true
}

sign_knot() {
  local case=$1 zone=$2 mode=$3
  local dir=$out/$case.knot
  rm -rf "$dir"
  mkdir -p "$dir/out"
  local nsec3=off
  [ "$mode" = nsec3 ] && nsec3=on
  cat >"$dir/knot.conf" <<EOF
database:
    storage: $dir
    kasp-db: $dir/kasp
policy:
  - id: bench
    algorithm: ecdsap256sha256
    signing-threads: 2
    rrsig-lifetime: 30d
    rrsig-refresh: 7d
    cds-cdnskey-publish: none
    nsec3: $nsec3
    nsec3-iterations: 0
    nsec3-salt-length: 0
    nsec3-opt-out: on
zone:
  - domain: $origin
    storage: $dir
    file: $(basename "$zone")
    dnssec-signing: on
    dnssec-policy: bench
    adjust-threads: 2
EOF
  ln -s "$zone" "$dir/$(basename "$zone")"
  keymgr -c "$dir/knot.conf" "$origin" generate algorithm=ecdsap256sha256 \
    ksk=yes zsk=no >/dev/null
  keymgr -c "$dir/knot.conf" "$origin" generate algorithm=ecdsap256sha256 \
    ksk=no zsk=yes >/dev/null
  run_timed "$case.knot" kzonesign -c "$dir/knot.conf" -o "$dir/out" "$origin"
  mv "$dir/out/$(basename "$zone")" "$out/$case.knot.signed"
}

sign_ldns() {
  local case=$1 zone=$2 mode=$3
  local dir=$out/$case.ldns-keys
  rm -rf "$dir"
  mkdir -p "$dir"
  local ksk zsk
  ksk=$(cd "$dir" && ldns-keygen -a ECDSAP256SHA256 -k "$origin")
  zsk=$(cd "$dir" && ldns-keygen -a ECDSAP256SHA256 "$origin")
  local flags=()
  [ "$mode" = nsec3 ] && flags=(-n -t 0 -p)
  run_timed "$case.ldns" ldns-signzone "${flags[@]}" -o "$origin" \
    -i "$inception" -e "$expiration" -f "$out/$case.ldns.signed" \
    "$zone" "$dir/$zsk" "$dir/$ksk"
}

# bind_keys DIR: a fresh KSK and ZSK for dnssec-signzone in DIR.
bind_keys() {
  rm -rf "$1"
  mkdir -p "$1"
  dnssec-keygen -q -K "$1" -a ECDSAP256SHA256 -f KSK "$origin" >/dev/null
  dnssec-keygen -q -K "$1" -a ECDSAP256SHA256 "$origin" >/dev/null
}

# bind_sign NAME KEYDIR ZONE MODE EXTRA-FLAGS...: dnssec-signzone into
# $out/NAME.signed.
bind_sign() {
  local name=$1 dir=$2 zone=$3 mode=$4
  shift 4
  local flags=()
  [ "$mode" = nsec3 ] && flags=(-3 - -H 0 -A)
  # -S: smart signing (keys from -K); -d: dsset file beside the keys;
  # post-signing verification stays on.
  run_timed "$name" dnssec-signzone -n 2 -S -K "$dir" -d "$dir" -O full \
    "${flags[@]}" "$@" -o "$origin" -s "$inception" -e "$expiration" \
    -f "$out/$name.signed" "$zone"
}

sign_bind() {
  local case=$1 zone=$2 mode=$3
  bind_keys "$out/$case.bind-keys"
  bind_sign "$case.bind" "$out/$case.bind-keys" "$zone" "$mode"
}

# verify_with CASE TOOL VERIFIER (ldns|bind|knot): writes "ok (NAME)" or
# "FAILED (NAME)" to CASE.TOOL.verdict-VERIFIER.
verify_with() {
  local case=$1 tool=$2 v=$3
  local file=$out/$case.$tool.signed log=$out/$case.$tool.verify-$v.log
  local rc=0 verifier_name
  case "$v" in
    ldns) verifier_name=ldns-verify-zone
      timeout "$step_timeout" ldns-verify-zone "$file" >"$log" 2>&1 || rc=$? ;;
    bind) verifier_name=dnssec-verify
      timeout "$step_timeout" dnssec-verify -q -o "$origin" "$file" >"$log" 2>&1 || rc=$? ;;
    knot) verifier_name=kzonecheck
      timeout "$step_timeout" kzonecheck -o "$origin" --dnssec on "$file" \
        >"$log" 2>&1 || rc=$? ;;
  esac
  local verdict=ok
  [ "$rc" = 0 ] || verdict=FAILED
  echo "$verdict ($verifier_name)" >"$out/$case.$tool.verdict-$v"
}

# verify_one CASE TOOL SIZE: one verifier (--verifier; auto: ldns-verify-zone
# up to 200,000 delegations, dnssec-verify above), verdict in CASE.TOOL.verdict.
verify_one() {
  local case=$1 tool=$2 size=$3 v=$verifier
  if [ "$v" = auto ]; then
    if [ "$size" -le 200000 ]; then v=ldns; else v=bind; fi
  fi
  verify_with "$case" "$tool" "$v"
  cp "$out/$case.$tool.verdict-$v" "$out/$case.$tool.verdict"
}

# spawn CMD...: runs CMD in the background, at most $cores at a time (wait
# for the rest with `wait`).
running=0
spawn() {
  "$@" &
  running=$((running + 1))
  if [ "$running" -ge "$cores" ]; then
    wait -n || true
    running=$((running - 1))
  fi
}

# tool_stats CASE TOOL: "WALL CPU RSS-KB" of the tool's best round; for ours
# CPU and RSS add keystored's (CPU during the run, VmHWM).
tool_stats() {
  local wall user sys rss cpu ks_rss ks_ticks
  read -r wall user sys rss <"$out/$1.$2.time"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.1f", u + s}')
  if [ -f "$out/$1.$2.keystored" ]; then
    read -r ks_rss ks_ticks <"$out/$1.$2.keystored"
    rss=$((rss + ks_rss))
    cpu=$(awk -v c="$cpu" -v t="$ks_ticks" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "%.1f", c + t / hz}')
  fi
  echo "$wall $cpu $rss"
}

# table CASE SIZE MODE: prints the markdown table for one case.
table() {
  local case=$1 size=$2 mode=$3
  local ours_wall=""
  [ -f "$out/$case.ours-verify.time" ] &&
    ours_wall=$(awk '{print $1}' "$out/$case.ours-verify.time")
  echo
  echo "### $mode, $size delegations ($case)"
  echo
  echo "| tool | wall s (best) | rounds s | CPU s | peak RSS MB | signatures | wall / ours | wall / crypto limit | output |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
  local limit_sigs=""
  for tool in ours-verify ours-tls ours-noverify knot ldns bind; do
    [ -f "$out/$case.$tool.time" ] || continue
    local wall cpu rss sigs label verdict limit
    read -r wall cpu rss <<<"$(tool_stats "$case" "$tool")"
    sigs=$(count_sigs "$out/$case.$tool.signed")
    [ -z "$limit_sigs" ] && limit_sigs=$sigs
    limit=$(awk -v n="$sigs" -v r="$sign_rate" 'BEGIN {printf "%.2f", n / r}')
    verdict=$(cat "$out/$case.$tool.verdict" 2>/dev/null || echo "not verified")
    case "$tool" in
      ours-verify) label="zonekeep (self-verify on, default)" ;;
      ours-tls) label="zonekeep over loopback mutual TLS (self-verify on)" ;;
      ours-noverify) label="zonekeep (--no-self-verify)" ;;
      knot) label="kzonesign (signing-threads 2)" ;;
      ldns) label="ldns-signzone (1 thread)" ;;
      bind) label="dnssec-signzone -n 2 (verifies output)" ;;
    esac
    local ratio="-"
    [ -n "$ours_wall" ] &&
      ratio=$(awk -v a="$wall" -v b="$ours_wall" 'BEGIN {printf "%.2f", a / b}')
    local vs_limit
    vs_limit=$(awk -v a="$wall" -v b="$limit" 'BEGIN {printf "%.2f", a / b}')
    local all_rounds
    all_rounds=$(cat "$out/$case.$tool.rounds" 2>/dev/null || echo "$wall")
    printf '| %s | %.2f | %s | %s | %d | %d | %s | %s | %s |\n' "$label" "$wall" \
      "$all_rounds" "$cpu" $((rss / 1024)) "$sigs" "$ratio" "$vs_limit" "$verdict"
  done
  if [ -n "$limit_sigs" ]; then
    awk -v n="$limit_sigs" -v c="$cores" -v r="$sign_rate" 'BEGIN {
      printf "\ncrypto limit: %d signatures / %.0f signs/s (openssl speed -multi %d, best round) = %.2f s\n",
        n, r, c, n / r }'
  fi
  if [ -f "$out/$case.ours-tls.time" ] && [ -n "$ours_wall" ]; then
    awk -v t="$(awk '{print $1}' "$out/$case.ours-tls.time")" -v u="$ours_wall" \
      'BEGIN { printf "\n- mutual TLS over loopback / admin unix socket: wall %.2f (target <= 1.10)\n", t / u }'
  fi
  targets "$case" "$limit_sigs"
}

# targets CASE SIGNATURES: issue 18's targets for each zonekeep variant
# against the peers in this run, and keystored's own account of where the
# time went.
targets() {
  local case=$1 sigs=$2
  [ -f "$out/$case.knot.time" ] && [ -n "$sigs" ] || return 0
  local knot_wall knot_rss k_user k_sys bind_wall=0 check_wall=0
  read -r knot_wall k_user k_sys knot_rss <"$out/$case.knot.time"
  [ -f "$out/$case.bind.time" ] && bind_wall=$(awk '{print $1}' "$out/$case.bind.time")
  [ -f "$out/$case.knot-check.time" ] &&
    check_wall=$(awk '{print $1}' "$out/$case.knot-check.time")
  echo
  if [ "$check_wall" != 0 ]; then
    awk -v k="$knot_wall" -v c="$check_wall" 'BEGIN {
      printf "- Knot'"'"'s path to a verified zone: kzonesign %.2f s + kzonecheck --dnssec on %.2f s = %.2f s\n", k, c, k + c }'
  fi
  for tool in ours-verify ours-noverify; do
    [ -f "$out/$case.$tool.time" ] || continue
    local wall user sys rss ks_rss ks_ticks
    read -r wall user sys rss <"$out/$case.$tool.time"
    read -r ks_rss ks_ticks <"$out/$case.$tool.keystored"
    awk -v t="$tool" -v w="$wall" -v kw="$knot_wall" -v bw="$bind_wall" \
      -v cw="$check_wall" -v n="$sigs" -v r="$sign_rate" \
      -v rss=$((rss + ks_rss)) -v krss="$knot_rss" 'BEGIN {
        if (t == "ours-noverify") {
          printf "- %s (sign only): wall / kzonesign %.2f (target <= 0.40), wall / crypto limit %.2f (<= 1.15)",
            t, w / kw, w / (n / r)
        } else {
          printf "- %s (verified zone): wall / kzonesign %.2f (target <= 0.60)", t, w / kw
          if (cw > 0) printf ", / (kzonesign + kzonecheck) %.2f", w / (kw + cw)
          if (bw > 0) printf ", / dnssec-signzone %.2f (<= 0.20)", w / bw
        }
        printf ", peak RSS / kzonesign %.2f (<= 1.00)\n", rss / krss }'
    local steps
    steps=$(sed -n 's/^dnssigner: time //p' "$out/$case.$tool.log" | tail -1)
    [ -n "$steps" ] && echo "  - steps: $steps"
  done
  return 0
}

# keep_round CASE TOOL ROUND: files of this round's run get a .rROUND suffix.
keep_round() {
  local case=$1 tool=$2 r=$3 f
  for f in time log keystored; do
    [ -f "$out/$case.$tool.$f" ] && mv "$out/$case.$tool.$f" "$out/$case.$tool.r$r.$f"
  done
  return 0
}

# pick_best CASE TOOL: the round with the lowest wall time becomes the
# tool's result; all rounds' wall times go to CASE.TOOL.rounds.
pick_best() {
  local case=$1 tool=$2 best="" best_wall="" r wall f walls=()
  for r in $(seq 1 "$rounds"); do
    [ -f "$out/$case.$tool.r$r.time" ] || continue
    wall=$(awk '{print $1}' "$out/$case.$tool.r$r.time")
    walls+=("$wall")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then
      best=$r
      best_wall=$wall
    fi
  done
  [ -n "$best" ] || return 0
  for f in time log keystored; do
    [ -f "$out/$case.$tool.r$best.$f" ] && cp "$out/$case.$tool.r$best.$f" "$out/$case.$tool.$f"
  done
  echo "${walls[*]}" >"$out/$case.$tool.rounds"
}

# run_rounds CASE PER-ROUND RUN-ONE TOOL...: $rounds rounds; each runs
# PER-ROUND, then RUN-ONE TOOL for every TOOL in turn; then each tool's best
# round becomes its result.
run_rounds() {
  local case=$1 per_round=$2 run_one=$3 r tool
  shift 3
  for r in $(seq 1 "$rounds"); do
    "$per_round"
    for tool in "$@"; do
      log "$case round $r/$rounds: $tool"
      "$run_one" "$tool"
      keep_round "$case" "$tool" "$r"
    done
  done
  for tool in "$@"; do pick_best "$case" "$tool"; done
}

# full_one TOOL: one run of TOOL in run_case (its case, zone, mode and
# ours_flags).
full_one() {
  case "$1" in
    ours-verify) sign_ours "$case" "$zone" verify "${ours_flags[@]}" ;;
    ours-tls) sign_ours "$case" "$zone" tls "${ours_flags[@]}" ;;
    ours-noverify) sign_ours "$case" "$zone" noverify "${ours_flags[@]}" ;;
    knot) sign_knot "$case" "$zone" "$mode" ;;
    # Knot's own way to a verified zone: kzonecheck on kzonesign's output.
    knot-check) run_timed "$case.knot-check" kzonecheck -o "$origin" \
      --dnssec on "$out/$case.knot.signed" ;;
    ldns) sign_ldns "$case" "$zone" "$mode" ;;
    bind) sign_bind "$case" "$zone" "$mode" ;;
  esac
}

# incremental_one TOOL: one run of TOOL in run_incremental (its case, zone,
# changed zones and BIND keys).
incremental_one() {
  case "$1" in
    ours-full-*) sign_ours "$case" "$changed" "${1#ours-}" ;;
    ours-incr-*)
      sign_ours "$case" "$zone" base
      sign_ours "$case" "$changed" "${1#ours-}" -i 86400 ;;
    bind-full) bind_sign "$case.bind-full" "$keys" "$changed" nsec -t ;;
    bind-incr) bind_sign "$case.bind-incr" "$keys" "$bind_changed" nsec -t -i 86400 ;;
  esac
}

# ensure_zone SIZE: generates $out/tld-SIZE.zone once.
ensure_zone() {
  local zone=$out/tld-$1.zone
  if [ ! -s "$zone" ]; then
    log "generating $zone"
    python3 bench/gen_tld_zone.py "$origin" "$1" "$zone.tmp"
    mv "$zone.tmp" "$zone"
  fi
}

run_case() {
  local size=$1 mode=$2
  local zone=$out/tld-$size.zone
  local case=$mode-$size
  ensure_zone "$size"
  rm -f "$out/$case".*.time "$out/$case".*.verdict "$out/$case".*.signed \
    "$out/$case".*.keystored "$out/$case".*.rounds "$out/$case".*.log
  rm -rf "$out/$case.ours-state"
  local ours_flags=()
  [ "$mode" = nsec3 ] && ours_flags=(-3 - -H 0 -A)
  local tool_list=()
  has_tool ours && tool_list+=(ours-verify ours-tls ours-noverify)
  has_tool knot && tool_list+=(knot knot-check)
  has_tool ldns && tool_list+=(ldns)
  has_tool bind && tool_list+=(bind)
  run_rounds "$case" measure_sign_rate full_one "${tool_list[@]}"
  if [ "$do_verify" = 1 ]; then
    log "$case: verifying outputs of the last round (two at a time, not timed)"
    for tool in ours-verify ours-tls ours-noverify knot ldns bind; do
      [ -f "$out/$case.$tool.signed" ] || continue
      spawn verify_one "$case" "$tool" "$size"
    done
    wait
    running=0
  fi
  table "$case" "$size" "$mode" | tee -a "$report"
}

# The incremental case (issue 18): the zone with $changes records changed
# (bench/change_zone.py), re-signed incrementally and in full by each tool.
#   ours: dnssigner of the changed zone in full, and with -i 86400 right
#     after an (untimed) sign of the base zone, so every -i run starts from
#     the base's signature record; self-verify on and off.
#   BIND: dnssec-signzone signs the base once (untimed); the same change is
#     applied to that signed output (change_zone.py --signed), which
#     dnssec-signzone -i 86400 then re-signs with the same keys; and
#     dnssec-signzone of the changed zone in full.
incr_tools=(ours-full-verify ours-full-noverify ours-incr-verify
  ours-incr-noverify bind-full bind-incr)

run_incremental() {
  local size=$1
  local zone=$out/tld-$size.zone case=incr-$size
  local changed=$out/incr-$size.changed.zone
  ensure_zone "$size"
  rm -rf "$out/$case".*
  python3 bench/change_zone.py "$zone" "$changed" "$changes" 2>"$out/$case.change.log"
  local keys=$out/$case.bind-keys bind_changed=$out/$case.bind-base.changed
  if has_tool bind; then
    log "$case: dnssec-signzone of the base (untimed), the change applied to its output"
    bind_keys "$keys"
    bind_sign "$case.bind-base" "$keys" "$zone" nsec
    python3 bench/change_zone.py --signed "$origin" --base "$zone" \
      "$out/$case.bind-base.signed" "$bind_changed" "$changes" \
      2>"$out/$case.bind-change.log" || { cat "$out/$case.bind-change.log" >&2; return 1; }
    # The same NS and DS records after both changes: the same change.
    python3 bench/change_zone.py --same-change "$origin" "$changed" \
      "$bind_changed" 2>"$out/$case.same-change.log" ||
      { cat "$out/$case.same-change.log" >&2; return 1; }
  fi
  local tool_list=() tool
  has_tool ours && tool_list+=("${incr_tools[@]:0:4}")
  has_tool bind && tool_list+=("${incr_tools[@]:4:2}")
  run_rounds "$case" true incremental_one "${tool_list[@]}"
  if [ "$do_verify" = 1 ]; then
    local verifiers=(bind ldns knot) v
    [ "$verifier" = auto ] || verifiers=("$verifier")
    log "$case: verifying the -i outputs of the last round with ${verifiers[*]} (not timed)"
    for tool in ours-incr-verify ours-incr-noverify bind-incr; do
      [ -f "$out/$case.$tool.signed" ] || continue
      for v in "${verifiers[@]}"; do spawn verify_with "$case" "$tool" "$v"; done
    done
    wait
    running=0
  fi
  incremental_table "$case" "$size" | tee -a "$report"
}

# new_reused CASE TOOL: "NEW / REUSED" signatures of the tool's best round,
# from dnssigner's summary line or dnssec-signzone -t's statistics.
new_reused() {
  local log=$out/$1.$2.log
  case "$2" in
    ours-*) sed -n 's/^dnssigner: .* signed: .*(\([0-9]*\) reused, \([0-9]*\) new).*/\2 \/ \1/p' \
      "$log" | tail -1 ;;
    bind-*) awk '/^Signatures generated:/ {g = $3} /^Signatures retained:/ {r = $3}
      END {print g " / " r}' "$log" ;;
  esac
}

# incremental_table CASE SIZE: the incremental case's table and targets.
incremental_table() {
  local case=$1 size=$2 tool
  echo
  echo "### incremental, NSEC, $size delegations, $changes changes: $(cat "$out/$case.change.log") ($case)"
  echo
  echo "| tool | wall s (best) | rounds s | CPU s | peak RSS MB | signatures | new / reused | -i / own full | verified |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
  local -A walls=()
  for tool in "${incr_tools[@]}"; do
    [ -f "$out/$case.$tool.time" ] || continue
    local wall cpu rss label verdicts ratio="-"
    read -r wall cpu rss <<<"$(tool_stats "$case" "$tool")"
    walls[$tool]=$wall
    case "$tool" in
      ours-full-verify) label="zonekeep full (self-verify on)" ;;
      ours-full-noverify) label="zonekeep full (--no-self-verify)" ;;
      ours-incr-verify) label="zonekeep -i 86400 (self-verify on)" ;;
      ours-incr-noverify) label="zonekeep -i 86400 (--no-self-verify)" ;;
      bind-full) label="dnssec-signzone -n 2 full" ;;
      bind-incr) label="dnssec-signzone -n 2 -i 86400 of its signed output" ;;
    esac
    local full=${tool/incr/full}
    [ "$full" != "$tool" ] && [ -n "${walls[$full]:-}" ] &&
      ratio=$(awk -v a="$wall" -v b="${walls[$full]}" 'BEGIN {printf "%.3f", a / b}')
    verdicts=$(cat "$out/$case.$tool".verdict-* 2>/dev/null | paste -sd, - | sed 's/,/, /g' || true)
    [ -n "$verdicts" ] || verdicts="-"
    printf '| %s | %.2f | %s | %s | %d | %d | %s | %s | %s |\n' "$label" "$wall" \
      "$(cat "$out/$case.$tool.rounds")" "$cpu" $((rss / 1024)) \
      "$(count_sigs "$out/$case.$tool.signed")" "$(new_reused "$case" "$tool")" \
      "$ratio" "$verdicts"
  done
  echo
  [ -f "$out/$case.same-change.log" ] &&
    echo "- BIND's input: its own signed base with the same change ($(cat "$out/$case.same-change.log"))"
  for tool in ours-incr-verify ours-incr-noverify; do
    [ -n "${walls[$tool]:-}" ] || continue
    local full=${tool/incr/full}
    [ -n "${walls[$full]:-}" ] && awk -v t="$tool" -v a="${walls[$tool]}" -v b="${walls[$full]}" 'BEGIN {
      printf "- %s / ours full: %.3f (target <= 0.10): %s\n", t, a / b, (a / b <= 0.10) ? "met" : "NOT met" }'
    [ -n "${walls[bind-incr]:-}" ] && awk -v t="$tool" -v a="${walls[$tool]}" -v b="${walls[bind-incr]}" 'BEGIN {
      printf "- %s / dnssec-signzone -i: %.3f (target < 1): %s\n", t, a / b, (a / b < 1) ? "met" : "NOT met" }'
  done
  [ -n "${walls[bind-incr]:-}" ] && [ -n "${walls[bind-full]:-}" ] &&
    awk -v a="${walls[bind-incr]}" -v b="${walls[bind-full]}" 'BEGIN {
      printf "- dnssec-signzone -i / its full sign: %.3f\n", a / b }'
  local steps
  steps=$(sed -n 's/^dnssigner: time //p' "$out/$case.ours-incr-verify.log" 2>/dev/null | tail -1)
  [ -n "$steps" ] && echo "- ours -i steps (self-verify on): $steps"
  return 0
}

{
  echo "# bench run $stamp"
  echo
  echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $cores cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "each tool: best of $rounds rounds, tools interleaved within a round; inception $inception, expiration $expiration"
} | tee "$report"

IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a nsec3_list <<<"$nsec3_sizes"
if [ "$full_cases" = 1 ]; then
  for size in "${size_list[@]}"; do run_case "$size" nsec; done
  for size in "${nsec3_list[@]}"; do
    [ -n "$size" ] && run_case "$size" nsec3
  done
fi
if [ "$incremental" = 1 ]; then
  for size in "${size_list[@]}"; do run_incremental "$size"; done
fi
log "tables written to $report"
