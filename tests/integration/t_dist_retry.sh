#!/usr/bin/env bash
# A period read whose answer is lost on the way back is retried and loses nothing: the
# coordinator sends X-Omb-Seq, the worker answers the repeated number with the same period
# instead of draining a new one. A proxy drops the 3rd /period-stats answer.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"

start_worker w
mkdir proxy
python3 "$here/flaky_proxy.py" "$URL_w" 3 proxy &
PIDS+=("$!")
wait_for proxy/port "[0-9]"
loopback_driver
cat > retry.yaml <<'Y'
name: dist retry
topics: 1
partitionsPerTopic: 2
messageSize: 100
subscriptionsPerTopic: 1
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.1
warmupDurationMinutes: 0
Y
"$OMB" run -d loopback.yaml -w "http://127.0.0.1:$(cat proxy/port)" --period 1 -o retry.json \
  retry.yaml > run.log 2>&1 || { cat run.log; fail "the run failed"; }
grep -q "/period-stats: .*trying again" run.log || { cat run.log; fail "no retry was logged"; }
[ -s proxy/dropped.json ] && [ -s proxy/retried.json ] || fail "the proxy did not drop an answer"
cmp -s proxy/dropped.json proxy/retried.json ||
  fail "the retried read returned another period: the lost one's samples are gone"
[ "$(sed -n 3p proxy/seqs)" = "$(sed -n 4p proxy/seqs)" ] || fail "the retry did not repeat X-Omb-Seq"
[ "$(sed -n 3p proxy/seqs)" != "None" ] || fail "the coordinator sent no X-Omb-Seq"
$CHECK retry.json --rate 1000 --subs 1 --min-periods 5
echo "PASS"
