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

/*
 * Where a thread's latency samples go. Full-precision histograms cost their range, not their
 * samples: 5 digits over 12 h is 2.6M counts, and a thread whose end-to-end latencies spread
 * over a few seconds wrote to ~20 MB of them (and as much again in the reader's "seen" copy),
 * per consumer thread. So each sample first goes to a ring of counts-array indexes that the
 * period read empties into the reader's histograms: a thread costs about the samples of one
 * period (the ring's pages the reader consumed are handed back to the kernel), whatever its
 * latencies. Only a thread that fills its ring between two reads (more than
 * OMB_REC_RING_LEN samples in a period: a fast sender thread) gets dense per-thread counts
 * as well, and records what does not fit there; those cost the pages its values land on.
 * Both are exact: the same counts-array index either way.
 */
#define OMB_REC_RING_LEN   (1u << 16) /* samples; 256 KiB of address space per recorder */
#define OMB_REC_INDEX_BITS 28         /* ring entry: series << 28 | counts index */

/* Dense per-thread counts, allocated by the owning thread the first time its ring is full. */
struct omb_rec_dense {
    _Atomic int64_t *counts[OMB_NSERIES];
    _Atomic int32_t max_index[OMB_NSERIES]; /* highest index ever written, -1: none */
    int64_t *seen[OMB_NSERIES];             /* reader's: what the last read saw */
};

/* One thread's view. Only its owning thread writes; a reader only reads. Counters are
 * atomics written with a relaxed load and a relaxed store (a plain mov on x86), never a
 * locked instruction. */
struct omb_recorder {
    _Atomic int64_t counters[OMB_NCOUNTERS];
    _Atomic int64_t clamped[OMB_NSERIES];
    _Atomic int64_t negative[OMB_NSERIES];
    const struct omb_hist *geometry[OMB_NSERIES]; /* shared, read-only */
    /* Single producer (the owner), single consumer (the reader, under the stats lock). */
    uint32_t *ring;                        /* OMB_REC_RING_LEN entries */
    uint32_t ring_head;                    /* owner's: next entry to write (free-running) */
    uint32_t ring_tail_seen;               /* owner's: ring_tail when it last looked */
    _Atomic uint32_t ring_pub;             /* ring_head published to the reader (release) */
    _Atomic uint32_t ring_tail;            /* reader's: consumed up to here (release) */
    _Atomic(struct omb_rec_dense *) dense; /* NULL until the ring first overflowed */
    /* Reader-side state: what the last read saw. */
    int64_t seen_counters[OMB_NCOUNTERS];
    int64_t seen_clamped[OMB_NSERIES];
    int64_t seen_negative[OMB_NSERIES];
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

/** The owner's slow path of omb_rec_value: the ring looked full. Records counts index
 *  @p index of series @p s in the ring if the reader has made room, else in dense counts. */
void omb_rec_value_slow(struct omb_recorder *r, enum omb_series s, int32_t index);

/** Records one latency in microseconds. Above the histogram's range: clamped to it and
 *  counted in `clamped`. Negative (a receive timestamped before its send: clocks that
 *  disagree by more than the latency): not a latency that can be measured, so counted in
 *  `negative` and left out of the histogram, rather than recorded as 0. */
static inline void omb_rec_value(struct omb_recorder *r, enum omb_series s, int64_t us)
{
    const struct omb_hist *g = r->geometry[s];
    if (__builtin_expect(us < 0, 0)) {
        omb_rec_add(&r->negative[s], 1);
        return;
    }
    if (__builtin_expect(us > g->highest_trackable, 0)) {
        omb_rec_add(&r->clamped[s], 1);
        us = g->highest_trackable;
    }
    int32_t i = omb_hist_index(g, us);
    uint32_t h = r->ring_head;
    if (__builtin_expect(h - r->ring_tail_seen == OMB_REC_RING_LEN, 0)) {
        omb_rec_value_slow(r, s, i);
        return;
    }
    r->ring[h & (OMB_REC_RING_LEN - 1)] = (uint32_t)s << OMB_REC_INDEX_BITS | (uint32_t)i;
    r->ring_head = h + 1;
    atomic_store_explicit(&r->ring_pub, h + 1, memory_order_release); /* a plain mov on x86 */
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
