#!/usr/bin/env bash
# omb against Kafka's own Java tools on the same real local broker (1 broker, Kafka 3.9.1 by
# scripts/broker.sh), with the same client settings on both sides: acks=1 and acks=all,
# linger.ms=5, batch.size=131072, compression.type=none, enable.idempotence=false (Java's
# default is true with acks=all, librdkafka's false: set on both so they match), one
# producer, one topic with 1 partition, no key.
#   a. max produce rate, 100 B and 1 KiB: omb produce-only (subscriptionsPerTopic: 0) at
#      producerRate 10,000,000 (the sender runs flat out: the publish rate over the measured
#      phase) vs ProducerPerformance (kafka-producer-perf-test) --throughput -1 with as many
#      records as omb sent in the same time; msg/s and omb/Java. (producerRate: 0, the rate
#      search, is no max here: produce-only it settles far below what the sender can do.)
#   b. CPU seconds per million messages at a fixed 50,000 msg/s of 1 KiB, produce-only:
#      user+system CPU of the whole omb process and of the whole JVM (/usr/bin/time; both
#      include their start-up, the JVM's JIT included) over the messages each sent.
#   c. end-to-end latency at a fixed 10,000 msg/s of 1 KiB, 1 producer and 1 consumer: omb's
#      aggregatedEndToEndLatency p50/p99/p99.9 (after a 5 s warm-up, none with --quick) vs
#      Kafka's EndToEndLatency tool (250 messages per step second). That tool is
#      synchronous (one message in flight, linger.ms=0 and fetch.max.wait.ms=0 forced by the
#      tool, latencies truncated to whole ms): not a fixed-rate test, comparable only as a
#      floor; omb is also run with linger.ms=0 for that comparison.
# Usage: bench/kafka.sh [--quick] [--build DIR] [--seconds S] [--acks "1 all"] [--sizes "100 1024"]
#   --quick      4 s per step (proves the script works; not figures to publish)
#   --seconds S  seconds per step (default 25)
#   --build DIR  omb build directory (default: $OMB_BUILD, else build-kbench, else build)
#   --keep       keep the work directory (logs, driver/workload files, results) and print it
# Starts a 1-broker Kafka with scripts/broker.sh when none runs (and stops it at the end);
# waits (up to 5 min) while another user's Kafka of another size runs.
# omb_result.py (scripts/): a result read with its sidecar, as omb's tools read it.
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)/scripts${PYTHONPATH:+:$PYTHONPATH}"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=25 build=${OMB_BUILD:-} acks_list="1 all" sizes="100 1024" quick=0 keep=0
while (($#)); do
  case $1 in
    --quick) quick=1 secs=4; shift ;;
    --keep) keep=1; shift ;;
    --seconds) secs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --acks) acks_list=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "bench/kafka.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$build" ]; then
  build=$root/build
  [ -x "$root/build-kbench/omb" ] && build=$root/build-kbench
fi
omb=$(cd "$build" && pwd)/omb
[ -x "$omb" ] || { echo "bench/kafka.sh: no omb binary in $build" >&2; exit 2; }
for t in java python3 /usr/bin/time; do
  command -v $t >/dev/null || { echo "bench/kafka.sh: needs $t" >&2; exit 2; }
done
# shellcheck source=bench/kafka/common.sh
. "$root/bench/kafka/common.sh"

