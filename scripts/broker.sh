#!/usr/bin/env bash
# Starts and stops real local brokers for omb's tests and users: Kafka (KRaft, from Maven
# Central), RabbitMQ, NATS JetStream, Redis and Mosquitto, each on 127.0.0.1 and its
# standard port, so OMB's own driver files work unchanged. See --help and docs/brokers.md.
set -euo pipefail

export PATH="$PATH:/usr/sbin:/sbin"   # nats-server, rabbitmq and mosquitto live in /usr/sbin
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_ROOT="${OMB_BROKER_DIR:-/tmp/omb-brokers}"
KAFKA_CACHE="${OMB_KAFKA_CACHE:-$HOME/.cache/omb/kafka}"
KAFKA_POM="$SCRIPT_DIR/kafka/pom.xml"
KAFKA3_DEFAULT=3.9.1
KAFKA4_DEFAULT=4.1.1
KAFKA_HEAP="${OMB_KAFKA_HEAP:--Xms256m -Xmx768m}"
ALL_NAMES=(kafka rabbitmq nats redis mosquitto)
STOP_WAIT=15          # seconds between TERM and KILL
RABBIT_NODE=omb@localhost

usage() {
  cat <<'EOF'
Usage: scripts/broker.sh COMMAND NAME [K] [options]

Real local brokers for omb, on 127.0.0.1 and their standard ports:
  kafka 9092 (9093, 9094)   rabbitmq 5672   nats 4222 (4223, 4224)   redis 6379   mosquitto 1883

Commands:
  start NAME [options]   start NAME (fresh data) and wait until it is ready; prints one line
                         with its address. Already running: says so, exits 0.
  stop NAME|all          stop it by PID (TERM, up to 15 s, then KILL) and delete its data.
                         Not running: says so, exits 0.
  status NAME|all        prints running/stopped; exit 0 running, 1 stopped, 2 partly running
                         (a cluster with nodes down). 'status all' exits 0 if any is running.
  restart NAME [K]       graceful stop of NAME (or of its node K) keeping the data, then start
                         it again and wait until ready (fault tests: broker restart mid-run).
  kill-node NAME [K]     kill -9 node K (default 1) keeping its data (fault tests: crash).
  start-node NAME [K]    start node K (default 1) again on its existing data, wait until ready.

Options (start):
  --brokers N            kafka: 1 or 3 combined broker+controller nodes (default 1)
  --version V            kafka: 3.9.1 (default), 4.x (= 4.1.1) or an exact X.Y.Z
  --nodes N              nats: 1 or 3 JetStream cluster nodes (default 1)
  --timeout S            readiness wait (default 60 s for kafka and rabbitmq, 10 s for others)

Environment:
  OMB_BROKER_DIR   state dir (default /tmp/omb-brokers); NAME's data, PID and log files
                   are under OMB_BROKER_DIR/NAME/
  OMB_KAFKA_CACHE  Kafka jar cache (default ~/.cache/omb/kafka), jars in <version>/libs/
  OMB_KAFKA_HEAP   JVM heap flags per Kafka node (default "-Xms256m -Xmx768m")

Kafka: node K listens on 127.0.0.1:(9091+K) (broker) and 127.0.0.1:(19091+K) (controller).
NATS: node K: client 4221+K, monitoring 8221+K, cluster routes 6221+K.
Missing Debian packages (rabbitmq-server, nats-server, redis-server, redis-tools, mosquitto,
mosquitto-clients, openjdk-17-jdk-headless, maven, kcat, curl) are installed with apt-get.

Examples:
  scripts/broker.sh start kafka --brokers 3
  scripts/broker.sh start kafka --version 4.x
  scripts/broker.sh kill-node kafka 2 && scripts/broker.sh start-node kafka 2
  scripts/broker.sh start nats --nodes 3
  scripts/broker.sh restart rabbitmq
  scripts/broker.sh stop all
EOF
}

err() { echo "broker.sh: $*" >&2; }
die() { err "$*"; exit 1; }

# ---------------------------------------------------------------------------------------
# packages

APT_UPDATED=0
ensure_pkgs() {  # ensure_pkgs PKG... : apt-get install the missing ones
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  [[ $(id -u) -eq 0 ]] || die "missing packages ${missing[*]}: run as root or 'sudo apt-get install ${missing[*]}'"
  echo "Installing ${missing[*]} with apt-get ..." >&2
  if ((APT_UPDATED == 0)); then apt-get update -qq; APT_UPDATED=1; fi
  # Keep the packages' maintainer scripts from starting system services on the standard ports.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made_policy=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null || rc=$?
  ((made_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"
}

kcat_bin() {
  if command -v kcat >/dev/null; then echo kcat
  elif command -v kafkacat >/dev/null; then echo kafkacat
  else ensure_pkgs kcat; echo kcat
  fi
}

# ---------------------------------------------------------------------------------------
# processes

pid_of() { [[ -s $1 ]] && tr -dc '0-9' <"$1"; }

pid_alive() {  # pid_alive PID : running and not a zombie
  local pid=$1 st
  [[ -n $pid ]] && [[ -r /proc/$pid/stat ]] || return 1
  st=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $st != Z && $st != X ]]
}

pidfile_alive() {  # pidfile_alive PIDFILE [PATTERN] : its process runs (and its command line has PATTERN)
  local pid
  pid=$(pid_of "$1") || return 1
  pid_alive "$pid" || return 1
  [[ -n ${2:-} ]] || return 0
  # The command line is briefly empty while a process execs or retitles itself (redis).
  local i
  for i in 1 2 3 4 5; do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" && return 0
    pid_alive "$pid" || return 1
    sleep 0.05
  done
  return 1
}

# spawn PIDFILE LOGFILE CMD... : runs CMD in its own session, detached from this shell,
# stdout and stderr appended to LOGFILE, its PID in PIDFILE.
spawn() {
  local pidfile=$1 log=$2 i
  shift 2
  rm -f "$pidfile"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  for i in $(seq 100); do [[ -s $pidfile ]] && return 0; sleep 0.05; done
  echo $! >"$pidfile"
}

