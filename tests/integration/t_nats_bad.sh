#!/usr/bin/env bash
# Bad NATS driver files: one sentence naming the file (and line), exit 2, nothing run. An
# unreachable server: one sentence naming the URL, exit 1, within seconds. More replicas
# than the server has nodes: one sentence with the file, the factor and the node count,
# and no stream left behind. partitionsPerTopic > 1: one sentence (streams have none). A
# server without JetStream: one sentence.
source "$(dirname "$0")/lib.sh"
BROKER="$OMB_SOURCE/scripts/broker.sh"
"$OMB" --help 2>&1 | grep -q "drivers built in:.*nats" || { echo "skip: omb built without nats"; exit 77; }
printf 'name: w\ntopics: 1\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 0.01\nwarmupDurationMinutes: 0\n' > w.yaml
drv() { printf 'name: NATS\ndriverClass: io.openmessaging.benchmark.driver.nats.NatsBenchmarkDriver\nnatsHostUrl: localhost:4222\n'; }

# Files: checked before anything connects (no broker needed).
{ drv; echo "replicationFactr: 3"; } > typo.yaml
expect_fail 2 "typo.yaml line 4: unknown key 'replicationFactr'; did you mean 'replicationFactor'\?" -- "$OMB" run -d typo.yaml w.yaml
{ drv; echo "storagetype: memory"; } > typo2.yaml
expect_fail 2 "typo2.yaml line 4: unknown key 'storagetype'; did you mean 'storageType'\?" -- "$OMB" run -d typo2.yaml w.yaml
{ drv; echo "storageType: bogus"; } > storage.yaml
expect_fail 2 "storage.yaml line 4: 'storageType' must be one of file, memory.*'bogus'" -- "$OMB" run -d storage.yaml w.yaml
{ drv; echo "replicationFactor: three"; } > rftype.yaml
expect_fail 2 "rftype.yaml line 4: 'replicationFactor' must be an integer" -- "$OMB" run -d rftype.yaml w.yaml
{ drv; echo "replicationFactor: 7"; } > rfrange.yaml
expect_fail 2 "rfrange.yaml line 4: 'replicationFactor'.*5" -- "$OMB" run -d rfrange.yaml w.yaml
{ drv; echo "maxBytes: 1.5"; } > maxbytes.yaml
expect_fail 2 "maxbytes.yaml line 4: 'maxBytes'" -- "$OMB" run -d maxbytes.yaml w.yaml
printf 'name: NATS\ndriverClass: nats\nnatsHostUrl: " , "\n' > nourl.yaml
expect_fail 2 "nourl.yaml: natsHostUrl ' , ' names no server" -- "$OMB" run -d nourl.yaml w.yaml
ls ./*.json >/dev/null 2>&1 && fail "a result file was written for a bad file"

# Nobody listens on port 1: one sentence with the URL, exit 1, at once.
printf 'name: NATS\ndriverClass: nats\nnatsHostUrl: 127.0.0.1:1\n' > down.yaml
start=$(date +%s)
expect_fail 1 "cannot reach NATS at '127.0.0.1:1' \(natsHostUrl in down.yaml\)" -- "$OMB" run -d down.yaml w.yaml
[ $(( $(date +%s) - start )) -le 15 ] || fail "took more than 15 s to report an unreachable server"
[ "$(grep -c ERROR out.log)" -le 2 ] || { cat out.log; fail "more than one error for an unreachable server"; }

# With a server: one node when this test starts it; else the one running.
command -v nats-server >/dev/null || { echo "skip (the rest): no nats-server"; exit 0; }
if ! "$BROKER" status nats >/dev/null 2>&1; then
  # First a plain NATS server (no -js) for a moment, on a port of its own.
  nats-server -a 127.0.0.1 -p 14222 -m 0 > plain.log 2>&1 &
  plain=$!
  for _ in $(seq 50); do grep -q "Server is ready" plain.log && break; sleep 0.1; done
  printf 'name: NATS\ndriverClass: nats\nnatsHostUrl: 127.0.0.1:14222\n' > plain.yaml
  set +e
  "$OMB" run -d plain.yaml w.yaml > out.log 2>&1
  rc=$?
  set -e
  kill "$plain"; wait "$plain" 2>/dev/null || true
  [ "$rc" = 1 ] && grep -q "the NATS server at '127.0.0.1:14222' (natsHostUrl in plain.yaml) has no JetStream" out.log ||
    { cat out.log plain.log; fail "a server without JetStream: expected one sentence and exit 1, got $rc"; }
  "$BROKER" start nats >broker.log 2>&1 || { cat broker.log; fail "cannot start NATS"; }
  trap 'cd /; "$BROKER" stop nats >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
fi
NODES=$("$BROKER" status nats | sed -n 's/.*(\([0-9]*\) node.*/\1/p')
[ -n "$NODES" ] || fail "cannot tell how many NATS nodes run"
RF=$((NODES == 1 ? 3 : NODES + 1))
{ drv | grep -v natsHostUrl; echo "replicationFactor: $RF"; } > rf.yaml
if [ "$NODES" -eq 1 ]; then what="server at 'localhost:4222' has 1 node"; else what="cluster at 'localhost:4222' has $NODES nodes"; fi
expect_fail 1 "rf.yaml: replicationFactor $RF needs a JetStream cluster of at least $RF nodes, but the NATS $what" -- "$OMB" run -d rf.yaml w.yaml
[ "$(grep -c ERROR out.log)" -le 2 ] || { cat out.log; fail "more than one error for too many replicas"; }
printf 'name: w\ntopics: 1\npartitionsPerTopic: 4\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 0.01\n' > parts.yaml
# Refused before anything runs: the nats driver has no partitions (driver capabilities).
expect_fail 2 "parts.yaml: partitionsPerTopic is 4, but the nats driver .* has no partitions" -- "$OMB" run -d rf.yaml parts.yaml
streams=$(curl -sf -m 3 "http://127.0.0.1:8222/jsz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["streams"])')
[ "$streams" = 0 ] || fail "$streams stream(s) left on the broker after failed runs"
echo "ok: bad NATS driver files, unreachable server, replicas, partitions"
