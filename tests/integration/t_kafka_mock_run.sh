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
f=$(ls mock-run-Kafka-*.json)
$CHECK "$f" --rate 3000 --subs 2 --min-periods 3 --workload "kafka mock run" --driver Kafka
