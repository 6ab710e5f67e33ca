#!/usr/bin/env bash
# The embedded default (no -d): Kafka on the in-process mock cluster, several topics,
# partitions, producers, subscriptions and consumers, randomized payloads, keys.
source "$(dirname "$0")/lib.sh"
cat > mock-run.yaml <<'Y'
name: kafka mock run
topics: 3
partitionsPerTopic: 4
keyDistributor: KEY_ROUND_ROBIN
messageSize: 512
useRandomizedPayloads: true
randomBytesRatio: 0.3
randomizedPayloadPoolSize: 50
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 2
producerRate: 3000
testDurationMinutes: 0.15
warmupDurationMinutes: 0.05
Y
"$OMB" mock-run.yaml --period 3 > run.log
grep -q "in-process mock cluster" run.log || fail "the log does not say it runs on the mock"
# The mock's topics end with it: "Kept", never a "Deleted" that did not happen.
grep -q "Kept 3 topic(s): they end with the kafka cluster" run.log || fail "mock topics reported as deleted"
! grep -q "Deleted" run.log || fail "'Deleted' logged on the mock"
f=$(ls mock-run-Kafka-*.json)
$CHECK "$f" --rate 3000 --subs 2 --min-periods 3 --workload "kafka mock run" --driver Kafka
# Payloads under 28 bytes carry the envelope in a record header instead of a payload
# prefix: end-to-end latency must still be measured.
cat > tiny.yaml <<'Y'
name: tiny messages
topics: 1
partitionsPerTopic: 2
messageSize: 10
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" tiny.yaml --period 1 -o tiny.json > tiny.log 2>&1 || { cat tiny.log; fail "tiny-message run failed"; }
$CHECK tiny.json --rate 1000 --subs 1
python3 -c "
import json; r = {**json.load(open('tiny.json'[:-5] + '.omb')), **json.load(open('tiny.json'))}
assert 0 < r['aggregatedEndToEndLatency50pct'] < 1000, r['aggregatedEndToEndLatency50pct']
assert r['aggregatedEndToEndLatencyCorrectedCount'] > 0"
# librdkafka's own mock switch in a driver file: one mock cluster shared by the run's
# clients (librdkafka alone would give each client a private one, and deliver nothing).
cat > tmock.yaml <<'Y'
name: tmock
driverClass: kafka
commonConfig: |
  test.mock.num.brokers=1
consumerConfig: |
  auto.offset.reset=earliest
Y
"$OMB" -d tmock.yaml tiny.yaml --period 1 -o tmock.json --probe-timeout 20 > tmock.log 2>&1 || { cat tmock.log; fail "test.mock.num.brokers run failed"; }
grep -q "shares one in-process mock cluster of 1 broker" tmock.log || { cat tmock.log; fail "not said"; }
$CHECK tmock.json --rate 1000 --subs 1
