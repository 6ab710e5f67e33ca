/* sweep.c - see sweep.h. Each step is a copy of the workload run by omb_run_workload, so a
 * step is exactly what `omb run` would measure with that rate and duration, on local or
 * remote workers alike; this file only picks the rates, names the files and keeps the
 * summary. */
#include "coordinator/sweep.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "coordinator/output.h"
#include "util/atomic_file.h"
#include "util/log.h"

static const double default_fractions[] = {0.25, 0.5, 0.75, 0.9, 1.0};

void omb_sweep_options_default(struct omb_sweep_options *o)
{
    memset(o, 0, sizeof *o);
    o->nfractions = sizeof default_fractions / sizeof default_fractions[0];
    memcpy(o->fractions, default_fractions, sizeof default_fractions);
    o->warmup_minutes = -1;
}

int omb_sweep_parse_fractions(const char *s, struct omb_sweep_options *o, char *err, size_t errlen)
{
    size_t n = 0;
    for (const char *p = s;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[64];
        if (len == 0) {
            snprintf(err, errlen, "--fractions '%s': element %zu is empty", s, n + 1);
            return -1;
        }
        if (n == OMB_SWEEP_MAX_FRACTIONS) {
            snprintf(err, errlen, "--fractions '%s': more than %d fractions", s,
                     OMB_SWEEP_MAX_FRACTIONS);
            return -1;
        }
        snprintf(item, sizeof item, "%.*s", (int)len, p);
        char *stop;
        errno = 0;
        double f = strtod(item, &stop);
        if (len >= sizeof item || stop == item || *stop || errno || !isfinite(f) || f <= 0 ||
            f > OMB_SWEEP_MAX_FRACTION) {
            snprintf(err, errlen,
                     "--fractions '%s': '%.*s' is not a fraction of the maximum rate greater "
                     "than 0 and at most %g",
                     s, (int)len, p, OMB_SWEEP_MAX_FRACTION);
            return -1;
        }
        if (n > 0 && f <= o->fractions[n - 1]) {
            snprintf(err, errlen,
                     "--fractions '%s': %g after %g; fractions must increase (the curve is "
                     "drawn in that order)",
                     s, f, o->fractions[n - 1]);
            return -1;
        }
        o->fractions[n++] = f;
        if (!end) break;
        p = end + 1;
    }
    o->nfractions = n;
    return 0;
}

int omb_sweep_check_workload(const struct omb_workload *w, char *err, size_t errlen)
{
    if (w->consumer_backlog_size_gb > 0) {
        snprintf(err, errlen,
                 "%s: consumerBacklogSizeGB is %g: a sweep runs fixed rates and cannot include "
                 "a backlog test (use omb run for it)",
                 w->path, w->consumer_backlog_size_gb);
        return -1;
    }
    return 0;
}

/* One sweep of one workload: its file names and its summary. */
struct sweep {
    const struct omb_workload *w;
    const struct omb_sweep_options *o;
    char stem[3072];    /* DIR/<workload-base>-sweep-<stamp>: every file's name starts so */
    char summary[3200]; /* stem + OMB_SWEEP_SUFFIX */
    json_t *root;       /* the summary document */
    json_t *drivers;    /* its "drivers" array (borrowed from root) */
    size_t steps_done;  /* over all drivers: the summary is written once there is one */
    char reason[8192];  /* first reason the sweep is incomplete, "" when none */
    char label[300];    /* the current driver in file names: its name, file-name safe */
};

static bool exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Each step's phases: the sweep's options, else the workload's durations. */
static double step_min(const struct omb_sweep_options *o, const struct omb_workload *w)
{
    return o->step_minutes > 0 ? o->step_minutes : w->test_duration_minutes;
}

static double search_min(const struct omb_sweep_options *o, const struct omb_workload *w)
{
    return o->search_minutes > 0 ? o->search_minutes : w->test_duration_minutes;
}

static double warmup_min(const struct omb_sweep_options *o, const struct omb_workload *w)
{
    return o->warmup_minutes >= 0 ? o->warmup_minutes : w->warmup_duration_minutes;
}

