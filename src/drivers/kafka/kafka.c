/* kafka.c - the Kafka driver on librdkafka: OMB's Kafka driver file keys, one client handle
 * per producer and per consumer (as OMB), the publish time carried in a record header with
 * nanosecond resolution, and librdkafka's in-process mock cluster when no broker is named. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "config/schema.h"
#include "drivers/driver.h"
#include "drivers/envelope.h"
#include "drivers/kafka/mock_server.h"
#include "util/clock.h"
#include "util/log.h"

/*
 * The harness's envelope (send and intended times, producer and sequence) travels in the
 * payload's first bytes (drivers/envelope.h), so records keep exactly messageSize bytes on
 * the wire, as OMB's Java driver sends them. A record header would add about 25 bytes per
 * record (25% of a 100-byte message) and halve librdkafka's throughput (three allocations
 * per message). Payloads shorter than the envelope carry it in a record header "omb-env".
 * Messages with neither fall back to the record timestamp (ms). Positions are Kafka's own
 * (partition, offset).
 */
#define ENV_HEADER "omb-env"
/* librdkafka's own switch to its mock cluster. Set in a client's configuration it gives
 * every client a private mock cluster of its own, so producers and consumers would never
 * meet: omb takes it off the clients and hosts one mock cluster for the whole run instead. */
#define MOCK_PROP          "test.mock.num.brokers"
#define NO_ASSIGNMENT_NS   (15 * 1000000000LL) /* a consumer without partitions this long: said */
#define MOCK_BROKERS       3
#define ADMIN_TIMEOUT_MS   30000
#define CONNECT_TIMEOUT_MS 10000
/* omb's default for the producer's queue, unless a driver file sets it (docs/drivers/kafka.md). */
#define PRODUCER_BUFFER_PROP "queue.buffering.max.kbytes"
#define PRODUCER_BUFFER_KB   "32768"

/* One librdkafka setting, remembered with where it came from for error messages. */
struct kprop {
    char *key, *value;
    int line;
};

struct kprops {
    struct kprop *v;
    size_t n;
};

struct omb_driver {
    char *file;
    int64_t replication_factor;
    struct kprops common, producer, consumer, topic;
    char *bootstrap;   /* resolved bootstrap.servers */
    rd_kafka_t *admin; /* admin requests; also hosts the mock cluster */
    rd_kafka_mock_cluster_t *mock;
    int mock_brokers;
    char *mock_admin; /* `mockAdmin`: an `omb kafka-mock` process's topic endpoint */
    struct kstart *starts; /* existing topics (use_existing_topics), read-only after setup */
    size_t nstarts;
    /* The consumer groups (subscriptions) of existing topics: deleted when the driver is,
     * as a run's topics are, so nothing of the run stays on a cluster it did not set up. */
    char **groups;
    size_t ngroups;
};

/* Where consumers of an existing topic start: each partition's end as of the run's start. */
struct kstart {
    char *topic;
    int partitions;
    int64_t *end;
};

struct omb_producer {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    unsigned char *scratch; /* payload with its timestamp prefix, copied by librdkafka */
    size_t scratch_len;
    omb_send_done_fn done;
    void *ctx;
    bool told_failure; /* a failed send was logged (dr_cb, on the polling thread) */
};

struct omb_consumer {
    rd_kafka_t *rk;
    char *topic;
    omb_recv_fn fn;
    void *ctx;
    pthread_t thread;
    _Atomic int stop;
    _Atomic int want_paused; /* set by pause/resume, applied by the polling thread */
    int paused;
    bool auto_commit;
    char *group;
    int assignments; /* rebalances seen (the first assignment counts as one) */
    const struct kstart *start; /* an existing topic's start, or NULL (the driver owns it) */
};

/* Java client properties that librdkafka spells differently (value passed as is). */
static const struct {
    const char *java, *rdkafka;
} java_renames[] = {
    {"max.request.size", "message.max.bytes"},
};

/* Java client properties with no librdkafka counterpart: reported, then left out. */
static const char *const java_only[] = {
    "default.api.timeout.ms", "key.serializer",   "value.serializer", "key.deserializer",
    "value.deserializer",     "max.poll.records", "buffer.memory",    "max.block.ms",
};

static void kprops_free(struct kprops *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].value);
    }
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

static int kprops_add(void *ctx, const char *key, const char *value, int line)
{
    struct kprops *p = ctx;
    struct kprop *v = realloc(p->v, (p->n + 1) * sizeof *v);
    if (!v) return -1;
    p->v = v;
    p->v[p->n].key = strdup(key);
    p->v[p->n].value = strdup(value);
    p->v[p->n].line = line;
    p->n++;
    return 0;
}

static const char *kprops_get(const struct kprops *p, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].key, key)) v = p->v[i].value;
    return v;
}

struct kafka_file {
    const void *name, *cls;
    int64_t replication_factor;
    const struct omb_yaml_node *topic, *common, *producer, *consumer;
    bool reset;
    char *mock_admin;
};

static const struct omb_field kafka_fields[] = {
    {.key = "name", .type = OMB_FIELD_ANY, .offset = offsetof(struct kafka_file, name)},
    {.key = "driverClass", .type = OMB_FIELD_ANY, .offset = offsetof(struct kafka_file, cls)},
    {.key = "replicationFactor",
     .type = OMB_FIELD_INT,
     .offset = offsetof(struct kafka_file, replication_factor),
     .min = 1,
     .max = 1000},
    {.key = "topicConfig", .type = OMB_FIELD_ANY, .offset = offsetof(struct kafka_file, topic)},
    {.key = "commonConfig", .type = OMB_FIELD_ANY, .offset = offsetof(struct kafka_file, common)},
    {.key = "producerConfig",
     .type = OMB_FIELD_ANY,
     .offset = offsetof(struct kafka_file, producer)},
    {.key = "consumerConfig",
     .type = OMB_FIELD_ANY,
     .offset = offsetof(struct kafka_file, consumer)},
    {.key = "reset", .type = OMB_FIELD_BOOL, .offset = offsetof(struct kafka_file, reset)},
    /* omb: the cluster is `omb kafka-mock`; topics are created through its admin URL. */
    {.key = "mockAdmin",
     .type = OMB_FIELD_STRING,
     .offset = offsetof(struct kafka_file, mock_admin)},
};

/* Parses one properties block of the driver file into @p out. */
static int load_block(const struct omb_driver_conf *conf, const char *key,
                      const struct omb_yaml_node *node, struct kprops *out, char *err,
                      size_t errlen)
{
    if (!node) return 0;
    if (node->kind != OMB_YAML_SCALAR) {
        snprintf(err, errlen, "%s line %d: '%s' must be a block of key=value lines", conf->path,
                 node->line, key);
        return -1;
    }
    char perr[256];
    if (omb_properties_parse(node->scalar, kprops_add, out, perr, sizeof perr) != 0) {
        snprintf(err, errlen, "%s line %d: '%s': %s", conf->path, node->line, key, perr);
        return -1;
    }
    /* A block scalar starts on the line after its key. */
    for (size_t i = 0; i < out->n; i++) out->v[i].line += node->line;
    return 0;
}

/* Whether librdkafka knows @p name, as a global or a topic property (aliases such as
 * linger.ms included). */
