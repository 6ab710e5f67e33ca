/* test_zhuff.c - the Huffman-only zlib coder: zlib's inflate reads back every input
 * exactly, blocks that would grow are stored, and the code is as tight as zlib's own
 * Huffman-only mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "util/zhuff.h"

/* Compresses @p in with omb_zhuff, inflates it with zlib, and checks the bytes and the
 * bound. Returns the compressed size. */
/* A fixed-seed generator (xorshift64*): the same inputs on every run. */
struct xrand {
    uint64_t s;
};
static void xrand_seed(struct xrand *r, uint64_t seed) { r->s = seed * 0x9E3779B97F4A7C15ull + 1; }
static uint64_t xrand_next(struct xrand *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

static size_t round_trip(const unsigned char *in, size_t len)
{
    size_t bound = omb_zhuff_bound(len);
    unsigned char *z = malloc(bound);
    assert_non_null(z);
    size_t zlen = omb_zhuff_compress(in, len, z);
    assert_true(zlen <= bound);

    unsigned char *back = malloc(len + 1);
    assert_non_null(back);
    uLongf backlen = (uLongf)len + 1;
    /* uncompress() checks the zlib header and the Adler-32 as well as the blocks. */
    assert_int_equal(uncompress(back, &backlen, z, (uLong)zlen), Z_OK);
    assert_int_equal(backlen, len);
    if (len) assert_memory_equal(back, in, len);
    free(back);
    free(z);
    return zlen;
}

static size_t zlib_huffman_size(const unsigned char *in, size_t len)
{
    z_stream s;
    memset(&s, 0, sizeof s);
    assert_int_equal(deflateInit2(&s, 1, Z_DEFLATED, 15, 8, Z_HUFFMAN_ONLY), Z_OK);
    uLong bound = deflateBound(&s, (uLong)len);
    unsigned char *out = malloc(bound);
    assert_non_null(out);
    s.next_in = (unsigned char *)in;
    s.avail_in = (uInt)len;
    s.next_out = out;
    s.avail_out = (uInt)bound;
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    size_t n = s.total_out;
    deflateEnd(&s);
    free(out);
    return n;
}

static void test_small_inputs(void **state)
{
    (void)state;
    static const unsigned char one[] = {42}, two[] = {1, 2}, same[200] = {0};
    round_trip(NULL, 0);
    round_trip(one, 1);
    round_trip(two, 2);
    round_trip(same, sizeof same); /* one symbol and end-of-block: a two-code tree */
}

/* Sizes around the 16 KiB block, with contents from one symbol to all 256. */
static void test_block_edges_and_alphabets(void **state)
{
    (void)state;
    static const size_t sizes[] = {16383, 16384, 16385, 32768, 65535, 65536, 200001};
    static const int alphabets[] = {1, 2, 3, 17, 255, 256};
    struct xrand r;
    xrand_seed(&r, 7);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t a = 0; a < sizeof alphabets / sizeof *alphabets; a++) {
            unsigned char *in = malloc(sizes[s]);
            assert_non_null(in);
            for (size_t i = 0; i < sizes[s]; i++)
                in[i] = (unsigned char)(xrand_next(&r) % (uint64_t)alphabets[a]);
            size_t z = round_trip(in, sizes[s]);
            if (alphabets[a] <= 17) assert_true(z < sizes[s] * 5 / 8); /* <= 5 bits a byte */
            free(in);
        }
}

/* Random bytes do not compress: every block is stored, with a few bytes of framing. */
static void test_incompressible_is_stored(void **state)
{
    (void)state;
    size_t len = 300000;
    unsigned char *in = malloc(len);
    assert_non_null(in);
    struct xrand r;
    xrand_seed(&r, 11);
    for (size_t i = 0; i < len; i++) in[i] = (unsigned char)xrand_next(&r);
    size_t z = round_trip(in, len);
    assert_true(z <= len + 6 + 5 * (len / 16384 + 1));
    free(in);
}

/* Byte counts 1, 2, 3, 5, 8, ... (Fibonacci, 17 symbols, 6,763 bytes: one block) with
 * end-of-block's 1 make an unlimited Huffman tree a chain 17 deep, beyond deflate's 15
 * bits: the coder must limit it, and inflate must accept the result. */
static void test_deep_tree_is_limited(void **state)
{
    (void)state;
    unsigned char in[6763];
    size_t len = 0, a = 1, b = 2;
    for (int sym = 0; sym < 17; sym++) {
        for (size_t k = 0; k < a; k++) in[len++] = (unsigned char)sym;
        size_t c = a + b;
        a = b;
        b = c;
    }
    assert_int_equal(len, sizeof in);
    assert_true(round_trip(in, len) < len / 3); /* ~2 bits a byte: coded, not stored */
}

/* Shaped like histogram counts in ZigZag form: mostly one-byte values, some zero runs. */
static void test_as_tight_as_zlib(void **state)
{
    (void)state;
    size_t len = 1 << 20;
    unsigned char *in = malloc(len);
    assert_non_null(in);
    struct xrand r;
    xrand_seed(&r, 3);
    for (size_t i = 0; i < len; i++) {
        uint64_t x = xrand_next(&r);
        in[i] = (unsigned char)(x % 8 == 0 ? 0x80 | (x >> 8) % 128 : 2 * ((x >> 8) % 12));
    }
    size_t ours = round_trip(in, len), zlibs = zlib_huffman_size(in, len);
    assert_true(ours <= zlibs + zlibs / 50);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_inputs),
        cmocka_unit_test(test_block_edges_and_alphabets),
        cmocka_unit_test(test_incompressible_is_stored),
        cmocka_unit_test(test_deep_tree_is_limited),
        cmocka_unit_test(test_as_tight_as_zlib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
