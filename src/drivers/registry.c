/* registry.c - driverClass -> driver table. Systems OMB supports that omb does not (yet)
 * have a row that says so, instead of "unknown". */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "drivers/driver.h"

extern const struct omb_driver_ops omb_kafka_driver;
extern const struct omb_driver_ops omb_loopback_driver;

static const struct omb_driver_ops *const builtin[] = {
    &omb_kafka_driver,
    &omb_loopback_driver,
};

/* OMB drivers omb does not have yet: name, Java class. */
static const struct {
    const char *name, *java_class;
} not_built[] = {
    {"rabbitmq", "io.openmessaging.benchmark.driver.rabbitmq.RabbitMqBenchmarkDriver"},
    {"nats", "io.openmessaging.benchmark.driver.nats.NatsBenchmarkDriver"},
    {"nats-jetstream", "io.openmessaging.benchmark.driver.natsJetStream.NatsBenchmarkDriver"},
    {"redis", "io.openmessaging.benchmark.driver.redis.RedisBenchmarkDriver"},
    {"mqtt", "io.openmessaging.benchmark.driver.mqtt5.Mqtt5BenchmarkDriver"},
    {"pulsar", "io.openmessaging.benchmark.driver.pulsar.PulsarBenchmarkDriver"},
    {"artemis", "io.openmessaging.benchmark.driver.artemis.ArtemisBenchmarkDriver"},
    {"rocketmq", "io.openmessaging.benchmark.driver.rocketmq.RocketMQBenchmarkDriver"},
    {"pravega", "io.openmessaging.benchmark.driver.pravega.PravegaBenchmarkDriver"},
    {"nsq", "io.openmessaging.benchmark.driver.nsq.NsqBenchmarkDriver"},
    {"bookkeeper", "io.openmessaging.benchmark.driver.bookkeeper.DlogBenchmarkDriver"},
};

const struct omb_driver_ops *omb_driver_lookup(const char *driver_class, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        if (!strcasecmp(driver_class, builtin[i]->name)) return builtin[i];
        for (const char *const *n = builtin[i]->class_names; n && *n; n++)
            if (!strcmp(driver_class, *n)) return builtin[i];
    }
    for (size_t i = 0; i < sizeof not_built / sizeof not_built[0]; i++)
        if (!strcasecmp(driver_class, not_built[i].name) ||
            !strcmp(driver_class, not_built[i].java_class)) {
            snprintf(err, errlen,
                     "driverClass '%s' is the %s driver, which omb does not have yet "
                     "(built in: kafka, loopback)",
                     driver_class, not_built[i].name);
            return NULL;
        }
    snprintf(err, errlen, "unknown driverClass '%s' (built in: kafka, loopback)", driver_class);
    return NULL;
}

const char *const *omb_driver_names(void)
{
    static const char *const names[] = {"kafka", "loopback", NULL};
    return names;
}
