#!/usr/bin/env bash
# OMB's own reader over a directory of omb results: tests/data/java/ResultsToCsvStrict.java
# reads every *.json of the directory as OMB's ResultsToCsv does (a default Jackson
# ObjectMapper, which fails on any property OMB's TestResult lacks) and must read them all:
# a plain run, a backlog run, a rate search (producerRate: 0), an interrupted run, a run
# written with -o DIR, and a Java OMB result beside them. omb's sidecars (X.omb) are never
# read by it; `omb csv` over the same directory reads them. A result with omb's old inline
# extras must fail with Jackson's UnrecognizedPropertyException (the test can fail).
#
# Exit 77 (skip) only when java/javac or Debian's Jackson jars (libjackson2-databind-java)
# are missing.
source "$(dirname "$0")/lib.sh"

if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  echo "SKIP: java not installed (need java and javac)"
  exit 77
fi
cp=""
for j in jackson-databind jackson-core jackson-annotations; do
  f=/usr/share/java/$j.jar
  [ -r "$f" ] || { echo "SKIP: no $f (apt-get install libjackson2-databind-java)"; exit 77; }
  cp="$cp${cp:+:}$f"
done
mkdir classes
javac -d classes -cp "$cp" "$OMB_SOURCE/tests/data/java/ResultsToCsvStrict.java"
strict() { java -cp "$cp:$WORK/classes" ResultsToCsvStrict "$@"; }

loopback_driver
printf 'name: Loopback-Capped\ndriverClass: loopback\npublishCapacity: 20000\n' > capped.yaml
w() { # NAME RATE BACKLOG_GB MINUTES
  printf 'name: %s\ntopics: 1\npartitionsPerTopic: 2\nmessageSize: 1024\nsubscriptionsPerTopic: 1\nproducersPerTopic: 1\nconsumerPerSubscription: 1\nproducerRate: %s\nconsumerBacklogSizeGB: %s\ntestDurationMinutes: %s\nwarmupDurationMinutes: 0\n' "$@" > "$1.yaml"
}
mkdir res
w plain 2000 0 0.05
"$OMB" run -d loopback.yaml --period 1 -o res/plain.json plain.yaml > plain.log 2>&1 || { cat plain.log; fail "plain run"; }
w backlog 5000 0.005 0.05
"$OMB" run -d loopback.yaml --period 1 -o res/backlog.json backlog.yaml > backlog.log 2>&1 || { cat backlog.log; fail "backlog run"; }
w search 0 0 0.1
"$OMB" run -d capped.yaml --period 1 -o res/search.json search.yaml > search.log 2>&1 || { cat search.log; fail "rate search run"; }
w long 1000 0 10
"$OMB" run -d loopback.yaml --period 1 -o res/interrupted.json long.yaml > long.log 2>&1 &
pid=$!
for _ in $(seq 300); do [ "$(grep -c "Pub rate" long.log 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ "$rc" -eq 130 ] || { cat long.log; fail "interrupted run: exit $rc, expected 130"; }
mkdir dir-out
"$OMB" run -d loopback.yaml --period 1 -o dir-out plain.yaml > dir.log 2>&1 || { cat dir.log; fail "run -o DIR"; }
cp dir-out/* res/
cp "$OMB_SOURCE/tests/data/results/java-kafka.json" res/

# Every result has its sidecar; what is in the sidecar is what the runs were about.
for f in res/*.json; do
  [ "$(basename "$f")" = java-kafka.json ] && continue
  [ -f "${f%.json}.omb" ] || fail "$f has no sidecar ${f%.json}.omb"
done
python3 - res <<'P'
import json, sys
d = sys.argv[1]
load = lambda n: {**json.load(open(f"{d}/{n}.omb")), **json.load(open(f"{d}/{n}.json"))}
b = load("backlog")
assert b["omb"]["backlog"]["drained"] and "backlog-build" in b["phase"], b["omb"].get("backlog")
s = load("search")
assert s["omb"]["rateSearch"]["sustainedRate"] > 0, s["omb"]["rateSearch"]
i = load("interrupted")
assert i["omb"]["complete"] is False and i["omb"]["incompleteReason"], i["omb"]
assert load("plain")["omb"]["complete"] is True
print("ok: sidecars hold the backlog, rate search and interruption")
P
for f in plain backlog search; do $CHECK res/$f.json --min-periods 2 >/dev/null; done
$CHECK res/interrupted.json --incomplete --min-periods 2 >/dev/null

# OMB's reader: all 6 *.json (5 of omb's, Java's own), none of the sidecars.
n=$(ls res/*.json | wc -l)
[ "$n" -eq 6 ] || { ls res; fail "expected 6 result files, found $n"; }
(cd res && strict . 6) > strict.log 2>&1 || { cat strict.log; fail "OMB's strict reader rejects omb's results"; }
! grep -q '\.omb' strict.log || fail "OMB's reader read a sidecar"
csv=$(ls res/results-*.csv)
[ "$(wc -l < "$csv")" -eq 7 ] || { cat "$csv"; fail "OMB's CSV has not 6 rows"; }
echo "ok: OMB's strict reader read $(grep -c '^read ' strict.log) results"

# omb csv over the same directory: the sidecars' totals appear (Java's row has none).
rm "$csv"
"$OMB" csv res > omb.csv 2> csv.log || { cat csv.log; fail "omb csv"; }
python3 - omb.csv <<'P'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6, len(rows)
for r in rows:
    if r["file"] == "java-kafka.json":
        assert r["messages-sent"] == "", r
    else:
        assert int(r["messages-sent"]) > 0, r
print("ok: omb csv read the sidecars")
P

# The control: omb's old format (extras inline) is what OMB's reader refuses.
mkdir old
cp "$OMB_SOURCE/tests/data/results/omb-kafka-a.json" old/
set +e; (cd old && strict .) > old.log 2>&1; rc=$?; set -e
[ "$rc" -eq 1 ] && grep -q 'UnrecognizedPropertyException' old.log ||
  { cat old.log; fail "the strict reader accepted a result with unknown keys (rc $rc)"; }
echo "ok: results read by OMB's strict reader"
