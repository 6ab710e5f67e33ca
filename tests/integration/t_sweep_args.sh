#!/usr/bin/env bash
# omb sweep: bad --fractions and other bad input refused with exit 2 before anything runs;
# --max-rate skips the search; a search that sustains no rate ends with a sentence, exit 1
# and no summary; Ctrl-C keeps the summary of the finished steps, marked incomplete.
source "$(dirname "$0")/lib.sh"
loopback_driver
printf 'name: args\ntopics: 1\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 1\nwarmupDurationMinutes: 0\n' > w.yaml
sweep() { "$OMB" sweep -d loopback.yaml --period 0.5 "$@"; }

# Bad fractions: each named in the message, nothing written.
expect_fail 2 "--fractions needs a value" -- sweep --fractions "" w.yaml
expect_fail 2 "element 1 is empty" -- sweep --fractions ,0.5 w.yaml
expect_fail 2 "'0' is not a fraction of the maximum rate" -- sweep --fractions 0,0.5 w.yaml
expect_fail 2 "'1.6' is not a fraction" -- sweep --fractions 0.5,1.6 w.yaml
expect_fail 2 "'NaN' is not a fraction" -- sweep --fractions 0.5,NaN w.yaml
expect_fail 2 "'-1' is not a fraction" -- sweep --fractions=-1 w.yaml
expect_fail 2 "0.25 after 0.5; fractions must increase" -- sweep --fractions 0.5,0.25 w.yaml
expect_fail 2 "element 2 is empty" -- sweep --fractions 0.5,,1 w.yaml
# Other bad input.
expect_fail 2 "--max-rate needs a number" -- sweep --max-rate 0 w.yaml
expect_fail 2 "--step-minutes needs a number" -- sweep --step-minutes nan w.yaml
expect_fail 2 "no workload file given" -- sweep
touch afile
expect_fail 2 "-o 'afile' is not a directory" -- sweep -o afile w.yaml
# --dry-run: the plan of each sweep and its least duration, nothing run or written.
sweep --dry-run --fractions 0.5,1 --search-minutes 2 --step-minutes 1 --warmup-minutes 0.5 w.yaml > plan.txt || { cat plan.txt; fail "sweep --dry-run failed"; }
grep -q "the maximum-rate search (warm-up 0.5 min, measured 2 min), then 2 step(s) at 0.5, 1 x that rate (warm-up 0.5 min, measured 1 min each)" plan.txt || { cat plan.txt; fail "sweep plan lacks the steps"; }
grep -q "Estimated time: at least 0 h 05 min 30 s" plan.txt || { cat plan.txt; fail "sweep plan's duration is wrong"; }
sweep --dry-run --max-rate 5000 --fractions 1 w.yaml | grep -q "at 5000 msg/s = 1.0 (--max-rate, no search), then 1 step(s) at 1 x" || fail "sweep plan with --max-rate"
printf 'name: bl\ntopics: 1\nmessageSize: 100\nproducerRate: 1000\nconsumerBacklogSizeGB: 1\ntestDurationMinutes: 1\n' > bl.yaml
expect_fail 2 "bl.yaml: consumerBacklogSizeGB is 1: a sweep runs fixed rates" -- sweep bl.yaml
expect_fail 2 "bl.yaml: consumerBacklogSizeGB is 1" -- sweep --dry-run bl.yaml
[ -z "$(ls ./*.json ./*.sweep 2>/dev/null)" ] || { ls; fail "bad input wrote files"; }
"$OMB" sweep --help | grep -q -- "--fractions F" || fail "sweep --help lacks --fractions"

# --max-rate: no search; the steps at fractions of the rate given.
mkdir mr
sweep --max-rate 8000 --fractions 0.5,1 --step-minutes 0.03 -o mr w.yaml > mr.log 2>&1 \
  || { cat mr.log; fail "sweep --max-rate failed"; }
! grep -q "Searching for the maximum sustainable rate" mr.log || fail "--max-rate still searched"
[ -z "$(ls mr/*search* 2>/dev/null)" ] || fail "--max-rate wrote a search result"
python3 - mr/*.sweep <<'P'
import json, sys
s = json.load(open(sys.argv[1]))
[d] = s["drivers"]
assert s["complete"] is True and s["searchMinutes"] is None, s
assert d["maxRateFrom"] == "--max-rate" and d["maxRate"] == 8000 and d["searchResultFile"] is None, d
assert [p["targetRate"] for p in d["steps"]] == [4000, 8000], d["steps"]
for p in d["steps"]:  # t_sweep checks the rates closely; 1.8 s steps on a busy machine lag
    assert p["status"] == "ok" and 0.5 * p["targetRate"] <= p["publishRate"] <= 1.1 * p["targetRate"], p
print("ok: --max-rate")
P
[ "$(ls mr/*.json | wc -l)" -eq 2 ] || { ls mr; fail "expected two step results"; }

# A search too short to sustain anything: one sentence, exit 1, no summary (the search's own
# result stays: it says why).
mkdir ns
set +e; sweep --search-minutes 0.01 -o ns w.yaml > ns.log 2>&1; rc=$?; set -e
[ "$rc" -eq 1 ] || { cat ns.log; fail "no sustained rate: exit $rc, expected 1"; }
grep -q "the rate search found no sustained rate (.*-search.json says why), so there is no rate to take fractions of; give one with --max-rate" ns.log \
  || { cat ns.log; fail "no sentence for a search without a sustained rate"; }
grep -q "no step finished; no summary written" ns.log || fail "no word on the summary"
[ -z "$(ls ns/*.sweep 2>/dev/null)" ] || fail "a summary was written without any step"
[ "$(ls ns/*.json)" = "$(ls ns/*-search.json)" ] || { ls ns; fail "step results without a rate"; }

# Ctrl-C during step 2: exit 130, the summary holds step 1 and says what was cut short.
mkdir ic
"$OMB" sweep -d loopback.yaml --period 0.5 --max-rate 2000 --fractions 0.25,0.5,1 --step-minutes 0.05 -o ic w.yaml > ic.log 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "step 2 of 3" ic.log 2>/dev/null && break; sleep 0.1; done
grep -q "step 2 of 3" ic.log || { cat ic.log; kill $pid; fail "step 2 never started"; }
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" -eq 130 ] || { cat ic.log; fail "Ctrl-C: exit $rc, expected 130"; }
grep -q "marked incomplete" ic.log || { cat ic.log; fail "no word that the summary is incomplete"; }
python3 - ic/*.sweep <<'P'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["complete"] is False, s
assert "interrupted by a signal during step 2 (fraction 0.5)" in s["incompleteReason"], s["incompleteReason"]
[d] = s["drivers"]
assert [p["fraction"] for p in d["steps"]] == [0.25], d["steps"]
print("ok: Ctrl-C keeps step 1:", s["incompleteReason"])
P

# Two driver files of one name: their files do not overwrite each other's.
mkdir dup
sweep -d loopback.yaml --max-rate 2000 --fractions 1 --step-minutes 0.02 -o dup w.yaml > dup.log 2>&1 \
  || { cat dup.log; fail "sweep with a driver given twice"; }
ls dup/*-Loopback-1-1.json dup/*-Loopback.2-1-1.json > /dev/null || { ls dup; fail "driver files collide"; }
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); f=[d['steps'][0]['resultFile'] for d in s['drivers']]; assert f[0].endswith('-Loopback-1-1.json') and f[1].endswith('-Loopback.2-1-1.json'), f" dup/*.sweep \
  || fail "the summary does not name each driver's own file"
echo "ok: one driver name twice"
echo "ok: sweep args"
