/* test_clock_offset.c - unit tests of the minimum-delay clock offset estimate
 * (util/clock_offset.c): samples built by hand from a known offset and known delays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/clock_offset.h"

#define T0 1700000000123456789LL /* an epoch-ns time like omb_now_ns() returns */
#define MS 1000000LL

/* An exchange sent at @p t0 with @p up ns to reach a clock @p offset ns ahead of ours and
 * @p down ns to come back. */
static struct omb_clock_sample exchange(int64_t t0, int64_t offset, int64_t up, int64_t down)
{
    return (struct omb_clock_sample){.t0 = t0, .t1 = t0 + up + offset, .t2 = t0 + up + down};
}

static void test_symmetric_delay_is_exact(void **state)
{
    (void)state;
    struct omb_clock_sample s = exchange(T0, 200 * MS, 40000, 40000);
    struct omb_clock_estimate e;
    assert_int_equal(omb_clock_offset_estimate(&s, 1, &e), 0);
    assert_int_equal(e.offset_ns, 200 * MS);
    assert_int_equal(e.rtt_ns, 80000);
    assert_int_equal(e.uncertainty_ns, 40000);
    assert_int_equal(e.used, 0);
}

static void test_minimum_rtt_sample_kept(void **state)
{
    (void)state;
    /* Asymmetric, slow exchanges around one fast one: the fast one wins and its error is
     * within its uncertainty; the slow ones' estimates are far off. */
    struct omb_clock_sample s[] = {
        exchange(T0, -75 * MS, 9 * MS, 100000),
        exchange(T0 + 1 * MS, -75 * MS, 100000, 7 * MS),
        exchange(T0 + 2 * MS, -75 * MS, 30000, 50000), /* rtt 80 us */
        exchange(T0 + 3 * MS, -75 * MS, 2 * MS, 2 * MS),
    };
    struct omb_clock_estimate e;
    assert_int_equal(omb_clock_offset_estimate(s, 4, &e), 0);
    assert_int_equal(e.used, 2);
    assert_int_equal(e.rtt_ns, 80000);
    assert_int_equal(e.uncertainty_ns, 40000);
    int64_t err = e.offset_ns - (-75 * MS);
    assert_true(err >= -e.uncertainty_ns && err <= e.uncertainty_ns);
    assert_int_equal(e.offset_ns, -75 * MS - 10000); /* (30 - 50) / 2 us */
}

static void test_true_offset_always_within_uncertainty(void **state)
{
    (void)state;
    /* Whatever the split of the round trip, the true offset is within the bound. */
    for (int64_t up = 0; up <= 1000000; up += 12345)
        for (int64_t down = 0; down <= 1000000; down += 23456) {
            struct omb_clock_sample s = exchange(T0, 3 * MS, up, down);
            struct omb_clock_estimate e;
            assert_int_equal(omb_clock_offset_estimate(&s, 1, &e), 0);
            int64_t err = e.offset_ns - 3 * MS;
            if (err < -e.uncertainty_ns || err > e.uncertainty_ns)
                fail_msg("up %lld down %lld: error %lld beyond +-%lld", (long long)up,
                         (long long)down, (long long)err, (long long)e.uncertainty_ns);
        }
}

static void test_no_usable_sample(void **state)
{
    (void)state;
    struct omb_clock_estimate e = {.offset_ns = 42};
    assert_int_equal(omb_clock_offset_estimate(NULL, 0, &e), -1);
    struct omb_clock_sample bad = {.t0 = T0, .t1 = T0, .t2 = T0 - 1}; /* answer before request */
    assert_int_equal(omb_clock_offset_estimate(&bad, 1, &e), -1);
    assert_int_equal(e.offset_ns, 42); /* untouched */
    /* A bad sample among good ones is skipped, even though its "rtt" is the smallest. */
    struct omb_clock_sample mix[] = {bad, exchange(T0, MS, 1000, 1000)};
    assert_int_equal(omb_clock_offset_estimate(mix, 2, &e), 0);
    assert_int_equal(e.used, 1);
    assert_int_equal(e.offset_ns, MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symmetric_delay_is_exact),
        cmocka_unit_test(test_minimum_rtt_sample_kept),
        cmocka_unit_test(test_true_offset_always_within_uncertainty),
        cmocka_unit_test(test_no_usable_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
