#!/usr/bin/env bash
# A 3-node JetStream cluster loses the node every client is connected to (kill -9) mid-run
# and gets it back: the clients reconnect to the other nodes, publishes fail while the
# stream elects a new leader (counted as publish errors, not hidden), the run goes on to
# the end at the target rate, and every acknowledged message is delivered.
source "$(dirname "$0")/lib.sh"
BROKER="$OMB_SOURCE/scripts/broker.sh"
"$OMB" --help 2>&1 | grep -q "drivers built in:.*nats" || { echo "skip: omb built without nats"; exit 77; }
command -v nats-server >/dev/null || { echo "skip: no nats-server"; exit 77; }
if ! "$BROKER" status nats >/dev/null 2>&1; then
  "$BROKER" start nats --nodes 3 >broker.log 2>&1 || { cat broker.log; fail "cannot start a 3-node NATS cluster"; }
  trap 'cd /; "$BROKER" stop nats >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
fi
NODES=$("$BROKER" status nats | sed -n 's/.*(\([0-9]*\) node.*/\1/p')
[ "$NODES" = 3 ] || { echo "skip: NATS runs with ${NODES:-?} node(s), not 3"; exit 77; }
cat > kill.yaml <<'Y'
name: nats kill
topics: 1
messageSize: 1024
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.3
warmupDurationMinutes: 0
Y
"$OMB" run -d "$OMB_SHARED/omb-reference/driver-nats/nats.yaml" --period 2 -o kill.json kill.yaml > kill.log 2>&1 &
pid=$!
sleep 6
"$BROKER" kill-node nats 1 >/dev/null
sleep 5
"$BROKER" start-node nats 1 >/dev/null || fail "node 1 did not come back"
wait "$pid" || { cat kill.log; fail "the run did not survive a node going away"; }
grep -q "NATS: reconnected" kill.log || { cat kill.log; fail "no client reconnected"; }
grep -q "Delivery check: every subscription received every acknowledged message" kill.log ||
  { cat kill.log; fail "acknowledged messages were lost"; }
python3 - <<'P'
import json
r = {**json.load(open("kill.json"[:-5] + '.omb')), **json.load(open("kill.json"))}
pub, cons = r["publishRate"], r["consumeRate"]
assert pub[-1] > 900 and cons[-1] > 900, (pub, cons)  # back at the target rate
print("ok: publish rate per period %s, errors %s" % ([round(x) for x in pub], [round(x) for x in r["publishErrorRate"]]))
P
echo "ok: nats run survived losing a node"
