/* bench_hist_codec.c - prints how fast omb records into, encodes and decodes HDR histograms.
 *
 *   bench_hist_codec [values_in_histogram (default 5000000)] [records (default 100000000)]
 *
 * The histogram is the one OMB workers send most: lowest 1, highest 60,000,000 (60 s in us),
 * 5 significant digits, filled with latencies spread log-uniformly from 1 us to 60 s (so
 * nearly every bucket is non-empty: the worst case for the codec). Times are the best of
 * several runs, from CLOCK_MONOTONIC. One figure a line.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stats/hist.h"
#include "stats/hist_codec.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 1;

static uint64_t rng_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int64_t latency_us(void)
{
    double u = ((double)(rng_u64() >> 11) + 0.5) / 9007199254740992.0;
    return (int64_t)exp(u * log(60e6));
}

static int count_steps(void *ctx, const struct omb_hist_pct_step *s)
{
    (void)s;
    ++*(size_t *)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    long fill = argc > 1 ? strtol(argv[1], NULL, 10) : 5000000;
    long records = argc > 2 ? strtol(argv[2], NULL, 10) : 100000000;
    const int reps = 15;

    struct omb_hist *h = omb_hist_new(1, 60000000, 5);
    if (!h) {
        fprintf(stderr, "cannot allocate histogram\n");
        return 1;
    }
    for (long i = 0; i < fill; i++)
        omb_hist_record(h, latency_us());
    int32_t used = omb_hist_index(h, h->max_value) + 1, nonzero = 0;
    for (int32_t i = 0; i < used; i++)
        nonzero += h->counts[i] != 0;
    printf("histogram: 5 digits, 1..60000000 us, %ld values, %d of %d counts non-zero\n", fill,
           nonzero, h->counts_len);

    double best_enc = 1e9, best_dec = 1e9, best_b64_enc = 1e9, best_b64_dec = 1e9;
    size_t enc_len = 0, b64_len = 0;
    for (int r = 0; r < reps; r++) {
        unsigned char *buf;
        char *b64;
        struct omb_hist *back;
        char err[256];

        double t0 = now_s();
        if (omb_hist_encode_compressed(h, OMB_HIST_ZLIB_DEFAULT, &buf, &enc_len) != 0)
            return 1;
        double t1 = now_s();
        if (omb_hist_decode_compressed(buf, enc_len, &back, err, sizeof(err)) != 0) {
            fprintf(stderr, "decode: %s\n", err);
            return 1;
        }
        double t2 = now_s();
        if (back->total_count != h->total_count)
            return 1;
        omb_hist_destroy(back);
        free(buf);

        double t3 = now_s();
        if (omb_hist_encode_compressed_base64(h, OMB_HIST_ZLIB_DEFAULT, &b64, &b64_len) != 0)
            return 1;
        double t4 = now_s();
        if (omb_hist_decode_compressed_base64(b64, b64_len, &back, err, sizeof(err)) != 0)
            return 1;
        double t5 = now_s();
        omb_hist_destroy(back);
        free(b64);

        best_enc = fmin(best_enc, t1 - t0);
        best_dec = fmin(best_dec, t2 - t1);
        best_b64_enc = fmin(best_b64_enc, t4 - t3);
        best_b64_dec = fmin(best_b64_dec, t5 - t4);
    }
    printf("encode V2 compressed (zlib default level): %.3f ms, %zu bytes\n", best_enc * 1e3,
           enc_len);
    printf("decode V2 compressed: %.3f ms\n", best_dec * 1e3);
    printf("encode to base64 (as in worker JSON): %.3f ms, %zu chars\n", best_b64_enc * 1e3,
           b64_len);
    printf("decode from base64: %.3f ms\n", best_b64_dec * 1e3);

    double best_walk = 1e9, best_pct = 1e9, best_add = 1e9;
    size_t steps = 0;
    struct omb_hist *sum = omb_hist_new_like(h);
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        steps = 0;
        omb_hist_percentiles(h, 100, count_steps, &steps);
        double t1 = now_s();
        volatile int64_t sink = 0;
        sink += omb_hist_value_at_percentile(h, 50);
        sink += omb_hist_value_at_percentile(h, 99);
        sink += omb_hist_value_at_percentile(h, 99.9);
        double t2 = now_s();
        omb_hist_add(sum, h);
        double t3 = now_s();
        (void)sink;
        best_walk = fmin(best_walk, t1 - t0);
        best_pct = fmin(best_pct, (t2 - t1) / 3);
        best_add = fmin(best_add, t3 - t2);
    }
    printf("percentile walk (100 ticks per half distance): %.3f ms, %zu steps\n",
           best_walk * 1e3, steps);
    printf("value at percentile: %.3f ms\n", best_pct * 1e3);
    printf("merge (add, same geometry): %.3f ms\n", best_add * 1e3);
    omb_hist_destroy(sum);

    /* recording: values from a 1M-entry table (8 MB), so generating them is not timed */
    enum { TABLE = 1 << 20 };
    int64_t *table = malloc(TABLE * sizeof(*table));
    if (!table)
        return 1;
    for (int i = 0; i < TABLE; i++)
        table[i] = latency_us();
    struct omb_hist *rec = omb_hist_new(1, 60000000, 5);
    double best_rec = 1e9;
    for (int r = 0; r < 3; r++) {
        omb_hist_reset(rec);
        double t0 = now_s();
        for (long i = 0; i < records; i++)
            omb_hist_record(rec, table[i & (TABLE - 1)]);
        best_rec = fmin(best_rec, now_s() - t0);
        if (rec->total_count != records)
            return 1;
    }
    printf("record: %.2f ns/record (%ld values, best of 3)\n", best_rec * 1e9 / (double)records,
           records);
    free(table);
    omb_hist_destroy(rec);
    omb_hist_destroy(h);
    return 0;
}
