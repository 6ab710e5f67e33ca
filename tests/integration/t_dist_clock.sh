#!/usr/bin/env bash
# Clock offset between workers: two `omb worker`s on one machine share one clock, so one of
# them is given a wrong one (OMB_TEST_CLOCK_OFFSET_MS, test only). The coordinator must
# estimate that offset (~200 ms, within the uncertainty it states), correct end-to-end
# latencies between the workers by it (the result close to a run without the offset, not
# 200 ms off, whichever side is wrong), report it in the sidecar, and, when a worker has no
# /omb/clock (OMB_TEST_NO_CLOCK_ENDPOINT, as an older omb or a Java worker), still run,
# say so, and count the negative samples instead of recording them as 0.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"

cat > clock.yaml <<'Y'
name: clock
topics: 1
partitionsPerTopic: 2
messageSize: 100
subscriptionsPerTopic: 1
producersPerTopic: 2
consumerPerSubscription: 1
producerRate: 200
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
start_kafka_mock
start_worker a
start_worker b
OMB_TEST_CLOCK_OFFSET_MS=200 start_worker ahead
OMB_TEST_CLOCK_OFFSET_MS=200 OMB_TEST_NO_CLOCK_ENDPOINT=1 start_worker blind

# The endpoints themselves: the clock in epoch ns (worker ahead's 200 ms ahead of worker
# a's, read just before and after; not compared with `date`: the wall clock may have been
# stepped or slewed since the workers aligned to it), no producers yet; a bad peers body
# is a 400 that names the member.
{ curl -sf "$URL_a/omb/clock" && echo && curl -sf "$URL_ahead/omb/clock" && echo &&
  curl -sf "$URL_a/omb/clock"; } > clock.json || fail "GET /omb/clock failed"
python3 - <<'P' || fail "GET /omb/clock: $(cat clock.json)"
import json
a1, ahead, a2 = [json.loads(l) for l in open("clock.json")]
d = (ahead["nowNs"] - (a1["nowNs"] + a2["nowNs"]) / 2) / 1e6
assert 150 < d < 250, d  # 200 ms, give or take curl's start-up
assert ahead["producers"] == 0, ahead
P
code=$(curl -s -o peers.json -w '%{http_code}' -X POST "$URL_a/omb/clock-peers" -d '{"peers":[]}')
[ "$code" = 409 ] || fail "POST /omb/clock-peers before /initialize-driver: HTTP $code, expected 409"
curl -sf -X POST --data-binary @kafka-dist.yaml "$URL_a/initialize-driver" >/dev/null || fail "initialize"
code=$(curl -s -o peers.json -w '%{http_code}' -X POST "$URL_a/omb/clock-peers" \
  -d '{"peers":[{"producerIdBase":1,"producers":2,"offsetNs":"x"}]}')
[ "$code" = 400 ] && grep -q "peers\[0\]: 'offsetNs' must be an integer" peers.json ||
  fail "a bad /omb/clock-peers body: HTTP $code $(cat peers.json)"
curl -sf -X POST "$URL_a/stop-all" >/dev/null || fail "stop-all"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL_blind/omb/clock")
[ "$code" = 404 ] || fail "OMB_TEST_NO_CLOCK_ENDPOINT: /omb/clock answered HTTP $code, not 404"

