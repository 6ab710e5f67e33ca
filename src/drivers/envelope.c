/* envelope.c - see envelope.h. */
#include "drivers/envelope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char magic[4] = {'o', 'm', 'b', 2};

static void put_be(unsigned char *b, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8) b[i] = (unsigned char)v;
}

static uint64_t get_be(const unsigned char *b, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | b[i];
    return v;
}

void omb_envelope_put(unsigned char *b, const struct omb_msg_meta *m)
{
    int64_t delay_us = (m->sent_ns - m->intended_ns) / 1000;
    memcpy(b, magic, sizeof magic);
    put_be(b + 4, (uint64_t)m->sent_ns, 8);
    put_be(b + 12, delay_us < 0 ? 0 : delay_us > UINT32_MAX ? UINT32_MAX : (uint64_t)delay_us, 4);
    put_be(b + 16, (uint32_t)m->producer, 4);
    put_be(b + 20, (uint64_t)m->seq, 8);
}

bool omb_envelope_get(const void *buf, size_t len, struct omb_msg_meta *m)
{
    const unsigned char *b = buf;
    memset(m, 0, sizeof *m);
    if (!b || len < OMB_ENVELOPE_LEN || memcmp(b, magic, sizeof magic) != 0) return false;
    m->sent_ns = (int64_t)get_be(b + 4, 8);
    m->intended_ns = m->sent_ns - (int64_t)get_be(b + 12, 4) * 1000;
    m->producer = (int32_t)get_be(b + 16, 4);
    m->seq = (int64_t)get_be(b + 20, 8);
    if (m->producer < 0 || m->seq < 0 || m->sent_ns <= 0) {
        memset(m, 0, sizeof *m);
        return false;
    }
    return true;
}

const void *omb_envelope_wrap(unsigned char **scratch, size_t *scratch_len, const void *payload,
                              size_t len, const struct omb_msg_meta *m)
{
    if (len < OMB_ENVELOPE_LEN) return payload;
    if (*scratch_len < len) {
        unsigned char *b = realloc(*scratch, len);
        if (!b) return NULL;
        *scratch = b;
        *scratch_len = len;
    }
    omb_envelope_put(*scratch, m);
    memcpy(*scratch + OMB_ENVELOPE_LEN, (const unsigned char *)payload + OMB_ENVELOPE_LEN,
           len - OMB_ENVELOPE_LEN);
    return *scratch;
}
