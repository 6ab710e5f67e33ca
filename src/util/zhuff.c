/* zhuff.c - Huffman-only deflate in a zlib wrapper, from RFC 1950 and RFC 1951.
 *
 * The input is cut into blocks of 16 KiB, as zlib's Huffman-only mode cuts them (a code
 * per block follows the counts' magnitudes along a histogram: with 64 KiB blocks the
 * output was 13% larger). Each block gets its own literal code, built from its byte counts
 * (plus end-of-block) and limited to 15 bits, and is written as a dynamic-Huffman block,
 * or as a stored block when that is smaller. No
 * matches are searched for: histogram counts in ZigZag form are short, varied byte
 * strings where the literal code is nearly all of what deflate could gain, and the
 * coding loop is a table lookup and a shift per byte. */
#include "util/zhuff.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

enum {
    BLOCK = 16384, /* input bytes per block (a stored block could hold 65,535) */
    NLIT = 257,    /* literal/length alphabet in use: 256 bytes and end-of-block */
    EOB = 256,
    NDIST = 2, /* distance codes sent (never used; inflaters want a complete code) */
    NCL = 19,  /* code-length alphabet */
    MAX_BITS = 15,
    MAX_CL_BITS = 7,
};

/* The order in which code-length code lengths are sent (RFC 1951 3.2.7). */
static const unsigned char cl_order[NCL] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                            11, 4,  12, 3, 13, 2, 14, 1, 15};

struct bits {
    unsigned char *p;
    uint64_t buf; /* pending bits, the oldest in the low end */
    int n;        /* how many */
};

static inline unsigned char *store32le(unsigned char *p, uint32_t w)
{
    p[0] = (unsigned char)w;
    p[1] = (unsigned char)(w >> 8);
    p[2] = (unsigned char)(w >> 16);
    p[3] = (unsigned char)(w >> 24);
    return p + 4;
}

static inline void put(struct bits *b, uint32_t v, int n)
{
    b->buf |= (uint64_t)v << b->n;
    b->n += n;
    if (b->n >= 32) {
        b->p = store32le(b->p, (uint32_t)b->buf);
        b->buf >>= 32;
        b->n -= 32;
    }
}

/* Writes out the pending bits, zero-padded to a byte boundary. */
static void align(struct bits *b)
{
    for (; b->n > 0; b->n -= 8) {
        *b->p++ = (unsigned char)b->buf;
        b->buf >>= 8;
    }
    b->n = 0;
    b->buf = 0;
}

/* Depths of a Huffman tree over the symbols with a non-zero @p freq (two-queue method on
 * the symbols sorted by count); 0 for the others. Returns the largest depth. */
static int huffman_depths(const uint32_t *freq, int n, unsigned char *len)
{
    int sym[NLIT], m = 0;
    for (int i = 0; i < n; i++) {
        len[i] = 0;
        if (!freq[i]) continue;
        int k = m++; /* insertion sort by count: n is at most 257 */
        while (k > 0 && freq[sym[k - 1]] > freq[i]) {
            sym[k] = sym[k - 1];
            k--;
        }
        sym[k] = i;
    }
    if (m < 2) { /* build_lengths never asks for this */
        if (m) len[sym[0]] = 1;
        return m;
    }
    /* Nodes 0..m-1 are the leaves in count order, m.. the internal nodes, which are made
     * in non-decreasing weight order: the next two lightest are always at a queue head. */
    uint64_t w[2 * NLIT];
    int parent[2 * NLIT];
    unsigned char depth[2 * NLIT];
    for (int k = 0; k < m; k++) w[k] = freq[sym[k]];
    int leaf = 0, inner = m;
    for (int next = m; next < 2 * m - 1; next++) {
        int pick[2];
        for (int j = 0; j < 2; j++)
            pick[j] = leaf < m && (inner >= next || w[leaf] <= w[inner]) ? leaf++ : inner++;
        w[next] = w[pick[0]] + w[pick[1]];
        parent[pick[0]] = parent[pick[1]] = next;
    }
    int max = 0;
    depth[2 * m - 2] = 0;
    for (int k = 2 * m - 3; k >= 0; k--) depth[k] = (unsigned char)(depth[parent[k]] + 1);
    for (int k = 0; k < m; k++) {
        len[sym[k]] = depth[k];
        if (depth[k] > max) max = depth[k];
    }
    return max;
}

