#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine (as root): install what is
# missing, build, start keystored on its embedded default (state in
# ./var/keystored, the admin socket), create keys for example.com., list them,
# print the DS for the parent, sign deploy/example.com.zone through the admin
# socket and verify it with three independent verifiers. Then the remote
# flow: a CA, a server and a client certificate for the quick start
# (var/tls/, private keys 0600), keystored restarted on the same state with
# var/keystored.json (a mutual-TLS listener on 127.0.0.1:8053 where
# signer.example.net may sign example.com.), the zone signed over mutual TLS
# and verified. Safe to run again: keys and certificates are reused; a
# keystored the script started is stopped at the end.
# ZONEKEEP_QUICKSTART_PORT picks another port.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cache_dir="${ZONEKEEP_BAZEL_CACHE:-$HOME/.cache/zonekeep/bazel-disk}"
mkdir -p "$cache_dir"
bazel build -c opt --disk_cache="$cache_dir" //keystore:keystored //cli:maintkeydb //cli:dnssigner

bin=bazel-bin
socket=./var/keystored/admin.sock
zone=example.com.
port="${ZONEKEEP_QUICKSTART_PORT:-8053}"
tls=var/tls
config=var/keystored.json
mkdir -p var

# Certificates: a CA, the server's (SAN 127.0.0.1 and localhost) and the
# signing client's (SAN signer.example.net, its identity in `clients`). Made
# once; made again when the CA is missing or a certificate ends within a day.
key() { (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"); }
issue() {  # issue NAME SUBJECT-ALT-NAMES EXTENDED-KEY-USAGE
  key "$tls/$1.key"
  openssl req -new -key "$tls/$1.key" -subj "/CN=$1" -out "$tls/$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$2" "$3" >"$tls/$1.ext"
  openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 365 -sha256 -extfile "$tls/$1.ext" -out "$tls/$1.pem" 2>/dev/null
  rm -f "$tls/$1.csr" "$tls/$1.ext"
}
fresh() { [ -s "$tls/$1.pem" ] && openssl x509 -checkend 86400 -noout -in "$tls/$1.pem" >/dev/null; }
mkdir -p "$tls"
chmod 700 "$tls"
if ! fresh ca || ! fresh server || ! fresh signer; then
  echo "== making a CA, a server and a client certificate in $tls/"
  key "$tls/ca.key"
  openssl req -x509 -new -key "$tls/ca.key" -subj "/CN=zonekeep quick start CA" -days 730 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tls/ca.pem"
  issue server "IP:127.0.0.1,DNS:localhost" serverAuth
  issue signer "DNS:signer.example.net" clientAuth
fi
chmod 600 "$tls"/*.key

# `clients`: this user is admin on the socket; the client certificate's SAN
# may sign example.com. over TLS, nothing else.
cat >"$config" <<JSON
{
  "state-dir": "./var/keystored",
  "listen": "127.0.0.1:$port",
  "tls": { "trust-anchor": "$tls/ca.pem", "cert-file": "$tls/server.pem",
           "key-file": "$tls/server.key" },
  "clients": [ { "identity": "unix:$(id -un)", "role": "admin" },
               { "identity": "signer.example.net", "role": "signer", "zones": ["$zone"] } ]
}
JSON
"$bin/keystore/keystored" --check-config "$config"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
ours_pid=""
stop_ours() {
  if [ -n "$ours_pid" ]; then
    kill "$ours_pid" 2>/dev/null
    wait "$ours_pid" 2>/dev/null || true
    ours_pid=""
  fi
}
trap stop_ours EXIT
# start_keystored [--config FILE]: starts keystored unless one already serves
# the socket; waits until it answers.
start_keystored() {
  if "$bin/cli/maintkeydb" --socket "$socket" list >/dev/null 2>&1; then
    return 0
  fi
  "$bin/keystore/keystored" "$@" 2>>var/keystored.log &
  ours_pid=$!
  for _ in $(seq 1 100); do
    "$bin/cli/maintkeydb" --socket "$socket" list >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "quickstart: keystored did not start; see var/keystored.log" >&2
  exit 1
}

# 1. keystored on its embedded default (state in ./var/keystored, the admin
#    socket, no TCP listener): keys made, a zone signed and verified.
start_keystored
echo "== keystored is serving $socket (embedded default)"

mk() { echo "\$ maintkeydb $*"; "$bin/cli/maintkeydb" --socket "$socket" "$@"; }

if ! "$bin/cli/maintkeydb" --socket "$socket" list "$zone" >/dev/null 2>&1; then
  mk create both ECDSAP256SHA256 - "$zone"
fi
mk list "$zone"
mk parentdata ds "$zone"

verify() {
  echo "== verifying $1"
  dnssec-verify -q -o "$zone" "$1" && echo "dnssec-verify: ok"
  ldns-verify-zone "$1" >/dev/null && echo "ldns-verify-zone: ok"
  kzonecheck -o "$zone" --dnssec on "$1" && echo "kzonecheck: ok"
}

out=var/example.com.signed
echo "\$ dnssigner -o $zone -f $out deploy/example.com.zone"
"$bin/cli/dnssigner" --socket "$socket" -o "$zone" -f "$out" deploy/example.com.zone
verify "$out"

# 2. The same keystored state, now with var/keystored.json: a mutual-TLS
#    listener on 127.0.0.1:$port for the signer identity signer.example.net.
if [ -n "$ours_pid" ]; then
  stop_ours
  start_keystored --config "$config"
  for _ in $(seq 1 50); do listening && break; sleep 0.1; done
fi
if ! listening; then
  echo "== a keystored started elsewhere serves $socket without the TLS listener;" \
    "stop it (pid $(cat var/keystored/keystored.lock 2>/dev/null)) to see the mutual-TLS step"
  echo "== done: signed zone in $out"
  exit 0
fi
echo "== keystored is serving mutual TLS on 127.0.0.1:$port"
out_tls=var/example.com.tls.signed
echo "\$ dnssigner --server 127.0.0.1:$port --ca $tls/ca.pem --cert $tls/signer.pem" \
  "--key $tls/signer.key -o $zone -f $out_tls deploy/example.com.zone"
"$bin/cli/dnssigner" --server "127.0.0.1:$port" --ca "$tls/ca.pem" --cert "$tls/signer.pem" \
  --key "$tls/signer.key" -o "$zone" -f "$out_tls" deploy/example.com.zone
verify "$out_tls"
echo "== done: signed zones in $out (admin socket) and $out_tls (mutual TLS)"
