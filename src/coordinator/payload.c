/* payload.c - see payload.h. */
#include "coordinator/payload.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/rand.h"

static void fill_random(unsigned char *b, size_t n, uint64_t *x)
{
    for (size_t i = 0; i < n; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        b[i] = (unsigned char)(*x >> 24);
    }
}

int omb_payloads_build(const struct omb_workload *w, struct omb_payloads *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t size = (size_t)w->message_size;
    size_t n = w->use_randomized_payloads ? (size_t)w->randomized_payload_pool_size : 1;
    if (n == 0) n = 1;
    out->buf = calloc(n, sizeof *out->buf);
    if (!out->buf) goto oom;
    out->size = size;
    uint64_t x = omb_random_seed();
    for (size_t i = 0; i < n; i++) {
        out->buf[i] = calloc(1, size);
        if (!out->buf[i]) goto oom;
        out->n++;
        if (w->use_randomized_payloads) {
            /* As OMB: the first randomBytesRatio of each payload is random, the rest zeros. */
            fill_random(out->buf[i], (size_t)((double)size * w->random_bytes_ratio), &x);
        } else if (w->payload_file) {
            FILE *f = fopen(w->payload_file, "rb");
            size_t got = f ? fread(out->buf[i], 1, size, f) : 0;
            int e = errno;
            if (f) fclose(f);
            if (got != size) {
                snprintf(err, errlen, "cannot read %zu bytes from payload file '%s': %s", size,
                         w->payload_file, f ? "file is shorter" : strerror(e));
                omb_payloads_free(out);
                return -1;
            }
        } else {
            /* No payload given: random bytes, so compression cannot flatter the result. */
            fill_random(out->buf[i], size, &x);
        }
    }
    return 0;
oom:
    omb_payloads_free(out);
    snprintf(err, errlen, "out of memory building %zu payload(s) of %zu bytes", n, size);
    return -1;
}

void omb_payloads_free(struct omb_payloads *p)
{
    if (!p->buf) return;
    for (size_t i = 0; i < p->n; i++) free(p->buf[i]);
    free(p->buf);
    memset(p, 0, sizeof *p);
}
