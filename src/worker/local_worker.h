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

#endif
