/* hist_codec.c - HdrHistogram V2 and V2-compressed encoding and decoding of omb_hist. */
#include "stats/hist_codec.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/base64.h"
#include "util/zhuff.h"

#define HEADER_LEN         40
#define MAX_ZIGZAG_LEN     9
#define COOKIE_BASE(c)     ((uint32_t)(c) & ~0xf0u) /* Java's getCookieBase() */
#define V2_BASE            COOKIE_BASE(OMB_HIST_V2_COOKIE)
#define V2_COMPRESSED_BASE COOKIE_BASE(OMB_HIST_V2_COMPRESSED_COOKIE)

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_be64(unsigned char *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const unsigned char *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* Java's ZigZagEncoding.putLong(): 7 bits a byte for 8 bytes, then a 9th with 8 bits. */
static size_t put_zigzag(unsigned char *p, int64_t value)
{
    uint64_t z = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
    for (size_t n = 0; n < 8; n++) {
        if (z < 0x80) {
            p[n] = (unsigned char)z;
            return n + 1;
        }
        p[n] = (unsigned char)(z | 0x80);
        z >>= 7;
    }
    p[8] = (unsigned char)z;
    return 9;
}

/* Decodes one value from at most @p avail bytes; returns the bytes used, 0 if truncated. */
static size_t get_zigzag(const unsigned char *p, size_t avail, int64_t *value)
{
    uint64_t z = 0;
    size_t n = 0;
    for (;;) {
        if (n == avail) return 0;
        unsigned char b = p[n];
        if (n == 8) {
            z |= (uint64_t)b << 56;
            n++;
            break;
        }
        z |= (uint64_t)(b & 0x7f) << (7 * n);
        n++;
        if (!(b & 0x80)) break;
    }
    *value = (int64_t)((z >> 1) ^ (0 - (z & 1)));
    return n;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int omb_hist_encode_v2(const struct omb_hist *h, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    /* Java: countsLimit = countsArrayIndex(maxValue) + 1, so an empty histogram still
     * writes one (zero) count. */
    size_t limit = (size_t)omb_hist_index(h, h->max_value) + 1;
    unsigned char *buf = malloc(HEADER_LEN + limit * MAX_ZIGZAG_LEN);
    if (!buf) return -1;

    unsigned char *p = buf + HEADER_LEN;
    const int64_t *counts = h->counts;
    size_t i = 0;
    while (i < limit) {
        int64_t count = counts[i++];
        if (count == 0) {
            int64_t zeros = 1;
            while (i < limit && counts[i] == 0) {
                zeros++;
                i++;
            }
            if (zeros > 1) {
                p += put_zigzag(p, -zeros);
                continue;
            }
        }
        p += put_zigzag(p, count);
    }
    size_t payload = (size_t)(p - (buf + HEADER_LEN));

    double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof(ratio_bits));
    put_be32(buf, OMB_HIST_V2_COOKIE);
    put_be32(buf + 4, (uint32_t)payload);
    put_be32(buf + 8, 0); /* normalizingIndexOffset */
    put_be32(buf + 12, (uint32_t)h->significant_figures);
    put_be64(buf + 16, (uint64_t)h->lowest_discernible);
    put_be64(buf + 24, (uint64_t)h->highest_trackable);
    put_be64(buf + 32, ratio_bits);
    *out = buf;
    *outlen = HEADER_LEN + payload;
    return 0;
}

/* Java's Deflater(level) is deflateInit2(level, Z_DEFLATED, 15, 8, default strategy) and
 * one deflate(Z_FINISH) call into a large enough buffer: the same here, so the bytes match
 * Java's. Returns a new buffer with @p room free bytes before the zlib stream, or NULL. */
static unsigned char *deflate_like_java(const unsigned char *in, size_t len, int level, size_t room,
                                        size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    unsigned char *buf = NULL;
    uLong bound = deflateBound(&z, (uLong)len);
    if (bound > INT32_MAX || bound > UINT_MAX || len > UINT_MAX) goto out;
    buf = malloc(room + (size_t)bound);
    if (!buf) goto out;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)len;
    z.next_out = buf + room;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        free(buf);
        buf = NULL;
        goto out;
    }
    *outlen = (size_t)z.total_out;
