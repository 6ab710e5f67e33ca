/* test_wire.c - unit tests of OMB's worker JSON bodies (worker/wire.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "worker/wire.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_topics_info(void **state)
{
    char err[256];
    int t = 0, p = 0;
    char *j = omb_wire_topics_info(3, 16);
    assert_string_equal(j, "{\"numberOfTopics\":3,\"numberOfPartitionsPerTopic\":16}");
    assert_int_equal(omb_wire_parse_topics_info(j, strlen(j), &t, &p, err, sizeof err), 0);
    assert_int_equal(t, 3);
    assert_int_equal(p, 16);
    free(j);
    assert_int_equal(omb_wire_parse_topics_info(S("{\"numberOfTopics\":0,"
                                                  "\"numberOfPartitionsPerTopic\":1}"),
                                                &t, &p, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "numberOfTopics"));
    assert_int_equal(omb_wire_parse_topics_info(S("[1,2]"), &t, &p, err, sizeof err), -1);
    assert_int_equal(omb_wire_parse_topics_info(S("{\"numberOfTopics\":"), &t, &p, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "malformed JSON"));
    /* Duplicate members are refused rather than silently resolved. */
    assert_int_equal(omb_wire_parse_topics_info(S("{\"numberOfTopics\":1,\"numberOfTopics\":2,"
                                                  "\"numberOfPartitionsPerTopic\":1}"),
                                                &t, &p, err, sizeof err),
                     -1);
}

