#!/usr/bin/env bash
# `omb worker` under hostile HTTP clients (slow_clients.py, bounded in time, on 127.0.0.1):
# a sustained slowloris of 200 connections, hundreds of idle and kept-alive connections,
# from the coordinator's own address and from another one; the coordinator's requests must
# still be answered within seconds, a whole `omb run -w` included. Then malformed requests
# and driver bodies get the documented status codes (docs/distributed.md).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"
SLOW="python3 $here/slow_clients.py"

start_worker w
PORT=${URL_w##*:}
loopback_driver
cat > short.yaml <<'Y'
name: hostile
topics: 1
partitionsPerTopic: 1
messageSize: 100
subscriptionsPerTopic: 1
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 500
testDurationMinutes: 0.05
warmupDurationMinutes: 0
Y

# attack NAME ARGS...: slow_clients.py in the background until it printed "ready".
attack() {
  local name=$1
  shift
  $SLOW "$PORT" "$@" > "$name.out" 2>&1 &
  PIDS+=("$!")
  ATTACK=$!
  wait_for "$name.out" "^ready"
  echo "$name: $(head -n 1 "$name.out")"
}

# served WHAT: GET /counters-stats answered 200 within 3 s (up to 3 tries, 0.5 s apart:
# the worker makes room by closing the oldest idle connections every 250 ms). Prints the time.
served() {
  local t
  for _ in 1 2 3; do
    if t=$(curl -s -o /dev/null -m 3 -w '%{http_code} %{time_total}' "$URL_w/counters-stats") &&
       [ "${t%% *}" = 200 ]; then
      echo "$1: /counters-stats answered in ${t#* } s"
      return 0
    fi
    sleep 0.5
  done
  fail "$1: /counters-stats not answered ($t)"
}

# 1. A sustained slowloris from the coordinator's address: 200 connections whose headers
#    never end (a byte every 2 s), each replaced as soon as the worker closes it.
attack slow 200 25 slow --every 2 --reopen
for i in 1 2 3 4 5; do served "slowloris $i"; sleep 0.5; done
t0=$(date +%s.%N)
timeout 30 "$OMB" run -d loopback.yaml -w "$URL_w" --period 1 -o run.json short.yaml > run.log 2>&1 ||
  { cat run.log; fail "omb run -w failed under the slowloris"; }
echo "slowloris: omb run -w took $(echo "$(date +%s.%N) - $t0" | bc) s"
for i in 1 2 3; do served "slowloris, after the run $i"; done
kill "$ATTACK"
wait "$ATTACK" 2>/dev/null || true
grep -q "connection(s) closed so far that sent no complete request headers" worker-w.log ||
  fail "the worker did not close the slow connections"

# 2. 100 kept-alive idle connections (more than the old limit of 64), then 300 from the
#    same address (more than the per-address limit): a new client still gets in.
attack keep100 100 8 keep
served "100 idle keep-alive connections"
kill "$ATTACK"
attack keep300 300 8 keep
served "300 idle keep-alive connections"
kill "$ATTACK"

# 3. 300 connections that send nothing, from another address (127.0.0.2): the coordinator
#    on 127.0.0.1 is served at once, and they are closed within the header deadline (5 s).
attack idle 300 9 idle --source 127.0.0.2
served "300 silent connections from 127.0.0.2"
wait "$ATTACK" || true
grep -q "^closed-by-server 300" idle.out || { cat idle.out; fail "silent connections were not closed"; }

# 4. Malformed requests: an answer with an error status, and the worker keeps serving.
python3 - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
def ask(raw):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(raw)
    try:
        d = s.recv(200)
    except OSError:
        d = b""
    s.close()
    return d.split(b"\r\n", 1)[0].decode(errors="replace")
cases = [
    (b"\x01\x02 \x03 x\r\n\r\n", "400"),
    (b"GET /counters-stats HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", "400"),
    (b"GET /counters-stats HTTP/9.9\r\nHost: x\r\n\r\n", "505"),
]
for raw, want in cases:
    got = ask(raw)
    assert want in got, (raw, got)
    print(repr(raw[:40]), "->", got)
# A request line with no space at all: libmicrohttpd 0.9.75 closes without an answer
# (documented); the worker must survive it.
print(repr(b"GARBAGE"), "->", ask(b"GARBAGE\r\n\r\n") or "(closed, no answer)")
PY
served "after malformed requests"

# 5. /initialize-driver: a body that is not a valid driver file is 400, the driver's own
#    keys included (checked without connecting); a failure of the driver's start is 500.
code() { curl -s -o resp.json -w '%{http_code}' -X POST --data-binary "$2" "$URL_w$1"; }
[ "$(code /initialize-driver ': : :')" = 400 ] || fail "YAML syntax error: $(cat resp.json)"
[ "$(code /initialize-driver $'name: x\ndriverClass: nosuch')" = 400 ] || fail "unknown driverClass: $(cat resp.json)"
[ "$(code /initialize-driver $'name: x\ndriverClass: loopback\nfoo: 1')" = 400 ] ||
  fail "unknown loopback key: $(cat resp.json)"
grep -q "unknown key 'foo'" resp.json || fail "the 400 does not name the key: $(cat resp.json)"
[ "$(code /initialize-driver $'name: x\ndriverClass: loopback')" = 200 ] || fail "a valid driver file: $(cat resp.json)"
[ "$(code /stop-all '')" = 200 ] || fail "/stop-all"
kill -0 "$PID_w" || fail "the worker died"
echo "PASS"
