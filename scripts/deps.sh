#!/usr/bin/env bash
# Installs the Debian 12 packages omb builds, tests and benchmarks with (as root; a no-op
# when they are already there).
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config clang llvm
  librdkafka-dev libjansson-dev libyaml-dev zlib1g-dev libcmocka-dev
  libmicrohttpd-dev libcurl4-openssl-dev
  librabbitmq-dev libnats-dev libhiredis-dev libmosquitto-dev
  python3 kafkacat chromium
  openjdk-17-jdk-headless libhdrhistogram-java
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
