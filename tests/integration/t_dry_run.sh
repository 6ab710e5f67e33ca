#!/usr/bin/env bash
# omb run --dry-run: every workload and driver file OMB ships is loaded and checked (payload
# files resolved from OMB's directory, as OMB runs), the plan and its duration printed,
# nothing run and nothing written; a bad file is exit 2.
source "$(dirname "$0")/lib.sh"
ref="$OMB_SHARED/omb-reference"
[ -d "$ref" ] || fail "no $ref"
drivers=()
for f in "$ref"/driver-*/*.yaml; do
  case "$f" in */driver-pulsar/*|*/driver-artemis/*) continue ;; esac
  drivers+=(-d "$f")
done
mkdir out
start=$(date +%s)
(cd "$ref" && "$OMB" run --dry-run -o "$WORK/out" "${drivers[@]}" workloads/*.yaml) > plan.txt 2>&1 || { cat plan.txt; fail "dry run over OMB's files failed"; }
nw=$(ls "$ref"/workloads/*.yaml | wc -l)
nd=$((${#drivers[@]} / 2))
grep -q "Plan: $nw workload(s) x $nd driver(s) = $((nw * nd)) run(s)" plan.txt || { head -3 plan.txt; fail "plan header"; }
[ "$(grep -c '^ *[0-9]*\. ' plan.txt)" -eq $((nw * nd)) ] || fail "not every pair is in the plan"
grep -q "^Estimated time: at least [0-9]* h [0-9][0-9] min" plan.txt || fail "no estimated time"
grep -q "maximum-rate search" plan.txt || fail "max-rate workloads not shown as such"
[ -z "$(ls out)" ] || fail "a dry run wrote files"
[ $(( $(date +%s) - start )) -lt 60 ] || fail "a dry run took more than a minute"
# A driver omb does not have, a typo in a workload, a directory that does not exist: exit 2.
expect_fail 2 "pulsar driver, which omb does not have yet" -- "$OMB" run --dry-run -d "$ref/driver-pulsar/pulsar.yaml" "$ref/workloads/simple-workload.yaml"
printf 'name: t\ntopics: 1\nmessageSize: 10\nproducerRate: 1\ntestDurationMinutes: 1\nproducersPerTopik: 1\n' > typo.yaml
expect_fail 2 "typo.yaml line 6: unknown key 'producersPerTopik'" -- "$OMB" run --dry-run typo.yaml
printf 'name: p\ntopics: 1\npartitionsPerTopic: 10\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 1\n' > p10.yaml
expect_fail 2 "output directory 'nowhere/' does not exist" -- "$OMB" run --dry-run -o nowhere/ p10.yaml
# A pair the driver cannot run is said and skipped; when none can run, exit 2.
expect_fail 2 "partitionsPerTopic is 10, but the rabbitmq driver .* has no partitions" -- "$OMB" run --dry-run -d "$ref/driver-rabbitmq/rabbitmq.yaml" p10.yaml
"$OMB" run --dry-run -o out -d "$ref/driver-rabbitmq/rabbitmq.yaml" -d "$ref/driver-kafka/kafka-latency.yaml" p10.yaml > mixed.txt 2>&1 || { cat mixed.txt; fail "a mixed matrix is not bad input"; }
grep -q "SKIPPED: .*rabbitmq driver" mixed.txt && grep -q "1 pair(s) would be skipped" mixed.txt || { cat mixed.txt; fail "skipped pair not shown"; }
# More clients than a driver serves: said with the driver's reason before anything is made.
expect_fail 2 "4000000 producers, more than the kafka driver .* serves in one run .2000: each producer" -- "$OMB" run --dry-run "$ref/workloads/1m-topic-1kb-4p-4c-500k.yaml"
loopback_driver
printf 'name: big\ntopics: 100\nproducersPerTopic: 20000\nsubscriptionsPerTopic: 0\nmessageSize: 100\nproducerRate: 1\ntestDurationMinutes: 1\n' > big.yaml
expect_fail 2 "big.yaml: 2000000 producers, more than the loopback driver" -- "$OMB" run -d loopback.yaml big.yaml
echo "ok: dry run over $((nw * nd)) pairs"