/* Code lengths (at most @p limit bits) for symbols with counts @p freq_in. At least two
 * symbols get a code: inflaters reject a code of one symbol (zlib's deflate does this too). */
static void build_lengths(const uint32_t *freq_in, int n, int limit, unsigned char *len)
{
    uint32_t freq[NLIT];
    int used = 0;
    for (int i = 0; i < n; i++) used += (freq[i] = freq_in[i]) != 0;
    for (int i = 0; used < 2 && i < n; i++)
        if (!freq[i]) {
            freq[i] = 1;
            used++;
        }
    /* Too deep: flatten the counts and build again. Rarely needed, and the result stays
     * close to optimal for the skewed counts that cause it. */
    while (huffman_depths(freq, n, len) > limit)
        for (int i = 0; i < n; i++)
            if (freq[i]) freq[i] = (freq[i] >> 1) | 1;
}

/* Canonical codes (RFC 1951 3.2.2) for @p len, bit-reversed: deflate sends a code's most
 * significant bit first into a least-significant-first stream. */
static void canonical_codes(const unsigned char *len, int n, uint16_t *code)
{
    int count[MAX_BITS + 1] = {0}, next[MAX_BITS + 1];
    for (int i = 0; i < n; i++) count[len[i]]++;
    count[0] = 0;
    for (int bits = 1, c = 0; bits <= MAX_BITS; bits++) next[bits] = c = (c + count[bits - 1]) << 1;
    for (int i = 0; i < n; i++) {
        if (!len[i]) continue;
        unsigned c = (unsigned)next[len[i]]++, r = 0;
        for (int k = 0; k < len[i]; k++, c >>= 1) r = r << 1 | (c & 1);
        code[i] = (uint16_t)r;
    }
}

/* One entry of the run-length coded code lengths: a symbol of the code-length alphabet
 * and the value of its extra bits. */
struct cl {
    unsigned char sym, extra;
};

static const unsigned char cl_extra_bits[NCL] = {[16] = 2, [17] = 3, [18] = 7};

/* Run-length codes the code lengths @p l[0..n) with symbols 16 (repeat the previous 3-6
 * times), 17 (3-10 zeros) and 18 (11-138 zeros). Returns the entries written to @p out. */
static int rle_lengths(const unsigned char *l, int n, struct cl *out)
{
    int k = 0;
    for (int i = 0; i < n;) {
        int run = 1;
        while (i + run < n && l[i + run] == l[i]) run++;
        if (l[i] == 0 && run >= 3) {
            int r = run > 138 ? 138 : run;
            out[k++] = r >= 11 ? (struct cl){18, (unsigned char)(r - 11)}
                               : (struct cl){17, (unsigned char)(r - 3)};
            i += r;
        } else if (l[i] != 0 && i > 0 && l[i - 1] == l[i] && run >= 3) {
            int r = run > 6 ? 6 : run;
            out[k++] = (struct cl){16, (unsigned char)(r - 3)};
            i += r;
        } else {
            out[k++] = (struct cl){l[i], 0};
            i++;
        }
    }
    return k;
}

