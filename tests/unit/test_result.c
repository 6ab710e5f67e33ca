/* test_result.c - unit tests of the period line and the result JSON (coordinator/result.c).
 * Expected lines are written by hand from SPEC section 5 (OMB's own format: rates padded to
 * 7 characters, the rest to 4, one decimal); JSON expectations follow OMB's TestResult and
 * HdrHistogram's definitions for known samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/yamldoc.h"
#include "coordinator/result.h"
#include "stats/backlog.h"
#include "stats/hist.h"
#include "stats/recorder.h"
#include "util/clock.h"

/* ---- the period line ---------------------------------------------------------------- */

static void set_summary(struct omb_latency_summary *s, double avg, int64_t p50, int64_t p99,
                        int64_t p999, int64_t max)
{
    memset(s, 0, sizeof *s);
    s->count = 1;
    s->avg = avg;
    s->min = p50;
    s->p50 = p50;
    s->p75 = p50;
    s->p95 = p99;
    s->p99 = p99;
    s->p999 = p999;
    s->p9999 = p999;
    s->max = max;
}

/* Checks that @p line is @p omb_part followed by omb's end-to-end section. */
static void assert_period_line(const char *line, const char *omb_part)
{
    size_t n = strlen(omb_part);
    if (strncmp(line, omb_part, n) != 0)
        fail_msg("period line differs from OMB's:\n got: %s\nwant: %s", line, omb_part);
    const char *rest = line + n;
    static const char e2e[] = " | E2E Latency (ms) ";
    if (strncmp(rest, e2e, sizeof e2e - 1) != 0)
        fail_msg("after OMB's part: \"%s\", expected \"%s...\"", rest, e2e);
}

static void test_period_line_spec_example(void **state)
{
    (void)state;
    /* SPEC section 5's line: 89,830 messages of 1 KiB in 10 s. */
    struct omb_period p;
    memset(&p, 0, sizeof p);
    p.seconds = 10.0;
    p.sent = 89830;
    p.bytes_sent = 89830LL * 1024; /* 8983 msg/s * 1024 B = 8.77 MiB/s */
    p.received = 89830;
    p.bytes_received = 89830LL * 1024;
    p.total_sent = 1000000;
    p.total_received = 1000000;
    p.backlog = 0;
    set_summary(&p.lat[OMB_PUB_LATENCY], 2012.3, 2000, 2500, 6700, 31000);
    set_summary(&p.lat[OMB_PUB_DELAY], 57.1, 57, 61, 65, 1462);
    set_summary(&p.lat[OMB_E2E_LATENCY], 3456.0, 3000, 5000, 7000, 12345);
    char line[2048];
    omb_period_line(&p, line, sizeof line);
    assert_period_line(
        line,
        "Pub rate  8983.0 msg/s /  8.8 MB/s | Pub err     0.0 err/s | Cons rate  8983.0 msg/s /  "
        "8.8 MB/s | Backlog:  0.0 K | Pub Latency (ms) avg:  2.0 - 50%:  2.0 - 99%:  2.5 - 99.9%: "
        " 6.7 - Max: 31.0 | Pub Delay Latency (us) avg: 57.1 - 50%: 57.0 - 99%: 61.0 - 99.9%: "
        "65.0 - Max: 1462.0");
    /* The end-to-end section carries the e2e figures in ms. */
    const char *e2e = strstr(line, " | E2E Latency (ms) ");
    assert_non_null(e2e);
    assert_non_null(strstr(e2e, " 3.5"));
    assert_non_null(strstr(e2e, "12.3"));
    assert_null(strchr(line, '\n'));
}

static void test_period_line_padding_and_wide_values(void **state)
{
    (void)state;
    struct omb_period p;
    memset(&p, 0, sizeof p);
    p.seconds = 2.0;
    p.sent = 5;                     /* 2.5 msg/s */
    p.bytes_sent = 500;             /* 250 B/s: 0.0 MB/s */
    p.send_errors = 3;              /* 1.5 err/s */
    p.received = 250000;            /* 125000.0 msg/s: wider than the pad */
    p.bytes_received = 250000000LL; /* 125,000,000 B/s = 119.2 MiB/s */
    p.backlog = 123456;             /* 123.5 K */
    set_summary(&p.lat[OMB_PUB_LATENCY], 12345.6, 999, 100000, 1234567, 60000000);
    set_summary(&p.lat[OMB_PUB_DELAY], 0.0, 0, 3, 12345, 99999);
    set_summary(&p.lat[OMB_E2E_LATENCY], 0.0, 0, 0, 0, 0);
    char line[2048];
    omb_period_line(&p, line, sizeof line);
    assert_period_line(
        line,
        "Pub rate     2.5 msg/s /  0.0 MB/s | Pub err     1.5 err/s | Cons rate 125000.0 msg/s / "
        "119.2 MB/s | Backlog: 123.5 K | Pub Latency (ms) avg: 12.3 - 50%:  1.0 - 99%: 100.0 - "
        "99.9%: 1234.6 - Max: 60000.0 | Pub Delay Latency (us) avg:  0.0 - 50%:  0.0 - 99%:  "
        "3.0 - 99.9%: 12345.0 - Max: 99999.0");

    /* A zero-length period prints zeros rather than inf or nan. */
    p.seconds = 0;
    omb_period_line(&p, line, sizeof line);
    assert_null(strstr(line, "inf"));
    assert_null(strstr(line, "nan"));
    assert_int_equal(strncmp(line, "Pub rate     0.0 msg/s /  0.0 MB/s", 34), 0);

    /* A small buffer is truncated and terminated, never overrun. */
    char small[40];
    memset(small, 'X', sizeof small);
    omb_period_line(&p, small, 20);
    assert_int_equal(strlen(small), 19);
    assert_int_equal(small[20], 'X');
}

