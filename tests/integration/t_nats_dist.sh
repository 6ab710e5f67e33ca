#!/usr/bin/env bash
# NATS across `omb worker`s: producers on one worker, consumers on two others, all on one
# nats-server; the durable consumer of each subscription is shared by consumers on
# different workers (the same create request from each gets the same consumer). Rates,
# the delivery check, and no stream left behind.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"
BROKER="$OMB_SOURCE/scripts/broker.sh"
"$OMB" --help 2>&1 | grep -q "drivers built in:.*nats" || { echo "skip: omb built without nats"; exit 77; }
command -v nats-server >/dev/null || { echo "skip: no nats-server"; exit 77; }
STARTED=0
trap 'rc=$?; ((STARTED)) && { cd /; "$BROKER" stop nats >/dev/null 2>&1 || true; }; (exit $rc); stop_all_pids' EXIT
if ! "$BROKER" status nats >/dev/null 2>&1; then
  "$BROKER" start nats >broker.log 2>&1 || { cat broker.log; fail "cannot start NATS"; }
  STARTED=1
fi
printf 'name: NATS\ndriverClass: nats\nnatsHostUrl: nats://127.0.0.1:4222\nstorageType: memory\n' > nats.yaml
cat > dist.yaml <<'Y'
name: nats dist
topics: 2
messageSize: 256
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 2
producerRate: 1000
testDurationMinutes: 0.1
warmupDurationMinutes: 0.02
Y
for w in a b c; do start_worker $w; done
"$OMB" run -d nats.yaml -w "$URL_a,$URL_b,$URL_c" --period 2 -o dist.json dist.yaml > dist.log 2>&1 ||
  { cat dist.log; fail "3-worker NATS run failed"; }
grep -q "Delivery check: every subscription received every acknowledged message" dist.log ||
  { cat dist.log; fail "no complete delivery check"; }
grep -q "created 4 producer(s)" worker-a.log || { cat worker-a.log; fail "producers not on worker a"; }
grep -q "load started" worker-b.log && fail "a consumer worker was given load"
$CHECK dist.json --rate 1000 --subs 2 --min-periods 3 --workload "nats dist" --driver NATS
streams=$(curl -sf -m 3 "http://127.0.0.1:8222/jsz" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["streams"], j["consumers"])')
[ "$streams" = "0 0" ] || fail "streams and consumers left on the broker: $streams"
echo "ok: nats across 3 workers"
