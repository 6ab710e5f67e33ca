#!/usr/bin/env bash
# RabbitMQ driver files that are wrong: one sentence naming the file and line, exit 2,
# before anything connects; an unreachable broker: one sentence naming the URI, exit 1,
# within seconds; no result file either way. Needs no broker.
source "$(dirname "$0")/lib.sh"
need_driver rabbitmq
REF="$OMB_SHARED/omb-reference/driver-rabbitmq/rabbitmq.yaml"
[ -f "$REF" ] || fail "no OMB driver file at $REF"
printf 'name: w\ntopics: 1\nmessageSize: 100\nproducerRate: 100\ntestDurationMinutes: 0.01\n' > w.yaml
line_of() { grep -n "$1" "$2" | head -1 | cut -d: -f1; }

# OMB's file with one edit each.
sed 's/^queueType: QUORUM/queueType: LAZY/' "$REF" > qtype.yaml
expect_fail 2 "qtype.yaml line $(line_of '^queueType' qtype.yaml): 'queueType' must be one of CLASSIC, QUORUM, STREAM, got 'LAZY'" -- "$OMB" run -d qtype.yaml w.yaml
sed 's/^messagePersistence:/messagePersistance:/' "$REF" > typo.yaml
expect_fail 2 "typo.yaml line $(line_of '^messagePersistance' typo.yaml): unknown key 'messagePersistance'; did you mean 'messagePersistence'\?" -- "$OMB" run -d typo.yaml w.yaml
sed 's/^consumerCreationBatchSize:/consumerCreationBatchSise:/' "$REF" > typo2.yaml
expect_fail 2 "typo2.yaml line [0-9]+: unknown key 'consumerCreationBatchSise'; did you mean 'consumerCreationBatchSize'\?" -- "$OMB" run -d typo2.yaml w.yaml
sed 's|^  - amqp://localhost|  - http://localhost|' "$REF" > scheme.yaml
expect_fail 2 "scheme.yaml line $(line_of 'http://localhost' scheme.yaml): amqpUris: 'http://localhost' is not an AMQP URI" -- "$OMB" run -d scheme.yaml w.yaml
sed 's|^  - amqp://localhost|  - amqps://localhost|' "$REF" > tls.yaml
expect_fail 2 "tls.yaml line [0-9]+: amqpUris: 'amqps://localhost': amqps:// \(TLS\) is not supported" -- "$OMB" run -d tls.yaml w.yaml
sed 's/^messagePersistence: false/messagePersistence: maybe/' "$REF" > bool.yaml
expect_fail 2 "bool.yaml line $(line_of '^messagePersistence' bool.yaml): 'messagePersistence' must be true or false, got 'maybe'" -- "$OMB" run -d bool.yaml w.yaml
sed 's/^producerCreationDelay: 100/producerCreationDelay: soon/' "$REF" > int.yaml
expect_fail 2 "int.yaml line $(line_of '^producerCreationDelay' int.yaml): 'producerCreationDelay' must be an integer, got 'soon'" -- "$OMB" run -d int.yaml w.yaml
sed 's/^producerCreationBatchSize: 5/producerCreationBatchSize: 0/' "$REF" > range.yaml
expect_fail 2 "range.yaml line $(line_of '^producerCreationBatchSize' range.yaml): .*producerCreationBatchSize" -- "$OMB" run -d range.yaml w.yaml
printf 'name: R\ndriverClass: rabbitmq\namqpUris: amqp://localhost\n' > notlist.yaml
expect_fail 2 "notlist.yaml line 3: amqpUris must be a list of amqp:// URIs" -- "$OMB" run -d notlist.yaml w.yaml
printf 'name: R\ndriverClass: rabbitmq\nprefetch: 70000\n' > prefetch.yaml
expect_fail 2 "prefetch.yaml line 3: .*prefetch" -- "$OMB" run -d prefetch.yaml w.yaml

# Unreachable: one sentence with the URI and the reason, exit 1, quickly.
sed 's|^  - amqp://localhost|  - amqp://127.0.0.1:5999|' "$REF" > unreachable.yaml
start=$(date +%s)
expect_fail 1 "cannot reach RabbitMQ at 'amqp://127.0.0.1:5999' \(amqpUris in unreachable.yaml\): Connection refused" -- "$OMB" run -d unreachable.yaml w.yaml
[ $(( $(date +%s) - start )) -le 15 ] || fail "took more than 15 s to report an unreachable broker"
[ "$(grep -c 'cannot reach RabbitMQ' out.log)" -eq 1 ] || { cat out.log; fail "the unreachable broker was reported more than once"; }
ls *.json >/dev/null 2>&1 && fail "a result file was written: $(ls *.json)"
echo "ok: bad rabbitmq driver files and an unreachable broker"
