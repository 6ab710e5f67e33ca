#!/usr/bin/env python3
"""Checks an omb result JSON the way OMB's scripts read it: OMB's keys with OMB's types and
no other key (OMB's ResultsToCsv reads strictly), plausible numbers, ordered percentiles;
then omb's figures from the sidecar (FILE minus .json, plus .omb): complete delivery.
Exits 1 with a reason."""
import argparse, json, math, os, sys

p = argparse.ArgumentParser()
p.add_argument("file")
p.add_argument("--rate", type=float, help="expected publish rate (msg/s)")
p.add_argument("--tolerance", type=float, default=0.05, help="relative, for --rate")
p.add_argument("--subs", type=int, default=1, help="subscriptions per topic")
p.add_argument("--min-periods", type=int, default=1)
p.add_argument("--incomplete", action="store_true", help="expect complete=false")
p.add_argument("--workload")
p.add_argument("--driver")
a = p.parse_args()
# Sanitizer builds run several times slower on shared cores: rates there are checked
# loosely; they are checked tightly in the plain build.
a.tolerance *= float(__import__("os").environ.get("OMB_RATE_TOLERANCE_SCALE", "1"))
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

SUFFIXES = ["Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max"]
# OMB's TestResult fields (benchmark-framework/.../TestResult.java), nothing else allowed.
OMB_KEYS = {"workload", "driver", "messageSize", "topics", "partitions", "producersPerTopic",
            "consumersPerTopic", "publishRate", "publishErrorRate", "consumeRate", "backlog"}
for series in ["publishLatency", "publishDelayLatency", "endToEndLatency"]:
    agg = "aggregated" + series[0].upper() + series[1:]
    OMB_KEYS |= {series + s for s in SUFFIXES} | {agg + s for s in SUFFIXES} | {agg + "Quantiles"}

r = json.load(open(a.file))
extra = sorted(set(r) - OMB_KEYS)
check(not extra, f"keys OMB's TestResult does not have: {extra}")
side_path = (a.file[:-5] if a.file.endswith(".json") else a.file) + ".omb"
check(os.path.isfile(side_path), f"no sidecar {side_path}")
side = json.load(open(side_path)) if os.path.isfile(side_path) else {}
check(not (set(side) & OMB_KEYS), f"sidecar repeats OMB's keys: {sorted(set(side) & OMB_KEYS)}")
r = {**side, **r}
for k, t in [("workload", str), ("driver", str), ("messageSize", int), ("topics", int),
             ("partitions", int), ("producersPerTopic", int), ("consumersPerTopic", int)]:
    check(isinstance(r.get(k), t), f"{k} missing or not {t.__name__}")
if a.workload: check(r.get("workload") == a.workload, f"workload is {r.get('workload')!r}")
if a.driver: check(r.get("driver") == a.driver, f"driver is {r.get('driver')!r}")

n = len(r.get("publishRate", []))
check(n >= a.min_periods, f"{n} periods, expected >= {a.min_periods}")
for k in ["publishRate", "publishErrorRate", "consumeRate"]:
    check(len(r.get(k, [])) == n and all(isinstance(x, float) for x in r[k]), f"{k} not {n} doubles")
check(len(r.get("backlog", [])) == n and all(isinstance(x, int) for x in r["backlog"]), "backlog not integers")
for series, kind in [("publishLatency", float), ("publishDelayLatency", int), ("endToEndLatency", float)]:
    for s in SUFFIXES:
        k = float if s == "Avg" else kind  # OMB: the delay's mean is a double
        v = r.get(series + s)
        check(isinstance(v, list) and len(v) == n and all(isinstance(x, k) for x in v),
              f"{series}{s} not {n} x {k.__name__}")
    agg = "aggregated" + series[0].upper() + series[1:]
    for s in SUFFIXES:
        k = float if s == "Avg" else kind
        check(isinstance(r.get(agg + s), k), f"{agg}{s} not {k.__name__}")
    vals = [r.get(agg + s, 0) for s in SUFFIXES[1:]]
    check(all(x <= y for x, y in zip(vals, vals[1:])), f"{agg} percentiles not ordered: {vals}")
    q = r.get(agg + "Quantiles")
    check(isinstance(q, dict) and len(q) > 0, f"{agg}Quantiles missing")
    if q:
        keys = [float(k) for k in q]
        check(keys == sorted(keys), f"{agg}Quantiles keys not ascending")
        check(list(q)[-1] == "100.0", f"{agg}Quantiles does not end at 100.0")
        vs = list(q.values())
        check(all(x <= y for x, y in zip(vs, vs[1:])), f"{agg}Quantiles values not ordered")
        check(abs(vs[-1] - r.get(agg + "Max", -1)) < 1e-9, f"{agg}Quantiles[100] != Max")
    for i in range(n):
        per = [r[series + s][i] for s in SUFFIXES[1:]]
        check(all(x <= y for x, y in zip(per, per[1:])), f"{series} period {i} not ordered: {per}")

