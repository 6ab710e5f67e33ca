/* wire.h - the JSON bodies of OMB's worker HTTP API (SPEC section 8), as Jackson writes and
 * reads them; shared by the worker server (worker/http_worker.c) and the ensemble client
 * (coordinator/ensemble.c). */
#ifndef OMB_WORKER_WIRE_H
#define OMB_WORKER_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "worker/worker.h"

/*
 * Parsers take untrusted bytes (not NUL-terminated) and return 0, or -1 with one sentence
 * in @p err. Unknown JSON members are ignored, as OMB's Jackson mappers do. Nothing they
 * return aliases the input. Any thread; no state.
 */

/** TopicsInfo {"numberOfTopics":n,"numberOfPartitionsPerTopic":p}; n in 1..1e6, p in 1..1e6. */
int omb_wire_parse_topics_info(const char *body, size_t len, int *topics, int *partitions,
                               char *err, size_t errlen);
char *omb_wire_topics_info(int topics, int partitions);

/** ["a","b",...] -> malloc'ed array of malloc'ed strings (omb_wire_free_strings). */
int omb_wire_parse_strings(const char *body, size_t len, char ***out, size_t *n, char *err,
                           size_t errlen);
char *omb_wire_strings(char *const *v, size_t n);
void omb_wire_free_strings(char **v, size_t n);

/** [3,1,...] (omb's /omb/existing-topics answer: partitions per topic): exactly @p n
 *  integers in 1..1e6 into @p out. */
int omb_wire_parse_counts(const char *body, size_t len, int *out, size_t n, char *err,
                          size_t errlen);
char *omb_wire_counts(const int *v, size_t n);

/** ConsumerAssignment {"topicsSubscriptions":[{"topic":..,"subscription":..}]}. */
int omb_wire_parse_assignment(const char *body, size_t len, struct omb_topic_sub **out, size_t *n,
                              char *err, size_t errlen);
char *omb_wire_assignment(const struct omb_topic_sub *ts, size_t n);
void omb_wire_free_assignment(struct omb_topic_sub *ts, size_t n);

/** ProducerWorkAssignment {"payloadData":["<base64>",..],"publishRate":r,
 *  "keyDistributorType":"NO_KEY"}. Every payload must have the same non-zero size. */
struct omb_wire_load {
    unsigned char **payloads;
    size_t npayloads;
    size_t payload_size;
    double rate;
    enum omb_key_distributor keys;
};
int omb_wire_parse_load(const char *body, size_t len, struct omb_wire_load *out, char *err,
                        size_t errlen);
char *omb_wire_load(const struct omb_load_spec *spec, double rate);
void omb_wire_free_load(struct omb_wire_load *l);

/** A bare JSON number (the /adjust-publish-rate body), finite and >= 0. */
int omb_wire_parse_number(const char *body, size_t len, double *out, char *err, size_t errlen);

/*
 * PeriodStats / CumulativeLatencies / CountersStats. @p extended adds omb's members (the
 * corrected histograms, clamped counts, byte totals) that OMB's Java classes do not have;
 * the server sends them only to omb coordinators. Histograms are standard base64 of the V2
 * compressed encoding.
 */
enum omb_wire_stats_kind { OMB_WIRE_PERIOD, OMB_WIRE_CUMULATIVE, OMB_WIRE_COUNTERS };
char *omb_wire_stats(enum omb_wire_stats_kind kind, const struct omb_stats_view *v, bool extended);
/** Parses a stats body and ADDS it into @p into (counters summed, histograms merged; for
 *  OMB_WIRE_COUNTERS only totals are touched). Histograms with another geometry are merged
 *  value by value. */
int omb_wire_parse_stats_add(enum omb_wire_stats_kind kind, const char *body, size_t len,
                             struct omb_stats_view *into, char *err, size_t errlen);

/** omb's GET /omb/clock: {"nowNs":n,"producerIdBase":b,"producers":k}, the worker's clock
 *  when it answered and the range of its envelope producer ids (k = 0: no producers). */
char *omb_wire_clock(int64_t now_ns, int32_t producer_id_base, int64_t producers);
int omb_wire_parse_clock(const char *body, size_t len, int64_t *now_ns, int32_t *producer_id_base,
                         int64_t *producers, char *err, size_t errlen);
/** omb's POST /omb/clock-peers: {"peers":[{"producerIdBase":b,"producers":k,"offsetNs":o}]}
 *  (struct omb_clock_peer). *out is malloc'ed (NULL when n is 0). */
char *omb_wire_clock_peers(const struct omb_clock_peer *p, size_t n);
int omb_wire_parse_clock_peers(const char *body, size_t len, struct omb_clock_peer **out, size_t *n,
                               char *err, size_t errlen);

/** omb's GET /omb/delivery: {"acknowledged":{"topic":n,..},"received":[{"topic":..,
 *  "subscription":..,"received":n},..]}. Parsing ADDS into a running merge: acknowledged
 *  per topic and received per (topic, subscription) summed over workers. */
struct omb_wire_delivery {
    char **topics;
    int64_t *acked;
    size_t ntopics;
    struct omb_delivery *subs; /* acknowledged filled by omb_wire_delivery_finish */
    size_t nsubs;
};
char *omb_wire_delivery(char *const *topics, const int64_t *acked, size_t ntopics,
                        const struct omb_delivery *subs, size_t nsubs);
int omb_wire_parse_delivery_add(const char *body, size_t len, struct omb_wire_delivery *into,
                                char *err, size_t errlen);
/** Moves the merged per-subscription list out (acknowledged = its topic's total). */
void omb_wire_delivery_finish(struct omb_wire_delivery *d, struct omb_delivery **out, size_t *n);
void omb_wire_delivery_free(struct omb_wire_delivery *d);

/** {"error":"..."} */
char *omb_wire_error(const char *msg);
/** The "error" member of a body, copied into @p out (empty when absent or not JSON). */
void omb_wire_error_text(const char *body, size_t len, char *out, size_t outlen);

#endif
