#!/usr/bin/env bash
# RabbitMQ backlog (consumerBacklogSizeGB): consumers pause by basic.cancel on the same
# connection and queue, the backlog builds in the queue, they resume by basic.consume and
# drain it; every subscription gets every message, and nothing is delivered twice (acks go
# out before the cancel; a stream resumes at the offset after the last one it saw).
# OMB's rabbitmq.yaml unchanged (QUORUM), then STREAM.
source "$(dirname "$0")/lib.sh"
need_driver rabbitmq
broker_up rabbitmq
source "$OMB_SOURCE/tests/integration/rabbitmq_lib.sh"
REF="$OMB_SHARED/omb-reference/driver-rabbitmq/rabbitmq.yaml"
[ -f "$REF" ] || fail "no OMB driver file at $REF"
before=$(rmq_leftovers)
cat > w.yaml <<'Y'
name: rabbitmq backlog
topics: 1
messageSize: 1024
subscriptionsPerTopic: 2
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: 2000
consumerBacklogSizeGB: 0.005
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
sed 's/^queueType: QUORUM/queueType: STREAM/' "$REF" > STREAM.yaml
for drv in "$REF" STREAM.yaml; do
  qt=$(sed -n 's/^queueType: //p' "$drv")
  "$OMB" run -d "$drv" --period 1 -o "bl-$qt.json" w.yaml > "bl-$qt.log" 2>&1 || { cat "bl-$qt.log"; fail "$qt backlog run failed"; }
  grep -q -- "--- Completed backlog draining in" "bl-$qt.log" || { cat "bl-$qt.log"; fail "$qt: no drain line"; }
  grep -q "Delivery check: every subscription received every acknowledged message" "bl-$qt.log" ||
    { cat "bl-$qt.log"; fail "$qt: no complete delivery check"; }
  $CHECK "bl-$qt.json" --min-periods 2 --subs 2
  python3 - "bl-$qt.json" "$qt" <<'P'
import json, os, sys
r = {**(json.load(open(sys.argv[1][:-5] + '.omb')) if os.path.isfile(sys.argv[1][:-5] + '.omb') else {}), **json.load(open(sys.argv[1]))}["omb"]
b = r["backlog"]
assert b["drained"] and b["targetMessages"] > 5000, b
for e in r["delivery"]:
    assert e["missing"] == 0 and e["duplicates"] == 0, e
print("ok: %s backlog of %d messages built in %.1f s, drained in %.1f s, no message twice"
      % (sys.argv[2], b["targetMessages"], b["buildSeconds"], b["drainSeconds"]))
P
done
after=$(rmq_leftovers)
[ "$after" = "$before" ] || fail "left on the broker: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
echo "ok: rabbitmq backlog (QUORUM, STREAM)"
