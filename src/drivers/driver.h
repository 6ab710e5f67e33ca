/* driver.h - the whole contract between the layers above and a messaging system: one const
 * table of operations per system (drivers/<system>/), what the system can do (capabilities),
 * its own subcommands and `omb run` flags, looked up by name in drivers/registry.c. Nothing
 * above src/drivers/ knows a system by name: it asks the table. Adding a driver:
 * docs/design.md, "Adding a driver". */
#ifndef OMB_DRIVERS_DRIVER_H
#define OMB_DRIVERS_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/driver_conf.h"

struct omb_driver;   /* one initialized driver (connection settings, admin handle, ...) */
struct omb_producer; /* one producer on one topic */
struct omb_consumer; /* one consumer of one subscription of one topic */

/* Return codes of driver operations. */
enum {
    OMB_DRV_OK = 0,
    OMB_DRV_ERR = -1,        /* failed; err says why */
    OMB_DRV_QUEUE_FULL = -2, /* send: the client's queue is full; poll, then try again */
    OMB_DRV_TOPICS_KEPT = 1, /* delete_topics: nothing to delete (they end with the cluster) */
};

/* What the worker attaches to each message and gets back on completion. The driver must
 * carry it from send() to the completion (in the message itself: a header or prefix). */
struct omb_msg_meta {
    int64_t intended_ns; /* when the schedule wanted this message sent (epoch ns, util/clock.h) */
    int64_t sent_ns;     /* when the worker called send() */
    /* Who sent it: the producer's id (in 0..INT32_MAX-2, unique within a worker: a random
     * base plus the producer's index; two workers' ranges of n overlap with probability
     * ~2n/2^31) and its
     * per-producer sequence number (0, 1, 2, ...). Systems without offsets deliver
     * these as the message's position (drivers/envelope.h). */
    int32_t producer;
    int64_t seq;
};

/*
 * Completion of one accepted send (send() returned OMB_DRV_OK): called exactly once, with
 * err = 0 when the broker acknowledged it, non-zero when it failed. @p now_ns is
 * omb_now_ns() read by the driver when it learned the outcome (the ack time).
 * Threads: from inside poll() on the producer's sending thread, or from a thread of the
 * client library; completions of one producer are never called concurrently.
 */
typedef void (*omb_send_done_fn)(void *ctx, const struct omb_msg_meta *meta, size_t bytes, int err,
                                 int64_t now_ns);

/* One delivered message. */
struct omb_delivered {
    size_t bytes;
    /* The sender's sent_ns and intended_ns carried with the message, or 0 when the message
     * does not carry them (then publish_ns may come from the system's own timestamp, e.g. a
     * Kafka record timestamp in ms, and intended_ns is 0). */
    int64_t publish_ns, intended_ns;
    int64_t now_ns; /* omb_now_ns() read by the driver at receipt */
    /* The message's position, unique per message, so the delivery check counts a
     * redelivered message once: (partition, offset) on systems that have offsets
     * (OMB_CAP_OFFSETS), else (producer, sequence) from the envelope. offset = -1: none. */
    int32_t partition;
    int64_t offset;
    /* The envelope's producer id (it says which worker sent the message, whose clock
     * stamped publish_ns), or -1 without an envelope. omb_envelope_position fills it. */
    int32_t producer;
    /* Not sent by omb (no envelope): another client writing to the topic, as on a run on
     * existing topics. Counted in the consume rate, left out of the delivery check. */
    bool foreign;
};

/* Delivery of one message. Threads: any thread of the driver's; deliveries to one consumer
 * are never concurrent. */
typedef void (*omb_recv_fn)(void *ctx, const struct omb_delivered *m);

