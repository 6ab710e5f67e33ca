#!/usr/bin/env bash
# MQTT 5 on a real Mosquitto (scripts/broker.sh): OMB's own mqtt5.yaml, unchanged, with a
# 2-topic, 2-subscription, 2-consumer workload (its ignored sessionExpiryIntervalSeconds
# key is a warning naming file and line); QoS 0; QoS 2 with payloads under the envelope
# (the envelope travels in a user property); nothing left on the broker afterwards.
source "$(dirname "$0")/lib.sh"
need_driver mqtt
broker_up mosquitto
OMB_FILE="$OMB_SHARED/omb-reference/driver-mqtt5/mqtt5.yaml"
# Rates are checked within 15%: the broker is a process of its own on the same cores.
[ -f "$OMB_FILE" ] || fail "no $OMB_FILE"

cat > w.yaml <<'Y'
name: mqtt run
topics: 2
partitionsPerTopic: 1
messageSize: 100
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.1
warmupDurationMinutes: 0.02
Y
"$OMB" run -d "$OMB_FILE" --period 2 -o omb.json w.yaml > omb.log 2>&1 || { cat omb.log; fail "OMB's mqtt5.yaml run failed"; }
grep -q "mqtt5.yaml line 26: 'consumer.sessionExpiryIntervalSeconds' is not a key of OMB's MQTT driver, which ignores it" omb.log ||
  { cat omb.log; fail "no warning about sessionExpiryIntervalSeconds"; }
grep -q "Delivery check: every subscription received every acknowledged message" omb.log || { cat omb.log; fail "no complete delivery"; }
$CHECK omb.json --tolerance 0.15 --rate 1000 --subs 2 --min-periods 3 --workload "mqtt run" --driver MQTT
python3 - omb.json <<'P'
import json, sys
r = {**json.load(open(sys.argv[1][:-5] + '.omb')), **json.load(open(sys.argv[1]))}
assert r["topics"] == 2 and r["consumersPerTopic"] == 2, (r["topics"], r["consumersPerTopic"])
d = r["omb"]["delivery"]
assert len(d) == 4, d  # 2 topics x 2 subscriptions, each got every message
assert 0 < r["aggregatedEndToEndLatency50pct"] < 1000, r["aggregatedEndToEndLatency50pct"]
assert 0 < r["aggregatedPublishLatency50pct"] < 1000, r["aggregatedPublishLatency50pct"]
print("ok: OMB's mqtt5.yaml: pub p50 %.3f ms, e2e p50 %.3f ms" % (r["aggregatedPublishLatency50pct"], r["aggregatedEndToEndLatency50pct"]))
P

# QoS 0 at a moderate rate: nothing is lost on loopback, so the delivery check passes.
printf 'name: MQTT-q0\ndriverClass: mqtt\nclient:\n  serverUri: tcp://127.0.0.1:1883\n  qos: 0\n  topicPrefix: omb-it\n' > q0.yaml
"$OMB" run -d q0.yaml --period 2 -o q0.json w.yaml > q0.log 2>&1 || { cat q0.log; fail "QoS 0 run failed"; }
grep -q "QoS 0: no broker ack; publish latency = handed to the socket" q0.log || fail "QoS 0 not said"
$CHECK q0.json --tolerance 0.15 --rate 1000 --subs 2 --min-periods 3 --driver MQTT-q0

# QoS 2, 10-byte payloads: the envelope rides in an MQTT 5 user property.
cat > tiny.yaml <<'Y'
name: tiny
topics: 1
messageSize: 10
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producersPerTopic: 2
producerRate: 1000
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
printf 'name: MQTT-q2\ndriverClass: io.openmessaging.benchmark.driver.mqtt5.MqttBenchmarkDriver\nclient:\n  qos: 2\nconsumer:\n  receiveMaximum: 65535\n' > q2.yaml
"$OMB" run -d q2.yaml --period 1 -o q2.json tiny.yaml > q2.log 2>&1 || { cat q2.log; fail "QoS 2 run failed"; }
$CHECK q2.json --tolerance 0.15 --rate 1000 --subs 1 --min-periods 2
python3 -c "
import json; r = {**json.load(open('q2.json'[:-5] + '.omb')), **json.load(open('q2.json'))}
assert 0 < r['aggregatedEndToEndLatency50pct'] < 1000, r['aggregatedEndToEndLatency50pct']
assert r['messageSize'] == 10"

# Nothing left behind: no retained message under either prefix, no client but ours.
left=$(timeout 5 mosquitto_sub -h 127.0.0.1 -p 1883 -t 'benchmark/#' -t 'omb-it/#' --retained-only -v -W 2 2>/dev/null || true)
[ -z "$left" ] || fail "retained messages left on the broker: $left"
echo "ok: mqtt runs"
