#!/usr/bin/env bash
# Mosquitto restarted mid-run (scripts/broker.sh restart mosquitto), QoS 1 and QoS 0: the
# clients say they lost the connection and reconnected, the load goes on after the
# restart, and the delivery check accounts for every acknowledged message: either all
# arrived (exit 0), or the missing ones are reported as lost and the run fails (exit 1),
# with acknowledged - distinct = missing in the result.
source "$(dirname "$0")/lib.sh"
need_driver mqtt
broker_up mosquitto
cat > w.yaml <<'Y'
name: mqtt restart
topics: 1
messageSize: 100
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 500
testDurationMinutes: 0.12
warmupDurationMinutes: 0
Y
for qos in 1 0; do
  printf 'name: MQTT-q%s\ndriverClass: mqtt\nclient:\n  qos: %s\n  topicPrefix: omb-restart\n' $qos $qos > q.yaml
  set +e
  "$OMB" run -d q.yaml --period 1 -o r$qos.json w.yaml > r$qos.log 2>&1 &
  pid=$!
  for i in $(seq 100); do grep -qs "Starting benchmark traffic" r$qos.log && break; sleep 0.1; done
  sleep 2
  "$BROKER" restart mosquitto > restart.log 2>&1 || { cat restart.log; fail "broker.sh restart mosquitto failed"; }
  wait $pid
  rc=$?
  set -e
  grep -q "lost its connection" r$qos.log || { cat r$qos.log; fail "QoS $qos: no connection loss logged"; }
  grep -q "reconnected" r$qos.log || { cat r$qos.log; fail "QoS $qos: no reconnection logged"; }
  if [ $rc = 0 ]; then
    grep -q "Delivery check: every subscription received every acknowledged message" r$qos.log || { cat r$qos.log; fail "QoS $qos: exit 0 without a complete delivery"; }
  elif [ $rc = 1 ]; then
    grep -Eq "received [0-9]+ distinct of [0-9]+ acknowledged messages: [0-9]+ never arrived" r$qos.log || { cat r$qos.log; fail "QoS $qos: exit 1 without saying what was lost"; }
  else
    cat r$qos.log; fail "QoS $qos: exit $rc"
  fi
  [ -f r$qos.json ] || { cat r$qos.log; fail "QoS $qos: no result"; }
  python3 - r$qos.json $qos $rc <<'P'
import json, sys
r = {**json.load(open(sys.argv[1][:-5] + '.omb')), **json.load(open(sys.argv[1]))}; qos, rc = sys.argv[2], int(sys.argv[3])
s = r["periodSeconds"]
assert len(r["publishRate"]) >= 5, len(r["publishRate"])
# Producing went on after the restart: the last periods publish at the rate again.
assert r["publishRate"][-2] > 400, r["publishRate"]
d = r["omb"]["delivery"]
missing = sum(e["missing"] for e in d)
for e in d:
    assert e["missing"] == max(0, e["acknowledged"] - e["distinct"]), e
assert (missing == 0) == (rc == 0), (missing, rc)
print(f"ok: QoS {qos}: broker restarted mid-run; {sum(e['acknowledged'] for e in d)} acknowledged, "
      f"{missing} lost, {sum(e['received'] - e['distinct'] for e in d)} repeats, exit {rc}")
P
done
echo "ok: mqtt broker restart"
