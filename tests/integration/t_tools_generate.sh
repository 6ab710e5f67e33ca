#!/usr/bin/env bash
# omb generate: OMB's template gives its 49 workloads; a template of ours gives workloads
# that `omb run` runs as they are; a bad template exits 2 naming the line and writes nothing.
source "$(dirname "$0")/lib.sh"
"$OMB" generate -t "$OMB_SHARED/omb-reference/tool/src/test/resources/template.yaml" -o omb-set > list.txt 2> gen.log \
  || { cat gen.log; fail "OMB's template"; }
[ "$(ls omb-set/*.yaml | wc -l)" -eq 49 ] || fail "expected 7 x 7 = 49 files: $(ls omb-set | wc -l)"
[ "$(wc -l < list.txt)" -eq 49 ] || fail "the paths are not listed on stdout"
for f in omb-set/*.yaml; do
  n=$(basename "$f" .yaml)
  grep -qx "name: \"$n\"" "$f" || fail "$f: name is not '$n'"
  grep -qx 'payloadFile: "payload/payload-100b.data"' "$f" || fail "$f: payloadFile not kept"
done
[ -f omb-set/1-topics-1-partitions-10kb-64p-64c-50k.yaml ] || fail "OMB's naming"
grep -q "warning: .*payloadFile 'payload/payload-100b.data' is not found" gen.log || fail "no payload warning"

# Our own template: every generated file runs (a payload file next to them).
mkdir set
head -c 64 /dev/zero > set/p64.data
cat > t.yaml <<'Y'
nameFormat: "${topics}t-${messageSize}b-${producersPerTopic}p-${producerRate}"
topics: [1, 2]
messageSize: 64
payloadFile: p64.data
producersPerTopic: [1, 2]
producerRate: [1000, 2000]
testDurationMinutes: 0.02
warmupDurationMinutes: 0
Y
"$OMB" generate -t t.yaml -o set > /dev/null 2> gen2.log || { cat gen2.log; fail "own template"; }
[ "$(ls set/*.yaml | wc -l)" -eq 8 ] || fail "expected 2 x 2 x 2 = 8 files"
[ ! -s gen2.log ] || grep -q "wrote 8 workload file(s)" gen2.log || { cat gen2.log; fail "unexpected messages"; }
loopback_driver
"$OMB" run -d loopback.yaml --period 1 -o run.json set/2t-64b-2p-2k.yaml > run.log 2>&1 || { cat run.log; fail "a generated workload does not run"; }
$CHECK run.json --rate 2000 --tolerance 0.2 --workload "2t-64b-2p-2k" --driver Loopback

# OMB's file names: counts divided, the rest dropped (1024 -> 1k, 1500000 -> 1m).
printf 'topics: 1\nmessageSize: 1024\nproducerRate: 1500000\n' > k.yaml
"$OMB" generate -t k.yaml -o kset > /dev/null 2> gen3.log || { cat gen3.log; fail "1024 template"; }
[ -f kset/1-topics-1-partitions-1kb-1p-1c-1m.yaml ] || fail "not OMB's name: $(ls kset)"

# A bad value: the template's line, the key, nothing written.
printf 'topics: [1, 2]\nmessageSize: 64\nproducersPerTopic:\n  - 1\n  - -3\nproducerRate: 100\n' > bad.yaml
expect_fail 2 "bad.yaml line 5 \(workload '1-topics-1-partitions-64b--3p-1c-100'\): 'producersPerTopic' must be" -- "$OMB" generate -t bad.yaml -o badset
[ -z "$(ls -A badset 2>/dev/null)" ] || fail "files written for a bad template: $(ls -A badset)"
printf 'topics: 1\nmesageSize: 64\nproducerRate: 100\n' > typo.yaml
expect_fail 2 "typo.yaml line 2: unknown key 'mesageSize'; did you mean 'messageSize'\?" -- "$OMB" generate -t typo.yaml -o badset
expect_fail 2 "-o DIR is required" -- "$OMB" generate -t t.yaml
echo "ok: tools generate"
