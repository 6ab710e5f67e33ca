#!/usr/bin/env bash
# consumerBacklogSizeGB: a backlog builds with consumers paused, drains, then the test runs;
# build and drain times are in the result. A drain that cannot complete ends the run with a
# clear message and the result so far, never a hang.
source "$(dirname "$0")/lib.sh"
loopback_driver
cat > w.yaml <<'Y'
name: backlog
topics: 1
partitionsPerTopic: 2
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: 5000
consumerBacklogSizeGB: 0.01
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
"$OMB" run -d loopback.yaml --period 1 -o ok.json w.yaml > ok.log 2>&1 || { cat ok.log; fail "backlog run failed"; }
grep -q -- "--- Completed backlog draining in" ok.log || fail "no drain line"
$CHECK ok.json --min-periods 3
python3 - <<'P'
import json
r = {**json.load(open("ok.json"[:-5] + '.omb')), **json.load(open("ok.json"))}; b = r["omb"]["backlog"]
assert b["drained"] and b["buildSeconds"] > 1 and b["drainSeconds"] >= 0, b
assert max(r["backlog"]) * 1024 >= 0.01 * 2**30 * 0.9, max(r["backlog"])
assert {"backlog-build", "backlog-drain", "test"} <= set(r["phase"]), r["phase"]
print("ok: built in %.1f s, drained in %.1f s" % (b["buildSeconds"], b["drainSeconds"]))
P
# Consumers at 2k msg/s cannot drain what producers add at 5k msg/s.
printf 'name: Slow\ndriverClass: loopback\ndeliveryCapacity: 2000\n' > slow.yaml
start=$(date +%s)
expect_fail 1 "draining the backlog made no progress for 3 s" -- "$OMB" run -d slow.yaml --period 1 --backlog-stall-timeout 3 --drain-timeout 1 -o stuck.json w.yaml
[ $(( $(date +%s) - start )) -le 60 ] || fail "the stuck drain took too long to give up"
$CHECK stuck.json --incomplete --min-periods 1
python3 -c "import json; b={**json.load(open('stuck.json'[:-5] + '.omb')), **json.load(open('stuck.json'))}['omb']['backlog']; assert not b['drained'], b"
echo "ok: backlog"
