#!/usr/bin/env bash
# omb's MQTT driver against Mosquitto's own command-line clients on the same local broker
# (scripts/broker.sh start mosquitto), 1 producer and 1 consumer on one topic, QoS 1 by
# default, for 100 B and 1 KiB messages:
#   max rate  omb: producerRate far above what the broker takes (the sender is held back
#             only by the driver's in-flight bound), publish and consume rate over the run.
#             peer: `mosquitto_pub -l` fed the same number of lines from a file (one message
#             per line), timed; `mosquitto_sub -C N` counting them, timed from the first
#             publish to the last receipt.
#   e2e       at a fixed rate: omb's end-to-end percentiles; peer: a pacer writes
#             "<send time ns> <padding>" lines at the same rate into `mosquitto_pub -l`,
#             `mosquitto_sub -F '%U %p'` stamps each receipt, the difference is the latency
#             (it includes the pipe into mosquitto_pub, which omb's figure does not).
# Usage: bench/mqtt.sh [--build DIR] [--seconds S] [--rate R] [--qos Q] [--sizes "100 1024"]
# Short runs only prove it works; publishable figures want --seconds 60 or more on an idle
# machine.
# omb_result.py (scripts/): a result read with its sidecar, as omb's tools read it.
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)/scripts${PYTHONPATH:+:$PYTHONPATH}"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build seconds=10 rate=2000 qos=1 sizes="100 1024"
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --qos) qos=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench/mqtt.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
omb=$(cd "$build" && pwd)/omb
[ -x "$omb" ] || { echo "bench/mqtt.sh: no omb binary in $build" >&2; exit 2; }
"$omb" --help 2>&1 | grep -q "drivers built in:.*mqtt" || { echo "bench/mqtt.sh: $omb is built without the mqtt driver" >&2; exit 2; }
for t in mosquitto_pub mosquitto_sub python3; do
  command -v $t >/dev/null || { echo "bench/mqtt.sh: needs $t (Debian: mosquitto-clients)" >&2; exit 2; }
done
broker=$root/scripts/broker.sh
work=$(mktemp -d)
started=0
cleanup() {
  rm -rf "$work"
  if [ "$started" = 1 ]; then "$broker" stop mosquitto >/dev/null; fi
}
trap cleanup EXIT
if ! "$broker" status mosquitto >/dev/null; then "$broker" start mosquitto >/dev/null; started=1; fi
cd "$work"
printf 'name: MQTT\ndriverClass: mqtt\nclient:\n  serverUri: tcp://127.0.0.1:1883\n  qos: %s\n  topicPrefix: omb-bench\n' "$qos" > mqtt.yaml
mins=$(python3 -c "print($seconds / 60)")

omb_run() { # SIZE RATE -> r.json
  cat > w.yaml <<Y
name: mqtt bench
topics: 1
messageSize: $1
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 1
producerRate: $2
testDurationMinutes: $mins
warmupDurationMinutes: 0
Y
  "$omb" run -d mqtt.yaml --period 2 -o r.json w.yaml > omb.log 2>&1 || { tail -5 omb.log >&2; echo "omb run failed" >&2; return 1; }
}

# Prints "pub_rate cons_rate messages" of r.json (rates over the measured time).
omb_rates() {
  python3 - <<'P'
import omb_result
import json
r = omb_result.load("r.json"); s = r["periodSeconds"]; t = sum(s)
pub = sum(a * b for a, b in zip(r["publishRate"], s)) / t
con = sum(a * b for a, b in zip(r["consumeRate"], s)) / t
print(f"{pub:.0f} {con:.0f} {int(pub * t)}")
P
}

