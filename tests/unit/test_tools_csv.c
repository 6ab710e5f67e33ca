/* test_tools_csv.c - `omb csv` (tools/csv.c) and the result loader it shares with charts
 * (tools/result_file.c), on the fixtures in tests/data/results (see the README there for the
 * figures). Expected values are computed by hand from the fixtures:
 *   omb-kafka-a.json  publishRate [1000, 2000, 3000]: min 1000, avg 2000, max 3000,
 *                     std-dev sqrt((1000^2 + 0 + 1000^2) / 3) = 816.496580927726
 *                     consumeRate [990, 2010, 3000]: avg 2000,
 *                     std-dev sqrt((1010^2 + 10^2 + 1000^2) / 3) = sqrt(673400) = 820.6095295571457
 *                     publishErrorRate [0, 0.5, 0]: avg 1/6
 *   java-kafka.json   (Java OMB: no byte rates) publishRate [1500.5, 2500.5, 3500.5]:
 *                     avg 2500.5, byte rate 2500.5 x 1024 = 2560512
 *   omb-fixture-b.json (and its sidecar omb-fixture-b.omb) consumeRate [500, 0]: min 0
 *                     (OMB's tool would say 500), avg 250, std-dev 250
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdbool.h>

#include "tools/result_file.h"
#include "tools/tools.h"
#include "tools_testutil.h"

/* ---- a tiny CSV reader (the fixtures have no quoted commas except where tested) ------- */

#define MAXCOLS 64
#define MAXROWS 16

struct table {
    char *text;
    size_t nrows, ncols;
    char *cell[MAXROWS][MAXCOLS];
};

static void split_csv(struct table *t)
{
    t->nrows = 0;
    char *line = t->text;
    while (line && *line && t->nrows < MAXROWS) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        size_t c = 0;
        char *p = line;
        for (;;) {
            char *comma = strchr(p, ',');
            if (comma) *comma = '\0';
            if (c < MAXCOLS) t->cell[t->nrows][c++] = p;
            if (!comma) break;
            p = comma + 1;
        }
        if (t->nrows == 0) t->ncols = c;
        assert_int_equal(c, t->ncols); /* every row has the header's width */
        t->nrows++;
        line = nl ? nl + 1 : NULL;
    }
}

static int col(const struct table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(t->cell[0][c], name)) return (int)c;
    fail_msg("no column '%s'", name);
    return -1;
}

static const char *cell(const struct table *t, size_t row, const char *name)
{
    return t->cell[row][col(t, name)];
}

static void assert_num(const struct table *t, size_t row, const char *name, double want)
{
    const char *s = cell(t, row, name);
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || fabs(v - want) > 1e-9 * fmax(1, fabs(want)))
        fail_msg("row %zu %s: got '%s', want %.17g", row, name, s, want);
}

static void csv_of_fixtures(struct table *t)
{
    char dir[PATH_MAX], tmp[TT_DIRLEN], out[PATH_MAX];
    tt_path(dir, sizeof dir, "%s/tests/data/results", tt_source());
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(out, sizeof out, "%s/rows.csv", tmp);
    const char *argv[] = {"-o", out, dir};
    char *log = NULL;
    int rc = tt_run(omb_tool_csv_main, 3, argv, &log);
    if (rc != 0) fail_msg("omb csv failed (%d): %s", rc, log);
    free(log);
    t->text = tt_read_file(out);
    assert_non_null(t->text);
    tt_rmtree(tmp);
    split_csv(t);
}

