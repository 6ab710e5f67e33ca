# dist_lib.sh - sourced by the t_dist_*.sh tests (after lib.sh): `omb worker` and
# `omb kafka-mock` processes on 127.0.0.1 with free ports (port 0: the kernel picks), all
# stopped by PID when the test exits.
PIDS=()
stop_all_pids() {
  local rc=$?
  # A process left SIGSTOPped (a test that failed midway) must be continued to exit.
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && kill -CONT "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  # Sanitizer builds: a report from a server process fails the test too.
  if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' \
      "$WORK"/worker-*.log "$WORK"/kafka-mock.err 2>/dev/null; then
    grep -hE -A30 'ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer' \
      "$WORK"/worker-*.log "$WORK"/kafka-mock.err | head -n 80 >&2
    echo "FAIL: a server process reported a sanitizer error" >&2
    rc=1
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap stop_all_pids EXIT

# wait_for FILE PATTERN [SECONDS]: up to SECONDS (10) for PATTERN (grep -E) to appear in FILE.
wait_for() {
  for _ in $(seq $((${3:-10} * 10))); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$1" >&2 || true
  fail "timed out waiting for '$2' in $1"
}

# start_worker NAME [omb worker options...]: sets URL_<NAME>, PID_<NAME>, SPORT_<NAME>.
start_worker() {
  local name=$1
  shift
  "$OMB" worker -p 0 -sp 0 "$@" >"worker-$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_for "worker-$name.log" "listening on http://"
  local addr sport
  addr=$(grep -o 'http://127.0.0.1:[0-9]*' "worker-$name.log" | head -n 1)
  sport=$(grep -o 'on port [0-9]*' "worker-$name.log" | head -n 1 | cut -d' ' -f3)
  printf -v "URL_$name" '%s' "$addr"
  printf -v "PID_$name" '%s' "$pid"
  printf -v "SPORT_$name" '%s' "$sport"
}

# start_kafka_mock: an `omb kafka-mock` and a driver file kafka-dist.yaml that points at it.
start_kafka_mock() {
  "$OMB" kafka-mock >kafka-mock.out 2>kafka-mock.err &
  PIDS+=("$!")
  wait_for kafka-mock.out "^mockAdmin="
  local bs admin
  bs=$(sed -n 's/^bootstrap.servers=//p' kafka-mock.out)
  admin=$(sed -n 's/^mockAdmin=//p' kafka-mock.out)
  cat >kafka-dist.yaml <<Y
name: Kafka
driverClass: io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver
replicationFactor: 1
mockAdmin: $admin
commonConfig: |
  bootstrap.servers=$bs
producerConfig: |
  linger.ms=1
consumerConfig: |
  auto.offset.reset=earliest
Y
}
