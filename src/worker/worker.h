/* worker.h - what the coordinator drives: OMB's Worker interface. The local worker runs the
 * load in this process; the distributed ensemble (HTTP) presents the same table, so the
 * coordinator cannot tell them apart. */
#ifndef OMB_WORKER_WORKER_H
#define OMB_WORKER_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/driver_conf.h"
#include "config/workload.h"
#include "stats/positions.h"
#include "stats/recorder.h"

struct omb_topic_sub {
    char *topic;
    char *subscription;
};

struct omb_load_spec {
    const unsigned char *const *payloads; /* npayloads buffers of payload_size bytes */
    size_t npayloads;
    size_t payload_size;
    double rate; /* total msg/s over this worker's producers; <= 0: as fast as possible */
    enum omb_key_distributor keys;
};

/* Per subscription: what its topic's producers had acknowledged and what it received. */
struct omb_delivery {
    char *topic;
    char *subscription;
    int64_t acknowledged;
    int64_t received; /* deliveries of omb's messages, a redelivered message counted each time */
    /* By position (partition, offset): whether every delivery came with one (false: the
     * driver gives none, and only counts can be compared), the distinct messages received,
     * and the positions themselves (for merging across workers). */
    bool positioned;
    int64_t distinct;
    struct omb_positions positions;
    int64_t foreign; /* deliveries of messages omb did not send (other clients of the topic) */
};

/** Acknowledged messages the subscription did not receive: by distinct position when
 *  known, so that redeliveries cannot hide a loss; else by count. */
int64_t omb_delivery_missing(const struct omb_delivery *d);
/** Deliveries beyond the first of a message; when positions are unknown, the surplus of
 *  received over acknowledged (a lower bound). */
int64_t omb_delivery_duplicates(const struct omb_delivery *d);

/* One worker's clock as the coordinator estimated it before the load (distributed runs). */
struct omb_clock_report {
    const char *worker; /* its URL (owned by the worker object) */
    bool estimated;     /* false: no estimate (why says so), nothing corrected for it */
    int64_t offset_ns;  /* its clock - the coordinator's */
    int64_t uncertainty_ns;
    char why[160];
};

/* Envelope producer ids live in 0 .. OMB_PRODUCER_ID_SPACE - 1; a worker's are a range
 * base, base + 1, ... that wraps around at the end. */
#define OMB_PRODUCER_ID_SPACE (INT32_MAX - 1)

/* For a receiving worker: messages from producer ids base .. base + count - 1 (wrapping)
 * were timestamped by a clock offset_ns ahead of this worker's. */
struct omb_clock_peer {
    int32_t base;
    int64_t count;
    int64_t offset_ns;
};

struct omb_worker;

/* Every operation returns 0, or -1 with one sentence in err. Called from one thread. */
struct omb_worker_ops {
    int (*initialize_driver)(struct omb_worker *w, const struct omb_driver_conf *conf, char *err,
                             size_t errlen);
    /** Creates @p n topics; *names receives n malloc'ed names in a malloc'ed array. */
    int (*create_topics)(struct omb_worker *w, int n, int partitions, char ***names, char *err,
                         size_t errlen);
    /** Optional (NULL: OMB's Java workers). The run uses @p n topics that exist already
     *  (existingTopicList) instead of creating any: the driver's use_existing_topics
     *  (driver.h), which gives their partition counts in @p partitions. The worker never
     *  deletes them. */
    int (*use_existing_topics)(struct omb_worker *w, char *const *topics, size_t n,
                               int *partitions, char *err, size_t errlen);
    /** One producer per entry (a topic repeated = several producers on it). */
    int (*create_producers)(struct omb_worker *w, char *const *topics, size_t n, char *err,
                            size_t errlen);
    int (*create_consumers)(struct omb_worker *w, const struct omb_topic_sub *ts, size_t n,
                            char *err, size_t errlen);
    /** Every producer sends one message. */
    int (*probe_producers)(struct omb_worker *w, char *err, size_t errlen);
    int (*start_load)(struct omb_worker *w, const struct omb_load_spec *spec, char *err,
                      size_t errlen);
    int (*adjust_rate)(struct omb_worker *w, double rate, char *err, size_t errlen);
    int (*pause_consumers)(struct omb_worker *w, char *err, size_t errlen);
    int (*resume_consumers)(struct omb_worker *w, char *err, size_t errlen);
    /** Counters and histograms since the previous period read (view from omb_worker_view_init). */
    int (*period_stats)(struct omb_worker *w, struct omb_stats_view *out, char *err, size_t errlen);
    /** Histograms since the last reset. */
    int (*cumulative_latencies)(struct omb_worker *w, struct omb_stats_view *out, char *err,
                                size_t errlen);
    /** Totals since the start: out->totals is filled, nothing else. */
    int (*counters)(struct omb_worker *w, struct omb_stats_view *out, char *err, size_t errlen);
    int (*reset_stats)(struct omb_worker *w, char *err, size_t errlen);
    /** Optional (NULL for remote workers). Stops sending and waits up to @p timeout_ms for
     *  every accepted send to complete; consumers keep running. */
    int (*stop_producers)(struct omb_worker *w, int timeout_ms, char *err, size_t errlen);
    /** Optional. Per-subscription delivery accounting; *out is malloc'ed. */
    int (*delivery)(struct omb_worker *w, struct omb_delivery **out, size_t *n, char *err,
                    size_t errlen);
    /** Optional (NULL: one clock, nothing to report). The clock offsets estimated when the
     *  load started, one per worker; *out stays owned by the worker. Returns how many. */
    size_t (*clock_offsets)(struct omb_worker *w, const struct omb_clock_report **out);
    /** Closes producers and consumers and, unless @p keep_topics, deletes the topics.
     *  Idempotent. */
    int (*stop_all)(struct omb_worker *w, int keep_topics, char *err, size_t errlen);
    void (*destroy)(struct omb_worker *w);
};

struct omb_worker {
    const struct omb_worker_ops *ops;
    const char *name; /* "local", or the worker's URL */
    int hist_digits;  /* significant digits of the histograms it returns */
};

/** Histogram views with this worker's geometry. */
int omb_worker_view_init(const struct omb_worker *w, struct omb_stats_view *v);

void omb_delivery_free(struct omb_delivery *d, size_t n);

#endif
