#!/usr/bin/env bash
# Prints backlog build and drain times: 1 GiB on the loopback driver, and 48 MiB (16
# partitions x 3 MiB) on the Kafka mock. The mock keeps 5 MiB of log per partition however
# far behind consumers are, and producers keep writing while the backlog drains, so the
# backlog must leave room below that; its consumers fetch one batch per partition per
# request, so producers batch (linger.ms=50) for the drain to outrun them.
# Usage: bench/backlog.sh [build-dir]
# omb_result.py (scripts/): a result read with its sidecar, as omb's tools read it.
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)/scripts${PYTHONPATH:+:$PYTHONPATH}"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
omb=$(cd "${1:-$root/build}" && pwd)/omb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'name: Loopback\ndriverClass: loopback\n' > lb.yaml
printf 'name: Kafka\ndriverClass: kafka\nproducerConfig: |\n  linger.ms=50\n  batch.size=1000000\nconsumerConfig: |\n  auto.offset.reset=earliest\n' > kafka.yaml
run() { # LABEL DRIVER-ARGS GB PARTITIONS RATE
  cat > w.yaml <<Y
name: backlog bench
topics: 1
partitionsPerTopic: $4
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: 4
consumerPerSubscription: 1
producerRate: $5
consumerBacklogSizeGB: $3
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
  $omb run $2 --period 5 -o r.json w.yaml > log 2>&1 || { tail -5 log; echo "$1: run failed"; return; }
  python3 - "$1" <<'P'
import omb_result
import json, sys
r = omb_result.load("r.json"); b = r["omb"]["backlog"]
mib = b["targetMessages"] * 1024 / 2**20
d = r["omb"].get("delivery", [])
missing = sum(x["missing"] for x in d)
print(f"{sys.argv[1]}: {b['targetMessages']} messages ({mib:.0f} MiB): built in {b['buildSeconds']:.1f} s, "
      f"drained in {b['drainSeconds']:.1f} s ({b['targetMessages'] / max(b['drainSeconds'], 1e-9):,.0f} msg/s)"
      f"{'' if not missing else f', {missing} messages lost'}")
P
}
run "loopback, 1 GiB" "-d lb.yaml" 1 16 300000
run "kafka mock, 16 partitions x 3 MiB" "-d kafka.yaml" 0.046875 16 10000
