/* test_recorder.c - unit tests of the per-thread recorders and their period / cumulative views
 * (stats/recorder.c), with writer and reader threads running at the same time. Expected
 * counts come from the test's own value generator; expected histograms are built by
 * recording the same values straight into a plain histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stats/hist.h"
#include "stats/recorder.h"
#include "util/clock.h"

#if defined(__SANITIZE_THREAD__)
#define SAMPLES 200000 /* TSan is ~10x slower */
#else
#define SAMPLES 1000000
#endif

/* ---- the values each writer records ------------------------------------------------- */

/* Publish latency of writer @p w's i-th sample: spread over [1, 100000] us. */
static int64_t pub_value(int w, int64_t i)
{
    return (int64_t)(((uint64_t)i * 2654435761u + (uint64_t)w * 7919u) % 100000u) + 1;
}
/* End-to-end value: 3x, so it crosses into buckets wider than 1 us (above 262143). */
static int64_t e2e_value(int w, int64_t i) { return 3 * pub_value(w, i); }
static int64_t bytes_of(int64_t i) { return 100 + i % 7; }
static int is_negative_delay(int64_t i) { return i % 1000 == 0; } /* counted apart */

/* ---- concurrent writers and one reader ---------------------------------------------- */

struct shared {
    struct omb_stats *s;
    int64_t per_writer;
    atomic_int reads;          /* period reads completed by the reader */
    atomic_int writers_done;   /* set by main after joining the writers */
    struct omb_stats_view acc; /* the reader's sum of every period view */
    int64_t periods_nonempty;
    int64_t max_cum_sent;
    char failure[256]; /* first check that failed in the reader, "" if none */
};

struct writer_arg {
    struct shared *sh;
    int id;
};

static void *writer_main(void *arg)
{
    struct writer_arg *a = arg;
    struct shared *sh = a->sh;
    struct omb_recorder *r = omb_stats_recorder(sh->s);
    for (int64_t i = 0; i < sh->per_writer; i++) {
        if (i > 0 && i % (sh->per_writer / 4) == 0) {
            /* At each quarter: let the reader complete two reads, so period reads fall
             * strictly inside this writer's run (the test is about concurrency). */
            int seen = atomic_load(&sh->reads);
            while (atomic_load(&sh->reads) < seen + 2) sched_yield();
        }
        omb_rec_count(r, OMB_C_SENT, 1);
        omb_rec_count(r, OMB_C_BYTES_SENT, bytes_of(i));
        omb_rec_count(r, OMB_C_RECEIVED, 2);
        omb_rec_value(r, OMB_PUB_LATENCY, pub_value(a->id, i));
        omb_rec_value(r, OMB_E2E_LATENCY, e2e_value(a->id, i));
        omb_rec_value(r, OMB_PUB_DELAY, is_negative_delay(i) ? -5 : 10);
    }
    return NULL;
}

#define READER_FAIL(sh, ...)                                                                       \
    do {                                                                                           \
        if (!(sh)->failure[0]) snprintf((sh)->failure, sizeof(sh)->failure, __VA_ARGS__);          \
    } while (0)

static void *reader_main(void *arg)
{
    struct shared *sh = arg;
    struct omb_stats_view p, c;
    if (omb_stats_view_init(&p, OMB_HIST_DEFAULT_DIGITS) != 0 ||
        omb_stats_view_init(&c, OMB_HIST_DEFAULT_DIGITS) != 0) {
        READER_FAIL(sh, "view init failed");
        return NULL;
    }
    int64_t sum_sent = 0;
    for (int iter = 0;; iter++) {
        int last = atomic_load(&sh->writers_done);
        omb_stats_read_period(sh->s, &p);
        sum_sent += p.counters[OMB_C_SENT];
        if (p.totals[OMB_C_SENT] != sum_sent)
            READER_FAIL(sh, "period totals %lld != sum of period counters %lld",
                        (long long)p.totals[OMB_C_SENT], (long long)sum_sent);
        if (p.counters[OMB_C_SENT] > 0) sh->periods_nonempty++;
        omb_stats_view_add(&sh->acc, &p);
        atomic_fetch_add(&sh->reads, 1);
        if (iter % 3 == 0) {
            /* A cumulative read in between: never less than what the periods returned. */
            omb_stats_read_cumulative(sh->s, &c);
            if (c.counters[OMB_C_SENT] < sum_sent || c.counters[OMB_C_SENT] < sh->max_cum_sent)
                READER_FAIL(sh, "cumulative went backwards: %lld (periods %lld, before %lld)",
                            (long long)c.counters[OMB_C_SENT], (long long)sum_sent,
                            (long long)sh->max_cum_sent);
            sh->max_cum_sent = c.counters[OMB_C_SENT];
        }
        if (last) break; /* this read started after every writer had finished */
    }
    omb_stats_view_free(&p);
    omb_stats_view_free(&c);
    return NULL;
}

