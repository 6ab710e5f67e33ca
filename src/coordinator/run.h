/* run.h - one workload on one driver through one worker (OMB's WorkloadGenerator): topics,
 * consumers, producers, readiness probe, warm-up, measured phase, result. */
#ifndef OMB_COORDINATOR_RUN_H
#define OMB_COORDINATOR_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/driver_conf.h"
#include "config/workload.h"
#include "coordinator/display.h"
#include "coordinator/result.h"
#include "worker/worker.h"

struct omb_run_options {
    double period_seconds;   /* reporting period; default 10 */
    double probe_timeout_s;  /* readiness probe; default 60 */
    double drain_timeout_s;  /* end-of-run catch-up for consumers; default 30 */
    double backlog_stall_s;  /* a backlog build/drain with no progress this long fails; 60 */
    double control_period_s; /* rate search control period; default 1 */
    bool keep_topics;
    bool rate_per_producer;   /* producerRate is per producer (the Python port's reading) */
    enum omb_display display; /* OMB's lines (default), or compact lines and a status line */
    int term_width;           /* columns of the terminal the live display fits (0: 120) */
};

void omb_run_options_default(struct omb_run_options *o);

/* Set to the signal's number by the SIGINT/SIGTERM handler; the run stops at the next check
 * and still reports; omb exits with 128 + that number. */
extern _Atomic int omb_interrupted; /* lock-free: safe in a handler, seen by every thread */
void omb_install_signal_handlers(void);

enum omb_run_status {
    OMB_RUN_OK = 0,
    OMB_RUN_FAILED = 1,        /* an error; a result was written if anything was measured */
    OMB_RUN_INTERRUPTED = 130, /* by a signal: the exit code is 128 + omb_interrupted */
};

/* What a run measured, for a caller that runs several (omb sweep). Rates are over the
 * measured phase ("test" periods only): messages counted in its periods divided by their
 * total length; the consume rate counts every subscription's copy, as OMB's consumeRate. */
struct omb_run_report {
    bool measured;  /* false: no measured period (the figures below are 0) */
    double seconds; /* length of the measured phase */
    int64_t sent, received, send_errors;
    double publish_rate, consume_rate, publish_error_rate; /* msg/s, err/s */
    struct omb_latency_summary publish, end_to_end;        /* whole run, µs (result.h) */
    double sustained_rate; /* producerRate 0: the rate the search sustained (0: none) */
    int64_t missing;       /* acknowledged messages that never arrived (delivery check) */
    /* This run wrote result_path: the caller can tell its own result from a file that was
     * there before (-c writes the CSV of this run's results only). */
    bool result_written;
};

/**
 * Runs @p w with the driver @p d on @p worker and writes the result JSON to @p result_path
 * (if anything was measured). Every outcome ends with the worker stopped and, unless asked
 * to keep them, the topics deleted. Errors are logged as one sentence. When @p report is not
 * NULL it is filled with what was measured, whatever the status.
 */
enum omb_run_status omb_run_workload(struct omb_worker *worker, const struct omb_workload *w,
                                     const struct omb_driver_conf *d,
                                     const struct omb_run_options *opt, const char *result_path,
                                     struct omb_run_report *report);

#endif
