/* test_rate_controller.c - unit tests of the maximum-rate search (load/rate_controller.c):
 * single steps driven by hand (growth, backlog, floor, slack, environment overrides), and
 * whole searches against a simulated system of known capacity, as bench_rate_search.c
 * runs them (1 s control period, 10 ms simulation ticks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "load/rate_controller.h"

#define SEC 1000000000LL

static const char *const env_names[] = {"PUBLISH_BACKLOG_LIMIT", "RECEIVE_BACKLOG_LIMIT",
                                        "MIN_RAMPING_FACTOR", "MAX_RAMPING_FACTOR"};

static int clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++) unsetenv(env_names[i]);
    return 0;
}

/* ---- single steps ---------------------------------------------------------------------- */

static void test_init_defaults(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 0);
    assert_true(c.rate == OMB_RATE_SEARCH_START);
    assert_int_equal(c.publish_limit, 1000);
    assert_int_equal(c.receive_limit, 1000);
    assert_true(c.min_factor == 0.01);
    assert_true(c.max_factor == 1.0);
    assert_true(c.factor == 1.0);
    omb_rate_controller_init(&c, -5);
    assert_true(c.rate == OMB_RATE_SEARCH_START);
    omb_rate_controller_init(&c, 2500);
    assert_true(c.rate == 2500);
}

/* A system that keeps up: the rate doubles (factor 1), step after step. */
static void test_grows_while_keeping_up(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    int64_t sent = 0;
    double rate = c.rate;
    for (int i = 0; i < 5; i++) {
        sent += (int64_t)rate; /* everything scheduled was sent and received */
        double next = omb_rate_controller_next(&c, SEC, sent, sent, 1);
        assert_true(fabs(next - 2 * rate) < 1e-6);
        assert_true(c.ceiling == 0);
        rate = next;
    }
    assert_true(c.best == 160000);
}

/* A period of zero (or less) changes nothing. */
static void test_zero_period(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    assert_true(omb_rate_controller_next(&c, 0, 0, 0, 1) == 10000);
    assert_true(omb_rate_controller_next(&c, -SEC, 0, 0, 1) == 10000);
    assert_true(c.ceiling == 0 && c.best == 0);
}

/* Producers fall behind their schedule: the rate comes down to (below) what was sent, the
 * failed rate becomes the ceiling, and the search then closes in on it from below. */
static void test_publish_backlog_lowers_rate(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    int64_t sent = 10000;
    assert_true(omb_rate_controller_next(&c, SEC, sent, sent, 1) == 20000);
    sent += 12000; /* 20,000 scheduled, 12,000 sent: 8,000 behind */
    double r = omb_rate_controller_next(&c, SEC, sent, sent, 1);
    assert_true(r < 12000);        /* below what the producers managed */
    assert_true(r >= 0.5 * 12000); /* but not a collapse */
    assert_true(c.ceiling == 20000);
    assert_true(c.factor == 0.5);
    /* Keeping up again: halfway to the ceiling, never past it. */
    sent += (int64_t)r;
    double r2 = omb_rate_controller_next(&c, SEC, sent, sent, 1);
    assert_true(r2 > r);
    assert_true(fabs(r2 - (r + (20000 - r) / 2)) < 1e-6);
    assert_true(r2 < 20000);
}

/* Consumers fall behind (receive backlog over the limit): the rate comes down to what was
 * delivered per subscription. With 2 subscriptions every sent message counts twice. */
static void test_receive_backlog_lowers_rate(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    /* 2 subscriptions, each delivered everything: no backlog. */
    assert_true(omb_rate_controller_next(&c, SEC, 10000, 20000, 2) == 20000);
    /* Sent 20,000 more, each subscription received only 8,000 of them: 12,000 behind. */
    double r = omb_rate_controller_next(&c, SEC, 30000, 20000 + 2 * 8000, 2);
    assert_true(r <= 8000);
    assert_true(r >= 100);
    assert_true(c.ceiling == 20000);
    /* The same totals as one subscription would be a huge backlog too; as 0
     * subscriptions (produce-only) the receive side is not looked at. */
    struct omb_rate_controller p;
    omb_rate_controller_init(&p, 10000);
    assert_true(omb_rate_controller_next(&p, SEC, 10000, 0, 0) == 20000);
    assert_true(omb_rate_controller_next(&p, SEC, 30000, 0, 0) == 40000);
    assert_true(p.ceiling == 0);
}

/* A sent-vs-received gap within the limit is not a backlog: with one subscription a
 * receive backlog of 900 (< 1,000) lets the rate grow. */
static void test_small_backlog_tolerated(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    assert_true(omb_rate_controller_next(&c, SEC, 10000, 9100, 1) == 20000);
    /* 900 behind the schedule is not a publish backlog either. */
    assert_true(omb_rate_controller_next(&c, SEC, 10000 + 19100, 9100 + 20000, 1) == 40000);
}

/* At high rates the limit is 5% of the period's messages: 20,000 behind at 1M msg/s is
 * in flight, not a backlog; 60,000 behind is. */
