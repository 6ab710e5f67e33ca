/* test_summary.c - the summary table of `omb run` (tools/summary.c): exact layout of a small
 * table, every line within the width whatever the names and numbers, columns aligned, and
 * rows read from the result fixtures (tests/data/results/README.md):
 *   omb-kafka-a.json   publishRate [1000, 2000, 3000] -> 2000; consumeRate [990, 2010, 3000]
 *                      -> 2000; targetRate 2000; totals 60000 / 120000 / 5 errors;
 *                      publish latency p50 2.0, p99 5.0, p99.9 7.5, max 10.0 ms
 *   omb-fixture-b.json publishRate [500, 500], consumeRate [500, 0] -> 250; totals 5000 /
 *                      2500; p50 1, p99 2, p99.9 2, max 2 ms; incomplete: "interrupted"
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "tools/result_file.h"
#include "tools/summary.h"
#include "tools_testutil.h"

static struct omb_summary_row plain_row(const char *workload, const char *driver)
{
    struct omb_summary_row r;
    omb_summary_row_none(&r, workload, driver, NULL);
    r.target = 10000;
    r.pub_rate = 9998.4;
    r.cons_rate = 19997;
    r.sent = 600000;
    r.received = 1200000;
    r.errors = 0;
    r.p50 = 2.154;
    r.p99 = 31.04;
    r.p999 = 250.5;
    r.max = 0.004;
    r.delivery = OMB_SUMMARY_OK;
    return r;
}

/* Code points in a line (the table may cut a UTF-8 name). */
static size_t width_of(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

static void assert_lines_fit(const char *t, size_t width)
{
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl); /* every line ends with a newline */
        if (width_of(p, (size_t)(nl - p)) > width)
            fail_msg("line wider than %zu: %.*s", width, (int)(nl - p), p);
        assert_true(nl == p || nl[-1] != ' '); /* no trailing blanks */
        p = nl + 1;
    }
}

static void test_exact_table(void **state)
{
    (void)state;
    struct omb_summary_row r = plain_row("wl", "Kafka");
    char *t = omb_summary_table("Summary", &r, 1, 120);
    assert_non_null(t);
    assert_string_equal(t, "Summary\n"
                           "workload  driver  target/s  pub/s  cons/s    sent  received  errors"
                           "  p50 ms  p99 ms  p99.9 ms  max ms  delivery\n"
                           "wl        Kafka      10000   9998   19997  600000   1200000       0"
                           "    2.15    31.0     250.5   0.004  ok\n");
    free(t);
}

/* What is unknown is "-"; a search, "search"; the note goes under the table. */
static void test_unknown_and_notes(void **state)
{
    (void)state;
    struct omb_summary_row r[2];
    omb_summary_row_none(&r[0], "wl-a", "Redis", "skipped: Redis has no partitions");
    r[1] = plain_row("wl-b", "Redis");
    r[1].rate_search = true;
    r[1].delivery = OMB_SUMMARY_LOST;
    snprintf(r[1].note, sizeof r[1].note, "incomplete: 3 messages lost");
    char *t = omb_summary_table(NULL, r, 2, 120);
    assert_non_null(t);
    assert_lines_fit(t, 120);
    const char *l1 = strchr(t, '\n') + 1, *l2 = strchr(l1, '\n') + 1;
    assert_true(!strncmp(l1, "wl-a      Redis  ", 17));
    /* Its ten figures and its delivery are "-" */
    size_t dashes = 0;
    for (const char *p = l1; *p != '\n'; p++) dashes += *p == '-' && p[-1] == ' ';
    assert_int_equal(dashes, 11);
    assert_non_null(strstr(l2, "search"));
    assert_non_null(strstr(l2, "LOST\n"));
    assert_non_null(strstr(t, "\n  wl-a on Redis: skipped: Redis has no partitions\n"));
    assert_non_null(strstr(t, "\n  wl-b on Redis: incomplete: 3 messages lost\n"));
    free(t);
}

/* Long names and huge figures: every line within 120, names cut with "~", numbers whole
 * (SI suffixes beyond their columns' digits). */
