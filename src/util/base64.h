/* base64.h - standard padded base64 (RFC 4648 section 4), as OMB's JSON carries histograms. */
#ifndef OMB_UTIL_BASE64_H
#define OMB_UTIL_BASE64_H

#include <stddef.h>

/** Characters needed to encode @p n bytes, without the terminating NUL. */
size_t omb_base64_encoded_len(size_t n);

/** Encodes @p n bytes into @p dst, which must hold omb_base64_encoded_len(n) + 1 chars;
 *  NUL-terminates. Returns the length written (without the NUL). */
size_t omb_base64_encode_to(char *dst, const unsigned char *src, size_t n);

/** Encodes into a new NUL-terminated string (free() it). Returns 0, or -1 out of memory. */
int omb_base64_encode(const unsigned char *src, size_t n, char **out, size_t *outlen);

/**
 * Decodes padded base64 (alphabet A-Z a-z 0-9 + /, length a multiple of 4, '=' only as the
 * last one or two characters) into a new buffer (free() it; never NULL on success, even for
 * empty input). No whitespace is accepted. Returns 0, -1 on malformed input (then *out is
 * NULL), or -2 out of memory.
 */
int omb_base64_decode(const char *src, size_t n, unsigned char **out, size_t *outlen);

#endif