static double step_minutes(const struct sweep *s) { return step_min(s->o, s->w); }
static double search_minutes(const struct sweep *s) { return search_min(s->o, s->w); }
static double warmup_minutes(const struct sweep *s) { return warmup_min(s->o, s->w); }

double omb_sweep_print_plan(FILE *f, const struct omb_workload *w,
                            const struct omb_sweep_options *o)
{
    double warm = warmup_min(o, w), step = step_min(o, w), minutes = 0;
    if (o->max_rate > 0) {
        fprintf(f, "     at %.0f msg/s = 1.0 (--max-rate, no search), then", o->max_rate);
    } else {
        fprintf(f, "     the maximum-rate search (warm-up %g min, measured %g min), then", warm,
                search_min(o, w));
        minutes += warm + search_min(o, w);
    }
    fprintf(f, " %zu step(s) at", o->nfractions);
    for (size_t i = 0; i < o->nfractions; i++)
        fprintf(f, "%s%g", i ? ", " : " ", o->fractions[i]);
    fprintf(f, " x that rate (warm-up %g min, measured %g min each)\n", warm, step);
    return minutes + (double)o->nfractions * (warm + step);
}

/* Keeps the first reason only: what cut the sweep short first explains the rest. */
static void set_incomplete(struct sweep *s, const char *driver, const char *why)
{
    if (s->reason[0]) return;
    if (driver)
        snprintf(s->reason, sizeof s->reason, "driver '%.256s': %.4096s", driver, why);
    else
        snprintf(s->reason, sizeof s->reason, "%.4096s", why);
}

/* The name of driver @p j in file names: its own, made file-name safe, and numbered when an
 * earlier driver of the sweep has the same (two files named "Kafka" must not overwrite each
 * other's steps). */
static void driver_label(struct sweep *s, const struct omb_driver_conf *drivers, size_t j)
{
    char mine[256], other[256];
    omb_output_safe_name(drivers[j].name, mine, sizeof mine);
    size_t same = 0;
    for (size_t i = 0; i < j; i++) {
        omb_output_safe_name(drivers[i].name, other, sizeof other);
        same += !strcmp(mine, other);
    }
    if (same)
        snprintf(s->label, sizeof s->label, "%s.%zu", mine, same + 1);
    else
        snprintf(s->label, sizeof s->label, "%s", mine);
}

/* A step's result path: the sweep's stem, the driver, and what the step is. */
static void step_path(const struct sweep *s, const char *what, char *out, size_t n)
{
    if (snprintf(out, n, "%s-%s-%s.json", s->stem, s->label, what) >= (int)n)
        omb_warn("result path cut to %s", out);
}

/* Unique names: a summary already there (two sweeps in one second) gets -1, -2, ... */
static void make_names(struct sweep *s)
{
    char stamp[32], base[3000];
    omb_output_stamp(stamp, sizeof stamp);
    snprintf(base, sizeof base, "%s/%s-sweep-%s", s->o->dir ? s->o->dir : ".", s->w->base_name,
             stamp);
    snprintf(s->stem, sizeof s->stem, "%s", base);
    snprintf(s->summary, sizeof s->summary, "%s%s", s->stem, OMB_SWEEP_SUFFIX);
    for (int k = 1; exists(s->summary) && k < 1000; k++) {
        snprintf(s->stem, sizeof s->stem, "%s-%d", base, k);
        snprintf(s->summary, sizeof s->summary, "%s%s", s->stem, OMB_SWEEP_SUFFIX);
    }
}

static json_t *number_or_null(bool have, double v) { return have ? json_real(v) : json_null(); }

