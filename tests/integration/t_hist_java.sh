#!/usr/bin/env bash
# t_hist_java.sh - omb's HDR histogram and V2 codec against Java HdrHistogram, both ways.
#
# For each data set: Java and omb record the same values; the uncompressed V2 encodings must
# be byte-identical; each side decodes Java's compressed encoding and omb's (at the default
# level and with OMB_HIST_ZLIB_FAST); all statistics (count, min, max, mean and stddev
# bits, percentiles, the percentile walks) must be identical.
# Identical compressed bytes are reported but not required (zlib builds may differ).
#
# Env: OMB_SOURCE (source dir; default: two levels up), HDRHISTOGRAM_JAR (optional),
#      CC (default gcc). Exit 77 (skip) only when java/javac or the jar is missing.
set -euo pipefail

src=${OMB_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
cc=${CC:-gcc}

if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
    echo "SKIP: java not installed (need java and javac)"
    exit 77
fi
jar=${HDRHISTOGRAM_JAR:-}
if [ -z "$jar" ]; then
    # Debian names it hdrhistogram.jar; upstream HdrHistogram-x.y.z.jar
    jar=$(find /usr/share/java -maxdepth 1 -iname 'hdrhistogram*.jar' 2>/dev/null | sort | head -n 1 || true)
fi
if [ -z "$jar" ] || [ ! -r "$jar" ]; then
    echo "SKIP: java not installed: no HdrHistogram jar (apt-get install libhdrhistogram-java)"
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

javac -d "$work" -cp "$jar" "$src/tests/data/java/HistRef.java"
"$cc" -std=gnu11 -O2 -D_GNU_SOURCE -I"$src/src" -o "$work/hist_ref_tool" \
    "$src/tests/data/java/hist_ref_tool.c" "$src/src/stats/hist.c" "$src/src/util/zpages.c" \
    "$src/src/stats/hist_codec.c" "$src/src/util/base64.c" "$src/src/util/zhuff.c" -lz -lm

jv() { java -cp "$jar:$work" HistRef "$@"; }
tool() { "$work/hist_ref_tool" "$@"; }

fail=0
same_zlib=0
cases=0
# lowest highest digits kind n seed maxv
while read -r lo hi dg kind n seed maxv; do
    [ -z "$lo" ] && continue
    name="$lo/$hi/$dg $kind x$n"
    cases=$((cases + 1))
    tool gen "$kind" "$n" "$seed" "$maxv" >"$work/values"
    jv encode "$lo" "$hi" "$dg" <"$work/values" >"$work/j.enc"
    tool encode "$lo" "$hi" "$dg" <"$work/values" >"$work/c.enc"

    # everything but line 1 (compressed bytes): inner encoding and the statistics
    if ! cmp -s <(tail -n +2 "$work/j.enc") <(tail -n +2 "$work/c.enc"); then
        echo "FAIL $name: inner V2 encoding or statistics differ (Java < > omb):"
        diff <(tail -n +2 "$work/j.enc") <(tail -n +2 "$work/c.enc") | head -n 20 || true
        fail=1
        continue
    fi
    if [ "$(head -n 1 "$work/j.enc")" = "$(head -n 1 "$work/c.enc")" ]; then
        same_zlib=$((same_zlib + 1))
    fi

    # both decoders on both compressed encodings
    {
        head -n 1 "$work/j.enc"
        head -n 1 "$work/c.enc"
        tool encodefast "$lo" "$hi" "$dg" <"$work/values"
    } >"$work/both.b64"
    jv decode <"$work/both.b64" >"$work/j.dec"
    tool decode <"$work/both.b64" >"$work/c.dec"
    tail -n +3 "$work/j.enc" >"$work/stats"
    cat "$work/stats" "$work/stats" "$work/stats" >"$work/expect.dec"
    if ! cmp -s "$work/j.dec" "$work/c.dec" || ! cmp -s "$work/j.dec" "$work/expect.dec"; then
        echo "FAIL $name: decoded statistics differ (Java < > omb):"
        diff "$work/j.dec" "$work/c.dec" | head -n 20 || true
        diff "$work/j.dec" "$work/expect.dec" | head -n 5 || true
        fail=1
        continue
    fi
    echo "ok   $name ($(grep -c '^walk100' "$work/stats") walk steps)"
done <<'EOF'
1 60000000 5 lognormal 200000 1 60000000
1 43200000000 5 lognormal 100000 2 43200000000
1 3600000000 3 uniform 100000 3 3600000000
1 60000000 1 lognormal 50000 4 60000000
1 60000000 2 lognormal 50000 5 60000000
1000 60000000000 2 lognormal 50000 6 60000000000
1 60000000 3 seq 10000 7 60000000
1 60000000 5 zeros 30000 8 60000000
1 60000000 5 seq 0 9 60000000
1 60000000 5 const 1 10 60000000
1 60000000 5 const 5 11 59999999
1 2 1 uniform 1000 12 2
7 100000 4 uniform 20000 13 100000
EOF

echo "compressed bytes identical to Java's in $same_zlib of $cases cases"
if [ "$fail" -ne 0 ]; then
    echo "FAIL: omb's histogram disagrees with Java HdrHistogram ($jar)"
    exit 1
fi
echo "PASS: $cases data sets agree with Java HdrHistogram ($jar)"
