#!/usr/bin/env bash
# First README command: set up, build, and run a real 30-second benchmark on the embedded
# default driver (Kafka on librdkafka's in-process mock cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
mkdir -p results
cd results
exec ../build/omb run ../examples/workloads/smoke-30s.yaml
