/* zpages.c - see zpages.h. */
#include "util/zpages.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Below this a plain memset is cheaper than a system call and a later page fault. */
#define ZERO_BY_MADVISE_MIN (64 * 1024)

static size_t page_size(void)
{
    long v = sysconf(_SC_PAGESIZE);
    return v > 0 ? (size_t)v : 4096;
}

void *omb_zpages_alloc(size_t bytes)
{
    if (bytes == 0) return NULL;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void omb_zpages_free(void *p, size_t bytes)
{
    if (p) munmap(p, bytes);
}

/* The whole pages inside [p, p + bytes): *first (page-aligned) and the length, 0 if none. */
static size_t inner_pages(void *p, size_t bytes, uintptr_t *first)
{
    size_t ps = page_size();
    uintptr_t start = (uintptr_t)p, end = start + bytes;
    uintptr_t lo = (start + ps - 1) & ~(uintptr_t)(ps - 1), hi = end & ~(uintptr_t)(ps - 1);
    *first = lo;
    return hi > lo ? hi - lo : 0;
}

void omb_zpages_release(void *p, size_t bytes)
{
    uintptr_t first;
    size_t n = inner_pages(p, bytes, &first);
    if (n) madvise((void *)first, n, MADV_DONTNEED);
}

void omb_zpages_zero(void *p, size_t bytes)
{
    if (bytes < ZERO_BY_MADVISE_MIN) {
        memset(p, 0, bytes);
        return;
    }
    uintptr_t first, start = (uintptr_t)p, end = start + bytes;
    size_t n = inner_pages(p, bytes, &first);
    memset(p, 0, first - start);
    /* Private anonymous memory reads back as zeros after MADV_DONTNEED. */
    if (madvise((void *)first, n, MADV_DONTNEED) != 0) memset((void *)first, 0, n);
    memset((void *)(first + n), 0, end - (first + n));
}