static void test_period_from_view(void **state)
{
    (void)state;
    struct omb_stats_view v;
    assert_int_equal(omb_stats_view_init(&v, OMB_HIST_DEFAULT_DIGITS), 0);
    v.counters[OMB_C_SENT] = 1000;
    v.counters[OMB_C_SEND_ERRORS] = 7;
    v.counters[OMB_C_BYTES_SENT] = 100000;
    v.counters[OMB_C_RECEIVED] = 2000;
    v.counters[OMB_C_BYTES_RECEIVED] = 200000;
    v.totals[OMB_C_SENT] = 5000;
    v.totals[OMB_C_RECEIVED] = 9000;
    for (int64_t x = 1; x <= 10000; x++) omb_hist_record(v.hist[OMB_PUB_LATENCY], x);

    struct omb_period p;
    omb_period_from_view(&v, 10.0, 2, 1234.0, &p);
    assert_int_equal(p.sent, 1000);
    assert_int_equal(p.send_errors, 7);
    assert_int_equal(p.bytes_sent, 100000);
    assert_int_equal(p.received, 2000);
    assert_int_equal(p.bytes_received, 200000);
    assert_int_equal(p.total_sent, 5000);
    assert_int_equal(p.total_received, 9000);
    assert_int_equal(p.backlog, 2 * 5000 - 9000); /* SPEC: subs * totalSent - totalReceived */
    assert_true(p.seconds == 10.0);
    assert_true(p.target_rate == 1234.0);
    /* 1..10000, one each: HdrHistogram's percentiles are the exact order statistics. */
    const struct omb_latency_summary *s = &p.lat[OMB_PUB_LATENCY];
    assert_int_equal(s->count, 10000);
    assert_int_equal(s->min, 1);
    assert_int_equal(s->p50, 5000);
    assert_int_equal(s->p75, 7500);
    assert_int_equal(s->p95, 9500);
    assert_int_equal(s->p99, 9900);
    assert_int_equal(s->p999, 9990);
    assert_int_equal(s->p9999, 9999);
    assert_int_equal(s->max, 10000);
    assert_true(fabs(s->avg - 5000.5) < 1e-9);
    assert_int_equal(p.lat[OMB_E2E_LATENCY].count, 0);

    /* The backlog never goes negative. */
    omb_period_from_view(&v, 10.0, 1, 0, &p);
    assert_int_equal(p.backlog, 0);
    omb_stats_view_free(&v);
}

/* ---- the result JSON ---------------------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/omb-test-result-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char p[512];
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            if (unlink(p) != 0) rmdir(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

/* Names in tmpdir other than @p except (NULL: any), joined by spaces into @p out. */
static int other_files(const char *except1, const char *except2, char *out, size_t n)
{
    int count = 0;
    out[0] = '\0';
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if ((except1 && !strcmp(e->d_name, except1)) || (except2 && !strcmp(e->d_name, except2)))
            continue;
        count++;
        strncat(out, e->d_name, n - strlen(out) - 2);
        strncat(out, " ", n - strlen(out) - 1);
    }
    closedir(d);
    return count;
}

static struct omb_workload test_workload(void)
{
    struct omb_workload w;
    memset(&w, 0, sizeof w);
    w.name = "1-topic-16-partitions-1kb";
    w.path = "workloads/1-topic.yaml";
    w.base_name = "1-topic";
    w.topics = 2;
    w.partitions_per_topic = 16;
    w.key_distributor = OMB_KEYS_NO_KEY;
    w.message_size = 1024;
    w.subscriptions_per_topic = 1;
    w.producers_per_topic = 4;
    w.consumer_per_subscription = 5;
    w.producer_rate = 50000;
    w.backlog_drain_ratio = 1.0;
    w.test_duration_minutes = 15;
    w.warmup_duration_minutes = 1;
    return w;
}

