/* test_hist.c - unit tests of the HDR histogram (stats/hist.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist.h"

#define H60S (60LL * 1000 * 1000)        /* 60 s in us */
#define H12H (12LL * 3600 * 1000 * 1000) /* 12 h in us */

static uint64_t rng_state;

static uint64_t rng_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(void) /* (0, 1) */
{
    return ((double)(rng_u64() >> 11) + 0.5) / 9007199254740992.0;
}

enum dist { D_UNIFORM, D_LOGNORMAL, D_EXPONENTIAL, D_BIMODAL, D_SMALL, D_COUNT };

static int64_t sample(enum dist d, int64_t maxv)
{
    int64_t v = 0;
    switch (d) {
    case D_UNIFORM:
        v = (int64_t)(rng_u64() % (uint64_t)(maxv + 1));
        break;
    case D_LOGNORMAL: {
        double z = sqrt(-2.0 * log(rng_unit())) * cos(6.283185307179586 * rng_unit());
        v = (int64_t)exp(7.6 + 2.0 * z);
        break;
    }
    case D_EXPONENTIAL:
        v = (int64_t)(-log(rng_unit()) * 5000.0);
        break;
    case D_BIMODAL:
        v = rng_u64() % 10 == 0 ? 2000000 + (int64_t)(rng_u64() % 100000)
                                : 200 + (int64_t)(rng_u64() % 50);
        break;
    case D_SMALL:
        v = (int64_t)(rng_u64() % 40);
        break;
    default:
        break;
    }
    return v > maxv ? maxv : v;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_geometry(void **state)
{
    (void)state;
    struct {
        int64_t lo, hi;
        int digits;
        int32_t unit, half_mag, sub_count, bucket_count, counts_len;
    } cases[] = {
        /* counts_len = (bucket_count + 1) * sub_count / 2, buckets by doubling sub_count<<unit */
        {1, 3600LL * 1000 * 1000, 3, 0, 10, 2048, 22, 23552}, /* HdrHistogram's own test */
        {1, H60S, 5, 0, 17, 262144, 9, 1310720},
        {1, H12H, 5, 0, 17, 262144, 19, 2621440},
        {1, H60S, 1, 0, 4, 32, 22, 368},
        {1000, H60S, 2, 9, 7, 256, 10, 1408},
        {1, 2, 1, 0, 4, 32, 1, 32},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct omb_hist *h = omb_hist_new(cases[i].lo, cases[i].hi, cases[i].digits);
        assert_non_null(h);
        assert_int_equal(h->unit_magnitude, cases[i].unit);
        assert_int_equal(h->sub_bucket_half_count_magnitude, cases[i].half_mag);
        assert_int_equal(h->sub_bucket_count, cases[i].sub_count);
        assert_int_equal(h->sub_bucket_half_count, cases[i].sub_count / 2);
        assert_int_equal(h->sub_bucket_mask, ((int64_t)cases[i].sub_count - 1) << cases[i].unit);
        assert_int_equal(h->bucket_count, cases[i].bucket_count);
        assert_int_equal(h->counts_len, cases[i].counts_len);
        /* the highest trackable value has an index inside the array */
        assert_true(omb_hist_index(h, cases[i].hi) < h->counts_len);
        omb_hist_destroy(h);
    }
    assert_null(omb_hist_new(0, 100, 3));
    assert_null(omb_hist_new(10, 19, 3));
    assert_null(omb_hist_new(1, 1000, 0));
    assert_null(omb_hist_new(1, 1000, 6));
    assert_null(omb_hist_new(INT64_MAX / 2 + 1, INT64_MAX, 3));
    assert_null(omb_hist_new((int64_t)1 << 50, INT64_MAX, 5)); /* unit + half > 61 */
    omb_hist_destroy(NULL);
}

static void test_equivalent_values(void **state)
{
    (void)state;
    const int digits[] = {1, 2, 3, 4, 5};
    for (size_t d = 0; d < 5; d++) {
        struct omb_hist *h = omb_hist_new(1, H12H, digits[d]);
        assert_non_null(h);
        int64_t pow10 = 1;
        for (int i = 0; i < digits[d]; i++) pow10 *= 10;
        rng_state = 42 + d;
        for (int i = 0; i < 20000; i++) {
            int64_t v = i < 5000 ? i : (int64_t)(rng_u64() % (uint64_t)(H12H + 1));
            int64_t lo = omb_hist_lowest_equivalent(h, v);
            int64_t hi = omb_hist_highest_equivalent(h, v);
            int64_t mid = omb_hist_median_equivalent(h, v);
            int64_t range = omb_hist_equivalent_range(h, v);
            assert_true(lo <= v && v <= hi);
            assert_int_equal(hi - lo + 1, range);
            assert_int_equal(mid, lo + range / 2);
            int32_t idx = omb_hist_index(h, v);
            assert_int_equal(omb_hist_index(h, lo), idx);
            assert_int_equal(omb_hist_index(h, hi), idx);
            assert_int_equal(omb_hist_value_at_index(h, idx), lo);
            if (idx + 1 < h->counts_len) assert_int_equal(omb_hist_index(h, hi + 1), idx + 1);
            /* stated precision: the bucket is narrower than value / 10^digits */
            if (range > 1) assert_true(range * pow10 <= lo);
        }
        omb_hist_destroy(h);
    }
    /* unit magnitude > 0: lowest discernible 1000 -> buckets of 512 at the bottom */
    struct omb_hist *h = omb_hist_new(1000, H60S, 3);
    assert_int_equal(omb_hist_lowest_equivalent(h, 1000), 512);
    assert_int_equal(omb_hist_highest_equivalent(h, 1000), 1023);
    assert_int_equal(omb_hist_equivalent_range(h, 0), 512);
    assert_int_equal(omb_hist_index(h, 511), 0);
    assert_int_equal(omb_hist_index(h, 512), 1);
    omb_hist_destroy(h);
}

/* 1..10000 once each at 3 digits; every figure computed by hand from the bucket layout
 * (buckets 0..2047 exact, then widths 2, 4, 8) and cross-checked with Java HdrHistogram. */
static void test_known_1_to_10000(void **state)
{
    (void)state;
    struct omb_hist *h = omb_hist_new(1, 3600LL * 1000 * 1000, 3);
    for (int64_t v = 1; v <= 10000; v++) omb_hist_record(h, v);
    assert_int_equal(h->total_count, 10000);
    /* count at p = ceil(p * 10000 / 100): p50 -> 5000th value = 5000, in [5000, 5003] */
    assert_int_equal(omb_hist_value_at_percentile(h, 50.0), 5003);
    assert_int_equal(omb_hist_value_at_percentile(h, 90.0), 9007); /* 9000 in [9000,9007] */
    assert_int_equal(omb_hist_value_at_percentile(h, 99.0), 9903); /* 9900 in [9896,9903] */
    assert_int_equal(omb_hist_value_at_percentile(h, 99.9), 9991); /* 9990 in [9984,9991] */
    assert_int_equal(omb_hist_value_at_percentile(h, 99.99), 9999);
    assert_int_equal(omb_hist_value_at_percentile(h, 100.0), 10007);
    assert_int_equal(omb_hist_value_at_percentile(h, 25.0), 2501); /* 2500 in [2500,2501] */
    assert_int_equal(omb_hist_value_at_percentile(h, 10.0), 1000); /* exact below 2048 */
    assert_int_equal(omb_hist_value_at_percentile(h, 0.0), 1);
    assert_int_equal(omb_hist_value_at_percentile(h, 0.001), 1);
    assert_int_equal(omb_hist_value_at_percentile(h, -3.0), 1);
    assert_int_equal(omb_hist_value_at_percentile(h, 250.0), 10007);
    assert_int_equal(omb_hist_value_at_percentile(h, NAN), 1);
    assert_int_equal(omb_hist_max(h), 10007); /* highest equivalent of 10000: [10000,10007] */
    assert_int_equal(omb_hist_min(h), 1);
    /* mean of median equivalents: 50005000 + 1024*1 (width 2) + 1024*2 (width 4)
     * + 226*4 (8192..9999, width 8) + 4 (10000 -> 10004) = 50008980 */
    assert_true(fabs(omb_hist_mean(h) - 5000.898) < 1e-9);
    /* stddev of the median equivalents, computed directly */
    double var = 0;
    for (int64_t v = 1; v <= 10000; v++) {
        double dv = (double)omb_hist_median_equivalent(h, v) - 5000.898;
        var += dv * dv;
    }
    assert_true(fabs(omb_hist_stddev(h) - sqrt(var / 10000)) < 1e-9);
    assert_int_equal(h->clamped, 0);
    omb_hist_destroy(h);

    /* two values: p50 is the first (nextafter rounds 50% of 2 = 1 down, ceil keeps 1) */
    h = omb_hist_new(1, 1000, 3);
    omb_hist_record(h, 10);
    omb_hist_record(h, 20);
    assert_int_equal(omb_hist_value_at_percentile(h, 50.0), 10);
    assert_int_equal(omb_hist_value_at_percentile(h, 50.0001), 20);
    omb_hist_destroy(h);
}

static void check_against_samples(int digits, enum dist d, int n, uint64_t seed)
{
    const int64_t highest = H60S;
    struct omb_hist *h = omb_hist_new(1, highest, digits);
    assert_non_null(h);
    int64_t *s = malloc((size_t)n * sizeof(*s));
    assert_non_null(s);
    rng_state = seed;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        s[i] = sample(d, highest);
        sum += (double)s[i];
        omb_hist_record(h, s[i]);
    }
    qsort(s, (size_t)n, sizeof(*s), cmp_i64);
    assert_int_equal(h->total_count, n);

    const double pcts[] = {0.0, 0.5, 1,  5,  10,   25,   33.3,  50,     66.6,
                           75,  90,  95, 99, 99.5, 99.9, 99.99, 99.999, 100};
    for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
        /* exact percentile of the sorted samples: the sample of rank
         * max(1, ceil(p * n / 100)), with Java's one-ulp step down of p */
        double fp = nextafter(pcts[i], -INFINITY) * n / 100.0;
        int64_t rank = (int64_t)ceil(fp);
        if (rank < 1) rank = 1;
        int64_t exact = s[rank - 1];
        int64_t got = omb_hist_value_at_percentile(h, pcts[i]);
        /* the returned value's equivalent range contains the exact value */
        assert_true(omb_hist_lowest_equivalent(h, got) <= exact);
        assert_true(exact <= omb_hist_highest_equivalent(h, got));
        assert_int_equal(got, pcts[i] == 0.0 ? omb_hist_lowest_equivalent(h, exact)
                                             : omb_hist_highest_equivalent(h, exact));
    }
    assert_int_equal(omb_hist_max(h), omb_hist_highest_equivalent(h, s[n - 1]));
    assert_int_equal(omb_hist_min(h), s[0] == 0 ? 0 : omb_hist_lowest_equivalent(h, s[0]));

    /* mean within the relative precision (each sample moves by at most half a bucket) */
    double exact_mean = sum / n;
    double tol = exact_mean / (double)h->sub_bucket_half_count + 1.0;
    assert_true(fabs(omb_hist_mean(h) - exact_mean) <= tol);
    double var = 0;
    for (int i = 0; i < n; i++) var += ((double)s[i] - exact_mean) * ((double)s[i] - exact_mean);
    double exact_sd = sqrt(var / n);
    assert_true(fabs(omb_hist_stddev(h) - exact_sd) <=
                exact_sd * 2.0 / (double)h->sub_bucket_half_count + 1.0);
    free(s);
    omb_hist_destroy(h);
}

