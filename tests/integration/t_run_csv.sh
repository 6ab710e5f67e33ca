#!/usr/bin/env bash
# omb run -c DIR: after the matrix, DIR/results-<epoch>.csv holds one row per result this
# run wrote (omb csv's columns, the same bytes as `omb csv` of those results); a bad DIR is
# one sentence and exit 2 before anything runs; `omb -c DIR` alone is OMB's reading (the CSV
# of DIR's results in ./results-<epoch>.csv, no run).
source "$(dirname "$0")/lib.sh"
loopback_driver
printf 'name: Loopback-B\ndriverClass: loopback\n' > loopback-b.yaml
for n in a b; do
  printf 'name: csv-%s\ntopics: 1\nmessageSize: 64\nproducerRate: 500\ntestDurationMinutes: 0.03\nwarmupDurationMinutes: 0\n' $n > $n.yaml
done
mkdir res
# A result from before this run: not one of this run's rows.
cp "$OMB_SOURCE/tests/data/results/java-kafka.json" res/
"$OMB" run -d loopback.yaml,loopback-b.yaml --period 1 -o res -c csvdir a.yaml b.yaml > run.log 2>&1 ||
  { cat run.log; fail "run with -c failed"; }
[ -d csvdir ] || fail "-c did not create its directory"
csvs=(csvdir/results-*.csv)
[ ${#csvs[@]} -eq 1 ] && [ -f "${csvs[0]}" ] || fail "expected one csvdir/results-<epoch>.csv: $(ls csvdir)"
[[ ${csvs[0]} =~ ^csvdir/results-[0-9]{10}\.csv$ ]] || fail "CSV name: ${csvs[0]}"
grep -q "Results extracted into CSV ${csvs[0]}" run.log || fail "the CSV's path is not in the log"
# Four rows (2 workloads x 2 drivers), the same as omb csv of this run's results only.
[ "$(wc -l < "${csvs[0]}")" -eq 5 ] || { cat "${csvs[0]}"; fail "expected a header and 4 rows"; }
rm res/java-kafka.json
"$OMB" csv res > expect.csv 2> csv.log || { cat csv.log; fail "omb csv"; }
cmp -s expect.csv "${csvs[0]}" || { diff expect.csv "${csvs[0]}"; fail "-c CSV differs from omb csv"; }
head -1 "${csvs[0]}" | grep -q '^topics,partitions,message-size,producers-per-topic,consumers-per-topic,prod-rate-min' ||
  fail "not OMB's columns first"
python3 - "${csvs[0]}" <<'PY' || fail "CSV rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
got = sorted((r["workload"], r["driver"]) for r in rows)
assert got == [("csv-a", "Loopback"), ("csv-a", "Loopback-B"), ("csv-b", "Loopback"), ("csv-b", "Loopback-B")], got
for r in rows:
    assert int(r["messages-sent"]) > 0 and int(r["periods"]) >= 1, r
PY

# A second run in the same directory does not overwrite the first CSV.
"$OMB" run -d loopback.yaml --period 1 -o res -c csvdir a.yaml > run2.log 2>&1 || { cat run2.log; fail "second run"; }
[ "$(ls csvdir | wc -l)" -eq 2 ] || fail "second CSV: $(ls csvdir)"

# Bad DIR: one sentence, exit 2, nothing run (no result written).
touch afile
expect_fail 2 "omb: -c afile: CSV directory 'afile' is not a directory" -- "$OMB" run -d loopback.yaml -o bad.json -c afile a.yaml
expect_fail 2 "omb: -c nodir/sub: cannot create CSV directory 'nodir/sub': directory 'nodir' does not exist" -- "$OMB" run -d loopback.yaml -o bad.json -c nodir/sub a.yaml
if [ "$(id -u)" -ne 0 ]; then
  mkdir ro && chmod 555 ro
  expect_fail 2 "omb: -c ro: cannot write CSV files in 'ro'" -- "$OMB" run -d loopback.yaml -o bad.json -c ro a.yaml
fi
[ ! -e bad.json ] || fail "a run with a bad -c DIR ran"
# A dry run checks DIR without creating it.
"$OMB" run --dry-run -d loopback.yaml -c later a.yaml > plan.txt || fail "dry run with -c"
grep -q "Their CSV would go to later/results-<epoch>.csv" plan.txt || fail "plan does not name the CSV"
[ ! -e later ] || fail "a dry run created the -c directory"

# OMB's `-c DIR` alone: the CSV of DIR's results in the current directory, nothing runs.
mkdir only && cd only
"$OMB" -c ../res > csv-only.log 2>&1 || { cat csv-only.log; fail "omb -c DIR alone"; }
out=(results-*.csv)
[ -f "${out[0]}" ] || fail "omb -c DIR wrote no ./results-<epoch>.csv: $(ls)"
"$OMB" csv ../res | cmp -s - "${out[0]}" || fail "omb -c DIR differs from omb csv DIR"
cd ..
expect_fail 2 "omb: -c afile: " -- "$OMB" -c afile
echo "ok: run -c"