static void test_limit_scales_with_rate(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 1000000);
    double r = omb_rate_controller_next(&c, SEC, 980000, 980000 - 20000, 1);
    assert_true(r == 2000000);
    omb_rate_controller_init(&c, 1000000);
    r = omb_rate_controller_next(&c, SEC, 940000, 940000, 1);
    assert_true(r < 1000000);
    assert_true(c.ceiling == 1000000);
}

/* However large the backlog, the rate never drops below 100 msg/s nor below half the best
 * rate that was sustained. */
static void test_floor(void **state)
{
    (void)state;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    int64_t sent = 0;
    for (int i = 0; i < 3; i++) { /* 10k, 20k, 40k sustained */
        sent += (int64_t)c.rate;
        omb_rate_controller_next(&c, SEC, sent, sent, 1);
    }
    assert_true(c.best == 40000);
    /* Nothing at all sent or received for a while. */
    for (int i = 0; i < 20; i++) {
        double r = omb_rate_controller_next(&c, SEC, sent, sent, 1);
        assert_true(r >= 20000); /* half of the best */
    }
    /* From a start with nothing sustained yet, down to the absolute floor. */
    struct omb_rate_controller z;
    omb_rate_controller_init(&z, 5000);
    assert_true(omb_rate_controller_next(&z, SEC, 0, 0, 1) == 100);
    for (int i = 0; i < 20; i++) assert_true(omb_rate_controller_next(&z, SEC, 0, 0, 1) >= 100);
    /* Nothing is ever sent, so only the 1,000-message limit lets a rate pass: the ceiling
     * has come down to about that. */
    assert_true(z.ceiling > 0 && z.ceiling < 1100);
}

/* ---- environment overrides ------------------------------------------------------------- */

static void test_env_limits(void **state)
{
    (void)state;
    setenv("PUBLISH_BACKLOG_LIMIT", "5000", 1);
    setenv("RECEIVE_BACKLOG_LIMIT", "3000", 1);
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    assert_int_equal(c.publish_limit, 5000);
    assert_int_equal(c.receive_limit, 3000);
    /* 4,000 behind the schedule: under the raised limit (default 1,000 would trip). */
    assert_true(omb_rate_controller_next(&c, SEC, 6000, 6000, 1) == 20000);
    /* a receive backlog of 2,500: under 3,000 */
    assert_true(omb_rate_controller_next(&c, SEC, 26000, 23500, 1) == 40000);
    /* 3,500: over it */
    double r = omb_rate_controller_next(&c, SEC, 66000, 62500, 1);
    assert_true(r < 40000);
    assert_true(c.ceiling == 40000);

    /* The same steps with the defaults: the first one is already a backlog. */
    clear_env(NULL);
    omb_rate_controller_init(&c, 10000);
    assert_true(omb_rate_controller_next(&c, SEC, 6000, 6000, 1) < 10000);
}

static void test_env_factors(void **state)
{
    (void)state;
    setenv("MAX_RAMPING_FACTOR", "0.5", 1);
    setenv("MIN_RAMPING_FACTOR", "0.2", 1);
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, 10000);
    assert_true(c.factor == 0.5);
    assert_true(omb_rate_controller_next(&c, SEC, 10000, 10000, 1) == 15000);
    assert_true(c.factor == 0.5); /* doubled, capped at the maximum */
    for (int i = 0; i < 10; i++) omb_rate_controller_next(&c, SEC, 10000, 10000, 1);
    assert_true(c.factor == 0.2); /* halved on each backlog, stopped at the minimum */
}

/* Values that are not positive numbers are ignored. */
static void test_env_invalid_ignored(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "abc", "-5", "0", "12x", "1e"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (size_t k = 0; k < 4; k++) setenv(env_names[k], bad[i], 1);
        struct omb_rate_controller c;
        omb_rate_controller_init(&c, 10000);
        assert_int_equal(c.publish_limit, 1000);
        assert_int_equal(c.receive_limit, 1000);
        assert_true(c.min_factor == 0.01);
        assert_true(c.max_factor == 1.0);
    }
}

/* ---- whole searches against a simulated system ---------------------------------------- */

struct sim {
    double pub_cap, del_cap; /* msg/s */
    int subs;
    double owed, queue;    /* messages owed to the schedule; per-subscription queue */
    double sent, received; /* totals */
};

static void tick(struct sim *s, double rate, double dt)
{
    s->owed += rate * dt;
    double p = fmin(s->owed, s->pub_cap * dt);
    s->owed -= p;
    s->sent += p;
    s->queue += p;
    double d = fmin(s->queue, s->del_cap * dt);
    s->queue -= d;
    s->received += d * s->subs;
}

struct outcome {
    double reach_s;       /* first control step within 10% of capacity (-1: never) */
    double min_after;     /* lowest min(rate, capacity) / capacity after that */
    double max_rate;      /* highest target set, / capacity */
    double mean_last30;   /* mean min(target, capacity) over the last 30 steps, / capacity */
    double target_last30; /* mean target over the last 30 steps, / capacity */
};

