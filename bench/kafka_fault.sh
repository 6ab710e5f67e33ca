#!/usr/bin/env bash
# A Kafka broker killed mid-run: omb against a real 3-broker Kafka (scripts/broker.sh start
# kafka --brokers 3), acks=all, enable.idempotence=true, replicationFactor 3,
# min.insync.replicas=2, 1 topic of 6 partitions, 1 subscription of 2 consumers, a fixed
# rate. During the measured phase node K is killed with kill -9 (scripts/broker.sh
# kill-node kafka K), left down for a while, then started again on its data (start-node).
# The script then prints: whether the run completed (omb's exit code), the timeline, the
# per-period rates, the send errors (publishErrorRate over the periods, and
# totalMessageSendErrors), what omb's log said (librdkafka's warnings and errors, counted
# and de-duplicated) and the delivery check ("every subscription received every
# acknowledged message" = no acknowledged message unaccounted for).
# Exit status: 0 when the run completed and the delivery check passed; 1 otherwise.
#
# Usage: bench/kafka_fault.sh [--seconds S] [--rate R] [--kill-at S] [--down S] [--node K]
#                             [--build DIR] [--keep]
#   --seconds S  measured phase (default 60); period 5 s, no warm-up
#   --rate R     msg/s, 1 KiB messages (default 2000)
#   --kill-at S  seconds into the measured phase when node K is killed (default: S/4)
#   --down S     seconds node K stays down before start-node (default 10)
#   --node K     the node to kill, 1..3 (default 2; node K is 127.0.0.1:909(1+K))
#   --build DIR  omb build directory (default: $OMB_BUILD, else build-kbench, else build)
#   --keep       keep the work directory (omb's log, result, driver and workload files)
# The cluster must be this script's own: it starts it (after waiting up to 5 minutes for
# another user's Kafka to stop; it never kills another user's broker) and stops it at the end.
# omb_result.py (scripts/): a result read with its sidecar, as omb's tools read it.
export PYTHONPATH="$(cd "$(dirname "$0")/.." && pwd)/scripts${PYTHONPATH:+:$PYTHONPATH}"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=60 rate=2000 kill_at='' down=10 node=2 build=${OMB_BUILD:-} keep=0
while (($#)); do
  case $1 in
    --seconds) secs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --kill-at) kill_at=$2; shift 2 ;;
    --down) down=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench/kafka_fault.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
kill_at=${kill_at:-$((secs / 4))}
[[ $node =~ ^[1-3]$ ]] || { echo "bench/kafka_fault.sh: --node must be 1, 2 or 3" >&2; exit 2; }
if [ -z "$build" ]; then
  build=$root/build
  [ -x "$root/build-kbench/omb" ] && build=$root/build-kbench
fi
omb=$(cd "$build" && pwd)/omb
[ -x "$omb" ] || { echo "bench/kafka_fault.sh: no omb binary in $build" >&2; exit 2; }
# shellcheck source=bench/kafka/common.sh
. "$root/bench/kafka/common.sh"

work=$(mktemp -d)
omb_pid=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  if [ -n "$omb_pid" ] && kill -0 "$omb_pid" 2>/dev/null; then
    kill -INT "$omb_pid" 2>/dev/null || true
    wait "$omb_pid" 2>/dev/null || true
  fi
  kafka_release
  if ((keep)); then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
kafka_acquire 3 own
cd "$work"
cat >driver.yaml <<'Y'
name: Kafka-3-brokers
driverClass: kafka
replicationFactor: 3
topicConfig: |
  min.insync.replicas=2
commonConfig: |
  bootstrap.servers=127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094
producerConfig: |
  acks=all
  enable.idempotence=true
  linger.ms=1
  batch.size=131072
consumerConfig: |
  auto.offset.reset=earliest
  enable.auto.commit=false