static bool rdkafka_knows(rd_kafka_conf_t *g, rd_kafka_topic_conf_t *t, const char *name)
{
    char v[1024];
    size_t n = sizeof v;
    if (rd_kafka_conf_get(g, name, v, &n) != RD_KAFKA_CONF_UNKNOWN) return true;
    n = sizeof v;
    return rd_kafka_topic_conf_get(t, name, v, &n) != RD_KAFKA_CONF_UNKNOWN;
}

/* The librdkafka property one edit away from @p name (a character left out, added, changed,
 * or two swapped), into @p out; false if there is none. An unknown property that is not a
 * typo is most likely a Java client property, and is only reported. (Not
 * omb_schema_closest(): librdkafka cannot list its names with their aliases, such as
 * linger.ms, so the candidates are generated here and librdkafka is asked about each.) */
static bool typo_of(const char *name, char *out, size_t outlen)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz._";
    size_t n = strlen(name);
    if (n < 3 || n + 2 > outlen) return false;
    rd_kafka_conf_t *g = rd_kafka_conf_new();
    rd_kafka_topic_conf_t *t = rd_kafka_topic_conf_new();
    bool found = false;
    for (size_t i = 0; i <= n && !found; i++) {
        if (i < n) { /* leave out character i */
            snprintf(out, outlen, "%.*s%s", (int)i, name, name + i + 1);
            found = rdkafka_knows(g, t, out);
        }
        if (!found && i + 1 < n) { /* swap i and i+1 */
            snprintf(out, outlen, "%s", name);
            out[i] = name[i + 1];
            out[i + 1] = name[i];
            found = rdkafka_knows(g, t, out);
        }
        for (const char *a = alphabet; *a && !found; a++) {
            if (i < n) { /* change character i */
                snprintf(out, outlen, "%s", name);
                out[i] = *a;
                found = out[i] != name[i] && rdkafka_knows(g, t, out);
            }
            if (!found) { /* add a character before i */
                snprintf(out, outlen, "%.*s%c%s", (int)i, name, *a, name + i);
                found = rdkafka_knows(g, t, out);
            }
        }
    }
    rd_kafka_topic_conf_destroy(t);
    rd_kafka_conf_destroy(g);
    return found;
}

/*
 * Applies @p props to @p rconf. Java-only properties are reported by name and left out;
 * properties librdkafka does not know are reported by name (as the Java client does) and
 * left out; invalid values are errors. @p where names the block in messages.
 */
static int apply_props(const char *file, const char *where, const struct kprops *props,
                       rd_kafka_conf_t *rconf, bool quiet, char *err, size_t errlen)
{
    for (size_t i = 0; i < props->n; i++) {
        const struct kprop *p = &props->v[i];
        const char *key = p->key;
        if (!strcmp(key, MOCK_PROP)) continue; /* one mock cluster per run: kafka_init */
        for (size_t j = 0; j < sizeof java_renames / sizeof java_renames[0]; j++)
            if (!strcmp(key, java_renames[j].java)) {
                if (!quiet)
                    omb_info("Kafka: %s line %d: Java property '%s' applied as librdkafka's "
                             "'%s'",
                             file, p->line, key, java_renames[j].rdkafka);
                key = java_renames[j].rdkafka;
            }
        bool java = false;
        for (size_t j = 0; j < sizeof java_only / sizeof java_only[0]; j++)
            if (!strcmp(key, java_only[j])) java = true;
        if (java) {
            if (!quiet)
                omb_warn("Kafka: %s line %d: '%s' in %s is a Java client property with no "
                         "librdkafka equivalent; ignored",
                         file, p->line, key, where);
            continue;
        }
        char rerr[512];
        rd_kafka_conf_res_t r = rd_kafka_conf_set(rconf, key, p->value, rerr, sizeof rerr);
        long long lo, hi;
        const char *range = strstr(rerr, "allowed range ");
        size_t klen = strlen(key);
        if (r == RD_KAFKA_CONF_INVALID && range && klen > 11 &&
            !strcmp(key + klen - 11, ".timeout.ms") &&
            sscanf(range, "allowed range %lld..%lld", &lo, &hi) == 2 &&
            strtoll(p->value, NULL, 10) > hi) {
            /* Java clients allow longer timeouts than librdkafka (OMB's files set
             * request.timeout.ms=1200000); a timeout capped at librdkafka's maximum does
             * not change what is measured, so cap it and say so. */
            char capped[32];
            snprintf(capped, sizeof capped, "%lld", hi);
            if (!quiet)
                omb_warn("Kafka: %s line %d: %s=%s is above librdkafka's maximum; using %s", file,
                         p->line, key, p->value, capped);
            r = rd_kafka_conf_set(rconf, key, capped, rerr, sizeof rerr);
        }
        char near[256];
        if (r == RD_KAFKA_CONF_UNKNOWN && typo_of(key, near, sizeof near)) {
            snprintf(err, errlen,
                     "%s line %d: %s: librdkafka has no property '%s'; did you mean '%s'?", file,
                     p->line, where, key, near);
            return -1;
        } else if (r == RD_KAFKA_CONF_UNKNOWN) {
            if (!quiet)
                omb_warn("Kafka: %s line %d: librdkafka has no property '%s' (in %s), nor one "
                         "a letter away: a Java client property? Ignored",
                         file, p->line, key, where);
        } else if (r != RD_KAFKA_CONF_OK) {
            snprintf(err, errlen, "%s line %d: %s: '%s=%s': %s", file, p->line, where, p->key,
                     p->value, rerr);
            return -1;
        }
    }
    return 0;
}

/* Kafka's topic-level configurations (3.9 and 4.x) and the kind of value each takes. The
 * mock cluster applies none of them and would accept anything, so on the mock omb checks
 * topicConfig as a broker would: a typo is refused there, not found later on a real one. */
enum tc_kind { TC_INT, TC_BOOL, TC_RATIO, TC_ANY };
static const struct {
    const char *key;
    enum tc_kind kind;
} topic_configs[] = {
    {"cleanup.policy", TC_ANY}, /* checked below: delete, compact or both */
    {"compression.type", TC_ANY},
    {"compression.gzip.level", TC_INT},
    {"compression.lz4.level", TC_INT},
    {"compression.zstd.level", TC_INT},
    {"delete.retention.ms", TC_INT},
    {"file.delete.delay.ms", TC_INT},
    {"flush.messages", TC_INT},
    {"flush.ms", TC_INT},
    {"follower.replication.throttled.replicas", TC_ANY},
    {"index.interval.bytes", TC_INT},
    {"leader.replication.throttled.replicas", TC_ANY},
    {"local.retention.bytes", TC_INT},
    {"local.retention.ms", TC_INT},
    {"max.compaction.lag.ms", TC_INT},
    {"max.message.bytes", TC_INT},
    {"message.downconversion.enable", TC_BOOL},
    {"message.format.version", TC_ANY},
    {"message.timestamp.after.max.ms", TC_INT},
    {"message.timestamp.before.max.ms", TC_INT},
    {"message.timestamp.difference.max.ms", TC_INT},
    {"message.timestamp.type", TC_ANY}, /* checked below: CreateTime or LogAppendTime */
    {"min.cleanable.dirty.ratio", TC_RATIO},
    {"min.compaction.lag.ms", TC_INT},
    {"min.insync.replicas", TC_INT},
    {"preallocate", TC_BOOL},
    {"remote.log.copy.disable", TC_BOOL},
    {"remote.log.delete.on.disable", TC_BOOL},
    {"remote.storage.enable", TC_BOOL},
    {"retention.bytes", TC_INT},
    {"retention.ms", TC_INT},
    {"segment.bytes", TC_INT},
    {"segment.index.bytes", TC_INT},
    {"segment.jitter.ms", TC_INT},
    {"segment.ms", TC_INT},
    {"unclean.leader.election.enable", TC_BOOL},
};

