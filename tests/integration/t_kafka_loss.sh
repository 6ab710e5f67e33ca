#!/usr/bin/env bash
# A consumer that lags further than librdkafka's mock keeps (5 MiB per partition) loses
# messages: omb must say so per subscription, fail the run and mark the result incomplete,
# never report a clean run. (One-message batches: the mock serves one batch per partition
# per fetch, so the consumer falls behind at this rate.)
source "$(dirname "$0")/lib.sh"
printf 'name: Kafka\ndriverClass: kafka\nproducerConfig: |\n  linger.ms=0\nconsumerConfig: |\n  auto.offset.reset=earliest\n' > k.yaml
cat > w.yaml <<'Y'
name: lagging consumer
topics: 1
partitionsPerTopic: 1
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: 1
producerRate: 30000
testDurationMinutes: 0.25
warmupDurationMinutes: 0
Y
expect_fail 1 "Subscription 'sub-000-[A-Za-z0-9]+' of topic 'test-topic-0000000-[A-Za-z0-9]+' received [0-9]+ distinct of [0-9]+ acknowledged messages: [0-9]+ never arrived" -- "$OMB" run -d k.yaml --period 5 --drain-timeout 15 -o r.json w.yaml
python3 - <<'P'
import json
r = {**json.load(open("r.json"[:-5] + '.omb')), **json.load(open("r.json"))}; m = r["omb"]
assert m["complete"] is False, m["complete"]
d = m["delivery"][0]
assert d["missing"] > 0 and d["distinct"] + d["missing"] == d["acknowledged"], d
print(f"ok: {d['missing']} of {d['acknowledged']} messages reported lost")
P
