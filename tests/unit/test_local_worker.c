/* test_local_worker.c - the local worker (worker/local_worker.c) driving the in-process
 * loopback driver: topics, subscriptions, probe, a rate-limited load, a rate change, stop,
 * and the delivery accounting. Expected rates come from the wall clock measured here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/driver_conf.h"
#include "stats/hist.h"
#include "stats/recorder.h"
#include "util/clock.h"
#include "worker/local_worker.h"
#include "worker/worker.h"

#define NTOPICS             2
#define SUBS_PER_TOPIC      2
#define CONSUMERS_PER_SUB   2
#define PRODUCERS_PER_TOPIC 3
#define PAYLOAD_SIZE        100
/* The load: RATE_HIGH, then adjust_rate(RATE_LOW). TSan slows every send ~10x; on two shared
 * cores 20,000 msg/s (each send delivered to two subscriptions) is then beyond what the
 * senders can sustain, so the TSan build checks the same behaviour at a fifth of the rate. */
#if defined(__SANITIZE_THREAD__)
#define RATE_HIGH 4000.0
#define RATE_LOW  1000.0
#else
#define RATE_HIGH 20000.0
#define RATE_LOW  5000.0
#endif

static const char loopback_yaml[] = "name: L\ndriverClass: loopback\n";

static double now_s(void) { return (double)omb_now_ns() / 1e9; }

struct run {
    struct omb_worker *w;
    struct omb_driver_conf conf;
    char **topics;
    char *subs[NTOPICS][SUBS_PER_TOPIC];
    char err[512];
};

#define OK(call)                                                                                   \
    do {                                                                                           \
        r->err[0] = '\0';                                                                          \
        if ((call) != 0) fail_msg("%s failed: %s", #call, r->err);                                 \
    } while (0)

static void load_conf(const char *yaml, struct omb_driver_conf *conf)
{
    char err[512];
    if (omb_driver_conf_load_string(yaml, strlen(yaml), "test", conf, err, sizeof err) != 0)
        fail_msg("driver conf: %s", err);
}

/* Creates the worker and everything up to (not including) the load. */
static void setup_run(struct run *r, int sender_threads)
{
    memset(r, 0, sizeof *r);
    struct omb_local_worker_options opt = {.sender_threads = sender_threads};
    r->w = omb_local_worker_new(&opt);
    assert_non_null(r->w);
    const struct omb_worker_ops *ops = r->w->ops;
    load_conf(loopback_yaml, &r->conf);
    OK(ops->initialize_driver(r->w, &r->conf, r->err, sizeof r->err));
    OK(ops->create_topics(r->w, NTOPICS, 4, &r->topics, r->err, sizeof r->err));
    for (int t = 0; t < NTOPICS; t++) {
        assert_non_null(r->topics[t]);
        for (int u = 0; u < t; u++) assert_string_not_equal(r->topics[t], r->topics[u]);
    }

    /* 2 subscriptions x 2 consumers on each topic. */
    struct omb_topic_sub ts[NTOPICS * SUBS_PER_TOPIC * CONSUMERS_PER_SUB];
    size_t n = 0;
    for (int t = 0; t < NTOPICS; t++)
        for (int s = 0; s < SUBS_PER_TOPIC; s++) {
            char name[64];
            snprintf(name, sizeof name, "sub-%03d-t%d", s, t);
            r->subs[t][s] = strdup(name);
            for (int c = 0; c < CONSUMERS_PER_SUB; c++)
                ts[n++] =
                    (struct omb_topic_sub){.topic = r->topics[t], .subscription = r->subs[t][s]};
        }
    OK(ops->create_consumers(r->w, ts, n, r->err, sizeof r->err));

    /* 3 producers per topic: each topic repeated. */
    char *ptopics[NTOPICS * PRODUCERS_PER_TOPIC];
    n = 0;
    for (int t = 0; t < NTOPICS; t++)
        for (int p = 0; p < PRODUCERS_PER_TOPIC; p++) ptopics[n++] = r->topics[t];
    OK(ops->create_producers(r->w, ptopics, n, r->err, sizeof r->err));
}

static void teardown_run(struct run *r)
{
    OK(r->w->ops->stop_all(r->w, 0, r->err, sizeof r->err));
    r->w->ops->destroy(r->w);
    for (int t = 0; t < NTOPICS; t++) {
        free(r->topics[t]);
        for (int s = 0; s < SUBS_PER_TOPIC; s++) free(r->subs[t][s]);
    }
    free(r->topics);
    omb_driver_conf_free(&r->conf);
}

/* The delivery entry of (topic t, subscription s). */
static const struct omb_delivery *find_delivery(const struct run *r, const struct omb_delivery *d,
                                                size_t n, int t, int s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(d[i].topic, r->topics[t]) && !strcmp(d[i].subscription, r->subs[t][s]))
            return &d[i];
    fail_msg("no delivery entry for %s / %s", r->topics[t], r->subs[t][s]);
    return NULL;
}

