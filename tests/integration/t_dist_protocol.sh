#!/usr/bin/env bash
# `omb worker` driven with curl as OMB's Java coordinator drives it: OMB's endpoints and
# JSON shapes, histograms Java HdrHistogram decodes (when java is installed), omb's
# retry-safe period reads, and bad requests (malformed, oversized, wrong token, wrong
# method, unknown path) answered with a JSON error and no crash.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"

start_worker w --token s3cret
U=$URL_w
AUTH=(-H "Authorization: Bearer s3cret")
# call EXPECTED_STATUS METHOD PATH [curl args...]: body in resp.json
call() {
  local want=$1 method=$2 path=$3
  shift 3
  local got
  got=$(curl -s -o resp.json -w '%{http_code}' -X "$method" "${AUTH[@]}" "$@" "$U$path")
  [ "$got" = "$want" ] || { cat resp.json; fail "$method $path: HTTP $got, expected $want"; }
}
json() { python3 -c "import json,sys; d=json.load(open('resp.json')); $1"; }

printf 'name: Loopback\ndriverClass: loopback\n' > lb.yaml
call 400 POST /initialize-driver --data-binary $'name: X\ndriverClass: io.example.NoSuchDriver\n'
json 'assert "unknown driverClass" in d["error"], d'
call 409 POST /create-topics -d '{"numberOfTopics":1,"numberOfPartitionsPerTopic":1}'
call 200 POST /initialize-driver --data-binary @lb.yaml
call 200 POST /create-topics -H 'Content-Type: application/json' \
  -d '{"numberOfTopics":2,"numberOfPartitionsPerTopic":3}'
json 'assert isinstance(d, list) and len(d) == 2 and all(t.startswith("loopback-") for t in d), d'
T0=$(json 'print(d[0])')
T1=$(json 'print(d[1])')
call 200 POST /create-consumers -d "{\"topicsSubscriptions\":[{\"topic\":\"$T0\",\"subscription\":\"sub-000-a\"},{\"topic\":\"$T1\",\"subscription\":\"sub-000-b\"}]}"
call 200 POST /create-producers -d "[\"$T0\",\"$T1\",\"$T0\"]"
call 200 POST /probe-producers
call 200 GET /counters-stats
json 'assert set(d) == {"messagesSent","messagesReceived","messageSendErrors"}, d; assert d["messagesSent"] == 3, d'
call 200 POST /reset-stats
payload=$(head -c 100 /dev/urandom | base64 -w0)
call 200 POST /start-load -d "{\"payloadData\":[\"$payload\"],\"publishRate\":1000.0,\"keyDistributorType\":\"KEY_ROUND_ROBIN\"}"
call 200 POST /adjust-publish-rate -d '2000.0'
sleep 1.5

# OMB's PeriodStats, exactly its members, for a coordinator that sends no X-Omb-Seq.
call 200 GET /period-stats
json '
keys = {"messagesSent","messageSendErrors","bytesSent","messagesReceived","bytesReceived",
        "totalMessagesSent","totalMessageSendErrors","totalMessagesReceived",
        "publishLatency","publishDelayLatency","endToEndLatency"}
assert set(d) == keys, sorted(set(d) ^ keys)
assert d["messagesSent"] > 1000 and d["bytesSent"] == 100 * d["messagesSent"], d
assert d["messagesReceived"] > 1000 and d["messageSendErrors"] == 0, d
for k in ("publishLatency","publishDelayLatency","endToEndLatency"):
    assert d[k].startswith("HISTFAAA"), d[k][:20]   # 0x1c849314, base64
open("sent","w").write(str(d["messagesSent"]))
open("hists.b64","w").write("\n".join(d[k] for k in ("publishLatency","publishDelayLatency","endToEndLatency")) + "\n")'

# Java HdrHistogram decodes what the worker sends.
jar=$(find /usr/share/java -maxdepth 1 -iname 'hdrhistogram*.jar' 2>/dev/null | sort | head -n 1 || true)
if command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1 && [ -n "$jar" ]; then
  javac -d . -cp "$jar" "$OMB_SOURCE/tests/data/java/HistRef.java"
  java -cp "$jar:." HistRef decode < hists.b64 > java.dec
  [ "$(grep -c '^range 1 60000000 5$' java.dec)" = 2 ] || { cat java.dec; fail "Java: publish histograms' range"; }
  grep -q '^range 1 43200000000 5$' java.dec || fail "Java: end-to-end histogram's range"
  [ "$(grep '^total' java.dec | head -n 1 | cut -d' ' -f2)" = "$(cat sent)" ] ||
    fail "Java decodes $(grep '^total' java.dec | head -n 1) publish latencies, $(cat sent) were acknowledged"
  echo "Java HdrHistogram decoded the worker's histograms ($jar)"
