# kafka_lib.sh - sourced by the tests that need a real Apache Kafka: starts one through
# scripts/broker.sh unless one of the wanted size is running, and stops it at exit if it
# started it. KAFKA_BROKERS (1 or 3) and KAFKA_VERSION choose the cluster.
BROKER="$OMB_SOURCE/scripts/broker.sh"
: "${KAFKA_BROKERS:=1}"
: "${KAFKA_VERSION:=3.9.1}"
KAFKA_STARTED=0
kafka_up() {
  local st
  st=$("$BROKER" status kafka 2>/dev/null || true)
  if ! grep -q "running" <<<"$st" || ! grep -q "$KAFKA_BROKERS broker" <<<"$st" ||
     ! grep -q "Kafka $KAFKA_VERSION" <<<"$st"; then
    "$BROKER" stop kafka >/dev/null 2>&1 || true
    "$BROKER" start kafka --brokers "$KAFKA_BROKERS" --version "$KAFKA_VERSION" ||
      fail "could not start Kafka"
    KAFKA_STARTED=1
    kafka_warm_up
  fi
  KAFKA_DIR="${OMB_BROKER_DIR:-/tmp/omb-brokers}/kafka"
  KAFKA_LIBS=$(ls -d "${OMB_KAFKA_CACHE:-$HOME/.cache/omb/kafka}"/*/libs | grep -F "$KAFKA_VERSION" | head -1)
  KCAT=$(command -v kcat || command -v kafkacat)
}
# A fresh broker answers long before it is warm: its first minute (JIT, first log segments)
# made 400-1300 of 2000 msg/s with seconds of publish latency, with omb's current and earlier
# binaries alike. The tests measure omb, not a cold JVM: 20 s of load first, result unused.
kafka_warm_up() {
  mkdir -p "$WORK/warm-up"
  (cd "$WORK/warm-up" && kafka_driver k.yaml &&
    printf 'name: warm-up\ntopics: 1\npartitionsPerTopic: 3\nmessageSize: 1024\nproducerRate: 2000\ntestDurationMinutes: 0.25\nwarmupDurationMinutes: 0.05\n' > w.yaml &&
    "$OMB" run -d k.yaml -o warm.json w.yaml > warm.log 2>&1) ||
    { cat "$WORK/warm-up/warm.log"; fail "the warm-up run on the new Kafka broker failed"; }
}
# A trap that runs this before stop_all_pids (which exits with $?) must keep the status
# itself, and must not stop at a failure under set -e: see kafka_and_pids_down.
kafka_down() { [ "$KAFKA_STARTED" = 1 ] && "$BROKER" stop kafka >/dev/null 2>&1 || true; }
# The EXIT trap of a test that also uses dist_lib.sh: Kafka down, then the test's processes
# stopped, and the test's own exit status kept (a failed test stays failed).
kafka_and_pids_down() {
  local rc=$?
  set +e
  kafka_down
  (exit "$rc")
  stop_all_pids
}
trap 'kafka_down; rm -rf "$WORK"' EXIT

# omb's topics on the cluster (test-topic-*), one per line.
kafka_topics() { "$KCAT" -L -b 127.0.0.1:9092 2>/dev/null | sed -n 's/^ *topic "\(test-topic-[^"]*\)".*/\1/p' | sort; }
# Partitions of topic $1.
kafka_partitions() { "$KCAT" -L -b 127.0.0.1:9092 -t "$1" 2>/dev/null | sed -n 's/.*with \([0-9]*\) partitions.*/\1/p'; }
# Messages in partition $2 of topic $1.
kafka_count() { "$KCAT" -C -b 127.0.0.1:9092 -t "$1" -p "$2" -e -q -f '.\n' 2>/dev/null | wc -l; }
# Bytes of log segments the broker(s) keep for topic $1 (all partitions and replicas; the
# preallocated index files left out).
kafka_bytes() { cat "$KAFKA_DIR"/node-*/data/"$1"-*/*.log 2>/dev/null | wc -c; }
# Topics created since the list in file $1 (from kafka_topics > FILE).
kafka_new_topics() { kafka_topics | comm -13 "$1" -; }
# One topic's configuration as Kafka's own admin tool describes it.
kafka_describe_config() {
  java -cp "$KAFKA_LIBS/*" kafka.admin.ConfigCommand --bootstrap-server 127.0.0.1:9092 \
    --entity-type topics --entity-name "$1" --describe 2>/dev/null
}
# A driver file for the running cluster; extra producerConfig lines from $2.
kafka_driver() {
  local file=$1 producer=${2:-}
  cat > "$file" <<Y
name: Kafka
driverClass: io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver
replicationFactor: 1
topicConfig: |
  retention.ms=600000
commonConfig: |
  bootstrap.servers=localhost:9092
producerConfig: |
  acks=all
  linger.ms=1
$(printf '%s\n' "$producer" | sed 's/^/  /')
consumerConfig: |
  auto.offset.reset=earliest
  enable.auto.commit=false
Y
}