static void check_probe(struct run *r)
{
    const struct omb_worker_ops *ops = r->w->ops;
    OK(ops->probe_producers(r->w, r->err, sizeof r->err));
    /* Every subscription of every topic got one probe from each of its topic's producers. */
    struct omb_delivery *d;
    size_t n;
    OK(ops->delivery(r->w, &d, &n, r->err, sizeof r->err));
    assert_int_equal(n, NTOPICS * SUBS_PER_TOPIC);
    for (int t = 0; t < NTOPICS; t++)
        for (int s = 0; s < SUBS_PER_TOPIC; s++) {
            const struct omb_delivery *e = find_delivery(r, d, n, t, s);
            assert_int_equal(e->acknowledged, PRODUCERS_PER_TOPIC);
            assert_int_equal(e->received, PRODUCERS_PER_TOPIC);
        }
    omb_delivery_free(d, n);
    struct omb_stats_view v;
    assert_int_equal(omb_worker_view_init(r->w, &v), 0);
    OK(ops->counters(r->w, &v, r->err, sizeof r->err));
    assert_int_equal(v.totals[OMB_C_SENT], NTOPICS * PRODUCERS_PER_TOPIC);
    assert_int_equal(v.totals[OMB_C_RECEIVED], NTOPICS * PRODUCERS_PER_TOPIC * SUBS_PER_TOPIC);
    /* The coordinator discards what the probe recorded. */
    OK(ops->period_stats(r->w, &v, r->err, sizeof r->err));
    assert_int_equal(v.counters[OMB_C_SENT], NTOPICS * PRODUCERS_PER_TOPIC);
    omb_stats_view_free(&v);
}

/* Reads periods for @p seconds (every 250 ms) and adds them into @p acc. */
static void read_periods(struct run *r, double seconds, struct omb_stats_view *acc)
{
    struct omb_stats_view v;
    assert_int_equal(omb_worker_view_init(r->w, &v), 0);
    double end = now_s() + seconds;
    int64_t last_total = -1;
    while (now_s() < end) {
        omb_sleep_ns(250000000);
        OK(r->w->ops->period_stats(r->w, &v, r->err, sizeof r->err));
        assert_true(v.totals[OMB_C_SENT] >= last_total);
        last_total = v.totals[OMB_C_SENT];
        omb_stats_view_add(acc, &v);
    }
    omb_stats_view_free(&v);
}

/* Rate tolerances are scaled by $OMB_RATE_TOLERANCE_SCALE (scripts/test.sh sets 4 for the
 * sanitizer passes, where the suite runs in parallel on slowed-down code). */
static double tolerance_scale(void)
{
    const char *e = getenv("OMB_RATE_TOLERANCE_SCALE");
    double f = e ? strtod(e, NULL) : 1.0;
    return f >= 1.0 ? f : 1.0;
}

static void assert_within(double got, double want, double frac, const char *what)
{
    frac *= tolerance_scale();
    if (got < want * (1 - frac) || got > want * (1 + frac))
        fail_msg("%s: %.0f, expected %.0f +- %.0f%%", what, got, want, frac * 100);
}

/* Messages acknowledged so far (probes included), from the cheap counters operation, and the
 * time it was read at (midpoint of the call): rates are measured from these, not from the
 * period reads, whose own duration (long under TSan) would blur the phase boundaries. */
static int64_t acked_now(struct run *r, double *t)
{
    struct omb_stats_view v;
    memset(&v, 0, sizeof v); /* counters() fills totals only */
    double t1 = now_s();
    OK(r->w->ops->counters(r->w, &v, r->err, sizeof r->err));
    *t = (t1 + now_s()) / 2;
    return v.totals[OMB_C_SENT];
}

