/* csv.c - `omb csv DIR`: one CSV row per result file, OMB's columns first (ResultsToCsv),
 * then what people ask OMB for: names, byte rates, latency percentiles.
 *
 * Differences from OMB's tool, on purpose (docs/tools.md):
 * - Statistics are exact: OMB records the rates into an HdrHistogram with one significant
 *   digit, so its min/avg/std-dev/max come out rounded (12,345 msg/s reads as 10,000).
 *   Here min and max are the period values, avg the mean, std-dev the population standard
 *   deviation (what HdrHistogram's getStdDeviation computes), over the periods.
 * - min is the smallest period, zero included (OMB reports the smallest non-zero one, so a
 *   stalled period disappeared).
 * - Rows follow OMB's order: file name, then (stably) messageSize, topics, partitions.
 * - `omb csv` writes to stdout or -o FILE; OMB's results-<epoch>.csv is what `omb run -c DIR`
 *   writes (omb_csv_default_path). The header has no trailing comma.
 * - Numbers print exactly: integers without a fraction, others in the shortest form that
 *   reads back to the same double. A value a file lacks is an empty cell.
 */
#include "tools/tools.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/result_file.h"
#include "util/atomic_file.h"
#include "util/cli.h"

#define EXIT_BAD_INPUT 2

enum col_kind {
    C_NUMBER, /* a top-level number */
    C_MIN,    /* statistics of a per-period series */
    C_AVG,
    C_SD,
    C_MAX,
    C_BYTE_AVG, /* mean of a byte-rate series; without it, the message rate x messageSize */
    C_WORKLOAD,
    C_DRIVER,
    C_FILE,
    C_PERIODS,
};

struct column {
    const char *header;
    enum col_kind kind;
    const char *key;
    const char *fallback; /* C_BYTE_AVG: the message-rate series */
};

