/* recorder.h - per-thread statistics with no lock and no atomic read-modify-write on the
 * per-message path, merged into period and cumulative views when a reader asks. */
#ifndef OMB_STATS_RECORDER_H
#define OMB_STATS_RECORDER_H

#include <stdatomic.h>
#include <stdint.h>

#include "stats/hist.h"

/* Latency series, all in microseconds. */
enum omb_series {
    OMB_PUB_LATENCY,    /* ack - actual send */
    OMB_PUB_DELAY,      /* actual send - intended send (schedule lag) */
    OMB_E2E_LATENCY,    /* receive - publish timestamp carried by the message */
    OMB_PUB_LATENCY_CO, /* ack - intended send (coordinated-omission corrected) */
    OMB_E2E_LATENCY_CO, /* receive - intended send */
    OMB_NSERIES
};

/* Histogram ranges (SPEC section 6): 60 s for publish and delay, 12 h end to end. */
#define OMB_HIST_PUB_MAX_US     (60LL * 1000 * 1000)
#define OMB_HIST_E2E_MAX_US     (12LL * 3600 * 1000 * 1000)
#define OMB_HIST_DEFAULT_DIGITS 5 /* as OMB's recorders */

/* Counters, in the order they live in a recorder. */
enum omb_counter {
    OMB_C_SENT, /* messages acknowledged */
    OMB_C_SEND_ERRORS,
    OMB_C_BYTES_SENT,
    OMB_C_RECEIVED,
    OMB_C_BYTES_RECEIVED,
    OMB_NCOUNTERS
};

/* One thread's view. Only its owning thread writes; a reader only reads. Counters are
 * atomics written with a relaxed load and a relaxed store (a plain mov on x86), never a
 * locked instruction. */
struct omb_recorder {
    _Atomic int64_t counters[OMB_NCOUNTERS];
    _Atomic int64_t clamped[OMB_NSERIES];
    _Atomic int64_t negative[OMB_NSERIES];
    struct omb_live_hist {
        const struct omb_hist *geometry; /* shared, read-only */
        _Atomic int64_t *counts;
        _Atomic int32_t max_index; /* highest index ever written, so readers scan no further */
    } hist[OMB_NSERIES];
    /* Reader-side state: what the last read saw. */
    int64_t seen_counters[OMB_NCOUNTERS];
    int64_t seen_clamped[OMB_NSERIES];
    int64_t seen_negative[OMB_NSERIES];
    int64_t *seen_counts[OMB_NSERIES];
    struct omb_recorder *next;
};

struct omb_stats; /* all recorders of one worker, plus the reader's cumulative view */

/** @p significant_digits: 1..5 (OMB uses 5). Returns NULL on bad input / no memory. */
struct omb_stats *omb_stats_new(int significant_digits);
int omb_stats_digits(const struct omb_stats *s);
void omb_stats_destroy(struct omb_stats *s); /* NULL-safe; no thread may record any more */

/** The calling thread's recorder for @p s, created on first use (takes a lock once per
 *  thread, never again). */
struct omb_recorder *omb_stats_recorder(struct omb_stats *s);

static inline void omb_rec_add(_Atomic int64_t *c, int64_t delta)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + delta,
                          memory_order_relaxed);
}

static inline void omb_rec_count(struct omb_recorder *r, enum omb_counter c, int64_t delta)
{
    omb_rec_add(&r->counters[c], delta);
}

/** Records one latency in microseconds. Above the histogram's range: clamped to it and
 *  counted in `clamped`. Negative (a receive timestamped before its send: clocks that
 *  disagree by more than the latency): not a latency that can be measured, so counted in
 *  `negative` and left out of the histogram, rather than recorded as 0. */
static inline void omb_rec_value(struct omb_recorder *r, enum omb_series s, int64_t us)
{
    struct omb_live_hist *lh = &r->hist[s];
    const struct omb_hist *g = lh->geometry;
    if (__builtin_expect(us < 0, 0)) {
        omb_rec_add(&r->negative[s], 1);
        return;
    }
    if (__builtin_expect(us > g->highest_trackable, 0)) {
        omb_rec_add(&r->clamped[s], 1);
        us = g->highest_trackable;
    }
    int32_t i = omb_hist_index(g, us);
    omb_rec_add(&lh->counts[i], 1);
    if (i > atomic_load_explicit(&lh->max_index, memory_order_relaxed))
        atomic_store_explicit(&lh->max_index, i, memory_order_relaxed);
}

/* What a reader gets: counts since the previous read, totals since the start, and one
 * histogram per series. */
struct omb_stats_view {
    int64_t counters[OMB_NCOUNTERS]; /* since the previous period read */
    int64_t totals[OMB_NCOUNTERS];   /* since omb_stats_new (never reset) */
    int64_t clamped[OMB_NSERIES];    /* since the previous period read */
    int64_t negative[OMB_NSERIES];   /* since the previous period read (not in hist) */
    struct omb_hist *hist[OMB_NSERIES];
};

/** Allocates empty histograms in @p v: the ranges above, @p digits significant digits. */
int omb_stats_view_init(struct omb_stats_view *v, int digits);
void omb_stats_view_free(struct omb_stats_view *v);
/** Zeroes counters and histograms of @p v. */
void omb_stats_view_clear(struct omb_stats_view *v);
/** Adds @p src into @p dst (counters summed, histograms merged). */
void omb_stats_view_add(struct omb_stats_view *dst, const struct omb_stats_view *src);

/**
 * Reads everything recorded since the previous read into @p period (cleared first) and adds
 * it to the cumulative view. One reader at a time (the caller serializes). Never blocks a
 * recording thread; a sample being recorded concurrently lands in this or the next read,
 * never in none or both.
 */
void omb_stats_read_period(struct omb_stats *s, struct omb_stats_view *period);

/** The cumulative histograms (and counters) since the last omb_stats_reset(), after
 *  folding in anything not yet read. Copies into @p out (cleared first). */
void omb_stats_read_cumulative(struct omb_stats *s, struct omb_stats_view *out);

/** Totals since omb_stats_new (what period reads report as totals, plus what no read has
 *  collected yet), without a period read: cheap, for liveness and progress checks. */
void omb_stats_read_totals(struct omb_stats *s, int64_t totals[OMB_NCOUNTERS]);

/** Discards everything recorded so far from period and cumulative views (totals stay). */
void omb_stats_reset(struct omb_stats *s);

#endif
