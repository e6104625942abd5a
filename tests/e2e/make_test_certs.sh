#!/bin/bash
# Makes the certificates of tls_server_e2e_test in DIR (test time only; no key
# is ever committed): two CAs, server certificates (SAN 127.0.0.1, ::1 and
# localhost), client certificates, a self-signed one, an expired and a
# not-yet-valid one (openssl ca -startdate/-enddate).
set -euo pipefail
cd "$1"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() {  # ca NAME
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$1" -days 30 -out "$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  mkdir -p "$1.db/new"; : > "$1.db/index.txt"; echo 1000 > "$1.db/serial"
  cat > "$1.cnf" <<CNF
[ ca ]
default_ca = d
[ d ]
database = $1.db/index.txt
new_certs_dir = $1.db/new
serial = $1.db/serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[ p ]
commonName = supplied
CNF
}
issue() {  # issue CA NAME SAN START END
  key "$2.key"
  openssl req -new -key "$2.key" -subj "/CN=$2" ${3:+-addext "subjectAltName=$3"} -out "$2.csr"
  openssl ca -batch -notext -config "$1.cnf" -cert "$1.pem" -keyfile "$1.key" \
    -startdate "$4" -enddate "$5" -in "$2.csr" -out "$2.pem" 2>/dev/null
}
now=$(date -u +%Y%m%d%H%M%SZ -d '-1 hour')
later=$(date -u +%Y%m%d%H%M%SZ -d '+30 days')
ca ca
ca otherca
issue ca server "IP:127.0.0.1,IP:::1,DNS:localhost" "$now" "$later"
issue ca server2 "IP:127.0.0.1,IP:::1,DNS:localhost" "$now" "$later"
issue ca admin "DNS:admin.example.net" "$now" "$later"
issue ca signer1 "DNS:signer1.example.net" "$now" "$later"
issue ca other "DNS:other.example.net" "$now" "$later"
# CN is a listed name, no SAN at all: the CN counts.
key cn.key
openssl req -new -key cn.key -subj "/CN=signer1.example.net" -out cn.csr
openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key \
  -startdate "$now" -enddate "$later" -in cn.csr -out cn.pem 2>/dev/null
issue ca expired "DNS:signer1.example.net" 20200101000000Z 20210101000000Z
issue ca notyet "DNS:signer1.example.net" 20400101000000Z 20410101000000Z
issue otherca foreign "DNS:signer1.example.net" "$now" "$later"
key selfsigned.key
openssl req -x509 -new -key selfsigned.key -subj "/CN=signer1.example.net" -days 30 \
  -addext "subjectAltName=DNS:signer1.example.net" -out selfsigned.pem
rm -f ./*.csr
