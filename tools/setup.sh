#!/usr/bin/env bash
# Installs what zonekeep needs to build, test and benchmark, from Debian's
# packages only. Idempotent: installs only what is missing. Run as root.
set -euo pipefail

packages=(
  # build
  bazel-bootstrap bazel-rules-java g++ python3 clang-format
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
  libldns-dev libssl-dev libsqlite3-dev libabsl-dev libgtest-dev libgmock-dev
  libedit-dev
  # fuzz targets (tools/run_fuzz.sh): clang with libFuzzer and the sanitizers
  clang libclang-rt-14-dev
  # man pages: man -l docs/man/*
  man-db groff-base
  # verifiers, peers, DNS servers and resolvers used by tests and bench/
  bind9-utils bind9-dnsutils ldnsutils knot-dnssecutils knot unbound
  # the second-language client of tests/e2e/python_sign_client.py
  python3-grpcio python3-grpc-tools
  sqlite3 openssl time
  # tests/deploy_*: the unit, accounts and firewall of deploy/ checked by
  # systemd-analyze, systemd-sysusers, systemd-tmpfiles, nft and ip netns
  systemd nftables iproute2
  # tests/unit_sandbox_exec: the unit's syscall filter applied with seccomp
  libseccomp-dev
  # tests/e2e/ssh_login_e2e_test: Debian's sshd, ssh/scp/sftp, setpriv
  openssh-server openssh-client util-linux
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian starts these daemons on install; the tests start their own.
  for svc in knot unbound named; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
  # sshd likewise, but only if this run installed it: an sshd that was
  # already there may be how someone reaches this machine.
  case " ${missing[*]} " in
    *" openssh-server "*) systemctl disable --now ssh >/dev/null 2>&1 || true ;;
  esac
fi