static void test_csv_columns_and_order(void **state)
{
    (void)state;
    struct table t;
    csv_of_fixtures(&t);
    /* OMB's columns first, in OMB's order. */
    static const char *const omb_cols[] = {"topics",
                                           "partitions",
                                           "message-size",
                                           "producers-per-topic",
                                           "consumers-per-topic",
                                           "prod-rate-min",
                                           "prod-rate-avg",
                                           "prod-rate-std-dev",
                                           "prod-rate-max",
                                           "con-rate-min",
                                           "con-rate-avg",
                                           "con-rate-std-dev",
                                           "con-rate-max"};
    for (size_t c = 0; c < sizeof omb_cols / sizeof omb_cols[0]; c++)
        assert_string_equal(t.cell[0][c], omb_cols[c]);
    assert_int_equal(t.nrows, 4); /* header + the three *.json (not old/) */
    /* OMB's order: messageSize (100 first), then topics, partitions; ties by file name. */
    assert_string_equal(cell(&t, 1, "file"), "omb-fixture-b.json");
    assert_string_equal(cell(&t, 2, "file"), "java-kafka.json");
    assert_string_equal(cell(&t, 3, "file"), "omb-kafka-a.json");
    assert_string_equal(cell(&t, 3, "workload"), "fixture-a");
    assert_string_equal(cell(&t, 3, "driver"), "Kafka-A");
    free(t.text);
}

static void test_csv_values(void **state)
{
    (void)state;
    struct table t;
    csv_of_fixtures(&t);
    /* omb-kafka-a.json */
    assert_string_equal(cell(&t, 3, "topics"), "2");
    assert_string_equal(cell(&t, 3, "partitions"), "4");
    assert_string_equal(cell(&t, 3, "message-size"), "1024");
    assert_string_equal(cell(&t, 3, "producers-per-topic"), "1");
    assert_string_equal(cell(&t, 3, "consumers-per-topic"), "2");
    assert_string_equal(cell(&t, 3, "prod-rate-min"), "1000");
    assert_string_equal(cell(&t, 3, "prod-rate-avg"), "2000");
    assert_num(&t, 3, "prod-rate-std-dev", 816.496580927726);
    assert_string_equal(cell(&t, 3, "prod-rate-max"), "3000");
    assert_string_equal(cell(&t, 3, "con-rate-min"), "990");
    assert_string_equal(cell(&t, 3, "con-rate-avg"), "2000");
    assert_num(&t, 3, "con-rate-std-dev", 820.6095295571457);
    assert_string_equal(cell(&t, 3, "con-rate-max"), "3000");
    assert_string_equal(cell(&t, 3, "periods"), "3");
    assert_string_equal(cell(&t, 3, "prod-byte-rate-avg"), "2048000");
    assert_string_equal(cell(&t, 3, "con-byte-rate-avg"), "2048000");
    assert_num(&t, 3, "prod-err-rate-avg", 1.0 / 6);
    assert_string_equal(cell(&t, 3, "backlog-max"), "10");
    assert_string_equal(cell(&t, 3, "pub-latency-avg-ms"), "2.5");
    assert_string_equal(cell(&t, 3, "pub-latency-p99-ms"), "5");
    assert_string_equal(cell(&t, 3, "pub-latency-p99.9-ms"), "7.5");
    assert_string_equal(cell(&t, 3, "pub-latency-max-ms"), "10");
    assert_string_equal(cell(&t, 3, "pub-delay-avg-us"), "60.5");
    assert_string_equal(cell(&t, 3, "pub-delay-p99.99-us"), "410");
    assert_string_equal(cell(&t, 3, "e2e-latency-p50-ms"), "3");
    assert_string_equal(cell(&t, 3, "e2e-latency-p95-ms"), "5");
    assert_string_equal(cell(&t, 3, "e2e-latency-max-ms"), "17");
    assert_string_equal(cell(&t, 3, "messages-sent"), "60000");
    assert_string_equal(cell(&t, 3, "messages-received"), "120000");

    /* java-kafka.json: exact, not rounded to one digit; byte rates from messageSize. */
    assert_string_equal(cell(&t, 2, "prod-rate-min"), "1500.5");
    assert_string_equal(cell(&t, 2, "prod-rate-avg"), "2500.5");
    assert_num(&t, 2, "prod-rate-std-dev", 816.496580927726);
    assert_string_equal(cell(&t, 2, "prod-rate-max"), "3500.5");
    assert_string_equal(cell(&t, 2, "prod-byte-rate-avg"), "2560512");
    assert_string_equal(cell(&t, 2, "con-byte-rate-avg"), "2560000");
    assert_string_equal(cell(&t, 2, "pub-delay-p99-us"), "111");
    assert_string_equal(cell(&t, 2, "messages-sent"), ""); /* Java OMB has no totals */
    assert_string_equal(cell(&t, 2, "driver"), "Kafka-Java");

    /* omb-fixture-b.json: a zero-rate period counts. */
    assert_string_equal(cell(&t, 1, "con-rate-min"), "0");
    assert_string_equal(cell(&t, 1, "con-rate-avg"), "250");
    assert_string_equal(cell(&t, 1, "con-rate-std-dev"), "250");
    assert_string_equal(cell(&t, 1, "prod-rate-std-dev"), "0");
    free(t.text);
}

