#!/usr/bin/env bash
# Broken input: one clear sentence naming the file, line and key; exit 2; nothing run, no
# result file.
source "$(dirname "$0")/lib.sh"
loopback_driver
good() { cat <<'Y'
name: w
topics: 1
messageSize: 100
producerRate: 100
testDurationMinutes: 0.01
Y
}
good > ok.yaml
{ good; echo "partitionPerTopic: 4"; } > typo.yaml
expect_fail 2 "typo.yaml line 6: unknown key 'partitionPerTopic'; did you mean .partitionsPerTopic." -- "$OMB" run -d loopback.yaml typo.yaml
good | sed 's/^topics: 1/topics: many/' > type.yaml
expect_fail 2 "type.yaml line 2: .*topics.*integer" -- "$OMB" run -d loopback.yaml type.yaml
good | sed 's/^messageSize: 100/messageSize: -5/' > range.yaml
expect_fail 2 "range.yaml line 3: .*messageSize" -- "$OMB" run -d loopback.yaml range.yaml
good | grep -v producerRate > missing.yaml
expect_fail 2 "missing.yaml.*producerRate" -- "$OMB" run -d loopback.yaml missing.yaml
{ good; echo "payloadFile: nothere.data"; } > nopayload.yaml
expect_fail 2 "nopayload.yaml line 6: .*nothere.data" -- "$OMB" run -d loopback.yaml nopayload.yaml
head -c 10 /dev/zero > small.data
{ good; echo "payloadFile: small.data"; } > sizemismatch.yaml
expect_fail 2 "sizemismatch.yaml line 6: .*10 bytes.*100" -- "$OMB" run -d loopback.yaml sizemismatch.yaml
{ good | sed 's/producerRate: 100/producerRate: 0/'; echo "consumerBacklogSizeGB: 1"; } > backlog.yaml
expect_fail 2 "backlog.yaml.*consumerBacklogSizeGB" -- "$OMB" run -d loopback.yaml backlog.yaml
printf 'name: w\ntopics: [1\n' > syntax.yaml
expect_fail 2 "syntax.yaml line" -- "$OMB" run -d loopback.yaml syntax.yaml
expect_fail 2 "nosuchfile.yaml" -- "$OMB" run -d loopback.yaml nosuchfile.yaml
# A good workload next to a bad one: nothing runs at all.
expect_fail 2 "typo.yaml" -- "$OMB" run -d loopback.yaml ok.yaml typo.yaml
# Driver files.
printf 'name: K\ndriverClass: kafka\nreplicationFactr: 3\n' > kdrv.yaml
expect_fail 2 "kdrv.yaml line 3: unknown key 'replicationFactr'; did you mean 'replicationFactor'" -- "$OMB" run -d kdrv.yaml ok.yaml
printf 'name: K\ndriverClass: kafka\nproducerConfig: |\n  acks=sometimes\n' > kval.yaml
expect_fail 2 "kval.yaml line 4: .*acks" -- "$OMB" run -d kval.yaml ok.yaml
# A client property one letter away from a real one is a typo, not a Java-only property:
# global (linger.ms is an alias) and topic-level (acks) names both count.
printf 'name: K\ndriverClass: kafka\nproducerConfig: |\n  acks=all\n  lingr.ms=5\n' > ktypo.yaml
expect_fail 2 "ktypo.yaml line 5: producerConfig: librdkafka has no property 'lingr.ms'; did you mean 'linger.ms'\?" -- "$OMB" run -d ktypo.yaml ok.yaml
printf 'name: K\ndriverClass: kafka\ncommonConfig: |\n  ack=all\n' > ktypo2.yaml
expect_fail 2 "ktypo2.yaml line 4: commonConfig: .*'ack'; did you mean 'acks'\?" -- "$OMB" run -d ktypo2.yaml ok.yaml
printf 'name: P\ndriverClass: io.openmessaging.benchmark.driver.pulsar.PulsarBenchmarkDriver\n' > pulsar.yaml
expect_fail 2 "pulsar.yaml: .*pulsar driver, which omb does not have yet" -- "$OMB" run -d pulsar.yaml ok.yaml
# OMB's own mqtt5.yaml class name is MqttBenchmarkDriver (not Mqtt5...): never "unknown".
printf 'name: M\ndriverClass: io.openmessaging.benchmark.driver.mqtt5.MqttBenchmarkDriver\nbogus: 1\n' > mq.yaml
set +e; "$OMB" run -d mq.yaml ok.yaml > mq.log 2>&1; set -e
! grep -q "unknown driverClass" mq.log || { cat mq.log; fail "OMB's MQTT class name is unknown"; }
# A mistyped subcommand is not taken for a workload file.
expect_fail 2 "unknown command 'chart'; did you mean 'omb charts'" -- "$OMB" chart x.json
# Numbers must be finite: NaN and infinity used to spin for ever.
for v in nan inf 1e300 -1; do
  expect_fail 2 "--period needs a number from 0.1 to 86400, got '$v'" -- "$OMB" run --period "$v" ok.yaml
