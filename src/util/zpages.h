/* zpages.h - zero-filled memory straight from the kernel, for large sparse arrays (histogram
 * counts) that must cost only the pages actually written. */
#ifndef OMB_UTIL_ZPAGES_H
#define OMB_UTIL_ZPAGES_H

#include <stddef.h>

/*
 * Why not calloc: glibc serves a large calloc with mmap only while it is above its mmap
 * threshold, and freeing such a block raises that threshold (up to 32 MiB) and the trim
 * threshold to twice it. After omb freed one 21 MB histogram, later histograms came from
 * malloc arenas (where calloc must clear reused memory, touching its pages) and each of
 * glibc's arenas kept up to 42 MB of freed memory. One 12 s run of 10 producers and 40
 * consumers on Kafka at 4,000 msg/s: 655 MiB peak, 264 MiB with the threshold pinned
 * (MALLOC_MMAP_THRESHOLD_). These blocks never pass through malloc, so neither happens,
 * and a page is resident only once something is written to it (a read of an untouched
 * page maps the kernel's shared zero page, which is not counted as resident).
 *
 * Any thread may call these; they keep no state.
 */

/** @p bytes of zeroed memory, page-aligned, no page resident yet; NULL on failure or 0. */
void *omb_zpages_alloc(size_t bytes);

/** Returns a block from omb_zpages_alloc (@p bytes: the size it was asked for). NULL-safe. */
void omb_zpages_free(void *p, size_t bytes);

/** Zeroes @p bytes at @p p inside such a block; whole pages in the range are handed back to
 *  the kernel (resident again only when written), the rest is cleared in place. */
void omb_zpages_zero(void *p, size_t bytes);

/** Hands the whole pages inside [@p p, @p p + @p bytes) back to the kernel: they read as
 *  zeros and are resident again only when written. Bytes of partial pages at either end are
 *  left alone, so another thread may be writing next to the range. */
void omb_zpages_release(void *p, size_t bytes);

#endif
