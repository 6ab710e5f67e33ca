/* display.h - what `omb run` shows on a terminal instead of OMB's long lines: a compact
 * period line that fits the terminal's width and a status line rewritten in place every
 * second (phase, elapsed / remaining, publish and consume rate against the target, backlog,
 * p99). Pure formatting: run.c feeds it, util/log.c keeps the status line at the bottom. */
#ifndef OMB_COORDINATOR_DISPLAY_H
#define OMB_COORDINATOR_DISPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "coordinator/result.h"

/* How periods are shown (omb run --display). */
enum omb_display {
    OMB_DISPLAY_OMB = 0, /* OMB's exact lines, nothing rewritten (logs, pipes, tests) */
    OMB_DISPLAY_LIVE,    /* compact period lines and a live status line (a terminal) */
};

/**
 * The period line in at most @p width columns (at least 40): the phase, publish rate (and
 * the target when @p target > 0), consume rate, publish latency, backlog, errors,
 * end-to-end latency, MB/s, publish delay; the least important parts are left out first when they
 * do not fit, never cut in the middle. Writes into @p buf (@p n bytes).
 */
void omb_display_period_line(const struct omb_period *p, const char *phase, double target,
                             size_t width, char *buf, size_t n);

/* What the status line shows. */
struct omb_status {
    const char *phase;  /* "warmup", "test", "backlog-build", "backlog-drain" */
    double elapsed_s;   /* in this phase */
    double duration_s;  /* of this phase; <= 0: ends on a condition (no "remaining") */
    double pub_rate;    /* msg/s over the last second; < 0: not known yet ("-") */
    double target_rate; /* msg/s asked for; 0: no limit */
    double cons_rate;   /* msg/s over the last second, every subscription's copy; < 0: "-" */
    int64_t backlog;    /* messages */
    double p99_ms;      /* publish latency p99 of the last period; < 0: none yet */
};

/** The status line in at most @p width - 1 columns (at least 40; the last column is left
 *  free so a terminal never wraps it), parts left out from the end as needed. */
void omb_display_status_line(const struct omb_status *s, size_t width, char *buf, size_t n);

#endif