/* The histogram every sample of every writer would make if recorded directly. */
static struct omb_hist *expected_hist(int series, int writers, int64_t per_writer)
{
    int64_t max = series == OMB_E2E_LATENCY ? OMB_HIST_E2E_MAX_US : OMB_HIST_PUB_MAX_US;
    struct omb_hist *h = omb_hist_new(1, max, OMB_HIST_DEFAULT_DIGITS);
    assert_non_null(h);
    for (int w = 0; w < writers; w++)
        for (int64_t i = 0; i < per_writer; i++)
            omb_hist_record(h, series == OMB_E2E_LATENCY ? e2e_value(w, i) : pub_value(w, i));
    return h;
}

static void assert_same_hist(const struct omb_hist *got, const struct omb_hist *want)
{
    assert_int_equal(got->total_count, want->total_count);
    assert_int_equal(got->counts_len, want->counts_len);
    for (int32_t k = 0; k < want->counts_len; k++)
        if (got->counts[k] != want->counts[k])
            fail_msg("bucket %d (value %lld): %lld samples, expected %lld", k,
                     (long long)omb_hist_value_at_index(want, k), (long long)got->counts[k],
                     (long long)want->counts[k]);
    assert_int_equal(omb_hist_max(got), omb_hist_max(want));
    assert_int_equal(omb_hist_min(got), omb_hist_min(want));
}

static void run_concurrent(int writers)
{
    struct shared *sh = calloc(1, sizeof *sh);
    assert_non_null(sh);
    sh->s = omb_stats_new(OMB_HIST_DEFAULT_DIGITS);
    assert_non_null(sh->s);
    sh->per_writer = SAMPLES / writers;
    assert_int_equal(omb_stats_view_init(&sh->acc, OMB_HIST_DEFAULT_DIGITS), 0);

    pthread_t reader, wt[8];
    struct writer_arg wa[8];
    assert_int_equal(pthread_create(&reader, NULL, reader_main, sh), 0);
    for (int w = 0; w < writers; w++) {
        wa[w] = (struct writer_arg){.sh = sh, .id = w};
        assert_int_equal(pthread_create(&wt[w], NULL, writer_main, &wa[w]), 0);
    }
    for (int w = 0; w < writers; w++) assert_int_equal(pthread_join(wt[w], NULL), 0);
    atomic_store(&sh->writers_done, 1);
    assert_int_equal(pthread_join(reader, NULL), 0);
    if (sh->failure[0]) fail_msg("reader: %s", sh->failure);

    /* Every sample in exactly one period. */
    int64_t n = sh->per_writer * writers;
    int64_t bytes = 0, negative = 0;
    for (int64_t i = 0; i < sh->per_writer; i++) {
        bytes += bytes_of(i);
        negative += is_negative_delay(i);
    }
    assert_int_equal(sh->acc.counters[OMB_C_SENT], n);
    assert_int_equal(sh->acc.counters[OMB_C_BYTES_SENT], bytes * writers);
    assert_int_equal(sh->acc.counters[OMB_C_RECEIVED], 2 * n);
    assert_int_equal(sh->acc.counters[OMB_C_SEND_ERRORS], 0);
    assert_int_equal(sh->acc.negative[OMB_PUB_DELAY], negative * writers);
    assert_int_equal(sh->acc.clamped[OMB_PUB_DELAY], 0);
    assert_int_equal(sh->acc.negative[OMB_PUB_LATENCY], 0);
    /* Negative samples are not in the histogram. */
    assert_int_equal(sh->acc.hist[OMB_PUB_DELAY]->total_count, n - negative * writers);
    assert_int_equal(sh->acc.hist[OMB_PUB_LATENCY_CO]->total_count, 0);
    assert_true(sh->periods_nonempty >= 4);

    struct omb_hist *want = expected_hist(OMB_PUB_LATENCY, writers, sh->per_writer);
    assert_same_hist(sh->acc.hist[OMB_PUB_LATENCY], want);
    omb_hist_destroy(want);
    want = expected_hist(OMB_E2E_LATENCY, writers, sh->per_writer);
    assert_same_hist(sh->acc.hist[OMB_E2E_LATENCY], want);

    /* The cumulative view holds the same, and a period read now is empty. */
    struct omb_stats_view c;
    assert_int_equal(omb_stats_view_init(&c, OMB_HIST_DEFAULT_DIGITS), 0);
    omb_stats_read_cumulative(sh->s, &c);
    assert_int_equal(c.counters[OMB_C_SENT], n);
    assert_int_equal(c.totals[OMB_C_SENT], n);
    assert_int_equal(c.negative[OMB_PUB_DELAY], negative * writers);
    assert_same_hist(c.hist[OMB_E2E_LATENCY], want);
    omb_stats_read_period(sh->s, &c);
    assert_int_equal(c.counters[OMB_C_SENT], 0);
    assert_int_equal(c.hist[OMB_PUB_LATENCY]->total_count, 0);
    assert_int_equal(c.totals[OMB_C_SENT], n);
    omb_hist_destroy(want);
    omb_stats_view_free(&c);

    omb_stats_view_free(&sh->acc);
    omb_stats_destroy(sh->s);
    free(sh);
}