/* Period k of the test result (k = 0, 1, 2): known values in each field. */
static void test_period(int k, struct omb_period *p)
{
    memset(p, 0, sizeof *p);
    p->seconds = 10.0;
    p->sent = 100000 + 1000 * k;
    p->send_errors = k;
    p->bytes_sent = p->sent * 1024;
    p->received = 99000 + 1000 * k;
    p->bytes_received = p->received * 1024;
    p->backlog = 1000 + k;
    struct omb_latency_summary *s = &p->lat[OMB_PUB_LATENCY];
    s->avg = 1234.5 + k;
    s->p50 = 1000 + k;
    s->p75 = 1500 + k;
    s->p95 = 2000 + k;
    s->p99 = 2500 + k;
    s->p999 = 3000 + k;
    s->p9999 = 3500 + k;
    s->max = 4000 + k;
    s = &p->lat[OMB_PUB_DELAY];
    s->avg = 57.1 + k;
    s->p50 = 57 + k;
    s->p75 = 58 + k;
    s->p95 = 59 + k;
    s->p99 = 61 + k;
    s->p999 = 65 + k;
    s->p9999 = 70 + k;
    s->max = 1462 + k;
    s = &p->lat[OMB_E2E_LATENCY];
    s->avg = 5000.25 + k;
    s->p50 = 5000 + k;
    s->p75 = 6000 + k;
    s->p95 = 7000 + k;
    s->p99 = 8000 + k;
    s->p999 = 9000 + k;
    s->p9999 = 9500 + k;
    s->max = 10000 + k;
}

/* The aggregate view: publish 1..10000 us, delay 1..100 us, e2e 1000..2000 us. */
static void test_aggregate(struct omb_stats_view *v)
{
    assert_int_equal(omb_stats_view_init(v, OMB_HIST_DEFAULT_DIGITS), 0);
    for (int64_t x = 1; x <= 10000; x++) omb_hist_record(v->hist[OMB_PUB_LATENCY], x);
    for (int64_t x = 1; x <= 100; x++) omb_hist_record(v->hist[OMB_PUB_DELAY], x);
    for (int64_t x = 1000; x <= 2000; x++) omb_hist_record(v->hist[OMB_E2E_LATENCY], x);
    v->totals[OMB_C_SENT] = 303000;
    v->totals[OMB_C_RECEIVED] = 300000;
}

static json_t *write_and_load(struct omb_result *r, const char *name)
{
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    err[0] = '\0';
    if (omb_result_write(r, path, err, sizeof err) != 0) fail_msg("write failed: %s", err);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) fail_msg("%s does not parse: line %d: %s", path, je.line, je.text);
    assert_true(json_is_object(root));
    return root;
}

static const char *const suffixes[8] = {"Avg",   "50pct",  "75pct",   "95pct",
                                        "99pct", "999pct", "9999pct", "Max"};

/* The sidecar written with @p name ("x.json" -> "x.omb"). */
static json_t *load_sidecar(const char *name)
{
    char path[256], side[300];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    omb_result_sidecar_path(path, side, sizeof side);
    json_error_t je;
    json_t *root = json_load_file(side, JSON_REJECT_DUPLICATES, &je);
    if (!root) fail_msg("sidecar %s does not parse: line %d: %s", side, je.line, je.text);
    assert_true(json_is_object(root));
    return root;
}

/* OMB's TestResult fields (benchmark-framework/src/main/java/io/openmessaging/benchmark/
 * TestResult.java; OMB's versions with the 99999pct fields have these and those). */
static int is_omb_key(const char *k)
{
    static const char *const plain[] = {"workload",
                                        "driver",
                                        "messageSize",
                                        "topics",
                                        "partitions",
                                        "producersPerTopic",
                                        "consumersPerTopic",
                                        "publishRate",
                                        "publishErrorRate",
                                        "consumeRate",
                                        "backlog"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(k, plain[i])) return 1;
    static const char *const fam[] = {
        "publishLatency",           "publishDelayLatency",           "endToEndLatency",
        "aggregatedPublishLatency", "aggregatedPublishDelayLatency", "aggregatedEndToEndLatency"};
    for (size_t f = 0; f < 6; f++) {
        size_t n = strlen(fam[f]);
        if (strncmp(k, fam[f], n)) continue;
        if (f >= 3 && !strcmp(k + n, "Quantiles")) return 1;
        for (int i = 0; i < 8; i++)
            if (!strcmp(k + n, suffixes[i])) return 1;
    }
    return 0;
}

/* The result holds only OMB's fields (OMB's strict reader fails on any other), all 62 of
 * them when @p all; the sidecar none of them. */