peer_max() { # SIZE N -> "pub_rate e2e_rate"
  python3 -c "
import sys
line = (b'x' * $1) + b'\n'
sys.stdout.buffer.write(line * $2)" > lines.txt
  local topic="peer-bench/max-$1"
  timeout $((seconds * 10 + 30)) mosquitto_sub -h 127.0.0.1 -q "$qos" -t "$topic" -C "$2" -F '%l' > /dev/null &
  local sub=$!
  sleep 0.5
  python3 - "$qos" "$topic" "$sub" <<'P'
import subprocess, sys, time, os
qos, topic, sub = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.monotonic()
subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-q", qos, "-t", topic, "-l"], stdin=open("lines.txt"), check=True)
t_pub = time.monotonic() - t0
# mosquitto_sub exits after its N-th message.
while True:
    try:
        os.kill(sub, 0)
    except ProcessLookupError:
        break
    if open(f"/proc/{sub}/stat").read().split()[2] == "Z":
        break
    time.sleep(0.001)
t_sub = time.monotonic() - t0
n = sum(1 for _ in open("lines.txt", "rb"))
print(f"{n / t_pub:.0f} {n / t_sub:.0f}")
P
  wait "$sub" || true
}

peer_e2e() { # SIZE RATE -> "p50_ms p99_ms received sent"
  local topic="peer-bench/e2e-$1" n=$(( $2 * seconds ))
  timeout $((seconds + 20)) mosquitto_sub -h 127.0.0.1 -q "$qos" -t "$topic" -C "$n" -F '%U %p' > recv.txt &
  local sub=$!
  sleep 0.5
  python3 - "$1" "$2" "$n" <<'P' | mosquitto_pub -h 127.0.0.1 -q "$qos" -t "$topic" -l
import sys, time
size, rate, n = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
out = sys.stdout
start = time.monotonic()
for i in range(n):
    due = start + i / rate
    d = due - time.monotonic()
    if d > 0:
        time.sleep(d)
    stamp = str(time.time_ns())
    out.write(stamp + " " + "x" * max(0, size - len(stamp) - 1) + "\n")
    out.flush()
P
  wait "$sub" || true
  python3 - "$n" <<'P'
import sys
lat = []
for line in open("recv.txt"):
    parts = line.split()
    if len(parts) >= 2:
        recv_ns = int(parts[0].replace(".", ""))
        lat.append((recv_ns - int(parts[1])) / 1e6)
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
print(f"{pct(0.5):.3f} {pct(0.99):.3f} {len(lat)} {sys.argv[1]}")
P
}

echo "MQTT on Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}'), QoS $qos, 1 producer, 1 consumer, ${seconds} s per step"
printf '%-6s | %-28s | %-28s | %s\n' size "omb max pub / e2e msg/s" "mosquitto_pub/sub msg/s" "omb/peer (pub)"
results=()
for size in $sizes; do
  omb_run "$size" 10000000
  read -r opub ocon n < <(omb_rates)
  read -r ppub pe2e < <(peer_max "$size" "$n")
  printf '%-6s | %12s / %-13s | %12s / %-13s | %.2f\n' "$size" "$opub" "$ocon" "$ppub" "$pe2e" \
    "$(python3 -c "print($opub / max($ppub, 1))")"
  results+=("$size")
done
echo
printf '%-6s | %-26s | %-26s | %s\n' size "omb e2e p50 / p99 ms @$rate" "peer e2e p50 / p99 ms" "peer/omb (p50)"
for size in $sizes; do
  omb_run "$size" "$rate"
  read -r o50 o99 < <(python3 -c "
import json, omb_result; r = omb_result.load('r.json')
print(r['aggregatedEndToEndLatency50pct'], r['aggregatedEndToEndLatency99pct'])")
  read -r p50 p99 got sent < <(peer_e2e "$size" "$rate")
  printf '%-6s | %10.3f / %-13.3f | %10s / %-13s | %s%s\n' "$size" "$o50" "$o99" "$p50" "$p99" \
    "$(python3 -c "print(f'{$p50 / max($o50, 1e-3):.2f}')")" \
    "$([ "$got" = "$sent" ] || echo " (peer received $got of $sent)")"
done
