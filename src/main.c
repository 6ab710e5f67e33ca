/* main.c - the `omb` command: run | worker | csv | charts | generate (SPEC section 2). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/driver_conf.h"
#include "config/workload.h"
#include "coordinator/ensemble.h"
#include "coordinator/run.h"
#include "drivers/driver.h"
#include "drivers/kafka/mock_server.h"
#include "tools/tools.h"
#include "util/clock.h"
#include "util/log.h"
#include "worker/http_worker.h"
#include "worker/local_worker.h"

#define EXIT_USAGE 2 /* bad command line or bad input file: nothing was run */

/* The embedded default driver: Kafka on librdkafka's in-process mock cluster
 * (examples/drivers/kafka-mock.yaml, compiled in). */
#include "embedded_driver.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: omb [run] [options] WORKLOAD.yaml...\n"
            "       omb worker [-p 8080] [-sp 8081] [--bind ADDR] [--token T]\n"
            "       omb kafka-mock [--brokers 3]\n"
            "       omb csv RESULTS_DIR\n"
            "       omb charts RESULT.json...\n"
            "       omb generate -t TEMPLATE.yaml -o DIR\n"
            "\n"
            "run options:\n"
            "  -d, --drivers F[,F]     driver files (default: Kafka on librdkafka's in-process\n"
            "                          mock cluster)\n"
            "  -o, --output PATH       result file (numbered when several results), or a\n"
            "                          directory for them (default: the current directory)\n"
            "  --period SECONDS        reporting period (default 10)\n"
            "  --keep-topics           do not delete topics at the end\n"
            "  --kafka-mock            run Kafka driver files on the in-process mock cluster\n"
            "                          whatever their bootstrap.servers say\n"
            "  --sender-threads N      sender threads (default: half the CPUs, at least 1)\n"
            "  --rate-per-producer     producerRate is per producer (the Python port's\n"
            "                          reading), not the total (OMB's)\n"
            "  --probe-timeout S       readiness probe time limit (default 60)\n"
            "  --drain-timeout S       end-of-run catch-up time for consumers (default 30)\n"
            "  --backlog-stall-timeout S  a backlog build or drain without progress for S\n"
            "                          seconds ends the run (default 60)\n"
            "  --control-period S      rate search (producerRate: 0) control period (default 1)\n"
            "  -w, --workers URL,URL   run on `omb worker`s (or OMB's Java workers); token\n"
            "                          from OMB_WORKER_TOKEN (docs/distributed.md)\n"
            "  -wf, --workers-file F   workers file: workers: [\"http://h:8080\", ...]\n"
            "  -x, --extra             extra consumer workers (distributed mode)\n"
            "  -v, --verbose           debug logging\n"
            "  -h, --help, --version\n");
}

static int parse_double(const char *opt, const char *s, double min, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s ? s : "", &end);
    if (!s || end == s || *end || errno || v < min) {
        fprintf(stderr, "omb: %s needs a number >= %g, got '%s'\n", opt, min, s ? s : "");
        return -1;
    }
    *out = v;
    return 0;
}

/* Splits "a,b,c" into a NULL-terminated array of malloc'ed strings. */
static char **split_commas(const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++) cap += *p == ',';
    char **v = calloc(cap + 1, sizeof *v);
    *n = 0;
    const char *start = s;
    for (const char *p = s;; p++)
        if (*p == ',' || *p == '\0') {
            if (p > start) v[(*n)++] = strndup(start, (size_t)(p - start));
            if (!*p) break;
            start = p + 1;
        }
    return v;
}

static int cmp_base_name(const void *a, const void *b)
{
    const struct omb_workload *x = a, *y = b;
    int c = strcmp(x->base_name, y->base_name);
    return c ? c : strcmp(x->path, y->path);
}

/* A file-name-safe copy of a driver name ("Kafka-exactly-once", "my kafka" -> "my-kafka"). */
static void safe_name(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < n; p++)
        out[o++] = (*p == '/' || *p == ' ' || *p == '\\') ? '-' : *p;
    out[o] = '\0';
}

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Whether results can be written where -o says (a directory, or a file in one), before a
 * run that may take hours: the directory must exist and be writable. */
static bool results_writable(const char *output, char *err, size_t errlen)
{
    char dir[1024];
    if (!output || is_dir(output)) {
        snprintf(dir, sizeof dir, "%s", output ? output : ".");
    } else if (output[strlen(output) - 1] == '/') {
        snprintf(err, errlen, "output directory '%s' does not exist", output);
        return false;
    } else {
        const char *slash = strrchr(output, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if (slash == output)
            snprintf(dir, sizeof dir, "/");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - output), output);
        if (!is_dir(dir)) {
            snprintf(err, errlen, "cannot write result file '%s': directory '%s' does not exist",
                     output, dir);
            return false;
        }
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "cannot write results in '%s': %s", dir, strerror(errno));
        return false;
    }
    return true;
}

