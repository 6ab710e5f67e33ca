#!/usr/bin/env bash
# NATS JetStream against a real nats-server (scripts/broker.sh; a 3-node JetStream cluster
# when this test starts it): OMB's own driver-nats/nats.yaml unchanged (replicationFactor
# 3) on a workload with 2 topics, 2 subscriptions of 2 consumers and 2 producers each;
# exact rates and the delivery check; memory storage with payloads under the envelope
# (it travels in a NATS header); a backlog built with consumers paused and drained; and
# nothing left on any node afterwards (the servers' own /jsz monitoring endpoint).
source "$(dirname "$0")/lib.sh"
BROKER="$OMB_SOURCE/scripts/broker.sh"
"$OMB" --help 2>&1 | grep -q "drivers built in:.*nats" || { echo "skip: omb built without nats"; exit 77; }
command -v nats-server >/dev/null || { echo "skip: no nats-server"; exit 77; }
if ! "$BROKER" status nats >/dev/null 2>&1; then
  "$BROKER" start nats --nodes 3 >broker.log 2>&1 || { cat broker.log; fail "cannot start a 3-node NATS cluster"; }
  trap 'cd /; "$BROKER" stop nats >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
fi
NODES=$("$BROKER" status nats | sed -n 's/.*(\([0-9]*\) node.*/\1/p')
[ -n "$NODES" ] || fail "cannot tell how many NATS nodes run: $("$BROKER" status nats)"

# Streams and consumers on every node, from the server's monitoring endpoint.
js_counts() {
  local total_s=0 total_c=0 k
  for ((k = 1; k <= NODES; k++)); do
    read -r s c < <(curl -sf -m 3 "http://127.0.0.1:$((8221 + k))/jsz" |
      python3 -c 'import json,sys; j=json.load(sys.stdin); print(j.get("streams",0), j.get("consumers",0))') ||
      fail "node $k's monitoring endpoint did not answer"
    total_s=$((total_s + s)); total_c=$((total_c + c))
  done
  echo "$total_s $total_c"
}
nothing_left() {
  local n
  n=$(js_counts)
  [ "$n" = "0 0" ] || fail "$1: streams and consumers left on the broker: $n"
}
nothing_left "before the runs"

DRV=$OMB_SHARED/omb-reference/driver-nats/nats.yaml
[ -f "$DRV" ] || fail "no $DRV"
if [ "$NODES" -lt 3 ]; then
  # A broker someone else started with one node: OMB's file asks 3 replicas, which needs 3.
  echo "note: NATS runs $NODES node(s): OMB's nats.yaml with replicationFactor 1 instead of 3"
  sed 's/^replicationFactor: 3/replicationFactor: 1/' "$DRV" > nats.yaml
  DRV=$PWD/nats.yaml
fi

cat > w.yaml <<'Y'
name: nats run
topics: 2
partitionsPerTopic: 1
messageSize: 1024
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 2
producerRate: 1000
testDurationMinutes: 0.1
warmupDurationMinutes: 0.02
Y
"$OMB" run -d "$DRV" --period 2 -o run.json w.yaml > run.log 2>&1 || { cat run.log; fail "OMB's nats.yaml run failed"; }
grep -q "Delivery check: every subscription received every acknowledged message" run.log ||
  { cat run.log; fail "no complete delivery check"; }
$CHECK run.json --rate 1000 --subs 2 --min-periods 3 --workload "nats run" --driver NATS
nothing_left "after OMB's nats.yaml run"
grep "Aggregated" run.log

# Memory storage, 10-byte messages: the envelope rides in the omb-env header.
printf 'name: NATS-mem\ndriverClass: nats\nnatsHostUrl: nats://127.0.0.1:4222\nstorageType: memory\nmaxBytes: 100000000\n' > mem.yaml
cat > tiny.yaml <<'Y'
name: nats tiny
topics: 1
messageSize: 10
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d mem.yaml --period 1 -o tiny.json tiny.yaml > tiny.log 2>&1 || { cat tiny.log; fail "memory-storage run failed"; }
grep -q "Delivery check: every subscription received every acknowledged message" tiny.log ||
  { cat tiny.log; fail "tiny messages: no complete delivery check"; }
$CHECK tiny.json --rate 1000 --subs 1
python3 -c "
import json; r = {**json.load(open('tiny.json'[:-5] + '.omb')), **json.load(open('tiny.json'))}
assert r['messageSize'] == 10
assert 0 < r['aggregatedEndToEndLatency50pct'] < 1000, r['aggregatedEndToEndLatency50pct']"
nothing_left "after the memory-storage run"

# Backlog: consumers stop fetching (the durable consumer keeps its place), the backlog
# builds, then drains; every message arrives once.
cat > backlog.yaml <<'Y'
name: nats backlog
topics: 1
messageSize: 1024
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 4000
consumerBacklogSizeGB: 0.005
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d mem.yaml --period 1 -o backlog.json backlog.yaml > backlog.log 2>&1 || { cat backlog.log; fail "backlog run failed"; }
grep -q -- "--- Completed backlog draining in" backlog.log || { cat backlog.log; fail "no drain line"; }
grep -q "Delivery check: every subscription received every acknowledged message" backlog.log ||
  { cat backlog.log; fail "backlog: no complete delivery check"; }
$CHECK backlog.json --min-periods 2
python3 -c "import json; b={**json.load(open('backlog.json'[:-5] + '.omb')), **json.load(open('backlog.json'))}['omb']['backlog']; assert b['drained'], b; print('ok: nats backlog built in %.1f s, drained in %.1f s' % (b['buildSeconds'], b['drainSeconds']))"
nothing_left "after the backlog run"
echo "ok: nats run on $NODES node(s)"