Y
cat >workload.yaml <<Y
name: broker $node killed mid-run
topics: 1
partitionsPerTopic: 6
messageSize: 1024
subscriptionsPerTopic: 1
producersPerTopic: 1
consumerPerSubscription: 2
producerRate: $rate
testDurationMinutes: $(python3 -c "print($secs / 60)")
warmupDurationMinutes: 0
Y
now() { date +%s.%N; }
echo "== omb: $rate msg/s of 1 KiB, 1 topic x 6 partitions (RF 3, min.insync.replicas=2), 1 subscription x 2 consumers, acks=all, idempotence on; ${secs} s measured; node $node killed at +${kill_at} s, down ${down} s"
"$omb" run -d driver.yaml --period 5 -o result.json workload.yaml >omb.log 2>&1 &
omb_pid=$!
# The measured phase starts when omb says so (after topic creation and the readiness probe).
for ((i = 0; i < 1800; i++)); do
  grep -q "Starting benchmark traffic" omb.log && break
  kill -0 "$omb_pid" 2>/dev/null || break
  sleep 0.1
done
t0=$(now)
if grep -q "Starting benchmark traffic" omb.log; then
  sleep "$kill_at"
  t_kill=$(now)
  "$broker" kill-node kafka "$node" >node.log 2>&1 || true
  sleep "$down"
  t_start=$(now)
  "$broker" start-node kafka "$node" >>node.log 2>&1 && node_ok=1 || node_ok=0
  t_ready=$(now)
else
  echo "omb never reached the measured phase; the broker was not killed" >&2
  t_kill='' t_start='' t_ready='' node_ok=0
fi
rc=0
wait "$omb_pid" || rc=$?
omb_pid=

python3 - "$t0" "${t_kill:-}" "${t_start:-}" "${t_ready:-}" "$node" "$node_ok" "$rc" "$(tail -1 node.log 2>/dev/null)" <<'P'
import re, sys, time
t0, tk, ts, tr, node, node_ok, rc, nodelog = sys.argv[1:9]
t0 = float(t0)
def at(hms):  # a log line's HH:MM:SS.mmm (local time) as seconds from t0
    lt = time.localtime(t0)
    h, m, s = hms.split(":")
    e = time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday, int(h), int(m), 0, 0, 0, -1)) + float(s)
    d = e - t0
    return d - 86400 if d > 43200 else d + 86400 if d < -43200 else d
log = open("omb.log", errors="replace").read().splitlines()
ev = []
if tk:
    ev += [(float(tk) - t0, f"kill -9 of node {node}"), (float(ts) - t0, f"start-node kafka {node}"),
           (float(tr) - t0, f"node {node} ready again ({nodelog})" if node_ok == "1"
            else f"node {node} did NOT come back: {nodelog}")]
marks = [("Aggregated", "end of the measured phase (omb's aggregated line)"),
         ("Delivery check", "omb's delivery check"), ("never arrived", "omb: messages never arrived"),
         ("Wrote result", f"omb wrote its result (exit status {rc})")]
for l in log:
    for k, what in marks:
        if k in l:
            ev.append((at(l.split()[0]), what))
print("== timeline (from the start of the measured phase)")
for t, what in sorted(ev):
    print(f"  {t:+7.1f} s  {what}")
print("== omb's periods (5 s; publish = acknowledged; the time is the period's end)")
rx = re.compile(r"^([0-9:.]+) \[INFO\] Pub rate +([0-9.]+) msg.*Pub err +([0-9.]+) err.*Cons rate +([0-9.]+) msg.*"
                r"Backlog: +([0-9.]+) K.*Pub Latency \(ms\) avg: +[0-9.]+ - 50%: +([0-9.]+) - 99%: +([0-9.]+) .*"
                r"E2E Latency \(ms\) avg: +[0-9.]+ - 50%: +([0-9.]+) - 99%: +([0-9.]+)")
print(f"  {'at':>8} {'pub msg/s':>10} {'err/s':>6} {'cons msg/s':>10} {'backlog K':>9} {'pub p50 ms':>11} "
      f"{'pub p99 ms':>11} {'e2e p50 ms':>11} {'e2e p99 ms':>11}")
