#!/usr/bin/env bash
# omb's NATS JetStream driver next to the NATS CLI's own tools, on one local nats-server
# (scripts/broker.sh starts a 1-node JetStream server if none runs, and stops it after):
#   1. JetStream publish, maximum rate, file storage, 1 replica, one publisher with at most
#      500 publishes awaiting their ack: omb (a produce-only workload at an unreachable
#      rate, publishMaxPending: 500) vs `nats bench js pub async --batch 500`.
#   2. End-to-end latency at a fixed rate (1 publisher, 1 consumer): omb through JetStream
#      (publish, store, pull, ack) vs `nats latency`, core NATS publish -> subscribe at the
#      same rate and size. The NATS CLI has no JetStream end-to-end latency figure, so the
#      core NATS figure is the floor: what the client, the server and the loopback cost
#      without JetStream; the ratio is JetStream's (and omb's) share on top of it.
# Each for 100 B and 1 KiB messages, side by side with the ratio omb / nats.
# Usage: bench/nats.sh [build-dir] [--seconds S] [--rate R]
#   S: seconds per measurement (default 10); R: the fixed rate of step 2 (default 1000 msg/s)
# The NATS CLI: $NATS_CLI, or natscli v0.5.0 built once into ~/.cache/omb/bin with
# `go install` (the Go module proxy).
# omb_result.py (scripts/): a result read with its sidecar, as omb's tools read it.
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)/scripts${PYTHONPATH:+:$PYTHONPATH}"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
secs=10
rate=1000
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) secs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) build=$1; shift ;;
  esac
done
omb=$(cd "$build" && pwd)/omb
[ -x "$omb" ] || { echo "no omb binary in $build" >&2; exit 2; }
"$omb" --help 2>&1 | grep -q "drivers built in:.*nats" || { echo "$omb was built without the nats driver" >&2; exit 2; }

NATS_CLI=${NATS_CLI:-$HOME/.cache/omb/bin/nats}
if [ ! -x "$NATS_CLI" ]; then
  command -v go >/dev/null || { echo "the NATS CLI is not at $NATS_CLI and there is no go to build it" >&2; exit 2; }
  echo "building the NATS CLI (natscli v0.5.0) into $(dirname "$NATS_CLI") ..."
  mkdir -p "$(dirname "$NATS_CLI")"
  GOBIN=$(dirname "$NATS_CLI") go install github.com/nats-io/natscli/nats@v0.5.0
fi
url=nats://127.0.0.1:4222
broker=$root/scripts/broker.sh
work=$(mktemp -d)
started=0
cleanup() {
  for s in 100 1024; do "$NATS_CLI" -s "$url" stream rm -f "omb-bench-$s" >/dev/null 2>&1 || true; done
  ((started)) && "$broker" stop nats >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
if ! "$broker" status nats >/dev/null 2>&1; then
  "$broker" start nats >/dev/null
  started=1
fi
cd "$work"
printf 'name: NATS\ndriverClass: nats\nnatsHostUrl: %s\nreplicationFactor: 1\nstorageType: file\npublishMaxPending: 500\n' "$url" > nats.yaml
minutes=$(python3 -c "print($secs / 60)")

omb_run() { # SIZE SUBS RATE -> r.json
  cat > w.yaml <<Y
name: nats bench
topics: 1
messageSize: $1
subscriptionsPerTopic: $2
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: $3
testDurationMinutes: $minutes
warmupDurationMinutes: 0
Y
  "$omb" run -d nats.yaml --period 1 -o r.json w.yaml > omb.log 2>&1 || { tail -5 omb.log >&2; echo "omb run failed" >&2; exit 1; }
}

rows=()
for size in 100 1024; do
  # 1. publish, maximum rate
  omb_run "$size" 0 10000000
  omb_pub=$(python3 -c "
import json, omb_result; r = omb_result.load('r.json'); s = sum(r['periodSeconds'])
print('%.0f' % (sum(x * t for x, t in zip(r['publishRate'], r['periodSeconds'])) / s))")
  # As many messages as omb sent in its S seconds, so both run about as long.
  msgs=$((omb_pub * secs > 1000 ? omb_pub * secs : 1000))
  "$NATS_CLI" -s "$url" bench js pub async "omb-bench-$size" --stream "omb-bench-$size" --create \
    --storage file --replicas 1 --batch 500 --size "$size" --msgs "$msgs" --no-progress > nb.log 2>&1 || { cat nb.log >&2; echo "nats bench failed" >&2; exit 1; }
  "$NATS_CLI" -s "$url" stream rm -f "omb-bench-$size" >/dev/null 2>&1 || true
  nb_pub=$(sed -n 's/.*publisher stats: \([0-9,]*\) msgs\/sec.*/\1/p' nb.log | tr -d , | head -1)
  [ -n "$nb_pub" ] || { cat nb.log >&2; echo "no rate in nats bench's output" >&2; exit 1; }

  # 2. end-to-end latency at a fixed rate
  omb_run "$size" 1 "$rate"
  read -r omb_p50 omb_p99 < <(python3 -c "
import json, omb_result; r = omb_result.load('r.json')
print(r['aggregatedEndToEndLatency50pct'], r['aggregatedEndToEndLatency99pct'])")
  "$NATS_CLI" -s "$url" latency --server-b "$url" --size "$size" --rate "$rate" --duration "${secs}s" > lat.log 2>&1 ||
    { cat lat.log >&2; echo "nats latency failed" >&2; exit 1; }
  read -r nl_p50 nl_p99 < <(python3 - <<'P'
import re
ms = {}
for line in open("lat.log"):
    m = re.search(r"\s(50|99):\s+([0-9.]+)(ns|µs|us|ms|s)\s*$", line)
    if m:
        f = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(3)]
        ms[m.group(1)] = float(m.group(2)) * f
print(ms.get("50", "nan"), ms.get("99", "nan"))
P
)
  rows+=("$size $omb_pub $nb_pub $omb_p50 $omb_p99 $nl_p50 $nl_p99")
done

echo
echo "NATS JetStream on $url, file storage, 1 replica; $secs s per figure; nats-server $(nats-server --version 2>/dev/null | awk '{print $2}'), natscli $("$NATS_CLI" --version 2>&1)"
printf '%-6s | %-44s | %s\n' "" "JetStream publish, max rate (msg/s)" "end-to-end at $rate msg/s, p50 / p99 (ms)"
printf '%-6s | %12s %14s %8s       | %17s %21s %14s\n' size omb "nats bench" ratio "omb (JetStream)" "nats latency (core)" "ratio p50"
for row in "${rows[@]}"; do
  read -r size a b c d e f <<<"$row"
  python3 -c "
size, a, b, c, d, e, f = '$size', $a, $b, $c, $d, $e, $f
print('%-6s | %12.0f %14.0f %8.2f       | %8.3f / %6.3f %10.3f / %6.3f %14.1f' % (size + ' B', a, b, a / b, c, d, e, f, c / e if e else float('nan')))"
done
