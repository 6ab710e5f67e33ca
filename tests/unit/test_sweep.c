/* test_sweep.c - the sweep's --fractions parsing and workload check (coordinator/sweep.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "coordinator/sweep.h"

static int parse(const char *s, struct omb_sweep_options *o, char *err, size_t n)
{
    omb_sweep_options_default(o);
    err[0] = '\0';
    return omb_sweep_parse_fractions(s, o, err, n);
}

static void test_defaults(void **state)
{
    (void)state;
    struct omb_sweep_options o;
    omb_sweep_options_default(&o);
    assert_int_equal(o.nfractions, 5);
    assert_true(o.fractions[0] == 0.25 && o.fractions[4] == 1.0);
    assert_true(o.warmup_minutes < 0); /* the workload's own */
    assert_true(o.max_rate == 0);      /* a search */
}

static void test_good_lists(void **state)
{
    (void)state;
    struct omb_sweep_options o;
    char err[256];
    assert_int_equal(parse("0.1,0.5,1,1.5", &o, err, sizeof err), 0);
    assert_int_equal(o.nfractions, 4);
    assert_true(o.fractions[0] == 0.1 && o.fractions[3] == 1.5);
    assert_int_equal(parse("1", &o, err, sizeof err), 0);
    assert_int_equal(o.nfractions, 1);
}

/* Each bad list is refused with a sentence that quotes the bad element. */
static void test_bad_lists(void **state)
{
    (void)state;
    static const struct {
        const char *in, *says;
    } bad[] = {
        {"", "element 1 is empty"},           {"0.5,,1", "element 2 is empty"},
        {"0.5,", "element 2 is empty"},       {"0", "'0' is not a fraction"},
        {"-0.5", "'-0.5' is not a fraction"}, {"1.6", "'1.6' is not a fraction"},
        {"nan", "'nan' is not a fraction"},   {"inf", "'inf' is not a fraction"},
        {"0.5x", "'0.5x' is not a fraction"}, {"half", "'half' is not a fraction"},
        {"0.5,0.25", "must increase"},        {"0.5,0.5", "must increase"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct omb_sweep_options o;
        char err[256];
        assert_int_equal(parse(bad[i].in, &o, err, sizeof err), -1);
        if (!strstr(err, bad[i].says))
            fail_msg("'%s': '%s' lacks '%s'", bad[i].in, err, bad[i].says);
    }
    /* More than the limit. */
    char many[512] = "";
    for (int i = 1; i <= OMB_SWEEP_MAX_FRACTIONS + 1; i++) {
        char one[16];
        snprintf(one, sizeof one, "%s%g", i > 1 ? "," : "", i * 0.01);
        strcat(many, one);
    }
    struct omb_sweep_options o;
    char err[256];
    assert_int_equal(parse(many, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than"));
}

static void test_backlog_refused(void **state)
{
    (void)state;
    struct omb_workload w = {.path = "w.yaml", .consumer_backlog_size_gb = 1};
    char err[256];
    assert_int_equal(omb_sweep_check_workload(&w, err, sizeof err), -1);
    assert_non_null(strstr(err, "w.yaml: consumerBacklogSizeGB"));
    w.consumer_backlog_size_gb = 0;
    assert_int_equal(omb_sweep_check_workload(&w, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_lists),
        cmocka_unit_test(test_bad_lists),
        cmocka_unit_test(test_backlog_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
