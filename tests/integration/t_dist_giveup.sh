#!/usr/bin/env bash
# A worker the coordinator gives up on (frozen with SIGSTOP mid-run) must not go on loading
# the cluster once it resumes: the coordinator sends it /stop-all a few times and says how
# that went; a worker that resumes only after the coordinator has exited stops by itself
# (queued /stop-all, or its --coordinator-timeout).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"

loopback_driver
cat > long.yaml <<'Y'
name: dist give up
topics: 1
partitionsPerTopic: 1
messageSize: 100
subscriptionsPerTopic: 1
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 2000
testDurationMinutes: 5
warmupDurationMinutes: 0
Y

# sent_total NAME: the worker's messages sent (its /metrics; reading them is no request to
# the API port, so it does not count as its coordinator being alive).
sent_total() {
  local p="SPORT_$1"
  curl -sf "http://127.0.0.1:${!p}/metrics" | sed -n 's/^omb_messages_sent_total //p'
}

# freeze NAME: starts a run on worker NAME, SIGSTOPs the worker after 2 measured periods,
# sets COORD (the coordinator's PID).
freeze() {
  local name=$1
  local u="URL_$name" p="PID_$name"
  "$OMB" run -d loopback.yaml -w "${!u}" --period 1 -o "$name.json" long.yaml > "$name.log" 2>&1 &
  COORD=$!
  PIDS+=("$COORD")
  wait_for "$name.log" "Starting benchmark traffic"
  for _ in $(seq 100); do
    [ "$(grep -c 'Pub rate' "$name.log")" -ge 2 ] && break
    sleep 0.1
  done
  [ "$(sent_total "$name")" -gt 0 ] || fail "$name: the worker is not producing"
  kill -STOP "${!p}"
}

# not_producing NAME: messagesSent does not grow over 2 s.
not_producing() {
  local a b
  a=$(sent_total "$1")
  sleep 2
  b=$(sent_total "$1")
  [ "$a" = "$b" ] || fail "$1: still producing after it was stopped ($a -> $b messages sent)"
  echo "$1: not producing ($b messages sent, unchanged over 2 s)"
}

# 1. The worker resumes while the coordinator is still sending /stop-all.
start_worker back
freeze back
wait_for back.log "given up on and may still be producing: sending it /stop-all \(attempt 1" 30
kill -CONT "$PID_back"
set +e
wait "$COORD"
rc=$?
set -e
[ "$rc" -ne 0 ] || { cat back.log; fail "back: the coordinator exited 0"; }
grep -q "worker $URL_back" back.log || { cat back.log; fail "back: the error does not name $URL_back"; }
grep -q "Worker $URL_back answered /stop-all" back.log ||
  { cat back.log; fail "back: /stop-all to the resumed worker not reported as done"; }
wait_for worker-back.log "stopped all producers and consumers"
not_producing back
grep "answered /stop-all" back.log

# 2. The worker resumes after the coordinator has exited: it stops by itself.
start_worker late --coordinator-timeout 5
freeze late
set +e
wait "$COORD"
rc=$?
set -e
[ "$rc" -ne 0 ] || { cat late.log; fail "late: the coordinator exited 0"; }
grep -q "Worker $URL_late did not answer /stop-all" late.log ||
  { cat late.log; fail "late: the coordinator does not say that the worker may still be producing"; }
grep "did not answer /stop-all" late.log
t0=$(date +%s.%N)
kill -CONT "$PID_late"
for _ in $(seq 150); do
  grep -q "stopped all producers and consumers" worker-late.log && break
  sleep 0.1
done
grep -q "stopped all producers and consumers" worker-late.log ||
  { cat worker-late.log; fail "late: the resumed worker did not stop within 15 s"; }
echo "late: stopped $(echo "$(date +%s.%N) - $t0" | bc) s after SIGCONT:" \
  "$(grep -E 'no request from the coordinator|stopped all' worker-late.log | head -n 1)"
not_producing late
echo "PASS"