out:
    deflateEnd(&z);
    return buf;
}

int omb_hist_encode_compressed(const struct omb_hist *h, int zlib_level, unsigned char **out,
                               size_t *outlen)
{
    *out = NULL;
    if (zlib_level < OMB_HIST_ZLIB_FAST || zlib_level > 9) return -1;
    unsigned char *inner;
    size_t inner_len;
    if (omb_hist_encode_v2(h, &inner, &inner_len) != 0) return -1;

    unsigned char *buf;
    size_t n = 0;
    if (zlib_level == OMB_HIST_ZLIB_FAST) {
        buf = malloc(8 + omb_zhuff_bound(inner_len));
        if (buf) n = omb_zhuff_compress(inner, inner_len, buf + 8);
    } else {
        buf = deflate_like_java(inner, inner_len, zlib_level, 8, &n);
    }
    free(inner);
    if (!buf) return -1;
    if (n > INT32_MAX) {
        free(buf);
        return -1;
    }
    put_be32(buf, OMB_HIST_V2_COMPRESSED_COOKIE);
    put_be32(buf + 4, (uint32_t)n);
    *out = buf;
    *outlen = 8 + n;
    return 0;
}

/* Bytes of the V2 encoding, from memory or inflated on the fly in small windows, so that
 * memory never depends on a length the input claims. */
struct reader {
    z_stream *z; /* NULL: all bytes are in p/avail */
    const unsigned char *p;
    size_t avail;
    bool eof; /* no bytes beyond p/avail */
    unsigned char win[64 * 1024];
    char *err;
    size_t errlen;
};

/* Makes at least @p want bytes available unless the data ends first. Returns 0, or -1 on
 * corrupt or truncated compressed data. */
static int reader_fill(struct reader *r, size_t want)
{
    if (r->avail >= want || r->eof) return 0;
    memmove(r->win, r->p, r->avail);
    r->p = r->win;
    while (r->avail < want && !r->eof) {
        r->z->next_out = r->win + r->avail;
        r->z->avail_out = (uInt)(sizeof(r->win) - r->avail);
        int zrc = inflate(r->z, Z_NO_FLUSH);
        r->avail = sizeof(r->win) - r->z->avail_out;
        if (zrc == Z_STREAM_END) {
            r->eof = true;
        } else if (zrc == Z_BUF_ERROR) {
            /* no progress with room to write: the input ran out before the stream ended */
            set_err(r->err, r->errlen, "compressed histogram is truncated");
            return -1;
        } else if (zrc != Z_OK) {
            set_err(r->err, r->errlen, "compressed histogram is corrupt (zlib: %s)",
                    r->z->msg ? r->z->msg : zError(zrc));
            return -1;
        }
    }
    return 0;
}

