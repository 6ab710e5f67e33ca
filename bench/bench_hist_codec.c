/* bench_hist_codec.c - prints how fast omb records into, encodes and decodes HDR histograms.
 *
 *   bench_hist_codec [values_in_histogram (default 5000000)] [records (default 100000000)]
 *
 * The histogram is the one OMB workers send most: lowest 1, highest 60,000,000 (60 s in us),
 * 5 significant digits, filled once with latencies spread log-uniformly from 1 us to 60 s
 * (nearly every bucket non-empty: the worst case for the codec) and once with a lognormal
 * (median 2 ms: closer to a real run). Codec figures at zlib's default level (what Java
 * writes), at level 1 and with OMB_HIST_ZLIB_FAST (omb's Huffman-only coder, util/zhuff.c,
 * which is also timed against zlib's Z_HUFFMAN_ONLY on the same bytes). Times are the best
 * of several runs, from CLOCK_MONOTONIC. One figure a line.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

#include "stats/hist.h"
#include "stats/hist_codec.h"
#include "util/zhuff.h"

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

static void bench_codec(const char *dist, const struct omb_hist *h, int level, int reps)
{
    double best_enc = 1e9, best_dec = 1e9, best_b64_enc = 1e9, best_b64_dec = 1e9;
    size_t enc_len = 0, b64_len = 0;
    for (int r = 0; r < reps; r++) {
        unsigned char *buf;
        char *b64;
        struct omb_hist *back;
        char err[256];

        double t0 = now_s();
        if (omb_hist_encode_compressed(h, level, &buf, &enc_len) != 0) exit(1);
        double t1 = now_s();
        if (omb_hist_decode_compressed(buf, enc_len, &back, err, sizeof(err)) != 0) {
            fprintf(stderr, "decode: %s\n", err);
            exit(1);
        }
        double t2 = now_s();
        if (back->total_count != h->total_count) exit(1);
        omb_hist_destroy(back);
        free(buf);

        double t3 = now_s();
        if (omb_hist_encode_compressed_base64(h, level, &b64, &b64_len) != 0) exit(1);
        double t4 = now_s();
        if (omb_hist_decode_compressed_base64(b64, b64_len, &back, err, sizeof(err)) != 0) exit(1);
        double t5 = now_s();
        omb_hist_destroy(back);
        free(b64);

        best_enc = fmin(best_enc, t1 - t0);
        best_dec = fmin(best_dec, t2 - t1);
        best_b64_enc = fmin(best_b64_enc, t4 - t3);
        best_b64_dec = fmin(best_b64_dec, t5 - t4);
    }
    char lv[32];
    if (level == OMB_HIST_ZLIB_DEFAULT)
        snprintf(lv, sizeof(lv), "default (Java's)");
    else if (level == OMB_HIST_ZLIB_FAST)
        snprintf(lv, sizeof(lv), "FAST (omb Huffman only)");
    else
        snprintf(lv, sizeof(lv), "%d", level);
    printf("%s, zlib level %s: encode %.3f ms (%zu bytes)\n", dist, lv, best_enc * 1e3, enc_len);
    printf("%s, zlib level %s: decode %.3f ms\n", dist, lv, best_dec * 1e3);
    printf("%s, zlib level %s: encode to base64 %.3f ms (%zu chars)\n", dist, lv,
           best_b64_enc * 1e3, b64_len);
    printf("%s, zlib level %s: decode from base64 %.3f ms\n", dist, lv, best_b64_dec * 1e3);
    printf("%s, zlib level %s: encode + decode %.3f ms\n", dist, lv, (best_enc + best_dec) * 1e3);
}

/* The deflate step alone, on the histogram's V2 bytes: zlib's Huffman-only mode (what omb
 * used before util/zhuff.c) against omb's coder. */
