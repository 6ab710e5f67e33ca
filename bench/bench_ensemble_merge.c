/* bench_ensemble_merge.c - prints how long the coordinator takes to merge one period of
 * stats from N workers: parse each worker's PeriodStats JSON, decode its three histograms
 * (base64 + zlib + V2) and add them into the run's view - what the ensemble does every
 * period (coordinator/ensemble.c read_stats). Target: under 50 ms per period for 4 workers.
 *
 *   bench_ensemble_merge [workers (default 4)] [samples per histogram (default 200000)]
 *
 * Each worker's histograms hold lognormal latencies (median 2 ms publish, 100 us delay,
 * 5 ms end to end, long tails), as a busy worker sends them, encoded as omb's worker sends
 * them (Huffman-only zlib) and, for comparison, as Java OMB workers send them (zlib level
 * 6). Times are the best of 10 rounds, from CLOCK_MONOTONIC.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats/hist_codec.h"
#include "stats/recorder.h"
#include "worker/wire.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ULL;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

static int64_t lognormal(double median_us, double sigma)
{
    double z = sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
    return (int64_t)(median_us * exp(sigma * z));
}

/* A worker's /period-stats body; @p java: zlib level 6 as Java writes, else omb's. */
static char *worker_body(long samples, bool java)
{
    struct omb_stats_view v;
    if (omb_stats_view_init(&v, OMB_HIST_DEFAULT_DIGITS) != 0) exit(1);
    for (long i = 0; i < samples; i++) {
        omb_hist_record(v.hist[OMB_PUB_LATENCY], lognormal(2000, 1.0));
        omb_hist_record(v.hist[OMB_PUB_DELAY], lognormal(100, 1.5));
        omb_hist_record(v.hist[OMB_E2E_LATENCY], lognormal(5000, 1.2));
    }
    v.counters[OMB_C_SENT] = samples;
    v.counters[OMB_C_RECEIVED] = samples;
    char *body = omb_wire_stats(OMB_WIRE_PERIOD, &v, false);
    if (java) {
        /* Re-encode the three histograms at Java's level in the same JSON shape. */
        free(body);
        char *h[3];
        size_t len;
        const enum omb_series s[3] = {OMB_PUB_LATENCY, OMB_PUB_DELAY, OMB_E2E_LATENCY};
        for (int i = 0; i < 3; i++)
            if (omb_hist_encode_compressed_base64(v.hist[s[i]], OMB_HIST_ZLIB_DEFAULT, &h[i], &len))
                exit(1);
        size_t cap = strlen(h[0]) + strlen(h[1]) + strlen(h[2]) + 512;
        body = malloc(cap);
        snprintf(body, cap,
                 "{\"messagesSent\":%ld,\"messageSendErrors\":0,\"bytesSent\":0,"
                 "\"messagesReceived\":%ld,\"bytesReceived\":0,\"totalMessagesSent\":0,"
                 "\"totalMessageSendErrors\":0,\"totalMessagesReceived\":0,"
                 "\"publishLatency\":\"%s\",\"publishDelayLatency\":\"%s\","
                 "\"endToEndLatency\":\"%s\"}",
                 samples, samples, h[0], h[1], h[2]);
        for (int i = 0; i < 3; i++) free(h[i]);
    }
    omb_stats_view_free(&v);
    return body;
}

static double merge_ms(char **bodies, int n)
{
    struct omb_stats_view sum;
    if (omb_stats_view_init(&sum, OMB_HIST_DEFAULT_DIGITS) != 0) exit(1);
    double best = 1e9;
    for (int round = 0; round < 10; round++) {
        double t0 = now_s();
        omb_stats_view_clear(&sum);
        for (int i = 0; i < n; i++) {
            char err[256];
            if (omb_wire_parse_stats_add(OMB_WIRE_PERIOD, bodies[i], strlen(bodies[i]), &sum, err,
                                         sizeof err)) {
                fprintf(stderr, "bench: %s\n", err);
                exit(1);
            }
        }
        double t = (now_s() - t0) * 1000;
        if (t < best) best = t;
    }
    omb_stats_view_free(&sum);
    return best;
}

int main(int argc, char **argv)
{
    int workers = argc > 1 ? atoi(argv[1]) : 4;
    long samples = argc > 2 ? atol(argv[2]) : 200000;
    if (workers < 1 || samples < 1) {
        fprintf(stderr, "usage: bench_ensemble_merge [workers] [samples per histogram]\n");
        return 2;
    }
    for (int java = 0; java <= 1; java++) {
        char **bodies = calloc((size_t)workers, sizeof *bodies);
        size_t bytes = 0;
        for (int i = 0; i < workers; i++) {
            bodies[i] = worker_body(samples, java);
            bytes += strlen(bodies[i]);
        }
        double ms = merge_ms(bodies, workers);
        printf("merge period stats of %d %s worker(s) (%ld samples x 3 histograms each, %zu KiB "
               "of JSON): %.2f ms per period (target < 50 ms)\n",
               workers, java ? "Java-encoded (zlib 6)" : "omb", samples, bytes / 1024, ms);
        for (int i = 0; i < workers; i++) free(bodies[i]);
        free(bodies);
    }
    return 0;
}
