/* workload.h - the workload file (SPEC section 3), loaded and validated. */
#ifndef OMB_CONFIG_WORKLOAD_H
#define OMB_CONFIG_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum omb_key_distributor {
    OMB_KEYS_NO_KEY,
    OMB_KEYS_ROUND_ROBIN, /* KEY_ROUND_ROBIN, alias ROUND_ROBIN */
    OMB_KEYS_RANDOM_NANO, /* RANDOM_NANO, alias RANDOM */
};

struct omb_workload {
    char *path;      /* the file as given */
    char *base_name; /* file name without directory and .yaml/.yml, for result names */
    char *name;
    int64_t topics; /* with existing_topics: their number */
    int64_t partitions_per_topic;
    /* existingTopicList (from Redpanda's fork): the run uses these topics, which exist
     * already, and never deletes them; NULL when omb creates its own (docs/design.md,
     * "Runs on existing topics"). */
    char **existing_topics;
    /* partitionsPerTopic was in the file: with existing topics, a count to check against
     * the broker's; without it, the broker's count is used. */
    bool partitions_given;
    enum omb_key_distributor key_distributor;
    int64_t message_size;
    char *payload_file; /* resolved path that exists, or NULL */
    bool use_randomized_payloads;
    double random_bytes_ratio;
    int64_t randomized_payload_pool_size;
    int64_t subscriptions_per_topic;
    int64_t producers_per_topic;
    int64_t consumer_per_subscription;
    double producer_rate; /* total msg/s over all producers; 0 = maximum-rate search */
    double consumer_backlog_size_gb;
    double backlog_drain_ratio;
    double test_duration_minutes;
    double warmup_duration_minutes;
};

/**
 * Loads and validates a workload file (SPEC section 3): unknown keys (with the closest
 * valid key), wrong types, out-of-range values, consumerBacklogSizeGB > 0 with
 * producerRate 0, a payload file that is missing or whose size differs from messageSize.
 * payloadFile is resolved relative to the workload file's directory, then the working
 * directory; the stored payload_file is absolute. Returns 0, or -1 with one sentence in
 * @p err ("w.yaml line 4: ...", "cannot read workload file 'x': ..."). @p out is
 * overwritten (defaults first); on error it holds nothing to free. The choices behind the
 * rules (bounds, strict numbers, produce-only) are listed at the top of workload.c.
 */
int omb_workload_load(const char *path, struct omb_workload *out, char *err, size_t errlen);
void omb_workload_free(struct omb_workload *w); /* NULL-safe, frees members only */

const char *omb_key_distributor_name(enum omb_key_distributor k); /* "NO_KEY", ... */

#endif
