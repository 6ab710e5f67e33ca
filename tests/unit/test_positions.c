/* test_positions.c - offset sets and the per-consumer position tracker: distinct counts
 * through gaps, re-reads and out-of-order arrivals, and a reader running beside the writer
 * (the TSan build checks the lock-free path). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "stats/positions.h"

static void expect(const struct omb_ranges *s, size_t n, const int64_t (*want)[2])
{
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->r[i][0], want[i][0]);
        assert_int_equal(s->r[i][1], want[i][1]);
    }
}

static void test_ranges_union(void **state)
{
    (void)state;
    struct omb_ranges s = {0};
    assert_int_equal(omb_ranges_add(&s, 10, 20), 0);
    assert_int_equal(omb_ranges_add(&s, 30, 40), 0);
    assert_int_equal(omb_ranges_add(&s, 0, 5), 0);   /* before all */
    assert_int_equal(omb_ranges_add(&s, 50, 60), 0); /* after all */
    expect(&s, 4, (const int64_t[][2]){{0, 5}, {10, 20}, {30, 40}, {50, 60}});
    assert_int_equal(omb_ranges_count(&s), 5 + 10 + 10 + 10);
    assert_int_equal(omb_ranges_add(&s, 20, 30), 0); /* touches both neighbours: one range */
    expect(&s, 3, (const int64_t[][2]){{0, 5}, {10, 40}, {50, 60}});
    assert_int_equal(omb_ranges_add(&s, 12, 18), 0); /* inside: nothing new */
    assert_int_equal(omb_ranges_add(&s, 7, 7), 0);   /* empty */
    expect(&s, 3, (const int64_t[][2]){{0, 5}, {10, 40}, {50, 60}});
    assert_int_equal(omb_ranges_add(&s, 3, 55), 0); /* swallows everything */
    expect(&s, 1, (const int64_t[][2]){{0, 60}});
    assert_int_equal(omb_ranges_count(&s), 60);
    omb_ranges_free(&s);
    assert_int_equal(s.n, 0);
}

static void test_positions_per_partition(void **state)
{
    (void)state;
    struct omb_positions p = {0};
    assert_int_equal(omb_positions_add(&p, 0, 0, 100), 0);
    assert_int_equal(omb_positions_add(&p, 7, 0, 100), 0); /* same offsets, another partition */
    assert_int_equal(omb_positions_add(&p, 7, 50, 150), 0);
    assert_int_equal(omb_positions_count(&p), 100 + 150);
    assert_int_equal(omb_positions_add(&p, 900000, 0, 1), 0); /* sparse: two entries */
    assert_int_equal(p.nparts, 3);
    assert_int_equal(p.part[2].partition, 900000);
    assert_int_equal(omb_positions_add(&p, 3, 0, 1), 0); /* kept in partition order */
    assert_int_equal(p.part[1].partition, 3);
    assert_int_equal(omb_positions_count(&p), 100 + 150 + 1 + 1);
    assert_int_equal(omb_positions_add(&p, -1, 0, 1), -1);
    assert_int_equal(omb_positions_add(&p, OMB_POSITIONS_MAX_PARTITIONS, 0, 1), -1);
    omb_positions_free(&p);
}

static int64_t tracked(struct omb_position_tracker *t)
{
    struct omb_positions p = {0};
    assert_int_equal(omb_position_tracker_read(t, &p), 0);
    int64_t n = omb_positions_count(&p);
    omb_positions_free(&p);
    return n;
}

static void test_tracker(void **state)
{
    (void)state;
    struct omb_position_tracker *t = omb_position_tracker_new();
    assert_non_null(t);
    assert_int_equal(tracked(t), 0);
    for (int64_t o = 1000; o < 2000; o++) assert_int_equal(omb_position_tracker_seen(t, 2, o), 0);
    assert_int_equal(tracked(t), 1000); /* starts wherever the partition starts */
    for (int64_t o = 1500; o < 2500; o++) assert_int_equal(omb_position_tracker_seen(t, 2, o), 0);
    assert_int_equal(tracked(t), 1500); /* a re-read from 1500: 500 duplicates, 500 new */
    for (int64_t o = 3000; o < 3100; o++) assert_int_equal(omb_position_tracker_seen(t, 2, o), 0);
    assert_int_equal(tracked(t), 1600); /* 2500..2999 never came */
    for (int64_t o = 99; o >= 0; o--) assert_int_equal(omb_position_tracker_seen(t, 0, o), 0);
    assert_int_equal(tracked(t), 1700); /* backwards: every offset a run of its own, merged */
    assert_int_equal(omb_position_tracker_seen(t, 0, -1), -1);
    assert_int_equal(omb_position_tracker_seen(t, -1, 5), -1);
    assert_int_equal(tracked(t), 1700);
    omb_position_tracker_destroy(t);
    omb_position_tracker_destroy(NULL);
}