static int decode_v2(struct reader *r, struct omb_hist **out)
{
    char *err = r->err;
    size_t errlen = r->errlen;
    if (reader_fill(r, HEADER_LEN) != 0) return -1;
    if (r->avail < HEADER_LEN) {
        set_err(err, errlen, "histogram is truncated: %zu of the %d header bytes", r->avail,
                HEADER_LEN);
        return -1;
    }
    const unsigned char *hp = r->p;
    uint32_t cookie = get_be32(hp);
    if (COOKIE_BASE(cookie) != V2_BASE) {
        set_err(err, errlen,
                "not an HdrHistogram V2 encoding (cookie 0x%08" PRIx32 ", expected 0x%08x)", cookie,
                OMB_HIST_V2_COOKIE);
        return -1;
    }
    int32_t payload_len = (int32_t)get_be32(hp + 4);
    int32_t normalizing_offset = (int32_t)get_be32(hp + 8);
    int32_t digits = (int32_t)get_be32(hp + 12);
    int64_t lowest = (int64_t)get_be64(hp + 16);
    int64_t highest = (int64_t)get_be64(hp + 24);
    r->p += HEADER_LEN;
    r->avail -= HEADER_LEN;

    if (payload_len < 0) {
        set_err(err, errlen, "histogram payload length %" PRId32 " is negative", payload_len);
        return -1;
    }
    if (normalizing_offset != 0) {
        set_err(err, errlen, "histogram normalizingIndexOffset %" PRId32 " is not supported",
                normalizing_offset);
        return -1;
    }
    if (digits < 1 || digits > 5) {
        set_err(err, errlen, "histogram significant digits %" PRId32 " outside 1..5", digits);
        return -1;
    }
    if (lowest < 1 || lowest > INT64_MAX / 2 || highest < 2 * lowest) {
        set_err(err, errlen,
                "histogram range is invalid (lowest %" PRId64 ", highest %" PRId64
                "; need lowest >= 1 and highest >= 2 * lowest)",
                lowest, highest);
        return -1;
    }
    /* The geometry bounds the counts array (unit + sub-bucket magnitudes <= 61 leaves at
     * most ~6.2M counts); omb_hist_new refuses the rest. */
    struct omb_hist *h = omb_hist_new(lowest, highest, (int)digits);
    if (!h) {
        set_err(err, errlen,
                "cannot create histogram (lowest %" PRId64 ", highest %" PRId64 ", %" PRId32
                " digits): range too wide or out of memory",
                lowest, highest, digits);
        return -1;
    }
    if ((int64_t)payload_len > (int64_t)h->counts_len * MAX_ZIGZAG_LEN) {
        set_err(err, errlen,
                "histogram payload of %" PRId32 " bytes is larger than %" PRId32 " counts can take",
                payload_len, h->counts_len);
        goto bad;
    }

    int64_t *counts = h->counts;
    const int64_t counts_len = h->counts_len;
    int64_t index = 0, total = 0, max_index = -1, min_nonzero_index = -1;
    size_t left = (size_t)payload_len;
    while (left > 0) {
        size_t want = left < MAX_ZIGZAG_LEN ? left : MAX_ZIGZAG_LEN;
        if (r->avail < want && reader_fill(r, want) != 0) goto bad;
        size_t avail = r->avail < left ? r->avail : left;
        int64_t count;
        size_t used;
        if (avail > 0 && r->p[0] < 0x80) { /* most counts and runs fit in one byte */
            count = (int64_t)(r->p[0] >> 1) ^ -(int64_t)(r->p[0] & 1);
            used = 1;
        } else {
            used = get_zigzag(r->p, avail, &count);
        }
        if (used == 0) {
            set_err(err, errlen, "histogram is truncated: %zu payload bytes missing", left);
            goto bad;
        }
        r->p += used;
        r->avail -= used;
        left -= used;
        if (count < 0) {
            uint64_t zeros = 0 - (uint64_t)count;
            if (zeros > (uint64_t)(counts_len - index)) {
                set_err(err, errlen,
                        "histogram run of %" PRIu64 " zero counts at index %" PRId64
                        " passes the end (%" PRId64 " counts)",
                        zeros, index, counts_len);
                goto bad;
            }
            index += (int64_t)zeros;
            continue;
        }
        if (index >= counts_len) {
            set_err(err, errlen, "histogram has more counts than its range holds (%" PRId64 ")",
                    counts_len);
            goto bad;
        }
        if (count > 0) {
            if (count > INT64_MAX - total) {
                set_err(err, errlen, "histogram total count overflows at index %" PRId64, index);
                goto bad;
            }
            total += count;
            counts[index] = count;
            max_index = index;
            if (min_nonzero_index < 0 && index != 0) min_nonzero_index = index;
        }
        index++;
    }

    /* Java's establishInternalTackingValues() */
    h->total_count = total;
    if (max_index >= 0)
        h->max_value =
            omb_hist_highest_equivalent(h, omb_hist_value_at_index(h, (int32_t)max_index));
    if (min_nonzero_index >= 0)
        h->min_value = omb_hist_value_at_index(h, (int32_t)min_nonzero_index);
    *out = h;
    return 0;
bad:
    omb_hist_destroy(h);
    return -1;
}