static void test_percentiles_vs_samples(void **state)
{
    (void)state;
    const int digits[] = {1, 3, 5};
    for (size_t di = 0; di < 3; di++)
        for (int d = 0; d < D_COUNT; d++) {
            check_against_samples(digits[di], (enum dist)d, 100000, 1000 + di * 10 + (size_t)d);
            check_against_samples(digits[di], (enum dist)d, 7, 77 + (size_t)d);
        }
}

static void test_clamping(void **state)
{
    (void)state;
    struct omb_hist *h = omb_hist_new(1, 1000, 3);
    omb_hist_record(h, 5000);
    omb_hist_record(h, -7);
    omb_hist_record(h, INT64_MAX);
    omb_hist_record(h, INT64_MIN);
    omb_hist_record_n(h, 1001, 10);
    omb_hist_record_n(h, -1, 3);
    omb_hist_record(h, 1000);    /* in range: not clamped */
    omb_hist_record(h, 0);       /* in range */
    omb_hist_record_n(h, 5, 0);  /* no-op */
    omb_hist_record_n(h, 5, -4); /* no-op */
    assert_int_equal(h->clamped, 2 + 2 + 10 + 3);
    assert_int_equal(h->total_count, 2 + 2 + 10 + 3 + 2);
    assert_int_equal(h->counts[omb_hist_index(h, 1000)], 2 + 10 + 1);
    assert_int_equal(h->counts[0], 2 + 3 + 1);
    assert_int_equal(omb_hist_max(h), omb_hist_highest_equivalent(h, 1000));
    assert_int_equal(omb_hist_min(h), 0);
    assert_int_equal(omb_hist_value_at_percentile(h, 100.0), 1000);
    omb_hist_destroy(h);
}

