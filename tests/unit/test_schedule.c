/* test_schedule.c - unit tests of the send schedule (load/schedule.c), with a hand-moved clock.
 * Expected due times are computed here with integer arithmetic (start + i * 1e9 / rate), not
 * with the module's formula. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "load/schedule.h"
#include "util/clock.h"

#define NS_PER_S 1000000000LL
/* An epoch-ns start like omb_now_ns() returns (2023-11-14), so large offsets are exercised. */
#define T0 1700000000123456789LL

/* Due time of message i at an integer rate: start + floor(i * 1e9 / rate). The module uses
 * doubles, so allow 1 ns either way. */
static int64_t expect_due(int64_t start, int64_t i, int64_t rate)
{
    return start + (int64_t)(((__int128)i * NS_PER_S) / rate);
}

static void assert_near_ns(int64_t got, int64_t want)
{
    int64_t d = got - want;
    if (d < -1 || d > 1)
        fail_msg("due %lld, expected %lld (diff %lld ns)", (long long)got, (long long)want,
                 (long long)d);
}

static void test_due_times_from_start(void **state)
{
    (void)state;
    static const int64_t rates[] = {1, 3, 7, 1000, 12345, 1000000};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        struct omb_schedule s;
        omb_schedule_start(&s, T0, (double)rates[r]);
        for (int64_t i = 0; i < 20000; i++) {
            assert_near_ns(omb_schedule_due(&s), expect_due(T0, i, rates[r]));
            /* Asking twice does not move the schedule. */
            assert_near_ns(omb_schedule_due(&s), expect_due(T0, i, rates[r]));
            omb_schedule_advance(&s);
        }
    }
    /* The first message is due exactly at the start. */
    struct omb_schedule s;
    omb_schedule_start(&s, T0, 500.0);
    assert_int_equal(omb_schedule_due(&s), T0);
}

static void test_no_drift_over_long_run(void **state)
{
    (void)state;
    /* 3 msg/s: the interval (333333333.33 ns) is not an integer; after 3,000,000 messages
     * (1,000,000 s) the due time must still be start + 1e6 s, not off by accumulated
     * rounding. */
    struct omb_schedule s;
    omb_schedule_start(&s, T0, 3.0);
    for (int64_t i = 0; i < 3000000; i++) omb_schedule_advance(&s);
    assert_near_ns(omb_schedule_due(&s), T0 + 1000000LL * NS_PER_S);
    omb_schedule_advance(&s);
    assert_near_ns(omb_schedule_due(&s), expect_due(T0, 3000001, 3));
}

/* A simulated sender: the clock moves by hand; the sender sends whatever is due, except
 * during a stall (a GC pause, a blocked send) when it sends nothing. */
static void test_late_sender_keeps_old_due_times(void **state)
{
    (void)state;
    const int64_t rate = 1000; /* 1 ms apart */
    struct omb_schedule s;
    omb_schedule_start(&s, T0, (double)rate);
    int64_t now = T0, sent = 0;
    int64_t burst_max = 0;
    for (int step = 0; step < 400; step++) { /* 400 ms of simulated time, 1 ms steps */
        now = T0 + (int64_t)step * 1000000;
        if (step >= 100 && step < 150) continue; /* stalled for 50 ms */
        int64_t burst = 0;
        while (omb_schedule_due(&s) <= now) {
            /* Each message's due time is the one it had from the start: no re-basing to
             * "now" when the sender is late, and no message skipped. */
            assert_near_ns(omb_schedule_due(&s), expect_due(T0, sent, rate));
            omb_schedule_advance(&s);
            sent++;
            burst++;
        }
        if (burst > burst_max) burst_max = burst;
    }
    /* After the stall the sender caught up in one burst of the 50 late messages (+ the one
     * due now): the lag showed as delay instead of disappearing. */
    assert_int_equal(burst_max, 51);
    /* By simulated time T0 + 399 ms exactly 400 messages (0..399 ms) were due and sent. */
    assert_int_equal(sent, 400);
    assert_near_ns(omb_schedule_due(&s), T0 + 400LL * 1000000);

    /* A sender that is far behind: nothing sent for 10 s at 1000 msg/s, then it sends as
     * fast as it can. Due times keep counting from the start. */
    omb_schedule_start(&s, T0, (double)rate);
    now = T0 + 10 * NS_PER_S;
    for (int64_t i = 0; i < 5000; i++) {
        int64_t due = omb_schedule_due(&s);
        assert_true(due <= now);
        assert_near_ns(due, expect_due(T0, i, rate));
        omb_schedule_advance(&s);
    }
}

