/* test_hist_codec.c - unit tests of the HdrHistogram V2 codec (stats/hist_codec.c) and of
 * base64 (util/base64.c). Byte compatibility with Java is also checked end to end by
 * tests/integration/t_hist_java.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "stats/hist.h"
#include "stats/hist_codec.h"
#include "util/base64.h"

#define H60S (60LL * 1000 * 1000)

static uint64_t rng_state;

static uint64_t rng_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(void) { return ((double)(rng_u64() >> 11) + 0.5) / 9007199254740992.0; }

/* ---- base64 ---- */

static void test_base64_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *s;
        size_t n;
        assert_int_equal(
            omb_base64_encode((const unsigned char *)plain[i], strlen(plain[i]), &s, &n), 0);
        assert_string_equal(s, coded[i]);
        assert_int_equal(n, strlen(coded[i]));
        assert_int_equal(omb_base64_encoded_len(strlen(plain[i])), n);
        free(s);
        unsigned char *b;
        assert_int_equal(omb_base64_decode(coded[i], strlen(coded[i]), &b, &n), 0);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(b, plain[i], n);
        free(b);
    }
    /* all byte values round trip */
    unsigned char all[256], *back;
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    for (size_t len = 250; len <= 256; len++) {
        char *s;
        size_t n, m;
        assert_int_equal(omb_base64_encode(all, len, &s, &n), 0);
        assert_int_equal(omb_base64_decode(s, n, &back, &m), 0);
        assert_int_equal(m, len);
        assert_memory_equal(back, all, len);
        free(s);
        free(back);
    }
}

static void test_base64_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Zg=", /* length not a multiple of 4 */
        "Zg",       "Z===", "====", "Zm9v Yg==", "Zm9v\nYg==", "Zm=vYg==",
        "Zg==Zg==", "Zm9-", "Zm9_", "Zm9\x80",   "=Zm9",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char *b = (unsigned char *)1;
        size_t n;
        if (omb_base64_decode(bad[i], strlen(bad[i]), &b, &n) != -1)
            fail_msg("accepted bad base64 \"%s\"", bad[i]);
        assert_null(b);
    }
}

/* ---- helpers ---- */

static void assert_same_content(const struct omb_hist *a, const struct omb_hist *b)
{
    assert_int_equal(a->lowest_discernible, b->lowest_discernible);
    assert_int_equal(a->highest_trackable, b->highest_trackable);
    assert_int_equal(a->significant_figures, b->significant_figures);
    assert_int_equal(a->counts_len, b->counts_len);
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof(int64_t));
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(omb_hist_max(a), omb_hist_max(b));
    assert_int_equal(omb_hist_min(a), omb_hist_min(b));
    double ma = omb_hist_mean(a), mb = omb_hist_mean(b);
    assert_memory_equal(&ma, &mb, sizeof(ma));
    const double pcts[] = {0, 50, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(omb_hist_value_at_percentile(a, pcts[i]),
                         omb_hist_value_at_percentile(b, pcts[i]));
}

static struct omb_hist *round_trip(const struct omb_hist *h, int level)
{
    unsigned char *buf;
    size_t len;
    assert_int_equal(omb_hist_encode_compressed(h, level, &buf, &len), 0);
    struct omb_hist *back;
    char err[256] = "";
    if (omb_hist_decode_compressed(buf, len, &back, err, sizeof(err)) != 0)
        fail_msg("decode of own encoding failed: %s", err);
    assert_same_content(h, back);

    /* decoding and re-encoding gives the same bytes */
    unsigned char *again;
    size_t again_len;
    assert_int_equal(omb_hist_encode_compressed(back, level, &again, &again_len), 0);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, buf, len);
    free(again);

    /* the uncompressed form too */
    unsigned char *raw;
    size_t rawlen;
    assert_int_equal(omb_hist_encode_v2(h, &raw, &rawlen), 0);
    struct omb_hist *back2;
    if (omb_hist_decode_v2(raw, rawlen, &back2, err, sizeof(err)) != 0)
        fail_msg("decode of own V2 encoding failed: %s", err);
    assert_same_content(h, back2);
    omb_hist_destroy(back2);
    free(raw);
    free(buf);
    return back;
}