static void test_one_writer_one_reader_exact(void **state)
{
    (void)state;
    run_concurrent(1);
}

static void test_several_writers_one_reader_exact(void **state)
{
    (void)state;
    run_concurrent(4);
}

/* ---- single-threaded semantics ------------------------------------------------------ */

struct fixture {
    struct omb_stats *s;
    struct omb_stats_view v;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    f->s = omb_stats_new(OMB_HIST_DEFAULT_DIGITS);
    if (!f->s || omb_stats_view_init(&f->v, OMB_HIST_DEFAULT_DIGITS) != 0) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    omb_stats_view_free(&f->v);
    omb_stats_destroy(f->s);
    free(f);
    return 0;
}

/* Records @p n samples: values first..first+n-1 into PUB_LATENCY, one SENT each. */
static void record_run(struct omb_stats *s, int64_t first, int64_t n)
{
    struct omb_recorder *r = omb_stats_recorder(s);
    for (int64_t i = 0; i < n; i++) {
        omb_rec_count(r, OMB_C_SENT, 1);
        omb_rec_value(r, OMB_PUB_LATENCY, first + i);
    }
}

static void test_cumulative_peeks_without_consuming(void **state)
{
    struct fixture *f = *state;
    record_run(f->s, 1, 100); /* 1..100 */

    omb_stats_read_cumulative(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 100);
    assert_int_equal(f->v.totals[OMB_C_SENT], 100);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 100);
    assert_int_equal(omb_hist_max(f->v.hist[OMB_PUB_LATENCY]), 100);

    /* The period read still returns them. */
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 100);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 100);
    assert_int_equal(omb_hist_min(f->v.hist[OMB_PUB_LATENCY]), 1);

    /* Cumulative again: 100, not 200 (the peek was not added twice). */
    omb_stats_read_cumulative(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 100);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 100);

    record_run(f->s, 1001, 50); /* 1001..1050, unread */
    omb_stats_read_cumulative(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 150);
    assert_int_equal(f->v.totals[OMB_C_SENT], 150);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 150);
    assert_int_equal(omb_hist_max(f->v.hist[OMB_PUB_LATENCY]), 1050);
    omb_stats_read_cumulative(f->s, &f->v); /* twice in a row: same answer */
    assert_int_equal(f->v.counters[OMB_C_SENT], 150);

    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 50);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 50);
    assert_int_equal(omb_hist_min(f->v.hist[OMB_PUB_LATENCY]), 1001);
    assert_int_equal(f->v.totals[OMB_C_SENT], 150);

    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 0);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 0);
}