static void check_split(json_t *root, json_t *side, int all)
{
    const char *k;
    json_t *v;
    size_t n = 0;
    json_object_foreach(root, k, v)
    {
        if (!is_omb_key(k)) fail_msg("the result has \"%s\", not a field of OMB's TestResult", k);
        n++;
    }
    if (all) assert_int_equal(n, 11 + 3 * 8 + 3 * 9);
    json_object_foreach(side, k, v)
    {
        if (is_omb_key(k)) fail_msg("the sidecar repeats OMB's \"%s\"", k);
    }
}

/* The 8 statistics of summary @p s, in the order of suffixes[]. */
static double stat_of(const struct omb_latency_summary *s, int i)
{
    const double v[8] = {s->avg,         (double)s->p50,  (double)s->p75,   (double)s->p95,
                         (double)s->p99, (double)s->p999, (double)s->p9999, (double)s->max};
    return v[i];
}

static json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v) fail_msg("key \"%s\" missing", key);
    return v;
}

static void assert_real_near(json_t *v, double want, const char *what)
{
    if (!json_is_real(v)) fail_msg("%s: not a real (JSON type %d)", what, (int)json_typeof(v));
    double got = json_real_value(v);
    if (fabs(got - want) > 1e-9 * (fabs(want) + 1))
        fail_msg("%s: %.17g, expected %.17g", what, got, want);
}

static void assert_integer(json_t *v, json_int_t want, const char *what)
{
    if (!json_is_integer(v))
        fail_msg("%s: not an integer (JSON type %d)", what, (int)json_typeof(v));
    if (json_integer_value(v) != want)
        fail_msg("%s: %lld, expected %lld", what, (long long)json_integer_value(v),
                 (long long)want);
}

/* Keys parse as doubles, ascending, last "100.0"; values non-decreasing; returns the map. */
static json_t *check_quantiles(json_t *root, const char *key, int integers)
{
    json_t *map = get(root, key);
    assert_true(json_is_object(map));
    assert_true(json_object_size(map) > 10);
    double prev_key = -1, prev_val = -1;
    const char *k, *last = NULL;
    json_t *v;
    json_object_foreach(map, k, v)
    {
        char *end;
        double kd = strtod(k, &end);
        if (*end != '\0' || end == k) fail_msg("%s: key \"%s\" is not a number", key, k);
        if (!(kd > prev_key))
            fail_msg("%s: key \"%s\" after %.17g: not ascending", key, k, prev_key);
        if (integers ? !json_is_integer(v) : !json_is_real(v))
            fail_msg("%s[\"%s\"]: wrong JSON type %d", key, k, (int)json_typeof(v));
        double vd = json_number_value(v);
        if (vd < prev_val) fail_msg("%s[\"%s\"]: value decreases", key, k);
        prev_key = kd;
        prev_val = vd;
        last = k;
    }
    assert_non_null(last);
    assert_string_equal(last, "100.0");
    return map;
}

