/* test_keys.c - unit tests of the key distributors (load/keys.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "load/keys.h"
#include "util/clock.h"

/* Index of @p key in the pool, by address (keys are handed out as pointers into the pool), or
 * -1 when the pointer is not one of the pool's entries. */
static long pool_index(const char *key)
{
    const char(*pool)[OMB_KEY_LEN + 1] = omb_key_pool();
    const char *base = pool[0];
    if (key < base || key >= base + (size_t)OMB_KEY_POOL_SIZE * (OMB_KEY_LEN + 1)) return -1;
    size_t off = (size_t)(key - base);
    if (off % (OMB_KEY_LEN + 1) != 0) return -1;
    return (long)(off / (OMB_KEY_LEN + 1));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_pool_shape(void **state)
{
    (void)state;
    const char(*pool)[OMB_KEY_LEN + 1] = omb_key_pool();
    assert_non_null(pool);
    assert_int_equal(OMB_KEY_POOL_SIZE, 10000);
    assert_int_equal(OMB_KEY_LEN, 7);
    static const char *sorted[OMB_KEY_POOL_SIZE];
    for (int i = 0; i < OMB_KEY_POOL_SIZE; i++) {
        assert_int_equal(strlen(pool[i]), 7);
        for (int j = 0; j < OMB_KEY_LEN; j++) {
            char c = pool[i][j];
            /* Printable and safe in any system's key (no separators, no control bytes). */
            assert_true((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_');
        }
        sorted[i] = pool[i];
    }
    /* 10,000 distinct keys, or partitioning by key is coarser than OMB's. */
    qsort(sorted, OMB_KEY_POOL_SIZE, sizeof sorted[0], cmp_str);
    int dups = 0;
    for (int i = 1; i < OMB_KEY_POOL_SIZE; i++) dups += strcmp(sorted[i - 1], sorted[i]) == 0;
    assert_int_equal(dups, 0);
    /* The pool is built once: same address, same content on a second call. */
    assert_ptr_equal(omb_key_pool(), pool);
}

static void test_no_key(void **state)
{
    (void)state;
    struct omb_key_state k;
    omb_key_state_init(&k, OMB_KEYS_NO_KEY, 12345);
    for (int i = 0; i < 1000; i++) {
        size_t len = 99;
        assert_null(omb_key_next(&k, &len));
        assert_int_equal(len, 0);
    }
}

static void test_round_robin_cycles_in_order(void **state)
{
    (void)state;
    const char(*pool)[OMB_KEY_LEN + 1] = omb_key_pool();
    static const uint64_t seeds[] = {0, 1, 9999, 10000, 123456789, UINT64_MAX};
    for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++) {
        struct omb_key_state k;
        omb_key_state_init(&k, OMB_KEYS_ROUND_ROBIN, seeds[si]);
        size_t len = 0;
        const char *first = omb_key_next(&k, &len);
        long start = pool_index(first);
        assert_true(start >= 0);
        assert_int_equal(len, OMB_KEY_LEN);
        static unsigned char seen[OMB_KEY_POOL_SIZE];
        memset(seen, 0, sizeof seen);
        seen[start] = 1;
        /* Two and a half laps: every key in pool order, wrapping from 9999 to 0. */
        for (long n = 1; n < 25000; n++) {
            const char *key = omb_key_next(&k, &len);
            long want = (start + n) % OMB_KEY_POOL_SIZE;
            assert_int_equal(pool_index(key), want);
            assert_string_equal(key, pool[want]);
            assert_int_equal(len, OMB_KEY_LEN);
            if (n < OMB_KEY_POOL_SIZE) {
                assert_int_equal(seen[want], 0); /* each key once per lap */
                seen[want] = 1;
            }
        }
    }
    /* From the start of the pool with seed 0 (the position is the seed modulo the pool). */
    struct omb_key_state k;
    omb_key_state_init(&k, OMB_KEYS_ROUND_ROBIN, 0);
    size_t len;
    assert_int_equal(pool_index(omb_key_next(&k, &len)), 0);
}

static void test_random_stays_in_pool_and_covers_it(void **state)
{
    (void)state;
    static const uint64_t seeds[] = {0, 1, 42, 0xdeadbeefcafef00dULL};
    for (size_t si = 0; si < sizeof seeds / sizeof seeds[0]; si++) {
        struct omb_key_state k;
        omb_key_state_init(&k, OMB_KEYS_RANDOM_NANO, seeds[si]);
        static int hits[OMB_KEY_POOL_SIZE];
        memset(hits, 0, sizeof hits);
        const int draws = 200000;
        long prev = -1;
        int repeats = 0;
        for (int i = 0; i < draws; i++) {
            size_t len = 0;
            const char *key = omb_key_next(&k, &len);
            long idx = pool_index(key);
            assert_true(idx >= 0 && idx < OMB_KEY_POOL_SIZE);
            assert_int_equal(len, OMB_KEY_LEN);
            assert_int_equal(strlen(key), OMB_KEY_LEN);
            hits[idx]++;
            repeats += idx == prev;
            prev = idx;
        }
        int distinct = 0, max = 0;
        for (int i = 0; i < OMB_KEY_POOL_SIZE; i++) {
            distinct += hits[i] > 0;
            if (hits[i] > max) max = hits[i];
        }
        /* 200,000 uniform draws over 10,000 keys: each key expected 20 times; missing one is
         * a 2e-9 event. A stuck or short-period generator fails both checks. */
        assert_true(distinct >= 9990);
        assert_true(max <= 60);
        assert_true(repeats < 100); /* expected 20 back-to-back repeats */
    }
    /* Different seeds give different sequences. */
    struct omb_key_state a, b;
    omb_key_state_init(&a, OMB_KEYS_RANDOM_NANO, 1);
    omb_key_state_init(&b, OMB_KEYS_RANDOM_NANO, 2);
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        size_t la, lb;
        same += omb_key_next(&a, &la) == omb_key_next(&b, &lb);
    }
    assert_true(same < 50);
}

static void *pool_thread(void *arg)
{
    (void)arg;
    return (void *)omb_key_pool();
}

static void test_pool_once_across_threads(void **state)
{
    (void)state;
    /* Whoever asks first, every thread sees the same fully built pool. */
    pthread_t t[4];
    void *got[4];
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, pool_thread, NULL), 0);
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_join(t[i], &got[i]), 0);
    for (int i = 0; i < 4; i++) assert_ptr_equal(got[i], (void *)omb_key_pool());
}

int main(void)
{
    omb_clock_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_once_across_threads), /* first: the pool is not built yet */
        cmocka_unit_test(test_pool_shape),
        cmocka_unit_test(test_no_key),
        cmocka_unit_test(test_round_robin_cycles_in_order),
        cmocka_unit_test(test_random_stays_in_pool_and_covers_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
