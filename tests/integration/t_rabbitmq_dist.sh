#!/usr/bin/env bash
# RabbitMQ in a distributed run: two `omb worker`s (the first produces and creates the
# topics, the second consumes and declares the subscription queues) on one broker, OMB's
# rabbitmq.yaml. The exact delivery check across workers; at the end the first
# worker deletes the exchanges and the second its queues, so nothing is left; with
# --keep-topics both stay. CLASSIC queues (OMB's file, queueType changed): a quorum
# queue's confirms wait for its log's fsync, which stalls for a second now and then on a
# busy machine, and this test is about the workers, not the queue type.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/dist_lib.sh"
need_driver rabbitmq
# RabbitMQ from scripts/broker.sh unless one runs already; stopped at exit only if started here.
BROKER="$OMB_SOURCE/scripts/broker.sh"
RMQ_STARTED=0
if ! "$BROKER" status rabbitmq >/dev/null 2>&1; then
  "$BROKER" start rabbitmq >rmq-start.log 2>&1 || { cat rmq-start.log; fail "cannot start RabbitMQ with scripts/broker.sh"; }
  RMQ_STARTED=1
fi
rmq_stop_broker() {
  if [ "$RMQ_STARTED" = 1 ]; then "$BROKER" stop rabbitmq >/dev/null 2>&1 || true; fi
}
# dist_lib's stop_all_pids stops the workers, removes $WORK and exits with the status it
# finds in $?: keep the test's status for it (and no set -e in the trap, or a failing
# command there would skip it).
trap 'rmq_rc=$?; set +e; rmq_stop_broker; (exit $rmq_rc); stop_all_pids' EXIT
source "$OMB_SOURCE/tests/integration/rabbitmq_lib.sh"
REF="$OMB_SHARED/omb-reference/driver-rabbitmq/rabbitmq.yaml"
[ -f "$REF" ] || fail "no OMB driver file at $REF"
sed 's/^queueType: QUORUM/queueType: CLASSIC/' "$REF" > classic.yaml
grep -q '^queueType: CLASSIC' classic.yaml || fail "could not make a CLASSIC driver file"
REF=classic.yaml
before=$(rmq_leftovers)
cat > w.yaml <<'Y'
name: rabbitmq dist
topics: 2
messageSize: 256
subscriptionsPerTopic: 2
consumerPerSubscription: 2
producersPerTopic: 1
producerRate: 1000
testDurationMinutes: 0.15
warmupDurationMinutes: 0.05
Y
start_worker a
start_worker b
"$OMB" run -d "$REF" -w "$URL_a,$URL_b" --period 3 -o dist.json w.yaml > dist.log 2>&1 ||
  { cat dist.log; fail "2-worker RabbitMQ run failed"; }
grep -q "1 producer worker(s), 1 consumer worker(s)" dist.log || { cat dist.log; fail "wrong split"; }
grep -q "created 8 consumer(s)" worker-b.log || { cat worker-b.log; fail "consumers not on worker b"; }
grep -q "Delivery check: every subscription received every acknowledged message" dist.log ||
  { cat dist.log; fail "no complete delivery check"; }
$CHECK dist.json --rate 1000 --subs 2 --min-periods 2 --driver RabbitMQ
after=$(rmq_leftovers)
[ "$after" = "$before" ] || fail "left on the broker after a distributed run: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"

# --keep-topics: the exchanges and the queues stay (then the test removes them by hand).
"$OMB" run -d "$REF" -w "$URL_a,$URL_b" --period 1 --keep-topics -o keep.json w.yaml > keep.log 2>&1 ||
  { cat keep.log; fail "--keep-topics run failed"; }
kept=$(comm -13 <(echo "$before") <(rmq_leftovers))
[ "$(grep -c '^queue ' <<<"$kept")" = 4 ] && [ "$(grep -c '^exchange ' <<<"$kept")" = 2 ] ||
  fail "--keep-topics: expected 4 queues and 2 exchanges kept, got: $(tr '\n' ' ' <<<"$kept")"
grep -q "4 subscription queue(s) kept" worker-b.log || { cat worker-b.log; fail "worker b did not say it kept its queues"; }
while read -r kind name; do
  case $kind in
    queue) rmqctl delete_queue "$name" </dev/null >/dev/null ;;
    exchange) rmqctl eval "rabbit_exchange:delete(rabbit_misc:r(<<\"/\">>, exchange, <<\"$name\">>), false, <<\"omb-test\">>)." </dev/null >/dev/null ;;
  esac
done <<<"$kept"
[ "$(rmq_leftovers)" = "$before" ] || fail "could not remove what --keep-topics kept"
echo "ok: rabbitmq distributed run; nothing left, and --keep-topics keeps topics and queues"