static void test_reset_discards_but_totals_stay(void **state)
{
    struct fixture *f = *state;
    record_run(f->s, 1, 100);
    omb_stats_read_period(f->s, &f->v); /* 100 read */
    record_run(f->s, 500, 30);          /* 30 unread */
    omb_stats_reset(f->s);

    omb_stats_read_cumulative(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 0);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 0);
    assert_int_equal(f->v.totals[OMB_C_SENT], 130);
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 0);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 0);
    assert_int_equal(f->v.totals[OMB_C_SENT], 130);

    record_run(f->s, 7, 5);
    omb_stats_read_cumulative(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 5);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 5);
    assert_int_equal(f->v.totals[OMB_C_SENT], 135);
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 5);
    assert_int_equal(omb_hist_min(f->v.hist[OMB_PUB_LATENCY]), 7);
    assert_int_equal(f->v.totals[OMB_C_SENT], 135);

    /* Reset twice, periods in between: totals only ever grow. */
    omb_stats_reset(f->s);
    omb_stats_reset(f->s);
    record_run(f->s, 1, 1);
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 1);
    assert_int_equal(f->v.totals[OMB_C_SENT], 136);
}

static void test_clamped_values_counted(void **state)
{
    struct fixture *f = *state;
    struct omb_recorder *r = omb_stats_recorder(f->s);
    const int64_t pub_max = 60LL * 1000 * 1000;        /* 60 s */
    const int64_t e2e_max = 12LL * 3600 * 1000 * 1000; /* 12 h */
    omb_rec_value(r, OMB_PUB_LATENCY, -1);             /* negative */
    omb_rec_value(r, OMB_PUB_LATENCY, pub_max);        /* in range */
    omb_rec_value(r, OMB_PUB_LATENCY, pub_max + 1);    /* clamped */
    omb_rec_value(r, OMB_PUB_LATENCY, INT64_MAX);      /* clamped */
    omb_rec_value(r, OMB_PUB_DELAY, 0);                /* in range */
    omb_rec_value(r, OMB_PUB_DELAY, -1000000);         /* negative */
    omb_rec_value(r, OMB_E2E_LATENCY, pub_max + 1);    /* in range for e2e */
    omb_rec_value(r, OMB_E2E_LATENCY, e2e_max);        /* in range */
    omb_rec_value(r, OMB_E2E_LATENCY, e2e_max + 1);    /* clamped */
    omb_rec_value(r, OMB_E2E_LATENCY, INT64_MIN);      /* negative */

    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.clamped[OMB_PUB_LATENCY], 2);
    assert_int_equal(f->v.clamped[OMB_PUB_DELAY], 0);
    assert_int_equal(f->v.clamped[OMB_E2E_LATENCY], 1);
    assert_int_equal(f->v.clamped[OMB_PUB_LATENCY_CO], 0);
    assert_int_equal(f->v.clamped[OMB_E2E_LATENCY_CO], 0);
    assert_int_equal(f->v.negative[OMB_PUB_LATENCY], 1);
    assert_int_equal(f->v.negative[OMB_PUB_DELAY], 1);
    assert_int_equal(f->v.negative[OMB_E2E_LATENCY], 1);
    assert_int_equal(f->v.negative[OMB_E2E_LATENCY_CO], 0);
    /* Samples above the range are still counted, at its top; negative ones are not
     * latencies (clocks that disagree) and stay out, rather than pose as 0. */
    const struct omb_hist *pub = f->v.hist[OMB_PUB_LATENCY];
    assert_int_equal(pub->total_count, 3);
    assert_true(omb_hist_min(pub) >= pub_max * 0.9999);
    assert_true(omb_hist_max(pub) >= pub_max);
    const struct omb_hist *e2e = f->v.hist[OMB_E2E_LATENCY];
    assert_int_equal(e2e->total_count, 3);
    assert_true(omb_hist_min(e2e) > pub_max * 0.9999);
    assert_true(omb_hist_max(e2e) >= e2e_max);
    assert_int_equal(f->v.hist[OMB_PUB_DELAY]->total_count, 1);
    assert_int_equal(omb_hist_max(f->v.hist[OMB_PUB_DELAY]), 0);

    /* Per period: the next period has none; the cumulative view keeps them. */
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.clamped[OMB_PUB_LATENCY], 0);
    assert_int_equal(f->v.clamped[OMB_E2E_LATENCY], 0);
    assert_int_equal(f->v.negative[OMB_E2E_LATENCY], 0);
    omb_rec_value(r, OMB_PUB_LATENCY, pub_max + 7);
    omb_rec_value(r, OMB_E2E_LATENCY, -7);
    omb_stats_read_cumulative(f->s, &f->v);
    assert_int_equal(f->v.clamped[OMB_PUB_LATENCY], 3);
    assert_int_equal(f->v.clamped[OMB_E2E_LATENCY], 1);
    assert_int_equal(f->v.negative[OMB_E2E_LATENCY], 2);
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.clamped[OMB_PUB_LATENCY], 1);
    assert_int_equal(f->v.negative[OMB_E2E_LATENCY], 1);
}