/* Producer ids as streams: random, sparse, large; interleaved; a stream first seen after
 * another must never be taken for it (every (stream, offset) pair counted once). */
static void test_tracker_sparse_streams(void **state)
{
    (void)state;
    struct omb_position_tracker *t = omb_position_tracker_new();
    assert_non_null(t);
    const int32_t ids[] = {3, 0, 2147483000, 77777, 12, 1 << 30, 5, 9999999};
    enum { NIDS = sizeof ids / sizeof ids[0] };
    int64_t seq[NIDS] = {0};
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t k = (size_t)(x % NIDS);
        assert_int_equal(omb_position_tracker_seen(t, ids[k], seq[k]++), 0);
    }
    assert_int_equal(tracked(t), 200000);
    /* Every pair again: nothing new. */
    for (size_t k = 0; k < NIDS; k++)
        for (int64_t o = 0; o < seq[k]; o++)
            assert_int_equal(omb_position_tracker_seen(t, ids[k], o), 0);
    assert_int_equal(tracked(t), 200000);
    struct omb_positions p = {0};
    assert_int_equal(omb_position_tracker_read(t, &p), 0);
    assert_int_equal(p.nparts, NIDS);
    omb_positions_free(&p);
    /* Many streams: the index grows. */
    for (int32_t id = 100; id < 5100; id++)
        assert_int_equal(omb_position_tracker_seen(t, id * 7919, 0), 0);
    assert_int_equal(tracked(t), 205000);
    omb_position_tracker_destroy(t);
}

#define WRITES 400000

/* The writer's offsets: four partitions interleaved, each read in order, except that every
 * 10,000th read of a partition goes back 100 (a re-read) and every 23,456th skips 50 ahead
 * (a gap). Returns the partition of write @p i and its offset in *off. */
static int next_position(int64_t next[4], int64_t count[4], int i, int64_t *off)
{
    int p = i % 4;
    count[p]++;
    if (count[p] % 10000 == 0) next[p] -= 100;
    if (count[p] % 23456 == 0) next[p] += 50;
    *off = next[p]++;
    return p;
}

static void *writer(void *arg)
{
    struct omb_position_tracker *t = arg;
    int64_t next[4] = {0}, count[4] = {0}, off;
    for (int i = 0; i < WRITES; i++) {
        int p = next_position(next, count, i, &off);
        if (omb_position_tracker_seen(t, p, off) != 0) abort();
    }
    return NULL;
}

static void test_tracker_read_while_written(void **state)
{
    (void)state;
    struct omb_position_tracker *t = omb_position_tracker_new();
    assert_non_null(t);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer, t), 0);
    int64_t last = 0;
    for (int i = 0; i < 200; i++) {
        int64_t n = tracked(t);
        assert_true(n >= last); /* what was seen stays seen */
        last = n;
    }
    pthread_join(th, NULL);
    /* The same offsets, one at a time into a plain set: the count must agree. */
    struct omb_positions want = {0};
    int64_t next[4] = {0}, count[4] = {0}, off;
    for (int i = 0; i < WRITES; i++) {
        int p = next_position(next, count, i, &off);
        assert_int_equal(omb_positions_add(&want, p, off, off + 1), 0);
    }
    int64_t distinct = omb_positions_count(&want);
    assert_int_equal(tracked(t), distinct);
    /* Per partition 100,000 writes: 9 re-reads of 100, and a 10th cut short by the end
     * after one write: 901 fewer distinct than writes. */
    assert_int_equal(distinct, WRITES - 4 * 901);
    assert_int_equal(want.nparts, 4);
    assert_int_equal(want.part[0].ranges.n, 1 + 4); /* and 4 gaps per partition */
    omb_positions_free(&want);
    omb_position_tracker_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges_union),
        cmocka_unit_test(test_positions_per_partition),
        cmocka_unit_test(test_tracker),
        cmocka_unit_test(test_tracker_sparse_streams),
        cmocka_unit_test(test_tracker_read_while_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