# kill_pidfiles SIGNAL PIDFILE... : signal every live process, wait (up to STOP_WAIT s after
# TERM), KILL the rest, remove the PID files.
kill_pidfiles() {
  local sig=$1 f pid pids=() i left
  shift
  for f in "$@"; do
    pid=$(pid_of "$f") || continue
    if pid_alive "$pid"; then kill "-$sig" "$pid" 2>/dev/null || true; pids+=("$pid"); fi
  done
  if ((${#pids[@]})); then
    for ((i = 0; i < STOP_WAIT * 5; i++)); do
      left=0
      for pid in "${pids[@]}"; do pid_alive "$pid" && left=1; done
      ((left)) || break
      sleep 0.2
    done
    for pid in "${pids[@]}"; do
      if pid_alive "$pid"; then
        err "PID $pid did not stop within ${STOP_WAIT} s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done
    for ((i = 0; i < 50; i++)); do
      left=0
      for pid in "${pids[@]}"; do pid_alive "$pid" && left=1; done
      ((left)) || break
      sleep 0.1
    done
  fi
  rm -f "$@"
}

port_busy() {  # something listens on 127.0.0.1 (or any address) at port $1
  if command -v ss >/dev/null; then ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; fi
}

check_ports_free() {  # check_ports_free NAME PORT... : fail when another process holds a port
  local name=$1 p
  shift
  for p in "$@"; do
    if port_busy "$p"; then
      die "cannot start $name: port $p is already in use by another process (see: ss -ltnp 'sport = :$p')"
    fi
  done
}

# fail_start NAME LOG... : one clear sentence, the logs' tails, stop what was started, exit 1.
fail_start() {
  local name=$1 f logs=()
  shift
  for f in "$@"; do [[ -s $f ]] && logs+=("$f"); done
  ((${#logs[@]})) || logs=("$1")
  err "$name failed to start; see its log file${logs[1]:+s} ${logs[*]}"
  for f in "${logs[@]}"; do
    [[ -s $f ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 15 "$f" >&2
  done
  if ((${#CLEANUP_PIDFILES[@]})); then   # start-node/restart: stop only what it started
    kill_pidfiles TERM "${CLEANUP_PIDFILES[@]}" >/dev/null 2>&1 || true
  else
    STOP_QUIET=1 "${name}_stop" >/dev/null 2>&1 || true
  fi
  exit 1
}

STOP_QUIET=0
CLEANUP_PIDFILES=()
now() { date +%s; }

# ---------------------------------------------------------------------------------------
# kafka: node K in $D/node-K (server.properties, log config, server.log, console.log,
# kafka.pid, data/); cluster.env records version, broker count, cluster id, libs.

kafka_dir() { echo "$STATE_ROOT/kafka"; }
kafka_port() { echo $((9091 + $1)); }
kafka_cport() { echo $((19091 + $1)); }

kafka_version() {
  case "${1:-}" in
    "" | 3 | 3.x | 3.9 | 3.9.x) echo "$KAFKA3_DEFAULT" ;;
    4 | 4.x) echo "$KAFKA4_DEFAULT" ;;
    [0-9]*.[0-9]*.[0-9]*) echo "$1" ;;
    *) die "unknown Kafka version '$1': give an exact version (e.g. 3.9.1, 4.1.1), 3.x or 4.x" ;;
  esac
}

jar_version() {  # jar_version DIR ARTIFACT : version of DIR/ARTIFACT-<version>.jar, or nothing
  local f
  for f in "$1/$2"-[0-9]*.jar; do
    [[ -f $f ]] || continue
    f=${f##*/}; f=${f#"$2"-}; echo "${f%.jar}"; return 0
  done
}

# kafka_fetch V : jars of Kafka V (+ a logging binding) in $KAFKA_CACHE/V/libs
kafka_fetch() {
  local v=$1 dir="$KAFKA_CACHE/$1" libs="$KAFKA_CACHE/$1/libs" t0 core slf prof=() rc=0
  [[ -f $dir/.complete ]] && return 0
  ensure_pkgs openjdk-17-jdk-headless maven
  [[ -f $KAFKA_POM ]] || die "missing $KAFKA_POM"
  rm -rf "$libs"
  mkdir -p "$dir"
  echo "Fetching Kafka $v from Maven Central into $libs ..." >&2
  t0=$(now)
  mvn -B -q -Dstyle.color=never -f "$KAFKA_POM" "-Dkafka.version=$v" dependency:copy-dependencies \
    "-DoutputDirectory=$libs" >"$dir/mvn.log" 2>&1 || rc=$?
  if ((rc == 0)); then
    # Kafka 4.x brings log4j2 (log4j-core) and wants its slf4j binding; 3.x uses reload4j.
    core=$(jar_version "$libs" log4j-core)
    slf=$(jar_version "$libs" slf4j-api)
    if [[ -n $core ]]; then
      prof=(-Plog-log4j2 "-Dlog4j2.version=$core")
      [[ $slf == 1.* ]] || prof+=(-Dlog4j2.slf4j.artifactId=log4j-slf4j2-impl)
      echo log4j2 >"$dir/logging"
    else
      prof=(-Plog-reload4j "-Dslf4j.version=${slf:-1.7.36}")
      echo reload4j >"$dir/logging"
    fi
    rm -rf "$libs"   # the second pass copies the whole set again, binding included
    mvn -B -q -Dstyle.color=never -f "$KAFKA_POM" "-Dkafka.version=$v" "${prof[@]}" dependency:copy-dependencies \
      "-DoutputDirectory=$libs" >>"$dir/mvn.log" 2>&1 || rc=$?
  fi
  if ((rc != 0)) || [[ ! -f $libs/kafka_2.13-$v.jar ]]; then
    err "could not fetch Kafka $v with Maven (is it on Maven Central as org.apache.kafka:kafka_2.13:$v?); see $dir/mvn.log"
    grep -m 3 -E "ERROR|BUILD" "$dir/mvn.log" >&2 || tail -n 15 "$dir/mvn.log" >&2
    exit 1
  fi
  touch "$dir/.complete"
  echo "Fetched Kafka $v: $(ls "$libs" | wc -l) jars, $(du -sh "$libs" | cut -f1), $(($(now) - t0)) s" >&2
}

kafka_load_env() {  # sets V N CID LIBS LOGGING from cluster.env
  local f
  f="$(kafka_dir)/cluster.env"
  [[ -f $f ]] || return 1
  # shellcheck disable=SC1090
  . "$f"
}

kafka_node_alive() { pidfile_alive "$(kafka_dir)/node-$1/kafka.pid" kafka.Kafka; }

kafka_running_nodes() {  # prints the K of each node whose process runs
  local d k
  for d in "$(kafka_dir)"/node-*; do
    [[ -d $d ]] || continue
    k=${d##*-}
    kafka_node_alive "$k" && echo "$k"
  done
  return 0
}

kafka_write_config() {  # kafka_write_config K
  local k=$1 nd voters="" i
  nd="$(kafka_dir)/node-$k"
  mkdir -p "$nd/data"
  for ((i = 1; i <= N; i++)); do voters+="${voters:+,}$i@127.0.0.1:$(kafka_cport "$i")"; done
  cat >"$nd/server.properties" <<EOF
# Written by scripts/broker.sh: Kafka $V, KRaft node $k of $N (combined broker+controller).
process.roles=broker,controller
node.id=$k
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(kafka_port "$k"),CONTROLLER://127.0.0.1:$(kafka_cport "$k")
advertised.listeners=PLAINTEXT://127.0.0.1:$(kafka_port "$k")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$nd/data
num.partitions=1
offsets.topic.replication.factor=$N
transaction.state.log.replication.factor=$N
transaction.state.log.min.isr=$((N < 2 ? N : 2))
group.initial.rebalance.delay.ms=0
EOF
  if [[ $LOGGING == log4j2 ]]; then
    cat >"$nd/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $nd/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF
  else
    cat >"$nd/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$nd/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
EOF
  fi
}

kafka_jcmd() {  # kafka_jcmd K [HEAP] : JCMD=(java ... -cp LIBS/*) for node K
  local nd logcfg heap=${2:-$KAFKA_HEAP}
  nd="$(kafka_dir)/node-$1"
  if [[ $LOGGING == log4j2 ]]; then logcfg="-Dlog4j2.configurationFile=file:$nd/log4j2.properties"
  else logcfg="-Dlog4j.configuration=file:$nd/log4j.properties"; fi
  # shellcheck disable=SC2206
  JCMD=(java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
        -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
        "$logcfg" -cp "$LIBS/*")
}

kafka_spawn_node() {  # kafka_spawn_node K : start node K on its data dir
  local nd
  nd="$(kafka_dir)/node-$1"
  check_ports_free kafka "$(kafka_port "$1")" "$(kafka_cport "$1")"
  kafka_jcmd "$1"
  spawn "$nd/kafka.pid" "$nd/console.log" "${JCMD[@]}" kafka.Kafka "$nd/server.properties"
}

kafka_metadata_brokers() {  # kafka_metadata_brokers PORT : broker ids listed by that broker
  timeout 6 "$KCAT" -L -b "127.0.0.1:$1" -m 4 2>/dev/null |
    sed -nE 's/^ +broker ([0-9]+) at .*/\1/p' || true
}

# kafka_wait K... : wait until each given node answers metadata listing every running node
# (all N after 'start'; metadata lists only registered, unfenced brokers).
kafka_wait() {
  local deadline=$(($(now) + TIMEOUT)) k i ok ids want logs=()
  for k in "$@"; do logs+=("$(kafka_dir)/node-$k/server.log" "$(kafka_dir)/node-$k/console.log"); done
  while :; do
    ok=1
    want=$(kafka_running_nodes)
    for k in "$@"; do
      kafka_node_alive "$k" || fail_start kafka "${logs[@]}"
      ids=$(kafka_metadata_brokers "$(kafka_port "$k")")
      for i in $want; do grep -qx "$i" <<<"$ids" || ok=0; done
    done
    ((ok)) && return 0
    if (($(now) >= deadline)); then
      err "kafka was not ready within $TIMEOUT s (metadata did not list every running broker:" $want")"
      fail_start kafka "${logs[@]}"
    fi
    sleep 0.5
  done
}

kafka_servers() {
  local s="" i
  for ((i = 1; i <= N; i++)); do s+="${s:+,}127.0.0.1:$(kafka_port "$i")"; done
  echo "$s"
}

kafka_ready_line() {
  echo "kafka ready: bootstrap.servers=$(kafka_servers) (Kafka $V, $N broker$( ((N > 1)) && echo s))"
}

kafka_start() {
  local D want_v want_n k pids=() rc running
  D=$(kafka_dir)
  want_v=$(kafka_version "$OPT_VERSION")
  want_n=${OPT_BROKERS:-1}
  [[ $want_n =~ ^[1-3]$ ]] || die "--brokers must be 1, 2 or 3 (got '$want_n')"
  running=$(kafka_running_nodes | wc -l)
  if ((running > 0)); then
    kafka_load_env || die "kafka processes run but $D/cluster.env is missing; stop kafka first"
    if ((running < N)); then
      die "kafka is partly running ($running of $N nodes up); use 'start-node kafka K' or 'stop kafka'"
    fi
    if { [[ -n $OPT_VERSION ]] && [[ $want_v != "$V" ]]; } || { [[ -n $OPT_BROKERS ]] && ((want_n != N)); }; then
      die "kafka is already running as Kafka $V with $N broker(s), not as requested; stop it first"
    fi
    echo "kafka already running: bootstrap.servers=$(kafka_servers) (Kafka $V, $N broker$( ((N > 1)) && echo s))"
    return 0
  fi
  V=$want_v N=$want_n
  for ((k = 1; k <= N; k++)); do check_ports_free kafka "$(kafka_port "$k")" "$(kafka_cport "$k")"; done
  KCAT=$(kcat_bin)
  ensure_pkgs openjdk-17-jdk-headless
  kafka_fetch "$V"
  LIBS="$KAFKA_CACHE/$V/libs"
  LOGGING=$(cat "$KAFKA_CACHE/$V/logging")
  rm -rf "$D"
  mkdir -p "$D"
  CID=""
  while [[ -z $CID || $CID == -* ]]; do
    CID=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  printf 'V=%q\nN=%q\nCID=%q\nLIBS=%q\nLOGGING=%q\n' "$V" "$N" "$CID" "$LIBS" "$LOGGING" >"$D/cluster.env"
  for ((k = 1; k <= N; k++)); do
    kafka_write_config "$k"
    kafka_jcmd "$k" -Xmx256m
    "${JCMD[@]}" kafka.tools.StorageTool format -t "$CID" -c "$D/node-$k/server.properties" \
      >"$D/node-$k/format.log" 2>&1 </dev/null &
    pids+=($!)
  done
  for ((k = 1; k <= N; k++)); do
    rc=0
    wait "${pids[k - 1]}" || rc=$?
    ((rc == 0)) || fail_start kafka "$D/node-$k/format.log"
  done
  for ((k = 1; k <= N; k++)); do kafka_spawn_node "$k"; done
  kafka_wait $(seq 1 "$N")
  kafka_ready_line
}

kafka_stop() {
  local D f=()
  D=$(kafka_dir)
  if [[ -n $(kafka_running_nodes) ]]; then
    shopt -s nullglob
    f=("$D"/node-*/kafka.pid)
    shopt -u nullglob
    kill_pidfiles TERM "${f[@]}"
    rm -rf "$D"/node-*/data
    ((STOP_QUIET)) || echo "kafka stopped"
  else
    rm -rf "$D"/node-*/data "$D"/node-*/kafka.pid
    ((STOP_QUIET)) || echo "kafka not running"
  fi
  rm -f "$D/cluster.env"
}

kafka_status() {
  local up
  if ! kafka_load_env; then
    [[ -z $(kafka_running_nodes) ]] || { echo "kafka running (unknown config)"; return 0; }
    echo "kafka stopped"; return 1
  fi
  up=$(kafka_running_nodes | tr '\n' ' ')
  up=${up% }
  if [[ -z $up ]]; then echo "kafka stopped"; return 1; fi
  if (($(wc -w <<<"$up") == N)); then
    echo "kafka running: bootstrap.servers=$(kafka_servers) (Kafka $V, $N broker$( ((N > 1)) && echo s))"
    return 0
  fi
  echo "kafka partly running: nodes up: $up of 1..$N (Kafka $V)"
  return 2
}

kafka_check_node() {  # kafka_check_node K
  kafka_load_env || die "kafka is not running (no cluster started with 'start kafka')"
  [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= N)) || die "kafka node must be 1..$N (got '$1')"
}

kafka_kill_node() {
  kafka_check_node "$1"
  if ! kafka_node_alive "$1"; then echo "kafka node $1 is already down"; return 0; fi
  kill_pidfiles KILL "$(kafka_dir)/node-$1/kafka.pid"
  echo "kafka node $1 killed (kill -9; data kept in $(kafka_dir)/node-$1/data)"
}

kafka_start_node() {
  local t0
  kafka_check_node "$1"
  if kafka_node_alive "$1"; then echo "kafka node $1 already running"; return 0; fi
  [[ -d $(kafka_dir)/node-$1/data ]] || die "kafka node $1 has no data dir; start kafka first"
  KCAT=$(kcat_bin)
  t0=$(now)
  CLEANUP_PIDFILES=("$(kafka_dir)/node-$1/kafka.pid")
  kafka_spawn_node "$1"
  kafka_wait "$1"
  echo "kafka node $1 ready: 127.0.0.1:$(kafka_port "$1") ($(($(now) - t0)) s, Kafka $V)"
}

kafka_restart() {
  local k nodes=() f=()
  kafka_load_env || die "kafka is not running"
  if [[ -n ${1:-} ]]; then
    kafka_check_node "$1"; nodes=("$1")
  else
    mapfile -t nodes < <(seq 1 "$N")
  fi
  for k in "${nodes[@]}"; do f+=("$(kafka_dir)/node-$k/kafka.pid"); done
  kill_pidfiles TERM "${f[@]}"
  CLEANUP_PIDFILES=("${f[@]}")
  KCAT=$(kcat_bin)
  for k in "${nodes[@]}"; do kafka_spawn_node "$k"; done
  kafka_wait "${nodes[@]}"
  if [[ -n ${1:-} ]]; then echo "kafka node $1 restarted: 127.0.0.1:$(kafka_port "$1")"
  else kafka_ready_line; fi
}

# ---------------------------------------------------------------------------------------
# nats: node K in $D/node-K (nats.log, console.log, nats.pid, data/); nodes.env records N.

nats_dir() { echo "$STATE_ROOT/nats"; }
nats_port() { echo $((4221 + $1)); }
nats_mport() { echo $((8221 + $1)); }
nats_cport() { echo $((6221 + $1)); }
nats_node_alive() { pidfile_alive "$(nats_dir)/node-$1/nats.pid" nats-server; }
nats_load_env() { [[ -f $(nats_dir)/nodes.env ]] && . "$(nats_dir)/nodes.env"; }
nats_running_nodes() {
  local d
  for d in "$(nats_dir)"/node-*; do
    [[ -d $d ]] || continue
    nats_node_alive "${d##*-}" && echo "${d##*-}"
  done
  return 0
}

nats_spawn_node() {
  local k=$1 nd routes="" i args
  nd="$(nats_dir)/node-$k"
  mkdir -p "$nd/data"
  check_ports_free nats "$(nats_port "$k")" "$(nats_mport "$k")"
  args=(-js -a 127.0.0.1 -p "$(nats_port "$k")" -m "$(nats_mport "$k")" -sd "$nd/data"
        -n "n$k" -l "$nd/nats.log")
  if ((N > 1)); then
    check_ports_free nats "$(nats_cport "$k")"
    for ((i = 1; i <= N; i++)); do
      ((i == k)) || routes+="${routes:+,}nats://127.0.0.1:$(nats_cport "$i")"
    done
    args+=(--cluster "nats://127.0.0.1:$(nats_cport "$k")" --cluster_name omb --routes "$routes")
  fi
  spawn "$nd/nats.pid" "$nd/console.log" nats-server "${args[@]}"
}

nats_urls() {
  local s="" i
  for ((i = 1; i <= N; i++)); do s+="${s:+,}nats://127.0.0.1:$(nats_port "$i")"; done
  echo "$s"
}

NATS_LEADER=""
nats_wait() {  # nats_wait K... : healthz ok on each node (and a JetStream meta leader if clustered)
  local deadline=$(($(now) + TIMEOUT)) k ok logs=() jsz
  for k in "$@"; do logs+=("$(nats_dir)/node-$k/nats.log" "$(nats_dir)/node-$k/console.log"); done
  while :; do
    ok=1
    for k in "$@"; do
      nats_node_alive "$k" || fail_start nats "${logs[@]}"
      curl -sf -m 2 "http://127.0.0.1:$(nats_mport "$k")/healthz" >/dev/null 2>&1 || ok=0
      if ((ok && N > 1)); then
        jsz=$(curl -sf -m 2 "http://127.0.0.1:$(nats_mport "$k")/jsz" 2>/dev/null || true)
        NATS_LEADER=$(grep -oE '"leader": *"[^"]+"' <<<"$jsz" | head -1 | sed -E 's/.*"([^"]+)"$/\1/' || true)
        [[ -n $NATS_LEADER ]] || ok=0
      fi
    done
    ((ok)) && return 0
    if (($(now) >= deadline)); then
      err "nats was not ready within $TIMEOUT s"
      fail_start nats "${logs[@]}"
    fi
    sleep 0.2
  done
}

nats_ready_line() {
  if ((N > 1)); then
    echo "nats ready: $(nats_urls) (JetStream cluster omb, $N nodes, meta leader $NATS_LEADER)"
  else
    echo "nats ready: $(nats_urls) (JetStream, 1 node)"
  fi
}

nats_start() {
  local D running want_n k
  D=$(nats_dir)
  want_n=${OPT_NODES:-1}
  [[ $want_n =~ ^[1-3]$ ]] || die "--nodes must be 1, 2 or 3 (got '$want_n')"
  running=$(nats_running_nodes | wc -l)
  if ((running > 0)); then
    nats_load_env || N=$running
    ((running == N)) || die "nats is partly running ($running of $N nodes up); use 'start-node nats K' or 'stop nats'"
    if [[ -n $OPT_NODES ]] && ((want_n != N)); then
      die "nats is already running with $N node(s), not $want_n; stop it first"
    fi
    echo "nats already running: $(nats_urls) ($N node$( ((N > 1)) && echo s))"
    return 0
  fi
  N=$want_n
  for ((k = 1; k <= N; k++)); do
    check_ports_free nats "$(nats_port "$k")" "$(nats_mport "$k")"
    ((N == 1)) || check_ports_free nats "$(nats_cport "$k")"
  done
  ensure_pkgs nats-server curl
  rm -rf "$D"
  mkdir -p "$D"
  echo "N=$N" >"$D/nodes.env"
  for ((k = 1; k <= N; k++)); do nats_spawn_node "$k"; done
  nats_wait $(seq 1 "$N")
  nats_ready_line
}

nats_stop() {
  local D f=()
  D=$(nats_dir)
  if [[ -n $(nats_running_nodes) ]]; then
    shopt -s nullglob; f=("$D"/node-*/nats.pid); shopt -u nullglob
    kill_pidfiles TERM "${f[@]}"
    ((STOP_QUIET)) || echo "nats stopped"
  else
    ((STOP_QUIET)) || echo "nats not running"
  fi
  rm -rf "$D"/node-*/data "$D"/node-*/nats.pid "$D/nodes.env"
}

nats_status() {
  local up
  up=$(nats_running_nodes | tr '\n' ' '); up=${up% }
  if [[ -z $up ]]; then echo "nats stopped"; return 1; fi
  nats_load_env || N=$(wc -w <<<"$up")
  if (($(wc -w <<<"$up") == N)); then echo "nats running: $(nats_urls) ($N node$( ((N > 1)) && echo s))"; return 0; fi
  echo "nats partly running: nodes up: $up of 1..$N"
  return 2
}

nats_check_node() {
  nats_load_env || die "nats is not running (no cluster started with 'start nats')"
  [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= N)) || die "nats node must be 1..$N (got '$1')"
}

nats_kill_node() {
  nats_check_node "$1"
  if ! nats_node_alive "$1"; then echo "nats node $1 is already down"; return 0; fi
  kill_pidfiles KILL "$(nats_dir)/node-$1/nats.pid"
  echo "nats node $1 killed (kill -9; data kept in $(nats_dir)/node-$1/data)"
}

nats_start_node() {
  local t0
  nats_check_node "$1"
  if nats_node_alive "$1"; then echo "nats node $1 already running"; return 0; fi
  t0=$(now)
  CLEANUP_PIDFILES=("$(nats_dir)/node-$1/nats.pid")
  nats_spawn_node "$1"
  nats_wait "$1"
  echo "nats node $1 ready: nats://127.0.0.1:$(nats_port "$1") ($(($(now) - t0)) s)"
}

nats_restart() {
  local k nodes=() f=()
  nats_load_env || die "nats is not running"
  if [[ -n ${1:-} ]]; then nats_check_node "$1"; nodes=("$1"); else mapfile -t nodes < <(seq 1 "$N"); fi
  for k in "${nodes[@]}"; do f+=("$(nats_dir)/node-$k/nats.pid"); done
  kill_pidfiles TERM "${f[@]}"
  CLEANUP_PIDFILES=("${f[@]}")
  for k in "${nodes[@]}"; do nats_spawn_node "$k"; done
  nats_wait "${nodes[@]}"
  if [[ -n ${1:-} ]]; then echo "nats node $1 restarted: nats://127.0.0.1:$(nats_port "$1")"
  else nats_ready_line; fi
}

# ---------------------------------------------------------------------------------------
# redis: $D/redis.pid, $D/redis.log, $D/console.log, $D/data/

redis_dir() { echo "$STATE_ROOT/redis"; }
redis_alive() { pidfile_alive "$(redis_dir)/redis.pid" redis-server; }

redis_spawn() {
  local D
  D=$(redis_dir)
  mkdir -p "$D/data"
  check_ports_free redis 6379
  spawn "$D/redis.pid" "$D/console.log" redis-server --bind 127.0.0.1 --port 6379 \
    --dir "$D/data" --daemonize no --save '' --appendonly no --protected-mode yes \
    --logfile "$D/redis.log"
}

redis_wait() {
  local D deadline=$(($(now) + TIMEOUT))
  D=$(redis_dir)
  while :; do
    redis_alive || fail_start redis "$D/redis.log" "$D/console.log"
    [[ $(timeout 3 redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]] && return 0
    if (($(now) >= deadline)); then
      err "redis was not ready within $TIMEOUT s"
      fail_start redis "$D/redis.log" "$D/console.log"
    fi
    sleep 0.1
  done
}

redis_ready_line() {
  local v
  v=$(redis-server --version | sed -nE 's/.*v=([0-9.]+).*/\1/p')
  echo "redis ready: 127.0.0.1:6379 (Redis $v)"
}

redis_start() {
  local D
  D=$(redis_dir)
  if redis_alive; then echo "redis already running: 127.0.0.1:6379"; return 0; fi
  check_ports_free redis 6379
  ensure_pkgs redis-server redis-tools
  rm -rf "$D"; mkdir -p "$D"
  redis_spawn
  # Seen once on a busy machine: redis-server gone at once with nothing in its logs. A
  # second try before giving up (the first one's output stays in console.log).
  if ! (redis_wait) 2>"$D/first-try.err"; then
    echo "broker.sh: redis did not come up at the first try; trying again" >&2
    sleep 1
    check_ports_free redis 6379
    redis_spawn
    redis_wait
  fi
  redis_ready_line
}

redis_stop() {
  local D
  D=$(redis_dir)
  if redis_alive; then
    kill_pidfiles TERM "$D/redis.pid"
    ((STOP_QUIET)) || echo "redis stopped"
  else
    ((STOP_QUIET)) || echo "redis not running"
  fi
  rm -rf "$D/data" "$D/redis.pid"
}

redis_status() {
  if redis_alive; then echo "redis running: 127.0.0.1:6379"; return 0; fi
  echo "redis stopped"; return 1
}

# ---------------------------------------------------------------------------------------
# mosquitto: $D/mosquitto.conf, $D/mosquitto.pid, $D/mosquitto.log, $D/console.log, $D/data/

mosquitto_dir() { echo "$STATE_ROOT/mosquitto"; }
mosquitto_alive() { pidfile_alive "$(mosquitto_dir)/mosquitto.pid" mosquitto; }

mosquitto_spawn() {
  local D
  D=$(mosquitto_dir)
  mkdir -p "$D/data"
  check_ports_free mosquitto 1883
  cat >"$D/mosquitto.conf" <<EOF
# Written by scripts/broker.sh
listener 1883 127.0.0.1
allow_anonymous true
# stay root when started as root, so it can write its data dir
user root
persistence true
persistence_location $D/data/
autosave_interval 60
# Persistent sessions keep up to 1e6 QoS 1/2 messages each (backlog tests); 0 would be
# "no limit"; max_queued_bytes 0 = no byte limit.
max_queued_messages 1000000
max_queued_bytes 0
# In-flight QoS 1/2 messages per client (MQTT 3.1.1); MQTT 5 clients set Receive Maximum.
max_inflight_messages 256
set_tcp_nodelay true
log_dest file $D/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
log_timestamp_format %Y-%m-%dT%H:%M:%S
EOF
  spawn "$D/mosquitto.pid" "$D/console.log" mosquitto -c "$D/mosquitto.conf"
}

MOSQ_VERSION=""
mosquitto_wait() {
  local D deadline=$(($(now) + TIMEOUT))
  D=$(mosquitto_dir)
  while :; do
    mosquitto_alive || fail_start mosquitto "$D/mosquitto.log" "$D/console.log"
    MOSQ_VERSION=$(timeout 4 mosquitto_sub -h 127.0.0.1 -p 1883 -t '$SYS/broker/version' -C 1 -W 2 2>/dev/null || true)
    [[ -n $MOSQ_VERSION ]] && return 0
    if (($(now) >= deadline)); then
      err "mosquitto was not ready within $TIMEOUT s"
      fail_start mosquitto "$D/mosquitto.log" "$D/console.log"
    fi
    sleep 0.2
  done
}

mosquitto_start() {
  local D
  D=$(mosquitto_dir)
  if mosquitto_alive; then echo "mosquitto already running: tcp://127.0.0.1:1883"; return 0; fi
  check_ports_free mosquitto 1883
  ensure_pkgs mosquitto mosquitto-clients
  rm -rf "$D"; mkdir -p "$D"
  mosquitto_spawn
  mosquitto_wait
  echo "mosquitto ready: tcp://127.0.0.1:1883 ($MOSQ_VERSION)"
}

mosquitto_stop() {
  local D
  D=$(mosquitto_dir)
  if mosquitto_alive; then
    kill_pidfiles TERM "$D/mosquitto.pid"
    ((STOP_QUIET)) || echo "mosquitto stopped"
  else
    ((STOP_QUIET)) || echo "mosquitto not running"
  fi
  rm -rf "$D/data" "$D/mosquitto.pid"
}

mosquitto_status() {
  if mosquitto_alive; then echo "mosquitto running: tcp://127.0.0.1:1883"; return 0; fi
  echo "mosquitto stopped"; return 1
}

# ---------------------------------------------------------------------------------------
# rabbitmq: $D/home (HOME, Erlang cookie), rabbitmq.conf, enabled_plugins, mnesia/, log/,
# rabbitmq.pid (the Erlang VM), server.pid (the rabbitmq-server script), epmd.pid,
# console.log. Run as the calling user (root), not through Debian's su wrappers.

RABBIT_BIN=/usr/lib/rabbitmq/bin
rabbit_dir() { echo "$STATE_ROOT/rabbitmq"; }

rabbit_env() {
  local D
  D=$(rabbit_dir)
  export HOME="$D/home"
  export RABBITMQ_CONF_ENV_FILE="$D/rabbitmq-env.conf"
  export RABBITMQ_NODENAME="$RABBIT_NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=5672
  export RABBITMQ_DIST_PORT=25672
  export RABBITMQ_MNESIA_BASE="$D/mnesia"
  export RABBITMQ_LOG_BASE="$D/log"
  export RABBITMQ_PID_FILE="$D/rabbitmq.pid"
  export RABBITMQ_CONFIG_FILE="$D/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$D/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$D/enabled_plugins"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT=4369
}

rabbit_ctl() {  # rabbit_ctl SECONDS ARGS... : rabbitmqctl against our node, bounded by timeout
  ( rabbit_env; cd "$HOME"; exec timeout "$1" "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" "${@:2}" )
}
rabbit_alive() { pidfile_alive "$(rabbit_dir)/rabbitmq.pid" beam || pidfile_alive "$(rabbit_dir)/server.pid"; }
rabbit_log() { echo "$(rabbit_dir)/log/$RABBIT_NODE.log"; }

rabbit_epmd() {  # our own epmd on 127.0.0.1:4369, unless one already listens there
  local D i
  D=$(rabbit_dir)
  pidfile_alive "$D/epmd.pid" epmd && return 0
  port_busy 4369 && return 0
  spawn "$D/epmd.pid" "$D/epmd.log" epmd -address 127.0.0.1 -port 4369
  for ((i = 0; i < 50; i++)); do port_busy 4369 && return 0; sleep 0.1; done
  fail_start rabbitmq "$D/epmd.log"
}

rabbit_spawn() {
  local D
  D=$(rabbit_dir)
  check_ports_free rabbitmq 5672 25672
  rabbit_epmd
  ( rabbit_env; cd "$HOME"; spawn "$D/server.pid" "$D/console.log" "$RABBIT_BIN/rabbitmq-server" )
}

rabbit_wait() {
  local D rc=0 deadline=$(($(now) + TIMEOUT)) left
  D=$(rabbit_dir)
  while [[ ! -s $D/rabbitmq.pid ]]; do
    pidfile_alive "$D/server.pid" || fail_start rabbitmq "$(rabbit_log)" "$D/console.log"
    (($(now) < deadline)) || { err "rabbitmq wrote no PID file within $TIMEOUT s"; fail_start rabbitmq "$(rabbit_log)" "$D/console.log"; }
    sleep 0.2
  done
  left=$((deadline - $(now)))
  ((left > 1)) || left=2
  rabbit_ctl $((left + 5)) wait --timeout "$left" "$D/rabbitmq.pid" >"$D/wait.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    err "rabbitmq was not ready within $TIMEOUT s (rabbitmqctl wait exit $rc; see $D/wait.log)"
    fail_start rabbitmq "$(rabbit_log)" "$D/console.log" "$D/wait.log"
  fi
}

rabbit_ready_line() {
  local v
  v=$(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null | sed -E 's/-.*//')
  echo "rabbitmq ready: amqp://guest:guest@127.0.0.1:5672/ (RabbitMQ ${v:-?}, node $RABBIT_NODE)"
}

rabbitmq_start() {
  local D
  D=$(rabbit_dir)
  if rabbit_alive; then echo "rabbitmq already running: amqp://127.0.0.1:5672/"; return 0; fi
  check_ports_free rabbitmq 5672 25672
  ensure_pkgs rabbitmq-server
  [[ -x $RABBIT_BIN/rabbitmq-server ]] || die "no $RABBIT_BIN/rabbitmq-server (Debian's rabbitmq-server package)"
  rm -rf "$D"
  mkdir -p "$D/home" "$D/mnesia" "$D/log"
  : >"$D/rabbitmq-env.conf"
  echo '[].' >"$D/enabled_plugins"
  echo '[].' >"$D/advanced.config"
  head -c 30 /dev/urandom | base64 | tr -dc 'A-Z' | head -c 20 >"$D/home/.erlang.cookie"
  printf 'OMBCOOKIE' >>"$D/home/.erlang.cookie"
  chmod 400 "$D/home/.erlang.cookie"
  cat >"$D/rabbitmq.conf" <<EOF
# Written by scripts/broker.sh
listeners.tcp.default = 127.0.0.1:5672
# guest/guest, from localhost only (RabbitMQ's default)
loopback_users.guest = true
log.console = false
log.file.level = info
EOF
  rabbit_spawn
  rabbit_wait
  rabbit_ready_line
}

rabbit_stop_node() {  # stop the node, keep its data
  local D
  D=$(rabbit_dir)
  if pidfile_alive "$D/rabbitmq.pid" beam; then
    rabbit_ctl 30 stop "$D/rabbitmq.pid" >>"$D/stop.log" 2>&1 || true
  fi
  kill_pidfiles TERM "$D/server.pid" "$D/rabbitmq.pid"
}

rabbitmq_stop() {
  local D was=0
  D=$(rabbit_dir)
  rabbit_alive && was=1
  [[ -d $D ]] && rabbit_stop_node
  [[ -f $D/epmd.pid ]] && kill_pidfiles TERM "$D/epmd.pid"
  rm -rf "$D/mnesia"
  if ((was)); then ((STOP_QUIET)) || echo "rabbitmq stopped"
  else ((STOP_QUIET)) || echo "rabbitmq not running"; fi
}

rabbitmq_status() {
  if rabbit_alive; then echo "rabbitmq running: amqp://127.0.0.1:5672/ (node $RABBIT_NODE)"; return 0; fi
  echo "rabbitmq stopped"; return 1
}

# ---------------------------------------------------------------------------------------
# single-node fault commands (rabbitmq, redis, mosquitto)

single_alive() {
  case $1 in rabbitmq) rabbit_alive ;; redis) redis_alive ;; mosquitto) mosquitto_alive ;; esac
}
single_pidfiles() {
  case $1 in
    rabbitmq) echo "$(rabbit_dir)/rabbitmq.pid $(rabbit_dir)/server.pid" ;;
    redis) echo "$(redis_dir)/redis.pid" ;;
    mosquitto) echo "$(mosquitto_dir)/mosquitto.pid" ;;
  esac
}
single_spawn_wait() {
  case $1 in
    rabbitmq) rabbit_spawn; rabbit_wait ;;
    redis) redis_spawn; redis_wait ;;
    mosquitto) mosquitto_spawn; mosquitto_wait ;;
  esac
}
single_data() {
  case $1 in rabbitmq) echo "$(rabbit_dir)/mnesia" ;; *) echo "$STATE_ROOT/$1/data" ;; esac
}
single_check_node() {
  [[ ${2:-1} == 1 ]] || die "$1 has a single node (1), not '$2'"
  [[ -d $(single_data "$1") ]] || die "$1 is not running (no data dir: start it first)"
}

