#!/usr/bin/env bash
# existingTopicList on `omb kafka-mock`, whose topics outlive a run (no broker needed, so
# this runs under the sanitizers too): a second run on the first run's topic starts at its
# end (the first run's messages are not received again), another client's messages during
# the run are counted apart, and the run ends cleanly (the mock has no DeleteGroups: the
# run's groups end with it). t_kafka_existing.sh runs the same on a real broker.
source "$(dirname "$0")/lib.sh"
source "$OMB_SOURCE/tests/integration/dist_lib.sh"
start_kafka_mock
bs=$(sed -n 's/^bootstrap.servers=//p' kafka-mock.out)
KCAT=$(command -v kcat || command -v kafkacat)
cat > first.yaml <<'Y'
name: first
topics: 1
partitionsPerTopic: 2
messageSize: 100
producerRate: 300
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d kafka-dist.yaml first.yaml -o first.json > first.log 2>&1 || { cat first.log; fail "first run failed"; }
topic=$("$KCAT" -L -b "$bs" 2>/dev/null | sed -n 's/.*topic "\(test-topic-[^"]*\)".*/\1/p' | head -1)
[ -n "$topic" ] || fail "the first run's topic is not on the mock"
cat > again.yaml <<Y
name: again
existingTopicList: [$topic]
messageSize: 100
subscriptionsPerTopic: 2
producerRate: 300
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
(sleep 3; seq 1 40 | "$KCAT" -P -b "$bs" -t "$topic" 2>/dev/null) &
writer=$!
"$OMB" run -d kafka-dist.yaml again.yaml --period 2 -o again.json > again.log 2>&1 || { cat again.log; fail "run on the existing topic failed"; }
wait "$writer"
grep -q "Using 1 existing topic(s) of 2 partition(s)" again.log || { cat again.log; fail "existing topic not reported"; }
grep -q "also received 40 message(s) that omb did not send" again.log || { cat again.log; fail "the other client's messages were not counted apart"; }
python3 - again.json <<'P' || { cat again.log; fail "delivery on the existing topic was not exact"; }
import json, sys
subs = json.load(open(sys.argv[1][:-5] + '.omb'))["omb"]["delivery"]
assert len(subs) == 2, subs
for s in subs:
    # The first run's messages carry omb's envelope: replayed, they would count here.
    assert s["acknowledged"] > 0 and s["distinct"] == s["acknowledged"], s
    assert s["missing"] == 0 and s["foreign"] == 40, s
P
! grep -q "WARN.*consumer group" again.log || fail "a group deletion was tried on the mock"
echo "ok: existing topics on omb kafka-mock"
