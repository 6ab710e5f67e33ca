#!/usr/bin/env bash
# Peak resident memory (VmHWM) of `omb run` for 1+1, 10+40 and 40+160 producers+consumers
# against the target of 64 MiB + 4 MiB per producer or consumer (issue 14, point 7):
#   loopback     the loopback driver: the harness alone (stats, senders, payloads)
#   kafka        the Kafka driver on an `omb kafka-mock` in a process of its own (the driver
#                file names it, as tests/integration/dist_lib.sh does), so the figure is
#                omb's own with its librdkafka clients; the mock's peak is printed beside it
#   kafka-inproc `omb run --kafka-mock`: client and mock cluster in one process, what a user
#                of the embedded default sees (the mock keeps up to 5 MiB of log per
#                partition: it is not omb's cost, so no target applies)
# Shapes (1 KiB messages, 1 subscription per topic; the seed's high-throughput shape is
# 4 topics x 16 partitions, 10 producers per topic, 40 consumers per subscription):
#   1+1      1 topic  x  1 partition,   1 producer,   1 consumer,   1,000 msg/s
#   10+40    1 topic  x 16 partitions, 10 producers,  40 consumers,  2,000 msg/s
#   40+160   4 topics x 16 partitions, 40 producers, 160 consumers, 4,000 msg/s
# kafka-inproc 40+160 can end "failed(1)" on a 2-core machine: the mock's one thread serves
# 64 partitions next to 1,330 client threads, falls behind, and the delivery check reports
# what did not arrive within the drain timeout; the peak is measured all the same.
# Each run: --seconds S measured (default 20), no warm-up, 4 sender threads (the issue's
# 303 MB figure had 4; each recording thread keeps its own histograms).
# RSS is sampled every 0.2 s from /proc/PID/status; VmHWM is the kernel's own peak.
# Columns: threads (peak count), peak MiB (VmHWM), target (64 + 4 x clients), ratio (peak /
# target), MiB/client (peak minus the driver's first shape's, over the clients added), mock
# MiB (the separate `omb kafka-mock`'s VmHWM), result (the run's exit).
# Usage: bench/memory.sh [build-dir] [--seconds S] [--drivers "loopback kafka kafka-inproc"]
#                        [--shapes "1+1 10+40 40+160"]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build seconds=20 drivers="loopback kafka kafka-inproc" shapes="1+1 10+40 40+160"
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --drivers) drivers=$2; shift 2 ;;
    --shapes) shapes=$2; shift 2 ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    -*) echo "bench/memory.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
omb=$(cd "$build" && pwd)/omb
[ -x "$omb" ] || { echo "bench/memory.sh: no omb binary in $build" >&2; exit 2; }
work=$(mktemp -d)
mock_pid=
cleanup() {
  if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
minutes=$(python3 -c "print($seconds / 60)")
printf 'name: Loopback\ndriverClass: loopback\n' >loopback.yaml
# linger.ms=5: OMB's Kafka files batch (linger.ms=1..10); the mock walks every batch of a
# partition on each fetch, so batches of one message would make the mock, not omb, the limit.
printf 'name: Kafka\ndriverClass: kafka\nproducerConfig: |\n  linger.ms=5\n' >kafka-inproc.yaml

# kB of FIELD (VmHWM, VmRSS) in /proc/PID/status, empty once the process is gone.
status_kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status" 2>/dev/null || true; }

# start_mock: a fresh `omb kafka-mock` per run (its logs would otherwise carry the previous
# run's topics) and kafka.yaml pointing at it.
start_mock() {
  "$omb" kafka-mock >mock.out 2>mock.err &
  mock_pid=$!
  for _ in $(seq 100); do grep -q '^mockAdmin=' mock.out 2>/dev/null && break; sleep 0.1; done
  grep -q '^mockAdmin=' mock.out || { cat mock.err >&2; echo "bench/memory.sh: omb kafka-mock did not start" >&2; exit 1; }
  cat >kafka.yaml <<Y
name: Kafka
driverClass: kafka
mockAdmin: $(sed -n 's/^mockAdmin=//p' mock.out)
commonConfig: |
  bootstrap.servers=$(sed -n 's/^bootstrap.servers=//p' mock.out)
producerConfig: |
  linger.ms=5
Y
}
stop_mock() {
  kill "$mock_pid" 2>/dev/null || true
  wait "$mock_pid" 2>/dev/null || true
  mock_pid=
}

printf '%-13s %-7s %6s %9s %8s %6s %11s %8s %8s\n' driver clients threads "peak MiB" "target" ratio "MiB/client" "mock MiB" "result"
for drv in $drivers; do
  base_kb= base_clients= # the driver's first shape: what each further client adds is measured from it
  for shape in $shapes; do
    case $shape in
      1+1) topics=1 parts=1 prods=1 cons=1 rate=1000 ;;
      10+40) topics=1 parts=16 prods=10 cons=40 rate=2000 ;;
      40+160) topics=4 parts=16 prods=10 cons=40 rate=4000 ;;
      *) echo "bench/memory.sh: unknown shape '$shape' (1+1, 10+40 or 40+160)" >&2; exit 2 ;;
    esac
    clients=$((topics * (prods + cons)))
    cat >w.yaml <<Y
