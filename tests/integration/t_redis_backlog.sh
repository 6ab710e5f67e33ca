#!/usr/bin/env bash
# Redis backlog: consumers stop issuing XREADGROUP while paused, the backlog builds in the
# stream and drains, and every subscription gets every message. Then a backlog larger than
# maxLen: trimming drops unread entries, which omb says (with the count) and the run fails,
# never passing silently.
source "$(dirname "$0")/lib.sh"
need_driver redis
broker_up redis
source "$OMB_SOURCE/tests/integration/redis_lib.sh"
cat > w.yaml <<'Y'
name: redis backlog
topics: 1
messageSize: 1024
subscriptionsPerTopic: 2
producersPerTopic: 1
consumerPerSubscription: 2
producerRate: 4000
consumerBacklogSizeGB: 0.005
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d "$OMB_SHARED/omb-reference/driver-redis/redis.yaml" --period 1 -o b.json w.yaml > b.log 2>&1 || { cat b.log; fail "backlog run failed"; }
grep -q -- "--- Completed backlog draining in" b.log || { cat b.log; fail "no drain line"; }
grep -q "was trimmed" b.log && fail "trimmed with the default maxLen"
$CHECK b.json --min-periods 3 --subs 2
python3 -c "from omb_result import load; b=load('b.json')['omb']['backlog']; assert b['drained'], b; print('ok: redis backlog built in %.1f s, drained in %.1f s' % (b['buildSeconds'], b['drainSeconds']))"
left_behind b.json

# 5,242 messages of backlog in a stream trimmed to about 1,000 entries.
printf 'name: RedisShort\ndriverClass: redis\nmaxLen: 1000\n' > short.yaml
expect_fail 1 "was trimmed \(trim: true, maxLen: 1000\) past messages subscription 'sub-00[01]-[A-Za-z0-9]+' had not read: at least [0-9]+ lost" -- \
  "$OMB" run -d short.yaml --period 1 --backlog-stall-timeout 3 -o s.json w.yaml
grep -Eq "draining the backlog made no progress|not every subscription|missing" out.log || { cat out.log; fail "the run did not fail on the lost messages"; }
[ "$(grep -c "was trimmed" out.log)" = 2 ] || { cat out.log; fail "expected one trim warning per subscription"; }
t=$(sed -n "s/.*stream '\([^']*\)' was trimmed.*/\1/p" out.log | sort -u)
[ -n "$t" ] || fail "the warning names no stream"
[ "$(redis-cli EXISTS "$t")" = 0 ] || fail "stream $t left behind after the failed run"
echo "ok: redis backlog"