static struct outcome search(double pub_cap, double del_cap, int subs, double secs)
{
    struct sim s = {.pub_cap = pub_cap, .del_cap = del_cap, .subs = subs};
    double cap = fmin(pub_cap, del_cap), rate = OMB_RATE_SEARCH_START, dt = 0.01;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, rate);
    struct outcome o = {.reach_s = -1, .min_after = INFINITY};
    int steps = (int)secs, ticks = (int)(1.0 / dt);
    double sum = 0, tsum = 0;
    for (int k = 1; k <= steps; k++) {
        for (int t = 0; t < ticks; t++) tick(&s, rate, dt);
        double next = omb_rate_controller_next(&c, SEC, (int64_t)s.sent, (int64_t)s.received, subs);
        assert_true(isfinite(next) && next > 0);
        if (k > steps - 30) {
            sum += fmin(next, cap);
            tsum += next;
        }
        rate = next;
        o.max_rate = fmax(o.max_rate, rate / cap);
        if (o.reach_s < 0 && fabs(rate - cap) <= 0.1 * cap)
            o.reach_s = k;
        else if (o.reach_s >= 0)
            o.min_after = fmin(o.min_after, fmin(rate, cap) / cap);
    }
    o.mean_last30 = sum / 30 / cap;
    o.target_last30 = tsum / 30 / cap;
    return o;
}

static void expect_converges(double pub_cap, double del_cap, int subs)
{
    struct outcome o = search(pub_cap, del_cap, subs, 120);
    print_message("capacity %.0f msg/s, %d subscription(s): within 10%% after %.0f s, lowest "
                  "after %.0f%%, last 30 s: sustained %.0f%%, target %.0f%%\n",
                  fmin(pub_cap, del_cap), subs, o.reach_s, 100 * o.min_after, 100 * o.mean_last30,
                  100 * o.target_last30);
    assert_true(o.reach_s >= 0 && o.reach_s <= 30); /* the design target */
    assert_true(o.min_after >= 0.5);                /* no collapse afterwards */
    assert_true(o.mean_last30 >= 0.85);             /* it stays near the capacity */
    /* The target may sit above the capacity by about the backlog limit (1,000 messages a
     * period, a third of a 3,000 msg/s capacity) or 15%, not by more. */
    assert_true(o.target_last30 <= 1.0 + fmax(0.15, 1500 / fmin(pub_cap, del_cap)));
    assert_true(o.max_rate <= 2.5); /* no runaway past the capacity */
}

static void test_search_publish_bound(void **state)
{
    (void)state;
    expect_converges(50000, 1e9, 1);
    expect_converges(3000, 1e9, 1); /* below the start rate */
    expect_converges(2000000, 1e9, 1);
}

static void test_search_delivery_bound(void **state)
{
    (void)state;
    expect_converges(1e9, 200000, 1);
    expect_converges(1e9, 200000, 2); /* every copy counts */
}

/* The capacity drops in the middle of a search (a broker slows down): the backlog builds
 * and the rate follows the new capacity down instead of staying at the old one. */
static void test_search_follows_capacity_drop(void **state)
{
    (void)state;
    struct sim s = {.pub_cap = 100000, .del_cap = 1e9, .subs = 1};
    double rate = OMB_RATE_SEARCH_START, dt = 0.01;
    struct omb_rate_controller c;
    omb_rate_controller_init(&c, rate);
    for (int k = 1; k <= 120; k++) {
        if (k == 61) s.pub_cap = 20000;
        for (int t = 0; t < 100; t++) tick(&s, rate, dt);
        rate = omb_rate_controller_next(&c, SEC, (int64_t)s.sent, (int64_t)s.received, 1);
        if (k == 60) assert_true(rate >= 85000 && rate <= 115000);
    }
    /* The floor (half the best, 50,000) keeps it above the new capacity, but well down
     * from 100,000 and the rate stays bounded. */
    assert_true(rate < 0.75 * 100000);
    assert_true(rate >= 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_defaults, clear_env),
        cmocka_unit_test_setup(test_grows_while_keeping_up, clear_env),
        cmocka_unit_test_setup(test_zero_period, clear_env),
        cmocka_unit_test_setup(test_publish_backlog_lowers_rate, clear_env),
        cmocka_unit_test_setup(test_receive_backlog_lowers_rate, clear_env),
        cmocka_unit_test_setup(test_small_backlog_tolerated, clear_env),
        cmocka_unit_test_setup(test_limit_scales_with_rate, clear_env),
        cmocka_unit_test_setup(test_floor, clear_env),
        cmocka_unit_test_setup_teardown(test_env_limits, clear_env, clear_env),
        cmocka_unit_test_setup_teardown(test_env_factors, clear_env, clear_env),
        cmocka_unit_test_setup_teardown(test_env_invalid_ignored, clear_env, clear_env),
        cmocka_unit_test_setup(test_search_publish_bound, clear_env),
        cmocka_unit_test_setup(test_search_delivery_bound, clear_env),
        cmocka_unit_test_setup(test_search_follows_capacity_drop, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