static void test_csv_stdout_and_quoting(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], p[PATH_MAX];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(p, sizeof p, "%s/a.json", tmp);
    tt_write_file(p, "{\"workload\": \"x, \\\"quoted\\\"\", \"driver\": \"d\", \"topics\": 1,"
                     " \"publishRate\": [1.25, null, \"NaN\", 2.75]}");
    tt_path(p, sizeof p, "%s/notes.txt", tmp); /* not a .json: ignored */
    tt_write_file(p, "hello");
    const char *argv[] = {tmp};
    char *out = NULL;
    int rc = tt_run(omb_tool_csv_main, 1, argv, &out);
    assert_int_equal(rc, 0);
    /* Gaps (null, Java's "NaN") are skipped; a missing series is an empty cell. */
    assert_non_null(strstr(out, "\n1,,,,,1.25,2,0.75,2.75,,,,,\"x, \"\"quoted\"\"\",d,a.json,4,"));
    /* It lacks OMB's keys: said once, on stderr, naming the file. */
    assert_non_null(strstr(out, "a.json lacks OMB's"));
    free(out);
    tt_rmtree(tmp);
}

static void test_csv_errors(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], p[PATH_MAX], outp[PATH_MAX];
    char *out = NULL;
    tt_mkdtemp(tmp, sizeof tmp);

    const char *none[] = {"/nonexistent/omb-results"};
    assert_int_equal(tt_run(omb_tool_csv_main, 1, none, &out), 2);
    assert_non_null(strstr(out, "cannot open results directory '/nonexistent/omb-results'"));
    free(out);

    const char *empty[] = {tmp};
    assert_int_equal(tt_run(omb_tool_csv_main, 1, empty, &out), 2);
    assert_non_null(strstr(out, "no result files"));
    free(out);

    const char *noargs[] = {NULL};
    assert_int_equal(tt_run(omb_tool_csv_main, 0, noargs, &out), 2);
    free(out);

    /* A bad file: exit 2, its name and line, and no output file. */
    tt_path(p, sizeof p, "%s/bad.json", tmp);
    tt_write_file(p, "{\"workload\": \"w\",\n \"publishRate\": [1, 2,\n");
    tt_path(outp, sizeof outp, "%s/out.csv", tmp);
    const char *bad[] = {"-o", outp, tmp};
    assert_int_equal(tt_run(omb_tool_csv_main, 3, bad, &out), 2);
    assert_non_null(strstr(out, "bad.json line"));
    assert_non_null(strstr(out, "not valid JSON"));
    assert_int_equal(access(outp, F_OK), -1);
    free(out);
    tt_rmtree(tmp);
}

/* ---- result_file.c -------------------------------------------------------------------- */

static struct omb_result_file *load_fixture(const char *name)
{
    char p[PATH_MAX], err[1024];
    tt_path(p, sizeof p, "%s/tests/data/results/%s", tt_source(), name);
    struct omb_result_file *rf = NULL;
    if (omb_result_file_load(p, &rf, err, sizeof err) != 0) fail_msg("%s", err);
    return rf;
}

