/* summary.h - the table `omb run` prints after each run and after the whole matrix: one row
 * per workload x driver with the figures people look at first (rates, message counts,
 * errors, publish latency, the delivery check), aligned and within a given width.
 *
 * Here rather than in coordinator/: a row is read back from the result file the run wrote
 * (tools/result_file.h), so the table shows the figures of the file, never its own. */
#ifndef OMB_TOOLS_SUMMARY_H
#define OMB_TOOLS_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/result_file.h"

#define OMB_SUMMARY_WIDTH 120 /* columns the table fits in */

enum omb_summary_delivery {
    OMB_SUMMARY_NO_RESULT,  /* "-": no result file */
    OMB_SUMMARY_OK,         /* "ok": every subscription got every acknowledged message */
    OMB_SUMMARY_DUPLICATES, /* "ok+dups": nothing lost, some delivered more than once */
    OMB_SUMMARY_LOST,       /* "LOST": acknowledged messages never arrived */
    OMB_SUMMARY_UNCHECKED,  /* "unchecked": interrupted, or not omb's result */
    OMB_SUMMARY_NO_SUBS,    /* "n/a": no subscriptions, nothing to check */
};

/* One row. Numbers that are not known are NaN and print as "-". */
struct omb_summary_row {
    char workload[128], driver[128];
    bool rate_search;           /* producerRate 0: the target column says "search" */
    double target;              /* msg/s asked for, mean over the periods; 0: no limit */
    double pub_rate;            /* msg/s, mean over the periods (omb csv's prod-rate-avg) */
    double cons_rate;           /* msg/s, mean over the periods (con-rate-avg) */
    double sent, received;      /* messages, totals */
    double errors;              /* send errors, total */
    double p50, p99, p999, max; /* publish latency over the measured phase, ms */
    enum omb_summary_delivery delivery;
    char note[512]; /* "" or a sentence printed under the table (incomplete, no result) */
};

/** A row without figures, for a pair that wrote no result; @p note says why. */
void omb_summary_row_none(struct omb_summary_row *row, const char *workload, const char *driver,
                          const char *note);

/** The row of a result file (and its sidecar): OMB's keys and omb's additions. */
void omb_summary_row_from_result(const struct omb_result_file *rf, struct omb_summary_row *row);

/**
 * The table of @p n rows under the line @p title: a header with units, one line per row,
 * then one line per row that has a note. Every line fits in @p width columns (at least
 * 100): names are cut ("~" at the end) and the gaps narrowed as needed, numbers never.
 * Returns malloc'ed text ending in a newline, or NULL when out of memory.
 */
char *omb_summary_table(const char *title, const struct omb_summary_row *rows, size_t n,
                        size_t width);

#endif
