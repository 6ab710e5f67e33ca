/* local_worker.h - the worker that runs producers and consumers in this process. */
#ifndef OMB_WORKER_LOCAL_WORKER_H
#define OMB_WORKER_LOCAL_WORKER_H

#include "worker/worker.h"

struct omb_local_worker_options {
    int sender_threads; /* 0: half the CPUs, at least 1; never more than the producers */
    int hist_digits;    /* 0: OMB_HIST_DEFAULT_DIGITS */
};

/** A local worker (OMB's LocalWorker). Returns NULL when out of memory. */
struct omb_worker *omb_local_worker_new(const struct omb_local_worker_options *opt);

/** Acknowledged sends per topic of this worker's producers (for a delivery check across
 *  workers, where producers and consumers live in different processes). *topics and
 *  *acked are malloc'ed arrays of *n entries (topics malloc'ed). Returns 0 or -1 (no
 *  memory). Same thread rules as the worker's operations. */
int omb_local_worker_topic_acks(struct omb_worker *w, char ***topics, int64_t **acked, size_t *n);

/** The envelope producer ids of this worker's producers: *n ids from *base on (wrapping at
 *  OMB_PRODUCER_ID_SPACE); *n = 0 without producers. Same thread rules as the operations. */
void omb_local_worker_producer_ids(struct omb_worker *w, int32_t *base, int64_t *n);

/** Distributed runs: the clock offsets of the workers this one receives from, by producer
 *  id range; end-to-end latencies of their messages are corrected by them from now on
 *  (replacing any earlier table; until stop_all). Consumers may be running. Returns 0 or
 *  -1 (no memory; the previous table stays). */
int omb_local_worker_set_clock_peers(struct omb_worker *w, const struct omb_clock_peer *p,
                                     size_t n);

#endif
