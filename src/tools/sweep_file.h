/* sweep_file.h - a sweep summary (`omb sweep`, docs/sweep.md) loaded and type-checked for
 * `omb charts`: per driver, one point per fixed-rate step. */
#ifndef OMB_TOOLS_SWEEP_FILE_H
#define OMB_TOOLS_SWEEP_FILE_H

#include <stdbool.h>
#include <stddef.h>

enum omb_sweep_pct { OMB_SWEEP_P50, OMB_SWEEP_P99, OMB_SWEEP_P999, OMB_SWEEP_NPCT };

/* One step. Figures the summary has as null (nothing measured, no end-to-end latency in a
 * produce-only workload) are NaN. Latencies in ms, rates in msg/s. */
struct omb_sweep_point {
    double fraction, target_rate, publish_rate, consume_rate, publish_error_rate;
    double publish[OMB_SWEEP_NPCT], end_to_end[OMB_SWEEP_NPCT];
    const char *status;      /* "ok", "failed" */
    const char *result_file; /* the step's result, beside the summary; NULL: none */
};

struct omb_sweep_driver {
    const char *driver;
    double max_rate;   /* NaN: none found */
    const char *error; /* why the driver has no steps, or NULL */
    size_t n;
    struct omb_sweep_point *steps;
};

struct omb_sweep_file {
    char *path;
    const char *base;     /* file name part of path */
    const char *workload; /* the workload's name */
    bool complete;
    const char *incomplete_reason; /* NULL when complete */
    size_t nd;
    struct omb_sweep_driver *drivers;
    void *json; /* the parsed document (json_t *), owned; the strings above point into it */
};

/**
 * Loads @p path when it is a sweep summary (a JSON object with "ombSweep"). Returns 0 with
 * @p out set (free with omb_sweep_file_free), 1 when the file is something else (not JSON,
 * or JSON without "ombSweep": a result, say), or -1 with one sentence in @p err naming the
 * file and the key (a sweep summary of an unknown format version, a key of the wrong type).
 */
int omb_sweep_file_load(const char *path, struct omb_sweep_file **out, char *err, size_t errlen);
void omb_sweep_file_free(struct omb_sweep_file *sf); /* NULL-safe */

#endif
