#!/usr/bin/env bash
# Installs every Debian package alertc needs to build, test and run its end-to-end servers.
# Idempotent and non-interactive: packages already present are skipped by apt itself.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache mold python3 bc
  # compiler back end and its test tools (FileCheck, lit)
  llvm-19-dev llvm-19-tools libzstd-dev zlib1g-dev libedit-dev libxml2-dev libffi-dev libcurl4-openssl-dev
  # parser generator (tool 4.7.2 + C++ runtime 4.9, checked to work together)
  antlr4 default-jre-headless libantlr4-runtime-dev
  # libraries
  libfmt-dev libcli11-dev libgtest-dev libgmock-dev libre2-dev libsimdjson-dev libabsl-dev
  nlohmann-json3-dev libsqlite3-dev libcpp-httplib-dev
  # fuzzing (tools/fuzz.sh, -DALERT_FUZZ=ON): libFuzzer comes with clang
  clang-19 libfuzzer-19-dev
  # end-to-end receivers
  python3-aiosmtpd prometheus-alertmanager
  # a real SMS gateway for the sms channel's test: bearerbox + smsbox, fakesmsc as the phones
  kannel kannel-extras
  # the APNs test: a P-256 key made with openssl, an HTTP/2 receiver on Node's http2
  openssl
)

# Node.js (the APNs test's HTTP/2 receiver): Debian's, unless the machine already has one.
command -v node > /dev/null || PACKAGES+=(nodejs)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
