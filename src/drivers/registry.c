/* registry.c - driverClass -> driver table, from one table: each system OMB knows, its OMB
 * Java class names, and its driver when built (CMake option OMB_WITH_<NAME>, which defines
 * OMB_HAVE_<NAME>). A system OMB supports that omb does not build says so, instead of
 * "unknown". Help text, omb_driver_names() and the error messages all read this table. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "drivers/driver.h"

#define OMB_DRIVER(sym) extern const struct omb_driver_ops sym;
OMB_DRIVER(omb_kafka_driver)
OMB_DRIVER(omb_loopback_driver)
OMB_DRIVER(omb_rabbitmq_driver)
OMB_DRIVER(omb_nats_driver)
OMB_DRIVER(omb_redis_driver)
OMB_DRIVER(omb_mqtt_driver)

#define PKG "io.openmessaging.benchmark.driver."

/* Drivers omb has, built or not: OMB_HAVE_<NAME> picks the table or NULL. */
#define BUILT_IF(have, sym) (have ? &sym : NULL)
#ifndef OMB_HAVE_KAFKA
#define OMB_HAVE_KAFKA 0
#endif
#ifndef OMB_HAVE_RABBITMQ
#define OMB_HAVE_RABBITMQ 0
#endif
#ifndef OMB_HAVE_NATS
#define OMB_HAVE_NATS 0
#endif
#ifndef OMB_HAVE_REDIS
#define OMB_HAVE_REDIS 0
#endif
#ifndef OMB_HAVE_MQTT
#define OMB_HAVE_MQTT 0
#endif

static const struct row {
    const char *name;
    const char *classes[3];           /* OMB's Java class names; aliases */
    const struct omb_driver_ops *ops; /* NULL: not built */
    const char *build;                /* how to build it when not built; NULL: omb has none */
} rows[] = {
    {"kafka",
     {PKG "kafka.KafkaBenchmarkDriver"},
     BUILT_IF(OMB_HAVE_KAFKA, omb_kafka_driver),
     "OMB_WITH_KAFKA, librdkafka-dev"},
    {"loopback", {0}, &omb_loopback_driver, ""},
    {"rabbitmq",
     {PKG "rabbitmq.RabbitMqBenchmarkDriver"},
     BUILT_IF(OMB_HAVE_RABBITMQ, omb_rabbitmq_driver),
     "OMB_WITH_RABBITMQ, librabbitmq-dev"},
    {"nats",
     {PKG "natsJetStream.NatsBenchmarkDriver", PKG "nats.NatsBenchmarkDriver"},
     BUILT_IF(OMB_HAVE_NATS, omb_nats_driver),
     "OMB_WITH_NATS, libnats-dev"},
    {"redis",
     {PKG "redis.RedisBenchmarkDriver"},
     BUILT_IF(OMB_HAVE_REDIS, omb_redis_driver),
     "OMB_WITH_REDIS, libhiredis-dev"},
    {"mqtt",
     {PKG "mqtt5.MqttBenchmarkDriver", "mqtt5"},
     BUILT_IF(OMB_HAVE_MQTT, omb_mqtt_driver),
     "OMB_WITH_MQTT, libmosquitto-dev"},
    {"pulsar", {PKG "pulsar.PulsarBenchmarkDriver"}, NULL, NULL},
    {"artemis", {PKG "artemis.ArtemisBenchmarkDriver"}, NULL, NULL},
    {"rocketmq", {PKG "rocketmq.RocketMQBenchmarkDriver"}, NULL, NULL},
    {"pravega", {PKG "pravega.PravegaBenchmarkDriver"}, NULL, NULL},
    {"nsq", {PKG "nsq.NsqBenchmarkDriver"}, NULL, NULL},
    {"bookkeeper", {PKG "bookkeeper.DlogBenchmarkDriver"}, NULL, NULL},
};
#define NROWS (sizeof rows / sizeof rows[0])

static bool row_matches(const struct row *r, const char *driver_class)
{
    if (!strcasecmp(driver_class, r->name)) return true;
    for (size_t k = 0; k < sizeof r->classes / sizeof r->classes[0] && r->classes[k]; k++)
        if (!strcmp(driver_class, r->classes[k]) || !strcasecmp(driver_class, r->classes[k]))
            return true;
    return false;
}

static const struct omb_driver_ops *built[NROWS + 1];
static char names[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_lists(void)
{
    size_t n = 0;
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].ops) {
            built[n++] = rows[i].ops;
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", rows[i].name);
        }
}

const char *omb_driver_names(void)
{
    pthread_once(&once, build_lists);
    return names;
}

const struct omb_driver_ops *omb_driver_lookup(const char *driver_class, char *err, size_t errlen)
{
    for (size_t i = 0; i < NROWS; i++) {
        if (!row_matches(&rows[i], driver_class)) continue;
        if (rows[i].ops) return rows[i].ops;
        if (rows[i].build)
            snprintf(err, errlen,
                     "driverClass '%s' is the %s driver, which this omb was built without "
                     "(CMake option %s; built in: %s)",
                     driver_class, rows[i].name, rows[i].build, omb_driver_names());
        else
            snprintf(err, errlen,
                     "driverClass '%s' is the %s driver, which omb does not have yet "
                     "(built in: %s)",
                     driver_class, rows[i].name, omb_driver_names());
        return NULL;
    }
    snprintf(err, errlen, "unknown driverClass '%s' (built in: %s)", driver_class,
             omb_driver_names());
    return NULL;
}

const struct omb_driver_ops *const *omb_drivers_built(void)
{
    pthread_once(&once, build_lists);
    return built;
}

const struct omb_driver_command *omb_driver_command(const char *name)
{
    for (const struct omb_driver_ops *const *d = omb_drivers_built(); *d; d++)
        for (const struct omb_driver_command *c = (*d)->commands; c && c->name; c++)
            if (!strcmp(c->name, name)) return c;
    return NULL;
}

const struct omb_driver_ops *omb_driver_flag_owner(const char *flag)
{
    for (const struct omb_driver_ops *const *d = omb_drivers_built(); *d; d++)
        for (const struct omb_driver_flag *f = (*d)->run_flags; f && f->flag; f++)
            if (!strcmp(f->flag, flag)) return *d;
    return NULL;
}
