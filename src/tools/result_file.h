/* result_file.h - a result JSON, written by omb or by Java OMB, loaded with omb's sidecar
 * when there is one (X.json + X.omb, docs/results.md) and type-checked for the tools that
 * read results (csv, charts). */
#ifndef OMB_TOOLS_RESULT_FILE_H
#define OMB_TOOLS_RESULT_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct omb_quantile {
    double percentile; /* 0..100, parsed from the map's key ("50.0", "99.90000000000001") */
    double value;
};

struct omb_result_file {
    char *path;           /* as given */
    const char *base;     /* file name part of path */
    const char *workload; /* "workload", or "(no workload name)" when absent */
    const char *driver;   /* "driver", or the file name when absent */
    char *sidecar;        /* omb's sidecar read with it (X.omb for X.json), or NULL */
    bool by_omb;          /* has omb's "omb" object, from the sidecar or inline in an old omb result
                           * (false: Java OMB or another writer) */
    /* OMB TestResult keys the file lacks, as one line ("publishErrorRate,
     * publishDelayLatency*"); "" when it has them all. omb's own additions are never
     * listed: Java OMB does not write them. */
    char missing[512];
    void *json; /* the parsed document (json_t *), owned */
};

/**
 * Loads @p path, and its sidecar when it exists (its keys added to the result's; an old omb
 * result has them inline), and checks the type of every key the tools read: OMB's keys and
 * omb's additions. Per-period arrays hold numbers; null and Java's "NaN"/"Infinity" strings are
 * accepted as gaps. Keys may be missing (see @c missing). Returns 0 and a result to free
 * with omb_result_file_free(), or -1 with one sentence in @p err naming the file (and key,
 * line): not JSON, not an object, a key of the wrong type, none of OMB's keys at all (a
 * sidecar that is not a JSON object is an error too, naming both files).
 */
int omb_result_file_load(const char *path, struct omb_result_file **out, char *err, size_t errlen);
void omb_result_file_free(struct omb_result_file *rf); /* NULL-safe */

/** A top-level number (integer or real). False when missing, null or NaN. */
bool omb_result_file_number(const struct omb_result_file *rf, const char *key, double *out);

/** A per-period series as a malloc'ed array (caller frees), gaps as NaN. Returns the
 *  length; 0 with *out = NULL when the key is missing or the array empty. */
size_t omb_result_file_series(const struct omb_result_file *rf, const char *key, double **out);

/* Statistics of a per-period series over its finite values (gaps skipped). */
struct omb_series_stats {
    size_t n;                 /* finite values; the rest are 0 when n is 0 */
    double min, avg, sd, max; /* sd: population standard deviation (HdrHistogram's) */
};
void omb_series_stats(const double *v, size_t len, struct omb_series_stats *s);

/** The statistics of series @p key (omb_result_file_series); n is 0 when it is missing. */
void omb_result_file_series_stats(const struct omb_result_file *rf, const char *key,
                                  struct omb_series_stats *s);

/* omb's delivery check as the sidecar has it (`omb.delivery`, docs/results.md). */
struct omb_result_delivery {
    bool checked;         /* false: no `omb.delivery` (Java OMB, or `omb.deliveryNotChecked`) */
    size_t subscriptions; /* entries of `omb.delivery` */
    double missing, duplicates; /* sums over the subscriptions */
};
void omb_result_file_delivery(const struct omb_result_file *rf, struct omb_result_delivery *d);

/** A number of the workload as run (`omb.workloadConfig`, "subscriptionsPerTopic"). False
 *  when the file has no such number (Java OMB's). */
bool omb_result_file_config_number(const struct omb_result_file *rf, const char *key, double *out);

/** A string of the workload as run (`omb.workloadConfig`, "keyDistributor"), or NULL. */
const char *omb_result_file_config_string(const struct omb_result_file *rf, const char *key);

/** The driver's settings as the sidecar records them (`omb.driverConfig`, docs/results.md),
 *  in file order, `name` left out (it is the result's "driver"): @p fn gets each key and its
 *  value as text (a string as it is, anything else as compact JSON). Returns the number of
 *  settings, or -1 when the file records none (Java OMB, omb before driverConfig). */
long omb_result_file_driver_config(const struct omb_result_file *rf,
                                   void (*fn)(void *ctx, const char *key, const char *value),
                                   void *ctx);

/** Whether omb's "omb" object has @p key ("rateSearch", "backlog"). */
bool omb_result_file_omb_has(const struct omb_result_file *rf, const char *key);

/** A quantile map sorted by percentile, malloc'ed (caller frees). Returns the count; 0 with
 *  *out = NULL when missing or empty. */
size_t omb_result_file_quantiles(const struct omb_result_file *rf, const char *key,
                                 struct omb_quantile **out);

/** Seconds from the start of the measured phase to the end of each of @p n periods: from
 *  omb's per-period "periodSeconds", else its "omb.periodSeconds", else OMB's fixed 10 s.
 *  Malloc'ed (caller frees); NULL when n is 0 or out of memory. */
double *omb_result_file_times(const struct omb_result_file *rf, size_t n);

/** A string inside omb's "omb" object ("startTime", "version"), or NULL. */
const char *omb_result_file_omb_string(const struct omb_result_file *rf, const char *key);

/** True when omb marked the run as cut short ("omb": {"complete": false}). */
bool omb_result_file_incomplete(const struct omb_result_file *rf);

/**
 * The regular files named *.json directly inside @p dir (not recursive), sorted by name,
 * as malloc'ed "dir/name" paths in a malloc'ed array (free each, then the array). Returns
 * 0, or -1 with one sentence in @p err (cannot open the directory).
 */
int omb_result_dir_list(const char *dir, char ***paths, size_t *n, char *err, size_t errlen);

#endif
