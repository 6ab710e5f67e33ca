# charts_lib.sh - sourced by the charts tests after lib.sh: headless Chromium, and the
# in-page probe (charts_probe.js) that measures a report's text sizes, columns and exports.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium not installed"; exit 77; }

chrome() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d "$WORK/chrome.XXXXXX")" "$@"
}

# probe PAGE WIDTH OUT: PAGE with charts_probe.js added, loaded WIDTH CSS px wide; OUT gets
# the probe's lines (TEXTS, COLUMNS, EXPORTS, BUTTONS, PNG).
probe() {
  local page=$1 width=$2 out=$3
  python3 - "$page" "$OMB_SOURCE/tests/integration/charts_probe.js" "$page.probe.html" <<'P'
import sys
page, js, dst = sys.argv[1:4]
html = open(page, encoding="utf-8").read()
assert html.count("</body>") == 1, "the report has no single </body>"
open(dst, "w", encoding="utf-8").write(html.replace("</body>", "<script>\n" + open(js).read() + "</script>\n</body>"))
P
  chrome --window-size="$width",3000 --virtual-time-budget=120000 --dump-dom "file://$WORK/$page.probe.html" \
    > "$out.dom" 2> "$out.err" || { cat "$out.err"; fail "chromium failed on $page at $width px"; }
  python3 - "$out.dom" > "$out" <<'P'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
dom = dom[dom.rfind("</script>"):]  # what the probe added, after every script
for id in ("omb-probe", "omb-probe-png"):
    m = re.search(r'<pre id="%s">(.*?)</pre>' % id, dom, re.S)
    print(html.unescape(m.group(1)) if m else "%s: no output (the probe did not finish)" % id)
P
}

# probe_line OUT KEY: the probe's line that starts with KEY.
probe_line() { grep -m1 "^$2 " "$1" || echo "$2 missing"; }
