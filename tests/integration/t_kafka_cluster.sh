#!/usr/bin/env bash
# A real 3-broker Kafka cluster (scripts/broker.sh start kafka --brokers 3): all of OMB's
# Kafka driver files unchanged (replicationFactor 3, min.insync.replicas=2, acks=all,
# compression, idempotence, transactions' settings), then a distributed run with two
# `omb worker`s on the same cluster.
source "$(dirname "$0")/lib.sh"
source "$OMB_SOURCE/tests/integration/dist_lib.sh"
KAFKA_BROKERS=3
source "$OMB_SOURCE/tests/integration/kafka_lib.sh"
trap 'kafka_down; stop_all_pids' EXIT
kafka_up
cat > short.yaml <<'Y'
name: short
topics: 1
partitionsPerTopic: 3
messageSize: 256
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 2
producerRate: 500
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
files=$(ls "$OMB_SHARED"/omb-reference/driver-kafka/*.yaml)
[ -n "$files" ] || fail "no OMB Kafka driver files under $OMB_SHARED"
mkdir -p results
"$OMB" run --period 2 -d "$(echo $files | tr ' ' ',')" -o results short.yaml > run.log 2>&1 || { cat run.log; fail "a driver file failed on the real cluster"; }
count=0
# What is checked here is that every file loads, runs and delivers exactly; with acks=all
# on three brokers sharing two cores, acks arrive in bursts, so the rate is checked loosely
# (it is checked tightly on the loopback and on one broker).
for f in results/short-*.json; do $CHECK "$f" --rate 500 --tolerance 0.5; count=$((count+1)); done
[ "$count" -eq "$(echo $files | wc -w)" ] || fail "$count results for $(echo $files | wc -w) driver files"
n=$(grep -c "Delivery check: every subscription received every acknowledged message" run.log)
[ "$n" -eq "$count" ] || { cat run.log; fail "$n exact delivery checks for $count runs"; }
[ -z "$(kafka_topics)" ] || fail "topics left on the cluster: $(kafka_topics)"

# Two workers, one producing and one consuming, through the shared cluster.
start_worker a
start_worker b
"$OMB" run --period 2 -d "$OMB_SHARED/omb-reference/driver-kafka/kafka-latency.yaml" -w "$URL_a,$URL_b" -o dist.json short.yaml > dist.log 2>&1 || { cat dist.log; fail "distributed run on the real cluster failed"; }
$CHECK dist.json --rate 500 --tolerance 0.5
grep -q "Delivery check: every subscription received every acknowledged message" dist.log || { cat dist.log; fail "distributed delivery check"; }
echo "ok: OMB's Kafka driver files on a 3-broker cluster, and two workers"
