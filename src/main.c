/* main.c - the `omb` command: run | sweep | worker | csv | charts | generate, and the drivers' own
 * subcommands (SPEC section 2). `omb run` is three steps: parse the command line, load and
 * check every input file (nothing runs if one is wrong), run the matrix. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/driver_conf.h"
#include "config/workload.h"
#include "coordinator/ensemble.h"
#include "coordinator/output.h"
#include "coordinator/run.h"
#include "coordinator/sweep.h"
#include "drivers/driver.h"
#include "tools/result_file.h"
#include "tools/summary.h"
#include "tools/tools.h"
#include "util/clock.h"
#include "util/cli.h"
#include "util/log.h"
#include "worker/http_worker.h"
#include "worker/local_worker.h"

#define EXIT_USAGE 2 /* bad command line or bad input file: nothing was run */

/* The embedded default driver: Kafka on librdkafka's in-process mock cluster
 * (examples/drivers/kafka-mock.yaml, compiled in). */
#include "embedded_driver.h"

/* What `omb run` was asked to do. */
struct run_args {
    struct omb_run_options opt;
    struct omb_local_worker_options wopt;
    struct omb_cli_list drivers, workers, workloads;
    const char *workers_file, *output;
    const char *csv_dir; /* -c: the CSV of this run's results goes there */
    const char *display; /* --display auto|omb|live */
    bool extra, verbose, dry_run;
    double sender_threads;
    const char *driver_flags[8]; /* driver-owned flags given (--kafka-mock), NULL-terminated */
    size_t ndriver_flags;
};

/* Everything loaded and checked. */
struct run_inputs {
    struct omb_workload *wl;
    size_t nw;
    struct omb_driver_conf *dc;
    size_t nd;
    char **wurls;
    size_t nwurls;
    char **unusable; /* [i * nd + j]: why workload i cannot run on driver j, or NULL */
    size_t nunusable;
};

#define RUN_NOPTS 18 /* the table below, its end included */

