/* result.h - what a run reports: the period line and aggregated line as OMB prints them, the
 * result JSON with exactly OMB's TestResult fields (SPEC section 7), and beside it the
 * sidecar with omb's additions (docs/results.md). */
#ifndef OMB_COORDINATOR_RESULT_H
#define OMB_COORDINATOR_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "config/workload.h"
#include "stats/recorder.h"
#include "worker/worker.h"

/* A latency histogram summarized, in microseconds (HdrHistogram definitions). */
struct omb_latency_summary {
    int64_t count;
    double avg;
    int64_t min, p50, p75, p95, p99, p999, p9999, max;
};

void omb_latency_summarize(const struct omb_hist *h, struct omb_latency_summary *s);

/* One reporting period. */
struct omb_period {
    double seconds;
    int64_t sent, send_errors, bytes_sent, received, bytes_received;
    int64_t total_sent, total_received;
    int64_t backlog;    /* max(0, subscriptionsPerTopic * totalSent - totalReceived) */
    double target_rate; /* msg/s the producers were asked for (0: no limit) */
    struct omb_latency_summary lat[OMB_NSERIES];
};

void omb_period_from_view(const struct omb_stats_view *v, double seconds,
                          int64_t subscriptions_per_topic, double target_rate,
                          struct omb_period *p);

/** The period line exactly as OMB prints it, then omb's end-to-end figures. */
void omb_period_line(const struct omb_period *p, char *buf, size_t n);
/** The "----- Aggregated ..." line, as OMB prints it, then end-to-end figures. */
void omb_aggregate_line(const struct omb_stats_view *cum, char *buf, size_t n);

struct omb_result;

struct omb_result_info {
    const struct omb_workload *workload;
    const char *driver_name;
    const char *driver_file;
    /* the driver file's parsed root (a map), echoed as `omb.driverConfig` with secrets
     * hidden; NULL: none recorded */
    const struct omb_yaml_node *driver_doc;
    /* The partitions per topic the run had: the workload's, or for existing topics the
     * broker's (their largest count when they differ); 0: the workload's. */
    int64_t partitions;
    double period_seconds;
    int64_t start_epoch_ms;
};

struct omb_result *omb_result_new(const struct omb_result_info *info);
void omb_result_free(struct omb_result *r);

/** Appends one period; @p phase ("test", "backlog-build", "backlog-drain") goes into the
 *  per-period "phase" array. */
void omb_result_add_period(struct omb_result *r, const struct omb_period *p, const char *phase);
/** The backlog test's figures; @p drain_seconds < 0: the drain did not complete. */
void omb_result_set_backlog(struct omb_result *r, int64_t target_messages, double build_seconds,
                            double drain_seconds);
/** The rate search's outcome (`omb.rateSearch`): the sustained rate, what it means and over
 *  which window, the controller's capacity estimate and the last control periods. */
struct omb_rate_search_summary;
void omb_result_set_rate_search(struct omb_result *r, const struct omb_rate_search_summary *s);
void omb_result_set_aggregate(struct omb_result *r, const struct omb_stats_view *cum);
void omb_result_set_delivery(struct omb_result *r, const struct omb_delivery *d, size_t n);
/** The delivery check was not made: `omb.deliveryNotChecked` says why ("interrupted"). */
/** omb.clockOffsets: per worker, its clock offset and uncertainty (ms), or why none. */
void omb_result_set_clock_offsets(struct omb_result *r, const struct omb_clock_report *c, size_t n);
void omb_result_set_delivery_unchecked(struct omb_result *r, const char *why);
/** Marks the result as cut short, with the reason ("interrupted", an error sentence). */
void omb_result_set_incomplete(struct omb_result *r, const char *reason);
size_t omb_result_periods(const struct omb_result *r);

/** The sidecar's suffix: "X.json" has its sidecar in "X.omb" (any other name: name + ".omb").
 *  Not ".json": OMB's ResultsToCsv reads every *.json of a directory, strictly. */
#define OMB_RESULT_SIDECAR_SUFFIX ".omb"

/** The sidecar's path for the result file @p result_path, into @p buf. */
void omb_result_sidecar_path(const char *result_path, char *buf, size_t n);

/** Writes the sidecar (omb's figures, JSON) and then the result (OMB's TestResult fields
 *  only) to @p path, each atomically (temporary file, then rename): a reader never sees a
 *  partial file, nor a result without its sidecar. Returns 0, or -1 with one sentence in
 *  @p err. */
int omb_result_write(const struct omb_result *r, const char *path, char *err, size_t errlen);

#endif
