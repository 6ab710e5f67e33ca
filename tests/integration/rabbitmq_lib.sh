# rabbitmq_lib.sh - sourced by the RabbitMQ tests (after lib.sh): RabbitMQ's own tool against
# scripts/broker.sh's node, and what of omb's is left on the broker.
# RabbitMQ's own rabbitmqctl, against broker.sh's node (its HOME holds the Erlang cookie).
rmqctl() {
  local home="${OMB_BROKER_DIR:-/tmp/omb-brokers}/rabbitmq/home"
  if [ -f "$home/.erlang.cookie" ]; then
    HOME="$home" timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n omb@localhost -q "$@"
  else
    timeout 60 rabbitmqctl -q "$@"
  fi
}
# omb's queues and exchanges on the broker (its topics are test-exchange-...).
rmq_leftovers() {
  local q x
  q=$(rmqctl list_queues name) || fail "rabbitmqctl list_queues failed"
  x=$(rmqctl list_exchanges name) || fail "rabbitmqctl list_exchanges failed"
  { grep -E '^test-exchange-' <<<"$q" | sed 's/^/queue /'; grep -E '^test-exchange-' <<<"$x" | sed 's/^/exchange /'; } | sort || true
}
