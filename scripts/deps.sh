#!/usr/bin/env bash
# Installs the Debian 12 packages omb builds, tests and benchmarks with, the brokers the
# tests run against among them (as root; a no-op when they are already there). Installing
# a broker package starts no broker: scripts/broker.sh starts and stops them.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config clang llvm
  librdkafka-dev libjansson-dev libyaml-dev zlib1g-dev libcmocka-dev
  libmicrohttpd-dev libcurl4-openssl-dev
  librabbitmq-dev libnats-dev libhiredis-dev libmosquitto-dev
  python3 kafkacat chromium
  openjdk-17-jdk-headless maven libhdrhistogram-java libjackson2-databind-java
  rabbitmq-server nats-server redis-server redis-tools mosquitto mosquitto-clients
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  # Installing a broker package must not start a broker (a fresh Debian's maintainer
  # scripts would start rabbitmq-server, redis and mosquitto on their ports):
  # policy-rc.d says no to every service start while apt runs.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
