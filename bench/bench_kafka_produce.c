/* bench_kafka_produce.c - produce-only maximum rate through omb on librdkafka's in-process
 * mock cluster: one producer, one topic, 100 B and 1 KiB. Target: >= 2 M msg/s at 100 B. */
#include "bench_common.h"

int main(int argc, char **argv)
{
    omb_clock_init();
    omb_log_set_level(OMB_LOG_WARN);
    double secs = argc > 1 ? atof(argv[1]) : 10;
    static const struct {
        const char *label, *yaml;
    } configs[] = {
        {"librdkafka defaults", "name: Kafka\ndriverClass: kafka\n"},
        {"linger.ms=1000 (as rdkafka_performance's figure)",
         "name: Kafka\ndriverClass: kafka\nproducerConfig: |\n  linger.ms=1000\n"
         "  queue.buffering.max.messages=2000000\n  batch.num.messages=100000\n"
         "  batch.size=16000000\n"},
    };
    size_t sizes[] = {100, 1024};
    for (size_t c = 0; c < 2; c++)
        for (size_t s = 0; s < 2; s++) {
            struct bench_result r = bench_run(configs[c].yaml, 1, 1, 0, sizes[s], 0, 2, secs, 1);
            printf("kafka mock, produce-only, 1 producer, %4zu B, %s: %.2f M msg/s acked "
                   "(%.1f MB/s), %lld errors, publish latency p50 %.1f ms p99 %.1f ms\n",
                   sizes[s], configs[c].label, (double)r.acked / r.seconds / 1e6,
                   (double)r.acked * (double)sizes[s] / r.seconds / 1048576, r.errors, r.pub_p50_ms,
                   r.pub_p99_ms);
        }
    return 0;
}