static void test_strings_and_assignment(void **state)
{
    char err[256];
    char *in[] = {"a", "b\"c", "a"};
    char *j = omb_wire_strings(in, 3);
    char **out;
    size_t n;
    assert_int_equal(omb_wire_parse_strings(j, strlen(j), &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(out[1], "b\"c");
    omb_wire_free_strings(out, n);
    free(j);
    assert_int_equal(omb_wire_parse_strings(S("[\"a\",1]"), &out, &n, err, sizeof err), -1);
    assert_int_equal(omb_wire_parse_strings(S("[\"a\\u0000b\"]"), &out, &n, err, sizeof err), -1);

    struct omb_topic_sub ts[] = {{"t1", "s1"}, {"t2", "s2"}};
    j = omb_wire_assignment(ts, 2);
    struct omb_topic_sub *got;
    assert_int_equal(omb_wire_parse_assignment(j, strlen(j), &got, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(got[1].topic, "t2");
    assert_string_equal(got[1].subscription, "s2");
    omb_wire_free_assignment(got, n);
    free(j);
    assert_int_equal(omb_wire_parse_assignment(S("{\"topicsSubscriptions\":[{\"topic\":\"x\"}]}"),
                                               &got, &n, err, sizeof err),
                     -1);
}

static void test_load(void **state)
{
    char err[256];
    unsigned char p1[5] = {1, 2, 3, 4, 5}, p2[5] = {9, 9, 9, 9, 9};
    const unsigned char *ps[] = {p1, p2};
    struct omb_load_spec spec = {
        .payloads = ps, .npayloads = 2, .payload_size = 5, .keys = OMB_KEYS_ROUND_ROBIN};
    char *j = omb_wire_load(&spec, 1234.5);
    assert_non_null(strstr(j, "\"keyDistributorType\":\"KEY_ROUND_ROBIN\""));
    struct omb_wire_load l;
    assert_int_equal(omb_wire_parse_load(j, strlen(j), &l, err, sizeof err), 0);
    assert_int_equal(l.npayloads, 2);
    assert_int_equal(l.payload_size, 5);
    assert_memory_equal(l.payloads[1], p2, 5);
    assert_true(l.rate == 1234.5);
    assert_int_equal(l.keys, OMB_KEYS_ROUND_ROBIN);
    omb_wire_free_load(&l);
    free(j);
    /* payloads of different sizes, a bad key distributor, a negative rate */
    assert_int_equal(
        omb_wire_parse_load(S("{\"payloadData\":[\"AQ==\",\"AQI=\"],\"publishRate\":1}"), &l, err,
                            sizeof err),
        -1);
    assert_int_equal(omb_wire_parse_load(S("{\"payloadData\":[\"AQ==\"],\"publishRate\":1,"
                                           "\"keyDistributorType\":\"X\"}"),
                                         &l, err, sizeof err),
                     -1);
    assert_int_equal(omb_wire_parse_load(S("{\"payloadData\":[\"AQ==\"],\"publishRate\":-1}"), &l,
                                         err, sizeof err),
                     -1);
    double r;
    assert_int_equal(omb_wire_parse_number(S("1e3"), &r, err, sizeof err), 0);
    assert_true(r == 1000);
    assert_int_equal(omb_wire_parse_number(S("\"1\""), &r, err, sizeof err), -1);
}

static void test_stats_round_trip_and_merge(void **state)
{
    char err[256];
    struct omb_stats_view a, sum;
    assert_int_equal(omb_stats_view_init(&a, 5), 0);
    assert_int_equal(omb_stats_view_init(&sum, 5), 0);
    a.counters[OMB_C_SENT] = 10;
    a.counters[OMB_C_BYTES_SENT] = 1000;
    a.totals[OMB_C_SENT] = 50;
    a.totals[OMB_C_RECEIVED] = 40;
    for (int i = 1; i <= 10; i++) omb_hist_record(a.hist[OMB_PUB_LATENCY], i * 1000);
    omb_hist_record(a.hist[OMB_E2E_LATENCY], 3600000000LL);
    omb_hist_record(a.hist[OMB_PUB_LATENCY_CO], 77);
    a.negative[OMB_E2E_LATENCY] = 3;
    a.clamped[OMB_E2E_LATENCY] = 2;

    char *plain = omb_wire_stats(OMB_WIRE_PERIOD, &a, false);
    char *ext = omb_wire_stats(OMB_WIRE_PERIOD, &a, true);
    assert_null(strstr(plain, "omb"));
    assert_non_null(strstr(ext, "ombPublishLatencyCorrected"));
    /* two workers' answers merged */
    assert_int_equal(
        omb_wire_parse_stats_add(OMB_WIRE_PERIOD, plain, strlen(plain), &sum, err, sizeof err), 0);
    assert_int_equal(
        omb_wire_parse_stats_add(OMB_WIRE_PERIOD, ext, strlen(ext), &sum, err, sizeof err), 0);
    assert_int_equal(sum.counters[OMB_C_SENT], 20);
    assert_int_equal(sum.counters[OMB_C_BYTES_SENT], 2000);
    assert_int_equal(sum.totals[OMB_C_SENT], 100);
    assert_int_equal(sum.totals[OMB_C_RECEIVED], 80);
    assert_int_equal(sum.hist[OMB_PUB_LATENCY]->total_count, 20);
    assert_int_equal(omb_hist_max(sum.hist[OMB_PUB_LATENCY]),
                     omb_hist_max(a.hist[OMB_PUB_LATENCY]));
    assert_int_equal(sum.hist[OMB_E2E_LATENCY]->total_count, 2);
    assert_int_equal(sum.hist[OMB_PUB_LATENCY_CO]->total_count, 1); /* only the extended one */
    assert_int_equal(sum.negative[OMB_E2E_LATENCY], 3);             /* idem */
    assert_int_equal(sum.clamped[OMB_E2E_LATENCY], 2);
    free(plain);
    free(ext);

    char *c = omb_wire_stats(OMB_WIRE_COUNTERS, &a, false);
    assert_string_equal(c, "{\"messagesSent\":50,\"messagesReceived\":40,\"messageSendErrors\":0}");
    memset(sum.totals, 0, sizeof sum.totals);
    assert_int_equal(
        omb_wire_parse_stats_add(OMB_WIRE_COUNTERS, c, strlen(c), &sum, err, sizeof err), 0);
    assert_int_equal(sum.totals[OMB_C_RECEIVED], 40);
    free(c);

    assert_int_equal(omb_wire_parse_stats_add(OMB_WIRE_CUMULATIVE,
                                              S("{\"publishLatency\":\"HISTFAAA\","
                                                "\"publishDelayLatency\":\"\","
                                                "\"endToEndLatency\":\"\"}"),
                                              &sum, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "publishLatency"));
    omb_stats_view_free(&a);
    omb_stats_view_free(&sum);
}

/* /omb/existing-topics answers partition counts: exactly as many as topics, each >= 1. */
static void test_counts(void **state)
{
    char err[256];
    int v[] = {3, 1, 16}, got[3] = {0};
    char *body = omb_wire_counts(v, 3);
    assert_string_equal(body, "[3,1,16]");
    assert_int_equal(omb_wire_parse_counts(body, strlen(body), got, 3, err, sizeof err), 0);
    assert_memory_equal(v, got, sizeof v);
    assert_int_equal(omb_wire_parse_counts(body, strlen(body), got, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "2 integers"));
    assert_int_equal(omb_wire_parse_counts("[3,0,1]", 7, got, 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "item 1"));
    assert_int_equal(omb_wire_parse_counts("[3,\"a\",1]", 9, got, 3, err, sizeof err), -1);
    free(body);
}

static void test_delivery_merge(void **state)
{
    char err[256];
    char *topics[] = {"t"};
    int64_t acked[] = {100};
    struct omb_delivery subs[] = {{"t", "s1", 0, 60, false, 0, {0}, 3}}; /* no positions: counted */
    char *producer = omb_wire_delivery(topics, acked, 1, NULL, 0);
    char *consumer1 = omb_wire_delivery(NULL, NULL, 0, subs, 1);
    subs[0].received = 40;
    char *consumer2 = omb_wire_delivery(NULL, NULL, 0, subs, 1);
    struct omb_wire_delivery d = {0};
    assert_int_equal(omb_wire_parse_delivery_add(producer, strlen(producer), &d, err, sizeof err),
                     0);
    assert_int_equal(omb_wire_parse_delivery_add(consumer1, strlen(consumer1), &d, err, sizeof err),
                     0);
    assert_int_equal(omb_wire_parse_delivery_add(consumer2, strlen(consumer2), &d, err, sizeof err),
                     0);
    struct omb_delivery *out;
    size_t n;
    omb_wire_delivery_finish(&d, &out, &n);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].acknowledged, 100);
    assert_int_equal(out[0].received, 100);
    assert_int_equal(out[0].foreign, 6); /* other clients' messages, added over workers */
    assert_false(out[0].positioned);
    assert_int_equal(omb_delivery_missing(&out[0]), 0);
    omb_delivery_free(out, n);
    omb_wire_delivery_free(&d);
    free(producer);
    free(consumer1);
    free(consumer2);
}

/* Two workers' consumers of one subscription, with positions: the coordinator counts the
 * union, so a message both received (a rebalance) counts once and a lost one shows, even
 * though the received counts add up to more than was acknowledged. */
static void test_delivery_positions_merge(void **state)
{
    char err[256];
    char *topics[] = {"t"};
    int64_t acked[] = {120};
    struct omb_delivery a = {"t", "s", 0, 60, true, 60, {0}, 0},
                        b = {"t", "s", 0, 70, true, 60, {0}, 0};
    assert_int_equal(omb_positions_add(&a.positions, 0, 0, 60), 0);
    assert_int_equal(omb_positions_add(&b.positions, 0, 50, 100), 0); /* 50..59 again */
    assert_int_equal(omb_positions_add(&b.positions, 1, 0, 10), 0);   /* 1: 10..19 lost */
    char *bodies[] = {omb_wire_delivery(topics, acked, 1, NULL, 0),
                      omb_wire_delivery(NULL, NULL, 0, &a, 1),
                      omb_wire_delivery(NULL, NULL, 0, &b, 1)};
    struct omb_wire_delivery d = {0};
    for (int i = 0; i < 3; i++)
        assert_int_equal(
            omb_wire_parse_delivery_add(bodies[i], strlen(bodies[i]), &d, err, sizeof err), 0);
    struct omb_delivery *out;
    size_t n;
    omb_wire_delivery_finish(&d, &out, &n);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].received, 130);
    assert_true(out[0].positioned);
    assert_int_equal(out[0].distinct, 110);
    assert_int_equal(omb_delivery_missing(&out[0]), 10);
    assert_int_equal(omb_delivery_duplicates(&out[0]), 20);
    omb_delivery_free(out, n);
    omb_wire_delivery_free(&d);
    for (int i = 0; i < 3; i++) free(bodies[i]);
    omb_positions_free(&a.positions);
    omb_positions_free(&b.positions);

    /* Malformed positions are refused with the place named. */
    static const char *bad[] = {
        "{\"acknowledged\":{},\"received\":[{\"topic\":\"t\",\"subscription\":\"s\","
        "\"received\":1,\"positions\":{\"x\":[[0,1]]}}]}",
        "{\"acknowledged\":{},\"received\":[{\"topic\":\"t\",\"subscription\":\"s\","
        "\"received\":1,\"positions\":{\"0\":[[5,5]]}}]}",
        "{\"acknowledged\":{},\"received\":[{\"topic\":\"t\",\"subscription\":\"s\","
        "\"received\":1,\"positions\":[1]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct omb_wire_delivery x = {0};
        assert_int_equal(omb_wire_parse_delivery_add(bad[i], strlen(bad[i]), &x, err, sizeof err),
                         -1);
        assert_non_null(strstr(err, "positions"));
        omb_wire_delivery_free(&x);
    }
}

