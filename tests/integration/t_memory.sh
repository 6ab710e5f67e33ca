#!/usr/bin/env bash
# Peak memory of a 10 producer + 40 consumer run on the embedded Kafka mock (no -d): under
# the target of 64 MiB + 4 MiB per producer or consumer (bench/memory.sh has the figures).
# Each Kafka consumer records on a thread of its own; with full-precision histograms per
# thread this shape reached 500-650 MiB (the mock's own logs are in the figure too, a few
# MiB at this rate and length).
source "$(dirname "$0")/lib.sh"
# Sanitizer runtimes reserve and touch shadow memory: RSS says nothing about omb there.
if grep -qa -e __asan_init -e __tsan_init "$OMB"; then
  echo "skip: sanitizer build (RSS includes the sanitizer's shadow memory)"
  exit 77
fi
# A warm-up: 40 consumers joining one group rebalance several times, and messages redelivered
# then (counted as received, as OMB counts them) must not land in the measured periods.
cat > mem.yaml <<'Y'
name: memory 10+40
topics: 1
partitionsPerTopic: 16
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: 10
consumerPerSubscription: 40
producerRate: 2000
testDurationMinutes: 0.1
warmupDurationMinutes: 0.1
Y
"$OMB" run --sender-threads 4 --period 2 -o mem.json mem.yaml > run.log 2>&1 &
pid=$!
hwm=0
while kill -0 "$pid" 2>/dev/null; do
  v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$v" ] && hwm=$v
  sleep 0.2
done
wait "$pid" || { cat run.log; fail "the 10+40 run failed"; }
# The load must have run (an idle run would pass on memory alone); its exact rate is not
# what this test is about, so a busy machine gets a wide tolerance.
$CHECK mem.json --rate 2000 --tolerance 0.3 --subs 1
target=$((64 + 4 * 50))
echo "peak RSS $((hwm / 1024)) MiB, target $target MiB"
[ "$hwm" -gt 0 ] || fail "no VmHWM sampled"
[ $((hwm / 1024)) -le "$target" ] || fail "peak RSS $((hwm / 1024)) MiB is above the target of $target MiB for 50 clients"