single_kill_node() {
  single_check_node "$@"
  if ! single_alive "$1"; then echo "$1 is already down"; return 0; fi
  # shellcheck disable=SC2046
  kill_pidfiles KILL $(single_pidfiles "$1")
  echo "$1 killed (kill -9; data kept in $(single_data "$1"))"
}

single_start_node() {
  local t0
  single_check_node "$@"
  if single_alive "$1"; then echo "$1 already running"; return 0; fi
  t0=$(now)
  # shellcheck disable=SC2207
  CLEANUP_PIDFILES=($(single_pidfiles "$1"))
  single_spawn_wait "$1"
  echo "$1 ready again on its data ($(($(now) - t0)) s)"
}

single_restart() {
  local t0
  single_check_node "$@"
  t0=$(now)
  if [[ $1 == rabbitmq ]]; then rabbit_stop_node
  else
    # shellcheck disable=SC2046
    kill_pidfiles TERM $(single_pidfiles "$1")
  fi
  # shellcheck disable=SC2207
  CLEANUP_PIDFILES=($(single_pidfiles "$1"))
  single_spawn_wait "$1"
  echo "$1 restarted on its data ($(($(now) - t0)) s)"
}

# ---------------------------------------------------------------------------------------
# main

OPT_BROKERS="" OPT_VERSION="" OPT_NODES="" OPT_TIMEOUT=""
CMD=${1:-}
case $CMD in
  -h | --help | help | "") usage; exit 0 ;;
  start | stop | status | restart | kill-node | start-node) ;;
  *) err "unknown command '$CMD'"; usage >&2; exit 2 ;;