/* What a system can do. The worker, the coordinator and the ensemble ask these. */
enum omb_driver_caps {
    /* The "cluster" lives inside the process (the loopback): producers on one worker
     * cannot reach consumers on another, so a run has one worker. */
    OMB_CAP_IN_PROCESS = 1 << 0,
    /* partitionsPerTopic > 1 means something; without it the coordinator refuses it. */
    OMB_CAP_PARTITIONS = 1 << 1,
    /* Deliveries carry the broker's (partition, offset); without it, (producer, sequence)
     * from the envelope (or no position at all, offset -1). */
    OMB_CAP_OFFSETS = 1 << 2,
};

/* A subcommand a driver owns (`omb kafka-mock`): main() dispatches it by name. */
struct omb_driver_command {
    const char *name;  /* "kafka-mock" */
    const char *usage; /* one line for `omb --help`: "omb kafka-mock [--brokers 3]" */
    int (*main)(int argc, char **argv); /* argv[0] is the first argument after the name */
};

/* An `omb run` flag a driver owns (`--kafka-mock`): given on the command line, its name is
 * added to the flags of every driver file of this driver (omb_driver_conf.flags). */
struct omb_driver_flag {
    const char *flag; /* "--kafka-mock" */
    const char *help; /* for `omb --help` */
};

/* The most topics, producers and consumers (over all workers) a driver serves in one run,
 * with the reason, so a workload beyond them is one sentence before anything is created
 * rather than a machine out of threads or memory halfway through setup. A zero field takes
 * the contract's default (OMB_DRV_MAX_*). */
struct omb_driver_limits {
    int64_t topics, producers, consumers;
    const char *why; /* "each producer is a connection with its own thread" */
};
#define OMB_DRV_MAX_TOPICS  1000000 /* OMB's largest workload file has a million topics */
#define OMB_DRV_MAX_CLIENTS 5000    /* producers, and consumers, of a driver that states none */

/* The shape of a workload a driver file is asked to serve (omb_drv_check_workload). */
struct omb_workload_shape {
    int partitions;                       /* partitionsPerTopic */
    bool pause;                           /* a backlog phase: consumers paused */
    int64_t topics, producers, consumers; /* totals over all workers */
};

struct omb_driver_ops {
    const char *name;         /* "kafka": result file names, -d lookup, the registry's row */
    const char *topic_prefix; /* topics are <prefix>-<7-digit index>-<random> */
    unsigned caps;            /* enum omb_driver_caps */
    const struct omb_driver_command *commands; /* optional; ends with a NULL name */
    const struct omb_driver_flag *run_flags;   /* optional; ends with a NULL flag */
    struct omb_driver_limits limits;

    /** Optional. Whether the driver file can be used by @p nworkers (>= 2) workers at once
     *  (for example: they must reach one shared cluster). */
    int (*check_workers)(const struct omb_driver_conf *conf, size_t nworkers, char *err,
                         size_t errlen);

    /** Optional. Validates the driver file's own keys without connecting anywhere, so every
     *  file of a run is checked before the first topic is created. */
    int (*check)(const struct omb_driver_conf *conf, char *err, size_t errlen);

    /** Optional. Whether the driver file can serve a workload with @p partitions partitions
     *  per topic and, when @p pause, paused consumers (a backlog phase), checked with the
     *  other files before anything runs. The capabilities are checked first (no
     *  OMB_CAP_PARTITIONS: partitions must be 1; no pause_consumer: no backlog). */
    int (*check_workload)(const struct omb_driver_conf *conf, int partitions, bool pause, char *err,
                          size_t errlen);

    /** Validates the driver file's own keys (unknown keys are errors, naming the file and
     *  line) and prepares clients. May block (connectivity check). */
    int (*init)(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                size_t errlen);

    /** Creates topics with @p partitions partitions each. May block. */
    int (*create_topics)(struct omb_driver *d, const char *const *topics, size_t n, int partitions,
                         char *err, size_t errlen);

