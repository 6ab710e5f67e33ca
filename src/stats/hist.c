/* hist.c - HDR histogram: geometry, recording, merging and HdrHistogram's statistics. */
#include "stats/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/zpages.h"

/*
 * Written from HdrHistogram's published algorithm, matching Java HdrHistogram 2.1.12
 * (AbstractHistogram, PercentileIterator) definition by definition, including the floating
 * point order of operations, so results agree bit for bit.
 *
 * Invariant kept by every function here and by the decoder: every non-zero count sits at an
 * index <= omb_hist_index(h, max_value) < counts_len, and total_count is the sum of counts.
 * That lets reset, add, percentile and encoding loops stop at the max index instead of
 * scanning (and touching) the whole, mostly untouched, calloc'd array.
 */

/* Java's (long) cast of a double: saturating, NaN -> 0. */
static int64_t java_d2l(double d)
{
    if (d != d) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}

static int32_t bucket_index(const struct omb_hist *h, int64_t value)
{
    int32_t pow2ceiling = 64 - __builtin_clzll((uint64_t)(value | h->sub_bucket_mask));
    return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

/* Java's getBucketsNeededToCoverValue(). */
static int32_t buckets_needed(int64_t sub_bucket_count, int32_t unit_magnitude, int64_t value)
{
    int64_t smallest_untrackable = sub_bucket_count << unit_magnitude;
    int32_t buckets = 1;
    while (smallest_untrackable <= value) {
        if (smallest_untrackable > INT64_MAX / 2) return buckets + 1;
        smallest_untrackable <<= 1;
        buckets++;
    }
    return buckets;
}

struct omb_hist *omb_hist_new(int64_t lowest_discernible, int64_t highest_trackable,
                              int significant_figures)
{
    if (lowest_discernible < 1 || significant_figures < 1 || significant_figures > 5) return NULL;
    if (lowest_discernible > INT64_MAX / 2 || highest_trackable < 2 * lowest_discernible)
        return NULL;

    /* Java computes these as (int) (Math.log(x) / Math.log(2)) and Math.ceil of the same.
     * Integer forms give the same numbers (2*10^s is never a power of two) except where
     * Java's floating-point log misrounds, for a lowest value within an ulp of a large power
     * of two: there the exact floor(log2) is taken. */
    int64_t largest_single_unit = 2;
    for (int i = 0; i < significant_figures; i++) largest_single_unit *= 10;
    int32_t unit_magnitude = 63 - __builtin_clzll((uint64_t)lowest_discernible);
    int32_t sub_bucket_count_magnitude = 64 - __builtin_clzll((uint64_t)largest_single_unit - 1);
    int32_t half_magnitude = (sub_bucket_count_magnitude > 1 ? sub_bucket_count_magnitude : 1) - 1;
    if (unit_magnitude + half_magnitude > 61)
        return NULL; /* Java refuses this too: values could not be represented */

    int64_t sub_bucket_count = (int64_t)1 << (half_magnitude + 1);
    int32_t bucket_count = buckets_needed(sub_bucket_count, unit_magnitude, highest_trackable);
    int64_t counts_len = ((int64_t)bucket_count + 1) * (sub_bucket_count / 2);
    if (counts_len > INT32_MAX) return NULL;

    struct omb_hist *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    /* Straight from the kernel (util/zpages.h): a 2.6M-entry array of which only the low
     * part is ever used costs only the pages that are touched. */
    h->counts = omb_zpages_alloc((size_t)counts_len * sizeof(int64_t));
    if (!h->counts) {
        free(h);
        return NULL;
    }
    h->lowest_discernible = lowest_discernible;
    h->highest_trackable = highest_trackable;
    h->significant_figures = significant_figures;
    h->unit_magnitude = unit_magnitude;
    h->sub_bucket_half_count_magnitude = half_magnitude;
    h->sub_bucket_count = (int32_t)sub_bucket_count;
    h->sub_bucket_half_count = (int32_t)(sub_bucket_count / 2);
    h->sub_bucket_mask = (sub_bucket_count - 1) << unit_magnitude;
    h->bucket_count = bucket_count;
    h->counts_len = (int32_t)counts_len;
    h->total_count = 0;
    h->min_value = INT64_MAX;
    h->max_value = 0;
    h->clamped = 0;
    return h;
}

struct omb_hist *omb_hist_new_like(const struct omb_hist *h)
{
    return omb_hist_new(h->lowest_discernible, h->highest_trackable, h->significant_figures);
}

void omb_hist_destroy(struct omb_hist *h)
{
    if (!h) return;
    omb_zpages_free(h->counts, (size_t)h->counts_len * sizeof(int64_t));
    free(h);
}

/* Index one past the last possibly non-zero count. */
static int32_t used_len(const struct omb_hist *h) { return omb_hist_index(h, h->max_value) + 1; }

void omb_hist_record(struct omb_hist *h, int64_t value)
{
    if (__builtin_expect((uint64_t)value > (uint64_t)h->highest_trackable, 0)) {
        /* negative values are huge when seen as unsigned: one compare catches both */
        value = value < 0 ? 0 : h->highest_trackable;
        h->clamped++;
    }
    h->counts[omb_hist_index(h, value)]++;
    h->total_count++;
    if (value > h->max_value) h->max_value = value;
    if (value < h->min_value && value != 0) h->min_value = value;
}

void omb_hist_record_n(struct omb_hist *h, int64_t value, int64_t count)
{
    if (count <= 0) return;
    bool clamped;
    value = omb_hist_clamp(h, value, &clamped);
    if (clamped) h->clamped += count;
    h->counts[omb_hist_index(h, value)] += count;
    h->total_count += count;
    if (value > h->max_value) h->max_value = value;
    if (value < h->min_value && value != 0) h->min_value = value;
}

void omb_hist_reset(struct omb_hist *h)
{
    omb_zpages_zero(h->counts, (size_t)used_len(h) * sizeof(int64_t));
    h->total_count = 0;
    h->min_value = INT64_MAX;
    h->max_value = 0;
    h->clamped = 0;
}

int omb_hist_add(struct omb_hist *dst, const struct omb_hist *src)
{
    dst->clamped += src->clamped;
    if (src->total_count == 0) return 0;
    int32_t src_len = used_len(src);

    if (src->unit_magnitude == dst->unit_magnitude &&
        src->sub_bucket_count == dst->sub_bucket_count) {
        /* Same index meaning (only the length may differ): add index by index, like Java's
         * fast path; counts past dst's array go through the clamping record below. */
        int32_t direct = src_len < dst->counts_len ? src_len : dst->counts_len;
        int64_t added = 0;
        int32_t last = -1;
        for (int32_t i = 0; i < direct; i++) {
            int64_t c = src->counts[i];
            if (c) {
                dst->counts[i] += c;
                added += c;
                last = i;
            }
        }
        dst->total_count += added;
        if (last >= 0) {
            int64_t max =
                src_len <= dst->counts_len ? src->max_value : omb_hist_value_at_index(src, last);
            if (max > dst->max_value) dst->max_value = max;
            if (src->min_value < dst->min_value &&
                omb_hist_index(src, src->min_value) < dst->counts_len)
                dst->min_value = src->min_value;
        }
        for (int32_t i = direct; i < src_len; i++)
            if (src->counts[i])
                omb_hist_record_n(dst, omb_hist_value_at_index(src, i), src->counts[i]);
        return 0;
    }

    /* Different geometry: record each src bucket at its lowest value, as Java does. */
    for (int32_t i = 0; i < src_len; i++)
        if (src->counts[i]) omb_hist_record_n(dst, omb_hist_value_at_index(src, i), src->counts[i]);
    return 0;
}

int64_t omb_hist_value_at_index(const struct omb_hist *h, int32_t index)
{
    int32_t bucket = (index >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sub_bucket = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (bucket < 0) {
        sub_bucket -= h->sub_bucket_half_count;
        bucket = 0;
    }
    return (int64_t)sub_bucket << (bucket + h->unit_magnitude);
}

int64_t omb_hist_lowest_equivalent(const struct omb_hist *h, int64_t value)
{
    if (value < 0) value = 0;
    int32_t shift = bucket_index(h, value) + h->unit_magnitude;
    return (value >> shift) << shift;
}

int64_t omb_hist_equivalent_range(const struct omb_hist *h, int64_t value)
{
    if (value < 0) value = 0;
    return (int64_t)1 << (bucket_index(h, value) + h->unit_magnitude);
}

int64_t omb_hist_highest_equivalent(const struct omb_hist *h, int64_t value)
{
    /* unsigned: the top bucket of the widest geometry ends at 2^63 - 1 exactly */
    return (int64_t)((uint64_t)omb_hist_lowest_equivalent(h, value) +
                     (uint64_t)omb_hist_equivalent_range(h, value) - 1u);
}

int64_t omb_hist_median_equivalent(const struct omb_hist *h, int64_t value)
{
    return omb_hist_lowest_equivalent(h, value) + (omb_hist_equivalent_range(h, value) >> 1);
}

/* Median equivalent value of counts index @p i, without the value round trip. */
static int64_t median_at_index(const struct omb_hist *h, int32_t i)
{
    int32_t bucket = (i >> h->sub_bucket_half_count_magnitude) - 1;
    if (bucket < 0) bucket = 0;
    return omb_hist_value_at_index(h, i) + (((int64_t)1 << (bucket + h->unit_magnitude)) >> 1);
}

int64_t omb_hist_value_at_percentile(const struct omb_hist *h, double percentile)
{
    /* Java 2.1.12 AbstractHistogram.getValueAtPercentile():
     *   requested = min(max(nextAfter(p, -inf), 0), 100)
     *   countAtPercentile = max(1, (long) ceil((requested * totalCount) / 100.0))
     * i.e. round UP, after stepping one ulp down so that e.g. p50 of 2 values is the first.
     * (Not HdrHistogram_c's "(p / 100) * total + 0.5" rounding.)  The answer is the highest
     * equivalent value of the first bucket where the running count reaches that count, or
     * the lowest equivalent value when p == 0. fmax/fmin turn a NaN into 0, where Java's
     * NaN would also end up as count 1. */
    if (h->total_count == 0) return 0;
    double requested = fmin(fmax(nextafter(percentile, -INFINITY), 0.0), 100.0);
    double fp_count = (requested * (double)h->total_count) / 100.0;
    int64_t count_at_percentile = java_d2l(ceil(fp_count));
    if (count_at_percentile < 1) count_at_percentile = 1;

    int32_t len = used_len(h);
    int64_t running = 0;
    for (int32_t i = 0; i < len; i++) {
        running += h->counts[i];
        if (running >= count_at_percentile) {
            int64_t v = omb_hist_value_at_index(h, i);
            return percentile == 0.0 ? omb_hist_lowest_equivalent(h, v)
                                     : omb_hist_highest_equivalent(h, v);
        }
    }
    return 0;
}

double omb_hist_mean(const struct omb_hist *h)
{
    if (h->total_count == 0) return 0.0;
    /* Java: totalValue += medianEquivalentValue(v) * (double) count, in index order. */
    double total = 0.0;
    int32_t len = used_len(h);
    for (int32_t i = 0; i < len; i++) {
        int64_t c = h->counts[i];
        if (c) total += (double)median_at_index(h, i) * (double)c;
    }
    return (total * 1.0) / (double)h->total_count;
}

double omb_hist_stddev(const struct omb_hist *h)
{
    if (h->total_count == 0) return 0.0;
    double mean = omb_hist_mean(h);
    double total = 0.0;
    int32_t len = used_len(h);
    for (int32_t i = 0; i < len; i++) {
        int64_t c = h->counts[i];
        if (c) {
            double deviation = ((double)median_at_index(h, i) * 1.0) - mean;
            total += (deviation * deviation) * (double)c;
        }
    }
    return sqrt(total / (double)h->total_count);
}

int64_t omb_hist_max(const struct omb_hist *h)
{
    return h->max_value == 0 ? 0 : omb_hist_highest_equivalent(h, h->max_value);
}

int64_t omb_hist_min(const struct omb_hist *h)
{
    if (h->total_count == 0 || h->counts[0] > 0 || h->min_value == INT64_MAX) return 0;
    return omb_hist_lowest_equivalent(h, h->min_value);
}

/* PercentileIterator.incrementIterationLevel(), with Java's long arithmetic (wrapping) and
 * casts, so the levels are the same doubles Java computes, also past 100%. */
static double next_percentile_level(double level, int ticks_per_half_distance)
{
    double ratio = level == 100.0 ? INFINITY : 100.0 / (100.0 - level);
    int64_t half_distances = java_d2l(log(ratio) / log(2.0));
    int64_t exponent = (int64_t)((uint64_t)half_distances + 1u);
    int64_t reporting_ticks = (int64_t)((uint64_t)(int64_t)ticks_per_half_distance *
                                        (uint64_t)java_d2l(pow(2.0, (double)exponent)));
    double next = reporting_ticks == 0 ? INFINITY : level + 100.0 / (double)reporting_ticks;
    /* Past ~1e15 samples the step can fall below one ulp of the level; Java would then
     * repeat the same step forever. Move on by one ulp instead of hanging. */
    if (next <= level && reporting_ticks > 0) next = nextafter(level, INFINITY);
    return next;
}

size_t omb_hist_percentiles(const struct omb_hist *h, int ticks_per_half_distance,
                            int (*fn)(void *ctx, const struct omb_hist_pct_step *step), void *ctx)
{
    /* A transcription of PercentileIterator over AbstractHistogramIterator: walk the counts
     * in index order; a step is due whenever the bucket under the cursor is non-empty and
     * the running percentile has reached the current level, and several steps may fall in
     * the same bucket. Once the running count reaches the total, one more step is made at
     * level 100 (Java's hasNext() "one additional last step to 100%"). */
    const int64_t total = h->total_count;
    if (total <= 0 || ticks_per_half_distance < 1) return 0;
    const int32_t len = used_len(h);
    size_t steps = 0;
    int32_t i = 0;
    int64_t count_to_index = 0;
    bool fresh = true;
    bool reached_last = false;
    double level = 0.0;

    for (;;) {
        if (count_to_index >= total) { /* hasNext() */
            if (reached_last) break;
            level = 100.0;
            reached_last = true;
        }
        for (;;) {                      /* next() */
            if (i >= len) return steps; /* only if counts and total disagree; Java would throw */
            int64_t c = h->counts[i];
            if (fresh) {
                count_to_index += c;
                fresh = false;
            }
            if (c != 0 && (100.0 * (double)count_to_index) / (double)total >= level) break;
            i++;
            fresh = true;
        }
        struct omb_hist_pct_step step = {
            .percentile = (100.0 * (double)count_to_index) / (double)total,
            .percentile_level = level,
            .value = omb_hist_highest_equivalent(h, omb_hist_value_at_index(h, i)),
        };
        steps++;
        if (fn && fn(ctx, &step)) break;
        level = next_percentile_level(level, ticks_per_half_distance);
    }
    return steps;
}
