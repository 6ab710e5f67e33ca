#!/usr/bin/env bash
# Every Kafka driver file OMB ships loads and runs unchanged (on the mock: --kafka-mock).
source "$(dirname "$0")/lib.sh"
cat > short.yaml <<'Y'
name: short
topics: 1
partitionsPerTopic: 2
messageSize: 256
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: 500
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
files=$(ls "$OMB_SHARED"/omb-reference/driver-kafka/*.yaml)
[ -n "$files" ] || fail "no OMB Kafka driver files under $OMB_SHARED"
drivers=$(echo $files | tr ' ' ',')
mkdir -p results
"$OMB" run --kafka-mock --period 1 -d "$drivers" -o results short.yaml > run.log 2>&1 || { cat run.log; fail "a driver file failed"; }
count=0
for f in results/short-*.json; do $CHECK "$f" --rate 500 --tolerance 0.1; count=$((count+1)); done
[ "$count" -eq "$(echo $files | wc -w)" ] || fail "$count results for $(echo $files | wc -w) driver files"
# Java-only properties are reported by name, not dropped silently.
grep -q "max.request.size" run.log || fail "max.request.size was not reported"
grep -q "default.api.timeout.ms" run.log || fail "default.api.timeout.ms was not reported"