    /**
     * Optional (NULL: the driver only runs on topics it creates). A run on topics that exist
     * already (the workload's existingTopicList): checks that each of @p topics exists,
     * without creating any (Kafka would create a mistyped name on first use), and gives
     * each one's partition count in @p partitions. From then on this driver's consumers of
     * these topics start at each partition's end as of this call, so that a run measures
     * its own messages rather than replaying the topic's history; a subscription's
     * committed place, if it has one, still wins. The driver never deletes them. May block.
     */
    int (*use_existing_topics)(struct omb_driver *d, const char *const *topics, size_t n,
                               int *partitions, char *err, size_t errlen);

    /** Creates one producer on @p topic; completions go to @p done(@p ctx, ...). */
    int (*create_producer)(struct omb_driver *d, const char *topic, omb_send_done_fn done,
                           void *ctx, struct omb_producer **out, char *err, size_t errlen);

    /**
     * Sends one message asynchronously. The key (may be NULL) is copied or used before
     * return; the payload stays valid and unchanged until the producer is closed, so the
     * driver may reference it without copying. Called by one thread at a time per producer.
     * Returns OMB_DRV_OK (completion follows), OMB_DRV_QUEUE_FULL, or OMB_DRV_ERR (no
     * completion will follow; counted as a send error).
     */
    int (*send)(struct omb_producer *p, const char *key, size_t keylen, const void *payload,
                size_t len, const struct omb_msg_meta *meta);

    /** Optional. Serves pending completions on the calling thread, waiting up to
     *  @p timeout_ms for one. Returns the number served. */
    int (*poll)(struct omb_producer *p, int timeout_ms);

    /** Closes the producer; sends not completed by then may complete with an error or not
     *  at all. NULL-safe. */
    void (*close_producer)(struct omb_producer *p);

    /** Creates a consumer of @p subscription on @p topic; deliveries go to @p fn(@p ctx).
     *  Consumers of one subscription share the topic's partitions; every subscription
     *  receives every message. */
    int (*create_consumer)(struct omb_driver *d, const char *topic, const char *subscription,
                           omb_recv_fn fn, void *ctx, struct omb_consumer **out, char *err,
                           size_t errlen);

    /** Optional. Stop / restart delivery without losing the consumer's place or its group
     *  membership (backlog tests). */
    int (*pause_consumer)(struct omb_consumer *c);
    int (*resume_consumer)(struct omb_consumer *c);

    /** NULL-safe. After return no further delivery is made to the consumer. The worker
     *  closes a run's consumers together, one thread each (closed one by one, each close
     *  would be a group rebalance for the rest), so this runs for several consumers at
     *  once: what consumers share must be locked. */
    void (*close_consumer)(struct omb_consumer *c);

    /** Optional. Deletes the topics (at the end of a run, unless told to keep them).
     *  OMB_DRV_TOPICS_KEPT when there is nothing to delete (an in-process cluster). */
    int (*delete_topics)(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                         size_t errlen);

    /** NULL-safe; all producers and consumers are closed first. */
    void (*destroy)(struct omb_driver *d);
};

/* ---- optional operations, wrapped once: callers never test for NULL ------------------ */

static inline int omb_drv_check(const struct omb_driver_ops *o, const struct omb_driver_conf *c,
                                char *err, size_t errlen)
{
    return o->check ? o->check(c, err, errlen) : 0;
}

static inline int omb_drv_check_workers(const struct omb_driver_ops *o,
                                        const struct omb_driver_conf *c, size_t nworkers, char *err,
                                        size_t errlen)
{
    if (nworkers < 2) return 0;
    if (o->caps & OMB_CAP_IN_PROCESS) {
        snprintf(err, errlen,
                 "%s: the %s driver runs inside each worker; it cannot connect %zu workers "
                 "(use one worker, or a real system)",
                 c->path, o->name, nworkers);
        return -1;
    }
    return o->check_workers ? o->check_workers(c, nworkers, err, errlen) : 0;
}

static inline int64_t omb_drv_limit(int64_t stated, int64_t dflt) { return stated ? stated : dflt; }