static void bench_huffman_coders(const char *dist, const struct omb_hist *h, int reps)
{
    unsigned char *inner, *out;
    size_t len;
    if (omb_hist_encode_v2(h, &inner, &len) != 0) exit(1);
    uLong zbound = compressBound((uLong)len);
    size_t cap = zbound > omb_zhuff_bound(len) ? zbound : omb_zhuff_bound(len);
    if (!(out = malloc(cap))) exit(1);
    double best_zlib = 1e9, best_omb = 1e9;
    size_t zlib_len = 0, omb_len = 0;
    for (int r = 0; r < reps; r++) {
        z_stream z = {0};
        double t0 = now_s();
        if (deflateInit2(&z, 1, Z_DEFLATED, 15, 8, Z_HUFFMAN_ONLY) != Z_OK) exit(1);
        z.next_in = inner;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) exit(1);
        zlib_len = z.total_out;
        deflateEnd(&z);
        double t1 = now_s();
        omb_len = omb_zhuff_compress(inner, len, out);
        double t2 = now_s();
        best_zlib = fmin(best_zlib, t1 - t0);
        best_omb = fmin(best_omb, t2 - t1);
    }
    printf("%s: deflate %zu bytes of V2 counts: zlib Z_HUFFMAN_ONLY %.3f ms (%zu bytes), "
           "omb zhuff %.3f ms (%zu bytes)\n",
           dist, len, best_zlib * 1e3, zlib_len, best_omb * 1e3, omb_len);
    free(out);
    free(inner);
}

static int64_t lognormal_us(void)
{
    double u1 = ((double)(rng_u64() >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double)(rng_u64() >> 11) + 0.5) / 9007199254740992.0;
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    int64_t v = (int64_t)exp(7.6 + 1.8 * z); /* median 2 ms, p99.99 about 1.5 s */
    return v < 1 ? 1 : v > 60000000 ? 60000000 : v;
}

static struct omb_hist *filled(int64_t (*gen)(void), long n, const char *dist)
{
    struct omb_hist *h = omb_hist_new(1, 60000000, 5);
    if (!h) exit(1);
    for (long i = 0; i < n; i++) omb_hist_record(h, gen());
    int32_t used = omb_hist_index(h, h->max_value) + 1, nonzero = 0;
    for (int32_t i = 0; i < used; i++) nonzero += h->counts[i] != 0;
    printf("%s: 5 digits, 1..60000000 us, %ld values, %d of %d counts non-zero\n", dist, n, nonzero,
           h->counts_len);
    return h;
}

int main(int argc, char **argv)
{
    long fill = argc > 1 ? strtol(argv[1], NULL, 10) : 5000000;
    long records = argc > 2 ? strtol(argv[2], NULL, 10) : 100000000;
    const int reps = 7;

    const char *wide = "log-uniform 1us..60s";
    const char *typical = "lognormal";
    struct omb_hist *h = filled(latency_us, fill, wide);
    struct omb_hist *t = filled(lognormal_us, fill, typical);
    bench_codec(wide, h, OMB_HIST_ZLIB_DEFAULT, reps);
    bench_codec(wide, h, 1, reps);
    bench_codec(wide, h, OMB_HIST_ZLIB_FAST, reps);
    bench_codec(typical, t, OMB_HIST_ZLIB_DEFAULT, reps);
    bench_codec(typical, t, 1, reps);
    bench_codec(typical, t, OMB_HIST_ZLIB_FAST, reps);
    bench_huffman_coders(wide, h, reps);
    bench_huffman_coders(typical, t, reps);
    omb_hist_destroy(t);

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
    printf("%s: percentile walk (100 ticks per half distance) %.3f ms, %zu steps\n", wide,
           best_walk * 1e3, steps);
    printf("%s: value at percentile %.3f ms\n", wide, best_pct * 1e3);
    printf("%s: merge (add, same geometry) %.3f ms\n", wide, best_add * 1e3);
    omb_hist_destroy(sum);

    /* recording: values from a 1M-entry table (8 MB), so generating them is not timed. The
     * log-uniform table spreads over 10 MB of counts (cache misses); the lognormal one stays
     * in a few hundred KB, as real latencies do. */
    enum { TABLE = 1 << 20 };
    int64_t *table = malloc(TABLE * sizeof(*table));
    struct omb_hist *rec = omb_hist_new(1, 60000000, 5);
    if (!table || !rec) return 1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < TABLE; i++) table[i] = pass == 0 ? latency_us() : lognormal_us();
        double best_rec = 1e9;
        for (int r = 0; r < 3; r++) {
            omb_hist_reset(rec);
            double t0 = now_s();
            for (long i = 0; i < records; i++) omb_hist_record(rec, table[i & (TABLE - 1)]);
            best_rec = fmin(best_rec, now_s() - t0);
            if (rec->total_count != records) return 1;
        }
        printf("%s: record %.2f ns/record (%ld values, best of 3)\n", pass == 0 ? wide : typical,
               best_rec * 1e9 / (double)records, records);
    }
    free(table);
    omb_hist_destroy(rec);
    omb_hist_destroy(h);
    return 0;
}
