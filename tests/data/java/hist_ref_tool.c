/* hist_ref_tool.c - omb's side of the Java HdrHistogram comparison (t_hist_java.sh).
 *
 *   hist_ref_tool gen KIND N SEED MAXV     deterministic test values, one a line
 *                                          (KIND: seq, uniform, lognormal, zeros, const)
 *   hist_ref_tool encode LOWEST HIGHEST DIGITS < values
 *   hist_ref_tool encodefast LOWEST HIGHEST DIGITS < values
 *                                          base64 with OMB_HIST_ZLIB_FAST (one line)
 *   hist_ref_tool decode < lines of base64
 *
 * encode and decode print exactly what tests/data/java/HistRef.java prints.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist.h"
#include "stats/hist_codec.h"
#include "util/base64.h"

static const char *const percentiles[] = {"0",  "0.1", "1",  "10",   "25",    "50",     "75",
                                          "90", "95",  "99", "99.9", "99.99", "99.999", "100"};

static uint64_t rng_state;

static uint64_t next_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double next_unit(void) /* (0, 1) */
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

static uint64_t bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof(b));
    return b;
}

struct walk_ctx {
    int ticks;
};

static int print_step(void *ctx, const struct omb_hist_pct_step *s)
{
    struct walk_ctx *w = ctx;
    printf("walk%d %016" PRIx64 " %016" PRIx64 " %" PRId64 "\n", w->ticks, bits(s->percentile),
           bits(s->percentile_level), s->value);
    return 0;
}

static void stats(const struct omb_hist *h)
{
    printf("range %" PRId64 " %" PRId64 " %d\n", h->lowest_discernible, h->highest_trackable,
           (int)h->significant_figures);
    printf("total %" PRId64 "\n", h->total_count);
    printf("min %" PRId64 "\n", omb_hist_min(h));
    printf("max %" PRId64 "\n", omb_hist_max(h));
    printf("mean %016" PRIx64 "\n", bits(omb_hist_mean(h)));
    printf("stddev %016" PRIx64 "\n", bits(omb_hist_stddev(h)));
    for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++)
        printf("p %s %" PRId64 "\n", percentiles[i],
               omb_hist_value_at_percentile(h, strtod(percentiles[i], NULL)));
    static const int ticks[] = {100, 5};
    for (size_t i = 0; i < 2; i++) {
        struct walk_ctx w = {ticks[i]};
        size_t n = omb_hist_percentiles(h, ticks[i], print_step, &w);
        printf("steps%d %zu\n", ticks[i], n);
    }
    printf("end\n");
}

static int gen(const char *kind, long n, uint64_t seed, int64_t maxv)
{
    rng_state = seed;
    for (long i = 0; i < n; i++) {
        int64_t v;
        if (!strcmp(kind, "seq")) {
            v = i + 1;
        } else if (!strcmp(kind, "uniform")) {
            v = (int64_t)(next_u64() % (uint64_t)(maxv + 1));
        } else if (!strcmp(kind, "lognormal")) {
            /* median ~2 ms, long tail; latencies in us */
            double u1 = next_unit(), u2 = next_unit();
            double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
            v = (int64_t)exp(7.6 + 1.8 * z);
        } else if (!strcmp(kind, "zeros")) {
            v = next_u64() % 3 == 0 ? 0 : (int64_t)(next_u64() % 1000);
        } else if (!strcmp(kind, "const")) {
            v = maxv;
        } else {
            fprintf(stderr, "unknown kind %s\n", kind);
            return 2;
        }
        if (v > maxv) v = maxv;
        printf("%" PRId64 "\n", v);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "gen"))
        return gen(argv[2], strtol(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
                   strtoll(argv[5], NULL, 10));

    bool fast = argc == 5 && !strcmp(argv[1], "encodefast");
    if (argc == 5 && (!strcmp(argv[1], "encode") || fast)) {
        struct omb_hist *h =
            omb_hist_new(strtoll(argv[2], NULL, 10), strtoll(argv[3], NULL, 10), atoi(argv[4]));
        if (!h) {
            fprintf(stderr, "bad histogram arguments\n");
            return 2;
        }
        char line[64];
        while (fgets(line, sizeof(line), stdin))
            if (line[0] != '\n') omb_hist_record(h, strtoll(line, NULL, 10));
        char *b64;
        size_t len;
        if (omb_hist_encode_compressed_base64(h, fast ? OMB_HIST_ZLIB_FAST : OMB_HIST_ZLIB_DEFAULT,
                                              &b64, &len) != 0)
            return 1;
        printf("%s\n", b64);
        free(b64);
        if (fast) {
            omb_hist_destroy(h);
            return 0;
        }
        unsigned char *raw;
        size_t rawlen;
        if (omb_hist_encode_v2(h, &raw, &rawlen) != 0 ||
            omb_base64_encode(raw, rawlen, &b64, &len) != 0)
            return 1;
        printf("%s\n", b64);
        free(b64);
        free(raw);
        stats(h);
        omb_hist_destroy(h);
        return 0;
    }

    if (argc == 2 && !strcmp(argv[1], "decode")) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) n--;
            if (n == 0) continue;
            struct omb_hist *h;
            char err[256];
            if (omb_hist_decode_compressed_base64(line, (size_t)n, &h, err, sizeof(err)) != 0) {
                fprintf(stderr, "decode: %s\n", err);
                free(line);
                return 1;
            }
            stats(h);
            omb_hist_destroy(h);
        }
        free(line);
        return 0;
    }

    fprintf(stderr, "usage: hist_ref_tool gen KIND N SEED MAXV | encode[fast] LOWEST HIGHEST"
                    " DIGITS < values | decode < base64\n");
    return 2;
}
