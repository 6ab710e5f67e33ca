#!/usr/bin/env bash
# The Kafka driver against a real Apache Kafka broker (scripts/broker.sh start kafka): topics
# with the asked partitions and topicConfig (described by Kafka's own tool), deleted at the
# end or kept with --keep-topics, consumer groups with more consumers than partitions, keys
# spread over partitions, the exact delivery check, compression that really compresses,
# replicationFactor above the broker count, backlog, rate search.
source "$(dirname "$0")/lib.sh"
source "$OMB_SOURCE/tests/integration/kafka_lib.sh"
kafka_up
kafka_topics > before.txt

kafka_driver k.yaml
cat > w.yaml <<'Y'
name: real kafka
topics: 2
partitionsPerTopic: 3
keyDistributor: KEY_ROUND_ROBIN
messageSize: 1024
subscriptionsPerTopic: 2
consumerPerSubscription: 4
producersPerTopic: 2
producerRate: 2000
testDurationMinutes: 0.15
warmupDurationMinutes: 0.05
Y
"$OMB" -d k.yaml w.yaml --period 3 --keep-topics -o keep.json > run.log 2>&1 || { cat run.log; fail "run on real Kafka failed"; }
grep -q "Delivery check: every subscription received every acknowledged message" run.log || { cat run.log; fail "no exact delivery check"; }
# A broker on the same two cores: rates are checked loosely here (tightly on the loopback).
$CHECK keep.json --rate 2000 --tolerance 0.5 --subs 2 --min-periods 2 --driver Kafka
kept=$(kafka_new_topics before.txt)
[ "$(echo "$kept" | wc -l)" = 2 ] || fail "--keep-topics: expected 2 new topics, got: $kept"
for t in $kept; do
  [ "$(kafka_partitions "$t")" = 3 ] || fail "topic $t does not have 3 partitions"
  kafka_describe_config "$t" | grep -q "retention.ms=600000" || fail "topicConfig not applied to $t"
  # KEY_ROUND_ROBIN spreads messages over every partition, about evenly.
  c0=$(kafka_count "$t" 0) c1=$(kafka_count "$t" 1) c2=$(kafka_count "$t" 2)
  total=$((c0 + c1 + c2))
  for c in $c0 $c1 $c2; do
    [ "$c" -gt $((total / 6)) ] || fail "keys not spread over partitions of $t: $c0 $c1 $c2"
  done
done

# Without --keep-topics the run's topics are deleted.
sed -i 's/^name: real kafka/name: real kafka again/' w.yaml
"$OMB" -d k.yaml w.yaml --period 3 -o del.json > del.log 2>&1 || { cat del.log; fail "second run failed"; }
grep -q "Deleted 2 topic(s)" del.log || fail "topics not reported deleted"
sleep 1
kafka_topics > after.txt
left=$(kafka_new_topics before.txt | grep -vxF "$kept" || true)
[ -z "$left" ] || fail "topics of the second run were not deleted: $left"

# Compression really compresses: the same compressible load with gzip keeps far fewer
# bytes on the broker's disk than without.
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
for codec in none gzip; do
  kafka_driver "k-$codec.yaml" "compression.type=$codec"
  kafka_topics > pre.txt
  "$OMB" -d "k-$codec.yaml" c.yaml --period 2 --keep-topics -o "c-$codec.json" > "c-$codec.log" 2>&1 || { cat "c-$codec.log"; fail "$codec run failed"; }
  t=$(kafka_new_topics pre.txt)
  eval "bytes_$codec=$(kafka_bytes "$t")"
done
echo "broker bytes: none=$bytes_none gzip=$bytes_gzip"
[ "$bytes_gzip" -lt $((bytes_none / 3)) ] || fail "gzip did not compress: $bytes_gzip vs $bytes_none bytes"

# replicationFactor above the broker count: one sentence with the file, factor and count.
sed 's/replicationFactor: 1/replicationFactor: 3/' k.yaml > rf3.yaml
kafka_topics > pre.txt
expect_fail 1 "rf3.yaml: replicationFactor 3 needs at least 3 brokers, and the cluster at .* has 1" -- "$OMB" -d rf3.yaml c.yaml
[ -z "$(kafka_new_topics pre.txt)" ] || fail "a failed topic creation left topics behind"

# Backlog build and drain on a real broker.
cat > b.yaml <<'Y'
name: backlog
topics: 1
partitionsPerTopic: 4
messageSize: 1024
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 5000
consumerBacklogSizeGB: 0.01
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" -d k.yaml b.yaml --period 2 -o b.json > b.log 2>&1 || { cat b.log; fail "backlog run failed"; }
grep -q "Backlog built" b.log && grep -q "Completed backlog draining" b.log || { cat b.log; fail "no backlog phases"; }
grep -q "Delivery check: every subscription received every acknowledged message" b.log || { cat b.log; fail "backlog run lost messages"; }

# The rate search finds a rate that was sustained.
cat > s.yaml <<'Y'
name: search
topics: 1
partitionsPerTopic: 2
messageSize: 100
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 0
testDurationMinutes: 0.25
warmupDurationMinutes: 0
Y
"$OMB" -d k.yaml s.yaml --period 3 -o s.json > s.log 2>&1 || { cat s.log; fail "rate search failed"; }
python3 - s.json <<'P'
import json, sys
r = {**json.load(open(sys.argv[1][:-5] + '.omb')), **json.load(open(sys.argv[1]))}
rs = r["omb"]["rateSearch"]
assert rs["sustainedRate"] is not None and rs["sustainedRate"] > 1000, rs
P
echo "ok: real Kafka"