static void test_result_file_java(void **state)
{
    (void)state;
    struct omb_result_file *rf = load_fixture("java-kafka.json");
    assert_false(rf->by_omb);
    assert_string_equal(rf->missing, "");
    assert_string_equal(rf->workload, "fixture-a");
    assert_string_equal(rf->driver, "Kafka-Java");
    double *v = NULL;
    assert_int_equal(omb_result_file_series(rf, "endToEndLatencyAvg", &v), 3);
    assert_true(v[0] == 3.1 && isnan(v[1]) && v[2] == 3.3); /* Java's "NaN" is a gap */
    free(v);
    double *t = omb_result_file_times(rf, 3); /* Java OMB: 10 s periods */
    assert_true(t[0] == 10 && t[1] == 20 && t[2] == 30);
    free(t);
    struct omb_quantile *q = NULL;
    size_t n = omb_result_file_quantiles(rf, "aggregatedPublishLatencyQuantiles", &q);
    assert_int_equal(n, 8);
    for (size_t i = 1; i < n; i++) assert_true(q[i - 1].percentile < q[i].percentile);
    assert_true(fabs(q[4].percentile - 99.90000000000001) < 1e-12 && q[4].value == 6.0);
    assert_true(q[7].percentile == 100.0 && q[7].value == 8.0);
    free(q);
    double d;
    assert_true(omb_result_file_number(rf, "aggregatedPublishDelayLatency99pct", &d));
    assert_true(d == 111);
    assert_false(omb_result_file_number(rf, "totalMessagesSent", &d));
    assert_null(omb_result_file_omb_string(rf, "startTime"));
    omb_result_file_free(rf);

    rf = load_fixture("old/java-old-kafka.json");
    assert_string_equal(rf->missing, "publishErrorRate, publishDelayLatency*, "
                                     "aggregatedPublishDelayLatency*, "
                                     "aggregatedPublishDelayLatencyQuantiles");
    omb_result_file_free(rf);
}

static void test_result_file_omb(void **state)
{
    (void)state;
    /* omb's format: OMB's keys in the .json, omb's figures in the sidecar .omb */
    struct omb_result_file *rf = load_fixture("omb-fixture-b.json");
    assert_true(rf->by_omb);
    assert_non_null(rf->sidecar);
    assert_non_null(strstr(rf->sidecar, "/tests/data/results/omb-fixture-b.omb"));
    assert_string_equal(rf->missing, "");
    double d;
    assert_true(omb_result_file_number(rf, "totalMessagesSent", &d) && d == 5000);
    assert_true(omb_result_file_incomplete(rf));
    assert_string_equal(omb_result_file_omb_string(rf, "startTime"), "2025-01-02T04:00:00Z");
    double *t = omb_result_file_times(rf, 3); /* periodSeconds [5, 5], then omb.periodSeconds */
    assert_true(t[0] == 5 && t[1] == 10 && t[2] == 15);
    free(t);
    omb_result_file_free(rf);

    /* omb's older format: the figures inline, no sidecar. */
    rf = load_fixture("omb-kafka-a.json");
    assert_true(rf->by_omb);
    assert_null(rf->sidecar);
    assert_true(omb_result_file_number(rf, "totalMessagesSent", &d));
    omb_result_file_free(rf);
}

/* A result r.json with the sidecar r.omb holding @p side: loading fails with @p want, and the
 * message names the sidecar. */
static void expect_sidecar_error(const char *side, const char *want)
{
    char tmp[TT_DIRLEN], p[PATH_MAX], err[1024];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(p, sizeof p, "%s/r.omb", tmp);
    tt_write_file(p, side);
    tt_path(p, sizeof p, "%s/r.json", tmp);
    tt_write_file(p, "{\"workload\": \"w\", \"publishRate\": [1, 2]}");
    struct omb_result_file *rf = (void *)1;
    assert_int_equal(omb_result_file_load(p, &rf, err, sizeof err), -1);
    assert_null(rf);
    if (!strstr(err, want) || !strstr(err, "r.omb")) fail_msg("'%s' lacks '%s'", err, want);
    tt_rmtree(tmp);
}

