#!/usr/bin/env bash
# omb charts: real loopback results and the fixtures (Java OMB's format included) in one
# HTML file that needs no network; headless Chromium renders it without console errors,
# and the screenshot shows the series drawn in their colours (not a blank page).
source "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium not installed"; exit 77; }

# Two drivers at two rates on one workload name: two series that do not hide each other.
loopback_driver
printf 'name: Loopback-B\ndriverClass: loopback\n' > loopback-b.yaml
for rate in 2000 4000; do
  printf 'name: tools charts\ntopics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: %s\ntestDurationMinutes: 0.05\nwarmupDurationMinutes: 0\n' $rate > w$rate.yaml
done
mkdir res
"$OMB" run -d loopback.yaml --period 1 -o res/a.json w2000.yaml > run1.log 2>&1 || { cat run1.log; fail "run 1"; }
"$OMB" run -d loopback-b.yaml --period 1 -o res/b.json w4000.yaml > run2.log 2>&1 || { cat run2.log; fail "run 2"; }

"$OMB" charts res/a.json res/b.json "$OMB_SOURCE"/tests/data/results/*.json -o report.html 2> charts.log \
  || { cat charts.log; fail "omb charts failed"; }
grep -q "wrote report.html (5 result(s), 3 workload(s))" charts.log || { cat charts.log; fail "summary line"; }

# Self-contained: no URL, script, stylesheet link or web font.
if grep -Eq 'https?://|<script|<link|@import|url\(|@font-face' report.html; then
  grep -Eo '.{0,40}(https?://|<script|<link|@import|url\(|@font-face).{0,40}' report.html | head
  fail "report.html refers to something outside itself"
fi
[ "$(grep -c '<svg' report.html)" -eq 30 ] || fail "expected 3 workloads x 10 charts"
for t in "Publish latency 99pct" "Publish delay latency 99pct" "Publish rate" "Publish error rate" \
         "End-to-end latency 95pct" "Consume rate" "End-to-end latency avg" \
         "Publish latency quantiles" "Publish delay latency quantiles" "End-to-end latency quantiles"; do
  [ "$(grep -c ">$t</text>" report.html)" -eq 3 ] || fail "chart '$t' not in every section"
done
# A contents list links every workload section.
for n in 1 2 3; do
  grep -q "<li><a href=\"#w$n\">" report.html && grep -q "<h2 id=\"w$n\">" report.html \
    || fail "no contents link to workload section $n"
done
grep -q '>Kafka-Java<' report.html || fail "Java OMB result has no series"
grep -q 'Rate (msg/s)' report.html && grep -q 'Latency (ms)' report.html && grep -q 'Percentile' report.html \
  || fail "axis labels with units missing"

chrome() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d "$WORK/chrome.XXXXXX")" "$@"
}

# The console check must be able to fail: a page with a script error trips it.
printf '<!DOCTYPE html><html><body><script>notDefined();</script></body></html>' > bad.html
chrome --enable-logging=stderr --v=0 --dump-dom "file://$WORK/bad.html" > /dev/null 2> bad.log || true
grep -Eq 'Uncaught|ERROR:CONSOLE' bad.log || { cat bad.log; fail "the console check does not see a script error"; }

chrome --enable-logging=stderr --v=0 --screenshot="$WORK/shot.png" --window-size=1400,4000 \
  "file://$WORK/report.html" > chrome.log 2>&1 || { cat chrome.log; fail "chromium failed"; }
[ -s shot.png ] || { cat chrome.log; fail "no screenshot"; }
if grep -E 'Uncaught|ERROR:CONSOLE|:CONSOLE\(' chrome.log; then fail "console messages while rendering"; fi

chrome --dump-dom "file://$WORK/report.html" > dom.html 2> dom.log || { cat dom.log; fail "dump-dom"; }
[ "$(grep -o '<svg' dom.html | wc -l)" -eq 30 ] || fail "the rendered DOM lacks the charts"
lines=$(grep -Eo 'class="line" d="M[0-9.]+ [0-9.]+ L' dom.html | wc -l)
[ "$lines" -ge 40 ] || fail "only $lines series with at least two points in the DOM"

# Pixels: blue (first series of a section) and orange (second) drawn well beyond their
# legend and table swatches (about 800 pixels each); not a blank page.
python3 "$OMB_SOURCE/tests/integration/png_stats.py" shot.png --colour 1f77b4 --colour ff7f0e \
  --min-pixels 2500 --min-ink 0.02 || fail "the screenshot does not show the series"
echo "ok: tools charts"