/* Result path of run number @p index (1-based) of @p total, never an existing file. */
static void result_path(const char *output, size_t index, size_t total,
                        const struct omb_workload *w, const char *driver, char *out, size_t n)
{
    char drv[256], stamp[32], base[3072];
    safe_name(driver, drv, sizeof drv);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d-%H-%M-%S", &tm);
    if (output && !is_dir(output)) {
        if (total == 1) {
            snprintf(out, n, "%s", output);
            return;
        }
        /* One path, several results: number them rather than overwrite. */
        const char *dot = strrchr(output, '.');
        const char *slash = strrchr(output, '/');
        if (dot && (!slash || dot > slash))
            snprintf(out, n, "%.*s-%zu%s", (int)(dot - output), output, index, dot);
        else
            snprintf(out, n, "%s-%zu", output, index);
        return;
    }
    snprintf(base, sizeof base, "%s%s%s-%s-%s", output ? output : "", output ? "/" : "",
             w->base_name, drv, stamp);
    snprintf(out, n, "%s.json", base);
    for (int k = 1; exists(out) && k < 1000; k++) snprintf(out, n, "%s-%d.json", base, k);
}

static int cmd_run(int argc, char **argv)
{
    const char *drivers_arg = NULL, *output = NULL;
    struct omb_run_options opt;
    omb_run_options_default(&opt);
    struct omb_local_worker_options wopt = {0};
    char **wfiles = calloc((size_t)argc + 1, sizeof *wfiles);
    size_t nw = 0, nd = 0, nconf = 0;
    bool distributed = false, workers = false, workers_file = false, extra = false;
    const char *workers_arg = NULL;
    char **wurls = NULL;
    size_t nwurls = 0;
    struct omb_workload *wl = NULL;
    struct omb_driver_conf *dc = NULL;
    char **dfiles = NULL;
    char err[2048];
    int rc = 0;

    double sender_threads = 0;
    /* The options that take a number: name, smallest value, where it goes. */
    const struct {
        const char *name;
        double min;
        double *dst;
    } numeric[] = {
        {"--period", 0.1, &opt.period_seconds},
        {"--probe-timeout", 1, &opt.probe_timeout_s},
        {"--drain-timeout", 0, &opt.drain_timeout_s},
        {"--backlog-stall-timeout", 1, &opt.backlog_stall_s},
        {"--control-period", 0.1, &opt.control_period_s},
        {"--sender-threads", 1, &sender_threads},
    };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE                                                                                \
    if (!next) {                                                                                   \
        fprintf(stderr, "omb: %s needs a value\n", a);                                             \
        rc = EXIT_USAGE;                                                                           \
        goto out;                                                                                  \
    }                                                                                              \
    i++
        size_t k = 0;
        while (k < sizeof numeric / sizeof numeric[0] && strcmp(a, numeric[k].name)) k++;
        if (k < sizeof numeric / sizeof numeric[0]) {
            NEEDS_VALUE;
            if (parse_double(a, next, numeric[k].min, numeric[k].dst)) {
                rc = EXIT_USAGE;
                goto out;
            }
        } else if (!strcmp(a, "-d") || !strcmp(a, "--drivers")) {
            NEEDS_VALUE;
            drivers_arg = next;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEEDS_VALUE;
            output = next;
        } else if (!strcmp(a, "-w") || !strcmp(a, "--workers")) {
            NEEDS_VALUE;
            workers = distributed = true;
            workers_arg = next;
        } else if (!strcmp(a, "-wf") || !strcmp(a, "--workers-file")) {
            NEEDS_VALUE;
            workers_file = distributed = true;
            workers_arg = next;
        } else if (!strcmp(a, "-x") || !strcmp(a, "--extra")) {
            extra = true; /* only meaningful with workers */
        } else if (!strcmp(a, "--keep-topics")) {
            opt.keep_topics = true;
        } else if (!strcmp(a, "--rate-per-producer")) {
            opt.rate_per_producer = true;
        } else if (!strcmp(a, "--kafka-mock")) {
            setenv("OMB_KAFKA_MOCK", "1", 1);
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            omb_log_set_level(OMB_LOG_DEBUG);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            goto out;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "omb: unknown option '%s' (omb --help lists them)\n", a);
            rc = EXIT_USAGE;
            goto out;
        } else {
            wfiles[nw++] = argv[i];
        }
