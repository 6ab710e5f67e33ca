#!/usr/bin/env bash
# existingTopicList (Redpanda's fork) on a real Apache Kafka: a run on topics that exist
# already, with history in them. Consumers start at the topics' end (the history is not
# replayed: every subscription receives exactly what was acknowledged), the broker's
# partition counts are used, the topics are not deleted, messages other clients write
# during the run are counted apart from the delivery check, a mistyped name is one sentence
# and creates nothing (the broker auto-creates topics on first use), a partitionsPerTopic
# that disagrees with the broker is refused, and several workers share the topics. The
# run's consumer groups are deleted at its end, as its topics would be.
source "$(dirname "$0")/lib.sh"
source "$OMB_SOURCE/tests/integration/kafka_lib.sh"
source "$OMB_SOURCE/tests/integration/dist_lib.sh"
trap kafka_and_pids_down EXIT
kafka_up

# Topic names of this test run, so a kept broker's older topics do not matter.
sfx=$RANDOM$RANDOM
orders=orders-$sfx payments=payments-$sfx
java -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 \
  --create --topic "$payments" --partitions 3 --replication-factor 1 > topic.log 2>&1 ||
  { cat topic.log; fail "could not create $payments with Kafka's TopicCommand"; }
# orders: created by the broker on first use (1 partition), as a typo would be.
seq 1 500 | "$KCAT" -P -b 127.0.0.1:9092 -t "$orders" || fail "kcat could not write $orders"
seq 1 300 | "$KCAT" -P -b 127.0.0.1:9092 -t "$payments" || fail "kcat could not write $payments"
history() { "$KCAT" -C -b 127.0.0.1:9092 -t "$1" -e -q -f '.\n' 2>/dev/null | wc -l; }
[ "$(history "$orders")" = 500 ] && [ "$(history "$payments")" = 300 ] || fail "history not written"

kafka_driver k.yaml
# omb's consumer groups (sub-NNN-xxxxxxx) on the cluster, one per line.
groups() {
  java -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server 127.0.0.1:9092 --list 2>/dev/null | grep '^sub-' | sort || true
}
groups > groups-before.txt
no_new_groups() {
  local left
  left=$(groups | comm -13 groups-before.txt -)
  [ -z "$left" ] || fail "$1: consumer groups left on the cluster: $left"
}
# Per subscription: every acknowledged message and nothing of the history (kcat's records
# carry no envelope: replayed, they would count as foreign). A consumer that joins its group
# late may cause redeliveries (duplicates), as on any Kafka topic.
check_exact() {
  python3 - "$1" "$2" <<'P' || fail "$1: delivery was not exact"
import json, sys
side = json.load(open(sys.argv[1][:-5] + '.omb'))
subs = side["omb"]["delivery"]
assert len(subs) == int(sys.argv[2]), subs
for s in subs:
    assert s["acknowledged"] > 0 and s["distinct"] == s["acknowledged"], s
    assert s["missing"] == 0 and s["foreign"] == 0, s
P
}

cat > w.yaml <<Y
name: existing topics
existingTopicList: [$orders, $payments]
messageSize: 100
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producerRate: 400
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
"$OMB" run -d k.yaml w.yaml --period 2 -o run.json > run.log 2>&1 || { cat run.log; fail "run on existing topics failed"; }
grep -q "Using 2 existing topic(s) of 1 to 3 partition(s)" run.log || { cat run.log; fail "existing topics not reported"; }
grep -q "Delivery check: every subscription received every acknowledged message" run.log || { cat run.log; fail "no exact delivery check"; }
grep -q "Kafka: deleted 4 consumer group(s) of the existing topics" run.log || { cat run.log; fail "the run's consumer groups were not deleted"; }
check_exact run.json 4
no_new_groups "a local run"
python3 - run.json "$orders" "$payments" <<'P' || fail "result does not describe the existing topics"
import json, sys
r = json.load(open(sys.argv[1]))
side = json.load(open(sys.argv[1][:-5] + '.omb'))
assert r["topics"] == 2 and r["partitions"] == 3, (r["topics"], r["partitions"])
assert side["omb"]["workloadConfig"]["existingTopicList"] == sys.argv[2:], side["omb"]["workloadConfig"]
P
# Not deleted, history and the run's messages still there.
sent=$(python3 -c "import json,sys; print(sum(json.load(open('run.omb'))['omb']['delivery'][i]['acknowledged'] for i in (0,2)))")
[ "$(( $(history "$orders") + $(history "$payments") ))" = $((800 + sent)) ] ||
  fail "existing topics lost messages or were deleted: $(history "$orders") + $(history "$payments"), expected 800 + $sent"

# Another client writes during the run: counted apart, the delivery check still exact.
sed -e "s/\[$orders, $payments\]/[$payments]/" -e 's/0.1$/0.15/' w.yaml > one.yaml
(sleep 4; seq 1 250 | "$KCAT" -P -b 127.0.0.1:9092 -t "$payments") &
writer=$!
"$OMB" run -d k.yaml one.yaml --period 2 -o one.json > one.log 2>&1 || { cat one.log; fail "run with another writer failed"; }
wait "$writer"
grep -q "also received 250 message(s) that omb did not send" one.log || { cat one.log; fail "the other client's messages were not counted apart"; }
python3 - one.json <<'P' || fail "one.json: foreign messages not recorded, or delivery not exact"
import json, sys
for s in json.load(open(sys.argv[1][:-5] + '.omb'))["omb"]["delivery"]:
    assert s["foreign"] == 250 and s["distinct"] == s["acknowledged"] and s["missing"] == 0, s
P

# A mistyped name: one sentence, and the broker did not create it.
sed "s/$payments\]/paymnts-$sfx]/" w.yaml > typo.yaml
expect_fail 1 "typo.yaml: existingTopicList: topic 'paymnts-$sfx' does not exist on the Kafka cluster at localhost:9092" -- "$OMB" run -d k.yaml typo.yaml
"$KCAT" -L -b 127.0.0.1:9092 | grep -q "paymnts-$sfx" && fail "the mistyped topic was created"
# partitionsPerTopic that disagrees with the broker.
sed 's/^messageSize/partitionsPerTopic: 8\nmessageSize/' one.yaml > parts.yaml
expect_fail 1 "parts.yaml: partitionsPerTopic is 8, but existing topic '$payments' has 3 partition" -- "$OMB" run -d k.yaml parts.yaml

# Two workers: each one's consumers start at the end; the delivery check is exact.
start_worker a
start_worker b
"$OMB" run -d k.yaml -w "$URL_a,$URL_b" w.yaml --period 2 -o dist.json > dist.log 2>&1 || { cat dist.log; fail "distributed run on existing topics failed"; }
check_exact dist.json 4
no_new_groups "a run on two workers"
"$KCAT" -L -b 127.0.0.1:9092 | grep -q "topic \"$orders\"" || fail "$orders was deleted"
echo "ok: existing topics on real Kafka"
