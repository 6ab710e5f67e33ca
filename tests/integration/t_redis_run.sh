#!/usr/bin/env bash
# Redis Streams on a real local redis-server (scripts/broker.sh): OMB's own redis.yaml,
# unchanged, with 2 topics x 2 subscriptions x 2 consumers; rates, latencies and an exact
# delivery check; nothing left on the broker afterwards. Then the same file ending in
# `jedisPoolMaxIdle: 8#` (read as 8, with a warning naming file and line) with payloads
# shorter than the envelope (it travels in a second stream field).
source "$(dirname "$0")/lib.sh"
need_driver redis
broker_up redis
source "$OMB_SOURCE/tests/integration/redis_lib.sh"
REDIS_YAML="$OMB_SHARED/omb-reference/driver-redis/redis.yaml"
[ -f "$REDIS_YAML" ] || fail "no $REDIS_YAML"

cat > w.yaml <<'Y'
name: redis 2x2x2
topics: 2
partitionsPerTopic: 1
messageSize: 100
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 2000
testDurationMinutes: 0.1
warmupDurationMinutes: 0.02
Y
"$OMB" run -d "$REDIS_YAML" --period 2 -o r.json w.yaml > run.log 2>&1 || { cat run.log; fail "run with OMB's redis.yaml failed"; }
grep -q "Redis: 127.0.0.1:6379 (Redis " run.log || { cat run.log; fail "no connection line"; }
grep -q "jedisPoolMaxTotal/jedisPoolMaxIdle .* does not use them" run.log || fail "the Jedis pool keys are not explained"
grep -q "Delivery check: every subscription received every acknowledged message" run.log || { cat run.log; fail "delivery check"; }
$CHECK r.json --rate 2000 --subs 2 --min-periods 3 --workload "redis 2x2x2" --driver Redis || { cat run.log; fail "result check"; }
python3 - r.json <<'P'
import sys
from omb_result import load
r = load(sys.argv[1])
assert r["topics"] == 2, r["topics"]
# Every subscription (2 per topic, 4 in all) counted separately, by position.
d = r["omb"]["delivery"]
assert len(d) == 4, d
# Local Redis: the median publish and end-to-end latencies are well under 50 ms.
assert 0 < r["aggregatedPublishLatency50pct"] < 50, r["aggregatedPublishLatency50pct"]
assert 0 <= r["aggregatedEndToEndLatency50pct"] < 50, r["aggregatedEndToEndLatency50pct"]
print("ok: pub p50 %.2f ms p99 %.2f ms, e2e p50 %.2f ms p99 %.2f ms" % (
    r["aggregatedPublishLatency50pct"], r["aggregatedPublishLatency99pct"],
    r["aggregatedEndToEndLatency50pct"], r["aggregatedEndToEndLatency99pct"]))
P
left_behind r.json
[ "$(streams r.json | wc -l)" = 2 ] || fail "expected 2 streams: $(streams r.json)"

# The same file with `8#` (YAML: the string "8#"), and 10-byte messages.
sed 's/^jedisPoolMaxIdle: 8.*/jedisPoolMaxIdle: 8#/' "$REDIS_YAML" > hash.yaml
line=$(grep -n '^jedisPoolMaxIdle' hash.yaml | cut -d: -f1)
cat > tiny.yaml <<'Y'
name: redis tiny
topics: 1
messageSize: 10
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 500
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d hash.yaml --period 1 -o tiny.json tiny.yaml > tiny.log 2>&1 || { cat tiny.log; fail "run with 'jedisPoolMaxIdle: 8#' failed"; }
grep -q "hash.yaml line $line: jedisPoolMaxIdle: '8#' read as 8" tiny.log || { cat tiny.log; fail "no warning for 8#"; }
$CHECK tiny.json --rate 500 --subs 1
python3 -c "
from omb_result import load; r = load('tiny.json')
assert r['aggregatedEndToEndLatencyCount'] > 0 and r['aggregatedEndToEndLatency50pct'] < 50, r['aggregatedEndToEndLatency50pct']"
# Any other non-integer pool size is an error naming file and line.
sed 's/^jedisPoolMaxIdle: 8.*/jedisPoolMaxIdle: eight/' "$REDIS_YAML" > eight.yaml
expect_fail 2 "eight.yaml line $line: 'jedisPoolMaxIdle' must be an integer, got 'eight'" -- "$OMB" run -d eight.yaml tiny.yaml
left_behind tiny.json
echo "ok: redis run"
