#!/usr/bin/env bash
# Ctrl-C in the measured phase: the run stops, cleans up and still writes what it measured,
# marked incomplete, with exit code 130.
source "$(dirname "$0")/lib.sh"
loopback_driver
printf 'name: long\ntopics: 1\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 10\nwarmupDurationMinutes: 0\n' > long.yaml
"$OMB" run -d loopback.yaml --period 1 -o r.json long.yaml > run.log 2>&1 &
pid=$!
# Interrupt once two periods have been measured (bounded: 30 s).
for _ in $(seq 300); do [ "$(grep -c "Pub rate" run.log 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
[ "$(grep -c "Pub rate" run.log)" -ge 2 ] || { cat run.log; fail "no periods measured"; }
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" -eq 130 ] || { cat run.log; fail "exit code $rc, expected 130"; }
[ -f r.json ] || { cat run.log; fail "no result written after Ctrl-C"; }
$CHECK r.json --incomplete --min-periods 2
grep -q '"incompleteReason": "interrupted by a signal"' r.omb || fail "reason not recorded"
echo "ok: interrupt"

# SIGTERM exits 128+15; an interrupt before consumers caught up is "not checked", never a
# loss that did not happen.
printf 'name: long2\ntopics: 1\nmessageSize: 100\nsubscriptionsPerTopic: 1\nproducerRate: 1000\ntestDurationMinutes: 10\nwarmupDurationMinutes: 0\n' > long2.yaml
"$OMB" run -d loopback.yaml --period 1 -o t.json long2.yaml > term.log 2>&1 &
pid=$!
for _ in $(seq 300); do [ "$(grep -c "Pub rate" term.log 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" -eq 143 ] || { cat term.log; fail "SIGTERM: exit code $rc, expected 143"; }
[ -f t.json ] || { cat term.log; fail "no result written after SIGTERM"; }
! grep -q "never arrived" term.log || { cat term.log; fail "an interrupted run reported a loss"; }

# `omb run | head`: a closed stdout does not kill the run: the result is still written.
printf 'name: short\ntopics: 1\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 0.05\nwarmupDurationMinutes: 0\n' > short.yaml
set +e; "$OMB" run -d loopback.yaml --period 0.5 -o p.json short.yaml 2>&1 | head -1 > /dev/null; set -e
[ -f p.json ] || fail "SIGPIPE: no result written when stdout was closed"
echo "ok: SIGTERM, SIGPIPE"

# Ctrl-C during setup (300k topics and producers take a second or more on the loopback) is
# honoured within a second: what was made so far is undone, nothing is written, exit 130.
printf 'name: setup\ntopics: 300000\nsubscriptionsPerTopic: 0\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 1\nwarmupDurationMinutes: 0\n' > setup.yaml
"$OMB" run -d loopback.yaml -o s.json setup.yaml > setup.log 2>&1 &
pid=$!
# The signal goes as soon as the run starts: a fast machine made all of it in half a second.
for _ in $(seq 500); do grep -q "WORKLOAD : setup" setup.log 2>/dev/null && break; sleep 0.02; done
t0=$(date +%s%N)
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$rc" -eq 130 ] || { cat setup.log; fail "Ctrl-C in setup: exit code $rc, expected 130"; }
# Topic or producer creation, depending on the machine's speed: either is setup.
grep -Eq "interrupted during setup, after creating [0-9]+ of 300000 (topic|producer)\(s\)" setup.log ||
  { cat setup.log; fail "Ctrl-C in setup: not said, or not during setup"; }
[ ! -e s.json ] || fail "Ctrl-C in setup: a result was written"
# A second is the promise; sanitizer builds are several times slower, hence the margin.
[ "$ms" -lt 3000 ] || { cat setup.log; fail "Ctrl-C in setup took $ms ms to be honoured"; }
echo "ok: Ctrl-C during setup honoured in $ms ms"