for l in log:
    m = rx.match(l)
    if m:
        g = m.groups()
        print(f"  {at(g[0]):+7.1f}s {float(g[1]):10.1f} {float(g[2]):6.1f} {float(g[3]):10.1f} {float(g[4]):9.1f} "
              f"{float(g[5]):11.1f} {float(g[6]):11.1f} {float(g[7]):11.1f} {float(g[8]):11.1f}")
P
status=0
((rc == 0)) || status=1
python3 - "$rc" <<'P' || status=1
import glob, json, os, re, sys
import omb_result
rc = int(sys.argv[1])
log = open("omb.log", errors="replace").read().splitlines()
print("== omb's log: warnings and errors")
pat = re.compile(r"\[(WARN|WARNING|ERROR)\]|%[0-9]\||rdkafka|librdkafka", re.I)
seen = {}
for l in log:
    if pat.search(l):
        key = re.sub(r"^[0-9:.]+ ", "", l)
        key = re.sub(r"\b\d+(\.\d+)?\b", "N", key)  # one line per message shape
        if key not in seen:
            seen[key] = [0, l]
        seen[key][0] += 1
if not seen:
    print("  (none)")
for n, l in sorted(seen.values(), key=lambda v: -v[0])[:15]:
    print(f"  {n:5d} x  {l[:220]}")
if len(seen) > 15:
    print(f"  ... and {len(seen) - 15} more kinds of message")
ok = rc == 0
r = None
if os.path.exists("result.json"):
    r = omb_result.load("result.json")
if r is None:
    print("== no result file: the run did not complete")
    sys.exit(1)
omb = r.get("omb", {}) if isinstance(r.get("omb"), dict) else {}
extra = {}  # omb's additions, in the result or in a file beside it
for f in glob.glob("result*.json"):
    if f != "result.json":
        try:
            extra.update(json.load(open(f)))
        except ValueError:
            pass
def get(k):
    for d in (r, extra):
        if k in d:
            return d[k]
        if isinstance(d.get("omb"), dict) and k in d["omb"]:
            return d["omb"][k]
        if "omb." + k in d:
            return d["omb." + k]
    return None
ps = r.get("periodSeconds") or [5.0] * len(r["publishRate"])
sent = sum(x * s for x, s in zip(r["publishRate"], ps))
errs = sum(x * s for x, s in zip(r["publishErrorRate"], ps))
print("== send errors")
print(f"  measured phase: {sent:.0f} messages acknowledged ({sent / sum(ps):.0f} msg/s over {sum(ps):.0f} s), "
      f"publishErrorRate summed over the periods: {errs:.0f} errors")
tse = get("totalMessageSendErrors")
print(f"  totalMessageSendErrors: {tse if tse is not None else '(not in the result)'}; "
      f"totalMessagesSent: {get('totalMessagesSent')}, totalMessagesReceived: {get('totalMessagesReceived')}")
print("  (the totals are those at the end of the measured phase; the delivery check below also counts what was\n"
      "   acknowledged while the producer flushed its queue after it)")
print(f"  complete: {get('complete')}" + (f" ({get('incompleteReason')})" if get("incompleteReason") else ""))
print("== delivery check")
dl = [l for l in log if "Delivery check" in l or "never arrived" in l or "more than once" in l]
for l in dl:
    print("  " + l)
d = get("delivery")
missing = None
if d:
    missing = sum(x.get("missing", 0) for x in d)
    for x in d:
        print(f"  subscription {x['subscription']}: acknowledged {x['acknowledged']}, received {x['received']}, "
              f"distinct {x['distinct']}, missing {x['missing']}, duplicates {x['duplicates']}")
passed = any("every subscription received every acknowledged message" in l for l in log) and not missing
print("  PASS: zero acknowledged messages unaccounted for" if passed else
      f"  FAIL: {missing if missing else 'unknown number of'} acknowledged message(s) unaccounted for" +
      ("" if get("deliveryNotChecked") is None else f" (not checked: {get('deliveryNotChecked')})"))
print(f"== run {'completed (exit 0)' if rc == 0 else f'FAILED (omb exit status {rc})'}")
sys.exit(0 if passed and ok else 1)
P
exit $status