static void test_counters_and_series_independent(void **state)
{
    struct fixture *f = *state;
    struct omb_recorder *r = omb_stats_recorder(f->s);
    /* Each counter and series lands in its own slot. */
    for (int c = 0; c < OMB_NCOUNTERS; c++) omb_rec_count(r, (enum omb_counter)c, 10 * (c + 1));
    for (int s = 0; s < OMB_NSERIES; s++)
        for (int k = 0; k <= s; k++) omb_rec_value(r, (enum omb_series)s, 100 * (s + 1));
    omb_stats_read_period(f->s, &f->v);
    for (int c = 0; c < OMB_NCOUNTERS; c++) {
        assert_int_equal(f->v.counters[c], 10 * (c + 1));
        assert_int_equal(f->v.totals[c], 10 * (c + 1));
    }
    for (int s = 0; s < OMB_NSERIES; s++) {
        assert_int_equal(f->v.hist[s]->total_count, s + 1);
        assert_int_equal(omb_hist_min(f->v.hist[s]), 100 * (s + 1));
    }
}

static void test_same_thread_two_objects_in_a_row(void **state)
{
    (void)state;
    struct omb_stats_view v;
    assert_int_equal(omb_stats_view_init(&v, OMB_HIST_DEFAULT_DIGITS), 0);
    /* Create, record, destroy, create again: the allocator very likely hands back the same
     * address; the second object must get a fresh recorder, not the freed one. Under ASan a
     * stale recorder is a use-after-free; without, its samples would show up below. */
    for (int round = 0; round < 5; round++) {
        struct omb_stats *a = omb_stats_new(OMB_HIST_DEFAULT_DIGITS);
        assert_non_null(a);
        record_run(a, 1, 10 + round);
        omb_stats_destroy(a);
        struct omb_stats *b = omb_stats_new(OMB_HIST_DEFAULT_DIGITS);
        assert_non_null(b);
        record_run(b, 1000, 3);
        omb_stats_read_period(b, &v);
        assert_int_equal(v.counters[OMB_C_SENT], 3);
        assert_int_equal(v.totals[OMB_C_SENT], 3);
        assert_int_equal(v.hist[OMB_PUB_LATENCY]->total_count, 3);
        assert_int_equal(omb_hist_min(v.hist[OMB_PUB_LATENCY]), 1000);
        omb_stats_destroy(b);
    }

    /* Two live objects, one thread going back and forth: nothing lost, nothing mixed. */
    struct omb_stats *a = omb_stats_new(OMB_HIST_DEFAULT_DIGITS);
    struct omb_stats *b = omb_stats_new(OMB_HIST_DEFAULT_DIGITS);
    assert_non_null(a);
    assert_non_null(b);
    record_run(a, 1, 5);
    record_run(b, 100, 7);
    record_run(a, 10, 11);
    record_run(b, 200, 2);
    omb_stats_read_period(a, &v);
    assert_int_equal(v.counters[OMB_C_SENT], 16);
    assert_int_equal(v.hist[OMB_PUB_LATENCY]->total_count, 16);
    assert_int_equal(omb_hist_max(v.hist[OMB_PUB_LATENCY]), 20);
    omb_stats_read_period(b, &v);
    assert_int_equal(v.counters[OMB_C_SENT], 9);
    assert_int_equal(omb_hist_min(v.hist[OMB_PUB_LATENCY]), 100);
    assert_int_equal(omb_hist_max(v.hist[OMB_PUB_LATENCY]), 201);
    omb_stats_destroy(a);
    omb_stats_destroy(b);
    omb_stats_view_free(&v);
}

static void *record_5_into(void *arg)
{
    record_run(arg, 50, 5);
    return NULL;
}

static void test_each_thread_its_own_recorder(void **state)
{
    struct fixture *f = *state;
    struct omb_recorder *mine = omb_stats_recorder(f->s);
    assert_ptr_equal(omb_stats_recorder(f->s), mine); /* cached for this thread */
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, record_5_into, f->s), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(pthread_join(t[i], NULL), 0);
    record_run(f->s, 1, 2);
    omb_stats_read_period(f->s, &f->v);
    assert_int_equal(f->v.counters[OMB_C_SENT], 17);
    assert_int_equal(f->v.hist[OMB_PUB_LATENCY]->total_count, 17);
}

