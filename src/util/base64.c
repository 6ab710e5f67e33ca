/* base64.c - RFC 4648 padded base64, strict on input. */
#include "util/base64.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t omb_base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

size_t omb_base64_encode_to(char *dst, const unsigned char *src, size_t n)
{
    char *p = dst;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
        *p++ = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)src[i] << 16;
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = '=';
        *p++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8;
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
        *p++ = '=';
    }
    *p = '\0';
    return (size_t)(p - dst);
}

int omb_base64_encode(const unsigned char *src, size_t n, char **out, size_t *outlen)
{
    *out = NULL;
    if (n > SIZE_MAX / 2) return -1;
    char *s = malloc(omb_base64_encoded_len(n) + 1);
    if (!s) return -1;
    size_t len = omb_base64_encode_to(s, src, n);
    *out = s;
    if (outlen) *outlen = len;
    return 0;
}

/* Alphabet value of each byte, -1 for everything else (including '='): one lookup per
 * character keeps decoding at memory speed. */
/* clang-format off */
static const int8_t sextet_table[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0x00 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0x10 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63, /* 0x20 */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1, /* 0x30 */
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, /* 0x40 */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1, /* 0x50 */
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60 */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1, /* 0x70 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0x80 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0x90 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0xa0 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0xb0 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0xc0 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0xd0 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0xe0 */
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 0xf0 */
};
/* clang-format on */

static int sextet(unsigned char c) { return sextet_table[c]; }

int omb_base64_decode(const char *src, size_t n, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    if (n % 4 != 0) return -1;
    size_t pad = 0;
    if (n >= 4 && src[n - 1] == '=') pad = src[n - 2] == '=' ? 2 : 1;
    size_t len = n / 4 * 3 - pad;
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf) return -2;

    unsigned char *p = buf;
    for (size_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        int a = sextet((unsigned char)src[i]);
        int b = sextet((unsigned char)src[i + 1]);
        int c = last && pad == 2 ? 0 : sextet((unsigned char)src[i + 2]);
        int d = last && pad >= 1 ? 0 : sextet((unsigned char)src[i + 3]);
        if (a < 0 || b < 0 || c < 0 || d < 0) goto bad;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        *p++ = (unsigned char)(v >> 16);
        if (!(last && pad == 2)) *p++ = (unsigned char)(v >> 8);
        if (!(last && pad >= 1)) *p++ = (unsigned char)v;
    }
    *out = buf;
    if (outlen) *outlen = len;
    return 0;
bad:
    free(buf);
    return -1;
}
