#!/usr/bin/env bash
# omb charts: real loopback results and the fixtures (Java OMB's format included) in one
# HTML file that needs no network; headless Chromium renders it without console errors,
# and the screenshot shows the series drawn in their colours (not a blank page). What was
# run matches the workloads used, markup in a sidecar is escaped, table figures have no
# trailing zeros; in the browser no text is under 12 px, the charts are two columns wide
# or one, and every chart exports as a standalone SVG (and a PNG) from its buttons.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/charts_lib.sh"

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

# Self-contained: no URL, stylesheet link or web font; one inline script (the export
# buttons), none loaded from elsewhere.
if grep -Eq 'https?://|<script [^>]*src|<link|@import|url\(|@font-face' report.html; then
  grep -Eo '.{0,40}(https?://|<script [^>]*src|<link|@import|url\(|@font-face).{0,40}' report.html | head
  fail "report.html refers to something outside itself"
fi
[ "$(grep -c '<script' report.html)" -eq 1 ] || fail "expected exactly one inline script"
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

# What was run: one row per series with the workload's parameters (compared with the
# workload files used) and the driver's settings; the Java result has what its JSON has.
python3 - report.html w2000.yaml w4000.yaml <<'P' || fail "the what-was-run block is missing or wrong"
import html.parser, sys
class Rows(html.parser.HTMLParser):
    """Each row of a params table: {"_driver": label, key: cell text, "_settings": text}."""
    def __init__(self):
        super().__init__(); self.rows = []; self.cell = None; self.intable = False
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "table" and a.get("class") == "params": self.intable = True
        if not self.intable: return
        if tag == "tr" and "data-series" in a: self.rows.append({})
        if tag == "td" and self.rows:
            self.cell = a.get("data-key") or ("_settings" if a.get("class") == "settings" else "_driver")
            self.rows[-1][self.cell] = ""
        if tag == "div" and self.cell == "_settings": self.rows[-1]["_settings"] += "\n"
    def handle_endtag(self, tag):
        if tag == "td": self.cell = None
        if tag == "table": self.intable = False
    def handle_data(self, d):
        if self.cell: self.rows[-1][self.cell] += d
p = Rows(); p.feed(open(sys.argv[1], encoding="utf-8").read())
by = {r["_driver"]: r for r in p.rows}
def wl(path):
    return dict(l.split(": ", 1) for l in open(path).read().splitlines())
errors = []
def expect(row, key, want):
    got = by.get(row, {}).get(key)
    if got != want: errors.append(f"{row}: {key} is {got!r}, the run used {want!r}")
for row, path in (("Loopback", sys.argv[2]), ("Loopback-B", sys.argv[3])):
    w = wl(path)
    for key, src in (("topics", "topics"), ("partitionsPerTopic", "partitionsPerTopic"),
                     ("messageSize", "messageSize"), ("producerRate", "producerRate"),
                     ("testDurationMinutes", "testDurationMinutes"),
                     ("warmupDurationMinutes", "warmupDurationMinutes")):
        expect(row, key, w[src])
    for key, want in (("producersPerTopic", "1"), ("subscriptionsPerTopic", "1"),
                      ("consumerPerSubscription", "1"), ("keyDistributor", "NO_KEY")):
        expect(row, key, want)
    st = by.get(row, {}).get("_settings", "")
    if "driverClass: loopback" not in st or "file: loopback" not in st:
        errors.append(f"{row}: driver settings {st!r} lack the driver file and class")
for key, want in (("topics", "2"), ("partitionsPerTopic", "4"), ("messageSize", "1024"),
                  ("consumerPerSubscription", "2"), ("producerRate", "\u2013")):
    expect("Kafka-Java", key, want)
if "Java OMB result" not in by.get("Kafka-Java", {}).get("_settings", ""):
    errors.append("the Java result does not say its settings are not recorded")
if len(p.rows) != 5: errors.append(f"{len(p.rows)} rows for 5 series")
if errors: sys.exit("\n".join(errors))
P