# Count the samples, not their size: on the loopback driver nearly every latency is under
# a microsecond and records as 0, as OMB would record it, so an average can be 0.
check(r.get("aggregatedPublishLatencyCount", 0) > 0, "no publish latency recorded")
if a.subs > 0:
    check(r.get("aggregatedEndToEndLatencyCount", 0) > 0, "no end-to-end latency recorded")

if a.rate and n:
    # Rates from message counts over the whole measured time, not a mean of period rates.
    secs = sum(r["periodSeconds"])
    pub = sum(x * s for x, s in zip(r["publishRate"], r["periodSeconds"])) / secs
    con = sum(x * s for x, s in zip(r["consumeRate"], r["periodSeconds"])) / secs
    check(abs(pub - a.rate) <= a.tolerance * a.rate, f"publish rate {pub:.1f}, expected {a.rate} +- {a.tolerance:.0%}")
    if a.subs > 0 and n >= 2:
        # Consumers may run ahead of the publish rate while they catch up on a lag from the
        # warm-up, so check what must hold instead: from the end of period 1 to the end,
        # received = subscriptions x sent - (backlog growth), and the final backlog is under
        # two seconds of traffic. (That every message arrived is the delivery check's job.)
        per = lambda k: [x * s for x, s in zip(r[k][1:], r["periodSeconds"][1:])]
        sent, got = sum(per("publishRate")), sum(per("consumeRate"))
        growth = r["backlog"][-1] - r["backlog"][0]
        expected = a.subs * sent - growth
        # The backlog is clamped at 0 (as OMB's), and consumers can receive messages before
        # the producer has processed their acks (long linger.ms, big batches): allow for that
        # many messages in flight, half a second of traffic.
        slack = 0.01 * expected + 0.5 * a.rate * a.subs + 10 * n
        # Redeliveries (a consumer group rebalance, e.g. a consumer that joined its group
        # late) are counted in the consume rate, as OMB counts them; the delivery check
        # counted them by position.
        dups = sum(d.get("duplicates", 0) for d in side.get("omb", {}).get("delivery", []))
        check(-slack <= got - expected <= slack + dups,
              f"received {got:.0f}, but {a.subs} x sent - backlog growth = {expected:.0f} "
              f"(and {dups} redelivered)")
        check(r["backlog"][-1] <= 2 * a.rate * a.subs * float(__import__("os").environ.get("OMB_RATE_TOLERANCE_SCALE", "1")),
              f"final backlog {r['backlog'][-1]}: consumers did not keep up")

meta = r.get("omb", {})
check(meta.get("complete") is (not a.incomplete), f"complete is {meta.get('complete')}")
if not a.incomplete and a.subs > 0:
    d = meta.get("delivery", [])
    check(len(d) > 0, "no delivery check")
    for e in d:
        check(e["missing"] == 0 and e["acknowledged"] > 0,
              f"subscription {e['subscription']}: {e['received']} of {e['acknowledged']}")
        # Every driver omb has gives positions: the check counted distinct messages.
        check(isinstance(e.get("distinct"), int) and e["distinct"] >= e["acknowledged"],
              f"subscription {e['subscription']}: distinct {e.get('distinct')}, not counted by position")

if errors:
    print(f"{a.file}:", *errors, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"ok: {a.file} ({n} periods)")
