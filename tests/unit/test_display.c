/* test_display.c - the terminal's compact period line and status line (coordinator/display.c):
 * within the width whatever it is, the important parts first and never a part cut in the
 * middle, the figures as given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "coordinator/display.h"

/* A 10 s period: 99,985 sent (9998.5 msg/s), twice that received, 1 MB/s, latencies. */
static struct omb_period period(int64_t errors)
{
    struct omb_period p;
    memset(&p, 0, sizeof p);
    p.seconds = 10;
    p.sent = 99985;
    p.received = 199970;
    p.bytes_sent = 10 * 1048576;
    p.send_errors = errors;
    p.backlog = 1234;
    p.lat[OMB_PUB_LATENCY] =
        (struct omb_latency_summary){.count = 99985, .p50 = 2150, .p99 = 31040, .max = 250500};
    p.lat[OMB_E2E_LATENCY] =
        (struct omb_latency_summary){.count = 199970, .p50 = 400, .p99 = 5000, .max = 12000};
    p.lat[OMB_PUB_DELAY] = (struct omb_latency_summary){.count = 99985, .p99 = 61};
    return p;
}

static void test_period_line_wide(void **state)
{
    (void)state;
    struct omb_period p = period(5);
    char line[512];
    omb_display_period_line(&p, "test", 10000, 300, line, sizeof line);
    assert_string_equal(line, "test pub 9998/10.0k msg/s | cons 20.0k msg/s | pub ms p50 2.15 "
                              "p99 31.0 max 250 | backlog 1234 | err 0.5/s | e2e ms p50 0.400 "
                              "p99 5.00 max 12.0 | 1.0 MB/s | delay us p99 61");
    p = period(0);
    omb_display_period_line(&p, "warmup", 0, 300, line, sizeof line);
    assert_null(strstr(line, "err"));                            /* no errors, no part for them */
    assert_true(!strncmp(line, "warmup pub 9998 msg/s | ", 24)); /* no target: no "/" */
}

/* Every width gives a line within it, made of whole parts of the widest line. */
static void test_period_line_fits(void **state)
{
    (void)state;
    struct omb_period p = period(5);
    char wide[512], line[512];
    omb_display_period_line(&p, "backlog-drain", 10000, 400, wide, sizeof wide);
    for (size_t w = 40; w <= 200; w++) {
        omb_display_period_line(&p, "backlog-drain", 10000, w, line, sizeof line);
        size_t len = strlen(line);
        if (len > w) fail_msg("width %zu: %zu columns: %s", w, len, line);
        assert_true(len > 0);
        assert_memory_equal(line, wide, len); /* a prefix of the widest */
        assert_true(wide[len] == '\0' || !strncmp(wide + len, " | ", 3)); /* of whole parts */
    }
    /* Narrow: the phase and rates stay, the rest goes. */
    omb_display_period_line(&p, "test", 10000, 60, line, sizeof line);
    assert_string_equal(line, "test pub 9998/10.0k msg/s | cons 20.0k msg/s");
}

static void test_status_line(void **state)
{
    (void)state;
    struct omb_status s = {.phase = "test",
                           .elapsed_s = 65,
                           .duration_s = 300,
                           .pub_rate = 9998.4,
                           .target_rate = 10000,
                           .cons_rate = 19996.8,
                           .backlog = 12,
                           .p99_ms = 3.2};
    char line[512];
    omb_display_status_line(&s, 200, line, sizeof line);
    assert_string_equal(line, "test 1:05, 3:55 left | pub 9998/10.0k msg/s | cons 20.0k msg/s | "
                              "backlog 12 | pub p99 3.20 ms");
    /* A phase that ends on a condition has no "left"; unknown figures are "-" or absent. */
    struct omb_status b = {.phase = "backlog-build",
                           .elapsed_s = 3725,
                           .pub_rate = -1,
                           .cons_rate = -1,
                           .backlog = 5000000,
                           .p99_ms = -1};
    omb_display_status_line(&b, 200, line, sizeof line);
    assert_string_equal(line,
                        "backlog-build 1:02:05 | pub - msg/s | cons - msg/s | backlog 5000000");
    /* Never the last column of the terminal. */
    for (size_t w = 40; w <= 120; w++) {
        omb_display_status_line(&s, w, line, sizeof line);
        if (strlen(line) >= w) fail_msg("width %zu: %s", w, line);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_line_wide),
        cmocka_unit_test(test_period_line_fits),
        cmocka_unit_test(test_status_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