static void test_result_json_keys_types_values(void **state)
{
    (void)state;
    struct omb_workload w = test_workload();
    struct omb_result_info info = {.workload = &w,
                                   .driver_name = "Kafka-test",
                                   .driver_file = "drivers/kafka.yaml",
                                   .period_seconds = 10.0,
                                   .start_epoch_ms = 1700000000000LL};
    struct omb_result *r = omb_result_new(&info);
    assert_non_null(r);
    struct omb_period periods[3];
    for (int k = 0; k < 3; k++) {
        test_period(k, &periods[k]);
        omb_result_add_period(r, &periods[k], "test");
    }
    assert_int_equal(omb_result_periods(r), 3);
    struct omb_stats_view agg;
    test_aggregate(&agg);
    omb_result_set_aggregate(r, &agg);

    json_t *root = write_and_load(r, "result.json");
    char others[512];
    if (other_files("result.json", "result.omb", others, sizeof others) != 0)
        fail_msg("left behind: %s", others);
    json_t *side = load_sidecar("result.json");
    check_split(root, side, 1);
    /* omb's figures are in the sidecar. */
    assert_string_equal(json_string_value(get(get(side, "omb"), "resultFile")), "result.json");
    assert_integer(get(side, "totalMessagesSent"), 303000, "totalMessagesSent");
    assert_int_equal(json_array_size(get(side, "publishByteRate")), 3);
    assert_int_equal(json_array_size(get(side, "phase")), 3);
    assert_true(json_is_object(get(side, "aggregatedPublishLatencyCorrectedQuantiles")));
    assert_true(json_is_integer(get(side, "aggregatedEndToEndLatencyCount")));
    json_decref(side);

    /* OMB's scalar keys. */
    assert_string_equal(json_string_value(get(root, "workload")), "1-topic-16-partitions-1kb");
    assert_string_equal(json_string_value(get(root, "driver")), "Kafka-test");
    assert_integer(get(root, "messageSize"), 1024, "messageSize");
    assert_integer(get(root, "topics"), 2, "topics");
    assert_integer(get(root, "partitions"), 16, "partitions");
    assert_integer(get(root, "producersPerTopic"), 4, "producersPerTopic");
    assert_integer(get(root, "consumersPerTopic"), 5,
                   "consumersPerTopic"); /* OMB: consumerPerSubscription */

    /* Per-period arrays. */
    static const char *const rate_keys[] = {"publishRate", "publishErrorRate", "consumeRate",
                                            "backlog"};
    for (size_t i = 0; i < 4; i++) {
        json_t *a = get(root, rate_keys[i]);
        assert_true(json_is_array(a));
        assert_int_equal(json_array_size(a), 3);
    }
    char what[128];
    for (int k = 0; k < 3; k++) {
        snprintf(what, sizeof what, "publishRate[%d]", k);
        assert_real_near(json_array_get(get(root, "publishRate"), k),
                         (double)periods[k].sent / 10.0, what);
        snprintf(what, sizeof what, "publishErrorRate[%d]", k);
        assert_real_near(json_array_get(get(root, "publishErrorRate"), k), k / 10.0, what);
        snprintf(what, sizeof what, "consumeRate[%d]", k);
        assert_real_near(json_array_get(get(root, "consumeRate"), k),
                         (double)periods[k].received / 10.0, what);
        snprintf(what, sizeof what, "backlog[%d]", k);
        assert_integer(json_array_get(get(root, "backlog"), k), 1000 + k, what);
    }

    /* Latency arrays: publish and e2e in ms (reals); publish delay in us (integers). The
     * delay average is checked separately (test_delay_avg_is_a_double). */
    static const struct {
        const char *prefix;
        int series;
        int us;
    } lat[] = {{"publishLatency", OMB_PUB_LATENCY, 0},
               {"publishDelayLatency", OMB_PUB_DELAY, 1},
               {"endToEndLatency", OMB_E2E_LATENCY, 0}};
    for (size_t l = 0; l < 3; l++)
        for (int i = 0; i < 8; i++) {
            char key[64];
            snprintf(key, sizeof key, "%s%s", lat[l].prefix, suffixes[i]);
            json_t *a = get(root, key);
            assert_true(json_is_array(a));
            assert_int_equal(json_array_size(a), 3);
            if (lat[l].us && i == 0) continue;
            for (int k = 0; k < 3; k++) {
                double us = stat_of(&periods[k].lat[lat[l].series], i);
                snprintf(what, sizeof what, "%s[%d]", key, k);
                if (lat[l].us)
                    assert_integer(json_array_get(a, k), (json_int_t)us, what);
                else
                    assert_real_near(json_array_get(a, k), us / 1000.0, what);
            }
        }

    /* Aggregated scalars, from the known samples (HdrHistogram definitions). */
    const double pub_ms[8] = {5.0005, 5.0, 7.5, 9.5, 9.9, 9.99, 9.999, 10.0};
    const double e2e_ms[8] = {1.5, 1.5, 1.75, 1.95, 1.99, 1.999, 2.0, 2.0};
    const json_int_t delay_us[8] = {0 /* avg: see below */, 50, 75, 95, 99, 100, 100, 100};
    for (int i = 0; i < 8; i++) {
        char key[80];
        snprintf(key, sizeof key, "aggregatedPublishLatency%s", suffixes[i]);
        assert_real_near(get(root, key), pub_ms[i], key);
        snprintf(key, sizeof key, "aggregatedEndToEndLatency%s", suffixes[i]);
        assert_real_near(get(root, key), e2e_ms[i], key);
        if (i == 0) continue;
        snprintf(key, sizeof key, "aggregatedPublishDelayLatency%s", suffixes[i]);
        assert_integer(get(root, key), delay_us[i], key);
    }

    /* Quantile maps. */
    json_t *q = check_quantiles(root, "aggregatedPublishLatencyQuantiles", 0);
    assert_real_near(get(q, "100.0"), 10.0, "publish quantile 100.0");
    assert_real_near(get(q, "50.0"), 5.0, "publish quantile 50.0");
    assert_real_near(get(q, "0.01"), 0.001, "publish quantile 0.01"); /* 1 of 10000 */
    q = check_quantiles(root, "aggregatedPublishDelayLatencyQuantiles", 1);
    assert_integer(get(q, "100.0"), 100, "delay quantile 100.0");
    assert_integer(get(q, "50.0"), 50, "delay quantile 50.0");
    assert_integer(get(q, "1.0"), 1, "delay quantile 1.0");
    q = check_quantiles(root, "aggregatedEndToEndLatencyQuantiles", 0);
    assert_real_near(get(q, "100.0"), 2.0, "e2e quantile 100.0");

    json_decref(root);
    omb_stats_view_free(&agg);
    omb_result_free(r);
}

