/* mock_server.h - `omb kafka-mock`: librdkafka's mock Kafka cluster hosted for other
 * processes on loopback, with a small HTTP endpoint that creates topics on it (librdkafka
 * 2.0.2's mock has no CreateTopics; a topic it auto-creates gets 4 partitions). */
#ifndef OMB_DRIVERS_KAFKA_MOCK_SERVER_H
#define OMB_DRIVERS_KAFKA_MOCK_SERVER_H

#include <stddef.h>

/*
 * Admin protocol: POST <admin>/topics with
 *   {"topic":"name","partitions":16,"replicationFactor":1}
 * answers 200 {} once the topic exists (an existing topic is an error unless it already has
 * that many partitions), or 4xx/5xx {"error":"..."}. The Kafka driver uses it when its
 * driver file has `mockAdmin: <admin URL>` (docs/distributed.md).
 */

/** Creates @p topic on the kafka-mock at @p admin_url. Returns 0, or -1 with @p err. */
int omb_kafka_mock_create_topic(const char *admin_url, const char *topic, int partitions,
                                int replication_factor, char *err, size_t errlen);

/** `omb kafka-mock [--brokers 3] [--admin-port 0]`: prints the bootstrap servers and the
 *  admin URL, serves until SIGINT/SIGTERM. Returns the exit code. */
int omb_kafka_mock_command(int argc, char **argv);

#endif
