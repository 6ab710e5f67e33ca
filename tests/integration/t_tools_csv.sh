#!/usr/bin/env bash
# omb csv on real results: one row per result with OMB's columns and the figures the result
# holds (checked against the JSON with Python); -o writes the file atomically; bad input
# exits 2 naming the file.
source "$(dirname "$0")/lib.sh"
loopback_driver
printf 'name: Loopback-B\ndriverClass: loopback\n' > loopback-b.yaml
cat > w.yaml <<'Y'
name: tools csv
topics: 2
partitionsPerTopic: 3
messageSize: 200
producersPerTopic: 2
subscriptionsPerTopic: 1
consumerPerSubscription: 2
producerRate: 3000
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y
mkdir res
"$OMB" run -d loopback.yaml,loopback-b.yaml --period 1 -o res w.yaml > run.log 2>&1 || { cat run.log; fail "run"; }
cp "$OMB_SOURCE/tests/data/results/java-kafka.json" res/

"$OMB" csv res > out.csv 2> csv.log || { cat csv.log; fail "omb csv failed"; }
"$OMB" csv -o file.csv res 2> csv2.log || { cat csv2.log; fail "omb csv -o failed"; }
cmp -s out.csv file.csv || fail "-o and stdout differ"
ls -a | grep -q '\.tmp\.' && fail "a temporary file was left behind"

python3 - res out.csv <<'PY' || fail "CSV does not match the results"
import csv, json, math, os, statistics, sys
res, path = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(path)))
assert len(rows) == 3, f"{len(rows)} rows"
head = open(path).readline().strip().split(",")
assert head[:13] == ["topics", "partitions", "message-size", "producers-per-topic",
    "consumers-per-topic", "prod-rate-min", "prod-rate-avg", "prod-rate-std-dev",
    "prod-rate-max", "con-rate-min", "con-rate-avg", "con-rate-std-dev", "con-rate-max"], head
def close(a, b):
    return math.isclose(float(a), b, rel_tol=1e-12, abs_tol=1e-12)
for row in rows:
    f = os.path.join(res, row["file"])
    r = json.load(open(f))
    if os.path.exists(f[:-5] + ".omb"):  # omb's sidecar: its figures beside OMB's keys
        r = {**json.load(open(f[:-5] + ".omb")), **r}
    for col, key in [("topics", "topics"), ("partitions", "partitions"),
                     ("message-size", "messageSize"), ("producers-per-topic", "producersPerTopic"),
                     ("consumers-per-topic", "consumersPerTopic")]:
        assert int(row[col]) == r[key], (row["file"], col)
    for pre, key in [("prod", "publishRate"), ("con", "consumeRate")]:
        v = r[key]
        assert close(row[f"{pre}-rate-min"], min(v)), (row["file"], pre, "min")
        assert close(row[f"{pre}-rate-max"], max(v)), (row["file"], pre, "max")
        assert math.isclose(float(row[f"{pre}-rate-avg"]), statistics.fmean(v), rel_tol=1e-12)
        assert math.isclose(float(row[f"{pre}-rate-std-dev"]), statistics.pstdev(v),
                            rel_tol=1e-9, abs_tol=1e-9)
    assert close(row["pub-latency-p99-ms"], r["aggregatedPublishLatency99pct"])
    assert close(row["pub-delay-p99.9-us"], r["aggregatedPublishDelayLatency999pct"])
    assert close(row["e2e-latency-max-ms"], r["aggregatedEndToEndLatencyMax"])
    assert int(row["periods"]) == len(r["publishRate"])
    if "omb" in r:
        assert row["workload"] == "tools csv" and row["driver"] in ("Loopback", "Loopback-B")
        assert row["message-size"] == "200" and row["topics"] == "2" and row["partitions"] == "3"
        assert math.isclose(float(row["prod-byte-rate-avg"]), statistics.fmean(r["publishByteRate"]), rel_tol=1e-12)
        assert int(row["messages-sent"]) == r["totalMessagesSent"]
        assert 1500 < float(row["prod-rate-avg"]) < 6000, row["prod-rate-avg"]  # loose: the CSV must match the JSON, whatever the run did
    else:
        assert row["driver"] == "Kafka-Java" and row["messages-sent"] == ""
# OMB's order: messageSize first (200 before the Java file's 1024)
assert [r["message-size"] for r in rows] == ["200", "200", "1024"], [r["message-size"] for r in rows]
PY

# Bad input: exit 2, the file named, nothing written.
expect_fail 2 "cannot open results directory 'nope'" -- "$OMB" csv nope
mkdir empty
expect_fail 2 "no result files" -- "$OMB" csv empty
printf '{"workload": "w", "publishRate": [1, "x"]}' > res/broken.json
expect_fail 2 "res/broken.json: element 2 of 'publishRate' is a string, not a number" -- "$OMB" csv -o bad.csv res
[ ! -e bad.csv ] || fail "bad.csv written despite the error"
expect_fail 2 "unknown option '--bogus'" -- "$OMB" csv --bogus res
echo "ok: tools csv"
