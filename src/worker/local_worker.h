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

#endif
