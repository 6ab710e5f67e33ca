#!/usr/bin/env bash
# omb against RabbitMQ PerfTest (RabbitMQ's own load tool, com.rabbitmq:perf-test from Maven
# Central) on the same local broker: the maximum produce rate, and the end-to-end latency at
# a fixed rate, for 100 B and 1 KiB messages, printed side by side with the ratio.
# Both sides: 1 producer and 1 consumer on one classic queue behind one exchange, publisher
# confirms with up to 10,000 unconfirmed, prefetch 1000, consumer acks with multiple=true
# (omb acks every 250 messages or 10 ms; PerfTest -A 250), transient messages.
# omb's max rate is a fixed rate far above what one producer can send (10 M msg/s), as
# OMB's max-rate workloads; PerfTest's is its unthrottled default.
#
# Usage: bench/rabbitmq.sh [build-dir]
#   BENCH_SECONDS  seconds per measurement (default 60; a few seconds only prove it runs)
#   BENCH_RATE     msg/s for the latency measurement (default 5000)
#   BENCH_SIZES    message sizes (default "100 1024")
# Starts RabbitMQ with scripts/broker.sh if it is not running (and stops it at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
omb=$(cd "${1:-$root/build}" && pwd)/omb
secs=${BENCH_SECONDS:-60}
rate=${BENCH_RATE:-5000}
sizes=${BENCH_SIZES:-100 1024}
pt_version=$(sed -n 's:.*<perftest.version>\(.*\)</perftest.version>.*:\1:p' "$root/bench/rabbitmq/pom.xml")
pt_dir="${OMB_PERFTEST_CACHE:-$HOME/.cache/omb/perftest}/$pt_version"
"$omb" --help 2>&1 | grep -q "drivers built in:.*rabbitmq" || { echo "bench/rabbitmq.sh: $omb was built without the rabbitmq driver" >&2; exit 1; }
command -v java >/dev/null || { echo "bench/rabbitmq.sh: PerfTest needs java (openjdk-17-jdk-headless)" >&2; exit 1; }

if ! ls "$pt_dir"/perf-test-*.jar >/dev/null 2>&1; then
  echo "Fetching PerfTest $pt_version with Maven into $pt_dir ..." >&2
  mkdir -p "$pt_dir"
  mvn -B -q -Dstyle.color=never -f "$root/bench/rabbitmq/pom.xml" dependency:copy-dependencies \
    "-DoutputDirectory=$pt_dir" >"$pt_dir/mvn.log" 2>&1 ||
    { tail -5 "$pt_dir/mvn.log" >&2; echo "bench/rabbitmq.sh: could not fetch PerfTest $pt_version" >&2; exit 1; }
fi

work=$(mktemp -d)
started=0
cleanup() {
  if [ "$started" = 1 ]; then "$root/scripts/broker.sh" stop rabbitmq >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if ! "$root/scripts/broker.sh" status rabbitmq >/dev/null 2>&1; then
  "$root/scripts/broker.sh" start rabbitmq >&2
  started=1
fi
rmqctl() {
  local home="${OMB_BROKER_DIR:-/tmp/omb-brokers}/rabbitmq/home"
  if [ -f "$home/.erlang.cookie" ]; then
    HOME="$home" timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n omb@localhost -q "$@"
  else
    timeout 60 rabbitmqctl -q "$@"
  fi
}
cd "$work"
cat > rabbitmq.yaml <<'Y'
name: RabbitMQ
driverClass: rabbitmq
amqpUris:
  - amqp://guest:guest@127.0.0.1:5672
messagePersistence: false
queueType: CLASSIC
prefetch: 1000
maxUnconfirmed: 10000
Y

# omb SIZE RATE -> "rate p50 p99" (msg/s over the measured phase, e2e ms)
omb_run() {
  cat > w.yaml <<Y
name: omb vs perftest
topics: 1
messageSize: $1
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: $2
testDurationMinutes: $(python3 -c "print($secs / 60)")
warmupDurationMinutes: 0
Y
  "$omb" run -d rabbitmq.yaml --period "$(( secs < 10 ? 1 : 10 ))" -o r.json w.yaml > omb.log 2>&1 ||
    { tail -5 omb.log >&2; echo "omb run failed" >&2; echo "nan nan nan"; return; }
  python3 - <<'P'
import json, os
r = json.load(open("r.json"))
if os.path.isfile("r.omb"):  # omb's own figures (periodSeconds, ...) in the sidecar
    r = {**json.load(open("r.omb")), **r}
secs = sum(r["periodSeconds"])
pub = sum(x * s for x, s in zip(r["publishRate"], r["periodSeconds"])) / secs
print(f'{pub:.0f} {r["aggregatedEndToEndLatency50pct"]:.3f} {r["aggregatedEndToEndLatency99pct"]:.3f}')
P
}

# perftest SIZE [RATE] -> "rate p50 p99"
perftest_run() {
  local extra=()
  [ -n "${2:-}" ] && extra=(-r "$2")
  timeout $((secs + 60)) java -cp "$pt_dir/*" com.rabbitmq.perf.PerfTest \
    -h amqp://guest:guest@127.0.0.1:5672 -x 1 -y 1 -s "$1" -z "$secs" -c 10000 -q 1000 -A 250 \
    -e omb-perftest -t direct -u omb-perftest-q "${extra[@]}" > pt.log 2>&1 ||
    { tail -5 pt.log >&2; echo "PerfTest failed" >&2; echo "nan nan nan"; return; }
  python3 - <<'P'
import re
t = open("pt.log").read()
rate = re.search(r"sending rate avg: (\d+) msg/s", t)
lat = re.search(r"consumer latency min/median/75th/95th/99th (\d+)/(\d+)/(\d+)/(\d+)/(\d+) µs", t)
if not rate or not lat:
    print("nan nan nan")
else:
    print(f"{rate.group(1)} {int(lat.group(2)) / 1000:.3f} {int(lat.group(5)) / 1000:.3f}")
P
}

printf '%-34s %14s %14s %10s\n' "RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null | sed 's/-.*//'), ${secs} s each" omb "PerfTest $pt_version" omb/PT
line() { python3 -c "
import math, sys
a, b = float(sys.argv[2]), float(sys.argv[3])
r = a / b if b and not math.isnan(a) and not math.isnan(b) else float('nan')
print(f'{sys.argv[1]:<34} {a:>14,.{sys.argv[4]}f} {b:>14,.{sys.argv[4]}f} {r:>10.2f}')" "$@"; }
for size in $sizes; do
  read -r o_max o_p50m o_p99m <<<"$(omb_run "$size" 10000000)"
  read -r p_max p_p50m p_p99m <<<"$(perftest_run "$size")"
  line "max produce rate, ${size} B (msg/s)" "$o_max" "$p_max" 0
  read -r o_rate o_p50 o_p99 <<<"$(omb_run "$size" "$rate")"
  read -r p_rate p_p50 p_p99 <<<"$(perftest_run "$size" "$rate")"
  line "  rate at $rate msg/s (msg/s)" "$o_rate" "$p_rate" 0
  line "  e2e p50 at $rate msg/s (ms)" "$o_p50" "$p_p50" 3
  line "  e2e p99 at $rate msg/s (ms)" "$o_p99" "$p_p99" 3
done
# PerfTest's exchange and queue (omb deletes its own).
rmqctl delete_queue omb-perftest-q >/dev/null 2>&1 || true
rmqctl eval 'rabbit_exchange:delete(rabbit_misc:r(<<"/">>, exchange, <<"omb-perftest">>), false, <<"omb">>).' >/dev/null 2>&1 || true
