#!/usr/bin/env bash
# Kafka 4.x as a second target (scripts/broker.sh start kafka --version 4.x): a run with
# several subscriptions and consumers delivers exactly, and compression really compresses
# (librdkafka 2.0.2 talks to 4.x: produce, consume, admin; compression too, because 4.x
# still advertises the Produce versions 2.0.2 needs for it).
source "$(dirname "$0")/lib.sh"
KAFKA_VERSION=4.1.1
source "$OMB_SOURCE/tests/integration/kafka_lib.sh"
kafka_up
kafka_driver k.yaml
cat > w.yaml <<'Y'
name: kafka 4
topics: 2
partitionsPerTopic: 3
keyDistributor: KEY_ROUND_ROBIN
messageSize: 1024
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 2000
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
"$OMB" -d k.yaml w.yaml --period 2 -o r.json > run.log 2>&1 || { cat run.log; fail "run on Kafka 4 failed"; }
grep -q "Delivery check: every subscription received every acknowledged message" run.log || { cat run.log; fail "no exact delivery check on Kafka 4"; }
# A broker on the same two cores as the test: the rate is checked loosely (tightly on the
# loopback); the delivery check is exact.
$CHECK r.json --rate 2000 --tolerance 0.5 --subs 2
[ -z "$(kafka_topics)" ] || fail "topics left on Kafka 4: $(kafka_topics)"
cat > c.yaml <<'Y'
name: compressible
topics: 1
partitionsPerTopic: 1
messageSize: 1024
useRandomizedPayloads: true
randomBytesRatio: 0.1
randomizedPayloadPoolSize: 100
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 3000
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
for codec in none lz4; do
  kafka_driver "k-$codec.yaml" "compression.type=$codec"
  kafka_topics > pre.txt
  "$OMB" -d "k-$codec.yaml" c.yaml --period 2 --keep-topics -o "c-$codec.json" > "c-$codec.log" 2>&1 || { cat "c-$codec.log"; fail "$codec run failed on Kafka 4"; }
  eval "bytes_$codec=$(kafka_bytes "$(kafka_new_topics pre.txt)")"
done
echo "Kafka 4 broker bytes: none=$bytes_none lz4=$bytes_lz4"
[ "$bytes_lz4" -lt $((bytes_none / 3)) ] || fail "lz4 did not compress on Kafka 4: $bytes_lz4 vs $bytes_none"
echo "ok: Kafka 4"
