#!/usr/bin/env bash
# Bad MQTT driver files: one sentence naming file, line and key, exit 2, before anything
# connects; an unreachable broker: one sentence naming the URI, exit 1, within seconds;
# partitionsPerTopic > 1 (MQTT has no partitions): one sentence. No result file.
source "$(dirname "$0")/lib.sh"
need_driver mqtt
printf 'name: w\ntopics: 1\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 0.01\nwarmupDurationMinutes: 0\n' > w.yaml
drv() { printf 'name: MQTT\ndriverClass: io.openmessaging.benchmark.driver.mqtt5.MqttBenchmarkDriver\n%s\n' "$1" > "$2"; }
drv $'client:\n  serverUrl: tcp://localhost:1883' typo.yaml
expect_fail 2 "typo.yaml line 4: unknown key 'serverUrl'; did you mean 'serverUri'\?" -- "$OMB" run -d typo.yaml w.yaml
drv $'consumer:\n  cleanSesion: false' typo2.yaml
expect_fail 2 "typo2.yaml line 4: unknown key 'cleanSesion'; did you mean 'cleanSession'\?" -- "$OMB" run -d typo2.yaml w.yaml
drv $'consumer:\n  recieveMaximum: 10' typo3.yaml
expect_fail 2 "typo3.yaml line 4: unknown key 'recieveMaximum'; did you mean 'receiveMaximum'\?" -- "$OMB" run -d typo3.yaml w.yaml
drv $'producer:\n  qos: 1' top.yaml
expect_fail 2 "top.yaml line 3: unknown key 'producer'" -- "$OMB" run -d top.yaml w.yaml
drv $'client:\n  qos: 3' qos.yaml
expect_fail 2 "qos.yaml line 4: 'qos' must be between 0 and 2, got 3" -- "$OMB" run -d qos.yaml w.yaml
drv $'client:\n  qos: high' qos2.yaml
expect_fail 2 "qos2.yaml line 4: 'qos' must be an integer" -- "$OMB" run -d qos2.yaml w.yaml
drv $'consumer:\n  cleanSession: 1' bool.yaml
expect_fail 2 "bool.yaml line 4: 'cleanSession' must be true or false" -- "$OMB" run -d bool.yaml w.yaml
drv $'consumer:\n  receiveMaximum: 70000' rmax.yaml
expect_fail 2 "rmax.yaml line 4: 'receiveMaximum' must be between 1 and 65535" -- "$OMB" run -d rmax.yaml w.yaml
drv $'consumer:\n  sessionExpiryInterval: -1' sei.yaml
expect_fail 2 "sei.yaml line 4: 'sessionExpiryInterval' must be between 0 and" -- "$OMB" run -d sei.yaml w.yaml
drv $'client:\n  serverUri: tcp://localhost:99999' port.yaml
expect_fail 2 "port.yaml line 4: client.serverUri 'tcp://localhost:99999' is not a broker address" -- "$OMB" run -d port.yaml w.yaml
drv $'client:\n  serverUri: ssl://localhost:8883' tls.yaml
expect_fail 2 "tls.yaml line 4: client.serverUri 'ssl://localhost:8883': scheme 'ssl' is not supported" -- "$OMB" run -d tls.yaml w.yaml
drv $'client:\n  topicPrefix: bench/#' prefix.yaml
expect_fail 2 "prefix.yaml line 4: client.topicPrefix 'bench/#' must not contain the wildcards" -- "$OMB" run -d prefix.yaml w.yaml
drv 'client: tcp://localhost:1883' notmap.yaml
expect_fail 2 "notmap.yaml line 3: 'client' must be a map of keys" -- "$OMB" run -d notmap.yaml w.yaml

# Unreachable: nothing listens on port 1.
drv $'client:\n  serverUri: tcp://127.0.0.1:1' unreach.yaml
start=$(date +%s)
expect_fail 1 "cannot reach the MQTT broker at 'tcp://127.0.0.1:1' \(client.serverUri in unreach.yaml\): Connection refused" -- "$OMB" run -d unreach.yaml w.yaml
[ $(( $(date +%s) - start )) -le 20 ] || fail "took more than 20 s to report"
drv $'client:\n  serverUri: tcp://no-such-host.invalid:1883' nohost.yaml
expect_fail 1 "cannot reach the MQTT broker at 'tcp://no-such-host.invalid:1883' .*cannot resolve host 'no-such-host.invalid'" -- "$OMB" run -d nohost.yaml w.yaml
ls *.json >/dev/null 2>&1 && fail "a result file was written: $(ls *.json)"

# Partitions need the broker (the driver connects first).
broker_up mosquitto
{ cat w.yaml; echo "partitionsPerTopic: 4"; } > parts.yaml
# Refused by the driver when topics are created (exit 1), or, where omb checks each
# workload against its drivers before the run (omb_drv_check_workload), up front (exit 2).
set +e
"$OMB" run -d "$OMB_SHARED/omb-reference/driver-mqtt5/mqtt5.yaml" parts.yaml > parts.log 2>&1
rc=$?
set -e
if [ $rc = 1 ]; then
  grep -q "MQTT has no partitions: the mqtt driver runs partitionsPerTopic: 1 only (got 4)" parts.log || { cat parts.log; fail "partitions: no sentence"; }
elif [ $rc = 2 ]; then
  grep -q "parts.yaml: partitionsPerTopic is 4, but the mqtt driver (.*mqtt5.yaml) has no partitions" parts.log || { cat parts.log; fail "partitions: no sentence"; }
else
  cat parts.log; fail "partitionsPerTopic: 4: exit $rc"
fi
ls *.json >/dev/null 2>&1 && fail "a result file was written: $(ls *.json)"
echo "ok: mqtt bad input"