int omb_hist_decode_v2(const unsigned char *buf, size_t len, struct omb_hist **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    struct reader *r = malloc(sizeof(*r));
    if (!r) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    r->z = NULL;
    r->p = buf;
    r->avail = len;
    r->eof = true;
    r->err = err;
    r->errlen = errlen;
    int rc = decode_v2(r, out);
    if (rc == 0 && r->avail != 0) {
        set_err(err, errlen, "histogram has %zu unexpected bytes after its counts", r->avail);
        omb_hist_destroy(*out);
        *out = NULL;
        rc = -1;
    }
    free(r);
    return rc;
}

int omb_hist_decode_compressed(const unsigned char *buf, size_t len, struct omb_hist **out,
                               char *err, size_t errlen)
{
    *out = NULL;
    if (len < 8) {
        set_err(err, errlen, "compressed histogram is truncated: %zu bytes", len);
        return -1;
    }
    uint32_t cookie = get_be32(buf);
    if (COOKIE_BASE(cookie) != V2_COMPRESSED_BASE) {
        set_err(err, errlen,
                "not an HdrHistogram V2 compressed encoding (cookie 0x%08" PRIx32
                ", expected 0x%08x)",
                cookie, OMB_HIST_V2_COMPRESSED_COOKIE);
        return -1;
    }
    int32_t zlen = (int32_t)get_be32(buf + 4);
    if (zlen < 0 || (size_t)zlen != len - 8) {
        set_err(err, errlen, "compressed histogram length field says %" PRId32 " bytes, %zu follow",
                zlen, len - 8);
        return -1;
    }

    struct reader *r = malloc(sizeof(*r));
    if (!r) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit(&z) != Z_OK) {
        free(r);
        set_err(err, errlen, "out of memory (zlib)");
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)(buf + 8); /* zlib's API is not const-clean */
    z.avail_in = (uInt)zlen;
    r->z = &z;
    r->p = r->win;
    r->avail = 0;
    r->eof = false;
    r->err = err;
    r->errlen = errlen;

    int rc = decode_v2(r, out);
    if (rc == 0) {
        /* Everything must be consumed: no inflated bytes past the counts, a complete zlib
         * stream (Adler-32 checked), and no compressed bytes after it. */
        if (reader_fill(r, 1) != 0) {
            rc = -1;
        } else if (r->avail != 0) {
            set_err(err, errlen, "histogram has unexpected bytes after its counts");
            rc = -1;
        } else if (z.avail_in != 0) {
            set_err(err, errlen, "compressed histogram has %u bytes after the zlib stream",
                    z.avail_in);
            rc = -1;
        }
        if (rc != 0) {
            omb_hist_destroy(*out);
            *out = NULL;
        }
    }
    inflateEnd(&z);
    free(r);
    return rc;
}

int omb_hist_encode_compressed_base64(const struct omb_hist *h, int zlib_level, char **out,
                                      size_t *outlen)
{
    *out = NULL;
    unsigned char *bin;
    size_t binlen;
    if (omb_hist_encode_compressed(h, zlib_level, &bin, &binlen) != 0) return -1;
    int rc = omb_base64_encode(bin, binlen, out, outlen);
    free(bin);
    return rc;
}

int omb_hist_decode_compressed_base64(const char *b64, size_t len, struct omb_hist **out, char *err,
                                      size_t errlen)
{
    *out = NULL;
    unsigned char *bin;
    size_t binlen;
    int brc = omb_base64_decode(b64, len, &bin, &binlen);
    if (brc != 0) {
        set_err(err, errlen, brc == -2 ? "out of memory" : "histogram is not valid base64");
        return -1;
    }
    int rc = omb_hist_decode_compressed(bin, binlen, out, err, errlen);
    free(bin);
    return rc;
}