/* ---- round trips ---- */

static void test_round_trip_small(void **state)
{
    (void)state;
    const int digits[] = {1, 3, 5};
    for (size_t d = 0; d < 3; d++) {
        struct omb_hist *h = omb_hist_new(1, H60S, digits[d]);
        omb_hist_destroy(round_trip(h, OMB_HIST_ZLIB_DEFAULT)); /* empty */
        omb_hist_record(h, 0);
        omb_hist_destroy(round_trip(h, 1)); /* just a zero */
        omb_hist_reset(h);
        omb_hist_record(h, 1234567);
        omb_hist_destroy(round_trip(h, 9)); /* one value */
        omb_hist_record(h, H60S);
        omb_hist_record(h, 1);
        omb_hist_record_n(h, 77, 1000000);
        omb_hist_destroy(round_trip(h, 0)); /* stored, not compressed */
        omb_hist_destroy(round_trip(h, OMB_HIST_ZLIB_FAST));
        /* clamped values are counted, but the count does not travel */
        omb_hist_record(h, -1);
        struct omb_hist *back = round_trip(h, 6);
        assert_int_equal(back->clamped, 0);
        omb_hist_destroy(back);
        omb_hist_destroy(h);
    }
    /* unit magnitude > 0 */
    struct omb_hist *h = omb_hist_new(1000, 1000000000000LL, 2);
    for (int64_t v = 1; v < 1000000000000LL; v = v * 3 + 1) omb_hist_record_n(h, v, v % 7 + 1);
    omb_hist_destroy(round_trip(h, OMB_HIST_ZLIB_DEFAULT));
    omb_hist_destroy(h);
}

static void test_round_trip_millions(void **state)
{
    (void)state;
    const int digits[] = {1, 3, 5};
    for (size_t d = 0; d < 3; d++) {
        struct omb_hist *h = omb_hist_new(1, H60S, digits[d]);
        rng_state = 100 + d;
        /* log-uniform from 1 us to 60 s: every bucket gets something */
        const double span = log((double)H60S);
        for (int i = 0; i < 3000000; i++) omb_hist_record(h, (int64_t)exp(rng_unit() * span));
        omb_hist_destroy(round_trip(h, OMB_HIST_ZLIB_DEFAULT));
        omb_hist_destroy(round_trip(h, OMB_HIST_ZLIB_FAST));

        char *b64;
        size_t n;
        assert_int_equal(omb_hist_encode_compressed_base64(h, OMB_HIST_ZLIB_FAST, &b64, &n), 0);
        assert_int_equal(strlen(b64), n);
        struct omb_hist *back;
        char err[256];
        assert_int_equal(omb_hist_decode_compressed_base64(b64, n, &back, err, sizeof(err)), 0);
        assert_same_content(h, back);
        omb_hist_destroy(back);
        free(b64);
        omb_hist_destroy(h);
    }
}

