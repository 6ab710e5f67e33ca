/* clock.c - monotonic clock aligned to wall-clock time once (see clock.h). */
#include "util/clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int64_t omb_clock_offset_ns;

/* OMB_TEST_CLOCK_OFFSET_MS (see clock.h): a skew injected for tests, in ns. */
static int64_t test_offset_ns(void)
{
    const char *s = getenv("OMB_TEST_CLOCK_OFFSET_MS");
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    double ms = strtod(s, &end);
    if (errno || *end || !isfinite(ms) || fabs(ms) > 1e9) {
        fprintf(stderr, "omb: OMB_TEST_CLOCK_OFFSET_MS='%s' is not a number of ms; ignored\n", s);
        return 0;
    }
    return (int64_t)(ms * 1e6);
}

void omb_clock_init(void)
{
    static int done;
    if (done) return;
    struct timespec wall, mono;
    clock_gettime(CLOCK_REALTIME, &wall);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    omb_clock_offset_ns = ((int64_t)wall.tv_sec - mono.tv_sec) * 1000000000LL +
                          ((int64_t)wall.tv_nsec - mono.tv_nsec);
    omb_clock_offset_ns += test_offset_ns();
    done = 1;
}

void omb_sleep_until_ns(int64_t when)
{
    int64_t mono = when - omb_clock_offset_ns;
    if (mono <= 0) return;
    struct timespec ts = {.tv_sec = mono / 1000000000LL, .tv_nsec = mono % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

void omb_sleep_ns(int64_t ns)
{
    if (ns > 0) omb_sleep_until_ns(omb_now_ns() + ns);
}
