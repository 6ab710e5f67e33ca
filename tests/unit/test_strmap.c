/* test_strmap.c - the string map: lookups, replacement, growth over many keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/strmap.h"

static void test_empty_and_replace(void **state)
{
    (void)state;
    struct omb_strmap m = {0};
    assert_null(omb_strmap_get(&m, "a"));
    int one = 1, two = 2;
    assert_int_equal(omb_strmap_put(&m, "a", &one), 0);
    assert_ptr_equal(omb_strmap_get(&m, "a"), &one);
    assert_null(omb_strmap_get(&m, "b"));
    assert_int_equal(omb_strmap_put(&m, "a", &two), 0);
    assert_ptr_equal(omb_strmap_get(&m, "a"), &two);
    assert_int_equal(m.n, 1);
    omb_strmap_free(&m);
    assert_null(omb_strmap_get(&m, "a"));
}

/* 100k keys through many doublings: every one found with its own value, none invented. */
static void test_many(void **state)
{
    (void)state;
    enum { N = 100000 };
    char(*names)[16] = calloc(N, sizeof *names);
    assert_non_null(names);
    struct omb_strmap m = {0};
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "topic-%07d", i);
        assert_int_equal(omb_strmap_put(&m, names[i], names[i]), 0);
    }
    assert_int_equal(m.n, N);
    for (int i = 0; i < N; i++) assert_ptr_equal(omb_strmap_get(&m, names[i]), names[i]);
    char other[16];
    snprintf(other, sizeof other, "topic-%07d", N);
    assert_null(omb_strmap_get(&m, other));
    /* A key equal in content but at another address finds the entry. */
    snprintf(other, sizeof other, "topic-%07d", 4242);
    assert_ptr_equal(omb_strmap_get(&m, other), names[4242]);
    omb_strmap_free(&m);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_replace),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