static void test_empty_and_reset(void **state)
{
    (void)state;
    struct omb_hist *h = omb_hist_new(1, H12H, 5);
    assert_int_equal(omb_hist_value_at_percentile(h, 50), 0);
    assert_int_equal(omb_hist_max(h), 0);
    assert_int_equal(omb_hist_min(h), 0);
    assert_true(omb_hist_mean(h) == 0.0);
    assert_true(omb_hist_stddev(h) == 0.0);
    assert_int_equal(omb_hist_percentiles(h, 100, NULL, NULL), 0);

    rng_state = 9;
    for (int i = 0; i < 10000; i++) omb_hist_record(h, sample(D_LOGNORMAL, H12H));
    omb_hist_record(h, H12H);
    omb_hist_record(h, -1);
    omb_hist_reset(h);
    assert_int_equal(h->total_count, 0);
    assert_int_equal(h->max_value, 0);
    assert_int_equal(h->min_value, INT64_MAX);
    assert_int_equal(h->clamped, 0);
    for (int32_t i = 0; i < h->counts_len; i++)
        if (h->counts[i] != 0) fail_msg("count %d not reset", i);
    omb_hist_record(h, 42);
    assert_int_equal(omb_hist_value_at_percentile(h, 50), 42);
    assert_int_equal(omb_hist_min(h), 42);
    assert_int_equal(omb_hist_max(h), 42);
    omb_hist_destroy(h);
}