static const struct column columns[] = {
    /* OMB's ResultsToCsv columns, in its order */
    {"topics", C_NUMBER, "topics", NULL},
    {"partitions", C_NUMBER, "partitions", NULL},
    {"message-size", C_NUMBER, "messageSize", NULL},
    {"producers-per-topic", C_NUMBER, "producersPerTopic", NULL},
    {"consumers-per-topic", C_NUMBER, "consumersPerTopic", NULL},
    {"prod-rate-min", C_MIN, "publishRate", NULL},
    {"prod-rate-avg", C_AVG, "publishRate", NULL},
    {"prod-rate-std-dev", C_SD, "publishRate", NULL},
    {"prod-rate-max", C_MAX, "publishRate", NULL},
    {"con-rate-min", C_MIN, "consumeRate", NULL},
    {"con-rate-avg", C_AVG, "consumeRate", NULL},
    {"con-rate-std-dev", C_SD, "consumeRate", NULL},
    {"con-rate-max", C_MAX, "consumeRate", NULL},
    /* omb's additions */
    {"workload", C_WORKLOAD, NULL, NULL},
    {"driver", C_DRIVER, NULL, NULL},
    {"file", C_FILE, NULL, NULL},
    {"periods", C_PERIODS, "publishRate", NULL},
    {"prod-byte-rate-avg", C_BYTE_AVG, "publishByteRate", "publishRate"},
    {"con-byte-rate-avg", C_BYTE_AVG, "consumeByteRate", "consumeRate"},
    {"prod-err-rate-avg", C_AVG, "publishErrorRate", NULL},
    {"backlog-max", C_MAX, "backlog", NULL},
#define LAT(h, k, unit)                                                                            \
    {h "-avg-" unit, C_NUMBER, k "Avg", NULL}, {h "-p50-" unit, C_NUMBER, k "50pct", NULL},        \
        {h "-p75-" unit, C_NUMBER, k "75pct", NULL}, {h "-p95-" unit, C_NUMBER, k "95pct", NULL},  \
        {h "-p99-" unit, C_NUMBER, k "99pct", NULL},                                               \
        {h "-p99.9-" unit, C_NUMBER, k "999pct", NULL},                                            \
        {h "-p99.99-" unit, C_NUMBER, k "9999pct", NULL},                                          \
    {                                                                                              \
        h "-max-" unit, C_NUMBER, k "Max", NULL                                                    \
    }
    LAT("pub-latency", "aggregatedPublishLatency", "ms"),
    LAT("pub-delay", "aggregatedPublishDelayLatency", "us"),
    LAT("e2e-latency", "aggregatedEndToEndLatency", "ms"),
#undef LAT
    {"messages-sent", C_NUMBER, "totalMessagesSent", NULL},
    {"messages-received", C_NUMBER, "totalMessagesReceived", NULL},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* Integers without a fraction; otherwise the shortest %g form that reads back exactly. */
static void fmt_number(double v, char *buf, size_t n)
{
    if (v == 0) v = 0; /* no "-0" */
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, n, "%.0f", v);
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
static void put_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_number(FILE *f, bool have, double v)
{
    char buf[64];
    if (!have || !isfinite(v)) return;
    fmt_number(v, buf, sizeof buf);
    fputs(buf, f);
}

static void put_cell(FILE *f, const struct omb_result_file *rf, const struct column *c)
{
    double d = 0, *v = NULL;
    struct omb_series_stats st;
    size_t n;
    switch (c->kind) {
    case C_NUMBER: {
        bool have = omb_result_file_number(rf, c->key, &d);
        put_number(f, have, d);
        return;
    }
    case C_WORKLOAD:
        put_text(f, rf->workload);
        return;
    case C_DRIVER:
        put_text(f, rf->driver);
        return;
    case C_FILE:
        put_text(f, rf->base);
        return;
    case C_PERIODS:
        n = omb_result_file_series(rf, c->key, &v);
        fprintf(f, "%zu", n);
        free(v);
        return;
    case C_BYTE_AVG: {
        n = omb_result_file_series(rf, c->key, &v);
        double size = 0;
        if (n == 0 && omb_result_file_number(rf, "messageSize", &size)) {
            /* Java OMB has no byte rates; its messages all have messageSize bytes. */
            n = omb_result_file_series(rf, c->fallback, &v);
            for (size_t i = 0; i < n; i++) v[i] *= size;
        }
        omb_series_stats(v, n, &st);
        put_number(f, st.n > 0, st.avg);
        free(v);
        return;
    }
    case C_MIN:
    case C_AVG:
    case C_SD:
    case C_MAX:
        n = omb_result_file_series(rf, c->key, &v);
        omb_series_stats(v, n, &st);
        d = c->kind == C_MIN   ? st.min
            : c->kind == C_AVG ? st.avg
            : c->kind == C_SD  ? st.sd
                               : st.max;
        put_number(f, st.n > 0, d);
        free(v);
        return;
    }
}

/* OMB's order: messageSize, then topics, then partitions; ties keep file-name order. */
static double sort_key(const struct omb_result_file *rf, const char *key)
{
    double d;
    return omb_result_file_number(rf, key, &d) ? d : -1;
}

static int cmp_rows(const struct omb_result_file *a, const struct omb_result_file *b)
{
    static const char *const keys[] = {"messageSize", "topics", "partitions"};
    for (size_t i = 0; i < 3; i++) {
        double x = sort_key(a, keys[i]), y = sort_key(b, keys[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: omb csv [-o FILE] RESULTS_DIR\n"
               "  One CSV row per result file (*.json) in RESULTS_DIR: OMB's columns, then\n"
               "  workload, driver, byte rates and latency percentiles. Writes to stdout, or\n"
               "  to FILE with -o. See docs/tools.md for the columns.\n");
}

/* Returns -1 to go on, or the exit code (help printed: 0; a bad command line: 2). */
static int parse_args(int argc, char **argv, const char **output, struct omb_cli_list *dirs)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    const struct omb_cli_opt opts[] = {
        {"-o|--output", OMB_CLI_STRING, output, 0, 0, "FILE", "the CSV file (default: stdout)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    if (omb_cli_parse("omb csv", opts, argc, argv, dirs, NULL, NULL) != 0) return EXIT_BAD_INPUT;
    if (dirs->n > 1) {
        fprintf(stderr, "omb csv: one results directory only (got '%s' and '%s')\n", dirs->v[0],
                dirs->v[1]);
        return EXIT_BAD_INPUT;
    }
    if (dirs->n == 0) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    return -1;
}

int omb_csv_write(const char *prog, char *const *paths, size_t n, const char *output)
{
    char err[1024];
    size_t loaded = 0;
    struct omb_result_file **rows = calloc(n ? n : 1, sizeof *rows);
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;
    if (!rows) goto oom;
    for (size_t i = 0; i < n; i++) {
        if (omb_result_file_load(paths[i], &rows[loaded], err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            rc = EXIT_BAD_INPUT;
            continue;
        }
        if (rows[loaded]->missing[0])
            fprintf(stderr, "%s: note: %s lacks OMB's %s (empty cells)\n", prog, paths[i],
                    rows[loaded]->missing);
        loaded++;
    }
    if (rc != 0) goto out;
    /* Insertion sort: stable, and result directories are small. */
    for (size_t i = 1; i < loaded; i++)
        for (size_t j = i; j > 0 && cmp_rows(rows[j - 1], rows[j]) > 0; j--) {
            struct omb_result_file *t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }

    FILE *f = open_memstream(&buf, &len);
    if (!f) goto oom;
    for (size_t c = 0; c < NCOLUMNS; c++) fprintf(f, "%s%s", c ? "," : "", columns[c].header);
    fputc('\n', f);
    for (size_t r = 0; r < loaded; r++) {
        for (size_t c = 0; c < NCOLUMNS; c++) {
            if (c) fputc(',', f);
            put_cell(f, rows[r], &columns[c]);
        }
        fputc('\n', f);
    }
    if (fclose(f) != 0) goto oom;
    if (output) {
        if (omb_write_file_atomic(output, NULL, buf, len, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            rc = 1;
        }
    } else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write to stdout\n", prog);
        rc = 1;
    }
    goto out;
oom:
    fprintf(stderr, "%s: out of memory\n", prog);
    rc = 1;
out:
    for (size_t i = 0; i < loaded; i++) omb_result_file_free(rows[i]);
    free(rows);
    free(buf);
    return rc;
}

void omb_csv_default_path(const char *dir, char *buf, size_t n)
{
    long long epoch = (long long)time(NULL);
    if (!dir) dir = ".";
    int len = (int)strlen(dir);
    while (len > 0 && dir[len - 1] == '/')
        len--; /* "csv/" -> "csv/results-...", not "//"; "/" -> "" */
    snprintf(buf, n, "%.*s/results-%lld.csv", len, dir, epoch);
    /* Two runs in one second must not overwrite each other's CSV (OMB's would). */
    for (int k = 1; access(buf, F_OK) == 0 && k < 1000; k++)
        snprintf(buf, n, "%.*s/results-%lld-%d.csv", len, dir, epoch, k);
}

int omb_tool_csv_main(int argc, char **argv)
{
    const char *output = NULL;
    struct omb_cli_list dirs = {0};
    int rc = parse_args(argc, argv, &output, &dirs);
    if (rc >= 0) {
        omb_cli_list_free(&dirs);
        return rc;
    }
    const char *dir = dirs.v[0];
    char err[1024];
    char **paths = NULL;
    size_t n = 0;
    if (omb_result_dir_list(dir, &paths, &n, err, sizeof err) != 0) {
        fprintf(stderr, "omb csv: %s\n", err);
        rc = EXIT_BAD_INPUT;
    } else if (n == 0) {
        fprintf(stderr, "omb csv: no result files (*.json) in '%s'\n", dir);
        rc = EXIT_BAD_INPUT;
    } else {
        rc = omb_csv_write("omb csv", paths, n, output);
    }
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
    omb_cli_list_free(&dirs);
    return rc;
}
