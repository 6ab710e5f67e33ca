/* test_zpages.c - unit tests of util/zpages.c: memory that is resident only where written,
 * zeroing and handing pages back, checked page by page with mincore(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/zpages.h"

static size_t ps(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* Pages of [p, p + bytes) in memory. mincore() counts a page mapped to the kernel's shared
 * zero page (read, never written) as in memory too: checks come before any read. */
static size_t resident(const void *p, size_t bytes)
{
    size_t n = (bytes + ps() - 1) / ps(), got = 0;
    unsigned char *vec = malloc(n);
    assert_non_null(vec);
    assert_int_equal(mincore((void *)p, bytes, vec), 0);
    for (size_t i = 0; i < n; i++) got += vec[i] & 1;
    free(vec);
    return got;
}

/* The process's resident pages (/proc/self/statm, second field). */
static long rss_pages(void)
{
    long size = 0, res = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &size, &res), 2);
    fclose(f);
    return res;
}

static void test_untouched_costs_nothing(void **state)
{
    (void)state;
    const size_t bytes = 21u << 20; /* an end-to-end histogram's counts */
    unsigned char *p = omb_zpages_alloc(bytes);
    assert_non_null(p);
    assert_int_equal(resident(p, bytes), 0);
    p[5 * ps() + 3] = 1;
    p[1000 * ps()] = 1;
    assert_int_equal(resident(p, bytes), 2);
    /* Reading maps the shared zero page: zeros, and not counted as the process's memory
     * (the recorder's reader scans untouched counts this way). */
    long before = rss_pages();
    for (size_t i = 0; i < bytes; i += ps())
        if (i != 5 * ps() && i != 1000 * ps()) assert_int_equal(p[i], 0);
#ifndef __SANITIZE_THREAD__
    /* (Under TSan every read also touches the address's shadow memory, which is resident.) */
    assert_true(rss_pages() - before < (long)((2u << 20) / ps()));
#else
    (void)before;
#endif
    omb_zpages_free(p, bytes);
    omb_zpages_free(NULL, bytes); /* NULL-safe */
    assert_null(omb_zpages_alloc(0));
}

static void test_zero_hands_pages_back(void **state)
{
    (void)state;
    const size_t bytes = 64 * ps();
    unsigned char *p = omb_zpages_alloc(bytes);
    assert_non_null(p);
    memset(p, 7, bytes);
    assert_int_equal(resident(p, bytes), 64);
    /* From the middle of page 1 to the middle of page 40: pages 2..39 go back, and every
     * byte of the range reads zero; the bytes around it keep their value. */
    size_t from = ps() + 100, to = 40 * ps() + 100;
    omb_zpages_zero(p + from, to - from);
    assert_int_equal(resident(p, bytes), 64 - 38);
    for (size_t i = 0; i < bytes; i++) assert_int_equal(p[i], i >= from && i < to ? 0 : 7);
    /* Small ranges are cleared in place. */
    omb_zpages_zero(p + 50 * ps() + 1, 10);
    assert_int_equal(p[50 * ps()], 7);
    assert_int_equal(p[50 * ps() + 1], 0);
    assert_int_equal(p[50 * ps() + 11], 7);
    omb_zpages_free(p, bytes);
}

static void test_release_leaves_partial_pages_alone(void **state)
{
    (void)state;
    const size_t bytes = 16 * ps();
    unsigned char *p = omb_zpages_alloc(bytes);
    assert_non_null(p);
    memset(p, 9, bytes);
    omb_zpages_release(p + ps() / 2, 4 * ps()); /* pages 1..3 whole, 0 and 4 partly */
    assert_int_equal(resident(p, bytes), 13);   /* before reading them back */
    assert_int_equal(p[ps() / 2], 9);           /* partial page untouched */
    assert_int_equal(p[4 * ps() + 1], 9);       /* partial page untouched */
    assert_int_equal(p[2 * ps()], 0);           /* a released page reads zero */
    omb_zpages_release(p + 10, 20);             /* inside one page: nothing to release */
    assert_int_equal(p[10], 9);
    omb_zpages_free(p, bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched_costs_nothing),
        cmocka_unit_test(test_zero_hands_pages_back),
        cmocka_unit_test(test_release_leaves_partial_pages_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
