/* fuzz_zhuff.c - libFuzzer target: omb's Huffman-only zlib coder on arbitrary bytes. zlib's
 * inflate must give the same bytes back, and the output must fit omb_zhuff_bound(). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/zhuff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t bound = omb_zhuff_bound(size);
    unsigned char *z = malloc(bound), *back = malloc(size + 1);
    if (!z || !back) abort();
    size_t zlen = omb_zhuff_compress(data, size, z);
    if (zlen > bound) abort();
    uLongf backlen = (uLongf)size + 1;
    if (uncompress(back, &backlen, z, (uLong)zlen) != Z_OK) abort();
    if (backlen != size || (size && memcmp(back, data, size) != 0)) abort();
    free(z);
    free(back);
    return 0;
}
