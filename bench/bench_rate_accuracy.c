/* bench_rate_accuracy.c - achieved vs target rate at 50 k msg/s on the Kafka mock (one
 * topic of 4 partitions, one producer, one subscription). Target: within 0.5%. */
#include <math.h>

#include "bench_common.h"

int main(int argc, char **argv)
{
    omb_clock_init();
    omb_log_set_level(OMB_LOG_WARN);
    double secs = argc > 1 ? atof(argv[1]) : 20;
    double rates[] = {50000, 10000};
    for (size_t i = 0; i < 2; i++) {
        /* The warm-up covers the consumer's group join (about 3 s on the mock). */
        struct bench_result r = bench_run("name: Kafka\ndriverClass: kafka\nconsumerConfig: |\n"
                                          "  auto.offset.reset=earliest\n",
                                          4, 1, 1, 1024, rates[i], 5, secs, 1);
        double achieved = (double)r.acked / r.seconds;
        printf("kafka mock, target %.0f msg/s, 1 KiB, %.0f s: achieved %.1f msg/s acked "
               "(error %+.3f%%), %.1f msg/s received, e2e p50 %.2f ms\n",
               rates[i], r.seconds, achieved, 100 * (achieved - rates[i]) / rates[i],
               (double)r.received / r.seconds, r.e2e_p50_ms);
    }
    return 0;
}