static void block(struct bits *b, const unsigned char *in, size_t len, int final)
{
    uint32_t freq[NLIT] = {0};
    for (size_t i = 0; i < len; i++) freq[in[i]]++;
    freq[EOB] = 1;

    unsigned char lens[NLIT + NDIST];
    build_lengths(freq, NLIT, MAX_BITS, lens);
    lens[NLIT] = lens[NLIT + 1] = 1;

    struct cl rle[NLIT + NDIST];
    int nrle = rle_lengths(lens, NLIT + NDIST, rle);
    uint32_t clfreq[NCL] = {0};
    for (int i = 0; i < nrle; i++) clfreq[rle[i].sym]++;
    unsigned char cllen[NCL];
    build_lengths(clfreq, NCL, MAX_CL_BITS, cllen);
    int hclen = NCL;
    while (hclen > 4 && !cllen[cl_order[hclen - 1]]) hclen--;

    /* Both costs in bits, from the block's first bit. */
    uint64_t dynamic = 3 + 5 + 5 + 4 + 3 * (uint64_t)hclen;
    for (int i = 0; i < nrle; i++) dynamic += cllen[rle[i].sym] + cl_extra_bits[rle[i].sym];
    for (int i = 0; i < NLIT; i++) dynamic += (uint64_t)freq[i] * lens[i];
    uint64_t stored = 3 + (uint64_t)((8 - (b->n + 3) % 8) % 8) + 32 + 8 * (uint64_t)len;

    if (stored < dynamic) {
        put(b, (uint32_t) final, 3); /* BTYPE 00 */
        align(b);
        unsigned char hdr[4] = {(unsigned char)len, (unsigned char)(len >> 8), (unsigned char)~len,
                                (unsigned char)(~len >> 8)};
        memcpy(b->p, hdr, 4);
        if (len) memcpy(b->p + 4, in, len);
        b->p += 4 + len;
        return;
    }

    uint16_t clcode[NCL], code[NLIT];
    canonical_codes(cllen, NCL, clcode);
    canonical_codes(lens, NLIT, code);
    put(b, (uint32_t) final | 2u << 1, 3); /* BTYPE 10: dynamic Huffman codes */
    put(b, NLIT - 257, 5);
    put(b, NDIST - 1, 5);
    put(b, (uint32_t)hclen - 4, 4);
    for (int i = 0; i < hclen; i++) put(b, cllen[cl_order[i]], 3);
    for (int i = 0; i < nrle; i++) {
        put(b, clcode[rle[i].sym], cllen[rle[i].sym]);
        put(b, rle[i].extra, cl_extra_bits[rle[i].sym]);
    }
    /* The hot loop: a lookup and at most one 4-byte store per input byte, on a local copy
     * of the bit writer (its address never escapes, so the compiler keeps it in registers;
     * byte stores through b->p could alias b's own fields). */
    uint32_t table[256];
    for (int i = 0; i < 256; i++) table[i] = (uint32_t)lens[i] << 16 | code[i];
    struct bits local = *b;
    for (size_t i = 0; i < len; i++) {
        uint32_t t = table[in[i]];
        put(&local, t & 0xffff, (int)(t >> 16));
    }
    *b = local;
    put(b, code[EOB], lens[EOB]);
}

size_t omb_zhuff_bound(size_t len)
{
    /* Never more than stored blocks (5 bytes each plus a byte of padding bits), the zlib
     * header and the Adler-32. */
    return 2 + len + 6 * (len / BLOCK + 1) + 4 + 8;
}

size_t omb_zhuff_compress(const unsigned char *in, size_t len, unsigned char *out)
{
    /* CMF 0x78: deflate, 32 KiB window; FLG 0x01: "fastest" and the check bits. */
    out[0] = 0x78;
    out[1] = 0x01;
    struct bits b = {.p = out + 2};
    size_t off = 0;
    do {
        size_t n = len - off > BLOCK ? BLOCK : len - off;
        block(&b, in + off, n, off + n == len);
        off += n;
    } while (off < len);
    align(&b);
    uint32_t a = (uint32_t)adler32_z(adler32_z(0, NULL, 0), in, len);
    b.p[0] = (unsigned char)(a >> 24);
    b.p[1] = (unsigned char)(a >> 16);
    b.p[2] = (unsigned char)(a >> 8);
    b.p[3] = (unsigned char)a;
    return (size_t)(b.p + 4 - out);
}