static bool tc_value_ok(const char *key, enum tc_kind kind, const char *v)
{
    char *end;
    switch (kind) {
    case TC_INT:
        (void)strtoll(v, &end, 10);
        return *v && !*end;
    case TC_BOOL:
        return !strcmp(v, "true") || !strcmp(v, "false");
    case TC_RATIO: {
        double x = strtod(v, &end);
        return *v && !*end && x >= 0 && x <= 1;
    }
    case TC_ANY:
        if (!strcmp(key, "cleanup.policy"))
            return !strcmp(v, "delete") || !strcmp(v, "compact") || !strcmp(v, "delete,compact") ||
                   !strcmp(v, "compact,delete");
        if (!strcmp(key, "message.timestamp.type"))
            return !strcmp(v, "CreateTime") || !strcmp(v, "LogAppendTime");
        if (!strcmp(key, "compression.type"))
            return !strcmp(v, "uncompressed") || !strcmp(v, "zstd") || !strcmp(v, "lz4") ||
                   !strcmp(v, "snappy") || !strcmp(v, "gzip") || !strcmp(v, "producer");
        return true;
    }
    return true;
}

/* topicConfig checked against Kafka's topic configurations (the mock's stand-in for the
 * broker's own check). Returns 0, or -1 with the file, line and key in @p err. */
static int check_topic_config(const struct omb_driver *d, char *err, size_t errlen)
{
    for (size_t i = 0; i < d->topic.n; i++) {
        const struct kprop *p = &d->topic.v[i];
        size_t k = 0, n = sizeof topic_configs / sizeof topic_configs[0];
        while (k < n && strcmp(topic_configs[k].key, p->key)) k++;
        if (k == n) {
            snprintf(err, errlen,
                     "%s line %d: topicConfig '%s' is not a Kafka topic configuration (a broker "
                     "would refuse it)",
                     d->file, p->line, p->key);
            return -1;
        }
        if (!tc_value_ok(p->key, topic_configs[k].kind, p->value)) {
            snprintf(err, errlen, "%s line %d: topicConfig %s=%s: '%s' is not a valid value for %s",
                     d->file, p->line, p->key, p->value, p->value, p->key);
            return -1;
        }
    }
    return 0;
}

/* The broker count a driver file asks of the mock with test.mock.num.brokers, or 0. */
static int mock_prop_brokers(const struct omb_driver *d)
{
    const struct kprops *blocks[] = {&d->common, &d->producer, &d->consumer};
    const char *v = NULL;
    for (size_t i = 0; i < 3; i++)
        if (kprops_get(blocks[i], MOCK_PROP)) v = kprops_get(blocks[i], MOCK_PROP);
    return v ? atoi(v) : 0;
}

/* Producer side: record the ack time where librdkafka learns it (its broker thread), so the
 * publish latency does not depend on when the sender thread gets round to polling. The
 * time rides in the message's opaque, which omb does not otherwise use. */