/* Polls every 250 ms until two intervals in a row run at @p rate within 10% (the senders
 * are on their schedule), reading periods into @p acc meanwhile; gives up after 10 s.
 * Returns the acknowledged count at the end, with its time in *t. */
static int64_t wait_steady(struct run *r, double rate, struct omb_stats_view *acc, double *t)
{
    struct omb_stats_view v;
    assert_int_equal(omb_worker_view_init(r->w, &v), 0);
    int steady = 0;
    double t_prev;
    int64_t n_prev = acked_now(r, &t_prev), n = n_prev;
    double give_up = t_prev + 10;
    while (steady < 2) {
        if (now_s() > give_up) fail_msg("the load never settled at %.0f msg/s", rate);
        omb_sleep_ns(250000000);
        double t_now;
        n = acked_now(r, &t_now);
        double got = (double)(n - n_prev) / (t_now - t_prev);
        steady = got > rate * 0.9 && got < rate * 1.1 ? steady + 1 : 0;
        n_prev = n;
        t_prev = t_now;
        OK(r->w->ops->period_stats(r->w, &v, r->err, sizeof r->err));
        omb_stats_view_add(acc, &v);
    }
    omb_stats_view_free(&v);
    *t = t_prev;
    return n;
}

static void run_load(int sender_threads, enum omb_key_distributor keys)
{
    struct run rr, *r = &rr;
    setup_run(r, sender_threads);
    check_probe(r);
    const struct omb_worker_ops *ops = r->w->ops;

    unsigned char payload[PAYLOAD_SIZE];
    for (int i = 0; i < PAYLOAD_SIZE; i++) payload[i] = (unsigned char)i;
    const unsigned char *payloads[1] = {payload};
    struct omb_load_spec spec = {.payloads = payloads,
                                 .npayloads = 1,
                                 .payload_size = PAYLOAD_SIZE,
                                 .rate = RATE_HIGH,
                                 .keys = keys};
    struct omb_stats_view all, ab, last;
    assert_int_equal(omb_worker_view_init(r->w, &all), 0); /* every period of the load */
    assert_int_equal(omb_worker_view_init(r->w, &ab), 0);  /* phases A and B only */
    assert_int_equal(omb_worker_view_init(r->w, &last), 0);

    double t0, tw, ta, tb;
    int64_t n0 = acked_now(r, &t0);
    assert_int_equal(n0, NTOPICS * PRODUCERS_PER_TOPIC); /* the probes */
    OK(ops->start_load(r->w, &spec, r->err, sizeof r->err));
    /* Normally steady from the first interval. Under TSan a sender's first record allocates
     * its recorder (~150 MB of lazily-zeroed counts, whose shadow TSan writes), which
     * stalls it for a while; the schedule then catches up in a burst. */
    int64_t nw = wait_steady(r, RATE_HIGH, &all, &tw);
    /* Phase A: RATE_HIGH for about 1 s. */
    read_periods(r, 1.0, &ab);
    int64_t na = acked_now(r, &ta);
    OK(ops->adjust_rate(r->w, RATE_LOW, r->err, sizeof r->err));
    /* Phase B: RATE_LOW for about 1 s. */
    read_periods(r, 1.0, &ab);
    int64_t nb = acked_now(r, &tb);
    OK(ops->stop_producers(r->w, 5000, r->err, sizeof r->err));
    OK(ops->period_stats(r->w, &last, r->err, sizeof r->err));
    omb_stats_view_add(&ab, &last);
    omb_stats_view_add(&all, &ab);

    print_message("acked %lld in %.3f s before steady, %lld in %.3f s (%.0f msg/s), then %lld in "
                  "%.3f s (%.0f msg/s)\n",
                  (long long)(nw - n0), tw - t0, (long long)(na - nw), ta - tw,
                  (double)(na - nw) / (ta - tw), (long long)(nb - na), tb - ta,
                  (double)(nb - na) / (tb - ta));
    assert_within((double)(na - nw), RATE_HIGH * (ta - tw), 0.05,
                  "messages sent at the first rate");
    assert_within((double)(nb - na), RATE_LOW * (tb - ta), 0.05, "messages sent after adjust_rate");
    /* From the start of the load: the schedule starts at once and loses nothing (a stall
     * at the start is made up by the schedule's catch-up). */
    assert_within((double)(na - n0), RATE_HIGH * (ta - t0), 0.05, "messages sent from the start");

    /* Phases A and B: the sender kept to its schedule, so the median delay is small. */
    int64_t delay_p50 = omb_hist_value_at_percentile(ab.hist[OMB_PUB_DELAY], 50);
    print_message("publish delay p50 %lld us, e2e p50 %lld us\n", (long long)delay_p50,
                  (long long)omb_hist_value_at_percentile(ab.hist[OMB_E2E_LATENCY], 50));
    if (delay_p50 > 2000)
        fail_msg("publish delay p50 %lld us: the sender lags", (long long)delay_p50);
    /* The loopback delivers in the send call: end-to-end latency is tiny. */
    assert_true(omb_hist_value_at_percentile(ab.hist[OMB_E2E_LATENCY], 50) < 2000);

    /* The periods hold every message of the load exactly once (the probes were read before). */
    int64_t sent = all.counters[OMB_C_SENT];
    double tstop;
    assert_int_equal(sent, acked_now(r, &tstop) - n0);
    /* Every acknowledged message reached both subscriptions of its topic: received = 2x. */
    int64_t received = all.counters[OMB_C_RECEIVED];
    assert_int_equal(received, SUBS_PER_TOPIC * sent);
    assert_int_equal(all.counters[OMB_C_BYTES_SENT], sent * PAYLOAD_SIZE);
    assert_int_equal(all.counters[OMB_C_BYTES_RECEIVED], received * PAYLOAD_SIZE);
    assert_int_equal(all.counters[OMB_C_SEND_ERRORS], 0);

    /* Histograms: one publish latency and one delay per ack, one e2e per delivery. */
    assert_int_equal(all.hist[OMB_PUB_LATENCY]->total_count, sent);
    assert_int_equal(all.hist[OMB_PUB_DELAY]->total_count, sent);
    assert_int_equal(all.hist[OMB_PUB_LATENCY_CO]->total_count, sent);
    assert_true(all.hist[OMB_E2E_LATENCY]->total_count > 0);
    assert_int_equal(all.hist[OMB_E2E_LATENCY]->total_count, received);
    assert_int_equal(all.hist[OMB_E2E_LATENCY_CO]->total_count, received);
    /* Delivery accounting: per subscription, acknowledged == received; summed per topic
     * (one subscription each), acknowledged == everything sent, probes included. */
    struct omb_delivery *d;
    size_t n;
    OK(ops->delivery(r->w, &d, &n, r->err, sizeof r->err));
    assert_int_equal(n, NTOPICS * SUBS_PER_TOPIC);
    int64_t acked_all = 0;
    for (int t = 0; t < NTOPICS; t++) {
        const struct omb_delivery *first = find_delivery(r, d, n, t, 0);
        for (int s = 0; s < SUBS_PER_TOPIC; s++) {
            const struct omb_delivery *e = find_delivery(r, d, n, t, s);
            if (e->acknowledged != e->received)
                fail_msg("%s / %s: acknowledged %lld, received %lld", e->topic, e->subscription,
                         (long long)e->acknowledged, (long long)e->received);
            assert_int_equal(e->acknowledged, first->acknowledged);
        }
        /* NO_KEY and keyed loads both spread over the topics' producers evenly. */
        assert_within((double)first->acknowledged,
                      (double)(sent + NTOPICS * PRODUCERS_PER_TOPIC) / NTOPICS, 0.05,
                      "acknowledged per topic");
        acked_all += first->acknowledged;
    }
    assert_int_equal(acked_all, sent + NTOPICS * PRODUCERS_PER_TOPIC);
    omb_delivery_free(d, n);

    /* Totals since the start (probes included) agree between the counters op and stats. */
    struct omb_stats_view tot;
    assert_int_equal(omb_worker_view_init(r->w, &tot), 0);
    OK(ops->counters(r->w, &tot, r->err, sizeof r->err));
    assert_int_equal(tot.totals[OMB_C_SENT], acked_all);
    assert_int_equal(tot.totals[OMB_C_SENT], last.totals[OMB_C_SENT]);
    assert_int_equal(tot.totals[OMB_C_RECEIVED], last.totals[OMB_C_RECEIVED]);
    /* Cumulative latencies since the start: everything recorded, probes included. */
    OK(ops->cumulative_latencies(r->w, &tot, r->err, sizeof r->err));
    assert_int_equal(tot.hist[OMB_PUB_LATENCY]->total_count, acked_all);
    /* After a reset: nothing. */
    OK(ops->reset_stats(r->w, r->err, sizeof r->err));
    OK(ops->cumulative_latencies(r->w, &tot, r->err, sizeof r->err));
    assert_int_equal(tot.hist[OMB_PUB_LATENCY]->total_count, 0);

    omb_stats_view_free(&tot);
    omb_stats_view_free(&all);
    omb_stats_view_free(&ab);
    omb_stats_view_free(&last);
    teardown_run(r);
}