static void assert_same_hist(const struct omb_hist *a, const struct omb_hist *b)
{
    assert_int_equal(a->counts_len, b->counts_len);
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof(int64_t));
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(omb_hist_max(a), omb_hist_max(b));
    assert_int_equal(omb_hist_min(a), omb_hist_min(b));
    assert_int_equal(a->clamped, b->clamped);
    assert_true(omb_hist_mean(a) == omb_hist_mean(b));
}

static void test_add_same_geometry(void **state)
{
    (void)state;
    struct omb_hist *a = omb_hist_new(1, H60S, 3);
    struct omb_hist *b = omb_hist_new_like(a);
    struct omb_hist *all = omb_hist_new_like(a);
    rng_state = 5;
    for (int i = 0; i < 50000; i++) {
        int64_t v = sample(D_LOGNORMAL, H60S + 100);
        omb_hist_record(i % 3 ? a : b, v);
        omb_hist_record(all, v);
    }
    omb_hist_record(b, -5);
    omb_hist_record(all, -5);
    assert_int_equal(omb_hist_add(a, b), 0);
    assert_same_hist(a, all);

    /* into an empty one, and adding an empty one */
    struct omb_hist *e = omb_hist_new_like(a);
    omb_hist_add(e, a);
    assert_same_hist(e, all);
    struct omb_hist *e2 = omb_hist_new_like(a);
    omb_hist_add(e, e2);
    assert_same_hist(e, all);
    omb_hist_destroy(a);
    omb_hist_destroy(b);
    omb_hist_destroy(all);
    omb_hist_destroy(e);
    omb_hist_destroy(e2);

    /* same index layout, shorter destination: what does not fit is clamped */
    struct omb_hist *big = omb_hist_new(1, 1000000000, 3);
    struct omb_hist *small = omb_hist_new(1, 1000000, 3);
    omb_hist_record(big, 10);
    omb_hist_record(big, 999999);
    omb_hist_record_n(big, 500000000, 4);
    omb_hist_add(small, big);
    assert_int_equal(small->total_count, 6);
    assert_int_equal(small->clamped, 4);
    assert_int_equal(small->counts[omb_hist_index(small, 1000000)], 5);
    assert_int_equal(omb_hist_max(small), omb_hist_highest_equivalent(small, 1000000));
    assert_int_equal(omb_hist_min(small), 10);
    /* and the other way round, exact */
    struct omb_hist *big2 = omb_hist_new(1, 1000000000, 3);
    omb_hist_add(big2, small);
    assert_int_equal(big2->total_count, 6);
    assert_int_equal(omb_hist_value_at_percentile(big2, 100),
                     omb_hist_highest_equivalent(small, 1000000));
    omb_hist_destroy(big);
    omb_hist_destroy(small);
    omb_hist_destroy(big2);
}