#undef NEEDS_VALUE
    }
    wopt.sender_threads = (int)sender_threads;
    if (workers && workers_file) {
        fprintf(stderr, "omb: -w and -wf cannot be used together\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (distributed) {
        if (workers_file) {
            if (omb_workers_file_load(workers_arg, &wurls, &nwurls, err, sizeof err) != 0) {
                fprintf(stderr, "omb: %s\n", err);
                rc = EXIT_USAGE;
                goto out;
            }
        } else {
            wurls = split_commas(workers_arg, &nwurls);
        }
        if (nwurls == 0) {
            fprintf(stderr, "omb: -w needs at least one worker URL\n");
            rc = EXIT_USAGE;
            goto out;
        }
        for (size_t i = 0; i < nwurls; i++) {
            char *u = omb_worker_url_normalize(wurls[i], err, sizeof err);
            if (!u) {
                fprintf(stderr, "omb: %s\n", err);
                rc = EXIT_USAGE;
                goto out;
            }
            free(u);
        }
    }
    if (nw == 0) {
        fprintf(stderr, "omb: no workload file given\n");
        usage(stderr);
        {
            rc = EXIT_USAGE;
            goto out;
        }
    }

    /* Everything is loaded and checked before anything runs. */
    wl = calloc(nw, sizeof *wl);
    for (size_t i = 0; i < nw; i++)
        if (omb_workload_load(wfiles[i], &wl[i], err, sizeof err) != 0) {
            fprintf(stderr, "omb: %s\n", err);
            rc = EXIT_USAGE;
        }
    dfiles = drivers_arg ? split_commas(drivers_arg, &nd) : NULL;
    nconf = dfiles ? nd : 1;
    dc = calloc(nconf, sizeof *dc);
    if (drivers_arg && nd == 0) {
        fprintf(stderr, "omb: -d needs at least one driver file\n");
        rc = EXIT_USAGE;
    }
    for (size_t i = 0; i < nconf && rc == 0; i++) {
        int r = dfiles ? omb_driver_conf_load_file(dfiles[i], &dc[i], err, sizeof err)
                       : omb_driver_conf_load_string(embedded_driver, sizeof embedded_driver - 1,
                                                     "embedded default driver", &dc[i], err,
                                                     sizeof err);
        const struct omb_driver_ops *ops =
            r == 0 ? omb_driver_lookup(dc[i].driver_class, err, sizeof err) : NULL;
        if (r == 0 && !ops) {
            fprintf(stderr, "omb: %s: %s\n", dc[i].path, err);
            rc = EXIT_USAGE;
        } else if (!ops || (ops->check && ops->check(&dc[i], err, sizeof err) != 0)) {
            fprintf(stderr, "omb: %s\n", err);
            rc = EXIT_USAGE;
        }
    }
    if (rc != 0) goto out;
    if (!results_writable(output, err, sizeof err)) {
        fprintf(stderr, "omb: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }

    qsort(wl, nw, sizeof *wl, cmp_base_name);
    omb_install_signal_handlers();
    struct omb_worker *worker;
    if (distributed) {
        struct omb_ensemble_options eopt = {.extra_consumers = extra};
        worker = omb_ensemble_new(wurls, nwurls, &eopt, err, sizeof err);
        if (!worker) {
            omb_error("%s", err);
            rc = 1;
            goto out;
        }
    } else {
        worker = omb_local_worker_new(&wopt);
    }
    if (!worker) {
        fprintf(stderr, "omb: out of memory\n");
        rc = 1;
        goto out;
    }
    size_t total = nw * nconf, index = 0, failed = 0;
    for (size_t i = 0; i < nw && !omb_interrupted; i++)
        for (size_t j = 0; j < nconf && !omb_interrupted; j++) {
            char path[4096];
            result_path(output, ++index, total, &wl[i], dc[j].name, path, sizeof path);
            enum omb_run_status st = omb_run_workload(worker, &wl[i], &dc[j], &opt, path);
            if (st != OMB_RUN_OK) {
                failed++;
                if (st == OMB_RUN_INTERRUPTED) rc = OMB_RUN_INTERRUPTED;
                omb_error("Workload '%s' on driver '%s' did not complete", wl[i].name, dc[j].name);
            }
        }
    worker->ops->destroy(worker);
    if (failed && rc == 0) rc = 1;
    if (total > 1) omb_info("%zu of %zu run(s) completed", total - failed, total);
out:
    for (size_t i = 0; wl && i < nw; i++) omb_workload_free(&wl[i]);
    free(wl);
    for (size_t i = 0; dc && i < nconf; i++) omb_driver_conf_free(&dc[i]);
    free(dc);
    for (size_t i = 0; dfiles && i < nd; i++) free(dfiles[i]);
    free(dfiles);
    free(wfiles);
    for (size_t i = 0; wurls && i < nwurls; i++) free(wurls[i]);
    free(wurls);
    return rc;
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
    if (!strcmp(cmd, "run")) return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "worker")) return omb_worker_command(argc - 2, argv + 2);
    if (!strcmp(cmd, "kafka-mock")) return omb_kafka_mock_command(argc - 2, argv + 2);
    if (!strcmp(cmd, "csv")) return omb_tool_csv_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "charts")) return omb_tool_charts_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "generate")) return omb_tool_generate_main(argc - 2, argv + 2);
    return cmd_run(argc - 1, argv + 1);
}