static void test_load_three_sender_threads(void **state)
{
    (void)state;
    run_load(3, OMB_KEYS_NO_KEY);
}

static void test_load_default_threads_keyed(void **state)
{
    (void)state;
    run_load(0, OMB_KEYS_ROUND_ROBIN);
}

static void test_unknown_driver_key_is_an_error(void **state)
{
    (void)state;
    struct omb_worker *w = omb_local_worker_new(NULL);
    assert_non_null(w);
    struct omb_driver_conf conf;
    load_conf("name: L\ndriverClass: loopback\nbatchSizeBytes: 10\n", &conf);
    char err[512] = "";
    assert_int_equal(w->ops->initialize_driver(w, &conf, err, sizeof err), -1);
    print_message("error: %s\n", err);
    if (!strstr(err, "batchSizeBytes")) fail_msg("error does not name the key: \"%s\"", err);
    /* Nothing was initialized: operations say so instead of crashing. */
    char **names = NULL;
    err[0] = '\0';
    assert_int_equal(w->ops->create_topics(w, 1, 1, &names, err, sizeof err), -1);
    assert_true(err[0] != '\0');
    /* And a good file still initializes afterwards. */
    struct omb_driver_conf good;
    load_conf(loopback_yaml, &good);
    assert_int_equal(w->ops->initialize_driver(w, &good, err, sizeof err), 0);
    assert_int_equal(w->ops->stop_all(w, 0, err, sizeof err), 0);
    w->ops->destroy(w);
    omb_driver_conf_free(&conf);
    omb_driver_conf_free(&good);
}