work=$(mktemp -d)
cleanup() { # the Java tools' topics left by an interrupted step (each step deletes its own)
  if [ -s "$work/jtopics" ]; then
    sort -u "$work/jtopics" | while read -r t; do kafka_topic delete "$t"; done
  fi
  kafka_release
  if ((keep)); then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
kafka_acquire 1
kafka_java_init "$work"
cd "$work"
period=$((secs < 10 ? 1 : 5))
minutes=$(python3 -c "print($secs / 60)")
BS=127.0.0.1:9092

driver() { # FILE ACKS LINGER
  cat >"$1" <<Y
name: Kafka-acks-$2
driverClass: kafka
replicationFactor: 1
commonConfig: |
  bootstrap.servers=$BS
producerConfig: |
  acks=$2
  linger.ms=$3
  batch.size=131072
  compression.type=none
  enable.idempotence=false
consumerConfig: |
  auto.offset.reset=earliest
  enable.auto.commit=false
Y
}
workload() { # FILE SIZE RATE SUBS [WARMUP_S]
  cat >"$1" <<Y
name: kafka bench $2 B at $3 msg/s
topics: 1
partitionsPerTopic: 1
messageSize: $2
subscriptionsPerTopic: $4
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: $3
testDurationMinutes: $minutes
warmupDurationMinutes: $(python3 -c "print(${5:-0} / 60)")
Y
}
# omb_run TAG ACKS LINGER SIZE RATE SUBS [WARMUP_S]: runs omb under /usr/bin/time; prints
# "pubrate errors cpu_s total_sent e2e50 e2e99 e2e999" ("nan ..." when it failed).
omb_run() {
  local tag=$1
  driver "$tag.driver.yaml" "$2" "$3"
  workload "$tag.w.yaml" "$4" "$5" "$6" "${7:-0}"
  if ! /usr/bin/time -f "%U %S" -o "$tag.time" "$omb" run -d "$tag.driver.yaml" --period "$period" \
       -o "$tag.json" "$tag.w.yaml" >"$tag.log" 2>&1; then
    { echo "omb run '$tag' failed; last lines of its log:"; tail -5 "$tag.log"; } >&2
    echo "nan nan nan nan nan nan nan nan nan"
    return
  fi
  python3 - "$tag" <<'P'
import omb_result
import json, sys
tag = sys.argv[1]
r = omb_result.load(tag + ".json")
secs = sum(r["periodSeconds"])
pub = sum(x * s for x, s in zip(r["publishRate"], r["periodSeconds"])) / secs
err = sum(x * s for x, s in zip(r["publishErrorRate"], r["periodSeconds"]))
u, s = (float(x) for x in open(tag + ".time").read().split()[-2:])
sent = r.get("totalMessagesSent", float("nan"))
e = [r.get("aggregatedEndToEndLatency" + k, float("nan")) for k in ("50pct", "99pct", "999pct")]
lo, hi = min(r["publishRate"]), max(r["publishRate"])
print(f"{pub:.0f} {err:.0f} {u + s:.2f} {sent} {e[0]:.3f} {e[1]:.3f} {e[2]:.3f} {lo:.0f} {hi:.0f}")
P
}
# pp_run TAG ACKS SIZE RECORDS THROUGHPUT: ProducerPerformance on a fresh 1-partition topic
# under /usr/bin/time; prints "rate cpu_s records" ("nan nan nan" when it failed).
pp_run() {
  local tag=$1 topic="omb-kbench-pp-$$-$1"
  echo "$topic" >>"$work/jtopics"
  kafka_topic create "$topic" 1 || { echo "TopicCommand --create $topic failed" >&2; echo "nan nan nan"; return; }
  if ! /usr/bin/time -f "%U %S" -o "$tag.time" timeout $((secs * 6 + 120)) "${KAFKA_JAVA[@]}" \
       org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$4" \
       --record-size "$3" --throughput "$5" --producer-props "bootstrap.servers=$BS" "acks=$2" \
       linger.ms=5 batch.size=131072 compression.type=none enable.idempotence=false \
       >"$tag.log" 2>&1; then
    { echo "ProducerPerformance '$tag' failed; last lines of its log:"; tail -5 "$tag.log"; } >&2
    kafka_topic delete "$topic" && sed -i "/^$topic\$/d" "$work/jtopics"
    echo "nan nan nan"
    return
  fi
  kafka_topic delete "$topic" && sed -i "/^$topic\$/d" "$work/jtopics"
  python3 - "$tag" "$4" <<'P'
import re, sys
tag, n = sys.argv[1], int(sys.argv[2])
t = open(tag + ".log").read()
m = re.findall(r"^(\d+) records sent, ([\d.]+) records/sec .*99\.9th\.", t, re.M)
u, s = (float(x) for x in open(tag + ".time").read().split()[-2:])
print(f"{float(m[-1][1]):.0f} {u + s:.2f} {m[-1][0]}" if m else "nan nan nan")
P
}
# e2e_run TAG ACKS SIZE COUNT: Kafka's EndToEndLatency; prints "p50 p99 p999 avg" in ms.
e2e_run() {
  local tag=$1 topic="omb-kbench-e2e-$$-$1"
  echo "$topic" >>"$work/jtopics"
  kafka_topic create "$topic" 1 || { echo "TopicCommand --create $topic failed" >&2; echo "nan nan nan nan"; return; }
  if ! timeout $((secs * 10 + 120)) "${KAFKA_JAVA[@]}" org.apache.kafka.tools.EndToEndLatency \
       "$BS" "$topic" "$4" "$2" "$3" >"$tag.log" 2>&1; then
    { echo "EndToEndLatency '$tag' failed; last lines of its log:"; tail -5 "$tag.log"; } >&2
    kafka_topic delete "$topic" && sed -i "/^$topic\$/d" "$work/jtopics"
    echo "nan nan nan nan"
    return
  fi
  kafka_topic delete "$topic" && sed -i "/^$topic\$/d" "$work/jtopics"
  python3 - "$tag" <<'P'
import re, sys
t = open(sys.argv[1] + ".log").read()
a = re.search(r"Avg latency: ([\d.]+) ms", t)
p = re.search(r"Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)", t)
print(f"{p.group(1)} {p.group(2)} {p.group(3)} {a.group(1)}" if a and p else "nan nan nan nan")
P
}

ratio() { python3 -c "
import math, sys
a, b = float(sys.argv[1]), float(sys.argv[2])
print(f'{a / b:.2f}' if b and not (math.isnan(a) or math.isnan(b)) else 'n/a')" "$1" "$2"; }
summary=()
row() { # LABEL OMB JAVA RATIO
  summary+=("$(printf '%-44s %14s %14s %8s' "$@")")
  printf '%-44s %14s %14s %8s\n' "$@"
}
fmt() { python3 -c "
import math, sys
v = float(sys.argv[1]); print('n/a' if math.isnan(v) else f'{v:,.{sys.argv[2]}f}')" "$1" "$2"; }

kver=$(sed -n 's/.*(Kafka \([^,]*\),.*/\1/p' <<<"$KAFKA_DESC")
echo "omb $("$omb" --version 2>&1 | head -1 | awk '{print $NF}') vs Kafka ${KAFKA_TOOLS_VERSION:-3.9.1} Java tools, broker: $KAFKA_DESC"
echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $secs s per step$( ((quick)) && echo ' (--quick: proves the script works, figures are not meaningful)')"
echo "client settings on both: linger.ms=5 batch.size=131072 compression.type=none enable.idempotence=false; 1 producer, 1 topic, 1 partition, no key"
echo
header() { printf '%-44s %14s %14s %8s\n' "$1" omb "Java tool" omb/Java; summary+=("$(printf '%-44s %14s %14s %8s' "$1" omb "Java tool" omb/Java)"); }

header "a. max produce rate (msg/s)"
for acks in $acks_list; do
  for size in $sizes; do
    read -r o_rate o_err _ o_sent _ _ _ o_lo o_hi <<<"$(omb_run "max-$acks-$size" "$acks" 5 "$size" 10000000 0)"
    # As many records as omb sent in its measured phase, so both run about as long.
    n=$(python3 -c "import math; r = float('$o_rate'); print(max(100000, int((r if not math.isnan(r) else 100000) * $secs)))")
    read -r j_rate _ _ <<<"$(pp_run "pp-max-$acks-$size" "$acks" "$size" "$n" -1)"
    row "  acks=$acks, $size B" "$(fmt "$o_rate" 0)" "$(fmt "$j_rate" 0)" "$(ratio "$o_rate" "$j_rate")"
    echo "    omb's ${period} s periods: $(fmt "$o_lo" 0) .. $(fmt "$o_hi" 0) msg/s; $o_err send errors; Java: $n records"
  done
done

header "b. CPU-s per million msgs, 50k msg/s 1 KiB"
for acks in $acks_list; do
  read -r o_rate _ o_cpu o_sent _ <<<"$(omb_run "cpu-$acks" "$acks" 5 1024 50000 0)"
  read -r j_rate j_cpu j_sent <<<"$(pp_run "pp-cpu-$acks" "$acks" 1024 $((50000 * secs)) 50000)"
  o_cpm=$(python3 -c "print(float('$o_cpu') / float('$o_sent') * 1e6)")
  j_cpm=$(python3 -c "print(float('$j_cpu') / float('$j_sent') * 1e6)")
  row "  acks=$acks (CPU-s / 1M msgs)" "$(fmt "$o_cpm" 2)" "$(fmt "$j_cpm" 2)" "$(ratio "$o_cpm" "$j_cpm")"
  echo "    omb: $(fmt "$o_cpu" 2) CPU-s for $(fmt "$o_sent" 0) msgs (measured rate $(fmt "$o_rate" 0) msg/s); Java: $(fmt "$j_cpu" 2) CPU-s for $(fmt "$j_sent" 0) msgs ($(fmt "$j_rate" 0) msg/s)"
done

header "c. e2e latency (ms), 10k msg/s 1 KiB"
summary+=("  (EndToEndLatency: synchronous, 1 msg in flight, linger.ms=0, whole ms; not a fixed rate)")
echo "  EndToEndLatency is synchronous (one message at a time, linger.ms=0, fetch.max.wait.ms=0,"
echo "  whole ms): not a fixed-rate test; its percentiles are shown where comparable."
e2e_count=$((secs * 250))
warm=$((quick ? 0 : 5)) # omb's e2e runs: 5 s warm-up (the consumer's first fetches), discarded
for acks in $acks_list; do
  read -r -a o <<<"$(omb_run "e2e-$acks" "$acks" 5 1024 10000 1 "$warm")"
  read -r -a z <<<"$(omb_run "e2e0-$acks" "$acks" 0 1024 10000 1 "$warm")"
  read -r -a j <<<"$(e2e_run "e2e-java-$acks" "$acks" 1024 "$e2e_count")"
  names=(p50 p99 p99.9)
  for i in 0 1 2; do # omb's fields 4..6 are e2e p50, p99, p99.9; EndToEndLatency's 0..2
    row "  acks=$acks ${names[i]}, omb linger.ms=5" "$(fmt "${o[i + 4]}" 3)" "$(fmt "${j[i]}" 0)" "$(ratio "${o[i + 4]}" "${j[i]}")"
    row "  acks=$acks ${names[i]}, omb linger.ms=0" "$(fmt "${z[i + 4]}" 3)" "$(fmt "${j[i]}" 0)" "$(ratio "${z[i + 4]}" "${j[i]}")"
  done
  javg=${j[3]}
  echo "    EndToEndLatency: $e2e_count messages one at a time, avg $(fmt "$javg" 3) ms"
done

echo
echo "== summary (Kafka $kver, $secs s per step, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${summary[@]}"