static void test_add_different_geometry(void **state)
{
    (void)state;
    struct omb_hist *src = omb_hist_new(1, H60S, 4);
    struct omb_hist *dst = omb_hist_new(1, H60S, 2);
    struct omb_hist *ref = omb_hist_new(1, H60S, 2);
    rng_state = 77;
    for (int i = 0; i < 100000; i++) {
        int64_t v = sample(D_LOGNORMAL, H60S);
        omb_hist_record(src, v);
    }
    omb_hist_record(dst, 123);
    omb_hist_record(ref, 123);
    /* the definition: each src bucket is recorded at its lowest value */
    for (int32_t i = 0; i < src->counts_len; i++)
        if (src->counts[i]) omb_hist_record_n(ref, omb_hist_value_at_index(src, i), src->counts[i]);
    omb_hist_add(dst, src);
    assert_same_hist(dst, ref);
    assert_int_equal(dst->total_count, 100001);
    /* and the merged percentiles stay within dst's precision of src's */
    const double pcts[] = {1, 50, 90, 99, 99.9};
    for (size_t i = 0; i < 5; i++) {
        int64_t s = omb_hist_value_at_percentile(src, pcts[i]);
        int64_t d = omb_hist_value_at_percentile(dst, pcts[i]);
        assert_true(llabs(s - d) <= omb_hist_equivalent_range(dst, s) + 1);
    }

    /* unit magnitude differs; values above dst's range are clamped */
    struct omb_hist *wide = omb_hist_new(1000, 1000000000000LL, 3);
    omb_hist_record_n(wide, 100000000000LL, 7);
    omb_hist_record_n(wide, 2000, 3);
    omb_hist_add(dst, wide);
    assert_int_equal(dst->total_count, 100011);
    assert_int_equal(dst->clamped, 7);
    assert_int_equal(omb_hist_max(dst), omb_hist_highest_equivalent(dst, H60S));
    omb_hist_destroy(src);
    omb_hist_destroy(dst);
    omb_hist_destroy(ref);
    omb_hist_destroy(wide);
}

struct walk {
    size_t n;
    struct omb_hist_pct_step steps[4096];
};

static int collect(void *ctx, const struct omb_hist_pct_step *s)
{
    struct walk *w = ctx;
    if (w->n < sizeof(w->steps) / sizeof(w->steps[0])) w->steps[w->n] = *s;
    w->n++;
    return 0;
}

static int stop_after_3(void *ctx, const struct omb_hist_pct_step *s)
{
    (void)s;
    return ++*(int *)ctx >= 3;
}

/* The iteration levels, computed independently of hist.c: 0, then + 100 / (ticks *
 * 2^(floor(log2(100 / (100 - level))) + 1)). */
static double level_after(double level, int ticks)
{
    double halvings = floor(log2(100.0 / (100.0 - level)));
    return level + 100.0 / (ticks * pow(2.0, halvings + 1));
}