static void test_stop_all_idempotent(void **state)
{
    (void)state;
    char err[512] = "";
    /* Never initialized. */
    struct omb_worker *w = omb_local_worker_new(NULL);
    assert_non_null(w);
    assert_int_equal(w->ops->stop_all(w, 0, err, sizeof err), 0);
    assert_int_equal(w->ops->stop_all(w, 1, err, sizeof err), 0);
    w->ops->destroy(w);

    /* Running a load, then stopped twice, then destroyed (which stops again). */
    struct run rr, *r = &rr;
    setup_run(r, 2);
    check_probe(r);
    unsigned char payload[PAYLOAD_SIZE] = {0};
    const unsigned char *payloads[1] = {payload};
    struct omb_load_spec spec = {
        .payloads = payloads, .npayloads = 1, .payload_size = PAYLOAD_SIZE, .rate = 20000};
    OK(r->w->ops->start_load(r->w, &spec, r->err, sizeof r->err));
    omb_sleep_ns(100000000);
    OK(r->w->ops->stop_all(r->w, 0, r->err, sizeof r->err));
    /* Stopped: the sender threads are gone, and nothing is recorded any more (the worker
     * starts a fresh stats object; a sender still running would write into the old one,
     * which ASan reports as a use after free). */
    struct omb_stats_view v;
    assert_int_equal(omb_worker_view_init(r->w, &v), 0);
    omb_sleep_ns(50000000);
    OK(r->w->ops->period_stats(r->w, &v, r->err, sizeof r->err));
    assert_int_equal(v.counters[OMB_C_SENT], 0);
    assert_int_equal(v.totals[OMB_C_SENT], 0);
    omb_stats_view_free(&v);
    OK(r->w->ops->stop_all(r->w, 0, r->err, sizeof r->err));
    OK(r->w->ops->stop_producers(r->w, 1000, r->err, sizeof r->err));
    teardown_run(r); /* a third stop_all, then destroy */
}

int main(void)
{
    omb_clock_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_three_sender_threads),
        cmocka_unit_test(test_load_default_threads_keyed),
        cmocka_unit_test(test_unknown_driver_key_is_an_error),
        cmocka_unit_test(test_stop_all_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
