#!/usr/bin/env bash
# RabbitMQ restarted in the middle of a run (scripts/broker.sh restart: graceful stop, same
# data): the run goes on. Sends during the outage fail and are counted as publish errors;
# the producer and the consumer reconnect by themselves (every second) and the load comes
# back to its rate; the quorum queue (OMB's rabbitmq.yaml) kept every confirmed message, so
# the delivery check is complete (unacked deliveries come again: counted as repeats).
# About a minute: the broker takes 5-20 s to come back on a busy machine.
source "$(dirname "$0")/lib.sh"
need_driver rabbitmq
broker_up rabbitmq
source "$OMB_SOURCE/tests/integration/rabbitmq_lib.sh"
REF="$OMB_SHARED/omb-reference/driver-rabbitmq/rabbitmq.yaml"
[ -f "$REF" ] || fail "no OMB driver file at $REF"
before=$(rmq_leftovers)
cat > w.yaml <<'Y'
name: rabbitmq restart
topics: 1
messageSize: 100
subscriptionsPerTopic: 1
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 500
testDurationMinutes: 0.75
warmupDurationMinutes: 0
Y
"$OMB" run -d "$REF" --period 3 -o r.json w.yaml > run.log 2>&1 &
pid=$!
sleep 6
"$BROKER" restart rabbitmq > restart.log 2>&1 || { cat restart.log; kill "$pid"; fail "broker.sh restart rabbitmq failed"; }
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { cat run.log; fail "the run did not survive the restart (exit $rc)"; }
grep -q "RabbitMQ producer on .*: reconnected" run.log || { cat run.log; fail "the producer did not reconnect"; }
grep -q "RabbitMQ consumer of queue .*: reconnected" run.log || { cat run.log; fail "the consumer did not reconnect"; }
grep -q "Delivery check: every subscription received every acknowledged message" run.log ||
  { cat run.log; fail "messages confirmed before the restart were lost"; }
python3 - <<'P'
import json, os
r = {**(json.load(open("r.json"[:-5] + '.omb')) if os.path.isfile("r.json"[:-5] + '.omb') else {}), **json.load(open("r.json"))}
assert sum(r["publishErrorRate"]) > 0, "no publish errors while the broker was down"
assert r["publishRate"][-1] > 450 and r["consumeRate"][-1] > 450, (r["publishRate"], r["consumeRate"])
print("ok: %d messages acknowledged across the restart, all received; last period %.0f msg/s"
      % (r["omb"]["delivery"][0]["acknowledged"], r["publishRate"][-1]))
P
after=$(rmq_leftovers)
[ "$after" = "$before" ] || fail "left on the broker: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
echo "ok: rabbitmq restart mid-run: the run went on"