static void test_set_rate_keeps_next_due_time(void **state)
{
    (void)state;
    struct omb_schedule s;
    omb_schedule_start(&s, T0, 1000.0);
    for (int i = 0; i < 100; i++) omb_schedule_advance(&s);
    int64_t next_due = expect_due(T0, 100, 1000); /* T0 + 100 ms */
    assert_near_ns(omb_schedule_due(&s), next_due);

    /* Faster: the next message keeps its due time, the later ones are 0.5 ms apart. */
    omb_schedule_set_rate(&s, 2000.0);
    assert_near_ns(omb_schedule_due(&s), next_due);
    int64_t prev = omb_schedule_due(&s);
    omb_schedule_advance(&s);
    for (int64_t k = 1; k <= 1000; k++) {
        int64_t due = omb_schedule_due(&s);
        assert_near_ns(due, expect_due(next_due, k, 2000));
        assert_true(due > prev); /* strictly increasing: no burst */
        prev = due;
        omb_schedule_advance(&s);
    }

    /* Slower: the next message still keeps its due time, then 100 ms apart. */
    int64_t keep = omb_schedule_due(&s);
    omb_schedule_set_rate(&s, 10.0);
    assert_near_ns(omb_schedule_due(&s), keep);
    assert_true(keep > prev);
    omb_schedule_advance(&s);
    assert_near_ns(omb_schedule_due(&s), keep + NS_PER_S / 10);

    /* Two changes before the next send: still the same due time for the next message. */
    keep = omb_schedule_due(&s);
    omb_schedule_set_rate(&s, 50000.0);
    omb_schedule_set_rate(&s, 4.0);
    assert_near_ns(omb_schedule_due(&s), keep);
    omb_schedule_advance(&s);
    assert_near_ns(omb_schedule_due(&s), keep + NS_PER_S / 4);
}

static void test_set_rate_while_behind_does_not_rebase(void **state)
{
    (void)state;
    struct omb_schedule s;
    omb_schedule_start(&s, T0, 1000.0);
    for (int i = 0; i < 10; i++) omb_schedule_advance(&s);
    /* The sender is 5 s late (clock at T0 + 5 s, next due T0 + 10 ms); the rate changes. */
    int64_t now = T0 + 5 * NS_PER_S;
    omb_schedule_set_rate(&s, 500.0);
    int64_t due = omb_schedule_due(&s);
    assert_near_ns(due, T0 + 10 * 1000000LL); /* not "now": the accrued lag stays visible */
    assert_true(due < now);
    omb_schedule_advance(&s);
    assert_near_ns(omb_schedule_due(&s), T0 + 10 * 1000000LL + 2000000LL);
}

/* Counts the messages whose due time falls in [from, to) when a sender that is always on
 * time runs the schedule from @p s (consumes messages up to @p to). */
static int64_t count_due_until(struct omb_schedule *s, int64_t from, int64_t to, int64_t *last)
{
    int64_t n = 0;
    for (;;) {
        int64_t due = omb_schedule_due(s);
        if (due >= to) break;
        if (*last != INT64_MIN && due <= *last) fail_msg("due times not increasing");
        *last = due;
        if (due >= from) n++;
        omb_schedule_advance(s);
    }
    return n;
}

static void test_long_run_count_matches_rate(void **state)
{
    (void)state;
    /* Rates that change at arbitrary instants (not on message boundaries). After a change the
     * next message keeps its old due time d0; from d0 on, the messages due in a window of
     * length w number rate * w within 1 (no burst, no gap). */
    static const struct {
        double rate;
        int64_t window_ns;
    } phases[] = {
        {1234.5, 10 * NS_PER_S}, {20000.0, 3 * NS_PER_S + 123457},
        {5000.0, 7 * NS_PER_S},  {7.0, 20 * NS_PER_S + 999},
        {99999.0, NS_PER_S / 3}, {250.25, 4 * NS_PER_S},
        {1e6, NS_PER_S / 2},     {3.0, 30 * NS_PER_S},
    };
    struct omb_schedule s;
    int64_t last = INT64_MIN;
    omb_schedule_start(&s, T0, phases[0].rate);
    for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++) {
        if (p > 0) omb_schedule_set_rate(&s, phases[p].rate);
        int64_t d0 = omb_schedule_due(&s);
        int64_t n = count_due_until(&s, d0, d0 + phases[p].window_ns, &last);
        double want = phases[p].rate * (double)phases[p].window_ns / 1e9;
        if ((double)n < want - 1.0 || (double)n > want + 1.0)
            fail_msg("phase %zu: %lld messages due, expected %.3f", p, (long long)n, want);
    }
}

static void test_no_limit_everything_due_at_start(void **state)
{
    (void)state;
    static const double rates[] = {0.0, -1.0, -1e9};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        struct omb_schedule s;
        omb_schedule_start(&s, T0, rates[r]);
        for (int i = 0; i < 10000; i++) {
            assert_int_equal(omb_schedule_due(&s), T0);
            omb_schedule_advance(&s);
        }
    }

    /* Limited, then unlimited: every later message is due when the next one was. */
    struct omb_schedule s;
    omb_schedule_start(&s, T0, 100.0);
    for (int i = 0; i < 7; i++) omb_schedule_advance(&s);
    int64_t keep = omb_schedule_due(&s);
    assert_near_ns(keep, T0 + 70 * 1000000LL);
    omb_schedule_set_rate(&s, 0.0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(omb_schedule_due(&s), keep);
        omb_schedule_advance(&s);
    }
    /* Unlimited, then limited again: spacing resumes from that point. */
    omb_schedule_set_rate(&s, 1000.0);
    assert_int_equal(omb_schedule_due(&s), keep);
    omb_schedule_advance(&s);
    assert_near_ns(omb_schedule_due(&s), keep + 1000000);
}

int main(void)
{
    omb_clock_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_times_from_start),
        cmocka_unit_test(test_no_drift_over_long_run),
        cmocka_unit_test(test_late_sender_keeps_old_due_times),
        cmocka_unit_test(test_set_rate_keeps_next_due_time),
        cmocka_unit_test(test_set_rate_while_behind_does_not_rebase),
        cmocka_unit_test(test_long_run_count_matches_rate),
        cmocka_unit_test(test_no_limit_everything_due_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
