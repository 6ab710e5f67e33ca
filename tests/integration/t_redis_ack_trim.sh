#!/usr/bin/env bash
# Redis: what `ack` and `trim` do, checked with Redis's own view (XLEN, XINFO GROUPS) of
# streams kept after the run (--keep-topics): ack: false leaves every delivered entry
# pending, trim: false keeps every entry; the defaults (with a small maxLen) leave nothing
# pending and the length near maxLen (2000, at 2000 msg/s: consumers a second behind
# would lose messages to trimming, and the delivery check would fail the run). Then the streams are deleted by hand.
source "$(dirname "$0")/lib.sh"
need_driver redis
broker_up redis

cat > w.yaml <<'Y'
name: redis ack trim
topics: 1
messageSize: 100
subscriptionsPerTopic: 2
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 2000
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
printf 'name: RedisNoAck\ndriverClass: redis\nack: false\ntrim: false\nmaxLen: 2000\n' > noack.yaml
printf 'name: RedisDefaults\ndriverClass: redis\nmaxLen: 2000\n' > defaults.yaml

# run FILE: one run keeping its stream; prints "XLEN PENDING1 PENDING2 ACKED" and deletes it.
run() {
  "$OMB" run -d "$1.yaml" --keep-topics --period 1 -o "$1.json" w.yaml > "$1.log" 2>&1 || { cat "$1.log" >&2; fail "$1 run failed"; }
  $CHECK "$1.json" --rate 2000 --subs 2 >&2 || { cat "$1.log" >&2; fail "$1 result"; }
  local k
  k=$(python3 -c "from omb_result import load; print(load('$1.json')['omb']['delivery'][0]['topic'])")
  [ "$(redis-cli EXISTS "$k")" = 1 ] || fail "the kept stream $k is not on Redis"
  local len pend acked
  len=$(redis-cli XLEN "$k")
  pend=$(redis-cli XINFO GROUPS "$k" | awk 'p {print; p=0} $0=="pending" {p=1}' | tr '\n' ' ')
  acked=$(python3 -c "from omb_result import load; print(load('$1.json')['omb']['delivery'][0]['acknowledged'])")
  redis-cli DEL "$k" >/dev/null
  [ "$(redis-cli EXISTS "$k")" = 0 ] || fail "could not delete $k"
  echo "$len $pend $acked"
}

out=$(run noack) || exit 1
read -r len p1 p2 acked <<<"$out"
echo "ack: false, trim: false: XLEN $len, pending $p1 and $p2, acknowledged sends $acked"
[ "$len" = "$acked" ] || fail "trim: false: XLEN $len, expected every acknowledged send ($acked)"
[ "$len" -gt 2000 ] || fail "trim: false: XLEN $len is not above maxLen"
[ "$p1" = "$len" ] && [ "$p2" = "$len" ] || fail "ack: false: pending $p1/$p2, expected $len each"

out=$(run defaults) || exit 1
read -r len p1 p2 acked <<<"$out"
echo "defaults (maxLen 2000): XLEN $len, pending $p1 and $p2, acknowledged sends $acked"
[ "$acked" -gt 4000 ] || fail "too few messages to show trimming: $acked"
# MAXLEN ~ trims whole stream nodes (100 entries each by default): near maxLen, not exact.
[ "$len" -ge 2000 ] && [ "$len" -le 2200 ] || fail "trim: true: XLEN $len, expected 2000..2200"
[ "$p1" = 0 ] && [ "$p2" = 0 ] || fail "ack: true: pending $p1/$p2, expected 0"
echo "ok: redis ack and trim"