static void test_big_counts(void **state)
{
    (void)state;
    /* counts that need the 9-byte form (bits 56..63 in the last byte) */
    const int64_t counts[] = {1,
                              63,
                              64,
                              8191,
                              8192,
                              (int64_t)1 << 40,
                              ((int64_t)1 << 55) + 3,
                              (int64_t)1 << 56,
                              ((int64_t)1 << 62) - 1,
                              INT64_MAX / 3};
    struct omb_hist *h = omb_hist_new(1, 1000000, 3);
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        omb_hist_reset(h);
        omb_hist_record_n(h, 100 + (int64_t)i, counts[i]);
        omb_hist_record(h, 900000);
        omb_hist_destroy(round_trip(h, OMB_HIST_ZLIB_DEFAULT));
    }

    /* exact bytes: 5 x INT64_MAX after a run of 5 zeros */
    omb_hist_reset(h);
    omb_hist_record_n(h, 5, INT64_MAX);
    unsigned char *raw;
    size_t len;
    assert_int_equal(omb_hist_encode_v2(h, &raw, &len), 0);
    static const unsigned char expect[] = {
        0x1c, 0x84, 0x93, 0x13, 0,    0,    0,    10,   0,
        0,    0,    0,    0,    0,    0,    3,                /* cookie len off digits */
        0,    0,    0,    0,    0,    0,    0,    1,          /* lowest */
        0,    0,    0,    0,    0,    0x0f, 0x42, 0x40,       /* highest 1000000 */
        0x3f, 0xf0, 0,    0,    0,    0,    0,    0,          /* 1.0 */
        0x09,                                                 /* -5: run of zeros */
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* INT64_MAX */
    };
    assert_int_equal(len, sizeof(expect));
    assert_memory_equal(raw, expect, len);
    free(raw);
    omb_hist_destroy(h);
}

static void test_known_encodings(void **state)
{
    (void)state;
    /* empty (1, 60 s, 5 digits): header + a single zero count, as Java writes it */
    struct omb_hist *h = omb_hist_new(1, H60S, 5);
    unsigned char *raw;
    size_t len;
    assert_int_equal(omb_hist_encode_v2(h, &raw, &len), 0);
    static const unsigned char empty[] = {
        0x1c, 0x84, 0x93, 0x13, 0,    0,    0, 1, 0, 0, 0, 0, 0,    0,
        0,    5,    0,    0,    0,    0,    0, 0, 0, 1, 0, 0, 0,    0,
        0x03, 0x93, 0x87, 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x00,
    };
    assert_int_equal(len, sizeof(empty));
    assert_memory_equal(raw, empty, len);
    free(raw);
    unsigned char *z;
    assert_int_equal(omb_hist_encode_compressed(h, OMB_HIST_ZLIB_DEFAULT, &z, &len), 0);
    assert_int_equal(z[0], 0x1c);
    assert_int_equal(z[3], 0x14);
    assert_int_equal(((size_t)z[4] << 24 | (size_t)z[5] << 16 | (size_t)z[6] << 8 | z[7]), len - 8);
    assert_int_equal(z[8], 0x78); /* zlib header, not raw deflate */
    free(z);
    omb_hist_destroy(h);

    /* produced by Java HdrHistogram (encodeIntoCompressedByteBuffer, default level) for
     * 1..10000 recorded once each in Histogram(1, 3600000000, 3) */
    static const char java_b64[] = "HISTFAAAAEN4nJNpmSzMwCDwmAECmKE0I4i4NnkJg/0HqAjTKBgFo2AUjIJR"
                                   "MApGGmAZBaNgFIxYwDEKRsEoGLFAYNgDJgAYu1Oa";
    char err[256];
    assert_int_equal(
        omb_hist_decode_compressed_base64(java_b64, strlen(java_b64), &h, err, sizeof(err)), 0);
    assert_int_equal(h->lowest_discernible, 1);
    assert_int_equal(h->highest_trackable, 3600000000LL);
    assert_int_equal(h->significant_figures, 3);
    assert_int_equal(h->total_count, 10000);
    assert_int_equal(omb_hist_value_at_percentile(h, 50), 5003);
    assert_int_equal(omb_hist_value_at_percentile(h, 99), 9903);
    assert_int_equal(omb_hist_value_at_percentile(h, 99.9), 9991);
    assert_int_equal(omb_hist_max(h), 10007);
    assert_int_equal(omb_hist_min(h), 1);
    assert_true(fabs(omb_hist_mean(h) - 5000.898) < 1e-9);

    /* omb's own histogram of the same values encodes to the same inner bytes as Java's */
    struct omb_hist *mine = omb_hist_new(1, 3600000000LL, 3);
    for (int64_t v = 1; v <= 10000; v++) omb_hist_record(mine, v);
    assert_same_content(h, mine);
    unsigned char *bin;
    size_t binlen;
    assert_int_equal(omb_base64_decode(java_b64, strlen(java_b64), &bin, &binlen), 0);
    uLongf java_inner_len = 64 * 1024;
    unsigned char *java_inner = malloc(java_inner_len);
    assert_int_equal(uncompress(java_inner, &java_inner_len, bin + 8, binlen - 8), Z_OK);
    assert_int_equal(omb_hist_encode_v2(mine, &raw, &len), 0);
    assert_int_equal(len, java_inner_len);
    assert_memory_equal(raw, java_inner, len);
    free(raw);
    free(java_inner);
    free(bin);
    omb_hist_destroy(mine);
    omb_hist_destroy(h);
}

