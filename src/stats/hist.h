/* hist.h - HDR histogram (Gil Tene's HdrHistogram algorithm), written from the published
 * algorithm: fixed relative precision over a wide range, constant-time record. */
#ifndef OMB_STATS_HIST_H
#define OMB_STATS_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Layout follows HdrHistogram exactly (same bucket/sub-bucket geometry and counts-array
 * indexing as the Java and C libraries), so that percentiles, mean and max agree with
 * HdrHistogram for the same samples, and so the V2 wire encoding is a straight copy of the
 * counts array.
 *
 * Not thread-safe: one writer. omb records per thread (see stats/recorder.h) and merges
 * when a period is read.
 *
 * Values are non-negative integers (omb uses microseconds). A value above
 * highest_trackable is clamped to highest_trackable and counted in `clamped`; a negative
 * value is recorded as 0 and counted in `clamped` too (it can only come from a clock or
 * a peer's bad timestamp, and must not vanish silently).
 */
struct omb_hist {
    int64_t lowest_discernible;  /* >= 1 */
    int64_t highest_trackable;   /* >= 2 * lowest_discernible */
    int32_t significant_figures; /* 1..5 */
    int32_t unit_magnitude;
    int32_t sub_bucket_half_count_magnitude;
    int32_t sub_bucket_half_count;
    int32_t sub_bucket_count;
    int64_t sub_bucket_mask;
    int32_t bucket_count;
    int32_t counts_len;
    int64_t total_count;
    int64_t min_value; /* smallest non-zero value recorded (raw), INT64_MAX if none */
    int64_t max_value; /* largest value recorded (raw), 0 if none */
    int64_t clamped;   /* values that were outside [0, highest_trackable] */
    int64_t *counts;   /* counts_len entries */
};

/** Allocates a histogram. Returns NULL on bad arguments or out of memory.
 *  lowest_discernible >= 1, highest_trackable >= 2*lowest, 1 <= significant_figures <= 5. */
struct omb_hist *omb_hist_new(int64_t lowest_discernible, int64_t highest_trackable,
                              int significant_figures);
/** A new empty histogram with the same geometry as @p h. */
struct omb_hist *omb_hist_new_like(const struct omb_hist *h);
void omb_hist_destroy(struct omb_hist *h); /* NULL-safe */

/** Counts-array index of @p value (0 <= value <= highest_trackable). Constant time. */
static inline int32_t omb_hist_index(const struct omb_hist *h, int64_t value)
{
    int32_t pow2ceiling = 64 - __builtin_clzll((uint64_t)(value | h->sub_bucket_mask));
    int32_t bucket = pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
    int32_t sub_bucket = (int32_t)(value >> (bucket + h->unit_magnitude));
    return ((bucket + 1) << h->sub_bucket_half_count_magnitude) +
           (sub_bucket - h->sub_bucket_half_count);
}

/** Clamps @p value into [0, highest_trackable]; *clamped is set when it had to. */
static inline int64_t omb_hist_clamp(const struct omb_hist *h, int64_t value, bool *clamped)
{
    *clamped = value < 0 || value > h->highest_trackable;
    return value < 0 ? 0 : (value > h->highest_trackable ? h->highest_trackable : value);
}

void omb_hist_record(struct omb_hist *h, int64_t value);
void omb_hist_record_n(struct omb_hist *h, int64_t value, int64_t count);
void omb_hist_reset(struct omb_hist *h);

/** Adds every count of @p src into @p dst. Same geometry: counts are added index by index;
 *  otherwise each src bucket is recorded into dst at its value (values above dst's range
 *  are clamped). Returns 0. */
int omb_hist_add(struct omb_hist *dst, const struct omb_hist *src);

/** Value of counts index @p index (the lowest value that maps to it). */
int64_t omb_hist_value_at_index(const struct omb_hist *h, int32_t index);
int64_t omb_hist_lowest_equivalent(const struct omb_hist *h, int64_t value);
int64_t omb_hist_highest_equivalent(const struct omb_hist *h, int64_t value);
int64_t omb_hist_median_equivalent(const struct omb_hist *h, int64_t value);
int64_t omb_hist_equivalent_range(const struct omb_hist *h, int64_t value);

/* Statistics, with HdrHistogram's (Java 2.1.12) definitions; all return 0 when empty. */
int64_t omb_hist_value_at_percentile(const struct omb_hist *h, double percentile);
double omb_hist_mean(const struct omb_hist *h); /* sum(median_equivalent * count) / total */
double omb_hist_stddev(const struct omb_hist *h);
int64_t omb_hist_max(const struct omb_hist *h); /* highest_equivalent(max_value) */
int64_t
omb_hist_min(const struct omb_hist *h); /* 0 if a 0 was recorded, else lowest_equivalent(min) */

/** One step of HdrHistogram's percentile iteration. */
struct omb_hist_pct_step {
    double percentile;       /* percentile actually reached: 100 * count_to_here / total */
    double percentile_level; /* the iteration level (tick) that was reached */
    int64_t value;           /* highest_equivalent value of the bucket reached */
};

/**
 * HdrHistogram's percentile iteration (PercentileIterator with @p ticks_per_half_distance
 * ticks per half distance to 100%, ending with one extra step at 100%), exactly as Java's
 * histogram.percentiles(ticks) yields it, including repeated steps in the same bucket.
 * Calls @p fn for each step; stops early if fn returns non-zero. Returns the step count.
 */
size_t omb_hist_percentiles(const struct omb_hist *h, int ticks_per_half_distance,
                            int (*fn)(void *ctx, const struct omb_hist_pct_step *step), void *ctx);

#endif