/* ---- footprint ---------------------------------------------------------------------- */

/* Resident pages of the mmap'd block [p, p + bytes). */
static size_t resident_pages(const void *p, size_t bytes)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE), n = (bytes + ps - 1) / ps, got = 0;
    unsigned char *vec = malloc(n);
    assert_non_null(vec);
    assert_int_equal(mincore((void *)p, bytes, vec), 0);
    for (size_t i = 0; i < n; i++) got += vec[i] & 1;
    free(vec);
    return got;
}

/* End-to-end latencies spread over 0..5 s: at 5 digits they fall into ~900k counts, a page
 * of dense counts for every few samples. */
static int64_t spread_value(int64_t i) { return (int64_t)(((uint64_t)i * 2654435761u) % 5000000u); }

static void test_footprint_follows_samples_not_range(void **state)
{
    (void)state;
    struct omb_stats *s = omb_stats_new(5);
    struct omb_stats_view v, want;
    assert_int_equal(omb_stats_view_init(&v, 5), 0);
    assert_int_equal(omb_stats_view_init(&want, 5), 0);
    struct omb_recorder *r = omb_stats_recorder(s);
    const size_t ring_bytes = OMB_REC_RING_LEN * sizeof(uint32_t),
                 ps = (size_t)sysconf(_SC_PAGESIZE);

    /* Fewer samples than the ring holds: the ring's pages they filled, nothing else. */
    const int64_t n = 50000;
    for (int64_t i = 0; i < n; i++) {
        omb_rec_value(r, OMB_E2E_LATENCY, spread_value(i));
        omb_hist_record(want.hist[OMB_E2E_LATENCY], spread_value(i));
    }
    assert_null(atomic_load(&r->dense));
    assert_true(resident_pages(r->ring, ring_bytes) <= (size_t)n * sizeof(uint32_t) / ps + 2);

    /* Read: exactly the samples, and the ring's consumed pages go back to the kernel. */
    omb_stats_read_period(s, &v);
    assert_same_hist(v.hist[OMB_E2E_LATENCY], want.hist[OMB_E2E_LATENCY]);
    assert_true(resident_pages(r->ring, ring_bytes) <= 2);

    /* More than a ring's worth between two reads: the rest goes to dense counts, still exact. */
    omb_hist_reset(want.hist[OMB_E2E_LATENCY]);
    const int64_t m = (int64_t)OMB_REC_RING_LEN + 5000;
    for (int64_t i = 0; i < m; i++) {
        omb_rec_value(r, OMB_E2E_LATENCY, spread_value(i) / 7);
        omb_hist_record(want.hist[OMB_E2E_LATENCY], spread_value(i) / 7);
    }
    assert_non_null(atomic_load(&r->dense));
    omb_stats_read_period(s, &v);
    assert_same_hist(v.hist[OMB_E2E_LATENCY], want.hist[OMB_E2E_LATENCY]);
    omb_stats_read_period(s, &v);
    assert_int_equal(v.hist[OMB_E2E_LATENCY]->total_count, 0);

    omb_stats_view_free(&v);
    omb_stats_view_free(&want);
    omb_stats_destroy(s);
}

static void test_bad_digits(void **state)
{
    (void)state;
    assert_null(omb_stats_new(0));
    assert_null(omb_stats_new(6));
    struct omb_stats *s = omb_stats_new(3);
    assert_non_null(s);
    assert_int_equal(omb_stats_digits(s), 3);
    omb_stats_destroy(s);
    omb_stats_destroy(NULL); /* NULL-safe */
}

int main(void)
{
    omb_clock_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_writer_one_reader_exact),
        cmocka_unit_test(test_several_writers_one_reader_exact),
        cmocka_unit_test_setup_teardown(test_cumulative_peeks_without_consuming, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_discards_but_totals_stay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clamped_values_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_and_series_independent, setup, teardown),
        cmocka_unit_test(test_same_thread_two_objects_in_a_row),
        cmocka_unit_test_setup_teardown(test_each_thread_its_own_recorder, setup, teardown),
        cmocka_unit_test(test_footprint_follows_samples_not_range),
        cmocka_unit_test(test_bad_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
