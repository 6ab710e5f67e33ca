#!/usr/bin/env bash
# omb's Redis Streams driver against redis-benchmark (Debian redis-tools) on the same local
# redis-server (scripts/broker.sh start redis), for 100 B and 1 KiB messages:
#   max produce rate  redis-benchmark: `-c 1 -P <pipeline> XADD <key> * d <value>` (one
#                     connection, <pipeline> commands in flight), its requests/s;
#                     omb: one producer on one topic, no subscription, `pipeline: <pipeline>`,
#                     `trim: false` (redis-benchmark's XADD does not trim either), a
#                     producerRate far above what Redis takes, the publish rate over the run.
#                     The ratio omb / redis-benchmark is printed.
#   memory            Redis's INFO memory used_memory after a fixed-rate run (one producer,
#                     one subscription, topics kept) with trim on (maxLen <maxlen>) and off,
#                     minus used_memory before the run.
# Usage: bench/redis.sh [--build DIR] [--seconds S] [--requests N] [--pipeline P]
#                       [--rate R] [--maxlen M] [--sizes "100 1024"]
# Short runs only prove it works; publishable figures want --seconds 60 and --requests
# 2000000 or more on an idle machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build seconds=10 requests=200000 pipeline=16 rate=5000 maxlen=10000 sizes="100 1024"
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --pipeline) pipeline=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --maxlen) maxlen=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench/redis.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
omb=$(cd "$build" && pwd)/omb
[ -x "$omb" ] || { echo "bench/redis.sh: no omb binary in $build" >&2; exit 2; }
"$omb" --help 2>&1 | grep -q "drivers built in:.*redis" || { echo "bench/redis.sh: $omb is built without the redis driver" >&2; exit 2; }
for t in redis-benchmark redis-cli python3; do
  command -v $t >/dev/null || { echo "bench/redis.sh: needs $t (Debian: redis-tools)" >&2; exit 2; }
done
broker=$root/scripts/broker.sh
work=$(mktemp -d)
started=0
cleanup() {
  redis-cli DEL omb-bench-xadd >/dev/null 2>&1 || true
  if [ $started = 1 ]; then "$broker" stop redis >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if ! "$broker" status redis >/dev/null 2>&1; then
  "$broker" start redis >/dev/null
  started=1
fi
cd "$work"
minutes=$(python3 -c "print($seconds / 60)")
prefix=redis-openmessaging-benchmark
used() { redis-cli INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }
drop_kept() { redis-cli --scan --pattern "$prefix-*" | xargs -r redis-cli DEL >/dev/null; }

workload() { # SIZE RATE SUBS
  cat > w.yaml <<Y
name: redis bench $1 B
topics: 1
messageSize: $1
subscriptionsPerTopic: $3
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: $2
testDurationMinutes: $minutes
warmupDurationMinutes: 0
Y
}
pub_rate() { # RESULT: publish rate over the whole measured time
  python3 -c "
import json, os; r = json.load(open('$1')); side = '$1'[:-5] + '.omb'
if os.path.isfile(side): r = {**json.load(open(side)), **r}  # omb's sidecar: periodSeconds
s = sum(r['periodSeconds']); print('%.0f' % (sum(x * t for x, t in zip(r['publishRate'], r['periodSeconds'])) / s))"
}

echo "== max produce rate: 1 connection, pipeline $pipeline (redis-benchmark -n $requests; omb ${seconds} s)"
for size in $sizes; do
  value=$(head -c "$size" /dev/zero | tr '\0' x)
  redis-cli DEL omb-bench-xadd >/dev/null
  peer=$(redis-benchmark -h 127.0.0.1 -p 6379 -c 1 -P "$pipeline" -n "$requests" --csv \
           XADD omb-bench-xadd '*' d "$value" | tail -1 | cut -d, -f2 | tr -d '"')
  redis-cli DEL omb-bench-xadd >/dev/null
  printf 'name: Redis\ndriverClass: redis\ntrim: false\npipeline: %s\n' "$pipeline" > max.yaml
  workload "$size" 10000000 0
  "$omb" run -d max.yaml --period "$seconds" -o max.json w.yaml > max.log 2>&1 || { tail -5 max.log; echo "omb max-rate run failed"; exit 1; }
  mine=$(pub_rate max.json)
  python3 -c "print('%5s B: redis-benchmark %9.0f msg/s   omb %9.0f msg/s   omb/redis-benchmark %.2f' % ('$size', float('$peer'), $mine, $mine / float('$peer')))"
done

echo "== Redis memory after ${seconds} s at $rate msg/s, 1 subscription (INFO memory used_memory, minus before)"
for size in $sizes; do
  for trim in true false; do
    drop_kept
    base=$(used)
    printf 'name: Redis\ndriverClass: redis\ntrim: %s\nmaxLen: %s\n' "$trim" "$maxlen" > mem.yaml
    workload "$size" "$rate" 1
    "$omb" run -d mem.yaml --keep-topics --period "$seconds" -o mem.json w.yaml > mem.log 2>&1 || { tail -5 mem.log; echo "omb fixed-rate run failed"; exit 1; }
    key=$(redis-cli --scan --pattern "$prefix-*" | head -1)
    len=$(redis-cli XLEN "$key")
    after=$(used)
    drop_kept
    python3 -c "print('%5s B, trim: %-5s: XLEN %8d   used_memory +%7.1f MiB' % ('$size', '$trim' + (' (maxLen $maxlen)' if '$trim' == 'true' else ''), $len, ($after - $base) / 2**20))"
  done
done
