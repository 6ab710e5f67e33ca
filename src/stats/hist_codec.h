/* hist_codec.h - HdrHistogram "V2" encodings of an omb_hist, as OMB workers exchange them. */
#ifndef OMB_STATS_HIST_CODEC_H
#define OMB_STATS_HIST_CODEC_H

#include <stddef.h>

#include "stats/hist.h"

/*
 * Byte-compatible with HdrHistogram Java 2.1.12 encodeIntoByteBuffer() /
 * encodeIntoCompressedByteBuffer() and their decoders (and with HdrHistogram_c).
 *
 * V2 encoding ("inner"), all integers big-endian:
 *   int32  cookie 0x1c849313
 *   int32  payload length in bytes (the counts below)
 *   int32  normalizingIndexOffset (0)
 *   int32  numberOfSignificantValueDigits
 *   int64  lowestDiscernibleValue
 *   int64  highestTrackableValue
 *   double integerToDoubleValueConversionRatio (1.0)
 *   counts[0 .. index(max)] as ZigZag LEB128 (at most 9 bytes, the 9th carrying 8 bits);
 *   a run of N > 1 zero counts is written as the single value -N, a lone zero as 0.
 *
 * V2 compressed ("outer"): int32 cookie 0x1c849314, int32 length of what follows, then
 * the zlib stream (RFC 1950, with header and Adler-32) of the V2 encoding.
 *
 * OMB's worker JSON carries the compressed form as standard padded base64.
 *
 * The `clamped` counter is not part of the format (a decoded histogram has clamped == 0).
 * Decoders take untrusted input: every length and count is checked, errors are reported
 * in @p err, memory is bounded by the histogram geometry (at most ~6.2M counts, 50 MB of
 * mostly untouched calloc'd memory) and never by a length the input claims. Any thread;
 * functions keep no state.
 */

#define OMB_HIST_V2_COOKIE            0x1c849313
#define OMB_HIST_V2_COMPRESSED_COOKIE 0x1c849314

/** zlib levels for the compressed encoding. Any of them decodes everywhere (Java, C):
 *  - OMB_HIST_ZLIB_DEFAULT: Java's Deflater.DEFAULT_COMPRESSION (zlib level 6), what OMB's
 *    Java workers send; omb's output is then byte-identical to Java's. Slow on full
 *    histograms (150 ms for 1M non-zero counts, see bench/bench_hist_codec.c).
 *  - 0..9: zlib levels.
 *  - OMB_HIST_ZLIB_FAST: Huffman-only coding (as zlib's Z_HUFFMAN_ONLY, by util/zhuff.c).
 *    ZigZag counts are small bytes with few long repeats, so this is smaller than level 6
 *    and over 40x faster (4x faster than zlib's own Huffman-only mode); what omb's worker
 *    sends. */
#define OMB_HIST_ZLIB_DEFAULT (-1)
#define OMB_HIST_ZLIB_FAST    (-2)

/** V2 (uncompressed) encoding into a new buffer (free() it). Returns 0, -1 out of memory. */
int omb_hist_encode_v2(const struct omb_hist *h, unsigned char **out, size_t *outlen);

/** V2 compressed encoding into a new buffer (free() it). @p zlib_level: see above.
 *  Returns 0, or -1 on a bad level, out of memory or zlib error. */
int omb_hist_encode_compressed(const struct omb_hist *h, int zlib_level, unsigned char **out,
                               size_t *outlen);

/** Decodes a V2 encoding of exactly @p len bytes into a new histogram. Returns 0, or -1
 *  with a message in @p err (may be NULL) and *out NULL. */
int omb_hist_decode_v2(const unsigned char *buf, size_t len, struct omb_hist **out, char *err,
                       size_t errlen);

/** Decodes a V2 compressed encoding of exactly @p len bytes (trailing bytes are an error).
 *  Returns 0, or -1 with a message in @p err and *out NULL. */
int omb_hist_decode_compressed(const unsigned char *buf, size_t len, struct omb_hist **out,
                               char *err, size_t errlen);

/** omb_hist_encode_compressed() as a NUL-terminated base64 string (free() it). */
int omb_hist_encode_compressed_base64(const struct omb_hist *h, int zlib_level, char **out,
                                      size_t *outlen);

/** omb_hist_decode_compressed() of padded base64 text of @p len chars. */
int omb_hist_decode_compressed_base64(const char *b64, size_t len, struct omb_hist **out, char *err,
                                      size_t errlen);

#endif
