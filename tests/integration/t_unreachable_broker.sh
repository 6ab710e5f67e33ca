#!/usr/bin/env bash
# A Kafka driver file whose broker is not there: a clear error naming the address, exit 1,
# no result file, within seconds rather than at the readiness probe.
source "$(dirname "$0")/lib.sh"
printf 'name: K\ndriverClass: kafka\ncommonConfig: |\n  bootstrap.servers=127.0.0.1:1\n' > k.yaml
printf 'name: w\ntopics: 1\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 0.01\n' > w.yaml
start=$(date +%s)
expect_fail 1 "cannot reach Kafka at '127.0.0.1:1'" -- "$OMB" run -d k.yaml w.yaml
[ $(( $(date +%s) - start )) -le 30 ] || fail "took more than 30 s to report"
ls *.json >/dev/null 2>&1 && fail "a result file was written"
echo "ok: unreachable broker"