/* ---- hostile input ---- */

static unsigned char *make_inner(uint32_t cookie, int32_t payload_len, int32_t offset,
                                 int32_t digits, int64_t lowest, int64_t highest,
                                 const unsigned char *payload, size_t plen, size_t *outlen)
{
    unsigned char *b = malloc(40 + plen);
    uint32_t words[] = {cookie, (uint32_t)payload_len, (uint32_t)offset, (uint32_t)digits};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) b[i * 4 + k] = (unsigned char)(words[i] >> (24 - 8 * k));
    double one = 1.0;
    uint64_t longs[3] = {(uint64_t)lowest, (uint64_t)highest, 0};
    memcpy(&longs[2], &one, 8);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 8; k++) b[16 + i * 8 + k] = (unsigned char)(longs[i] >> (56 - 8 * k));
    if (plen) memcpy(b + 40, payload, plen);
    *outlen = 40 + plen;
    return b;
}

static unsigned char *wrap(const unsigned char *inner, size_t len, size_t *outlen)
{
    uLongf zlen = compressBound(len);
    unsigned char *b = malloc(8 + zlen);
    assert_int_equal(compress2(b + 8, &zlen, inner, len, 6), Z_OK);
    uint32_t w[2] = {OMB_HIST_V2_COMPRESSED_COOKIE, (uint32_t)zlen};
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 4; k++) b[i * 4 + k] = (unsigned char)(w[i] >> (24 - 8 * k));
    *outlen = 8 + zlen;
    return b;
}

/* Decodes @p inner both plain and wrapped; both must fail with @p needle in the message. */
static void expect_inner_error(const unsigned char *inner, size_t len, const char *needle)
{
    struct omb_hist *h = (struct omb_hist *)1;
    char err[256] = "";
    if (omb_hist_decode_v2(inner, len, &h, err, sizeof(err)) == 0)
        fail_msg("accepted bad V2 input (expected \"%s\")", needle);
    assert_null(h);
    if (!strstr(err, needle)) fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    size_t zlen;
    unsigned char *z = wrap(inner, len, &zlen);
    h = (struct omb_hist *)1;
    err[0] = '\0';
    if (omb_hist_decode_compressed(z, zlen, &h, err, sizeof(err)) == 0)
        fail_msg("accepted bad compressed input (expected \"%s\")", needle);
    assert_null(h);
    if (!strstr(err, needle)) fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    free(z);
}