# File content is untrusted: a sidecar with markup in its driver settings is shown escaped.
mkdir evil
cp res/b.json evil/e.json
python3 - res/b.omb evil/e.omb <<'P'
import json, sys
s = json.load(open(sys.argv[1]))
s["omb"]["driverConfig"]["note"] = "<img src=x onerror=alert(1)>&"
s["omb"]["workloadConfig"]["keyDistributor"] = "<b>KEY</b>"
json.dump(s, open(sys.argv[2], "w"))
P
"$OMB" charts -o evil.html evil/e.json 2> evil.log || { cat evil.log; fail "charts of the evil sidecar"; }
grep -q '&lt;img src=x onerror=alert(1)&gt;&amp;' evil.html && grep -q '&lt;b&gt;KEY&lt;/b&gt;' evil.html \
  || fail "markup in the sidecar is not shown escaped"
if grep -q '<img\|<b>KEY' evil.html; then fail "markup in the sidecar reached the page"; fi

cp evil/e.json evil/f.json
python3 -c "import json,sys; s=json.load(open('evil/e.omb')); s['omb']['driverConfig']='x'; json.dump(s, open('evil/f.omb','w'))"
expect_fail 2 "evil/f.omb: 'omb.driverConfig' must be an object, got a string" -- "$OMB" charts -o bad.html evil/f.json
[ ! -e bad.html ] || fail "a report was written from a bad sidecar"

# Table figures: integers read as integers ("7", not "7.000"), in every table; the Java
# fixture's delays (41, 111, 402 us) and latencies (2.2 ms avg, 2 ms p50) as such.
if grep -Eo '<td>-?[0-9]+\.0+</td>|<td>-?[0-9]+\.[0-9]*[1-9]0+</td>' report.html | head -3 | grep .; then
  fail "a table figure has trailing zeros"
fi
grep -q '<td>41</td><td>111</td><td>402</td>' report.html || fail "the Java delays are not integers"
grep -q '<td>2.2</td><td>2</td><td>4</td><td>6</td><td>8</td>' report.html || fail "the Java publish latencies"

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

# In the browser, at a wide (two columns) and a narrow window (one): no text under 12 px,
# every chart's SVG export is a standalone SVG with its title, legend and paths, and the
# PNG export decodes and shows the first series.
for width in 1400 900; do
  probe report.html $width probe$width.txt
  cat probe$width.txt
  probe_line probe$width.txt TEXTS | grep -Eq '^TEXTS [0-9]{3,} SMALL 0$' || fail "text under 12 px at $width px"
  probe_line probe$width.txt EXPORTS | grep -q '^EXPORTS 30 BAD 0$' || fail "SVG export at $width px"
  probe_line probe$width.txt BUTTONS | grep -q '^BUTTONS 60$' || fail "not two export buttons per chart"
done
grep -q '^SAVED tools-charts-publish-latency-99pct.svg blob$' probe1400.txt || fail "the first SVG button does not save its chart"
grep -q '^COLUMNS 2$' probe1400.txt || fail "not two columns at 1400 px"
grep -q '^COLUMNS 1$' probe900.txt || fail "not one column at 900 px"
png=$(probe_line probe1400.txt PNG)
python3 - "$png" <<'P' || fail "the PNG export: $png"
import re, sys
m = re.match(r"PNG image/png (\d+) (\d+)x(\d+) ink=([0-9.]+) blue=(\d+)$", sys.argv[1])
assert m, "no PNG"
size, w, h, ink, blue = int(m[1]), int(m[2]), int(m[3]), float(m[4]), int(m[5])
assert w == 1280 and h > 600, f"{w}x{h}, not twice the chart's 640 units"
assert size > 5000 and ink > 0.02 and blue > 500, f"{size} bytes, ink {ink}, {blue} blue pixels"
P
# The probe can fail: tick text at 9 px and an export that leaves classes are seen.
sed -e 's/svg .tick{font-size:13px/svg .tick{font-size:9px/' \
    -e "s/dst.removeAttribute('class');//" report.html > broken.html
probe broken.html 1400 broken.txt
probe_line broken.txt TEXTS | grep -Eq 'SMALL [1-9]' || { cat broken.txt; fail "the size check does not see 9 px ticks"; }
probe_line broken.txt EXPORTS | grep -q 'BAD 30 .*class attributes' || { cat broken.txt; fail "the export check does not see classes left"; }

# Pixels: blue (first series of a section) and orange (second) drawn well beyond their
# legend and table swatches (about 800 pixels each); not a blank page.
python3 "$OMB_SOURCE/tests/integration/png_stats.py" shot.png --colour 1f77b4 --colour ff7f0e \
  --min-pixels 2500 --min-ink 0.02 || fail "the screenshot does not show the series"
echo "ok: tools charts"