static void test_result_file_sidecar_errors(void **state)
{
    (void)state;
    expect_sidecar_error("{\"omb\": ", "not valid JSON");
    expect_sidecar_error("[1]", "the sidecar of");
    expect_sidecar_error("{\"periodSeconds\": \"x\"}",
                         "'periodSeconds' must be an array of numbers (one per period)");
    expect_sidecar_error("{\"omb\": 3}", "'omb' must be an object");
    /* The sidecar never overrides OMB's keys: the result's own "workload" wins. */
    char tmp[TT_DIRLEN], p[PATH_MAX], err[1024];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(p, sizeof p, "%s/r.omb", tmp);
    tt_write_file(p, "{\"workload\": \"other\", \"omb\": {\"complete\": false}}");
    tt_path(p, sizeof p, "%s/r.json", tmp);
    tt_write_file(p, "{\"workload\": \"w\", \"publishRate\": [1, 2]}");
    struct omb_result_file *rf = NULL;
    if (omb_result_file_load(p, &rf, err, sizeof err) != 0) fail_msg("%s", err);
    assert_string_equal(rf->workload, "w");
    assert_true(rf->by_omb && omb_result_file_incomplete(rf));
    omb_result_file_free(rf);
    tt_rmtree(tmp);
}

static void expect_load_error(const char *text, const char *want)
{
    char tmp[TT_DIRLEN], p[PATH_MAX], err[1024];
    tt_mkdtemp(tmp, sizeof tmp);
    tt_path(p, sizeof p, "%s/r.json", tmp);
    tt_write_file(p, text);
    struct omb_result_file *rf = (void *)1;
    assert_int_equal(omb_result_file_load(p, &rf, err, sizeof err), -1);
    assert_null(rf);
    if (!strstr(err, want) || !strstr(err, "r.json")) fail_msg("'%s' lacks '%s'", err, want);
    tt_rmtree(tmp);
}

static void test_result_file_errors(void **state)
{
    (void)state;
    expect_load_error("[1, 2]", "is not an OMB result: its top level is an array");
    expect_load_error("{\"foo\": 1}", "it has none of OMB's keys");
    expect_load_error("{\"publishRate\": \"fast\"}",
                      "'publishRate' must be an array of numbers (one per period), got a string");
    expect_load_error("{\"publishRate\": [1, true]}",
                      "element 2 of 'publishRate' is a boolean, not a number");
    expect_load_error("{\"workload\": 5}", "'workload' must be a string, got a number");
    expect_load_error("{\"aggregatedPublishLatency99pct\": [1]}",
                      "'aggregatedPublishLatency99pct' must be a number, got an array");
    expect_load_error("{\"aggregatedEndToEndLatencyQuantiles\": {\"p99\": 1}}",
                      "has the key 'p99', which is not a percentile");
    expect_load_error("{\"aggregatedEndToEndLatencyQuantiles\": {\"99\": \"x\"}}",
                      "maps \"99\" to a string, not a number");
    expect_load_error("{\"workload\": \"w\", \"workload\": \"v\"}", "not valid JSON");
    expect_load_error("{\"workload\": \"w\", \"omb\": 3}", "'omb' must be an object");

    char err[1024];
    struct omb_result_file *rf = NULL;
    assert_int_equal(omb_result_file_load("/nonexistent/r.json", &rf, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read result file '/nonexistent/r.json'"));
}

static void test_result_dir_list(void **state)
{
    (void)state;
    char tmp[TT_DIRLEN], p[PATH_MAX], err[256];
    tt_mkdtemp(tmp, sizeof tmp);
    static const char *const names[] = {"b.json", "a.json", ".hidden.json", "c.json.tmp.1",
                                        "x.txt"};
    for (size_t i = 0; i < 5; i++) {
        tt_path(p, sizeof p, "%s/%s", tmp, names[i]);
        tt_write_file(p, "{}");
    }
    tt_path(p, sizeof p, "%s/d.json", tmp);
    mkdir(p, 0700); /* a directory is not a result */
    char **paths = NULL;
    size_t n = 0;
    assert_int_equal(omb_result_dir_list(tmp, &paths, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_non_null(strstr(paths[0], "/a.json"));
    assert_non_null(strstr(paths[1], "/b.json"));
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    tt_rmtree(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_columns_and_order),      cmocka_unit_test(test_csv_values),
        cmocka_unit_test(test_csv_stdout_and_quoting),     cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_result_file_java),           cmocka_unit_test(test_result_file_omb),
        cmocka_unit_test(test_result_file_errors),         cmocka_unit_test(test_result_dir_list),
        cmocka_unit_test(test_result_file_sidecar_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