static void test_bad_headers(void **state)
{
    (void)state;
    const unsigned char zero = 0;
    size_t len;
    unsigned char *b;
    const uint32_t c = OMB_HIST_V2_COOKIE;
#define BAD(cookie, plen, off, dg, lo, hi, needle)                                                 \
    do {                                                                                           \
        b = make_inner(cookie, plen, off, dg, lo, hi, &zero, 1, &len);                             \
        expect_inner_error(b, len, needle);                                                        \
        free(b);                                                                                   \
    } while (0)
    BAD(0x1c849301, 1, 0, 3, 1, 1000, "cookie"); /* V1 */
    BAD(0x12345678, 1, 0, 3, 1, 1000, "cookie");
    BAD(c, -1, 0, 3, 1, 1000, "negative");
    BAD(c, 1, 4, 3, 1, 1000, "normalizingIndexOffset");
    BAD(c, 1, 0, 0, 1, 1000, "significant digits");
    BAD(c, 1, 0, 6, 1, 1000, "significant digits");
    BAD(c, 1, 0, -1, 1, 1000, "significant digits");
    BAD(c, 1, 0, 3, 0, 1000, "range");
    BAD(c, 1, 0, 3, -5, 1000, "range");
    BAD(c, 1, 0, 3, 600, 1000, "range");
    BAD(c, 1, 0, 3, 1, -1, "range");
    BAD(c, 1, 0, 3, INT64_MAX, INT64_MAX, "range");
    BAD(c, 1, 0, 5, (int64_t)1 << 50, INT64_MAX, "too wide");
    BAD(c, 0x7fffffff, 0, 3, 1, 1000, "larger than"); /* claims 2 GB of counts */
    BAD(c, 2, 0, 3, 1, 1000, "truncated");            /* 1 byte where 2 are claimed */
    BAD(c, 0, 0, 3, 1, 1000, "unexpected bytes");     /* 1 byte where 0 are claimed */
#undef BAD
    /* header itself cut short */
    b = make_inner(c, 1, 0, 3, 1, 1000, &zero, 1, &len);
    for (size_t cut = 0; cut < 40; cut++) expect_inner_error(b, cut, "truncated");
    free(b);
}

