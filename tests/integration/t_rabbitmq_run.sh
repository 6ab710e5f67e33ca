#!/usr/bin/env bash
# RabbitMQ, real broker (scripts/broker.sh): OMB's own driver file unchanged (QUORUM queues)
# on 2 topics x 2 subscriptions x 2 consumers at a fixed rate, then CLASSIC and STREAM
# queues, small messages (envelope in an AMQP header), and partitionsPerTopic > 1 refused.
# Exact delivery check on every run; nothing of omb's left on the broker afterwards.
source "$(dirname "$0")/lib.sh"
need_driver rabbitmq
broker_up rabbitmq
source "$OMB_SOURCE/tests/integration/rabbitmq_lib.sh"

REF="$OMB_SHARED/omb-reference/driver-rabbitmq/rabbitmq.yaml"
[ -f "$REF" ] || fail "no OMB driver file at $REF"
before=$(rmq_leftovers)

cat > w.yaml <<'Y'
name: rabbitmq run
topics: 2
messageSize: 512
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.15
warmupDurationMinutes: 0.05
Y
"$OMB" run -d "$REF" --period 3 -o quorum.json w.yaml > quorum.log 2>&1 || { cat quorum.log; fail "run with OMB's rabbitmq.yaml failed"; }
grep -q "QUORUM queues" quorum.log || { cat quorum.log; fail "the log does not say QUORUM queues"; }
grep -q "Delivery check: every subscription received every acknowledged message" quorum.log ||
  { cat quorum.log; fail "no complete delivery check"; }
$CHECK quorum.json --rate 1000 --subs 2 --min-periods 2 --workload "rabbitmq run" --driver RabbitMQ
python3 - <<'P'
import json, os
r = {**(json.load(open("quorum.json"[:-5] + '.omb')) if os.path.isfile("quorum.json"[:-5] + '.omb') else {}), **json.load(open("quorum.json"))}
assert r["consumersPerTopic"] == 2, r["consumersPerTopic"]
# Every subscription's copy arrives once: both subscriptions counted by position.
d = r["omb"]["delivery"]
assert len(d) == 4 and all(e["missing"] == 0 and e["distinct"] == e["acknowledged"] for e in d), d
assert 0 < r["aggregatedPublishLatency50pct"] < 1000, r["aggregatedPublishLatency50pct"]
assert 0 < r["aggregatedEndToEndLatency50pct"] < 1000, r["aggregatedEndToEndLatency50pct"]
P

# The other queue types: the same file with queueType changed.
cat > short.yaml <<'Y'
name: rabbitmq queue types
topics: 2
messageSize: 100
subscriptionsPerTopic: 2
consumerPerSubscription: 1
producersPerTopic: 2
producerRate: 1000
testDurationMinutes: 0.05
warmupDurationMinutes: 0.03
Y
for qt in CLASSIC STREAM; do
  sed "s/^queueType: QUORUM/queueType: $qt/" "$REF" > "$qt.yaml"
  grep -q "^queueType: $qt" "$qt.yaml" || fail "could not make a $qt driver file"
  "$OMB" run -d "$qt.yaml" --period 1 -o "$qt.json" short.yaml > "$qt.log" 2>&1 || { cat "$qt.log"; fail "$qt run failed"; }
  grep -q "$qt queues" "$qt.log" || { cat "$qt.log"; fail "the log does not say $qt queues"; }
  $CHECK "$qt.json" --rate 1000 --subs 2 --min-periods 2
done

# Payloads under the envelope's 28 bytes carry it in the omb-env header: latencies and
# positions still work.
cat > tiny.yaml <<'Y'
name: tiny messages
topics: 1
messageSize: 10
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 500
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d CLASSIC.yaml --period 1 -o tiny.json tiny.yaml > tiny.log 2>&1 || { cat tiny.log; fail "tiny-message run failed"; }
$CHECK tiny.json --rate 500 --subs 1
python3 -c "
import json, os; r = {**(json.load(open('tiny.json'[:-5] + '.omb')) if os.path.isfile('tiny.json'[:-5] + '.omb') else {}), **json.load(open('tiny.json'))}
assert r['messageSize'] == 10
assert 0 < r['aggregatedEndToEndLatency50pct'] < 1000, r['aggregatedEndToEndLatency50pct']
assert r['aggregatedEndToEndLatencyCorrectedCount'] > 0"

# RabbitMQ has no partitions (no OMB_CAP_PARTITIONS): one sentence before anything runs,
# exit 2. (The driver's create_topics refuses it too, for coordinators that do not ask.)
sed 's/^topics: 2/topics: 1\npartitionsPerTopic: 4/' short.yaml > parts.yaml
expect_fail 2 "parts.yaml: partitionsPerTopic is 4, but the rabbitmq driver \(CLASSIC.yaml\) has no partitions: use 1" -- "$OMB" run -d CLASSIC.yaml parts.yaml
[ "$(wc -l < out.log)" -le 2 ] || { cat out.log; fail "more than one sentence for partitionsPerTopic"; }
ls parts*.json >/dev/null 2>&1 && fail "a result file was written for partitionsPerTopic: 4"

after=$(rmq_leftovers)
[ "$after" = "$before" ] || fail "left on the broker: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
echo "ok: rabbitmq runs (QUORUM, CLASSIC, STREAM, tiny messages); nothing left on the broker"
