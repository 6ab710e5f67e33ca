#!/usr/bin/env bash
# MQTT backlog test on a real Mosquitto: consumers with persistent sessions (cleanSession
# false, sessionExpiryInterval > 0, QoS 1) pause by disconnecting, the broker queues the
# subscriptions' messages for their sessions, they reconnect and drain it; every
# subscription gets every message, and the sessions are ended at close (the broker's $SYS
# counters show no session left). With OMB's own file (cleanSession: true) the driver
# cannot pause: one clear sentence and exit 1.
source "$(dirname "$0")/lib.sh"
need_driver mqtt
broker_up mosquitto

cat > persist.yaml <<'Y'
name: MQTT-persistent
driverClass: io.openmessaging.benchmark.driver.mqtt5.MqttBenchmarkDriver
client:
  serverUri: tcp://localhost:1883
  qos: 1
  topicPrefix: omb-backlog
consumer:
  cleanSession: false
  sessionExpiryInterval: 600
  receiveMaximum: 256
Y
cat > bl.yaml <<'Y'
name: mqtt backlog
topics: 1
messageSize: 1024
subscriptionsPerTopic: 2
producersPerTopic: 1
consumerPerSubscription: 2
producerRate: 2000
consumerBacklogSizeGB: 0.005
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d persist.yaml --period 1 -o bl.json bl.yaml > bl.log 2>&1 || { cat bl.log; fail "backlog run failed"; }
grep -q -- "--- Completed backlog draining in" bl.log || { cat bl.log; fail "no drain line"; }
grep -q "Delivery check: every subscription received every acknowledged message" bl.log || { cat bl.log; fail "incomplete delivery"; }
$CHECK bl.json --subs 2 --min-periods 2
python3 -c "
import json; b = {**json.load(open('bl.json'[:-5] + '.omb')), **json.load(open('bl.json'))}['omb']['backlog']; assert b['drained'], b
print('ok: mqtt backlog built in %.1f s, drained in %.1f s' % (b['buildSeconds'], b['drainSeconds']))"

# The sessions are gone: $SYS/broker/clients/disconnected counts stored sessions whose
# client is not connected (a persistent session left behind). Mosquitto republishes $SYS
# values every sys_interval (10 s) when they change, so after 11 s the retained value is
# the state after the run. No retained value at all: it has been 0 since the broker
# started (it is published on change only).
sleep 11
left=$(timeout 5 mosquitto_sub -h 127.0.0.1 -p 1883 -t '$SYS/broker/clients/disconnected' -C 1 -W 4 2>/dev/null || true)
[ "${left:-0}" = 0 ] || fail "the broker holds '$left' session(s) of disconnected clients after the run, expected 0"

# OMB's own file has clean sessions: a paused consumer would lose its subscription, so the
# driver refuses to pause, with one sentence naming what to change.
# When the backlog phase starts (exit 1), or before the run where omb checks each workload
# against its drivers first (omb_drv_check_workload: exit 2).
set +e
"$OMB" run -d "$OMB_SHARED/omb-reference/driver-mqtt5/mqtt5.yaml" --period 1 -o refused.json bl.yaml > refused.log 2>&1
rc=$?
set -e
[ $rc = 1 ] || [ $rc = 2 ] || { cat refused.log; fail "pause refusal: exit $rc"; }
grep -q "needs consumer.cleanSession: false, consumer.sessionExpiryInterval > 0 and client.qos 1 or 2 in .*mqtt5.yaml" refused.log ||
  { cat refused.log; fail "pause refusal: no sentence"; }
[ $rc = 1 ] || ! grep -q "Created .* topic" refused.log || fail "refused up front, yet topics were created"
[ $(grep -c "needs consumer.cleanSession: false" refused.log) = 1 ] || { cat refused.log; fail "the refusal is not one sentence"; }
echo "ok: mqtt backlog"
