#!/usr/bin/env bash
# Distributed runs on loopback: `omb worker`s sharing one `omb kafka-mock` cluster, driven
# by `omb run -w/-wf`. Results must pass the same checks as a local run (OMB's keys and
# types, rates, delivery); the rate must be split evenly over the producer workers.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"

cat > dist.yaml <<'Y'
name: dist run
topics: 2
partitionsPerTopic: 6
keyDistributor: KEY_ROUND_ROBIN
messageSize: 256
subscriptionsPerTopic: 2
consumerPerSubscription: 1
producersPerTopic: 3
producerRate: 1000
testDurationMinutes: 0.15
warmupDurationMinutes: 0.05
Y
start_kafka_mock
for w in a b c d; do start_worker $w; done

# Two workers: the first produces, the second consumes.
"$OMB" run -d kafka-dist.yaml -w "$URL_a,$URL_b" --period 3 -o two.json dist.yaml > two.log 2>&1 ||
  { cat two.log; fail "2-worker run failed"; }
grep -q "1 producer worker(s), 1 consumer worker(s)" two.log || fail "2 workers: wrong split"
grep -q "load started at 1000.0 msg/s" worker-a.log || fail "2 workers: worker a was not given the whole rate"
grep -q "load started" worker-b.log && fail "2 workers: the consumer worker was given load"
grep -q "created 6 producer(s)" worker-a.log || fail "2 workers: producers not on worker a"
grep -q "created 4 consumer(s)" worker-b.log || fail "2 workers: consumers not on worker b"
grep -q "Delivery check: every subscription received" two.log || fail "2 workers: no delivery check"
$CHECK two.json --rate 1000 --subs 2 --min-periods 3 --workload "dist run" --driver Kafka
# True totals in a distributed result (OMB's /cumulative-latencies carries none: /counters-stats).
python3 -c "
import json; r = {**json.load(open('two.json'[:-5] + '.omb')), **json.load(open('two.json'))}
# Totals are read at the end of the measured phase, with messages still in flight.
assert r['totalMessagesSent'] > 1000 and r['totalMessagesReceived'] > 1.5 * r['totalMessagesSent'], (r['totalMessagesSent'], r['totalMessagesReceived'])"
[ "$(grep -c "with 6 partition(s)" kafka-mock.out)" = 2 ] || fail "topics not created with their partitions"

# Four workers from a workers file: two produce (500 msg/s each), two consume.
for w in a b c d; do : > "worker-$w.log.mark"; done
printf 'workers:\n  - %s\n  - %s/\n  - %s\n  - %s\n' "$URL_a" "$URL_b" "$URL_c" "$URL_d" > workers.yaml
"$OMB" run -d kafka-dist.yaml -wf workers.yaml --period 3 -o four.json dist.yaml > four.log 2>&1 ||
  { cat four.log; fail "4-worker run failed"; }
grep -q "2 producer worker(s), 2 consumer worker(s)" four.log || fail "4 workers: wrong split"
[ "$(grep -c 'load started at 500.0 msg/s' worker-a.log worker-b.log | awk -F: '{s+=$2} END {print s}')" = 2 ] ||
  fail "4 workers: the rate was not split 500 + 500"
$CHECK four.json --rate 1000 --subs 2 --min-periods 3 --workload "dist run" --driver Kafka

# -x with three workers: (3+2)/3 = 1 producer worker, 2 consumer workers.
sed -i 's/testDurationMinutes: 0.15/testDurationMinutes: 0.05/; s/warmupDurationMinutes: 0.05/warmupDurationMinutes: 0/' dist.yaml
"$OMB" run -d kafka-dist.yaml -x -w "$URL_b,$URL_c,$URL_d" --period 1 -o x.json dist.yaml > x.log 2>&1 ||
  { cat x.log; fail "-x run failed"; }
grep -q "1 producer worker(s), 2 consumer worker(s)" x.log || fail "-x: wrong split"
$CHECK x.json --rate 1000 --subs 2 --tolerance 0.1

# -w and -wf together, a bad URL, a bad workers file: usage errors.
expect_fail 2 "cannot be used together" -- "$OMB" run -w "$URL_a" -wf workers.yaml dist.yaml
expect_fail 2 "must be http://" -- "$OMB" run -w "ftp://x" dist.yaml
printf 'workerz: [x]\n' > bad-workers.yaml
expect_fail 2 "bad-workers.yaml.*workers" -- "$OMB" run -wf bad-workers.yaml dist.yaml
# A worker that does not answer at start is named, and nothing runs.
expect_fail 1 "worker http://127.0.0.1:1 is unreachable" -- "$OMB" run -d kafka-dist.yaml -w "$URL_a,http://127.0.0.1:1" dist.yaml
# Drivers whose cluster lives inside each worker cannot span workers: said at once.
loopback_driver
# A driver file that cannot serve several workers is bad input: refused (exit 2) before
# anything runs on them.
expect_fail 2 "loopback driver runs inside each worker" -- "$OMB" run -d loopback.yaml -w "$URL_a,$URL_b" dist.yaml
expect_fail 2 "names no bootstrap.servers.*kafka-mock" -- "$OMB" run -w "$URL_a,$URL_b" dist.yaml
# A worker with a token refuses a coordinator without it (and names itself).
start_worker tok --token t0k3n
expect_fail 1 "worker $URL_tok: /counters-stats failed \(HTTP 401\)" -- "$OMB" run -d kafka-dist.yaml -w "$URL_tok" dist.yaml
echo "PASS"
