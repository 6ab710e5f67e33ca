#!/usr/bin/env bash
# Redis driver files that are wrong (exit 2: one sentence naming file, line and key, before
# anything runs) and brokers that cannot be used (exit 1: one sentence naming host:port):
# nothing reachable, a wrong password, partitions. No result file, no stream left behind.
source "$(dirname "$0")/lib.sh"
"$OMB" --help 2>&1 | grep -q "drivers built in:.*redis" || { echo "skip: omb built without redis"; exit 77; }
REDIS_YAML="$OMB_SHARED/omb-reference/driver-redis/redis.yaml"
printf 'name: w\ntopics: 1\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 0.01\nwarmupDurationMinutes: 0\n' > w.yaml
# bad SED-EXPR: OMB's file with one edit
bad() { sed -e "$1" "$REDIS_YAML" > bad.yaml; }

# Files: checked before any connection (no broker needed).
bad 's/^redisPort:/redisPrt:/'
expect_fail 2 "bad.yaml line 19: unknown key 'redisPrt'; did you mean 'redisPort'\?" -- "$OMB" run -d bad.yaml w.yaml
bad 's/^redisPort: .*/redisPort: abc/'
expect_fail 2 "bad.yaml line 19: 'redisPort' must be an integer, got 'abc'" -- "$OMB" run -d bad.yaml w.yaml
bad 's/^redisPort: .*/redisPort: 70000/'
expect_fail 2 "bad.yaml line 19: 'redisPort' must be between 1 and 65535, got 70000" -- "$OMB" run -d bad.yaml w.yaml
bad 's/^redisPort: .*/redisPort: "6379"/'
expect_fail 2 "bad.yaml line 19: 'redisPort' must be an integer, got the quoted string" -- "$OMB" run -d bad.yaml w.yaml
bad 's/^jedisPoolMaxTotal: .*/jedisPoolMaxTotal: 8.5/'
expect_fail 2 "bad.yaml line 21: 'jedisPoolMaxTotal' must be a whole number" -- "$OMB" run -d bad.yaml w.yaml
{ cat "$REDIS_YAML"; printf '\nak: false\n'; } > bad.yaml
expect_fail 2 "bad.yaml line 23: unknown key 'ak'; did you mean 'ack'\?" -- "$OMB" run -d bad.yaml w.yaml
{ cat "$REDIS_YAML"; printf '\ntrim: sometimes\n'; } > bad.yaml
expect_fail 2 "bad.yaml line 23: 'trim' must be true or false" -- "$OMB" run -d bad.yaml w.yaml
{ cat "$REDIS_YAML"; printf '\nmaxLen: 0\n'; } > bad.yaml
expect_fail 2 "bad.yaml line 23: 'maxLen' must be at least 1" -- "$OMB" run -d bad.yaml w.yaml
{ cat "$REDIS_YAML"; printf '\nredisUser: bob\n'; } > bad.yaml
expect_fail 2 "bad.yaml line 23: 'redisUser' needs 'redisPass'" -- "$OMB" run -d bad.yaml w.yaml
ls *.json >/dev/null 2>&1 && fail "a result file was written"

# Nothing listening: one sentence with the address, exit 1, quickly.
bad 's/^redisPort: .*/redisPort: 1/'
start=$(date +%s)
expect_fail 1 "cannot reach Redis at '127.0.0.1:1' \(redisHost/redisPort in bad.yaml\): Connection refused" -- "$OMB" run -d bad.yaml w.yaml
[ $(( $(date +%s) - start )) -le 15 ] || fail "took more than 15 s to report"
bad 's/^redisHost: .*/redisHost: no-such-host.invalid/'
expect_fail 1 "cannot reach Redis at 'no-such-host.invalid:6379'" -- "$OMB" run -d bad.yaml w.yaml
ls *.json >/dev/null 2>&1 && fail "a result file was written"

# With the broker: a wrong password, and partitions.
BROKER="$OMB_SOURCE/scripts/broker.sh"
started=0
if ! "$BROKER" status redis >/dev/null 2>&1; then
  "$BROKER" start redis >/dev/null || fail "cannot start redis with scripts/broker.sh"
  started=1
fi
trap 'rc=$?; if [ $started = 1 ]; then "$BROKER" stop redis >/dev/null 2>&1; fi; rm -rf "$WORK"; exit $rc' EXIT
{ cat "$REDIS_YAML"; printf '\nredisUser: bob\nredisPass: secret\n'; } > bad.yaml
expect_fail 1 "Redis at '127.0.0.1:6379' refused the login \(redisUser/redisPass in bad.yaml\): WRONGPASS" -- "$OMB" run -d bad.yaml w.yaml
sed 's/^topics: 1/topics: 1\npartitionsPerTopic: 4/' w.yaml > parts.yaml
expect_fail 1 "Redis Streams have no partitions .*partitionsPerTopic is 4" -- "$OMB" run -d "$REDIS_YAML" parts.yaml
ls *.json >/dev/null 2>&1 && fail "a result file was written"
grep -q "Created .* topic" out.log && fail "a stream was created for partitionsPerTopic 4"
echo "ok: redis bad input"
