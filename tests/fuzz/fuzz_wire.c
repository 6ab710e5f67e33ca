/* fuzz_wire.c - libFuzzer target: every JSON body parser of the worker protocol
 * (worker/wire.c), the ones `omb worker` runs on request bodies and the ones the ensemble
 * runs on workers' answers. The first byte picks the parser; the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "worker/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char err[256], text[128];
    switch (data[0] % 9) {
    case 0: {
        int t, p;
        omb_wire_parse_topics_info(body, len, &t, &p, err, sizeof err);
        break;
    }
    case 1: {
        char **v;
        size_t n;
        if (omb_wire_parse_strings(body, len, &v, &n, err, sizeof err) == 0)
            omb_wire_free_strings(v, n);
        break;
    }
    case 2: {
        struct omb_topic_sub *ts;
        size_t n;
        if (omb_wire_parse_assignment(body, len, &ts, &n, err, sizeof err) == 0)
            omb_wire_free_assignment(ts, n);
        break;
    }
    case 3: {
        struct omb_wire_load l;
        if (omb_wire_parse_load(body, len, &l, err, sizeof err) == 0) omb_wire_free_load(&l);
        break;
    }
    case 4: {
        double r;
        omb_wire_parse_number(body, len, &r, err, sizeof err);
        break;
    }
    case 5:
    case 6:
    case 7: {
        static struct omb_stats_view v;
        static int ready;
        if (!ready) ready = omb_stats_view_init(&v, OMB_HIST_DEFAULT_DIGITS) == 0;
        omb_stats_view_clear(&v);
        omb_wire_parse_stats_add((enum omb_wire_stats_kind)(data[0] % 9 - 5), body, len, &v, err,
                                 sizeof err);
        break;
    }
    case 8: {
        struct omb_wire_delivery d = {0};
        struct omb_delivery *out;
        size_t n;
        if (omb_wire_parse_delivery_add(body, len, &d, err, sizeof err) == 0) {
            omb_wire_delivery_finish(&d, &out, &n);
            omb_delivery_free(out, n);
        }
        omb_wire_delivery_free(&d);
        omb_wire_error_text(body, len, text, sizeof text);
        break;
    }
    }
    return 0;
}
