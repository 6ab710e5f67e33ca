#!/usr/bin/env bash
# Redis driver files that are wrong (exit 2: one sentence naming file, line and key, before
# anything runs) and brokers that cannot be used (exit 1: one sentence naming host:port):
# nothing reachable, a wrong password; partitions (exit 2). No result file, no stream left
# behind.
source "$(dirname "$0")/lib.sh"
need_driver redis
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
broker_up redis
{ cat "$REDIS_YAML"; printf '\nredisUser: bob\nredisPass: secret\n'; } > bad.yaml
expect_fail 1 "Redis at '127.0.0.1:6379' refused the login \(redisUser/redisPass in bad.yaml\): WRONGPASS" -- "$OMB" run -d bad.yaml w.yaml
sed 's/^topics: 1/topics: 1\npartitionsPerTopic: 4/' w.yaml > parts.yaml
# Refused up front (exit 2) by an omb that checks the driver's capabilities before it
# runs; else by the driver itself, before any stream exists (exit 1), as it does for
# coordinators that do not check, such as OMB's own.
set +e
"$OMB" run -d "$REDIS_YAML" parts.yaml > out.log 2>&1
rc=$?
set -e
if [ $rc = 2 ]; then
  grep -q "parts.yaml: partitionsPerTopic is 4, but the redis driver .* has no partitions" out.log || { cat out.log; fail "partitions: no sentence"; }
else
  [ $rc = 1 ] || { cat out.log; fail "partitions: exit $rc"; }
  grep -q "Redis Streams have no partitions (omb maps a topic to one stream): partitionsPerTopic is 4" out.log || { cat out.log; fail "partitions: no sentence"; }
fi
ls *.json >/dev/null 2>&1 && fail "a result file was written"
grep -q "Created .* topic" out.log && fail "a stream was created for partitionsPerTopic 4"
# A broker that wants a password (only on a broker this test started: its settings are
# not changed under anyone else): none given, then the right one (AUTH's good path).
if broker_started redis; then
  redis-cli CONFIG SET requirepass omb-secret >/dev/null
  expect_fail 1 "Redis at '127.0.0.1:6379' wants a password \(set redisPass in the driver file\): NOAUTH" -- "$OMB" run -d "$REDIS_YAML" w.yaml
  { cat "$REDIS_YAML"; printf '\nredisPass: omb-secret\n'; } > pass.yaml
  "$OMB" run -d pass.yaml --period 1 -o pass.json w.yaml > pass.log 2>&1 || { cat pass.log; fail "run with the right password failed"; }
  grep -q "Delivery check: every subscription received every acknowledged message" pass.log || { cat pass.log; fail "delivery check with a password"; }
  { cat "$REDIS_YAML"; printf '\nredisUser: default\nredisPass: omb-secret\n'; } > user.yaml
  "$OMB" run -d user.yaml --period 1 -o user.json w.yaml > user.log 2>&1 || { cat user.log; fail "run with user and password failed"; }
  redis-cli -a omb-secret --no-auth-warning CONFIG SET requirepass "" >/dev/null
  rm -f pass.json user.json
else
  echo "note: redis was already running; the password cases were left out"
fi
echo "ok: redis bad input"