/** Whether the driver of @p c can run a workload of shape @p ws: partitions, a backlog
 *  phase (paused consumers), and the driver's limits on topics, producers and consumers. */
static inline int omb_drv_check_workload(const struct omb_driver_ops *o,
                                         const struct omb_driver_conf *c,
                                         const struct omb_workload_shape *ws, char *err,
                                         size_t errlen)
{
    if (ws->partitions > 1 && !(o->caps & OMB_CAP_PARTITIONS)) {
        snprintf(err, errlen,
                 "partitionsPerTopic is %d, but the %s driver (%s) has no partitions: use 1",
                 ws->partitions, o->name, c->path);
        return -1;
    }
    if (ws->pause && !(o->pause_consumer && o->resume_consumer)) {
        snprintf(err, errlen,
                 "consumerBacklogSizeGB needs paused consumers, which the %s driver (%s) "
                 "cannot do",
                 o->name, c->path);
        return -1;
    }
    const struct {
        const char *what;
        int64_t n, max;
    } count[] = {
        {"topics", ws->topics, omb_drv_limit(o->limits.topics, OMB_DRV_MAX_TOPICS)},
        {"producers", ws->producers, omb_drv_limit(o->limits.producers, OMB_DRV_MAX_CLIENTS)},
        {"consumers", ws->consumers, omb_drv_limit(o->limits.consumers, OMB_DRV_MAX_CLIENTS)},
    };
    for (size_t i = 0; i < sizeof count / sizeof count[0]; i++)
        if (count[i].n > count[i].max) {
            snprintf(
                err, errlen, "%lld %s, more than the %s driver (%s) serves in one run (%lld%s%s)",
                (long long)count[i].n, count[i].what, o->name, c->path, (long long)count[i].max,
                o->limits.why ? ": " : "", o->limits.why ? o->limits.why : "");
            return -1;
        }
    return o->check_workload ? o->check_workload(c, ws->partitions, ws->pause, err, errlen) : 0;
}

static inline int omb_drv_poll(const struct omb_driver_ops *o, struct omb_producer *p,
                               int timeout_ms)
{
    return o->poll ? o->poll(p, timeout_ms) : 0;
}

/** Whether the worker must wait elsewhere than in poll() (the driver has none). */
static inline bool omb_drv_has_poll(const struct omb_driver_ops *o) { return o->poll != NULL; }

static inline bool omb_drv_can_pause(const struct omb_driver_ops *o)
{
    return o->pause_consumer && o->resume_consumer;
}

/** Pauses (@p pause) or resumes one consumer; -1 when the driver cannot. */
static inline int omb_drv_pause(const struct omb_driver_ops *o, struct omb_consumer *c, bool pause)
{
    if (!omb_drv_can_pause(o)) return -1;
    return pause ? o->pause_consumer(c) : o->resume_consumer(c);
}

static inline int omb_drv_delete_topics(const struct omb_driver_ops *o, struct omb_driver *d,
                                        const char *const *topics, size_t n, char *err,
                                        size_t errlen)
{
    return o->delete_topics ? o->delete_topics(d, topics, n, err, errlen) : 0;
}

/* ---- the registry (drivers/registry.c) ------------------------------------------------- */

/** The driver table for a `driverClass` value (short name or Java class name), or NULL with
 *  a sentence in @p err (unknown name; or known but not built in). */
const struct omb_driver_ops *omb_driver_lookup(const char *driver_class, char *err, size_t errlen);

/** The built drivers' tables, in registry order; NULL-terminated. */
const struct omb_driver_ops *const *omb_drivers_built(void);

/** "kafka, loopback, ..." (the built drivers), for help text and messages. */
const char *omb_driver_names(void);

/** The driver subcommand called @p name, or NULL. */
const struct omb_driver_command *omb_driver_command(const char *name);

/** The driver that owns `omb run` flag @p flag ("--kafka-mock"), or NULL. */
const struct omb_driver_ops *omb_driver_flag_owner(const char *flag);

#endif
