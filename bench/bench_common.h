/* bench_common.h - drives the local worker directly (no coordinator) for the benchmarks. */
#ifndef OMB_BENCH_COMMON_H
#define OMB_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/driver_conf.h"
#include "util/clock.h"
#include "util/log.h"
#include "worker/local_worker.h"

struct bench_result {
    double seconds;
    long long acked, received, errors;
    double pub_p50_ms, pub_p99_ms, e2e_p50_ms;
};

static void bench_die(const char *what, const char *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err);
    exit(1);
}

/* Runs @p producers producers on one topic (and @p subs subscriptions of one consumer) at
 * @p rate msg/s (0 = as fast as possible) for @p seconds after @p warmup seconds. */
static struct bench_result bench_run(const char *driver_yaml, int partitions, int producers,
                                     int subs, size_t msg_size, double rate, double warmup,
                                     double seconds, int sender_threads)
{
    char err[1024];
    struct omb_driver_conf dc;
    if (omb_driver_conf_load_string(driver_yaml, strlen(driver_yaml), "bench driver", &dc, err,
                                    sizeof err))
        bench_die("driver", err);
    struct omb_local_worker_options opt = {.sender_threads = sender_threads};
    struct omb_worker *w = omb_local_worker_new(&opt);
    const struct omb_worker_ops *ops = w->ops;
    char **topics;
    if (ops->initialize_driver(w, &dc, err, sizeof err)) bench_die("init", err);
    if (ops->create_topics(w, 1, partitions, &topics, err, sizeof err)) bench_die("topics", err);
    for (int s = 0; s < subs; s++) {
        char name[32];
        snprintf(name, sizeof name, "bench-sub-%d", s);
        struct omb_topic_sub ts = {.topic = topics[0], .subscription = name};
        if (ops->create_consumers(w, &ts, 1, err, sizeof err)) bench_die("consumers", err);
    }
    char **ptopics = calloc((size_t)producers, sizeof *ptopics);
    for (int i = 0; i < producers; i++) ptopics[i] = topics[0];
    if (ops->create_producers(w, ptopics, (size_t)producers, err, sizeof err))
        bench_die("producers", err);
    unsigned char *payload = calloc(1, msg_size);
    for (size_t i = 0; i < msg_size; i++) payload[i] = (unsigned char)(i * 131 + 7);
    const unsigned char *payloads[1] = {payload};
    struct omb_load_spec spec = {.payloads = payloads,
                                 .npayloads = 1,
                                 .payload_size = msg_size,
                                 .rate = rate,
                                 .keys = OMB_KEYS_NO_KEY};
    struct omb_stats_view v;
    omb_worker_view_init(w, &v);
    if (ops->start_load(w, &spec, err, sizeof err)) bench_die("start", err);
    omb_sleep_ns((int64_t)(warmup * 1e9));
    ops->reset_stats(w, err, sizeof err);
    ops->period_stats(w, &v, err, sizeof err); /* discard */
    int64_t t0 = omb_now_ns();
    omb_sleep_ns((int64_t)(seconds * 1e9));
    ops->period_stats(w, &v, err, sizeof err);
    struct bench_result r = {.seconds = (double)(omb_now_ns() - t0) / 1e9,
                             .acked = v.counters[OMB_C_SENT],
                             .received = v.counters[OMB_C_RECEIVED],
                             .errors = v.counters[OMB_C_SEND_ERRORS]};
    r.pub_p50_ms = (double)omb_hist_value_at_percentile(v.hist[OMB_PUB_LATENCY], 50) / 1000;
    r.pub_p99_ms = (double)omb_hist_value_at_percentile(v.hist[OMB_PUB_LATENCY], 99) / 1000;
    r.e2e_p50_ms = (double)omb_hist_value_at_percentile(v.hist[OMB_E2E_LATENCY], 50) / 1000;
    ops->stop_all(w, 0, err, sizeof err);
    ops->destroy(w);
    omb_stats_view_free(&v);
    for (int i = 0; i < 1; i++) free(topics[i]);
    free(topics);
    free(ptopics);
    free(payload);
    omb_driver_conf_free(&dc);
    return r;
}

#endif
