#!/usr/bin/env bash
# A backlog on the Kafka mock that fits its retention (100,000 messages or 5 MiB per
# partition): consumers pause their partitions (no rebalance, no data lost), the backlog
# builds and drains, and every subscription gets every message.
source "$(dirname "$0")/lib.sh"
cat > w.yaml <<'Y'
name: kafka backlog
topics: 1
partitionsPerTopic: 8
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 2
producerRate: 4000
consumerBacklogSizeGB: 0.01
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run --period 1 -o k.json w.yaml > k.log 2>&1 || { cat k.log; fail "backlog run on the mock failed"; }
grep -q -- "--- Completed backlog draining in" k.log || fail "no drain line"
grep -qi "rebalanc" k.log && { grep -i rebalanc k.log; fail "a rebalance happened"; }
$CHECK k.json --min-periods 3
python3 -c "import json; b={**json.load(open('k.json'[:-5] + '.omb')), **json.load(open('k.json'))}['omb']['backlog']; assert b['drained'], b; print('ok: kafka backlog built in %.1f s, drained in %.1f s' % (b['buildSeconds'], b['drainSeconds']))"