static void test_fits_width(void **state)
{
    (void)state;
    char longname[120];
    memset(longname, 'w', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct omb_summary_row r[3];
    r[0] = plain_row(longname, "Kafka-exactly-once-with-a-very-long-driver-name");
    r[1] = plain_row("short", "Kafka");
    r[1].target = r[1].pub_rate = r[1].cons_rate = 123456789; /* msg/s */
    r[1].sent = r[1].received = r[1].errors = 1.5e13;
    r[1].p50 = r[1].p99 = r[1].p999 = r[1].max = 43200000; /* 12 h, e2e's ceiling */
    r[1].delivery = OMB_SUMMARY_UNCHECKED;
    r[2] = plain_row("é-ünïcode-wörkload-名前-that-is-long-too-long", "Pulsar");
    snprintf(r[2].note, sizeof r[2].note, "incomplete: %s", longname);
    char *t = omb_summary_table("A title", r, 3, 120);
    assert_non_null(t);
    assert_lines_fit(t, 120);
    assert_non_null(strstr(t, "123.5M"));
    assert_non_null(strstr(t, "15.0T"));
    assert_non_null(strstr(t, "43200000"));
    assert_non_null(strstr(t, "wwwwwwww~"));
    assert_non_null(strstr(t, "~  Pulsar") ? strstr(t, "~  Pulsar") : strstr(t, "~ Pulsar"));
    /* A wider terminal shows more of the names. */
    char *wide = omb_summary_table("A title", r, 3, 200);
    assert_lines_fit(wide, 200);
    assert_true(strlen(strchr(wide, '\n')) > strlen(strchr(t, '\n')));
    free(wide);
    free(t);
}

/* Right edges of the number columns line up with their headers in every row. */
static void test_aligned(void **state)
{
    (void)state;
    struct omb_summary_row r[2] = {plain_row("a", "Kafka"), plain_row("bbbbbbbbbbbb", "NATS")};
    r[1].sent = 7;
    r[1].p999 = 1234.5;
    char *t = omb_summary_table(NULL, r, 2, 120);
    assert_non_null(t);
    char *h = t, *l1 = strchr(h, '\n') + 1, *l2 = strchr(l1, '\n') + 1;
    size_t end_sent = (size_t)(strstr(h, "sent") - h) + 4;
    assert_int_equal((size_t)(strstr(l1, "600000") - l1) + 6, end_sent);
    assert_int_equal((size_t)(strstr(l2, " 7 ") - l2) + 2, end_sent);
    size_t end_p999 = (size_t)(strstr(h, "p99.9 ms") - h) + 8;
    assert_int_equal((size_t)(strstr(l1, "250.5") - l1) + 5, end_p999);
    assert_int_equal((size_t)(strstr(l2, "1234") - l2) + 4, end_p999); /* 1234.5 -> "1234" */
    size_t start_delivery = (size_t)(strstr(h, "delivery") - h);
    assert_int_equal((size_t)(strstr(l2, "ok\n") - l2), start_delivery);
    free(t);
}

static void load_row(const char *name, struct omb_summary_row *row)
{
    char path[PATH_MAX], err[1024];
    tt_path(path, sizeof path, "%s/tests/data/results/%s", tt_source(), name);
    struct omb_result_file *rf = NULL;
    if (omb_result_file_load(path, &rf, err, sizeof err) != 0) fail_msg("%s", err);
    omb_summary_row_from_result(rf, row);
    omb_result_file_free(rf);
}

static void test_row_from_result(void **state)
{
    (void)state;
    struct omb_summary_row r;
    load_row("omb-kafka-a.json", &r);
    assert_string_equal(r.workload, "fixture-a");
    assert_string_equal(r.driver, "Kafka-A");
    assert_false(r.rate_search);
    assert_float_equal(r.target, 2000, 1e-9);
    assert_float_equal(r.pub_rate, 2000, 1e-9);
    assert_float_equal(r.cons_rate, 2000, 1e-9);
    assert_float_equal(r.sent, 60000, 0);
    assert_float_equal(r.received, 120000, 0);
    assert_float_equal(r.errors, 5, 0);
    assert_float_equal(r.p50, 2.0, 0);
    assert_float_equal(r.p99, 5.0, 0);
    assert_float_equal(r.p999, 7.5, 0);
    assert_float_equal(r.max, 10.0, 0);
    assert_int_equal(r.delivery, OMB_SUMMARY_UNCHECKED); /* the fixture has no omb.delivery */
    assert_string_equal(r.note, "");

    load_row("omb-fixture-b.json", &r); /* with its sidecar */
    assert_float_equal(r.pub_rate, 500, 1e-9);
    assert_float_equal(r.cons_rate, 250, 1e-9);
    assert_float_equal(r.sent, 5000, 0);
    assert_float_equal(r.received, 2500, 0);
    assert_true(isnan(r.errors)); /* not in this sidecar: "-" */
    assert_float_equal(r.max, 2, 0);
    assert_string_equal(r.note, "incomplete: interrupted");

    load_row("java-kafka.json", &r); /* Java OMB: no totals, no target, no delivery check */
    assert_true(isnan(r.sent) && isnan(r.target));
    assert_float_equal(r.pub_rate, 2500.5, 1e-9);
    assert_int_equal(r.delivery, OMB_SUMMARY_UNCHECKED);
}

/* omb.delivery and workloadConfig in a sidecar of our own. */
static void test_delivery_words(void **state)
{
    (void)state;
    char dir[TT_DIRLEN], res[PATH_MAX], side[PATH_MAX], err[1024];
    tt_mkdtemp(dir, sizeof dir);
    tt_path(res, sizeof res, "%s/r.json", dir);
    tt_path(side, sizeof side, "%s/r.omb", dir);
    tt_write_file(res, "{\"workload\": \"w\", \"driver\": \"d\", \"publishRate\": [1]}");
    static const struct {
        const char *omb;
        enum omb_summary_delivery want;
    } cases[] = {
        {"{\"delivery\": [{\"missing\": 0, \"duplicates\": 0}]}", OMB_SUMMARY_OK},
        {"{\"delivery\": [{\"missing\": 0, \"duplicates\": 0}, {\"missing\": 0, \"duplicates\": "
         "3}]}",
         OMB_SUMMARY_DUPLICATES},
        {"{\"delivery\": [{\"missing\": 2, \"duplicates\": 3}]}", OMB_SUMMARY_LOST},
        {"{\"deliveryNotChecked\": \"interrupted\"}", OMB_SUMMARY_UNCHECKED},
        {"{\"delivery\": [], \"workloadConfig\": {\"subscriptionsPerTopic\": 0}}",
         OMB_SUMMARY_NO_SUBS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "{\"omb\": %s}", cases[i].omb);
        tt_write_file(side, text);
        struct omb_result_file *rf = NULL;
        if (omb_result_file_load(res, &rf, err, sizeof err) != 0) fail_msg("%s", err);
        struct omb_summary_row r;
        omb_summary_row_from_result(rf, &r);
        omb_result_file_free(rf);
        if (r.delivery != cases[i].want)
            fail_msg("case %zu: %d, not %d", i, r.delivery, cases[i].want);
    }
    tt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_table),     cmocka_unit_test(test_unknown_and_notes),
        cmocka_unit_test(test_fits_width),      cmocka_unit_test(test_aligned),
        cmocka_unit_test(test_row_from_result), cmocka_unit_test(test_delivery_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
