#!/usr/bin/env bash
# omb sweep on distributed workers: two `omb worker`s sharing one `omb kafka-mock`, a
# two-step sweep at fractions of --max-rate; each step runs through the ensemble as
# `omb run -w` does (the producer worker is given the step's whole rate) and the summary
# holds both steps.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"
printf 'name: dist sweep\ntopics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 1\nwarmupDurationMinutes: 0\n' > w.yaml
start_kafka_mock
for w in a b; do start_worker $w; done
mkdir out
"$OMB" sweep -d kafka-dist.yaml -w "$URL_a,$URL_b" --period 1 --max-rate 2000 --fractions 0.5,1 \
  --step-minutes 0.05 -o out w.yaml > sweep.log 2>&1 || { cat sweep.log; fail "distributed sweep failed"; }
grep -q "1 producer worker(s), 1 consumer worker(s)" sweep.log || { cat sweep.log; fail "not run on the workers"; }
grep -q "load started at 1000.0 msg/s" worker-a.log && grep -q "load started at 2000.0 msg/s" worker-a.log \
  || { cat worker-a.log; fail "the producer worker was not given each step's rate"; }
python3 - out/*.sweep <<'P'
import json, sys
s = json.load(open(sys.argv[1]))
[d] = s["drivers"]
assert s["complete"] and d["driver"] == "Kafka", s
assert [p["targetRate"] for p in d["steps"]] == [1000, 2000], d["steps"]
for p in d["steps"]:
    assert p["status"] == "ok" and p["lostMessages"] == 0, p
    assert abs(p["publishRate"] - p["targetRate"]) <= 0.15 * p["targetRate"], p
    assert p["endToEndLatency50pct"] is not None and p["endToEndLatency50pct"] > 0, p
print("ok: distributed sweep", [(p["targetRate"], round(p["publishRate"])) for p in d["steps"]])
P
echo "ok: sweep on workers"
