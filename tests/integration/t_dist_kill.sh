#!/usr/bin/env bash
# A worker that dies (SIGKILL) or hangs (SIGSTOP) mid-run: the coordinator ends the run
# within seconds with an error naming the worker, writes the result so far marked
# incomplete, stops the other worker, tries /stop-all on the one it gave up on (3 attempts,
# about 8 s for a frozen one; t_dist_giveup.sh continues it meanwhile), and exits non-zero.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"

cat > long.yaml <<'Y'
name: dist kill
topics: 1
partitionsPerTopic: 4
messageSize: 256
subscriptionsPerTopic: 1
consumerPerSubscription: 1
producersPerTopic: 2
producerRate: 500
testDurationMinutes: 5
warmupDurationMinutes: 0
Y
start_kafka_mock

# run_and_break NAME SIGNAL WHICH: starts a 2-worker run, sends SIGNAL to worker WHICH
# (p: the producer worker, c: the consumer worker) after 3 measured periods, and checks
# the outcome. Sets ELAPSED to the seconds from the signal to the coordinator's exit.
run_and_break() {
  local name=$1 sig=$2 which=$3
  start_worker "${name}p"
  start_worker "${name}c"
  local up="URL_${name}p" uc="URL_${name}c" pp="PID_${name}p" pc="PID_${name}c"
  "$OMB" run -d kafka-dist.yaml -w "${!up},${!uc}" --period 1 -o "$name.json" long.yaml \
    > "$name.log" 2>&1 &
  local coord=$!
  PIDS+=("$coord")
  wait_for "$name.log" "Starting benchmark traffic"
  for _ in $(seq 100); do
    [ "$(grep -c 'Pub rate' "$name.log")" -ge 3 ] && break
    sleep 0.1
  done
  local victim victim_url other_log
  if [ "$which" = p ]; then victim=${!pp}; victim_url=${!up}; other_log="worker-${name}c.log"
  else victim=${!pc}; victim_url=${!uc}; other_log="worker-${name}p.log"; fi
  local t0=$(date +%s.%N)
  kill -"$sig" "$victim"
  set +e
  wait "$coord"
  local rc=$?
  set -e
  ELAPSED=$(echo "$(date +%s.%N) - $t0" | bc)
  [ "$sig" = STOP ] && kill -CONT "$victim" && kill "$victim"
  [ "$rc" -ne 0 ] || { cat "$name.log"; fail "$name: the coordinator exited 0"; }
  grep -q "worker $victim_url" "$name.log" || { cat "$name.log"; fail "$name: the error does not name $victim_url"; }
  grep -q "did not complete" "$name.log" || fail "$name: the run is not reported as failed"
  grep -q "Worker $victim_url did not answer /stop-all (3 attempts" "$name.log" ||
    { cat "$name.log"; fail "$name: no /stop-all attempts on the worker given up on"; }
  wait_for "$other_log" "stopped all producers and consumers"
  [ -f "$name.json" ] || { cat "$name.log"; fail "$name: no partial result written"; }
  python3 - "$name.json" <<'PY'
import json, sys
r = {**json.load(open(sys.argv[1][:-5] + '.omb')), **json.load(open(sys.argv[1]))}
assert r["omb"]["complete"] is False, "not marked incomplete"
assert len(r["publishRate"]) >= 3, "periods before the failure are missing"
# OMB's create_charts.py reads the aggregated keys: a partial result has them, from the
# periods received, with their own counts (not zeros).
for k in ("aggregatedPublishLatencyAvg", "aggregatedPublishLatency99pct", "aggregatedEndToEndLatency50pct",
          "aggregatedPublishLatencyQuantiles", "aggregatedEndToEndLatencyQuantiles"):
    assert k in r, "partial result lacks " + k
assert r["aggregatedPublishLatencyCount"] > 0, "aggregates of the received periods are empty"
print("partial result:", len(r["publishRate"]), "periods, reason:", r["omb"].get("incompleteReason", r["omb"].get("error", "?")))
PY
  echo "$name: coordinator exited $rc ${ELAPSED}s after SIG$sig to the $which worker"
}

run_and_break killed KILL c
awk -v e="$ELAPSED" 'BEGIN { exit !(e < 10) }' || fail "a dead worker took ${ELAPSED}s to detect"
run_and_break hung STOP p
# About 10 s to detect, then 3 attempts of /stop-all (2 s each, 1 s apart).
awk -v e="$ELAPSED" 'BEGIN { exit !(e < 25) }' || fail "a hung worker took ${ELAPSED}s to detect and give up on"
echo "PASS"