/* Regression test for a bug this test found (src/coordinator/result.c, stat_json, fixed in
 * 3114657): OMB's TestResult declares `List<Double> publishDelayLatencyAvg` and
 * `double aggregatedPublishDelayLatencyAvg` (only the delay percentiles and max are `long`),
 * and WorkloadGenerator stores `publishDelayLatency.getMean()` untruncated. omb wrote both
 * averages as integers truncated toward zero (57.1 -> 57, 50.5 -> 50), so the type and the
 * value differed from OMB's (SPEC section 7: "same keys, units and types as OMB"). */
static void test_delay_avg_is_a_double(void **state)
{
    (void)state;
    struct omb_workload w = test_workload();
    struct omb_result_info info = {.workload = &w, .driver_name = "d", .period_seconds = 10};
    struct omb_result *r = omb_result_new(&info);
    assert_non_null(r);
    struct omb_period p;
    test_period(0, &p); /* delay avg 57.1 us */
    omb_result_add_period(r, &p, "test");
    struct omb_stats_view agg;
    test_aggregate(&agg); /* delay 1..100: mean 50.5 us */
    omb_result_set_aggregate(r, &agg);
    json_t *root = write_and_load(r, "delay-avg.json");
    omb_stats_view_free(&agg);
    omb_result_free(r);
    /* Copies first, so a failure below leaks nothing (clean ASan report). */
    json_t *period_avg = json_deep_copy(json_array_get(get(root, "publishDelayLatencyAvg"), 0));
    json_t *agg_avg = json_deep_copy(get(root, "aggregatedPublishDelayLatencyAvg"));
    json_decref(root);
    int period_ok = json_is_real(period_avg) && fabs(json_real_value(period_avg) - 57.1) < 1e-9;
    int agg_ok = json_is_real(agg_avg) && fabs(json_real_value(agg_avg) - 50.5) < 1e-9;
    char got_period[64], got_agg[64];
    snprintf(got_period, sizeof got_period, "%s %.17g",
             json_is_real(period_avg) ? "real" : "integer", json_number_value(period_avg));
    snprintf(got_agg, sizeof got_agg, "%s %.17g", json_is_real(agg_avg) ? "real" : "integer",
             json_number_value(agg_avg));
    json_decref(period_avg);
    json_decref(agg_avg);
    if (!period_ok || !agg_ok)
        fail_msg("publishDelayLatencyAvg[0] = %s (OMB: real 57.1), "
                 "aggregatedPublishDelayLatencyAvg = %s (OMB: real 50.5)",
                 got_period, got_agg);
}

static void test_empty_result_has_omb_keys(void **state)
{
    (void)state;
    struct omb_workload w = test_workload();
    struct omb_result_info info = {.workload = &w, .driver_name = "d", .period_seconds = 10};
    struct omb_result *r = omb_result_new(&info);
    assert_non_null(r);
    assert_int_equal(omb_result_periods(r), 0);
    omb_result_set_incomplete(r, "interrupted");
    struct omb_delivery d[3] = {
        {.topic = "t0", .subscription = "s0", .acknowledged = 10, .received = 8},
        {.topic = "t1", .subscription = "s1", .acknowledged = 5, .received = 7},
        /* By position: 12 deliveries of 9 distinct messages, so one lost and 3 repeated,
         * which the counts alone (12 >= 10) would hide. */
        {.topic = "t2",
         .subscription = "s2",
         .acknowledged = 10,
         .received = 12,
         .positioned = true,
         .distinct = 9}};
    omb_result_set_delivery(r, d, 3);
    json_t *root = write_and_load(r, "empty.json");
    json_t *side = load_sidecar("empty.json");
    check_split(root, side, 0);
    /* The per-period arrays exist (OMB's scripts index them) and are empty. */
    static const char *const keys[] = {"publishRate",          "publishErrorRate",
                                       "consumeRate",          "backlog",
                                       "publishLatency99pct",  "publishDelayLatency99pct",
                                       "endToEndLatency99pct", "publishLatencyMax"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *a = get(root, keys[i]);
        assert_true(json_is_array(a));
        assert_int_equal(json_array_size(a), 0);
    }
    assert_null(json_object_get(root, "omb"));
    json_t *meta = get(side, "omb");
    assert_true(json_is_false(get(meta, "complete")));
    assert_string_equal(json_string_value(get(meta, "incompleteReason")), "interrupted");
    json_t *del = get(meta, "delivery");
    assert_int_equal(json_array_size(del), 3);
    assert_integer(get(json_array_get(del, 0), "missing"), 2, "missing");
    assert_true(json_is_null(get(json_array_get(del, 0), "distinct")));
    assert_integer(get(json_array_get(del, 1), "missing"), 0, "missing");
    assert_integer(get(json_array_get(del, 1), "duplicates"), 2, "duplicates");
    json_t *d2 = json_array_get(del, 2);
    assert_integer(get(d2, "distinct"), 9, "distinct");
    assert_integer(get(d2, "missing"), 1, "missing");
    assert_integer(get(d2, "duplicates"), 3, "duplicates");
    assert_integer(get(json_array_get(del, 0), "duplicates"), 0, "duplicates");
    assert_integer(get(json_array_get(del, 1), "missing"), 0, "missing");
    assert_integer(get(json_array_get(del, 1), "duplicates"), 2, "duplicates");
    json_decref(side);
    json_decref(root);
    omb_result_free(r);
}