# run NAME PRODUCER_URL CONSUMER_URL: a run with the producer on one worker, the consumer on
# the other.
run() {
  "$OMB" run -d kafka-dist.yaml -w "$2,$3" --period 2 -o "$1.json" clock.yaml > "$1.log" 2>&1 ||
    { cat "$1.log"; fail "$1: the run failed"; }
}
# field NAME KEY: a figure of result NAME (its .json and .omb read together).
field() {
  python3 -c "
import json, sys
r = {**json.load(open('$1.omb')), **json.load(open('$1.json'))}
v = r
for k in '$2'.split('.'): v = v[k]
print(json.dumps(v))"
}
# offset_ok LOG URL WANT_MS: the offset logged for URL is WANT_MS within the uncertainty
# logged with it (plus 0.2 ms: the workers' clocks are aligned at start-up, each on its own).
offset_ok() {
  local line
  line=$(grep -E "Worker $2: clock offset [-+][0-9.]+ ms \+- [0-9.]+ ms" "$1") ||
    { cat "$1"; fail "$1: no clock offset logged for $2"; }
  python3 - "$line" "$3" <<'P' || fail "$1: offset of $2 is not $3 ms within its uncertainty: $line"
import re, sys
off, unc = map(float, re.search(r"clock offset ([-+][0-9.]+) ms \+- ([0-9.]+) ms", sys.argv[1]).groups())
want = float(sys.argv[2])
print(f"offset {off:+.3f} ms +- {unc:.3f} ms, injected {want:+.0f} ms")
sys.exit(0 if abs(off - want) <= unc + 0.2 and unc < 50 else 1)
P
}
# p50_close NAME REF: e2e p50 of NAME within 20 ms of REF's (the mock's latency is a few ms).
p50_close() {
  local got ref
  got=$(field "$1" aggregatedEndToEndLatency50pct)
  ref=$(field "$2" aggregatedEndToEndLatency50pct)
  echo "$1: e2e p50 $got ms (reference $ref ms)"
  python3 -c "import sys; sys.exit(0 if abs($got - $ref) < 20 else 1)" ||
    fail "$1: e2e p50 $got ms is not within 20 ms of $ref ms without the offset"
  [ "$(field "$1" aggregatedEndToEndLatencyNegative)" = 0 ] || fail "$1: negative e2e samples"
}

# Reference: one clock.
run ref "$URL_a" "$URL_b"
offset_ok ref.log "$URL_a" 0
offset_ok ref.log "$URL_b" 0
grep -q "its clock is" ref.log && fail "ref: skew warned about on one machine's clock"
[ "$(field ref omb.clockOffsets | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] ||
  fail "ref: omb.clockOffsets should list both workers"

# The consumer's clock is 200 ms ahead: uncorrected, every e2e sample would be 200 ms long.
run consumer-ahead "$URL_a" "$URL_ahead"
offset_ok consumer-ahead.log "$URL_ahead" 200
grep -Eq "Worker $URL_ahead: its clock is \+(199|200)\.[0-9]+ ms" consumer-ahead.log || fail "consumer-ahead: no skew warning"
grep -q "corrected for their clocks" worker-ahead.log || fail "consumer-ahead: the consumer was not told the offsets"
p50_close consumer-ahead ref
$CHECK consumer-ahead.json --rate 200 --subs 1 --tolerance 0.2
field consumer-ahead omb.clockOffsets | python3 -c "
import json, sys
c = {x['worker']: x for x in json.load(sys.stdin)}
x = c['$URL_ahead']
assert abs(x['offsetMs'] - 200) <= x['uncertaintyMs'] + 0.2, x
assert abs(c['$URL_a']['offsetMs']) <= c['$URL_a']['uncertaintyMs'] + 0.2, c" ||
  fail "consumer-ahead: omb.clockOffsets does not hold the offsets"

# The producer's clock is 200 ms ahead: uncorrected, every sample would be negative.
run producer-ahead "$URL_ahead" "$URL_b"
offset_ok producer-ahead.log "$URL_ahead" 200
p50_close producer-ahead ref

# No estimate for a producer 200 ms ahead (no /omb/clock): the run still works, says that
# its latencies are not corrected, and counts the negative samples instead of making them 0.
run blind "$URL_blind" "$URL_b"
grep -q "Worker $URL_blind: no clock offset estimate (the worker has no /omb/clock" blind.log ||
  { cat blind.log; fail "blind: missing estimate not said"; }
grep -Eq "[0-9]+ of [0-9]+ end-to-end latency samples \([0-9.]+%\) were negative" blind.log ||
  { cat blind.log; fail "blind: negative samples not warned about"; }
neg=$(field blind aggregatedEndToEndLatencyNegative)
recv=$(field blind totalMessagesReceived)
echo "blind: $neg negative e2e samples of $recv received"
python3 -c "import sys; sys.exit(0 if $neg >= 0.9 * $recv else 1)" ||
  fail "blind: $neg negative samples, expected nearly all of about $recv"
field blind omb.clockOffsets | python3 -c "
import json, sys
c = {x['worker']: x for x in json.load(sys.stdin)}
assert c['$URL_blind']['offsetMs'] is None and 'no /omb/clock' in c['$URL_blind']['reason'], c" ||
  fail "blind: omb.clockOffsets does not say why there is no estimate"
# Nothing else is lost: every message arrived, only its latency could not be measured.
grep -q "Delivery check: every subscription received" blind.log || fail "blind: delivery check"
echo "PASS"