static void test_percentile_walk(void **state)
{
    (void)state;
    struct walk *w = calloc(1, sizeof(*w));

    /* 1..10000 at 3 digits: Java's histogram.percentiles(100) gives 1339 steps, (5) 69 */
    struct omb_hist *h = omb_hist_new(1, 3600LL * 1000 * 1000, 3);
    for (int64_t v = 1; v <= 10000; v++) omb_hist_record(h, v);
    size_t n = omb_hist_percentiles(h, 100, collect, w);
    assert_int_equal(n, 1339);
    assert_int_equal(w->n, 1339);
    assert_int_equal(omb_hist_percentiles(h, 5, NULL, NULL), 69);
    assert_true(w->steps[0].percentile_level == 0.0);
    assert_int_equal(w->steps[0].value, 1);
    assert_true(w->steps[0].percentile == 0.01);
    for (size_t i = 1; i < n; i++) {
        assert_true(w->steps[i].percentile >= w->steps[i - 1].percentile);
        assert_true(w->steps[i].value >= w->steps[i - 1].value);
        assert_true(w->steps[i].percentile >= w->steps[i].percentile_level || i == n - 1);
        if (i < n - 1) {
            assert_true(w->steps[i].percentile_level > w->steps[i - 1].percentile_level);
            assert_true(w->steps[i].percentile_level ==
                        level_after(w->steps[i - 1].percentile_level, 100));
        }
    }
    /* the last real step reaches the max bucket, then one more at exactly 100% */
    assert_true(w->steps[n - 1].percentile == 100.0);
    assert_true(w->steps[n - 1].percentile_level == 100.0);
    assert_int_equal(w->steps[n - 1].value, omb_hist_max(h));
    assert_int_equal(w->steps[n - 2].value, omb_hist_max(h));
    assert_true(w->steps[n - 2].percentile_level < 100.0);
    /* steps 1..: level 0.5, 1.0, ... (100 ticks per half distance -> 0.5% steps first) */
    assert_true(w->steps[1].percentile_level == 0.5);
    assert_int_equal(w->steps[1].value, 50);
    assert_int_equal(w->steps[100].value, 5003); /* level 50 -> 5000 in [5000,5003] */

    int stopped = 0;
    assert_int_equal(omb_hist_percentiles(h, 100, stop_after_3, &stopped), 3);
    assert_int_equal(omb_hist_percentiles(h, 0, NULL, NULL), 0);
    omb_hist_destroy(h);

    /* repeated steps within one bucket: 990 x 10 then 10 x 20. Every level up to 99%
     * is reached while the cursor is on the bucket of 10, then one step on 20 and the
     * final 100% step. */
    h = omb_hist_new(1, 1000, 3);
    omb_hist_record_n(h, 10, 990);
    omb_hist_record_n(h, 20, 10);
    size_t expect = 0;
    for (double level = 0.0; level <= 99.0; level = level_after(level, 100)) expect++;
    w->n = 0;
    n = omb_hist_percentiles(h, 100, collect, w);
    assert_int_equal(n, expect + 2);
    for (size_t i = 0; i < expect; i++) {
        assert_int_equal(w->steps[i].value, 10);
        assert_true(w->steps[i].percentile == 99.0);
    }
    assert_int_equal(w->steps[expect].value, 20);
    assert_int_equal(w->steps[expect + 1].value, 20);
    assert_true(w->steps[expect + 1].percentile_level == 100.0);
    omb_hist_destroy(h);

    /* a single value: one step at level 0, then the 100% step */
    h = omb_hist_new(1, H60S, 5);
    omb_hist_record(h, 123456);
    w->n = 0;
    assert_int_equal(omb_hist_percentiles(h, 100, collect, w), 2);
    assert_int_equal(w->steps[0].value, omb_hist_highest_equivalent(h, 123456));
    assert_true(w->steps[1].percentile_level == 100.0);
    omb_hist_destroy(h);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),          cmocka_unit_test(test_equivalent_values),
        cmocka_unit_test(test_known_1_to_10000),  cmocka_unit_test(test_percentiles_vs_samples),
        cmocka_unit_test(test_clamping),          cmocka_unit_test(test_empty_and_reset),
        cmocka_unit_test(test_add_same_geometry), cmocka_unit_test(test_add_different_geometry),
        cmocka_unit_test(test_percentile_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