static json_t *new_root(const struct sweep *s)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *fr = json_array();
    for (size_t i = 0; i < s->o->nfractions; i++)
        json_array_append_new(fr, json_real(s->o->fractions[i]));
    json_t *root = json_object();
    json_object_set_new(root, "ombSweep", json_integer(OMB_SWEEP_FORMAT));
    json_object_set_new(root, "workload", json_string(s->w->name));
    json_object_set_new(root, "workloadFile", json_string(s->w->path));
    json_object_set_new(root, "version", json_string(OMB_VERSION));
    json_object_set_new(root, "startTime", json_string(when));
    json_object_set_new(root, "fractions", fr);
    json_object_set_new(root, "stepMinutes", json_real(step_minutes(s)));
    json_object_set_new(root, "searchMinutes",
                        s->o->max_rate > 0 ? json_null() : json_real(search_minutes(s)));
    json_object_set_new(root, "warmupMinutes", json_real(warmup_minutes(s)));
    json_object_set_new(root, "complete", json_false());
    json_object_set_new(root, "incompleteReason", json_null());
    json_object_set_new(root, "drivers", json_array());
    return root;
}

/* The summary as it stands, written atomically (a reader sees the previous version or this
 * one); not at all while no step has finished. */
static int write_summary(struct sweep *s, bool finished)
{
    if (s->steps_done == 0) return 0;
    bool complete = finished && !s->reason[0];
    json_object_set_new(s->root, "complete", json_boolean(complete));
    json_object_set_new(s->root, "incompleteReason",
                        complete ? json_null()
                                 : json_string(s->reason[0] ? s->reason : "the sweep is running"));
    char *text =
        json_dumps(s->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (!text) {
        omb_error("cannot write sweep summary '%s': out of memory", s->summary);
        return -1;
    }
    size_t len = strlen(text);
    char err[1024];
    int rc = omb_write_file_atomic(s->summary, "sweep summary", text, len, err, sizeof err);
    free(text);
    if (rc != 0) omb_error("%s", err);
    return rc;
}

static void put_latency(json_t *o, const char *prefix, const struct omb_latency_summary *l)
{
    static const char *const names[] = {"Avg", "50pct", "99pct", "999pct", "Max"};
    double us[] = {l->avg, (double)l->p50, (double)l->p99, (double)l->p999, (double)l->max};
    char key[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(key, sizeof key, "%s%s", prefix, names[i]);
        json_object_set_new(o, key, number_or_null(l->count > 0, us[i] / 1000.0));
    }
}

static json_t *step_json(size_t k, double fraction, double target, const char *result,
                         enum omb_run_status st, const struct omb_run_report *rep)
{
    json_t *j = json_object();
    json_object_set_new(j, "step", json_integer((json_int_t)k));
    json_object_set_new(j, "fraction", json_real(fraction));
    json_object_set_new(j, "targetRate", json_real(target));
    json_object_set_new(j, "resultFile",
                        rep->measured ? json_string(base_of(result)) : json_null());
    json_object_set_new(j, "status", json_string(st == OMB_RUN_OK ? "ok" : "failed"));
    json_object_set_new(j, "seconds", json_real(rep->seconds));
    json_object_set_new(j, "messagesSent", json_integer(rep->sent));
    json_object_set_new(j, "messagesReceived", json_integer(rep->received));
    json_object_set_new(j, "publishErrors", json_integer(rep->send_errors));
    json_object_set_new(j, "lostMessages", json_integer(rep->missing));
    json_object_set_new(j, "publishRate", number_or_null(rep->measured, rep->publish_rate));
    json_object_set_new(j, "consumeRate", number_or_null(rep->measured, rep->consume_rate));
    json_object_set_new(j, "publishErrorRate",
                        number_or_null(rep->measured, rep->publish_error_rate));
    put_latency(j, "publishLatency", &rep->publish);
    put_latency(j, "endToEndLatency", &rep->end_to_end);
    return j;
}

/* The search (or --max-rate): the 1.0 rate, or 0 with the driver's entry saying why. */
static double find_max_rate(struct sweep *s, struct omb_worker *worker,
                            const struct omb_driver_conf *d, const struct omb_run_options *ropt,
                            json_t *entry, enum omb_run_status *st)
{
    *st = OMB_RUN_OK;
    if (s->o->max_rate > 0) {
        json_object_set_new(entry, "maxRateFrom", json_string("--max-rate"));
        json_object_set_new(entry, "searchResultFile", json_null());
        return s->o->max_rate;
    }
    char path[4096];
    step_path(s, "search", path, sizeof path);
    struct omb_workload step = *s->w;
    step.producer_rate = 0;
    step.test_duration_minutes = search_minutes(s);
    step.warmup_duration_minutes = warmup_minutes(s);
    omb_info("Sweep '%s' on '%s': searching for the maximum sustainable rate (%g min)", s->w->name,
             d->name, step.test_duration_minutes);
    struct omb_run_report rep;
    *st = omb_run_workload(worker, &step, d, ropt, path, &rep);
    json_object_set_new(entry, "maxRateFrom", json_string("search"));
    json_object_set_new(entry, "searchResultFile",
                        rep.measured ? json_string(base_of(path)) : json_null());
    char why[4200] = "";
    if (*st == OMB_RUN_INTERRUPTED)
        snprintf(why, sizeof why, "interrupted during the rate search");
    else if (*st != OMB_RUN_OK && !(rep.measured && rep.sustained_rate <= 0))
        snprintf(why, sizeof why, "the rate search run failed (see the log)");
    else if (rep.sustained_rate <= 0)
        snprintf(why, sizeof why,
                 "the rate search found no sustained rate (%.1024s says why), so there is no rate "
                 "to take fractions of; give one with --max-rate",
                 rep.measured ? base_of(path) : "the log");
    if (why[0]) {
        if (*st == OMB_RUN_OK) *st = OMB_RUN_FAILED;
        json_object_set_new(entry, "error", json_string(why));
        omb_error("Sweep '%s' on '%s': %s", s->w->name, d->name, why);
        set_incomplete(s, d->name, why);
        return 0;
    }
    omb_info("Sweep '%s' on '%s': maximum sustainable rate %.0f msg/s", s->w->name, d->name,
             rep.sustained_rate);
    return rep.sustained_rate;
}

/* The table a user reads at the end of a driver's sweep. */
static void log_table(const struct sweep *s, const char *driver, json_t *steps)
{
    omb_info("Sweep '%s' on '%s' (latencies in ms):", s->w->name, driver);
    omb_info("  fraction   target msg/s   pub msg/s  cons msg/s |  pub p50  pub p99 pub p99.9 "
             "|  e2e p50  e2e p99 e2e p99.9 | status");
    size_t i;
    json_t *j;
    json_array_foreach(steps, i, j)
    {
        double v[9];
        static const char *const keys[] = {
            "targetRate",           "publishRate",          "consumeRate",
            "publishLatency50pct",  "publishLatency99pct",  "publishLatency999pct",
            "endToEndLatency50pct", "endToEndLatency99pct", "endToEndLatency999pct"};
        for (size_t k = 0; k < 9; k++) {
            json_t *x = json_object_get(j, keys[k]);
            v[k] = json_is_number(x) ? json_number_value(x) : NAN;
        }
        omb_info("  %8.2f %14.0f %11.0f %11.0f | %8.3f %8.3f %9.3f | %8.3f %8.3f %9.3f | %s",
                 json_number_value(json_object_get(j, "fraction")), v[0], v[1], v[2], v[3], v[4],
                 v[5], v[6], v[7], v[8], json_string_value(json_object_get(j, "status")));
    }
}

/* One driver: its maximum rate, then each fraction of it. */
static enum omb_run_status sweep_driver(struct sweep *s, struct omb_worker *worker,
                                        const struct omb_driver_conf *d,
                                        const struct omb_run_options *ropt)
{
    json_t *entry = json_object();
    json_t *steps = json_array();
    json_object_set_new(entry, "driver", json_string(d->name));
    json_object_set_new(entry, "driverFile", json_string(d->path));
    json_array_append_new(s->drivers, entry);
    enum omb_run_status st;
    double max_rate = find_max_rate(s, worker, d, ropt, entry, &st);
    json_object_set_new(entry, "maxRate", max_rate > 0 ? json_real(max_rate) : json_null());
    if (!json_object_get(entry, "error")) json_object_set_new(entry, "error", json_null());
    json_object_set_new(entry, "steps", steps);
    if (max_rate <= 0) {
        write_summary(s, false);
        return st;
    }
    enum omb_run_status worst = OMB_RUN_OK;
    for (size_t k = 0; k < s->o->nfractions && !omb_interrupted; k++) {
        double f = s->o->fractions[k];
        char path[4096], what[64];
        snprintf(what, sizeof what, "%zu-%g", k + 1, f);
        step_path(s, what, path, sizeof path);
        struct omb_workload step = *s->w;
        step.producer_rate = f * max_rate;
        step.test_duration_minutes = step_minutes(s);
        step.warmup_duration_minutes = warmup_minutes(s);
        omb_info("Sweep '%s' on '%s': step %zu of %zu, %g x %.0f = %.0f msg/s for %g min",
                 s->w->name, d->name, k + 1, s->o->nfractions, f, max_rate, step.producer_rate,
                 step.test_duration_minutes);
        struct omb_run_report rep;
        st = omb_run_workload(worker, &step, d, ropt, path, &rep);
        if (st == OMB_RUN_INTERRUPTED) {
            char why[4200];
            snprintf(why, sizeof why,
                     "interrupted by a signal during step %zu (fraction %g)%s%.4000s", k + 1, f,
                     rep.measured ? "; its partial result is " : "",
                     rep.measured ? base_of(path) : "");
            set_incomplete(s, d->name, why);
            worst = st;
            break;
        }
        if (st != OMB_RUN_OK) worst = OMB_RUN_FAILED;
        json_array_append_new(steps, step_json(k + 1, f, step.producer_rate, path, st, &rep));
        s->steps_done++;
        write_summary(s, false);
    }
    if (omb_interrupted && worst == OMB_RUN_OK) {
        set_incomplete(s, d->name, "interrupted by a signal");
        worst = OMB_RUN_INTERRUPTED;
    }
    log_table(s, d->name, steps);
    return worst;
}

enum omb_run_status omb_sweep_run(struct omb_worker *worker, const struct omb_workload *w,
                                  const struct omb_driver_conf *drivers, size_t nd,
                                  const char *const *skip, const struct omb_run_options *ropt,
                                  const struct omb_sweep_options *o)
{
    struct sweep s = {.w = w, .o = o};
    make_names(&s);
    s.root = new_root(&s);
    s.drivers = json_object_get(s.root, "drivers");
    if (w->producer_rate > 0)
        omb_info("Sweep '%s': the workload's producerRate (%g msg/s) is not used: the sweep "
                 "sets each step's rate",
                 w->name, w->producer_rate);
    enum omb_run_status worst = OMB_RUN_OK;
    for (size_t j = 0; j < nd && !omb_interrupted; j++) {
        if (skip && skip[j]) {
            omb_error("Skipped: %s", skip[j]);
            set_incomplete(&s, drivers[j].name, skip[j]);
            worst = OMB_RUN_FAILED;
            continue;
        }
        driver_label(&s, drivers, j);
        enum omb_run_status st = sweep_driver(&s, worker, &drivers[j], ropt);
        if (st == OMB_RUN_INTERRUPTED)
            worst = st;
        else if (st != OMB_RUN_OK && worst == OMB_RUN_OK)
            worst = OMB_RUN_FAILED;
    }
    if (omb_interrupted && worst != OMB_RUN_INTERRUPTED) {
        set_incomplete(&s, NULL, "interrupted by a signal");
        worst = OMB_RUN_INTERRUPTED;
    }
    if (s.steps_done == 0) {
        omb_error("Sweep '%s': no step finished; no summary written", w->name);
        if (worst == OMB_RUN_OK) worst = OMB_RUN_FAILED;
    } else if (write_summary(&s, true) != 0) {
        worst = worst == OMB_RUN_OK ? OMB_RUN_FAILED : worst;
    } else {
        omb_info("Wrote sweep summary to %s%s", s.summary,
                 s.reason[0] ? " (marked incomplete)" : "");
    }
    json_decref(s.root);
    return worst;
}
