/* ensemble.h - OMB's DistributedWorkersEnsemble: remote `omb worker`s (or Java OMB workers)
 * driven over HTTP, presented as one struct omb_worker. */
#ifndef OMB_COORDINATOR_ENSEMBLE_H
#define OMB_COORDINATOR_ENSEMBLE_H

#include <stdbool.h>
#include <stddef.h>

#include "worker/worker.h"

struct omb_ensemble_options {
    bool extra_consumers; /* -x: (N+2)/3 producer workers instead of N/2 */
    const char *token;    /* sent as Authorization: Bearer; NULL: env OMB_WORKER_TOKEN */
    int stats_timeout_ms; /* one stats/counters/rate request; 0: 4000 (twice that with the
                           * one retry stays under 10 s) */
    int setup_timeout_ms; /* driver, topics, producers, consumers, probe, stop; 0: 120000 */
};

/**
 * Connects to every worker (GET /counters-stats) and splits them as OMB does: the first
 * N/2 (or (N+2)/3 with extra_consumers) produce, the rest consume; one worker does both.
 * The first worker creates the topics; the rate is split evenly over the producer workers
 * that were given producers; stats are summed and histograms merged. Calls go to the
 * workers in parallel. A worker that fails to answer within its time limit (retried once
 * for idempotent reads) is named in the error and skipped by the final stop-all.
 * Returns NULL with a sentence naming the unreachable worker(s) in @p err.
 */
struct omb_worker *omb_ensemble_new(char *const *urls, size_t n,
                                    const struct omb_ensemble_options *opt, char *err,
                                    size_t errlen);

/** Reads a workers file `workers: ["http://h:8080", ...]` (OMB's format). *urls: malloc'ed
 *  strings in a malloc'ed array. Returns 0, or -1 with @p err naming file and line. */
int omb_workers_file_load(const char *path, char ***urls, size_t *n, char *err, size_t errlen);

/** Checks a worker URL (http:// or https://, a host); returns a malloc'ed copy without a
 *  trailing '/', or NULL with @p err. */
char *omb_worker_url_normalize(const char *url, char *err, size_t errlen);

#endif