static void test_clock_bodies(void **state)
{
    char err[256];
    char *b = omb_wire_clock(1700000000123456789LL, 2147483000, 12);
    int64_t now, k;
    int32_t base;
    assert_int_equal(omb_wire_parse_clock(b, strlen(b), &now, &base, &k, err, sizeof err), 0);
    assert_int_equal(now, 1700000000123456789LL);
    assert_int_equal(base, 2147483000);
    assert_int_equal(k, 12);
    free(b);
    assert_int_equal(omb_wire_parse_clock(S("{\"nowNs\":5,\"producerIdBase\":-1,"
                                            "\"producers\":0}"),
                                          &now, &base, &k, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "producerIdBase"));

    struct omb_clock_peer in[] = {{.base = 7, .count = 3, .offset_ns = -200000000},
                                  {.base = 0, .count = 1, .offset_ns = 5}};
    b = omb_wire_clock_peers(in, 2);
    struct omb_clock_peer *out = NULL;
    size_t n = 0;
    assert_int_equal(omb_wire_parse_clock_peers(b, strlen(b), &out, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(out[i].base, in[i].base);
        assert_int_equal(out[i].count, in[i].count);
        assert_int_equal(out[i].offset_ns, in[i].offset_ns);
    }
    free(out);
    free(b);
    assert_int_equal(omb_wire_parse_clock_peers(S("{\"peers\":[{\"producerIdBase\":1,"
                                                  "\"producers\":1}]}"),
                                                &out, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "peers[0]: 'offsetNs'"));
    assert_int_equal(omb_wire_parse_clock_peers(S("[]"), &out, &n, err, sizeof err), -1);
}

static void test_error_body(void **state)
{
    char *e = omb_wire_error("bad \"thing\"");
    char out[64];
    omb_wire_error_text(e, strlen(e), out, sizeof out);
    assert_string_equal(out, "bad \"thing\"");
    omb_wire_error_text(S("<html>"), out, sizeof out);
    assert_string_equal(out, "");
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topics_info),    cmocka_unit_test(test_strings_and_assignment),
        cmocka_unit_test(test_load),           cmocka_unit_test(test_stats_round_trip_and_merge),
        cmocka_unit_test(test_delivery_merge), cmocka_unit_test(test_delivery_positions_merge),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_error_body),     cmocka_unit_test(test_clock_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