else
  echo "SKIP (part): java, javac or the HdrHistogram jar is missing: no Java decode"
fi

# omb's retry-safe read: a repeated X-Omb-Seq gets the same answer; a new one drains.
call 200 GET /period-stats -H 'X-Omb-Seq: 7'
cp resp.json seq7.json
call 200 GET /period-stats -H 'X-Omb-Seq: 7'
cmp -s resp.json seq7.json || fail "a repeated X-Omb-Seq drained the period again"
json 'assert "ombPublishLatencyCorrected" in d and "ombClamped" in d, sorted(d)'
sleep 0.2
call 200 GET /period-stats -H 'X-Omb-Seq: 8'
cmp -s resp.json seq7.json && fail "a new X-Omb-Seq returned the old period"

call 200 GET /cumulative-latencies
json 'assert set(d) == {"publishLatency","publishDelayLatency","endToEndLatency"}, d'
curl -s "${AUTH[@]}" "http://127.0.0.1:$SPORT_w/metrics" > metrics.txt
grep -Eq '^omb_messages_sent_total [1-9]' metrics.txt || { cat metrics.txt; fail "/metrics"; }
grep -q '^omb_publish_latency_us{quantile="0.99"}' metrics.txt || fail "/metrics: no latency quantiles"

# Bad requests: an error body, a 4xx status, and the worker keeps serving.
call 400 POST /create-topics -d '{"numberOfTopics":'
json 'assert "malformed JSON" in d["error"], d'
call 400 POST /create-consumers -d '{"topicsSubscriptions":[{"topic":""}]}'
call 400 POST /start-load -d '{"payloadData":["not base64!"],"publishRate":1}'
call 400 POST /adjust-publish-rate -d '"fast"'
call 400 POST /adjust-publish-rate -d '-5'
call 404 GET /no-such-thing
call 405 GET /stop-all
head -c $((65 * 1024 * 1024)) /dev/zero > big.bin
call 413 POST /start-load --data-binary @big.bin
json 'assert "limit" in d["error"], d'
call 413 POST /create-producers -H 'Transfer-Encoding: chunked' --data-binary @big.bin
AUTH=(-H "Authorization: Bearer wrong")
call 401 GET /counters-stats
json 'assert "token" in d["error"], d'
AUTH=()
call 401 POST /stop-all
AUTH=(-H "Authorization: Bearer s3cret")
kill -0 "$PID_w" || fail "the worker died"

call 200 POST /stop-all
call 200 POST /stop-all
call 200 GET /counters-stats
# A coordinator that goes silent while the load runs: the worker stops on its own.
start_worker lone --coordinator-timeout 1
curl -sf -X POST --data-binary @lb.yaml "$URL_lone/initialize-driver" > /dev/null
T=$(curl -sf -X POST -d '{"numberOfTopics":1,"numberOfPartitionsPerTopic":1}' "$URL_lone/create-topics" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)[0])')
curl -sf -X POST -d "[\"$T\"]" "$URL_lone/create-producers" > /dev/null
curl -sf -X POST -d "{\"payloadData\":[\"$payload\"],\"publishRate\":100}" "$URL_lone/start-load" > /dev/null
wait_for worker-lone.log "no request from the coordinator for [0-9]+ s"
wait_for worker-lone.log "Deleted 1 topic"
# OMB's habit: a workers.yaml in the current directory is used when neither -w nor -wf is
# given, and the log says so (a run meant to be distributed must not run locally).
start_worker habit
mkdir habit && printf 'workers:\n  - %s\n' "$URL_habit" > habit/workers.yaml
printf 'name: habit\ntopics: 1\nmessageSize: 100\nsubscriptionsPerTopic: 1\nproducerRate: 200\ntestDurationMinutes: 0.03\nwarmupDurationMinutes: 0\n' > habit/w.yaml
(cd habit && "$OMB" run -d ../lb.yaml --period 1 -o r.json w.yaml) > habit.log 2>&1 || { cat habit.log; fail "run with ./workers.yaml failed"; }
grep -q "Using default worker file workers.yaml" habit.log || { cat habit.log; fail "./workers.yaml not used"; }
grep -q "Started" worker-habit.log || { cat worker-habit.log; fail "the worker from ./workers.yaml ran nothing"; }
echo "PASS"