static void test_write_failures(void **state)
{
    (void)state;
    struct omb_workload w = test_workload();
    struct omb_result_info info = {.workload = &w, .driver_name = "d", .period_seconds = 10};
    struct omb_result *r = omb_result_new(&info);
    assert_non_null(r);
    char err[512];

    /* A directory that does not exist. */
    const char *bad = "/nonexistent/dir/x.json";
    err[0] = '\0';
    assert_int_equal(omb_result_write(r, bad, err, sizeof err), -1);
    if (!strstr(err, bad)) fail_msg("error does not name the path: \"%s\"", err);
    assert_non_null(strstr(err, strerror(ENOENT)));
    assert_int_equal(access("/nonexistent/dir", F_OK), -1);

    /* The target is a directory: the temporary file can be written next to it, the rename
     * fails, and the temporary file must be gone afterwards. */
    char dirpath[256];
    snprintf(dirpath, sizeof dirpath, "%s/is-a-dir.json", tmpdir);
    assert_int_equal(mkdir(dirpath, 0755), 0);
    err[0] = '\0';
    assert_int_equal(omb_result_write(r, dirpath, err, sizeof err), -1);
    if (!strstr(err, dirpath)) fail_msg("error does not name the path: \"%s\"", err);
    char others[512];
    if (other_files("is-a-dir.json", NULL, others, sizeof others) != 0)
        fail_msg("temporary file or sidecar left behind: %s", others);
    struct stat st;
    assert_int_equal(stat(dirpath, &st), 0);
    assert_true(S_ISDIR(st.st_mode)); /* untouched */

    /* A successful write replaces an existing file whole. */
    char path[256];
    snprintf(path, sizeof path, "%s/replace.json", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("old content that is not JSON", f);
    fclose(f);
    assert_int_equal(omb_result_write(r, path, err, sizeof err), 0);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    assert_non_null(root);
    json_decref(root);
    snprintf(path, sizeof path, "%s/replace.omb", tmpdir);
    assert_int_equal(unlink(path), 0); /* the sidecar, written with it */
    if (other_files("is-a-dir.json", "replace.json", others, sizeof others) != 0)
        fail_msg("temporary file left behind: %s", others);
    omb_result_free(r);
}

/* Regression test for a bug this test found (src/coordinator/result.c, omb_result_write,
 * fixed in 3114657): errno was captured into `e` right after fsync, before fclose and
 * rename; when everything but the rename succeeded, `e` held whatever errno was before the
 * call (a stale value from unrelated earlier code), and the message reported that instead of
 * the rename's error. Here the target is a directory (rename fails with EISDIR) and errno
 * holds ENOENT from earlier: the message said "No such file or directory". */
static void test_write_error_reports_the_real_cause(void **state)
{
    (void)state;
    struct omb_workload w = test_workload();
    struct omb_result_info info = {.workload = &w, .driver_name = "d", .period_seconds = 10};
    struct omb_result *r = omb_result_new(&info);
    assert_non_null(r);
    char dirpath[256], err[512];
    snprintf(dirpath, sizeof dirpath, "%s/dir-target.json", tmpdir);
    assert_int_equal(mkdir(dirpath, 0755), 0);
    /* What rename(2) says for this target, found independently. */
    char probe[256];
    snprintf(probe, sizeof probe, "%s/probe-file", tmpdir);
    FILE *f = fopen(probe, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(rename(probe, dirpath), -1);
    int rename_errno = errno;
    unlink(probe);

    errno = ENOENT; /* stale, from unrelated earlier code */
    int rc = omb_result_write(r, dirpath, err, sizeof err);
    omb_result_free(r);
    assert_int_equal(rc, -1);
    if (!strstr(err, strerror(rename_errno)))
        fail_msg("error \"%s\" does not give the cause \"%s\"", err, strerror(rename_errno));
}

/* X.json -> X.omb; any other name gets ".omb" added: never a name ending in ".json", which
 * OMB's ResultsToCsv would read. */
static void test_sidecar_path(void **state)
{
    (void)state;
    char b[256];
    omb_result_sidecar_path("out/a-b.json", b, sizeof b);
    assert_string_equal(b, "out/a-b.omb");
    omb_result_sidecar_path("r.txt", b, sizeof b);
    assert_string_equal(b, "r.txt.omb");
    omb_result_sidecar_path(".json", b, sizeof b);
    assert_string_equal(b, ".json.omb");
    omb_result_sidecar_path("x.json.json", b, sizeof b);
    assert_string_equal(b, "x.json.omb");
}

/* SPEC section 5: max(0, subscriptions * sent - received). */
static void test_backlog_formula(void **state)
{
    (void)state;
    assert_int_equal(omb_backlog(1, 100, 40), 60);
    assert_int_equal(omb_backlog(3, 100, 250), 50); /* every subscription's copy */
    assert_int_equal(omb_backlog(2, 100, 230), 0);  /* redeliveries: never negative */
    assert_int_equal(omb_backlog(0, 100, 0), 0);
}

/* The driver file is echoed as omb.driverConfig (every scalar a string), credentials
 * hidden: whole values under a secret key, single lines of a properties block. */
static void test_driver_config_echo_hides_secrets(void **state)
{
    (void)state;
    static const char yaml[] = "name: Kafka-x\n"
                               "driverClass: kafka\n"
                               "replicationFactor: 3\n"
                               "saslPassword: hunter2\n"
                               "commonConfig: |\n"
                               "  bootstrap.servers=b:9092\n"
                               "  sasl.jaas.config=x password=\"p1\";\n"
                               "   ssl.key.password  p2\n"
                               "  token\n"
                               "  sasl.url=https://u:p3@idp/x, http://h:9/p\n"
                               "amqpUris:\n"
                               "  - amqp://guest:p4@localhost:5672/vh\n"
                               "  - amqp://localhost\n"
                               "natsHostUrl: nats://alice:p5@n1:4222,nats://bob@n2:4222\n"
                               "hosts:\n"
                               "  - a\n"
                               "  - b\n";
    char err[256];
    struct omb_yaml_doc *doc =
        omb_yaml_load_string(yaml, sizeof yaml - 1, "d.yaml", err, sizeof err);
    if (!doc) fail_msg("%s", err);
    struct omb_workload w = test_workload();
    struct omb_result_info info = {.workload = &w,
                                   .driver_name = "Kafka-x",
                                   .driver_file = "d.yaml",
                                   .driver_doc = doc->root,
                                   .period_seconds = 10.0,
                                   .start_epoch_ms = 1700000000000LL};
    struct omb_result *r = omb_result_new(&info);
    assert_non_null(r);
    json_decref(write_and_load(r, "drv.json"));
    json_t *side = load_sidecar("drv.json");
    json_t *dc = get(get(side, "omb"), "driverConfig");
    assert_true(json_is_object(dc));
    assert_string_equal(json_string_value(get(dc, "driverClass")), "kafka");
    assert_string_equal(json_string_value(get(dc, "replicationFactor")), "3");
    assert_string_equal(json_string_value(get(dc, "saslPassword")), "(hidden)");
    assert_string_equal(json_string_value(get(dc, "commonConfig")),
                        "bootstrap.servers=b:9092\nsasl.jaas.config=(hidden)\n"
                        " ssl.key.password=(hidden)\ntoken=(hidden)\n"
                        "sasl.url=https://u:(hidden)@idp/x, http://h:9/p\n");
    json_t *uris = get(dc, "amqpUris");
    assert_string_equal(json_string_value(json_array_get(uris, 0)),
                        "amqp://guest:(hidden)@localhost:5672/vh");
    assert_string_equal(json_string_value(json_array_get(uris, 1)), "amqp://localhost");
    assert_string_equal(json_string_value(get(dc, "natsHostUrl")),
                        "nats://alice:(hidden)@n1:4222,nats://bob@n2:4222");
    char *text = json_dumps(side, 0);
    assert_non_null(text);
    if (strstr(text, "hunter2") || strstr(text, "p1") || strstr(text, "p2") ||
        strstr(text, "p3") || strstr(text, "p4") || strstr(text, "p5"))
        fail_msg("a secret reached the sidecar: %s", text);
    free(text);
    assert_int_equal(json_array_size(get(dc, "hosts")), 2);
    json_decref(side);
    omb_result_free(r);
    omb_yaml_free(doc);
}

int main(void)
{
    omb_clock_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_line_spec_example),
        cmocka_unit_test(test_period_line_padding_and_wide_values),
        cmocka_unit_test(test_period_from_view),
        cmocka_unit_test(test_backlog_formula),
        cmocka_unit_test(test_sidecar_path),
        cmocka_unit_test_setup_teardown(test_result_json_keys_types_values, make_tmpdir,
                                        remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_delay_avg_is_a_double, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_driver_config_echo_hides_secrets, make_tmpdir,
                                        remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_empty_result_has_omb_keys, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_write_failures, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_write_error_reports_the_real_cause, make_tmpdir,
                                        remove_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
