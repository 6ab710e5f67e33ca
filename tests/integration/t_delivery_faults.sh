#!/usr/bin/env bash
# The delivery check counts distinct messages by position, so redeliveries cannot hide
# losses. The loopback broker drops every 1000th message a consumer gets and delivers every
# 300th twice: received exceeds acknowledged, yet omb reports exactly the lost messages and
# fails the run. With redeliveries alone the run passes and reports the duplicates.
source "$(dirname "$0")/lib.sh"

cat > w.yaml <<'Y'
name: faults
topics: 1
partitionsPerTopic: 4
messageSize: 100
subscriptionsPerTopic: 1
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 5000
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
printf 'name: Lossy\ndriverClass: loopback\nloseEvery: 1000\nredeliverEvery: 300\n' > lossy.yaml
printf 'name: Repeats\ndriverClass: loopback\nredeliverEvery: 300\n' > repeats.yaml

set +e
"$OMB" run -d lossy.yaml --period 1 --drain-timeout 2 -o lossy.json w.yaml > lossy.log 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || { cat lossy.log; fail "a run that lost messages exited $rc, not 1"; }
grep -Eq "received [0-9]+ distinct of [0-9]+ acknowledged messages: [0-9]+ never arrived" lossy.log \
  || { cat lossy.log; fail "the loss was not reported"; }
grep -q "more than once" lossy.log || { cat lossy.log; fail "the redeliveries were not reported"; }

"$OMB" run -d repeats.yaml --period 1 -o repeats.json w.yaml > repeats.log 2>&1 \
  || { cat repeats.log; fail "a run with only redeliveries failed"; }
grep -q "more than once" repeats.log || { cat repeats.log; fail "the redeliveries were not reported"; }
grep -q "every subscription received every acknowledged message" repeats.log \
  || { cat repeats.log; fail "no delivery verdict"; }

# Exact figures: the consumer's n-th delivery is lost when n % 1000 == 0 and repeated when
# n % 300 == 0 (unless lost); n runs over every acknowledged message (probe included).
python3 - lossy.json repeats.json <<'P'
import json, sys
def entry(path):
    d = {**json.load(open(path[:-5] + '.omb')), **json.load(open(path))}["omb"]["delivery"]
    assert len(d) == 1, d
    return d[0], {**json.load(open(path[:-5] + '.omb')), **json.load(open(path))}["omb"]["complete"]
e, complete = entry(sys.argv[1])
n = e["acknowledged"]
lost, again = n // 1000, n // 300 - n // 3000
assert e["received"] >= n, f"counting alone would have hidden the loss: {e}"
assert e["missing"] == lost, f"missing {e['missing']}, expected {lost}: {e}"
assert e["distinct"] == n - lost, e
assert e["duplicates"] == again, f"duplicates {e['duplicates']}, expected {again}: {e}"
assert complete is False, "a run that lost messages is marked complete"
e, complete = entry(sys.argv[2])
n = e["acknowledged"]
assert e["missing"] == 0 and e["distinct"] == n, e
assert e["duplicates"] == n // 300, e
assert complete is True
print("ok:", e)
P
echo "ok: delivery faults"
