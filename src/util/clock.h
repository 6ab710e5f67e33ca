/* clock.h - the one clock omb measures with. */
#ifndef OMB_UTIL_CLOCK_H
#define OMB_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * omb time is "epoch nanoseconds read from CLOCK_MONOTONIC": a monotonic clock shifted once,
 * at start-up, so that it reads wall-clock time. It never jumps when NTP steps the wall
 * clock mid-run (which would corrupt latencies), yet timestamps written into messages can be
 * compared across processes and machines as wall-clock time (end-to-end latency).
 *
 * omb_clock_init() must run once before any thread reads the clock; it is idempotent.
 *
 * Test only: OMB_TEST_CLOCK_OFFSET_MS (a number of ms, may be negative or fractional) shifts
 * this process's clock by that much, as if its machine's clock were wrong, so that two
 * workers on one machine can show the clock-offset correction of a distributed run. A value
 * that is not a number is ignored with a warning on stderr.
 */
void omb_clock_init(void);

extern int64_t omb_clock_offset_ns; /* wall - monotonic, set by omb_clock_init() */

/** Now, in epoch nanoseconds (see above). Any thread; about 20 ns (vDSO). */
static inline int64_t omb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec + omb_clock_offset_ns;
}

/** Sleeps until epoch-ns time @p when (returns at once if it has passed). */
void omb_sleep_until_ns(int64_t when);

/** Sleeps @p ns nanoseconds. */
void omb_sleep_ns(int64_t ns);

#endif
