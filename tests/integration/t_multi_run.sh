#!/usr/bin/env bash
# Several workloads x several drivers in one invocation: sorted by workload file name, each
# workload on each driver in the order given, one -o path numbered rather than overwritten.
source "$(dirname "$0")/lib.sh"
loopback_driver
for n in b a; do
  printf 'name: wl-%s\ntopics: 1\nmessageSize: 64\nproducerRate: 500\ntestDurationMinutes: 0.03\nwarmupDurationMinutes: 0\n' $n > $n.yaml
done
"$OMB" run -d loopback.yaml,"$OMB_SOURCE/examples/drivers/kafka-mock.yaml" --period 1 -o out.json b.yaml a.yaml > run.log 2>&1 || { cat run.log; fail "run failed"; }
for i in 1 2 3 4; do [ -f out-$i.json ] || fail "out-$i.json missing"; done
order=$(for i in 1 2 3 4; do python3 -c "import json,sys; r=json.load(open('out-$i.json')); print(r['workload']+'/'+r['driver'])"; done | tr '\n' ' ')
[ "$order" = "wl-a/Loopback wl-a/Kafka wl-b/Loopback wl-b/Kafka " ] || fail "order: $order"
# Default names: <workload-file-base>-<driver name>-<yyyy-MM-dd-HH-mm-ss>.json
"$OMB" run -d loopback.yaml --period 1 a.yaml > run2.log 2>&1
ls | grep -Eq '^a-Loopback-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}\.json$' || fail "default result name: $(ls)"
echo "ok: multi run"