esac
shift
NAME=${1:-}
[[ -n $NAME ]] || die "missing broker name (one of: ${ALL_NAMES[*]} all)"
shift
NODE=""
while (($#)); do
  case $1 in
    --brokers) OPT_BROKERS=${2:?--brokers needs a value}; shift 2 ;;
    --brokers=*) OPT_BROKERS=${1#*=}; shift ;;
    --version) OPT_VERSION=${2:?--version needs a value}; shift 2 ;;
    --version=*) OPT_VERSION=${1#*=}; shift ;;
    --nodes) OPT_NODES=${2:?--nodes needs a value}; shift 2 ;;
    --nodes=*) OPT_NODES=${1#*=}; shift ;;
    --timeout) OPT_TIMEOUT=${2:?--timeout needs a value}; shift 2 ;;
    --timeout=*) OPT_TIMEOUT=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    [0-9]*) [[ -z $NODE ]] || die "unexpected argument '$1'"; NODE=$1; shift ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ -z $OPT_TIMEOUT || $OPT_TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"

case $NAME in
  kafka | rabbitmq) TIMEOUT=${OPT_TIMEOUT:-60} ;;
  nats | redis | mosquitto) TIMEOUT=${OPT_TIMEOUT:-10} ;;
  all) TIMEOUT=${OPT_TIMEOUT:-60} ;;
  *) die "unknown broker '$NAME' (one of: ${ALL_NAMES[*]} all)" ;;
