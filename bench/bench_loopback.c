/* bench_loopback.c - the harness alone: loopback driver (no client library, no network),
 * full stats (publish latency, delay, end-to-end, corrected), one producer, one sender
 * thread, as fast as it goes. Target: >= 10 M msg/s per sender thread. */
#include "bench_common.h"

int main(int argc, char **argv)
{
    omb_clock_init();
    omb_log_set_level(OMB_LOG_WARN);
    double secs = argc > 1 ? atof(argv[1]) : 5;
    const char *drv = "name: Loopback\ndriverClass: loopback\n";
    for (int subs = 0; subs <= 1; subs++) {
        struct bench_result r = bench_run(drv, 1, 1, subs, 100, 0, 1, secs, 1);
        printf("loopback, 1 sender thread, 100 B, %d subscription(s): %.2f M msg/s sent, "
               "%.2f M msg/s received (%.1f ns per message)\n",
               subs, (double)r.acked / r.seconds / 1e6, (double)r.received / r.seconds / 1e6,
               r.seconds * 1e9 / (double)r.acked);
    }
    return 0;
}
