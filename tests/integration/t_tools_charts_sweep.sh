#!/usr/bin/env bash
# omb charts of a sweep summary: the latency-throughput curve of two drivers (p50, p99,
# p99.9 against the achieved publish rate, log latency axis) in one self-contained HTML
# file, with a result beside it; headless Chromium renders it without console errors and
# the screenshot shows both drivers' curves, with no text under 12 px and both curves
# exporting as SVG and PNG; what was run comes from the step results. A summary with a bad
# key is refused by name.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/charts_lib.sh"

printf 'name: LB-A\ndriverClass: loopback\ndeliveryCapacity: 20000\n' > a.yaml
printf 'name: LB-B\ndriverClass: loopback\ndeliveryCapacity: 40000\n' > b.yaml
printf 'name: curve\ntopics: 1\nmessageSize: 100\nproducerRate: 1000\ntestDurationMinutes: 1\nwarmupDurationMinutes: 0\n' > w.yaml
mkdir out
"$OMB" sweep -d a.yaml -d b.yaml --period 0.5 --max-rate 20000 --fractions 0.25,0.5,1 \
  --step-minutes 0.03 --warmup-minutes 0 -o out w.yaml > sweep.log 2>&1 || { cat sweep.log; fail "sweep"; }
summary=$(ls out/*.sweep)
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert [d['driver'] for d in s['drivers']] == ['LB-A', 'LB-B'] and all(len(d['steps']) == 3 for d in s['drivers']), s" "$summary" \
  || fail "one summary with both drivers' steps"

# The summary with one of its step results: a sweep section after the result's section.
"$OMB" charts -o report.html "$summary" out/*-LB-A-1-0.25.json 2> charts.log || { cat charts.log; fail "omb charts"; }
grep -q "wrote report.html (1 result(s), 1 workload(s), 1 sweep(s))" charts.log || { cat charts.log; fail "summary line"; }
if grep -Eq 'https?://|<script [^>]*src|<link|@import|url\(|@font-face' report.html; then fail "report.html refers to something outside itself"; fi
grep -q '<h2 id="s1">curve: latency vs throughput</h2>' report.html || fail "no sweep section"
for t in "End-to-end latency vs throughput" "Publish latency vs throughput"; do
  grep -q ">$t</text>" report.html || fail "chart '$t' missing"
done
grep -q 'Latency (ms, log scale)' report.html && grep -q 'Achieved publish rate (msg/s)' report.html || fail "axis labels"
for l in "LB-A p50" "LB-A p99" "LB-A p99.9" "LB-B p50" "LB-B p99" "LB-B p99.9"; do
  grep -q ">$l</text>" report.html || fail "legend lacks '$l'"
done
# Table: one row per driver and step.
[ "$(grep -c '<tr><td class="name"><span class="swatch" style="background:#[0-9a-f]*"></span>LB-[AB]</td><td>' report.html)" -ge 6 ] \
  || fail "sweep table lacks rows"

# What was run, per driver, from its first step's result: the workload's parameters, the
# rate as what the sweep varied, the driver's settings.
sweep_params=$(sed -n '/<section class="sweep">/,/<\/section>/p' report.html | sed -n '/<table class="params">/,/<\/table>/p')
for d in "LB-A 20000" "LB-B 40000"; do
  set -- $d
  row=$(grep -F "</span>$1</td>" <<<"$sweep_params") || fail "no what-was-run row for $1"
  for kv in topics:1 messageSize:100 'producerRate:swept (steps below)' warmupDurationMinutes:0; do
    grep -qF "data-key=\"${kv%%:*}\">${kv#*:}</td>" <<<"$row" || fail "$1: ${kv%%:*} is not ${kv#*:}: $row"
  done
  grep -qF '<span class="k">deliveryCapacity</span>: '"$2"'</div>' <<<"$row" || fail "$1: driver settings lack deliveryCapacity $2"
done
# The summary alone, rendered: one Chromium run (a few seconds each on two shared cores).
"$OMB" charts -o curve.html "$summary" 2> curve.log || { cat curve.log; fail "omb charts of the summary alone"; }
chrome --enable-logging=stderr --v=0 --screenshot="$WORK/shot.png" --window-size=900,1800 \
  "file://$WORK/curve.html" > chrome.log 2>&1 || { cat chrome.log; fail "chromium failed"; }
[ -s shot.png ] || { cat chrome.log; fail "no screenshot"; }
if grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE\(' chrome.log; then fail "console messages while rendering"; fi
[ "$(grep -o '<svg class="chart curve"' curve.html | wc -l)" -eq 2 ] || fail "the page lacks the two curves"
# End-to-end: every driver x percentile is a line through the three steps (two segments).
e2e=$(sed -n '/aria-label="End-to-end latency vs throughput"/,/<\/svg>/p' curve.html)
lines=$(grep -Eo 'data-percentile="[^"]*"><path class="line" d="M[0-9.]+ [0-9.]+ L[0-9.]+ [0-9.]+ L' <<<"$e2e" | wc -l)
[ "$lines" -eq 6 ] || fail "end-to-end chart: $lines of 6 curves drawn through every step"
grep -q 'stroke-dasharray="7 3"' <<<"$e2e" && grep -q 'stroke-dasharray="2 3"' <<<"$e2e" || fail "percentiles not told apart by line style"
# Pixels: the first driver blue, the second orange, well beyond their swatches and legend
# lines (about 800 pixels each at this width, where the charts stack in one column). LB-B
# has twice the capacity, so its curve leaves LB-A's near 1.0 instead of covering it.
python3 "$OMB_SOURCE/tests/integration/png_stats.py" shot.png --colour 1f77b4 --colour ff7f0e \
  --min-pixels 1300 --min-ink 0.01 || fail "the screenshot does not show both drivers' curves"

# In the browser: no text under 12 px, both curves export as standalone SVGs (and PNG).
probe curve.html 1400 probe.txt
cat probe.txt
probe_line probe.txt TEXTS | grep -Eq '^TEXTS [0-9]{2,} SMALL 0$' || fail "text under 12 px"
probe_line probe.txt EXPORTS | grep -q '^EXPORTS 2 BAD 0$' || fail "the curves' SVG export"
probe_line probe.txt BUTTONS | grep -q '^BUTTONS 4$' || fail "not two export buttons per curve"
probe_line probe.txt PNG | grep -Eq '^PNG image/png [0-9]{4,} 1280x[0-9]+ ' || fail "the curves' PNG export"

# Bad summaries: named, exit 2, nothing written.
python3 - "$summary" <<'P'
import json, sys
s = json.load(open(sys.argv[1]))
s2 = dict(s, ombSweep=2)
json.dump(s2, open("v2.sweep", "w"))
s["drivers"][1]["steps"][2]["publishRate"] = "fast"
json.dump(s, open("badkey.sweep", "w"))
P
expect_fail 2 "v2.sweep: ombSweep is not 1: a sweep summary of a format this omb does not know" -- "$OMB" charts -o bad.html v2.sweep
expect_fail 2 "badkey.sweep: drivers\[1\].steps\[2\].publishRate is not a number or null" -- "$OMB" charts -o bad.html badkey.sweep
[ ! -e bad.html ] || fail "a report was written from a bad summary"
echo "ok: charts of a sweep"