static rd_kafka_resp_err_t on_ack(rd_kafka_t *rk, rd_kafka_message_t *m, void *opaque)
{
    m->_private = (void *)(intptr_t)omb_now_ns();
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t on_new(rd_kafka_t *rk, const rd_kafka_conf_t *conf, void *opaque,
                                  char *errstr, size_t errstr_size)
{
    return rd_kafka_interceptor_add_on_acknowledgement(rk, "omb-ack-time", on_ack, NULL);
}

/* Reads the harness's envelope of a message (payload prefix, else header); zero when absent. */
static void read_envelope(const rd_kafka_message_t *m, struct omb_msg_meta *meta)
{
    if (omb_envelope_get(m->payload, m->len, meta)) return;
    rd_kafka_headers_t *h = NULL;
    const void *val;
    size_t size;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(h, ENV_HEADER, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR)
        omb_envelope_get(val, size, meta);
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct omb_producer *p = opaque;
    int64_t ack = (int64_t)(intptr_t)m->_private;
    if (ack <= 0) ack = omb_now_ns();
    struct omb_msg_meta meta;
    read_envelope(m, &meta);
    if (m->err && !p->told_failure) {
        /* Said once per producer: the count of failures is in the stats, the cause here. */
        omb_warn("Kafka: a send to '%s' failed: %s (further failures of this producer are "
                 "counted, not logged)",
                 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        p->told_failure = true;
    }
    p->done(p->ctx, &meta, m->len, m->err ? (int)m->err : 0, ack);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* librdkafka's own warnings (level <= 4) are worth a user's eye; the rest is noise. A
     * failed commit while a group dissolves at the end of a run is expected. */
    if (level <= 4 && strcmp(fac, "COMMITFAIL") != 0)
        omb_warn("librdkafka %s: %s", fac, buf);
    else
        omb_debug("librdkafka %s: %s", fac, buf);
}

static rd_kafka_conf_t *base_conf(struct omb_driver *d)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char e[256];
    apply_props(d->file, "commonConfig", &d->common, c, true, e, sizeof e);
    rd_kafka_conf_set(c, "bootstrap.servers", d->bootstrap, e, sizeof e);
    rd_kafka_conf_set_log_cb(c, log_cb);
    return c;
}

static rd_kafka_conf_t *producer_conf(struct omb_driver *d, struct omb_producer *p, bool quiet,
                                      char *err, size_t errlen)
{
    rd_kafka_conf_t *c = base_conf(d);
    /* The Java producer's buffer.memory default (32 MiB), which OMB's runs have, instead of
     * librdkafka's 1 GiB per producer: a producer whose broker falls behind holds at most
     * that, and the sender waits for room (publish delay) as Java's send blocks. Below the
     * cap nothing changes; a driver file that sets the key keeps its value. */
    if (!kprops_get(&d->common, PRODUCER_BUFFER_PROP) &&
        !kprops_get(&d->producer, PRODUCER_BUFFER_PROP)) {
        char e[256];
        rd_kafka_conf_set(c, PRODUCER_BUFFER_PROP, PRODUCER_BUFFER_KB, e, sizeof e);
    }
    if (apply_props(d->file, "producerConfig", &d->producer, c, quiet, err, errlen) != 0) {
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(c, dr_cb);
    rd_kafka_conf_set_opaque(c, p);
    rd_kafka_conf_interceptor_add_on_new(c, "omb-ack-time", on_new, NULL);
    return c;
}

static rd_kafka_conf_t *consumer_conf(struct omb_driver *d, const char *group, bool quiet,
                                      char *err, size_t errlen)
{
    rd_kafka_conf_t *c = base_conf(d);
    char e[256];
    rd_kafka_conf_set(c, "group.id", group, e, sizeof e);
    /* OMB's files set auto.offset.reset=earliest. With Kafka's default (latest) a consumer
     * misses what is sent before its partitions are assigned, the readiness probe among
     * it, and the run would fail after the probe timeout: earliest unless the file says. */
    rd_kafka_conf_set(c, "auto.offset.reset", "earliest", e, sizeof e);
    /* Two quirks of librdkafka 2.0.2's mock broker, corrected on the mock only (the file
     * can still set these): it holds every fetch for the full fetch.wait.max.ms (500 ms by
     * default) where a real broker answers as soon as data arrives, which would show up as
     * end-to-end latency; and a member that joins a group after its first leader election
     * makes the group wait session.timeout.ms - 1 s (44 s by default) before it forms. */
    if (d->mock || d->mock_admin) {
        rd_kafka_conf_set(c, "fetch.wait.max.ms", "5", e, sizeof e);
        rd_kafka_conf_set(c, "session.timeout.ms", "6000", e, sizeof e);
        rd_kafka_conf_set(c, "heartbeat.interval.ms", "1000", e, sizeof e);
    }
    if (apply_props(d->file, "consumerConfig", &d->consumer, c, quiet, err, errlen) != 0) {
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    return c;
}

static void free_starts(struct omb_driver *d)
{
    for (size_t i = 0; i < d->nstarts; i++) {
        free(d->starts[i].topic);
        free(d->starts[i].end);
    }
    free(d->starts);
    d->starts = NULL;
    d->nstarts = 0;
}

static int admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type, const char *what, char *err,
                      size_t errlen, rd_kafka_event_t **out);

/* Deletes the run's groups of existing topics (all their consumers are closed). In a run
 * of several workers each worker tries once its own consumers have left: a group that is
 * not empty yet is left to the last worker, one already gone was deleted by another. */
static void delete_groups(struct omb_driver *d)
{
    rd_kafka_DeleteGroup_t **dg = calloc(d->ngroups, sizeof *dg);
    if (!dg) return;
    for (size_t i = 0; i < d->ngroups; i++) dg[i] = rd_kafka_DeleteGroup_new(d->groups[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(d->admin);
    rd_kafka_DeleteGroups(d->admin, dg, d->ngroups, NULL, q);
    rd_kafka_event_t *ev;
    char err[256];
    size_t deleted = 0, cnt = 0;
    if (admin_wait(q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT, "DeleteGroups", err, sizeof err, &ev) ==
        0) {
        const rd_kafka_group_result_t **res =
            rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &cnt);
        for (size_t i = 0; i < cnt; i++) {
            const rd_kafka_error_t *e = rd_kafka_group_result_error(res[i]);
            rd_kafka_resp_err_t code = e ? rd_kafka_error_code(e) : RD_KAFKA_RESP_ERR_NO_ERROR;
            if (!code)
                deleted++;
            else if (code != RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP &&
                     code != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
                omb_warn("Kafka: consumer group '%s' of an existing topic was not deleted: %s",
                         rd_kafka_group_result_name(res[i]), rd_kafka_error_string(e));
        }
        rd_kafka_event_destroy(ev);
    } else {
        omb_warn("Kafka: the run's consumer groups of the existing topics were not deleted: %s",
                 err);
    }
    if (deleted) omb_info("Kafka: deleted %zu consumer group(s) of the existing topics", deleted);
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteGroup_destroy_array(dg, d->ngroups);
    free(dg);
}

static void driver_free(struct omb_driver *d)
{
    if (!d) return;
    /* Not on a mock, which has no DeleteGroups (and librdkafka 2.0.2 asserts when it
     * fails the request locally); its groups end with it. */
    if (d->ngroups && d->admin && !d->mock && !d->mock_admin) delete_groups(d);
    for (size_t i = 0; i < d->ngroups; i++) free(d->groups[i]);
    free(d->groups);
    if (d->mock) rd_kafka_mock_cluster_destroy(d->mock); /* before the handle hosting it */
    if (d->admin) rd_kafka_destroy(d->admin);
    kprops_free(&d->common);
    kprops_free(&d->producer);
    kprops_free(&d->consumer);
    kprops_free(&d->topic);
    free(d->bootstrap);
    free(d->mock_admin);
    free_starts(d);
    free(d->file);
    free(d);
}

/* Reads and checks the driver file: keys, properties blocks, and throw-away client
 * configurations, so a bad property is reported before any topic exists. Connects nowhere. */
static int kafka_parse(const struct omb_driver_conf *conf, bool quiet, struct omb_driver **out,
                       char *err, size_t errlen)
{
    struct kafka_file f = {.replication_factor = 1};
    if (omb_schema_apply(conf->doc, conf->doc->root, kafka_fields,
                         sizeof kafka_fields / sizeof kafka_fields[0], 0, &f, err, errlen) != 0) {
        free(f.mock_admin);
        return OMB_DRV_ERR;
    }
    struct omb_driver *d = calloc(1, sizeof *d);
    if (!d) {
        free(f.mock_admin);
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    d->file = strdup(conf->path);
    d->replication_factor = f.replication_factor;
    d->mock_admin = f.mock_admin;
    if (d->mock_admin && strncmp(d->mock_admin, "http://", 7) != 0) {
        snprintf(err, errlen,
                 "%s: mockAdmin must be the http:// URL that `omb kafka-mock` "
                 "printed, got '%s'",
                 conf->path, d->mock_admin);
        goto fail;
    }
    d->bootstrap = strdup(""); /* no broker for the checks below */
    if (load_block(conf, "commonConfig", f.common, &d->common, err, errlen) ||
        load_block(conf, "producerConfig", f.producer, &d->producer, err, errlen) ||
        load_block(conf, "consumerConfig", f.consumer, &d->consumer, err, errlen) ||
        load_block(conf, "topicConfig", f.topic, &d->topic, err, errlen))
        goto fail;
    if (f.reset)
        omb_warn("Kafka: %s: 'reset: true' (delete leftover topics first) is not built yet; "
                 "ignored",
                 conf->path);
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    int rc = apply_props(d->file, "commonConfig", &d->common, c, quiet, err, errlen);
    rd_kafka_conf_destroy(c);
    if (rc != 0) goto fail;
    char e[512];
    c = producer_conf(d, NULL, quiet, err, errlen);
    if (!c) goto fail;
    /* The throw-away clients below only check the configuration: librdkafka's warnings
     * about it come once, from the run's own clients. */
    rd_kafka_conf_set(c, "log_level", "3", e, sizeof e);
    rd_kafka_t *probe = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e);
    if (!probe) {
        rd_kafka_conf_destroy(c);
        snprintf(err, errlen, "%s: producerConfig: %s", conf->path, e);
        goto fail;
    }
    rd_kafka_destroy(probe);
    c = consumer_conf(d, "omb-config-check", quiet, err, errlen);
    if (!c) goto fail;
    rd_kafka_conf_set(c, "log_level", "3", e, sizeof e);
    probe = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
    if (!probe) {
        rd_kafka_conf_destroy(c);
        snprintf(err, errlen, "%s: consumerConfig: %s", conf->path, e);
        goto fail;
    }
    rd_kafka_destroy(probe);
    *out = d;
    return OMB_DRV_OK;
fail:
    driver_free(d);
    return OMB_DRV_ERR;
}

/* Errors only: what the file's properties become is reported once, by kafka_init, at the
 * start of each run that uses the file. */
/* Whether the run uses librdkafka's in-process mock (no broker named, --kafka-mock, or
 * test.mock.num.brokers), rather than a broker or an `omb kafka-mock` process. */
static bool in_process_mock(const struct omb_driver *d, const struct omb_driver_conf *conf)
{
    return (!kprops_get(&d->common, "bootstrap.servers") ||
            omb_driver_conf_has_flag(conf, "--kafka-mock") || mock_prop_brokers(d) > 0) &&
           !d->mock_admin;
}

static int kafka_check(const struct omb_driver_conf *conf, char *err, size_t errlen)
{
    struct omb_driver *d;
    if (kafka_parse(conf, true, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    /* On a mock (in-process or `omb kafka-mock`) no broker checks topicConfig: omb does. */
    int rc = (in_process_mock(d, conf) || d->mock_admin) ? check_topic_config(d, err, errlen) : 0;
    driver_free(d);
    return rc ? OMB_DRV_ERR : OMB_DRV_OK;
}

static int kafka_init(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                      size_t errlen)
{
    struct omb_driver *d;
    if (kafka_parse(conf, false, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    char e[512];
    const char *bootstrap = kprops_get(&d->common, "bootstrap.servers");
    int mock_brokers = mock_prop_brokers(d);
    bool mock = in_process_mock(d, conf);
    /* Also here: a coordinator's /initialize-driver reaches init without check. */
    if ((mock || d->mock_admin) && check_topic_config(d, err, errlen) != 0) goto fail;
    if (d->mock_admin && !bootstrap) {
        snprintf(err, errlen,
                 "%s: mockAdmin needs commonConfig's bootstrap.servers (both as "
                 "`omb kafka-mock` printed them)",
                 conf->path);
        goto fail;
    }
    free(d->bootstrap);
    d->bootstrap = strdup(mock || !bootstrap ? "" : bootstrap);
    rd_kafka_conf_t *ac = base_conf(d);
    d->admin = rd_kafka_new(RD_KAFKA_PRODUCER, ac, e, sizeof e);
    if (!d->admin) {
        rd_kafka_conf_destroy(ac);
        snprintf(err, errlen, "%s: commonConfig: %s", conf->path, e);
        goto fail;
    }
    if (mock) {
        d->mock_brokers = mock_brokers > 0 ? mock_brokers : MOCK_BROKERS;
        d->mock = rd_kafka_mock_cluster_new(d->admin, d->mock_brokers);
        if (!d->mock) {
            snprintf(err, errlen, "could not start librdkafka's mock Kafka cluster");
            goto fail;
        }
        free(d->bootstrap);
        d->bootstrap = strdup(rd_kafka_mock_cluster_bootstraps(d->mock));
        if (mock_brokers > 0)
            omb_info("Kafka: %s sets %s=%d: every client of this run shares one in-process "
                     "mock cluster of %d broker(s) (librdkafka would give each client a "
                     "private one, and nothing would be delivered)",
                     conf->path, MOCK_PROP, mock_brokers, d->mock_brokers);
        else if (bootstrap)
            omb_info("Kafka: --kafka-mock: using librdkafka's in-process mock cluster instead "
                     "of %s",
                     bootstrap);
        omb_info("Kafka: running on librdkafka's in-process mock cluster (%d brokers at %s); "
                 "figures measure the client and the mock, not a real Kafka, and the mock "
                 "slows down as its partition logs grow (docs/design.md)",
                 d->mock_brokers, d->bootstrap);
        if (d->topic.n)
            omb_info("Kafka: topicConfig is checked but not applied on the mock cluster");
    } else {
        /* Fail now, with the address, rather than at the readiness probe a minute later. */
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t r = rd_kafka_metadata(d->admin, 0, NULL, &md, CONNECT_TIMEOUT_MS);
        if (md) rd_kafka_metadata_destroy(md);
        if (r != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(err, errlen, "cannot reach Kafka at '%s' (bootstrap.servers in %s): %s",
                     d->bootstrap, conf->path, rd_kafka_err2str(r));
            goto fail;
        }
    }
    *out = d;
    return OMB_DRV_OK;
fail:
    driver_free(d);
    return OMB_DRV_ERR;
}

static int admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type, const char *what, char *err,
                      size_t errlen, rd_kafka_event_t **out)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);
    if (!ev) {
        snprintf(err, errlen, "Kafka did not answer the %s request in time", what);
        return -1;
    }
    if (rd_kafka_event_error(ev)) {
        snprintf(err, errlen, "Kafka %s failed: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return -1;
    }
    if (rd_kafka_event_type(ev) != type) {
        snprintf(err, errlen, "unexpected answer to the Kafka %s request", what);
        rd_kafka_event_destroy(ev);
        return -1;
    }
    *out = ev;
    return 0;
}

static int kafka_delete_topics(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                               size_t errlen);

/* replicationFactor above the broker count: one sentence with the file, the factor and
 * the cluster's size. */
static void replication_error(struct omb_driver *d, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    int brokers = -1;
    if (rd_kafka_metadata(d->admin, 0, NULL, &md, CONNECT_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR)
        brokers = md->broker_cnt;
    if (md) rd_kafka_metadata_destroy(md);
    snprintf(err, errlen,
             "%s: replicationFactor %lld needs at least %lld brokers, and the cluster at %s has "
             "%d",
             d->file, (long long)d->replication_factor, (long long)d->replication_factor,
             d->bootstrap, brokers);
}

/* Topic @p name in a metadata answer, or NULL when it is not there (or there with an
 * error). */
static const rd_kafka_metadata_topic_t *md_topic(const struct rd_kafka_metadata *md,
                                                 const char *name)
{
    for (int k = 0; k < md->topic_cnt; k++)
        if (!strcmp(md->topics[k].topic, name)) return md->topics[k].err ? NULL : &md->topics[k];
    return NULL;
}

/* Each partition's end offset, asked of the partitions' leaders in one go (ListOffsets for
 * the latest offset, which is what offsets_for_times answers for the time -1). The offsets
 * land in @p parts, in its order. */
static int end_offsets(struct omb_driver *d, rd_kafka_topic_partition_list_t *parts,
                       int timeout_ms, char *err, size_t errlen)
{
    for (int i = 0; i < parts->cnt; i++) parts->elems[i].offset = RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t r = rd_kafka_offsets_for_times(d->admin, parts, timeout_ms);
    for (int i = 0; !r && i < parts->cnt; i++)
        if (parts->elems[i].err || parts->elems[i].offset < 0)
            r = parts->elems[i].err ? parts->elems[i].err : RD_KAFKA_RESP_ERR__FAIL;
    if (!r) return 0;
    snprintf(err, errlen, "cannot read the end offsets of the existing topics from Kafka at %s: %s",
             d->bootstrap, rd_kafka_err2str(r));
    return -1;
}

/* Whether one metadata answer shows every partition of @p topics with a leader. */
static bool topics_ready(const struct rd_kafka_metadata *md, const char *const *topics, size_t n,
                         int partitions)
{
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_metadata_topic_t *t = md_topic(md, topics[i]);
        if (!t || t->partition_cnt != partitions) return false;
        for (int p = 0; p < t->partition_cnt; p++)
            if (t->partitions[p].err || t->partitions[p].leader < 0) return false;
    }
    return true;
}

/* Whether every partition's leader answers for it: the latest offset of each (ListOffsets,
 * sent to the leaders). */
static bool leaders_answer(struct omb_driver *d, const char *const *topics, size_t n,
                           int partitions)
{
    rd_kafka_topic_partition_list_t *parts =
        rd_kafka_topic_partition_list_new((int)(n * (size_t)partitions));
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(parts, topics[i], p);
    char err[256];
    bool ok = end_offsets(d, parts, CONNECT_TIMEOUT_MS, err, sizeof err) == 0;
    rd_kafka_topic_partition_list_destroy(parts);
    return ok;
}

/* CreateTopics answers once the controller has made the topics; the brokers learn of them,
 * and the leaders take up their partitions, a moment later (half a second, on three brokers
 * sharing two cores). A client that asks too early sees no topic or too few partitions:
 * the readiness probe failed with "Unknown partition", and consumers whose first offset
 * lookup failed ("Unknown topic or partition") received nothing for a minute (librdkafka
 * 2.0.2 did not recover). So: wait until every partition has a leader in as many
 * consecutive metadata answers as twice the brokers (each answer comes from one broker),
 * and then until every leader answers for its partitions, at most ADMIN_TIMEOUT_MS. */
static int wait_topics_ready(struct omb_driver *d, const char *const *topics, size_t n,
                             int partitions, char *err, size_t errlen)
{
    int64_t t0 = omb_now_ns(), deadline = t0 + ADMIN_TIMEOUT_MS * 1000000LL;
    for (int good = 0;;) {
        const struct rd_kafka_metadata *md = NULL;
        int need = 1;
        if (rd_kafka_metadata(d->admin, 1, NULL, &md, CONNECT_TIMEOUT_MS) ==
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            need = md->broker_cnt > 0 ? 2 * md->broker_cnt : 1;
            good = topics_ready(md, topics, n, partitions) ? good + 1 : 0;
        } else {
            good = 0;
        }
        if (md) rd_kafka_metadata_destroy(md);
        if (good >= need) {
            if (leaders_answer(d, topics, n, partitions)) return 0;
            good = 0;
        }
        if (omb_now_ns() > deadline) {
            snprintf(err, errlen,
                     "Kafka at %s created the topics but did not show all their partitions "
                     "with a leader within %d s",
                     d->bootstrap, ADMIN_TIMEOUT_MS / 1000);
            return -1;
        }
        omb_sleep_ns(50000000);
    }
}

static int kafka_create_topics(struct omb_driver *d, const char *const *topics, size_t n,
                               int partitions, char *err, size_t errlen)
{
    if (d->mock_admin) {
        int rf = (int)d->replication_factor;
        for (size_t i = 0; i < n; i++)
            if (omb_kafka_mock_create_topic(d->mock_admin, topics[i], partitions, rf, err,
                                            errlen) != 0)
                return OMB_DRV_ERR;
        return OMB_DRV_OK;
    }
    if (d->mock) {
        /* As a real cluster would: a factor above the broker count is refused, not capped. */
        if (d->replication_factor > d->mock_brokers) {
            snprintf(err, errlen,
                     "%s: replicationFactor %lld needs at least %lld brokers, and the mock "
                     "cluster has %d",
                     d->file, (long long)d->replication_factor, (long long)d->replication_factor,
                     d->mock_brokers);
            return OMB_DRV_ERR;
        }
        int rf = (int)d->replication_factor;
        for (size_t i = 0; i < n; i++) {
            rd_kafka_resp_err_t r = rd_kafka_mock_topic_create(d->mock, topics[i], partitions, rf);
            if (r) {
                snprintf(err, errlen, "cannot create topic '%s' on the mock cluster: %s", topics[i],
                         rd_kafka_err2str(r));
                return OMB_DRV_ERR;
            }
        }
        return OMB_DRV_OK;
    }
    rd_kafka_NewTopic_t **nt = calloc(n, sizeof *nt);
    if (!nt) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    char e[512];
    int rc = OMB_DRV_ERR;
    for (size_t i = 0; i < n; i++) {
        nt[i] =
            rd_kafka_NewTopic_new(topics[i], partitions, (int)d->replication_factor, e, sizeof e);
        if (!nt[i]) {
            snprintf(err, errlen, "cannot create topic '%s': %s", topics[i], e);
            goto out;
        }
        for (size_t k = 0; k < d->topic.n; k++)
            rd_kafka_NewTopic_set_config(nt[i], d->topic.v[k].key, d->topic.v[k].value);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(d->admin);
    rd_kafka_AdminOptions_t *o =
        rd_kafka_AdminOptions_new(d->admin, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(o, ADMIN_TIMEOUT_MS, e, sizeof e);
    rd_kafka_CreateTopics(d->admin, nt, n, o, q);
    rd_kafka_event_t *ev;
    if (admin_wait(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, "CreateTopics", err, errlen, &ev) == 0) {
        size_t cnt;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        rc = OMB_DRV_OK;
        const char **made = calloc(cnt ? cnt : 1, sizeof *made);
        size_t nmade = 0;
        for (size_t i = 0; i < cnt; i++) {
            rd_kafka_resp_err_t te = rd_kafka_topic_result_error(res[i]);
            if (!te) {
                if (made) made[nmade++] = rd_kafka_topic_result_name(res[i]);
            } else if (rc == OMB_DRV_OK) {
                rc = OMB_DRV_ERR;
                if (te == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR)
                    replication_error(d, err, errlen);
                else
                    snprintf(err, errlen, "cannot create topic '%s': %s",
                             rd_kafka_topic_result_name(res[i]),
                             rd_kafka_topic_result_error_string(res[i]));
            }
        }
        if (rc == OMB_DRV_OK && wait_topics_ready(d, topics, n, partitions, err, errlen) != 0)
            rc = OMB_DRV_ERR;
        /* Nothing half-done: the topics that were created go again. */
        char derr[256];
        if (rc != OMB_DRV_OK && nmade) kafka_delete_topics(d, made, nmade, derr, sizeof derr);
        free(made);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
out:
    for (size_t i = 0; i < n; i++) rd_kafka_NewTopic_destroy(nt[i]);
    free(nt);
    return rc;
}

static int kafka_delete_topics(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                               size_t errlen)
{
    /* The mock cluster and its topics end with the driver or the kafka-mock process. */
    if (d->mock || d->mock_admin) return OMB_DRV_TOPICS_KEPT;
    rd_kafka_DeleteTopic_t **dt = calloc(n, sizeof *dt);
    if (!dt) return OMB_DRV_ERR;
    for (size_t i = 0; i < n; i++) dt[i] = rd_kafka_DeleteTopic_new(topics[i]);
    rd_kafka_queue_t *q = rd_kafka_queue_new(d->admin);
    rd_kafka_DeleteTopics(d->admin, dt, n, NULL, q);
    rd_kafka_event_t *ev;
    int rc = OMB_DRV_ERR;
    if (admin_wait(q, RD_KAFKA_EVENT_DELETETOPICS_RESULT, "DeleteTopics", err, errlen, &ev) == 0) {
        rc = OMB_DRV_OK;
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    for (size_t i = 0; i < n; i++) rd_kafka_DeleteTopic_destroy(dt[i]);
    free(dt);
    return rc;
}

/* driver.h: existence from the cluster's full topic list (a metadata request for named
 * topics would create them on a broker with auto.create.topics.enable), then the ends. */
static int kafka_use_existing_topics(struct omb_driver *d, const char *const *topics, size_t n,
                                     int *partitions, char *err, size_t errlen)
{
    if (d->mock) {
        snprintf(err, errlen,
                 "topic '%s' does not exist: the in-process mock cluster starts empty with each "
                 "run (name a Kafka cluster in the driver file)",
                 topics[0]);
        return OMB_DRV_ERR;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t r = rd_kafka_metadata(d->admin, 1, NULL, &md, CONNECT_TIMEOUT_MS);
    if (r) {
        snprintf(err, errlen, "cannot list the topics of Kafka at %s: %s", d->bootstrap,
                 rd_kafka_err2str(r));
        return OMB_DRV_ERR;
    }
    int rc = OMB_DRV_ERR;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new((int)n);
    struct kstart *st = calloc(n ? n : 1, sizeof *st);
    size_t made = 0;
    if (!st) goto oom;
    for (; made < n; made++) {
        const rd_kafka_metadata_topic_t *t = md_topic(md, topics[made]);
        if (!t) {
            snprintf(err, errlen,
                     "topic '%s' does not exist on the Kafka cluster at %s (nothing was created)",
                     topics[made], d->bootstrap);
            goto out;
        }
        partitions[made] = t->partition_cnt;
        st[made].partitions = t->partition_cnt;
        st[made].topic = strdup(topics[made]);
        st[made].end = calloc((size_t)t->partition_cnt + 1, sizeof *st[made].end);
        if (!st[made].topic || !st[made].end) {
            made++;
            goto oom;
        }
        for (int p = 0; p < t->partition_cnt; p++)
            rd_kafka_topic_partition_list_add(parts, topics[made], p);
    }
    if (end_offsets(d, parts, ADMIN_TIMEOUT_MS, err, errlen) != 0) goto out;
    /* The list holds each topic's partitions in turn, as added above. */
    for (size_t k = 0, i = 0; k < n; k++)
        for (int p = 0; p < st[k].partitions; p++) st[k].end[p] = parts->elems[i++].offset;
    free_starts(d); /* a second call replaces the first (no consumer uses them yet) */
    d->starts = st;
    d->nstarts = n;
    st = NULL;
    rc = OMB_DRV_OK;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    for (size_t k = 0; st && k < made; k++) {
        free(st[k].topic);
        free(st[k].end);
    }
    free(st);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_metadata_destroy(md);
    return rc;
}

static int kafka_create_producer(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                                 void *ctx, struct omb_producer **out, char *err, size_t errlen)
{
    struct omb_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    p->done = done;
    p->ctx = ctx;
    rd_kafka_conf_t *c = producer_conf(d, p, true, err, errlen);
    char e[512];
    if (!c || !(p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, e, sizeof e))) {
        if (c) snprintf(err, errlen, "cannot create a Kafka producer: %s", e);
        free(p);
        return OMB_DRV_ERR;
    }
    p->rkt = rd_kafka_topic_new(p->rk, topic, NULL);
    if (!p->rkt) {
        snprintf(err, errlen, "cannot create a Kafka producer for topic '%s': %s", topic,
                 rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_destroy(p->rk);
        free(p);
        return OMB_DRV_ERR;
    }
    *out = p;
    return OMB_DRV_OK;
}

static int kafka_send(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                      size_t len, const struct omb_msg_meta *meta)
{
    rd_kafka_resp_err_t r;
    if (len >= OMB_ENVELOPE_LEN) {
        const void *msg = omb_envelope_wrap(&p->scratch, &p->scratch_len, payload, len, meta);
        if (!msg) return OMB_DRV_ERR;
        r = rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(p->rkt), RD_KAFKA_V_VALUE((void *)msg, len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, keylen),
                              RD_KAFKA_V_OPAQUE(NULL), RD_KAFKA_V_END);
    } else {
        unsigned char env[OMB_ENVELOPE_LEN];
        omb_envelope_put(env, meta);
        r = rd_kafka_producev(p->rk, RD_KAFKA_V_RKT(p->rkt), RD_KAFKA_V_VALUE((void *)payload, len),
                              RD_KAFKA_V_KEY(key, keylen),
                              RD_KAFKA_V_HEADER(ENV_HEADER, env, sizeof env),
                              RD_KAFKA_V_OPAQUE(NULL), RD_KAFKA_V_END);
    }
    if (r == RD_KAFKA_RESP_ERR_NO_ERROR) return OMB_DRV_OK;
    return r == RD_KAFKA_RESP_ERR__QUEUE_FULL ? OMB_DRV_QUEUE_FULL : OMB_DRV_ERR;
}

static int kafka_poll(struct omb_producer *p, int timeout_ms)
{
    return rd_kafka_poll(p->rk, timeout_ms);
}

static void kafka_close_producer(struct omb_producer *p)
{
    if (!p) return;
    /* Sends still queued are dropped without a completion: the worker has flushed already,
     * and stats must not be touched after this returns. */
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_topic_destroy(p->rkt);
    rd_kafka_destroy(p->rk);
    free(p->scratch);
    free(p);
}

/* Pauses or resumes the consumer's current assignment (from its polling thread). */
static void apply_pause(struct omb_consumer *c, int pause)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(c->rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (pause)
        rd_kafka_pause_partitions(c->rk, parts);
    else
        rd_kafka_resume_partitions(c->rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    c->paused = pause;
}

/* An existing topic's partitions are read from where the topic ended when the run began,
 * unless the subscription has committed a place since (a rebalance later in the run). */
static void start_at_run_start(rd_kafka_t *rk, const struct kstart *s,
                               rd_kafka_topic_partition_list_t *parts)
{
    if (rd_kafka_committed(rk, parts, CONNECT_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        for (int i = 0; i < parts->cnt; i++) parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *p = &parts->elems[i];
        if (p->offset < 0 && p->partition >= 0 && p->partition < s->partitions)
            p->offset = s->end[p->partition];
    }
}

/* Group rebalances, served on the polling thread. A rebalance after the first assignment
 * is logged (benchmarks should know; backlog tests check there is none while paused), and
 * partitions assigned while the consumer is paused are paused at once. */
static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct omb_consumer *c = opaque;
    bool cooperative = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (c->start) start_at_run_start(rk, c->start, parts);
        if (cooperative)
            rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
        else
            rd_kafka_assign(rk, parts);
        if (c->paused) rd_kafka_pause_partitions(rk, parts);
        if (c->assignments++ > 0)
            omb_info("Kafka: subscription '%s' of '%s' rebalanced (%d partition(s) assigned "
                     "to a consumer)",
                     c->group, c->topic, parts->cnt);
    } else {
        if (cooperative)
            rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
        else
            rd_kafka_assign(rk, NULL);
    }
}

static void *consumer_main(void *arg)
{
    struct omb_consumer *c = arg;
    int64_t last_commit = omb_now_ns(), started = last_commit;
    bool told = false;
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
        int want = atomic_load_explicit(&c->want_paused, memory_order_relaxed);
        if (want != c->paused) apply_pause(c, want);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 100);
        int64_t now = omb_now_ns();
        if (!told && c->assignments == 0 && now - started > NO_ASSIGNMENT_NS) {
            /* Tells a readiness timeout's causes apart: no partitions (the group did not
             * form, or more consumers than partitions) vs partitions and no messages. */
            omb_info("Kafka: a consumer of subscription '%s' of '%s' has no partition assigned "
                     "after %lld s (the group has not formed, or the topic has fewer partitions "
                     "than the subscription has consumers)",
                     c->group, c->topic, (long long)(NO_ASSIGNMENT_NS / 1000000000LL));
            told = true;
        }
        if (m) {
            if (!m->err) {
                struct omb_msg_meta env;
                read_envelope(m, &env);
                int64_t sent = env.sent_ns, intended = env.intended_ns;
                if (!sent) {
                    /* A message from another tool: fall back to its record timestamp (ms). */
                    rd_kafka_timestamp_type_t tt;
                    int64_t ms = rd_kafka_message_timestamp(m, &tt);
                    if (ms > 0) sent = ms * 1000000;
                }
                struct omb_delivered d = {.bytes = m->len,
                                          .publish_ns = sent,
                                          .intended_ns = intended,
                                          .now_ns = now,
                                          .partition = m->partition,
                                          .offset = m->offset,
                                          .producer = env.sent_ns ? env.producer : -1,
                                          .foreign = !env.sent_ns};
                c->fn(c->ctx, &d);
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                omb_warn("Kafka consumer of '%s': %s", c->topic, rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
        }
        if (!c->auto_commit && now - last_commit > 1000000000LL) {
            rd_kafka_commit(c->rk, NULL, 1); /* async, as OMB's commitAsync */
            last_commit = now;
        }
    }
    return NULL;
}

/* The worker creates consumers from one thread, so no lock; one group per subscription, so
 * a scan. */
static int remember_group(struct omb_driver *d, const char *group)
{
    for (size_t i = 0; i < d->ngroups; i++)
        if (!strcmp(d->groups[i], group)) return 0;
    char **g = realloc(d->groups, (d->ngroups + 1) * sizeof *g);
    if (!g) return -1;
    d->groups = g;
    if (!(g[d->ngroups] = strdup(group))) return -1;
    d->ngroups++;
    return 0;
}

static int kafka_create_consumer(struct omb_driver *d, const char *topic, const char *subscription,
                                 omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                                 size_t errlen)
{
    struct omb_consumer *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return OMB_DRV_ERR;
    }
    c->fn = fn;
    c->ctx = ctx;
    c->topic = strdup(topic);
    const char *ac = kprops_get(&d->consumer, "enable.auto.commit");
    c->auto_commit = !ac || strcmp(ac, "false") != 0;
    c->group = strdup(subscription);
    for (size_t i = 0; i < d->nstarts && !c->start; i++)
        if (!strcmp(d->starts[i].topic, topic)) c->start = &d->starts[i];
    if (c->start && remember_group(d, subscription) != 0) {
        snprintf(err, errlen, "out of memory");
        free(c->topic);
        free(c->group);
        free(c);
        return OMB_DRV_ERR;
    }
    rd_kafka_conf_t *conf = consumer_conf(d, subscription, true, err, errlen);
    if (conf) {
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
        rd_kafka_conf_set_opaque(conf, c);
    }
    char e[512];
    if (!conf || !(c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e))) {
        if (conf) snprintf(err, errlen, "cannot create a Kafka consumer: %s", e);
        free(c->topic);
        free(c->group);
        free(c);
        return OMB_DRV_ERR;
    }
    rd_kafka_poll_set_consumer(c->rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t r = rd_kafka_subscribe(c->rk, t);
    rd_kafka_topic_partition_list_destroy(t);
    int prc = r ? 0 : pthread_create(&c->thread, NULL, consumer_main, c);
    if (r || prc) {
        snprintf(err, errlen, "cannot subscribe to topic '%s': %s", topic,
                 r ? rd_kafka_err2str(r) : strerror(prc));
        rd_kafka_destroy(c->rk);
        free(c->topic);
        free(c->group);
        free(c);
        return OMB_DRV_ERR;
    }
    *out = c;
    return OMB_DRV_OK;
}

static int kafka_pause(struct omb_consumer *c)
{
    atomic_store(&c->want_paused, 1);
    return OMB_DRV_OK;
}

static int kafka_resume(struct omb_consumer *c)
{
    atomic_store(&c->want_paused, 0);
    return OMB_DRV_OK;
}

static void kafka_close_consumer(struct omb_consumer *c)
{
    if (!c) return;
    atomic_store(&c->stop, 1);
    pthread_join(c->thread, NULL);
    rd_kafka_consumer_close(c->rk);
    rd_kafka_destroy(c->rk);
    free(c->topic);
    free(c->group);
    free(c);
}

/* Several workers must reach one cluster: a file that names none would give each worker an
 * in-process mock cluster of its own, and no message would cross from one to another. */
static int kafka_check_workers(const struct omb_driver_conf *conf, size_t nworkers, char *err,
                               size_t errlen)
{
    struct omb_driver *d;
    if (kafka_parse(conf, true, &d, err, errlen) != OMB_DRV_OK) return OMB_DRV_ERR;
    bool named = kprops_get(&d->common, "bootstrap.servers") != NULL;
    int mock_brokers = mock_prop_brokers(d);
    driver_free(d);
    if (named && mock_brokers == 0) return OMB_DRV_OK;
    snprintf(err, errlen,
             "%s %s: each of the %zu workers would run its own in-process mock cluster; name "
             "a Kafka cluster, or start `omb kafka-mock` and use what it prints "
             "(docs/distributed.md)",
             conf->path, named ? "sets " MOCK_PROP : "names no bootstrap.servers", nworkers);
    return OMB_DRV_ERR;
}

static const struct omb_driver_command kafka_commands[] = {
    {"kafka-mock",
     "omb kafka-mock [--brokers 3]   (librdkafka's mock cluster for several processes)",
     omb_kafka_mock_command},
    {NULL, NULL, NULL},
};

static const struct omb_driver_flag kafka_flags[] = {
    {"--kafka-mock", "run Kafka driver files on the in-process mock cluster whatever their "
                     "bootstrap.servers say"},
    {NULL, NULL},
};

const struct omb_driver_ops omb_kafka_driver = {
    .name = "kafka",
    .topic_prefix = "test-topic",
    .caps = OMB_CAP_PARTITIONS | OMB_CAP_OFFSETS,
    .limits = {.producers = 2000,
               .consumers = 2000,
               .why = "each producer and each consumer is a librdkafka client with its own threads "
                      "and a connection to every broker"},
    .commands = kafka_commands,
    .run_flags = kafka_flags,
    .check_workers = kafka_check_workers,
    .check = kafka_check,
    .init = kafka_init,
    .create_topics = kafka_create_topics,
    .use_existing_topics = kafka_use_existing_topics,
    .create_producer = kafka_create_producer,
    .send = kafka_send,
    .poll = kafka_poll,
    .close_producer = kafka_close_producer,
    .create_consumer = kafka_create_consumer,
    .pause_consumer = kafka_pause,
    .resume_consumer = kafka_resume,
    .close_consumer = kafka_close_consumer,
    .delete_topics = kafka_delete_topics,
    .destroy = driver_free,
};
