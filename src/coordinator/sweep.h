/* sweep.h - `omb sweep`: the latency-throughput curve of one workload on each driver. The
 * maximum-rate search (or a rate given), then one fixed-rate run per fraction of it, each an
 * ordinary run (run.h) with its own OMB result file, and a summary of every step
 * (docs/sweep.md: file names, the summary's schema, failures and Ctrl-C). */
#ifndef OMB_COORDINATOR_SWEEP_H
#define OMB_COORDINATOR_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config/driver_conf.h"
#include "config/workload.h"
#include "coordinator/run.h"
#include "worker/worker.h"

#define OMB_SWEEP_MAX_FRACTIONS 32
#define OMB_SWEEP_MAX_FRACTION  1.5      /* above the sustained rate, to see the curve break */
#define OMB_SWEEP_SUFFIX        ".sweep" /* not .json: OMB's ResultsToCsv reads every *.json */
#define OMB_SWEEP_FORMAT        1        /* the summary's "ombSweep": its schema's version */

struct omb_sweep_options {
    double fractions[OMB_SWEEP_MAX_FRACTIONS]; /* increasing, in (0, OMB_SWEEP_MAX_FRACTION] */
    size_t nfractions;
    double step_minutes;   /* measured phase of each fixed-rate step; 0: the workload's */
    double search_minutes; /* measured phase of the search; 0: the workload's */
    double warmup_minutes; /* warm-up of every step; < 0: the workload's */
    double max_rate;       /* > 0: the 1.0 rate, no search */
    const char *dir;       /* output directory (exists); NULL: the current one */
};

/** Defaults: fractions 0.25, 0.5, 0.75, 0.9, 1.0; the workload's durations; a search. */
void omb_sweep_options_default(struct omb_sweep_options *o);

/**
 * Parses @p s ("0.25,0.5,1"), a comma-separated list of finite numbers in
 * (0, OMB_SWEEP_MAX_FRACTION], strictly increasing, at most OMB_SWEEP_MAX_FRACTIONS, into
 * @p o. Returns 0, or -1 with one sentence in @p err naming the bad element.
 */
int omb_sweep_parse_fractions(const char *s, struct omb_sweep_options *o, char *err, size_t errlen);

/** Prints what a sweep of @p w on one driver would run ("     search ..., then ...")
 *  to @p f; returns its warm-up and measured minutes (setup and readiness on top). */
double omb_sweep_print_plan(FILE *f, const struct omb_workload *w,
                            const struct omb_sweep_options *o);

/** Whether @p w can be swept (no backlog test). Returns 0, or -1 with one sentence. */
int omb_sweep_check_workload(const struct omb_workload *w, char *err, size_t errlen);

/**
 * Sweeps @p w on each of the @p nd drivers in order (skipping driver j when @p skip[j] is
 * not NULL: why it cannot run, logged), on @p worker, writing the step results and, once a
 * step has finished, the summary (rewritten atomically after each step). A driver whose
 * search finds no sustained rate gets no fixed-rate steps. Stops at an interrupt
 * (omb_interrupted), the summary then marked incomplete. Returns OMB_RUN_OK when every
 * step of every driver completed, OMB_RUN_INTERRUPTED, or OMB_RUN_FAILED.
 */
enum omb_run_status omb_sweep_run(struct omb_worker *worker, const struct omb_workload *w,
                                  const struct omb_driver_conf *drivers, size_t nd,
                                  const char *const *skip, const struct omb_run_options *ropt,
                                  const struct omb_sweep_options *o);

#endif