static void run_options_table(struct run_args *a, struct omb_cli_opt *t)
{
    struct omb_run_options *o = &a->opt;
    const struct omb_cli_opt v[] = {
        {"-d|--drivers", OMB_CLI_LIST, &a->drivers, 0, 0, "F[,F]",
         "driver files; repeat or comma-separate (default: Kafka on librdkafka's in-process "
         "mock cluster)"},
        {"-o|--output", OMB_CLI_STRING, &a->output, 0, 0, "PATH",
         "result file (numbered when several), or a directory (default: .)"},
        {"-c|--csv", OMB_CLI_STRING, &a->csv_dir, 0, 0, "DIR",
         "after the runs, the CSV of their results (omb csv's columns) in "
         "DIR/results-<epoch>.csv; with no workload file, OMB's reading: the CSV of DIR's "
         "results in ./results-<epoch>.csv"},
        {"-w|--workers", OMB_CLI_LIST, &a->workers, 0, 0, "URL[,URL]",
         "run on `omb worker`s or OMB's Java workers (docs/distributed.md)"},
        {"-wf|--workers-file", OMB_CLI_STRING, &a->workers_file, 0, 0, "F",
         "workers file: workers: [\"http://h:8080\", ...] (default: ./workers.yaml if present)"},
        {"-x|--extra", OMB_CLI_FLAG, &a->extra, 0, 0, NULL, "extra consumer workers"},
        {"--period", OMB_CLI_NUMBER, &o->period_seconds, 0.1, 86400, "S",
         "reporting period (default 10)"},
        {"--keep-topics", OMB_CLI_FLAG, &o->keep_topics, 0, 0, NULL,
         "do not delete topics at the end"},
        {"--sender-threads", OMB_CLI_NUMBER, &a->sender_threads, 1, 1024, "N",
         "sender threads (default: half the CPUs, at least 1)"},
        {"--rate-per-producer", OMB_CLI_FLAG, &o->rate_per_producer, 0, 0, NULL,
         "producerRate is per producer (the Python port's reading), not the total (OMB's)"},
        {"--probe-timeout", OMB_CLI_NUMBER, &o->probe_timeout_s, 1, 86400, "S",
         "readiness probe time limit (default 60)"},
        {"--drain-timeout", OMB_CLI_NUMBER, &o->drain_timeout_s, 0, 86400, "S",
         "end-of-run catch-up time for consumers (default 30)"},
        {"--backlog-stall-timeout", OMB_CLI_NUMBER, &o->backlog_stall_s, 1, 86400, "S",
         "a backlog build or drain without progress this long ends the run (default 60)"},
        {"--control-period", OMB_CLI_NUMBER, &o->control_period_s, 0.1, 3600, "S",
         "rate search (producerRate: 0) control period (default 1)"},
        {"--display", OMB_CLI_STRING, &a->display, 0, 0, "auto|omb|live",
         "period output: omb = OMB's exact lines; live = compact lines that fit the terminal "
         "and a status line rewritten every second; auto (default) = live on a terminal, "
         "omb otherwise"},
        {"-v|--verbose", OMB_CLI_FLAG, &a->verbose, 0, 0, NULL, "debug logging"},
        {"--dry-run", OMB_CLI_FLAG, &a->dry_run, 0, 0, NULL,
         "load and check every file, print the plan and its duration, run nothing"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    _Static_assert(sizeof v / sizeof v[0] == RUN_NOPTS, "RUN_NOPTS is the table's size");
    memcpy(t, v, sizeof v);
}

/* The drivers' own `omb run` flags (--kafka-mock), for the help. */
static void driver_flags_help(FILE *f)
{
    for (const struct omb_driver_ops *const *d = omb_drivers_built(); *d; d++)
        for (const struct omb_driver_flag *fl = (*d)->run_flags; fl && fl->flag; fl++)
            fprintf(f, "  %-28s %s (%s driver)\n", fl->flag, fl->help, (*d)->name);
}

static void usage(FILE *f)
{
    struct run_args a;
    struct omb_cli_opt t[RUN_NOPTS];
    run_options_table(&a, t);
    fprintf(f, "usage: omb [run] [options] WORKLOAD.yaml...\n"
               "       omb sweep [options] WORKLOAD.yaml...  (omb sweep --help)\n"
               "       omb worker [-p 8080] [-sp 8081] [--bind ADDR] [--token T]\n"
               "       omb csv RESULTS_DIR\n"
               "       omb charts RESULT.json...\n"
               "       omb generate -t TEMPLATE.yaml -o DIR\n");
    for (const struct omb_driver_ops *const *d = omb_drivers_built(); *d; d++)
        for (const struct omb_driver_command *c = (*d)->commands; c && c->name; c++)
            fprintf(f, "       %s\n", c->usage);
    fprintf(f, "\nrun options:\n");
    omb_cli_help(f, t);
    driver_flags_help(f);
    fprintf(f, "  -h, --help, --version\n\ndrivers built in: %s\n", omb_driver_names());
}

/* The terminal's width: TIOCGWINSZ, else $COLUMNS, else 120. */
static int terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *c = getenv("COLUMNS");
    char *end;
    long n = c ? strtol(c, &end, 10) : 0;
    return c && *c && !*end && n > 0 && n < 10000 ? (int)n : 120;
}

/* --display: OMB's lines unless stdout is a terminal (that can redraw a line) or asked. */
static int pick_display(struct run_args *a)
{
    const char *d = a->display ? a->display : "auto";
    const char *term = getenv("TERM");
    bool tty = isatty(STDOUT_FILENO) && !(term && !strcmp(term, "dumb"));
    if (!strcmp(d, "omb") || (!strcmp(d, "auto") && !tty)) {
        a->opt.display = OMB_DISPLAY_OMB;
    } else if (!strcmp(d, "live") || !strcmp(d, "auto")) {
        a->opt.display = OMB_DISPLAY_LIVE;
        a->opt.term_width = terminal_columns();
    } else {
        fprintf(stderr, "omb: --display must be auto, omb or live, got '%s'\n", d);
        return -1;
    }
    return 0;
}

/* A flag owned by a driver (--kafka-mock): kept to hand to that driver's files. */
static int take_driver_flag(void *ctx, const char *arg)
{
    struct run_args *a = ctx;
    if (!omb_driver_flag_owner(arg)) return 0;
    if (a->ndriver_flags + 1 < sizeof a->driver_flags / sizeof a->driver_flags[0])
        a->driver_flags[a->ndriver_flags++] = arg;
    return 1;
}

/* Step 1 with the option table @p t (a->opt defaulted already), for `omb run` and `omb
 * sweep`. Returns 0, 1 (help printed: exit 0), 2 (only -c DIR: OMB's CSV of DIR, no run)
 * or -1 (message printed: exit 2). */
static int parse_args_with(const char *cmd, const struct omb_cli_opt *t, void (*help)(FILE *),
                           int argc, char **argv, struct run_args *a)
{
    int rc = omb_cli_parse(cmd, t, argc, argv, &a->workloads, take_driver_flag, a);
    if (rc == 1) help(stdout);
    if (rc != 0) return rc;
    if (a->verbose) omb_log_set_level(OMB_LOG_DEBUG);
    if (pick_display(a) != 0) return -1;
    a->wopt.sender_threads = (int)a->sender_threads;
    if (a->workers.n && a->workers_file) {
        fprintf(stderr, "omb: -w and -wf cannot be used together\n");
        return -1;
    }
    if (a->workloads.n == 0 && a->csv_dir) return 2; /* OMB's `-c DIR` alone: a CSV, no run */
    if (a->workloads.n == 0) {
        fprintf(stderr, "%s: no workload file given\n", cmd);
        help(stderr);
        return -1;
    }
    return 0;
}

static int parse_run_args(int argc, char **argv, struct run_args *a)
{
    struct omb_cli_opt t[RUN_NOPTS];
    omb_run_options_default(&a->opt);
    run_options_table(a, t);
    return parse_args_with("omb", t, usage, argc, argv, a);
}

/* The workers to run on (none: in this process). As in OMB, a workers.yaml in the current
 * directory is used when neither -w nor -wf is given. */
static int load_workers(const struct run_args *a, struct run_inputs *in, char *err, size_t errlen)
{
    const char *file = a->workers_file;
    if (!file && !a->workers.n && access("workers.yaml", F_OK) == 0) {
        file = "workers.yaml";
        omb_info("Using default worker file workers.yaml");
    }
    if (file) {
        if (omb_workers_file_load(file, &in->wurls, &in->nwurls, err, errlen) != 0) return -1;
    } else if (a->workers.n) {
        in->wurls = calloc(a->workers.n, sizeof *in->wurls);
        if (!in->wurls) return -1;
        for (size_t i = 0; i < a->workers.n; i++) in->wurls[in->nwurls++] = strdup(a->workers.v[i]);
    }
    if ((file || a->workers.n) && in->nwurls == 0) {
        snprintf(err, errlen, "%s names no worker URL", file ? file : "-w");
        return -1;
    }
    for (size_t i = 0; i < in->nwurls; i++) {
        char *u = omb_worker_url_normalize(in->wurls[i], err, errlen);
        if (!u) return -1;
        free(u);
    }
    return 0;
}

/* One driver file (or the embedded default), its driver looked up and its keys checked. */
static int load_driver(const struct run_args *a, const char *file, size_t nworkers,
                       struct omb_driver_conf *dc, char *err, size_t errlen)
{
    int r = file ? omb_driver_conf_load_file(file, dc, err, errlen)
                 : omb_driver_conf_load_string(embedded_driver, sizeof embedded_driver - 1,
                                               "embedded default driver", dc, err, errlen);
    if (r != 0) return -1;
    char lerr[1024];
    const struct omb_driver_ops *ops = omb_driver_lookup(dc->driver_class, lerr, sizeof lerr);
    if (!ops) {
        snprintf(err, errlen, "%s: %s", dc->path, lerr);
        return -1;
    }
    dc->flags = a->driver_flags;
    for (size_t i = 0; i < a->ndriver_flags; i++)
        if (omb_driver_flag_owner(a->driver_flags[i]) != ops)
            omb_info("%s is for the %s driver; %s uses %s", a->driver_flags[i],
                     omb_driver_flag_owner(a->driver_flags[i])->name, dc->path, ops->name);
    if (omb_drv_check(ops, dc, err, errlen) != 0) return -1;
    return omb_drv_check_workers(ops, dc, nworkers, err, errlen);
}

/* Whether workload @p w can run on driver file @p dc: its capabilities, then the driver's
 * own check_workload (driver.h). */
static bool pair_usable(const struct omb_workload *w, const struct omb_driver_conf *dc, char *err,
                        size_t errlen)
{
    char lerr[512];
    const struct omb_driver_ops *ops = omb_driver_lookup(dc->driver_class, lerr, sizeof lerr);
    if (!ops) return true; /* reported already */
    if (w->existing_topics && !ops->use_existing_topics) {
        snprintf(err, errlen,
                 "%s: existingTopicList: the %s driver (%s) cannot run on existing topics; it "
                 "creates its own",
                 w->path, ops->name, dc->path);
        return false;
    }
    struct omb_workload_shape ws = {
        .partitions = (int)w->partitions_per_topic,
        .pause = w->consumer_backlog_size_gb > 0,
        .topics = w->topics,
        .producers = w->topics * w->producers_per_topic,
        .consumers = w->topics * w->subscriptions_per_topic * w->consumer_per_subscription,
    };
    if (omb_drv_check_workload(ops, dc, &ws, lerr, sizeof lerr) == 0) return true;
    snprintf(err, errlen, "%s: %s", w->path, lerr);
    return false;
}

/* Step 2: every workload, driver and workers file loaded and checked, and the output
 * place checked, before anything runs. Errors are printed; returns 0 or -1. */
static int load_inputs(const struct run_args *a, struct run_inputs *in)
{
    char err[2048];
    int rc = 0;
    if (load_workers(a, in, err, sizeof err) != 0) {
        fprintf(stderr, "omb: %s\n", err);
        return -1;
    }
    in->nw = a->workloads.n;
    in->wl = calloc(in->nw, sizeof *in->wl);
    in->nd = a->drivers.n ? a->drivers.n : 1;
    in->dc = calloc(in->nd, sizeof *in->dc);
    if (!in->wl || !in->dc) return -1;
    for (size_t i = 0; i < in->nw; i++)
        if (omb_workload_load(a->workloads.v[i], &in->wl[i], err, sizeof err) != 0) {
            fprintf(stderr, "omb: %s\n", err);
            rc = -1;
        }
    for (size_t i = 0; i < in->nd; i++)
        if (load_driver(a, a->drivers.n ? a->drivers.v[i] : NULL, in->nwurls, &in->dc[i], err,
                        sizeof err) != 0) {
            fprintf(stderr, "omb: %s\n", err);
            rc = -1;
        }
    /* A pair the driver cannot run is said now and skipped (the matrix goes on, as for a
     * pair that fails); when no pair can run, nothing runs. */
    in->unusable = calloc(in->nw * in->nd, sizeof *in->unusable);
    if (!in->unusable) return -1;
    for (size_t i = 0; rc == 0 && i < in->nw; i++)
        for (size_t j = 0; j < in->nd; j++)
            if (!pair_usable(&in->wl[i], &in->dc[j], err, sizeof err)) {
                in->unusable[i * in->nd + j] = strdup(err);
                in->nunusable++;
            }
    if (rc == 0 && in->nunusable == in->nw * in->nd) {
        for (size_t k = 0; k < in->nw * in->nd; k++) fprintf(stderr, "omb: %s\n", in->unusable[k]);
        rc = -1;
    } else if (rc == 0 && !a->dry_run) {
        for (size_t k = 0; k < in->nw * in->nd; k++)
            if (in->unusable[k]) omb_warn("Will skip: %s", in->unusable[k]);
    }
    if (rc == 0 && !omb_output_check(a->output, err, sizeof err)) {
        fprintf(stderr, "omb: %s\n", err);
        rc = -1;
    }
    /* -c DIR: created now (a dry run only checks it could be), so a run of hours does not
     * end without its CSV. */
    if (rc == 0 && a->csv_dir &&
        !omb_output_dir_check(a->csv_dir, "CSV", !a->dry_run, err, sizeof err)) {
        fprintf(stderr, "omb: -c %s: %s\n", a->csv_dir, err);
        rc = -1;
    }
    return rc;
}

static int cmp_base_name(const void *a, const void *b)
{
    const struct omb_workload *x = a, *y = b;
    int c = strcmp(x->base_name, y->base_name);
    return c ? c : strcmp(x->path, y->path);
}

/* -c DIR after the matrix: the CSV of the results written, as OMB's `-c` names it. Returns
 * 0, or -1 (said on stderr). */
static int write_csv(const char *dir, char *const *paths, size_t n)
{
    if (n == 0) {
        omb_warn("No result was written: no CSV in %s", dir);
        return 0;
    }
    char path[4096];
    omb_csv_default_path(dir, path, sizeof path);
    if (omb_csv_write("omb", paths, n, path) != 0) return -1;
    omb_info("Results extracted into CSV %s", path);
    return 0;
}

/* OMB's `-c DIR` with no workload: the CSV of every result in DIR, in
 * ./results-<epoch>.csv, and nothing runs. */
static int csv_only(const char *dir)
{
    char err[1024];
    char **paths = NULL;
    size_t n = 0;
    int rc = 0;
    if (omb_result_dir_list(dir, &paths, &n, err, sizeof err) != 0) {
        fprintf(stderr, "omb: -c %s: %s\n", dir, err);
        return EXIT_USAGE;
    }
    if (n == 0) {
        fprintf(stderr,
                "omb: -c %s: no result files (*.json) in '%s' (and no workload file "
                "to run)\n",
                dir, dir);
        rc = EXIT_USAGE;
    } else {
        char path[4096];
        omb_csv_default_path(NULL, path, sizeof path);
        rc = omb_csv_write("omb", paths, n, path);
        if (rc == 0) omb_info("Results extracted into CSV %s", path);
    }
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    return rc;
}

/* The summary row of one pair: read back from the result file it wrote, so the table shows
 * the file's figures; without a file, @p why says what happened. */
static void summary_row(const char *path, bool wrote, const char *workload, const char *driver,
                        const char *why, struct omb_summary_row *row)
{
    char err[1024];
    struct omb_result_file *rf = NULL;
    if (!wrote) {
        omb_summary_row_none(row, workload, driver, why);
    } else if (omb_result_file_load(path, &rf, err, sizeof err) != 0) {
        omb_summary_row_none(row, workload, driver, err);
    } else {
        omb_summary_row_from_result(rf, row);
        omb_result_file_free(rf);
    }
}

static void print_summary(const char *title, const struct omb_summary_row *rows, size_t n)
{
    char *t = omb_summary_table(title, rows, n, OMB_SUMMARY_WIDTH);
    if (!t) return;
    fflush(stdout); /* log lines are written to the descriptor, this goes through stdio */
    fputs(t, stdout);
    fflush(stdout);
    free(t);
}

#define SUMMARY_UNITS "rates in msg/s, publish latency in ms"

/* The worker every run goes through: the ensemble of -w/-wf workers, or this process.
 * Signal handlers are installed first. Returns NULL with the reason logged. */
static struct omb_worker *open_worker(const struct run_args *a, const struct run_inputs *in)
{
    char err[2048];
    omb_install_signal_handlers();
    /* `omb run ... | head`: a closed stdout must not kill the run before its result is
     * written; writes to it just fail. */
    signal(SIGPIPE, SIG_IGN);
    struct omb_worker *worker;
    if (in->nwurls) {
        struct omb_ensemble_options eopt = {.extra_consumers = a->extra};
        worker = omb_ensemble_new(in->wurls, in->nwurls, &eopt, err, sizeof err);
        if (!worker) omb_error("%s", err);
    } else if (!(worker = omb_local_worker_new(&a->wopt))) {
        fprintf(stderr, "omb: out of memory\n");
    }
    return worker;
}

/* The exit code of an interrupted run: 128 + the signal, as a shell expects. */
static int interrupted_code(void) { return 128 + (omb_interrupted ? omb_interrupted : 2); }

/* Step 3: each workload (sorted by file base name) on each driver, in order. A failed pair
 * is reported and the loop goes on. Returns the exit code. */
static int run_matrix(const struct run_args *a, struct run_inputs *in)
{
    qsort(in->wl, in->nw, sizeof *in->wl, cmp_base_name);
    struct omb_worker *worker = open_worker(a, in);
    if (!worker) return 1;
    int rc = 0;
    size_t total = in->nw * in->nd, index = 0, failed = 0, nwritten = 0;
    char **written = calloc(total, sizeof *written); /* the result files this run wrote */
    struct omb_summary_row *rows = calloc(total, sizeof *rows);
    size_t nrows = 0;
    if (!written || !rows) {
        free(written);
        free(rows);
        worker->ops->destroy(worker);
        fprintf(stderr, "omb: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < in->nw && !omb_interrupted; i++)
        for (size_t j = 0; j < in->nd && !omb_interrupted; j++) {
            char path[4096];
            omb_output_result_path(a->output, ++index, total, &in->wl[i], in->dc[j].name, path,
                                   sizeof path);
            const char *why = in->unusable[i * in->nd + j];
            if (why) {
                omb_error("Skipped: %s", why);
                char note[1024];
                snprintf(note, sizeof note, "skipped: %s", why);
                omb_summary_row_none(&rows[nrows++], in->wl[i].name, in->dc[j].name, note);
                failed++;
                continue;
            }
            struct omb_run_report report;
            enum omb_run_status st =
                omb_run_workload(worker, &in->wl[i], &in->dc[j], &a->opt, path, &report);
            bool wrote = report.result_written;
            if (wrote && !(written[nwritten] = strdup(path))) {
                omb_error("out of memory");
            } else if (wrote) {
                nwritten++;
            }
            summary_row(path, wrote, in->wl[i].name, in->dc[j].name,
                        st == OMB_RUN_INTERRUPTED
                            ? "no result: interrupted before the measured phase"
                            : "no result: the run failed before its measured phase (see above)",
                        &rows[nrows]);
            print_summary("Summary: " SUMMARY_UNITS, &rows[nrows], 1);
            nrows++;
            if (st != OMB_RUN_OK) {
                failed++;
                if (st == OMB_RUN_INTERRUPTED) rc = interrupted_code();
                omb_error("Workload '%s' on driver '%s' did not complete", in->wl[i].name,
                          in->dc[j].name);
            }
        }
    worker->ops->destroy(worker);
    if (total > 1) omb_info("%zu of %zu run(s) completed", total - failed, total);
    if (total > 1 && nrows > 0) {
        char title[256];
        snprintf(title, sizeof title, "Summary of %zu run(s) of %zu: " SUMMARY_UNITS, nrows, total);
        print_summary(title, rows, nrows);
    }
    free(rows);
    if (a->csv_dir && write_csv(a->csv_dir, written, nwritten) != 0 && rc == 0) rc = 1;
    for (size_t k = 0; k < nwritten; k++) free(written[k]);
    free(written);
    return failed && rc == 0 ? 1 : rc;
}

/* "4 topic(s) x 16 partition(s)", or "2 existing topic(s) (orders, payments) x the
 * broker's partitions". */
static void plan_topics(const struct omb_workload *w, char *buf, size_t len)
{
    if (!w->existing_topics) {
        snprintf(buf, len, "%lld topic(s) x %lld partition(s)", (long long)w->topics,
                 (long long)w->partitions_per_topic);
        return;
    }
    size_t used = (size_t)snprintf(buf, len, "%lld existing topic(s) (", (long long)w->topics);
    for (char **t = w->existing_topics; *t && used < len; t++) {
        if (used + strlen(*t) + 40 > len) {
            used += (size_t)snprintf(buf + used, len - used, "...");
            break;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s", t == w->existing_topics ? "" : ", ", *t);
    }
    if (used >= len) return;
    if (w->partitions_given)
        snprintf(buf + used, len - used, ") x %lld partition(s)", (long long)w->partitions_per_topic);
    else
        snprintf(buf + used, len - used, ") x the broker's partitions");
}

/* A dry run's plan: the pairs in the order they would run, each described by @p pair
 * (which returns its warm-up and measured minutes), and the least total time. */
struct plan {
    const char *title, *unit; /* "Plan", "run(s)" */
    const char *on_top;       /* what the estimate leaves out */
    const char *output;       /* where results would go (NULL: .) */
    double (*pair)(const struct omb_workload *w, const void *ctx);
    const void *ctx;
};

static void print_plan_of(const struct plan *p, struct run_inputs *in)
{
    qsort(in->wl, in->nw, sizeof *in->wl, cmp_base_name);
    double minutes = 0;
    size_t k = 0;
    printf("%s: %zu workload(s) x %zu driver(s) = %zu %s, %s\n", p->title, in->nw, in->nd,
           in->nw * in->nd, p->unit,
           in->nwurls ? "on workers" : "in this process (no -w, -wf or ./workers.yaml)");
    for (size_t i = 0; i < in->nwurls; i++) printf("  worker %s\n", in->wurls[i]);
    for (size_t i = 0; i < in->nw; i++)
        for (size_t j = 0; j < in->nd; j++) {
            const struct omb_workload *w = &in->wl[i];
            printf("%3zu. %s (%s) on %s (%s)\n", ++k, w->name, w->path, in->dc[j].name,
                   in->dc[j].path);
            double m = p->pair(w, p->ctx);
            if (in->unusable[i * in->nd + j])
                printf("     SKIPPED: %s\n", in->unusable[i * in->nd + j]);
            else
                minutes += m;
        }
    long secs = (long)(minutes * 60 + 0.5);
    printf("Estimated time: at least %ld h %02ld min %02ld s (warm-up and measured phases; %s "
           "come on top)\n",
           secs / 3600, secs / 60 % 60, secs % 60, p->on_top);
    printf("Every file is valid; %zu pair(s) would be skipped; results would go to %s\n",
           in->nunusable, p->output ? p->output : ".");
}

/* One run of the plan: topology, rate and phases. */
static double plan_run(const struct omb_workload *w, const void *ctx)
{
    const struct run_args *a = ctx;
    char rate[64], topics[160];
    if (w->producer_rate == 0)
        snprintf(rate, sizeof rate, "maximum-rate search");
    else
        snprintf(rate, sizeof rate, "%.0f msg/s%s", w->producer_rate,
                 a->opt.rate_per_producer ? " per producer" : "");
    plan_topics(w, topics, sizeof topics);
    bool backlog = w->consumer_backlog_size_gb > 0;
    printf("     %s, %lld B messages, %s; %lld producer(s)/topic, %lld subscription(s)/topic x "
           "%lld consumer(s)\n"
           "     warm-up %g min, %smeasured %g min\n",
           topics, (long long)w->message_size, rate, (long long)w->producers_per_topic,
           (long long)w->subscriptions_per_topic, (long long)w->consumer_per_subscription,
           w->warmup_duration_minutes, backlog ? "backlog build and drain, " : "",
           w->test_duration_minutes);
    return w->warmup_duration_minutes + w->test_duration_minutes;
}

/* --dry-run: what would run, in the order it would, and how long it would take at least
 * (warm-up and measured phases; setup, readiness, backlog build and drain come on top). */
static int print_plan(const struct run_args *a, struct run_inputs *in)
{
    const struct plan p = {.title = "Plan",
                           .unit = "run(s)",
                           .on_top = "setup, readiness and backlogs",
                           .output = a->output,
                           .pair = plan_run,
                           .ctx = a};
    print_plan_of(&p, in);
    if (a->csv_dir) printf("Their CSV would go to %s/results-<epoch>.csv\n", a->csv_dir);
    return 0;
}

static void free_inputs(struct run_inputs *in)
{
    for (size_t i = 0; in->wl && i < in->nw; i++) omb_workload_free(&in->wl[i]);
    free(in->wl);
    for (size_t i = 0; in->dc && i < in->nd; i++) omb_driver_conf_free(&in->dc[i]);
    free(in->dc);
    for (size_t i = 0; i < in->nwurls; i++) free(in->wurls[i]);
    free(in->wurls);
    for (size_t k = 0; in->unusable && k < in->nw * in->nd; k++) free(in->unusable[k]);
    free(in->unusable);
}

static int cmd_run(int argc, char **argv)
{
    struct run_args a = {0};
    struct run_inputs in = {0};
    int rc = parse_run_args(argc, argv, &a);
    if (rc == 2)
        rc = csv_only(a.csv_dir);
    else if (rc == 0 && load_inputs(&a, &in) != 0)
        rc = EXIT_USAGE;
    else if (rc == 0)
        rc = a.dry_run ? print_plan(&a, &in) : run_matrix(&a, &in);
    else
        rc = rc > 0 ? 0 : EXIT_USAGE;
    free_inputs(&in);
    omb_cli_list_free(&a.drivers);
    omb_cli_list_free(&a.workers);
    omb_cli_list_free(&a.workloads);
    return rc;
}

/* ---- omb sweep ------------------------------------------------------------------------ */

/* What `omb sweep` was asked to do: `omb run`'s options that make sense for it, and its own. */
struct sweep_args {
    struct run_args run;
    struct omb_sweep_options so;
    const char *fractions;
};

#define SWEEP_OWN   6
#define SWEEP_NOPTS (RUN_NOPTS + SWEEP_OWN)

/* `omb run`'s options a sweep does not take: it sets every step's rate itself, writes several
 * files (its own -o says where) and runs no backlog test. */
static bool sweep_drops(const char *names)
{
    return !strcmp(names, "--rate-per-producer") ||
           !strcmp(names, "-o|--output") || !strcmp(names, "--backlog-stall-timeout");
}

static void sweep_options_table(struct sweep_args *s, struct omb_cli_opt *t)
{
    struct omb_sweep_options *o = &s->so;
    const struct omb_cli_opt own[SWEEP_OWN] = {
        {"--fractions", OMB_CLI_STRING, &s->fractions, 0, 0, "F[,F]",
         "fractions of the maximum rate, increasing, each above 0 and at most 1.5 (default "
         "0.25,0.5,0.75,0.9,1.0)"},
        {"--max-rate", OMB_CLI_NUMBER, &o->max_rate, 0.001, 1e10, "R",
         "the 1.0 rate in msg/s, instead of searching for it"},
        {"--step-minutes", OMB_CLI_NUMBER, &o->step_minutes, 0.001, 1e6, "M",
         "measured phase of each fixed-rate step (default: the workload's testDurationMinutes)"},
        {"--search-minutes", OMB_CLI_NUMBER, &o->search_minutes, 0.001, 1e6, "M",
         "measured phase of the rate search (default: the workload's testDurationMinutes)"},
        {"--warmup-minutes", OMB_CLI_NUMBER, &o->warmup_minutes, 0, 1e6, "M",
         "warm-up before every step, the search's too (default: the workload's "
         "warmupDurationMinutes)"},
        {"-o|--output", OMB_CLI_STRING, &s->run.output, 0, 0, "DIR",
         "directory for the step results and the summary (default: .)"},
    };
    struct omb_cli_opt run[RUN_NOPTS];
    run_options_table(&s->run, run);
    size_t n = 0;
    for (size_t i = 0; i < SWEEP_OWN; i++) t[n++] = own[i];
    for (size_t i = 0; run[i].names; i++)
        if (!sweep_drops(run[i].names)) t[n++] = run[i];
    t[n] = (struct omb_cli_opt){0};
}

static void sweep_usage(FILE *f)
{
    struct sweep_args s;
    struct omb_cli_opt t[SWEEP_NOPTS];
    sweep_options_table(&s, t);
    fprintf(f, "usage: omb sweep [options] WORKLOAD.yaml...\n"
               "  The latency-throughput curve: the maximum-rate search (or --max-rate), then one\n"
               "  fixed-rate run per fraction of that rate, on each driver. Writes one OMB result\n"
               "  per step and a summary (docs/sweep.md) that `omb charts` draws.\n\n"
               "sweep options:\n");
    omb_cli_help(f, t);
    driver_flags_help(f);
}

/* Everything of a sweep checked before it runs. Returns 0 or -1 (message printed). */
static int check_sweep_args(struct sweep_args *s)
{
    char err[1024];
    if (s->fractions && omb_sweep_parse_fractions(s->fractions, &s->so, err, sizeof err) != 0) {
        fprintf(stderr, "omb sweep: %s\n", err);
        return -1;
    }
    struct stat st;
    if (s->run.output && (stat(s->run.output, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr,
                "omb sweep: -o '%s' is not a directory: a sweep writes several files into one "
                "(docs/sweep.md)\n",
                s->run.output);
        return -1;
    }
    s->so.dir = s->run.output;
    return 0;
}

/* One sweep of the plan: topology, then the search (or the rate given) and the steps. */
static double plan_sweep(const struct omb_workload *w, const void *ctx)
{
    char topics[160];
    plan_topics(w, topics, sizeof topics);
    printf("     %s, %lld B messages; %lld producer(s)/topic, %lld subscription(s)/topic x %lld "
           "consumer(s)\n",
           topics, (long long)w->message_size, (long long)w->producers_per_topic,
           (long long)w->subscriptions_per_topic, (long long)w->consumer_per_subscription);
    return omb_sweep_print_plan(stdout, w, ctx);
}

/* omb sweep --dry-run: as omb run's plan, with each sweep's search and steps. */
static int print_sweep_plan(const struct sweep_args *s, struct run_inputs *in)
{
    const struct plan p = {.title = "Sweep plan",
                           .unit = "sweep(s)",
                           .on_top = "setup and readiness",
                           .output = s->run.output,
                           .pair = plan_sweep,
                           .ctx = &s->so};
    print_plan_of(&p, in);
    return 0;
}

static int cmd_sweep(int argc, char **argv)
{
    struct sweep_args s = {0};
    struct run_inputs in = {0};
    struct omb_cli_opt t[SWEEP_NOPTS];
    omb_run_options_default(&s.run.opt);
    omb_sweep_options_default(&s.so);
    sweep_options_table(&s, t);
    int rc = parse_args_with("omb sweep", t, sweep_usage, argc, argv, &s.run);
    if (rc == 0 && check_sweep_args(&s) != 0) rc = -1;
    if (rc == 0 && load_inputs(&s.run, &in) != 0) rc = -1;
    char err[1024];
    for (size_t i = 0; rc == 0 && i < in.nw; i++)
        if (omb_sweep_check_workload(&in.wl[i], err, sizeof err) != 0) {
            fprintf(stderr, "omb sweep: %s\n", err);
            rc = -1;
        }
    if (rc == 0 && s.run.dry_run) {
        rc = print_sweep_plan(&s, &in);
    } else if (rc == 0) {
        qsort(in.wl, in.nw, sizeof *in.wl, cmp_base_name);
        struct omb_worker *worker = open_worker(&s.run, &in);
        if (!worker) rc = 1;
        size_t failed = 0;
        for (size_t i = 0; worker && i < in.nw && !omb_interrupted; i++) {
            enum omb_run_status st =
                omb_sweep_run(worker, &in.wl[i], in.dc, in.nd,
                              (const char *const *)&in.unusable[i * in.nd], &s.run.opt, &s.so);
            if (st == OMB_RUN_INTERRUPTED) rc = interrupted_code();
            if (st != OMB_RUN_OK) failed++;
        }
        if (worker) worker->ops->destroy(worker);
        if (in.nw > 1) omb_info("%zu of %zu sweep(s) completed", in.nw - failed, in.nw);
        if (rc == 0 && failed) rc = 1;
    } else {
        rc = rc > 0 ? 0 : EXIT_USAGE;
    }
    free_inputs(&in);
    omb_cli_list_free(&s.run.drivers);
    omb_cli_list_free(&s.run.workers);
    omb_cli_list_free(&s.run.workloads);
    return rc;
}

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},
    {"sweep", cmd_sweep},
    {"worker", omb_worker_command},
    {"csv", omb_tool_csv_main},
    {"charts", omb_tool_charts_main},
    {"generate", omb_tool_generate_main},
};

/* A first argument that is no subcommand and no file: a mistyped subcommand? */
static bool mistyped_command(const char *arg)
{
    if (access(arg, F_OK) == 0 || strchr(arg, '.') || strchr(arg, '/')) return false;
    const char *words[16];
    size_t n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) words[n++] = commands[i].name;
    for (const struct omb_driver_ops *const *d = omb_drivers_built(); *d && n < 15; d++)
        for (const struct omb_driver_command *c = (*d)->commands; c && c->name && n < 15; c++)
            words[n++] = c->name;
    words[n] = NULL;
    const char *near = omb_cli_nearest(arg, words);
    if (near)
        fprintf(stderr, "omb: unknown command '%s'; did you mean 'omb %s'?\n", arg, near);
    else
        fprintf(stderr, "omb: '%s' is neither a command nor a workload file\n", arg);
    return true;
}

int main(int argc, char **argv)
{
    omb_clock_init();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version")) {
        printf("omb %s\n", OMB_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].main(argc - 2, argv + 2);
    const struct omb_driver_command *dcmd = omb_driver_command(cmd);
    if (dcmd) return dcmd->main(argc - 2, argv + 2);
    if (cmd[0] != '-' && mistyped_command(cmd)) return EXIT_USAGE;
    return cmd_run(argc - 1, argv + 1);
}
