#!/usr/bin/env bash
# Redis with two `omb worker`s (one produces, one consumes): OMB's redis.yaml unchanged,
# every subscription gets every message, and nothing is left on the broker although the
# streams are deleted by one worker while the other's consumers are still open (no
# consumer or producer brings a deleted stream back).
source "$(dirname "$0")/lib.sh"
source "$OMB_SOURCE/tests/integration/dist_lib.sh"
need_driver redis
BROKER="$OMB_SOURCE/scripts/broker.sh"
started=0
if ! "$BROKER" status redis >/dev/null 2>&1; then
  "$BROKER" start redis >/dev/null || fail "cannot start redis with scripts/broker.sh"
  started=1
fi
trap 'rc=$?; if [ $started = 1 ]; then "$BROKER" stop redis >/dev/null 2>&1; fi; (exit $rc); stop_all_pids' EXIT
start_worker a
start_worker b
cat > w.yaml <<'Y'
name: redis dist
topics: 2
messageSize: 256
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 2000
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
"$OMB" run -d "$OMB_SHARED/omb-reference/driver-redis/redis.yaml" -w "$URL_a,$URL_b" --period 2 -o d.json w.yaml > d.log 2>&1 || { cat d.log worker-*.log; fail "distributed run failed"; }
grep -q "Delivery check: every subscription received every acknowledged message" d.log || { cat d.log; fail "delivery check"; }
$CHECK d.json --rate 2000 --subs 2 --min-periods 2 || { cat d.log; fail "result check"; }
grep -q "Redis: 127.0.0.1:6379" worker-a.log && grep -q "Redis: 127.0.0.1:6379" worker-b.log || fail "a worker did not connect"
grep -hE "WARN|ERROR" worker-a.log worker-b.log && fail "a worker warned"
sleep 0.5 # the consumer worker's stop-all may come after the producer worker's
n=0
for t in $(python3 -c "from omb_result import load; print(' '.join(sorted({d['topic'] for d in load('d.json')['omb']['delivery']})))"); do
  n=$((n + 1))
  [ "$(redis-cli EXISTS "$t")" = 0 ] || fail "stream $t left behind on Redis"
done
[ $n = 2 ] || fail "expected 2 streams in the result, got $n"
echo "ok: redis with two workers"