done
expect_fail 2 "--probe-timeout needs a number" -- "$OMB" run --probe-timeout nan ok.yaml
expect_fail 2 "unknown option '--perod'; did you mean '--period'" -- "$OMB" run --perod 1 ok.yaml
# -o never replaces what is not a regular file.
expect_fail 2 "cannot write result file '/dev/null': it is a character device" -- "$OMB" run -o /dev/null ok.yaml
mkdir special && mkfifo special/fifo.json
expect_fail 2 "cannot write result file 'special/fifo.json': it is a FIFO" -- "$OMB" run -o special/fifo.json ok.yaml
[ -p special/fifo.json ] || fail "the FIFO was replaced"
ln -s nowhere/x.json special/dangling.json
expect_fail 2 "symlink to nothing" -- "$OMB" run -o special/dangling.json ok.yaml
# Commands that take no arguments say so.
expect_fail 2 "omb worker: unexpected argument 'bogus'" -- "$OMB" worker bogus
expect_fail 2 "omb kafka-mock: unexpected argument 'x'" -- "$OMB" kafka-mock x
# A FIFO given as a workload or driver file is refused before reading (it used to block).
mkfifo special/w.yaml
expect_fail 2 "cannot read workload file 'special/w.yaml': not a regular file" -- timeout 10 "$OMB" run special/w.yaml
expect_fail 2 "cannot read driver file 'special/w.yaml': not a regular file" -- timeout 10 "$OMB" run -d special/w.yaml ok.yaml
# On the mock as on a real cluster, a replication factor above the broker count is refused.
printf 'name: K\ndriverClass: kafka\nreplicationFactor: 99\n' > rf99.yaml
expect_fail 1 "rf99.yaml: replicationFactor 99 needs at least 99 brokers, and the mock cluster has 3" -- "$OMB" run -d rf99.yaml ok.yaml
# The mock applies no topicConfig, so omb checks it as a broker would: an unknown key or a
# value of the wrong kind is bad input, named with its line, before anything is created.
printf 'name: K\ndriverClass: kafka\ntopicConfig: |\n  min.insync.replicas=1\n  retention.msx=1000\n' > tc-key.yaml
expect_fail 2 "tc-key.yaml line 5: topicConfig 'retention.msx' is not a Kafka topic configuration" -- "$OMB" run -d tc-key.yaml ok.yaml
printf 'name: K\ndriverClass: kafka\ntopicConfig: |\n  retention.ms=1h\n' > tc-val.yaml
expect_fail 2 "tc-val.yaml line 4: topicConfig retention.ms=1h: '1h' is not a valid value" -- "$OMB" run -d tc-val.yaml ok.yaml
# Keys of OMB's forks are named as such, with what to do instead, not taken for typos.
printf 'name: t\ntopics: 1\nexistingTopicPrefix: bench\nmessageSize: 10\nproducerRate: 1\ntestDurationMinutes: 1\n' > fork1.yaml
expect_fail 2 "fork1.yaml line 3: 'existingTopicPrefix' is not supported .Redpanda's fork: .*existingTopicList" -- "$OMB" run --dry-run fork1.yaml
# existingTopicList is honoured (t_kafka_existing), where the driver can: not on the
# loopback, and on the in-process mock no topic exists yet. Nothing is created either way.
printf 'name: t\ntopics: 0\nexistingTopicList: [orders]\nmessageSize: 10\nproducerRate: 1\ntestDurationMinutes: 0.05\nwarmupDurationMinutes: 0\n' > exist.yaml
expect_fail 2 "exist.yaml: existingTopicList: the loopback driver .loopback.yaml. cannot run on existing topics" -- "$OMB" run -d loopback.yaml exist.yaml
"$OMB" run --dry-run exist.yaml > exist-plan.txt || fail "dry run of existingTopicList on Kafka failed"
grep -q "1 existing topic(s) (orders) x the broker's partitions" exist-plan.txt || { cat exist-plan.txt; fail "plan does not show the existing topics"; }
expect_fail 1 "exist.yaml: existingTopicList: topic 'orders' does not exist: the in-process mock cluster starts empty" -- "$OMB" run exist.yaml
ls ./*.json 2>/dev/null | grep -q . && fail "a refused existingTopicList run wrote a result"
printf 'name: t\ntopics: 1\nmessageSize: 10\nproducerRate: 1\ntestDurationMinutes: 1\nsampleRateMillis: 1000\n' > fork2.yaml
expect_fail 2 "fork2.yaml line 6: 'sampleRateMillis' is not supported .*--period SECONDS" -- "$OMB" run --dry-run fork2.yaml
# Repeated -d accumulates, as OMB's parser does: a missing first file is reported.
expect_fail 2 "cannot read driver file 'missing-first.yaml'" -- "$OMB" run -d missing-first.yaml -d loopback.yaml ok.yaml
printf 'name: X\ndriverClass: foo.Bar\n' > unknown.yaml
expect_fail 2 "unknown driverClass 'foo.Bar'" -- "$OMB" run -d unknown.yaml ok.yaml
printf 'name: L\ndriverClass: loopback\nspeed: 3\n' > lbkey.yaml
expect_fail 2 "lbkey.yaml line 3: unknown key 'speed'" -- "$OMB" run -d lbkey.yaml ok.yaml
# Command line.
expect_fail 2 "unknown option '--bogus'" -- "$OMB" run --bogus ok.yaml
expect_fail 2 "-w and -wf cannot be used together" -- "$OMB" run -w http://a -wf x.yaml ok.yaml
expect_fail 1 "worker http://127.0.0.1:1 is unreachable" -- "$OMB" run -w http://127.0.0.1:1 ok.yaml
expect_fail 2 "no workload file" -- "$OMB" run -d loopback.yaml
expect_fail 2 "--period needs a number" -- "$OMB" run --period x ok.yaml
# Where the result goes is checked before the run, not after it.
expect_fail 2 "cannot write result file 'nodir/r.json': directory 'nodir' does not exist" -- \
  "$OMB" run -d loopback.yaml -o nodir/r.json ok.yaml
expect_fail 2 "output directory 'nodir/' does not exist" -- "$OMB" run -d loopback.yaml -o nodir/ ok.yaml
mkdir ro && chmod 555 ro
if [ "$(id -u)" != 0 ]; then # root writes anywhere
  expect_fail 2 "cannot write results in 'ro'" -- "$OMB" run -d loopback.yaml -o ro/r.json ok.yaml
fi
ls *.json >/dev/null 2>&1 && fail "a result file was written: $(ls *.json)"
echo "ok: bad input"
