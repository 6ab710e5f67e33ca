/* test_tools_sweep_file.c - a sweep summary loaded for the charts (tools/sweep_file.h):
 * the figures read back, nulls as NaN, results told apart from summaries, and every bad
 * key named with its path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "tools/sweep_file.h"
#include "tools_testutil.h"

#define STEP                                                                                       \
    "{\"step\":1,\"fraction\":0.5,\"targetRate\":1000,\"resultFile\":\"r.json\","                  \
    "\"status\":\"ok\",\"publishRate\":990.5,\"consumeRate\":990,\"publishErrorRate\":0,"          \
    "\"publishLatency50pct\":1.5,\"publishLatency99pct\":2,\"publishLatency999pct\":3,"            \
    "\"endToEndLatency50pct\":null,\"endToEndLatency99pct\":null,\"endToEndLatency999pct\":null}"
#define DOC(steps)                                                                                 \
    "{\"ombSweep\":1,\"workload\":\"w\",\"complete\":false,\"incompleteReason\":\"cut\","          \
    "\"drivers\":[{\"driver\":\"K\",\"maxRate\":2000,\"error\":null,\"steps\":[" steps "]}]}"

static char dir[512];

static int setup(void **state)
{
    (void)state;
    tt_mkdtemp(dir, sizeof dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmtree(dir);
    return 0;
}

/* Loads @p text from a file; returns what omb_sweep_file_load returned. */
static int load(const char *text, struct omb_sweep_file **sf, char *err, size_t n)
{
    char path[600];
    snprintf(path, sizeof path, "%s/x.sweep", dir);
    tt_write_file(path, text);
    err[0] = '\0';
    return omb_sweep_file_load(path, sf, err, n);
}

static void test_reads_figures(void **state)
{
    (void)state;
    struct omb_sweep_file *sf;
    char err[512];
    assert_int_equal(load(DOC(STEP), &sf, err, sizeof err), 0);
    assert_string_equal(sf->workload, "w");
    assert_false(sf->complete);
    assert_string_equal(sf->incomplete_reason, "cut");
    assert_string_equal(sf->base, "x.sweep");
    assert_int_equal(sf->nd, 1);
    const struct omb_sweep_driver *d = &sf->drivers[0];
    assert_string_equal(d->driver, "K");
    assert_true(d->max_rate == 2000 && d->error == NULL && d->n == 1);
    const struct omb_sweep_point *p = &d->steps[0];
    assert_true(p->fraction == 0.5 && p->target_rate == 1000 && p->publish_rate == 990.5);
    assert_true(p->publish[OMB_SWEEP_P50] == 1.5 && p->publish[OMB_SWEEP_P999] == 3);
    assert_true(isnan(p->end_to_end[OMB_SWEEP_P99])); /* null: produce-only */
    assert_string_equal(p->status, "ok");
    assert_string_equal(p->result_file, "r.json");
    omb_sweep_file_free(sf);
}

/* Results (and anything without ombSweep) are not summaries: 1, for the result loader. */
static void test_not_a_sweep(void **state)
{
    (void)state;
    struct omb_sweep_file *sf = (void *)1;
    char err[512];
    assert_int_equal(load("{\"workload\":\"w\",\"publishRate\":[1]}", &sf, err, sizeof err), 1);
    assert_null(sf);
    assert_int_equal(load("not json", &sf, err, sizeof err), 1);
    assert_int_equal(load("[1,2]", &sf, err, sizeof err), 1);
    omb_sweep_file_free(NULL);
}

static void test_bad_keys_named(void **state)
{
    (void)state;
    static const struct {
        const char *doc, *says;
    } bad[] = {
        {"{\"ombSweep\":2}", "ombSweep is not 1"},
        {"{\"ombSweep\":\"1\"}", "ombSweep is not 1"},
        {"{\"ombSweep\":1,\"complete\":true,\"drivers\":[]}", "workload is not a string"},
        {"{\"ombSweep\":1,\"workload\":\"w\",\"drivers\":[]}", "complete is not true or false"},
        {"{\"ombSweep\":1,\"workload\":\"w\",\"complete\":true,\"drivers\":{}}",
         "drivers is not an array"},
        {"{\"ombSweep\":1,\"workload\":\"w\",\"complete\":true,\"drivers\":[3]}",
         "drivers[0] is not an object"},
        {"{\"ombSweep\":1,\"workload\":\"w\",\"complete\":true,\"drivers\":[{\"driver\":\"K\"}]}",
         "drivers[0].steps is not an array"},
        {DOC("{\"fraction\":\"half\"}"), "drivers[0].steps[0].fraction is not a number"},
        {DOC(STEP ",{\"fraction\":1,\"targetRate\":2,\"status\":\"ok\",\"publishRate\":\"x\"}"),
         "drivers[0].steps[1].publishRate is not a number or null"},
        {DOC("{\"fraction\":1,\"targetRate\":2,\"publishRate\":1}"),
         "drivers[0].steps[0].status is not a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct omb_sweep_file *sf;
        char err[512];
        assert_int_equal(load(bad[i].doc, &sf, err, sizeof err), -1);
        assert_null(sf);
        if (!strstr(err, bad[i].says) || !strstr(err, "x.sweep: "))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].says);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_keys_named, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
