# shellcheck shell=bash disable=SC2034,SC2154
# Sourced by bench/kafka.sh and bench/kafka_fault.sh: the local Kafka cluster
# (scripts/broker.sh) shared with other users of this machine, and Kafka's own Java tools.
# Needs: $root (the repository). Sets: KAFKA_STARTED, KAFKA_DESC, KAFKA_LIBS.

broker=$root/scripts/broker.sh
KAFKA_STARTED=0
KAFKA_DESC=

# kafka_acquire N [own]: a running N-broker Kafka cluster. Starts one when none runs. One of
# another size (or one partly up) belongs to someone else: wait for it to go, polling every
# 10 s for up to 5 minutes, never stopping it. With `own`, an N-broker cluster started by
# someone else is waited for too (a fault test must not kill other people's brokers).
kafka_acquire() {
  local n=$1 own=${2:-} st rc i out
  for ((i = 0; i <= 30; i++)); do
    rc=0
    st=$("$broker" status kafka 2>&1) || rc=$?
    if ((rc == 1)); then
      rc=0
      out=$("$broker" start kafka --brokers "$n" 2>&1) || rc=$?
      if ((rc == 0)) && [[ $out == *"kafka ready:"* ]]; then
        KAFKA_STARTED=1
        KAFKA_DESC=${out#kafka ready: }
        echo "$out" >&2
        return 0
      fi
      # Someone else started a cluster in between: look again.
      [[ $out == *"already running"* ]] || { echo "$out" >&2; return 1; }
      continue
    fi
    if ((rc == 0)) && [[ $st == *", $n broker"[s\)]* ]] && [[ -z $own ]]; then
      KAFKA_DESC=${st#kafka running: }
      echo "$st (already running: used as it is, and left running)" >&2
      return 0
    fi
    ((i == 0)) && echo "bench: waiting (up to 5 minutes) for another user's Kafka to stop: $st" >&2
    sleep 10
  done
  echo "bench: Kafka is still in use by someone else after 5 minutes ($st); giving up" >&2
  return 1
}

# kafka_release: stop the cluster if (and only if) this script started it.
kafka_release() {
  if ((KAFKA_STARTED)); then
    "$broker" stop kafka >/dev/null 2>&1 || true
    KAFKA_STARTED=0
  fi
}

# The Java tools: Kafka 3.9.1's jars as scripts/broker.sh caches them, run with the JVM flags
# of kafka-run-class.sh and the heap of kafka-producer-perf-test.sh; log4j warnings only,
# to stderr.
KAFKA_LIBS=${OMB_KAFKA_CACHE:-$HOME/.cache/omb/kafka}/${KAFKA_TOOLS_VERSION:-3.9.1}/libs
kafka_java_init() { # WORKDIR
  [ -f "$KAFKA_LIBS/kafka-tools-${KAFKA_TOOLS_VERSION:-3.9.1}.jar" ] || {
    echo "bench: no Kafka tools jar in $KAFKA_LIBS (scripts/broker.sh start kafka fetches it)" >&2
    return 1
  }
  printf '%s\n' 'log4j.rootLogger=WARN, stderr' \
    'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' \
    'log4j.appender.stderr.Target=System.err' \
    'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
    'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n' >"$1/tools-log4j.properties"
  KAFKA_JAVA=(java -Xmx512M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
    -Djava.awt.headless=true "-Dlog4j.configuration=file:$1/tools-log4j.properties"
    -cp "$KAFKA_LIBS/*")
}

# kafka_topic create|delete NAME [PARTITIONS]: kafka-topics.sh (org.apache.kafka.tools.TopicCommand).
kafka_topic() {
  local bs=${KAFKA_BOOTSTRAP:-127.0.0.1:9092}
  case $1 in
    create) timeout 120 "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" \
              --create --topic "$2" --partitions "${3:-1}" --replication-factor 1 >/dev/null ;;
    delete) timeout 120 "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" \
              --delete --if-exists --topic "$2" >/dev/null 2>&1 || true ;;
  esac
}
