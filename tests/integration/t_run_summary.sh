#!/usr/bin/env bash
# The summary table of omb run: one after each run, one of the whole matrix at the end, each
# line within 120 columns, and its figures those of the result files (read with Python).
source "$(dirname "$0")/lib.sh"
loopback_driver
printf 'name: Loopback-B\ndriverClass: loopback\n' > loopback-b.yaml
printf 'name: sum-a\ntopics: 1\nmessageSize: 64\nsubscriptionsPerTopic: 2\nproducerRate: 800\ntestDurationMinutes: 0.04\nwarmupDurationMinutes: 0\n' > a.yaml
printf 'name: sum-b\ntopics: 2\nmessageSize: 64\nsubscriptionsPerTopic: 0\nproducerRate: 300\ntestDurationMinutes: 0.04\nwarmupDurationMinutes: 0\n' > b.yaml
mkdir res
"$OMB" run -d loopback.yaml,loopback-b.yaml --period 1 -o res a.yaml b.yaml > run.log 2> err.log ||
  { cat run.log err.log; fail "run failed"; }
[ "$(grep -c '^Summary: rates in msg/s, publish latency in ms$' run.log)" -eq 4 ] || { cat run.log; fail "expected a table after each of the 4 runs"; }
grep -q '^Summary of 4 run(s) of 4: rates in msg/s, publish latency in ms$' run.log || fail "no table of the matrix"
# Every line that is not a log line (those are OMB's, as long as OMB makes them) fits in 120.
grep -Ev '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \[' run.log > table.txt
[ "$(wc -l < table.txt)" -ge 17 ] || { cat table.txt; fail "expected 4 x 3 + 5 table lines"; }
awk 'length($0) > 120 { bad = 1; print } END { exit bad }' table.txt || fail "a table line wider than 120 columns"
python3 - run.log res <<'PY' || fail "the table's figures are not the result files'"
import glob, math, sys
from omb_result import load as load_result  # scripts/omb_result.py: the result with its sidecar
lines = open(sys.argv[1]).read().splitlines()
start = max(i for i, l in enumerate(lines) if l.startswith("Summary of 4"))
header = lines[start + 1].split()
assert header == ["workload", "driver", "target/s", "pub/s", "cons/s", "sent", "received", "errors", "p50", "ms", "p99", "ms", "p99.9", "ms", "max", "ms", "delivery"], header
rows = {}
for l in lines[start + 2:start + 6]:
    c = l.split()
    assert len(c) == 13, l
    rows[(c[0], c[1])] = c
results = [load_result(p) for p in sorted(glob.glob(sys.argv[2] + "/*.json"))]
assert len(results) == 4 and sorted(rows) == sorted((r["workload"], r["driver"]) for r in results), rows
def near(cell, want, what):
    got = float(cell)
    # cells are rounded for show: whole numbers from 1000 on, else 1-3 decimals
    tol = 0.5 if abs(want) >= 999.5 else 0.051 if abs(want) >= 10 else 0.0051 if abs(want) >= 1 else 0.00051
    assert abs(got - want) <= tol, f"{what}: table {cell}, result {want}"
mean = lambda v: sum(v) / len(v)
for r in results:
    c = rows[(r["workload"], r["driver"])]
    near(c[2], mean(r["targetRate"]), "target")
    near(c[3], mean(r["publishRate"]), "pub/s")
    near(c[4], mean(r["consumeRate"]), "cons/s")
    assert int(c[5]) == r["totalMessagesSent"] and int(c[5]) > 0, ("sent", c[5])
    assert int(c[6]) == r["totalMessagesReceived"], ("received", c[6])
    assert int(c[7]) == r["totalMessageSendErrors"], ("errors", c[7])
    for cell, key in zip(c[8:12], ["50pct", "99pct", "999pct", "Max"]):
        near(cell, r["aggregatedPublishLatency" + key], key)
    subs = r["omb"]["workloadConfig"]["subscriptionsPerTopic"]
    assert c[12] == ("ok" if subs else "n/a"), ("delivery", c[12])
    if subs:
        assert int(c[6]) == 2 * int(c[5]), "every message to both subscriptions"
print("table matches", len(results), "results")
PY

# A run interrupted in its warm-up writes no result: its row has no figures, and the reason
# is under the table.
printf 'name: sum-c\ntopics: 1\nmessageSize: 64\nproducerRate: 100\ntestDurationMinutes: 0.1\nwarmupDurationMinutes: 0.3\n' > c.yaml
"$OMB" run -d loopback.yaml --period 1 -o res2.json c.yaml > run2.log 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "Starting warm-up" run2.log && break; sleep 0.1; done
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" -eq 130 ] || { cat run2.log; fail "expected exit 130 after SIGINT, got $rc"; }
grep -Eq '^sum-c +Loopback( +-){10} +-$' run2.log || { cat run2.log; fail "no empty row for the run without a result"; }
grep -q '^  sum-c on Loopback: no result: ' run2.log || { cat run2.log; fail "no reason for the missing result"; }
echo "ok: run summary"
