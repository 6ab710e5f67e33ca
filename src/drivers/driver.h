/* driver.h - the contract between the worker and a messaging system: one const table of
 * operations per system (drivers/<system>/), looked up by name in drivers/registry.c. */
#ifndef OMB_DRIVERS_DRIVER_H
#define OMB_DRIVERS_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "config/driver_conf.h"

struct omb_driver;   /* one initialized driver (connection settings, admin handle, ...) */
struct omb_producer; /* one producer on one topic */
struct omb_consumer; /* one consumer of one subscription of one topic */

/* Return codes of driver operations. */
enum {
    OMB_DRV_OK = 0,
    OMB_DRV_ERR = -1,        /* failed; err says why */
    OMB_DRV_QUEUE_FULL = -2, /* send: the client's queue is full; poll, then try again */
};

/* What the worker attaches to each message and gets back on completion. The driver must
 * carry it from send() to the completion (in the message itself: a header or prefix). */
struct omb_msg_meta {
    int64_t intended_ns; /* when the schedule wanted this message sent (epoch ns, util/clock.h) */
    int64_t sent_ns;     /* when the worker called send() */
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
    /* Where the message sits in its topic: partition and offset, unique per message, so the
     * delivery check counts a redelivered message once. offset = -1: the system has none. */
    int32_t partition;
    int64_t offset;
};

/* Delivery of one message. Threads: any thread of the driver's; deliveries to one consumer
 * are never concurrent. */
typedef void (*omb_recv_fn)(void *ctx, const struct omb_delivered *m);

struct omb_driver_ops {
    const char *name;               /* "kafka": result file names, -d lookup */
    const char *const *class_names; /* OMB Java class names and aliases; NULL-terminated */
    const char *topic_prefix;       /* topics are <prefix>-<7-digit index>-<random> */

    /** Optional. Validates the driver file's own keys without connecting anywhere, so every
     *  file of a run is checked before the first topic is created. */
    int (*check)(const struct omb_driver_conf *conf, char *err, size_t errlen);

    /** Validates the driver file's own keys (unknown keys are errors, naming the file and
     *  line) and prepares clients. May block (connectivity check). */
    int (*init)(const struct omb_driver_conf *conf, struct omb_driver **out, char *err,
                size_t errlen);

    /** Creates topics with @p partitions partitions each. May block. */
    int (*create_topics)(struct omb_driver *d, const char *const *topics, size_t n, int partitions,
                         char *err, size_t errlen);

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

    /** NULL-safe. After return no further delivery is made to the consumer. */
    void (*close_consumer)(struct omb_consumer *c);

    /** Optional. Deletes the topics (at the end of a run, unless told to keep them). */
    int (*delete_topics)(struct omb_driver *d, const char *const *topics, size_t n, char *err,
                         size_t errlen);

    /** NULL-safe; all producers and consumers are closed first. */
    void (*destroy)(struct omb_driver *d);
};

/** The driver table for a `driverClass` value (short name or Java class name), or NULL with
 *  a sentence in @p err (unknown name; or known but not built in). */
const struct omb_driver_ops *omb_driver_lookup(const char *driver_class, char *err, size_t errlen);

/** Names of all registered drivers, for help text. NULL-terminated. */
const char *const *omb_driver_names(void);

#endif