static void test_bad_counts(void **state)
{
    (void)state;
    size_t len;
    unsigned char *b;
    /* histogram (1, 1000, 1 digit): 32-wide sub-buckets, counts_len 112 */
    struct omb_hist *probe = omb_hist_new(1, 1000, 1);
    assert_int_equal(probe->counts_len, 112);
    omb_hist_destroy(probe);

    /* run of zeros past the end: -113 zigzags to 225 = e1 01 */
    const unsigned char run_past[] = {0xe1, 0x01};
    b = make_inner(OMB_HIST_V2_COOKIE, 2, 0, 1, 1, 1000, run_past, 2, &len);
    expect_inner_error(b, len, "passes the end");
    free(b);
    /* run of 112 zeros (-112 -> 223 = df 01) then one count (2 -> 04): one too many */
    const unsigned char one_past[] = {0xdf, 0x01, 0x04};
    b = make_inner(OMB_HIST_V2_COOKIE, 3, 0, 1, 1, 1000, one_past, 3, &len);
    expect_inner_error(b, len, "more counts");
    free(b);
    /* ... while 111 zeros then a count is the last slot: fine */
    const unsigned char last_ok[] = {0xdd, 0x01, 0x04};
    b = make_inner(OMB_HIST_V2_COOKIE, 3, 0, 1, 1, 1000, last_ok, 3, &len);
    struct omb_hist *h;
    char err[256];
    assert_int_equal(omb_hist_decode_v2(b, len, &h, err, sizeof(err)), 0);
    assert_int_equal(h->total_count, 2);
    assert_int_equal(h->counts[111], 2);
    assert_int_equal(omb_hist_max(h), omb_hist_highest_equivalent(h, 1000));
    omb_hist_destroy(h);
    free(b);
    /* INT64_MIN as a zero run (zigzag ff..ff) must not wrap around */
    const unsigned char min_run[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    b = make_inner(OMB_HIST_V2_COOKIE, 9, 0, 1, 1, 1000, min_run, 9, &len);
    expect_inner_error(b, len, "passes the end");
    free(b);
    /* two counts of INT64_MAX: the total overflows */
    const unsigned char overflow[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    b = make_inner(OMB_HIST_V2_COOKIE, 18, 0, 1, 1, 1000, overflow, 18, &len);
    expect_inner_error(b, len, "overflows");
    free(b);
    /* a varint cut by the payload length (continuation bit set on the last byte) */
    const unsigned char cut[] = {0x80, 0x80};
    b = make_inner(OMB_HIST_V2_COOKIE, 2, 0, 1, 1, 1000, cut, 2, &len);
    expect_inner_error(b, len, "truncated");
    free(b);
    /* the widest geometry (5 digits up to 2^62, 6160384 counts): a run of zeros over all
     * but the last slot (-6160383), then a count of 1 there */
    const unsigned char huge[] = {0xfd, 0xff, 0xef, 0x05, 0x02};
    b = make_inner(OMB_HIST_V2_COOKIE, 5, 0, 5, 1, (int64_t)1 << 62, huge, 5, &len);
    assert_int_equal(omb_hist_decode_v2(b, len, &h, err, sizeof(err)), 0);
    assert_int_equal(h->counts_len, 6160384);
    assert_int_equal(h->total_count, 1);
    assert_int_equal(h->counts[6160383], 1);
    assert_int_equal(omb_hist_value_at_percentile(h, 50), omb_hist_max(h));
    omb_hist_destroy(h);
    free(b);
}

static void test_bad_compressed(void **state)
{
    (void)state;
    struct omb_hist *h = omb_hist_new(1, H60S, 3);
    rng_state = 3;
    for (int i = 0; i < 2000; i++) omb_hist_record(h, (int64_t)exp(rng_unit() * 17.0));
    unsigned char *good;
    size_t len;
    assert_int_equal(omb_hist_encode_compressed(h, OMB_HIST_ZLIB_DEFAULT, &good, &len), 0);
    struct omb_hist *out = NULL;
    char err[256];

    /* every truncation fails */
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        memcpy(copy, good, cut);
        if (omb_hist_decode_compressed(copy, cut, &out, err, sizeof(err)) == 0)
            fail_msg("accepted a truncation to %zu of %zu bytes", cut, len);
        assert_null(out);
        free(copy);
    }
    /* ... also when the length field is fixed up to match the shorter data */
    for (size_t cut = 9; cut < len; cut++) {
        unsigned char *copy = malloc(cut);
        memcpy(copy, good, cut);
        uint32_t zl = (uint32_t)(cut - 8);
        copy[4] = (unsigned char)(zl >> 24);
        copy[5] = (unsigned char)(zl >> 16);
        copy[6] = (unsigned char)(zl >> 8);
        copy[7] = (unsigned char)zl;
        if (omb_hist_decode_compressed(copy, cut, &out, err, sizeof(err)) == 0)
            fail_msg("accepted a fixed-up truncation to %zu of %zu bytes", cut, len);
        free(copy);
    }
    /* trailing bytes */
    unsigned char *longer = malloc(len + 3);
    memcpy(longer, good, len);
    memset(longer + len, 0, 3);
    assert_int_equal(omb_hist_decode_compressed(longer, len + 3, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "length field"));
    uint32_t claimed = (uint32_t)(len + 3 - 8); /* claim them: now after the zlib stream */
    for (int k = 0; k < 4; k++) longer[4 + k] = (unsigned char)(claimed >> (24 - 8 * k));
    assert_int_equal(omb_hist_decode_compressed(longer, len + 3, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "after the zlib stream"));
    free(longer);

    /* bit flips anywhere: an error or a consistent histogram, never a crash. Almost all
     * are caught; the few that are not hit the cookie's ignored nibble, bits deflate does
     * not use, or (seen with this data) two swaps of neighbouring counts that Adler-32
     * cannot tell apart. */
    size_t accepted = 0;
    for (size_t pos = 0; pos < len; pos++) {
        for (int bit = 0; bit < 8; bit++) {
            unsigned char *copy = malloc(len);
            memcpy(copy, good, len);
            copy[pos] ^= (unsigned char)(1u << bit);
            if (omb_hist_decode_compressed(copy, len, &out, err, sizeof(err)) == 0) {
                accepted++;
                int64_t sum = 0;
                for (int32_t i = 0; i < out->counts_len; i++) sum += out->counts[i];
                assert_int_equal(sum, out->total_count);
                omb_hist_destroy(out);
            } else {
                assert_null(out);
                assert_true(err[0] != '\0');
            }
            free(copy);
        }
    }
    assert_true(accepted >= 4);      /* the cookie nibble: bits 4..7 of byte 3 */
    assert_true(accepted < len / 4); /* but almost every flip is caught */

    /* random garbage behind a valid outer header */
    rng_state = 11;
    for (int i = 0; i < 2000; i++) {
        size_t n = 8 + (size_t)(rng_u64() % 200);
        unsigned char *g = malloc(n);
        for (size_t k = 8; k < n; k++) g[k] = (unsigned char)rng_u64();
        memcpy(g, good, 4);
        g[4] = 0;
        g[5] = 0;
        g[6] = (unsigned char)((n - 8) >> 8);
        g[7] = (unsigned char)(n - 8);
        if (i % 2 && n > 9) { /* a valid zlib header, to get further into inflate */
            g[8] = 0x78;
            g[9] = 0x9c;
        }
        if (omb_hist_decode_compressed(g, n, &out, err, sizeof(err)) == 0) omb_hist_destroy(out);
        free(g);
    }
    /* a raw deflate stream (no zlib header) is refused */
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    unsigned char *raw;
    size_t rawlen;
    assert_int_equal(omb_hist_encode_v2(h, &raw, &rawlen), 0);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    unsigned char *rd = malloc(8 + deflateBound(&zs, rawlen));
    zs.next_in = raw;
    zs.avail_in = (uInt)rawlen;
    zs.next_out = rd + 8;
    zs.avail_out = (uInt)deflateBound(&zs, rawlen);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t rdlen = 8 + zs.total_out;
    deflateEnd(&zs);
    memcpy(rd, good, 4);
    rd[4] = (unsigned char)((rdlen - 8) >> 24);
    rd[5] = (unsigned char)((rdlen - 8) >> 16);
    rd[6] = (unsigned char)((rdlen - 8) >> 8);
    rd[7] = (unsigned char)(rdlen - 8);
    assert_int_equal(omb_hist_decode_compressed(rd, rdlen, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "corrupt"));
    free(rd);
    free(raw);

    /* extra inflated bytes after the counts */
    assert_int_equal(omb_hist_encode_v2(h, &raw, &rawlen), 0);
    unsigned char *padded = malloc(rawlen + 5);
    memcpy(padded, raw, rawlen);
    memset(padded + rawlen, 0, 5);
    size_t zlen;
    unsigned char *z = wrap(padded, rawlen + 5, &zlen);
    assert_int_equal(omb_hist_decode_compressed(z, zlen, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unexpected bytes"));
    free(z);
    free(padded);
    free(raw);

    /* base64 wrapper errors */
    assert_int_equal(omb_hist_decode_compressed_base64("HIST!!!!", 8, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "base64"));
    assert_int_equal(omb_hist_decode_compressed_base64("", 0, &out, err, sizeof(err)), -1);
    /* a NULL error buffer is fine */
    assert_int_equal(omb_hist_decode_compressed(good, 3, &out, NULL, 0), -1);
    /* bad zlib level */
    assert_int_equal(omb_hist_encode_compressed(h, 10, &z, &zlen), -1);
    assert_null(z);
    assert_int_equal(omb_hist_encode_compressed(h, -3, &z, &zlen), -1);
    assert_null(z);
    free(good);
    omb_hist_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors),   cmocka_unit_test(test_base64_rejects),
        cmocka_unit_test(test_round_trip_small), cmocka_unit_test(test_round_trip_millions),
        cmocka_unit_test(test_big_counts),       cmocka_unit_test(test_known_encodings),
        cmocka_unit_test(test_bad_headers),      cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_bad_compressed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
