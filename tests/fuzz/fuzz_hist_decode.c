/* fuzz_hist_decode.c - libFuzzer target: the HdrHistogram V2 decoders (plain, compressed,
 * base64) on arbitrary bytes. Whatever decodes must be a usable histogram: its statistics
 * computed, its re-encoding decoded again to the same counts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist.h"
#include "stats/hist_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct omb_hist *h)
{
    if (!h) return;
    (void)omb_hist_mean(h);
    (void)omb_hist_stddev(h);
    (void)omb_hist_value_at_percentile(h, 99.9);
    (void)omb_hist_max(h);
    (void)omb_hist_min(h);
    unsigned char *buf;
    size_t len;
    if (omb_hist_encode_compressed(h, OMB_HIST_ZLIB_FAST, &buf, &len) == 0) {
        struct omb_hist *again = NULL;
        if (omb_hist_decode_compressed(buf, len, &again, NULL, 0) != 0) abort();
        if (again->total_count != h->total_count) abort();
        omb_hist_destroy(again);
        free(buf);
    }
    omb_hist_destroy(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct omb_hist *h = NULL;
    if (omb_hist_decode_v2(data, size, &h, err, sizeof err) == 0) exercise(h);
    h = NULL;
    if (omb_hist_decode_compressed(data, size, &h, err, sizeof err) == 0) exercise(h);
    h = NULL;
    if (omb_hist_decode_compressed_base64((const char *)data, size, &h, err, sizeof err) == 0)
        exercise(h);
    return 0;
}
