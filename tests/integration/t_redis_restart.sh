#!/usr/bin/env bash
# Redis restarted mid-run (scripts/broker.sh restart redis; the broker runs without
# persistence, so the stream and its group are lost). While a backlog builds, the messages
# Redis acknowledged and lost must not pass silently: the clients say they lost the
# connection and the stream, later sends fail (XADD NOMKSTREAM: nothing recreates the
# stream), and the run fails (the backlog never drains). Nothing is left on the broker.
source "$(dirname "$0")/lib.sh"
need_driver redis
broker_up redis
source "$OMB_SOURCE/tests/integration/redis_lib.sh"
# 20,000 messages of backlog at 2,000 msg/s: about 10 s of building, the restart at 4 s.
cat > w.yaml <<'Y'
name: redis restart
topics: 1
messageSize: 100
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 2000
consumerBacklogSizeGB: 0.002
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
set +e
"$OMB" run -d "$OMB_SHARED/omb-reference/driver-redis/redis.yaml" --period 1 --backlog-stall-timeout 4 -o r.json w.yaml > run.log 2>&1 &
pid=$!
sleep 4
"$BROKER" restart redis > restart.log 2>&1 || { cat restart.log; fail "broker restart failed"; }
wait $pid
rc=$?
set -e
[ "$rc" = 1 ] || { cat run.log; fail "expected exit 1 after the broker lost the stream, got $rc"; }
grep -q "lost its connection to 127.0.0.1:6379" run.log || { cat run.log; fail "no lost-connection warning"; }
grep -q "is gone (consumer '.*' reconnected): the broker lost it" run.log || { cat run.log; fail "no lost-stream warning"; }
grep -q "XADD to '.*' failed: the stream does not exist" run.log || { cat run.log; fail "sends after the loss did not fail"; }
grep -Eq "backlog.* made no progress|missing" run.log || { cat run.log; fail "the failure does not say what is missing"; }
grep -q "Delivery check: every subscription received every acknowledged message" run.log && fail "the delivery check passed"
t=$(sed -n "s/.*stream '\([^']*\)' is gone (consumer.*/\1/p" run.log | sort -u)
[ -n "$t" ] || fail "the warning names no stream"
[ "$(redis-cli EXISTS "$t")" = 0 ] || fail "stream $t left behind after the failed run"
echo "ok: redis restart mid-run is reported, not passed"
