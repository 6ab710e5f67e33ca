#!/usr/bin/env bash
# A real 3-broker Kafka cluster (scripts/broker.sh start kafka --brokers 3): all of OMB's
# Kafka driver files unchanged (replicationFactor 3, min.insync.replicas=2, acks=all,
# compression, idempotence, transactions' settings), then a distributed run with two
# `omb worker`s on the same cluster.
source "$(dirname "$0")/lib.sh"
source "$OMB_SOURCE/tests/integration/dist_lib.sh"
KAFKA_BROKERS=3
source "$OMB_SOURCE/tests/integration/kafka_lib.sh"
trap kafka_and_pids_down EXIT
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
# What is checked here is that every file loads, runs and delivers exactly; with acks=all
# on three brokers sharing two cores, acks arrive in bursts, so the rate is checked loosely
# (it is checked tightly on the loopback and on one broker). Three JVMs on two cores stall
# now and then (a 6 s run once made 201 of 500 msg/s): a file whose run misses runs once
# more, and fails the test if it misses twice.
# The brokers' first gzip batches are slow (the JVMs compile that path as they go): runs
# of kafka-compression-gzip.yaml on a fresh cluster made 71, then 186, then 394 of 500
# msg/s. One unjudged run first, as kafka_up warms up the uncompressed path.
"$OMB" run --period 2 -d "$OMB_SHARED/omb-reference/driver-kafka/kafka-compression-gzip.yaml" \
  -o warm-gzip.json short.yaml > warm-gzip.log 2>&1 || true
count=0
for d in $files; do
  name=$(basename "$d" .yaml)
  for attempt in 1 2; do
    rm -rf "res-$name" && mkdir "res-$name"
    if "$OMB" run --period 2 -d "$d" -o "res-$name" short.yaml > "$name.log" 2>&1 &&
       grep -q "Delivery check: every subscription received every acknowledged message" "$name.log" &&
       $CHECK "res-$name"/short-*.json --rate 500 --tolerance 0.5; then
      count=$((count + 1))
      break
    fi
    [ "$attempt" = 2 ] && { cat "$name.log"; fail "$name failed twice on the real cluster"; }
    echo "$name: missed; once more (the machine may have been busy)"
  done
done
[ "$count" -eq "$(echo $files | wc -w)" ] || fail "$count results for $(echo $files | wc -w) driver files"
# A deleted topic leaves every broker's metadata a moment after DeleteTopics answers.
for _ in $(seq 50); do [ -z "$(kafka_topics)" ] && break; sleep 0.2; done
[ -z "$(kafka_topics)" ] || fail "topics left on the cluster: $(kafka_topics)"

# Two workers, one producing and one consuming, through the shared cluster.
start_worker a
start_worker b
for attempt in 1 2; do
  rm -f dist.json dist.omb
  "$OMB" run --period 2 -d "$OMB_SHARED/omb-reference/driver-kafka/kafka-latency.yaml" -w "$URL_a,$URL_b" -o dist.json short.yaml > dist.log 2>&1 &&
    grep -q "Delivery check: every subscription received every acknowledged message" dist.log &&
    $CHECK dist.json --rate 500 --tolerance 0.5 && break
  [ "$attempt" = 2 ] && { cat dist.log; fail "the distributed run on the real cluster failed twice"; }
  echo "distributed run: missed; once more (the machine may have been busy)"
done
echo "ok: OMB's Kafka driver files on a 3-broker cluster, and two workers"