esac

mkdir -p "$STATE_ROOT"
lock() {  # one command at a time per broker (fd 9; spawned brokers do not inherit it)
  command -v flock >/dev/null || return 0
  exec 9>"$STATE_ROOT/.$1.lock"
  flock -w 300 9 || die "another broker.sh command on $1 holds $STATE_ROOT/.$1.lock"
}

if [[ $NAME == all ]]; then
  case $CMD in
    stop) for n in "${ALL_NAMES[@]}"; do ( lock "$n"; "${n}_stop" ); done; exit 0 ;;
    status)
      any=1
      for n in "${ALL_NAMES[@]}"; do rc=0; "${n}_status" || rc=$?; ((rc == 1)) || any=0; done
      exit "$any" ;;
    *) die "'$CMD all' is not supported: only 'stop all' and 'status all'" ;;
  esac
fi

[[ $CMD == status ]] || lock "$NAME"
case $CMD in
  start) [[ -z $NODE ]] || die "start takes no node number (use start-node)"; "${NAME}_start" ;;
  stop) "${NAME}_stop" ;;
  status) rc=0; "${NAME}_status" || rc=$?; exit "$rc" ;;
  kill-node | start-node | restart)
    case $NAME in
      kafka | nats)
        case $CMD in
          kill-node) "${NAME}_kill_node" "${NODE:-1}" ;;
          start-node) "${NAME}_start_node" "${NODE:-1}" ;;
          restart) "${NAME}_restart" "$NODE" ;;
        esac ;;
      *)
        case $CMD in
          kill-node) single_kill_node "$NAME" "$NODE" ;;
          start-node) single_start_node "$NAME" "$NODE" ;;
          restart) single_restart "$NAME" "$NODE" ;;
        esac ;;
    esac ;;
esac