name: memory $shape
topics: $topics
partitionsPerTopic: $parts
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: $prods
consumerPerSubscription: $cons
producerRate: $rate
testDurationMinutes: $minutes
warmupDurationMinutes: 0
Y
    args=(-d "$drv.yaml")
    case $drv in
      kafka) start_mock ;;
      kafka-inproc) args+=(--kafka-mock) ;;
      loopback) ;;
      *) echo "bench/memory.sh: unknown driver '$drv'" >&2; exit 2 ;;
    esac
    rm -f r.json
    "$omb" run "${args[@]}" --sender-threads 4 --period 5 -o r.json w.yaml >run.log 2>&1 &
    pid=$!
    hwm=0 mock_hwm=0 threads=0
    while kill -0 "$pid" 2>/dev/null; do
      v=$(status_kb "$pid" VmHWM)
      [ -n "$v" ] && hwm=$v
      t=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$t" ] && ((t > threads)) && threads=$t
      if [ -n "$mock_pid" ]; then
        v=$(status_kb "$mock_pid" VmHWM)
        [ -n "$v" ] && mock_hwm=$v
      fi
      sleep 0.2
    done
    rc=0
    wait "$pid" || rc=$?
    [ -n "$mock_pid" ] && stop_mock
    result=ok
    if [ "$rc" -ne 0 ] || [ ! -s r.json ]; then
      result="failed($rc)"
      tail -n 5 run.log >&2
    fi
    python3 - "$drv" "$shape" "$clients" "$threads" "$hwm" "$mock_hwm" "$result" "${base_kb:-}" "${base_clients:-}" <<'P'
import sys
drv, shape, clients, threads, hwm, mock, result, base, base_clients = sys.argv[1:]
clients, hwm, mock = int(clients), int(hwm) / 1024, int(mock) / 1024
target = 64 + 4 * clients
# The in-process mock's logs are in the figure: no target of omb's own applies.
ratio = "-" if drv == "kafka-inproc" else f"{hwm / target:.2f}"
mock_s = f"{mock:.0f}" if drv == "kafka" else "-"
# Per client: what each client beyond the first shape's added (peak difference over client
# difference), so the fixed part (binary, libraries, views) does not blur it.
per = "-"
if base and int(base_clients) < clients:
    per = f"{(hwm - int(base) / 1024) / (clients - int(base_clients)):.2f}"
print(f"{drv:<13} {shape:<7} {threads:>6} {hwm:9.0f} {target:8d} {ratio:>6} "
      f"{per:>11} {mock_s:>8} {result:>8}")
P
    if [ -z "$base_kb" ]; then base_kb=$hwm base_clients=$clients; fi
  done
done
