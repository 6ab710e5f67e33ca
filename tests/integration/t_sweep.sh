#!/usr/bin/env bash
# omb sweep on a loopback whose consumers take 20k msg/s: the search finds that rate, five
# fixed-rate steps follow at 0.25 ... 1.0 of it, each an OMB result with its sidecar; the
# summary names them and holds what each step achieved; achieved rates follow the
# fractions and the end-to-end latency at 1.0 is the highest of the curve. OMB's tools
# over the directory do not trip over the summary (it is no *.json).
source "$(dirname "$0")/lib.sh"
printf 'name: LB\ndriverClass: loopback\ndeliveryCapacity: 20000\n' > lb.yaml
printf 'name: sweep\ntopics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 5\nwarmupDurationMinutes: 0\n' > w.yaml
mkdir out
start=$(date +%s)
"$OMB" sweep -d lb.yaml --period 1 --search-minutes 0.2 --step-minutes 0.06 --warmup-minutes 0.02 \
  -o out w.yaml > sweep.log 2>&1 || { cat sweep.log; fail "omb sweep failed"; }
echo "sweep took $(($(date +%s) - start)) s"
grep -A6 "latencies in ms" sweep.log | cut -c20-
grep -q "Wrote sweep summary to out/w-sweep-" sweep.log || { cat sweep.log; fail "no summary line"; }
grep -q "is not used: the sweep sets each step's rate" sweep.log || fail "producerRate note missing"
ls out/*.sweep > /dev/null 2>&1 || { ls out; fail "no .sweep file"; }
[ "$(ls out/*.sweep | wc -l)" -eq 1 ] || fail "expected one summary"

python3 - out/*.sweep <<'P'
import json, os, re, sys
import omb_result
path = sys.argv[1]
d = os.path.dirname(path)
s = json.load(open(path))
assert s["ombSweep"] == 1 and s["workload"] == "sweep" and s["workloadFile"] == "w.yaml", s
assert s["complete"] is True and s["incompleteReason"] is None, s
assert s["fractions"] == [0.25, 0.5, 0.75, 0.9, 1.0], s["fractions"]
assert s["stepMinutes"] == 0.06 and s["searchMinutes"] == 0.2 and s["warmupMinutes"] == 0.02, s
assert re.fullmatch(r"w-sweep-\d{4}(-\d\d){5}\.sweep", os.path.basename(path)), path
stem = os.path.basename(path)[:-len(".sweep")]
[drv] = s["drivers"]
assert drv["driver"] == "LB" and drv["driverFile"] == "lb.yaml" and drv["error"] is None, drv
assert drv["maxRateFrom"] == "search" and drv["searchResultFile"] == stem + "-LB-search.json", drv
search = omb_result.load(os.path.join(d, drv["searchResultFile"]))
sustained = search["omb"]["rateSearch"]["sustainedRate"]
assert abs(drv["maxRate"] - sustained) <= 1e-9 * sustained, (drv["maxRate"], sustained)
assert abs(sustained - 20000) <= 2000, f"search found {sustained:.0f}, capacity 20000"
steps = drv["steps"]
assert [p["fraction"] for p in steps] == s["fractions"] and [p["step"] for p in steps] == [1, 2, 3, 4, 5]
keys = ["targetRate", "resultFile", "status", "seconds", "messagesSent", "messagesReceived",
        "publishErrors", "lostMessages", "publishRate", "consumeRate", "publishErrorRate"]
keys += [f"{k}{q}" for k in ("publishLatency", "endToEndLatency") for q in ("Avg", "50pct", "99pct", "999pct", "Max")]
for p in steps:
    for k in keys:
        assert k in p, (k, p)
    f = p["fraction"]
    assert p["status"] == "ok" and p["publishErrors"] == 0 and p["lostMessages"] == 0, p
    assert abs(p["targetRate"] - f * drv["maxRate"]) <= 1e-6 * drv["maxRate"], p
    assert p["resultFile"] == f"{stem}-LB-{p['step']}-{f:g}.json", p["resultFile"]
    r = omb_result.load(os.path.join(d, p["resultFile"]))
    assert abs(r["omb"]["workloadConfig"]["producerRate"] - p["targetRate"]) <= 1e-9 * p["targetRate"], r["omb"]["workloadConfig"]
    assert r["omb"]["workloadConfig"]["testDurationMinutes"] == 0.06
    assert r["omb"]["complete"] is True
    # ~3.6 s measured; the step's own result says the same number of messages.
    assert 3 <= p["seconds"] <= 5, p["seconds"]
    assert abs(sum(n * t for n, t in zip(r["publishRate"], r["periodSeconds"])) - p["messagesSent"]) <= 2
    # Achieved rates follow the fractions: producers keep their schedule at every step.
    assert abs(p["publishRate"] - p["targetRate"]) <= 0.1 * p["targetRate"], p
    if f <= 0.75:
        assert abs(p["consumeRate"] - p["targetRate"]) <= 0.1 * p["targetRate"], p
pubs = [p["publishRate"] for p in steps]
assert pubs == sorted(pubs), pubs
# At 1.0 consumers have no headroom: any stall leaves a backlog that never drains, so the
# typical latency there is the highest of the curve. The tails of the lower steps are left
# out: on two shared cores one stall of the delivery thread puts 100 ms into any step's p99.
for q in ("Avg", "50pct"):
    lat = [p["endToEndLatency" + q] for p in steps]
    assert lat[-1] == max(lat), f"e2e {q} {lat}: 1.0 is not the highest"
print("ok: sweep summary; max rate %.0f; e2e p99 %s ms" % (drv["maxRate"], [round(p["endToEndLatency99pct"], 2) for p in steps]))
P

# The summary is no *.json: omb csv (OMB's ResultsToCsv reads the same files) reads the
# six results and nothing else.
"$OMB" csv -o out.csv out > csv.log 2>&1 || { cat csv.log; fail "omb csv over the sweep directory"; }
[ "$(($(wc -l < out.csv) - 1))" -eq 6 ] || { cat out.csv; fail "expected 6 rows (search + 5 steps)"; }
echo "ok: sweep"
