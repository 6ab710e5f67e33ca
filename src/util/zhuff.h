/* zhuff.h - a zlib stream (RFC 1950) whose deflate blocks (RFC 1951) code every byte as a
 * literal with a Huffman code built for that block: what zlib's Z_HUFFMAN_ONLY strategy
 * makes, written here for speed (about 4x zlib's) since omb's workers compress full
 * histograms every period. Any inflater reads it (zlib, Java's Inflater). */
#ifndef OMB_UTIL_ZHUFF_H
#define OMB_UTIL_ZHUFF_H

#include <stddef.h>

/** Bytes omb_zhuff_compress() may write for @p len input bytes (at most this). */
size_t omb_zhuff_bound(size_t len);

/** Compresses @p len bytes of @p in into @p out, which holds omb_zhuff_bound(len) bytes.
 *  Returns the bytes written. A block that would not shrink is stored instead, so the
 *  output is never much larger than the input. Any thread; no allocation. */
size_t omb_zhuff_compress(const unsigned char *in, size_t len, unsigned char *out);

#endif
