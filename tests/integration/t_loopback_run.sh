#!/usr/bin/env bash
# A run on the loopback driver: rate held, every subscription gets every message, OMB's
# result keys, a payload file found next to the workload.
source "$(dirname "$0")/lib.sh"
loopback_driver
cp "$OMB_SHARED/omb-reference/payload/payload-100b.data" .
cat > lb-run.yaml <<'Y'
name: loopback run
topics: 2
partitionsPerTopic: 3
messageSize: 100
payloadFile: payload-100b.data
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 2
producerRate: 10000
testDurationMinutes: 0.1
warmupDurationMinutes: 0.02
Y
"$OMB" run -d loopback.yaml --period 1 -o result.json lb-run.yaml > run.log
grep -q "Pub rate .* msg/s / .* MB/s | Pub err .* err/s | Cons rate .* msg/s / .* MB/s | Backlog: .* K | Pub Latency (ms) avg: .* - 50%: .* - 99%: .* - 99.9%: .* - Max: .* | Pub Delay Latency (us) avg: .* - 50%: .* - 99%: .* - 99.9%: .* - Max: " run.log || fail "no OMB period line"
grep -q -- "----- Aggregated Pub Latency (ms) avg:" run.log || fail "no aggregated line"
$CHECK result.json --rate 10000 --subs 2 --min-periods 5 --workload "loopback run" --driver Loopback
