#!/usr/bin/env bash
# producerRate: 0 against loopback brokers of known capacity: the search lands within 10% of
# the capacity and, once there, never drops below half of it; the result records the target
# per period and the rate found. Publish-bound and delivery-bound, two subscriptions.
source "$(dirname "$0")/lib.sh"
cat > w.yaml <<'Y'
name: search
topics: 1
partitionsPerTopic: 4
messageSize: 100
subscriptionsPerTopic: 2
producersPerTopic: 2
consumerPerSubscription: 1
producerRate: 0
testDurationMinutes: 0.5
warmupDurationMinutes: 0
Y
check_search() { # FILE CAPACITY
  python3 - "$1" "$2" <<'P'
import json, sys
r = {**json.load(open(sys.argv[1][:-5] + '.omb')), **json.load(open(sys.argv[1]))}; cap = float(sys.argv[2])
s = r["omb"]["rateSearch"]
assert abs(s["sustainedRate"] - cap) <= 0.1 * cap, f"found {s['sustainedRate']:.0f}, capacity {cap:.0f}"
t, reached = 0.0, None
for rate, secs, target in zip(r["publishRate"], r["periodSeconds"], r["targetRate"]):
    t += secs
    if reached is None and abs(rate - cap) <= 0.1 * cap: reached = t
    elif reached is not None: assert rate >= 0.5 * cap, f"fell to {rate:.0f} at {t:.0f} s"
    assert target > 0
assert reached is not None and reached <= 30, f"within 10% only after {reached} s"
print(f"ok: capacity {cap:.0f}, found {s['sustainedRate']:.0f}, within 10% after {reached:.0f} s")
P
}
printf 'name: LB\ndriverClass: loopback\npublishCapacity: 60000\n' > pub.yaml
"$OMB" run -d pub.yaml --period 2 -o pub.json w.yaml > pub.log 2>&1 || { cat pub.log; fail "search run failed"; }
grep -q "Target rate" pub.log || fail "period lines do not show the target rate"
check_search pub.json 60000
# Consumers capped at 25k msg/s each: with two subscriptions, producers can sustain 25k.
printf 'name: LB\ndriverClass: loopback\ndeliveryCapacity: 25000\n' > del.yaml
"$OMB" run -d del.yaml --period 2 -o del.json w.yaml > del.log 2>&1 || { cat del.log; fail "search run failed"; }
check_search del.json 25000
