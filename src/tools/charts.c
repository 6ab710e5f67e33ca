/* charts.c - `omb charts RESULT.json...`: the ten charts of OMB's create_charts.py, a
 * table of what was run and one of the aggregated figures, in one HTML file of inline SVG
 * that needs no network and no web font to open (one inline script adds the SVG/PNG export
 * buttons; without it the page still reads).
 *
 * Choices (docs/tools.md):
 * - Results are grouped by their "workload" name, one section each, in the order the files
 *   were given; within a section, one series per result, labelled with the driver name
 *   (plus the file name when two results share a driver name).
 * - Time charts put each period's value at the end of that period: omb's per-period
 *   "periodSeconds", else omb's "omb.periodSeconds", else OMB's fixed 10 s.
 * - Quantile charts use OMB's axis: x = log10(100 / (100 - percentile)), up to 99.999%
 *   (the 100% point, the maximum, is in the table instead).
 * - A file that lacks a series is left out of that chart and named under it.
 * - A sweep summary (`omb sweep`, docs/sweep.md) gets a section of its own after the
 *   results: a table of its steps and the latency-throughput curve, end-to-end and publish
 *   latency (p50, p99, p99.9) against the achieved publish rate, on a log latency axis;
 *   colour = driver, line style = percentile.
 */
#include "tools/tools.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/result_file.h"
#include "tools/sweep_file.h"
#include "util/atomic_file.h"
#include "util/cli.h"

#define EXIT_BAD_INPUT 2

/* ---- the charts ---------------------------------------------------------------------- */

struct chart_def {
    const char *title;
    const char *y_label;
    const char *key;
    bool quantiles; /* an aggregated quantile map on the log-percentile axis */
};

/* OMB's create_charts.py, in its order. */
static const struct chart_def chart_defs[] = {
    {"Publish latency 99pct", "Latency (ms)", "publishLatency99pct", false},
    {"Publish delay latency 99pct", "Delay (\xC2\xB5s)", "publishDelayLatency99pct", false},
    {"Publish rate", "Rate (msg/s)", "publishRate", false},
    {"Publish error rate", "Rate (err/s)", "publishErrorRate", false},
    {"End-to-end latency 95pct", "Latency (ms)", "endToEndLatency95pct", false},
    {"Consume rate", "Rate (msg/s)", "consumeRate", false},
    {"End-to-end latency avg", "Latency (ms)", "endToEndLatencyAvg", false},
    {"Publish latency quantiles", "Latency (ms)", "aggregatedPublishLatencyQuantiles", true},
    {"Publish delay latency quantiles", "Delay (\xC2\xB5s)",
     "aggregatedPublishDelayLatencyQuantiles", true},
    {"End-to-end latency quantiles", "Latency (ms)", "aggregatedEndToEndLatencyQuantiles", true},
};
#define NCHARTS (sizeof chart_defs / sizeof chart_defs[0])

/* Tableau 10: distinct in colour and in grey; past ten, colours repeat dashed. */
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define NPALETTE (sizeof palette / sizeof palette[0])

#define QUANTILE_MAX_PCT 99.999 /* OMB's last point */
#define QUANTILE_X_MAX   5.0    /* log10(100 / (100 - 99.999)) */

/* Geometry of one chart, in SVG user units. The page shows a chart at least 600 CSS px
 * wide (css below), so a unit is never under 0.93 px: the 13-unit tick text renders at
 * 12 px or more (t_tools_charts.sh measures it). */
#define W          640
#define PLOT_L     80
#define PLOT_R     (W - 34)
#define PLOT_T     40
#define PLOT_B     (PLOT_T + 230)
#define TITLE_Y    25
#define TICK_Y     (PLOT_B + 18) /* x tick labels */
#define XLABEL_Y   (PLOT_B + 42) /* x axis title */
#define YLABEL_X   18            /* y axis title (rotated) */
#define LEGEND_Y   (PLOT_B + 66)
#define LEGEND_DY  22
#define LEGEND_CHW 8.0 /* width of a 14-unit legend character, a little generous */

struct series {
    const char *label;
    const char *color;
    bool dashed;
    size_t n;
    double *x, *y;
};

struct axis {
    double lo, hi, step;
    double div;         /* tick labels are value / div ... */
    const char *suffix; /* ... followed by this ("k", "M") */
    int decimals;
};

static double nice_step(double range, int ticks)
{
    double raw = range / ticks;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    double f = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
    return f * mag;
}

static int decimals_for(double step)
{
    for (int d = 0; d < 9; d++) {
        double s = step * pow(10, d);
        if (fabs(s - round(s)) < 1e-6 * s) return d;
    }
    return 9;
}

static void axis_make(struct axis *a, double lo, double hi)
{
    if (!(hi > lo)) hi = lo + (lo == 0 ? 1 : fabs(lo) * 0.1);
    a->step = nice_step(hi - lo, 5);
    a->lo = floor(lo / a->step + 1e-9) * a->step;
    a->hi = ceil(hi / a->step - 1e-9) * a->step;
    double big = fmax(fabs(a->lo), fabs(a->hi));
    a->div = big >= 1e7 ? 1e6 : big >= 1e4 ? 1e3 : 1;
    a->suffix = a->div == 1e6 ? "M" : a->div == 1e3 ? "k" : "";
    a->decimals = decimals_for(a->step / a->div);
}

static void axis_label(const struct axis *a, double v, char *buf, size_t n)
{
    double x = v / a->div;
    if (fabs(x) < 1e-12 * (a->hi - a->lo) / a->div) {
        snprintf(buf, n, "0");
        return;
    }
    snprintf(buf, n, "%.*f%s", a->decimals, x, a->suffix);
}

/* ---- HTML output --------------------------------------------------------------------- */

static void put_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static double px_x(const struct axis *a, double v)
{
    return PLOT_L + (v - a->lo) / (a->hi - a->lo) * (PLOT_R - PLOT_L);
}

static double px_y(const struct axis *a, double v)
{
    return PLOT_B - (v - a->lo) / (a->hi - a->lo) * (PLOT_B - PLOT_T);
}

/* Legend rows: items placed left to right, wrapping; returns the number of rows. */
static int legend_layout(const struct series *s, size_t ns, double *ix, int *row)
{
    int rows = ns ? 1 : 0;
    double x = PLOT_L;
    for (size_t i = 0; i < ns; i++) {
        double w = 30 + LEGEND_CHW * (double)strlen(s[i].label) + 18;
        if (x + w > W - 8 && x > PLOT_L) {
            rows++;
            x = PLOT_L;
        }
        ix[i] = x;
        row[i] = rows - 1;
        x += w;
    }
    return rows;
}

/* One x-axis tick: its vertical grid line and its label under the plot. */
static void x_tick(FILE *f, double x, const char *label)
{
    fprintf(f,
            "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
            "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            x, PLOT_T, x, PLOT_B, x, TICK_Y, label);
}

/* ---- pieces of every chart's SVG ----------------------------------------------------- */

/* The <svg> element, its white background and its title. */
static void svg_open(FILE *f, const char *cls, const char *title, int height)
{
    fprintf(f,
            "<svg class=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"",
            cls, W, height, W, height);
    put_esc(f, title);
    fputs("\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n", f);
    fprintf(f, "<text class=\"title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", W / 2, TITLE_Y);
    put_esc(f, title);
    fputs("</text>\n", f);
}

/* One y-axis tick: its horizontal grid line and its label left of the plot. */
static void y_tick(FILE *f, double y, const char *label)
{
    fprintf(f,
            "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
            "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
            PLOT_L, y, PLOT_R, y, PLOT_L - 6, y + 4, label);
}

/* The ticks of a linear x axis. */
static void x_ticks(FILE *f, const struct axis *ax)
{
    char lab[64];
    for (double v = ax->lo; v <= ax->hi + ax->step * 1e-6; v += ax->step) {
        axis_label(ax, v, lab, sizeof lab);
        x_tick(f, px_x(ax, v), lab);
    }
}

/* The axes' lines and titles, and a note in the plot when there is nothing to draw. */
static void svg_axes(FILE *f, const char *x_label, const char *y_label, const char *no_data)
{
    fprintf(f,
            "<path class=\"axis\" d=\"M%d %d V%d H%d\"/>\n"
            "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
            PLOT_L, PLOT_T, PLOT_B, PLOT_R, (PLOT_L + PLOT_R) / 2, XLABEL_Y);
    put_esc(f, x_label);
    fprintf(f,
            "</text>\n<text class=\"label\" transform=\"translate(%d %d) rotate(-90)\" "
            "text-anchor=\"middle\">",
            YLABEL_X, (PLOT_T + PLOT_B) / 2);
    put_esc(f, y_label);
    fputs("</text>\n", f);
    if (no_data)
        fprintf(f, "<text class=\"nodata\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                (PLOT_L + PLOT_R) / 2, (PLOT_T + PLOT_B) / 2, no_data);
}

/* The end of a series' path: its style (@p dash: NULL for a solid line) and its name. */
static void path_end(FILE *f, const char *color, const char *dash, const char *label)
{
    fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", color);
    if (dash) fprintf(f, " stroke-dasharray=\"%s\"", dash);
    fputs("><title>", f);
    put_esc(f, label);
    fputs("</title></path>", f);
}

/* One legend entry: a line in the series' style and its name. */
static void legend_item(FILE *f, double x, double y, const char *color, const char *dash,
                        const char *label)
{
    fprintf(f,
            "<g class=\"legend\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"%s\" stroke-width=\"3\"",
            x, y - 4, x + 24, y - 4, color);
    if (dash) fprintf(f, " stroke-dasharray=\"%s\"", dash);
    fprintf(f, "/><text x=\"%.1f\" y=\"%.1f\">", x + 30, y);
    put_esc(f, label);
    fputs("</text></g>\n", f);
}

/* ---- OMB's charts: one series per result ------------------------------------------------ */

#define SERIES_DASH "6 3" /* series past the palette's ten colours */

/* The axes over every finite point of the series: y from 0 (or below, for negative values),
 * x over time, or the fixed percentile axis of a quantile chart. Returns the points. */
static size_t chart_axes(const struct chart_def *def, const struct series *s, size_t ns,
                         struct axis *ax, struct axis *ay)
{
    double xmax = def->quantiles ? QUANTILE_X_MAX : 0, ymin = 0, ymax = 0;
    size_t points = 0;
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < s[i].n; j++) {
            if (!isfinite(s[i].x[j]) || !isfinite(s[i].y[j])) continue;
            if (s[i].x[j] > xmax) xmax = s[i].x[j];
            if (s[i].y[j] > ymax) ymax = s[i].y[j];
            if (s[i].y[j] < ymin) ymin = s[i].y[j];
            points++;
        }
    axis_make(ay, ymin, ymax);
    if (def->quantiles)
        *ax = (struct axis){.lo = 0, .hi = QUANTILE_X_MAX, .div = 1, .suffix = ""};
    else
        axis_make(ax, 0, xmax);
    return points;
}

/* The quantile chart's x ticks, at OMB's percentiles on its log(1 / (1 - q)) axis. */
static void quantile_ticks(FILE *f, const struct axis *ax)
{
    static const struct {
        double pct;
        const char *label;
    } qt[] = {{0, "0%"},       {50, "50%"},       {90, "90%"},        {99, "99%"},
              {99.9, "99.9%"}, {99.99, "99.99%"}, {99.999, "99.999%"}};
    for (size_t i = 0; i < sizeof qt / sizeof qt[0]; i++)
        x_tick(f, px_x(ax, log10(100 / (100 - qt[i].pct))), qt[i].label);
}

/* One series: a path broken at gaps; lone points (and every point of a short series) as
 * dots. */
static void chart_series(FILE *f, const struct chart_def *def, const struct series *r, size_t i,
                         const struct axis *ax, const struct axis *ay)
{
    fprintf(f, "<g class=\"series\" data-series=\"%zu\">", i);
    fputs("<path class=\"line\" d=\"", f);
    bool pen = false;
    for (size_t j = 0; j < r->n; j++) {
        if (!isfinite(r->x[j]) || !isfinite(r->y[j])) {
            pen = false;
            continue;
        }
        fprintf(f, "%s%.1f %.1f", pen ? " L" : "M", px_x(ax, r->x[j]), px_y(ay, r->y[j]));
        pen = true;
    }
    path_end(f, r->color, r->dashed ? SERIES_DASH : NULL, r->label);
    bool dots = !def->quantiles && r->n <= 60;
    for (size_t j = 0; j < r->n; j++) {
        if (!isfinite(r->x[j]) || !isfinite(r->y[j])) continue;
        bool alone = (j == 0 || !isfinite(r->y[j - 1]) || !isfinite(r->x[j - 1])) &&
                     (j + 1 == r->n || !isfinite(r->y[j + 1]) || !isfinite(r->x[j + 1]));
        if (dots || alone)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                    px_x(ax, r->x[j]), px_y(ay, r->y[j]), r->color);
    }
    fputs("</g>\n", f);
}

static void svg_chart(FILE *f, const struct chart_def *def, const struct series *s, size_t ns,
                      const char *no_data)
{
    struct axis ax, ay;
    size_t points = chart_axes(def, s, ns, &ax, &ay);
    double lx[64];
    int lrow[64];
    size_t nl = ns < 64 ? ns : 64;
    int rows = legend_layout(s, nl, lx, lrow);
    int height = LEGEND_Y + rows * LEGEND_DY + (no_data ? LEGEND_DY : 0) + 4;

    svg_open(f, "chart", def->title, height);
    char lab[64];
    for (double v = ay.lo; v <= ay.hi + ay.step * 1e-6; v += ay.step) {
        axis_label(&ay, v, lab, sizeof lab);
        y_tick(f, px_y(&ay, v), lab);
    }
    if (def->quantiles)
        quantile_ticks(f, &ax);
    else
        x_ticks(f, &ax);
    svg_axes(f, def->quantiles ? "Percentile" : "Time (s)", def->y_label,
             points ? NULL : "no data in these results");
    for (size_t i = 0; i < ns; i++) chart_series(f, def, &s[i], i, &ax, &ay);
    for (size_t i = 0; i < nl; i++)
        legend_item(f, lx[i], LEGEND_Y + lrow[i] * LEGEND_DY, s[i].color,
                    s[i].dashed ? SERIES_DASH : NULL, s[i].label);
    if (no_data) {
        fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\">No data: ", PLOT_L,
                LEGEND_Y + rows * LEGEND_DY);
        put_esc(f, no_data);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

/* Each chart sits in a figure that the page's script gives its SVG and PNG buttons;
 * data-name ("<workload> - <title>") names the saved file. */
static void fig_open(FILE *f, const char *section, const char *title)
{
    fputs("<figure class=\"chart-box\" data-name=\"", f);
    put_esc(f, section);
    fputs(" - ", f);
    put_esc(f, title);
    fputs("\">\n", f);
}

static void fig_close(FILE *f) { fputs("</figure>\n", f); }

/* ---- the report ---------------------------------------------------------------------- */

/* A table figure: up to 3 decimals below 10, 2 below 100, 1 below 1000, none above, then
 * trailing zeros dropped, so an integer (a delay of 7 us, a fraction of 1) reads "7", not
 * "7.000", and 2.5 ms reads "2.5". */
static void fmt_fig(char *buf, size_t n, double v)
{
    double a = fabs(v);
    int d = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
    snprintf(buf, n, "%.*f", d, v);
    if (!strchr(buf, '.')) return;
    size_t len = strlen(buf);
    while (len > 0 && buf[len - 1] == '0') buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '.') buf[--len] = '\0';
    if (!strcmp(buf, "-0")) snprintf(buf, n, "0");
}

static void put_value(FILE *f, bool have, double v)
{
    if (!have) {
        fputs("<td class=\"na\">&ndash;</td>", f);
        return;
    }
    char buf[64];
    fmt_fig(buf, sizeof buf, v);
    fprintf(f, "<td>%s</td>", buf);
}

static void put_fig(FILE *f, const struct omb_result_file *rf, const char *key)
{
    double v = 0;
    bool have = omb_result_file_number(rf, key, &v);
    put_value(f, have, v);
}

static bool series_mean(const struct omb_result_file *rf, const char *key, double *out)
{
    double *v = NULL, sum = 0;
    size_t n = omb_result_file_series(rf, key, &v), m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            sum += v[i];
            m++;
        }
    free(v);
    if (m == 0) return false;
    *out = sum / (double)m;
    return true;
}

static void put_table(FILE *f, struct omb_result_file **rf, const char **labels,
                      const char **colors, const size_t *idx, size_t n)
{
    fputs("<div class=\"wide\"><table>\n<thead><tr><th rowspan=\"2\">Driver</th>"
          "<th rowspan=\"2\">Periods</th>"
          "<th colspan=\"3\">Throughput (avg)</th>"
          "<th colspan=\"5\">Publish latency (ms)</th>"
          "<th colspan=\"3\">Publish delay (\xC2\xB5s)</th>"
          "<th colspan=\"5\">End-to-end latency (ms)</th></tr>\n<tr>"
          "<th>Pub msg/s</th><th>Cons msg/s</th><th>Pub MB/s</th>"
          "<th>avg</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th>"
          "<th>p50</th><th>p99</th><th>max</th>"
          "<th>avg</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead>\n"
          "<tbody>\n",
          f);
    for (size_t k = 0; k < n; k++) {
        const struct omb_result_file *r = rf[idx[k]];
        double *v = NULL, pub = 0, cons = 0, bytes = 0, size = 0;
        size_t periods = omb_result_file_series(r, "publishRate", &v);
        free(v);
        bool have_pub = series_mean(r, "publishRate", &pub);
        bool have_cons = series_mean(r, "consumeRate", &cons);
        bool have_bytes = series_mean(r, "publishByteRate", &bytes);
        if (!have_bytes && have_pub && omb_result_file_number(r, "messageSize", &size)) {
            bytes = pub * size; /* Java OMB: every message has messageSize bytes */
            have_bytes = true;
        }
        fprintf(f,
                "<tr><td class=\"name\"><span class=\"swatch\" style=\"background:%s\">"
                "</span>",
                colors[k]);
        put_esc(f, labels[k]);
        if (omb_result_file_incomplete(r)) fputs(" <em>(incomplete)</em>", f);
        fprintf(f, "</td><td>%zu</td>", periods);
        put_value(f, have_pub, pub);
        put_value(f, have_cons, cons);
        put_value(f, have_bytes, bytes / (1024.0 * 1024.0));
        static const char *const lat[] = {"Avg", "50pct", "99pct", "999pct", "Max"};
        static const char *const delay[] = {"50pct", "99pct", "Max"};
        char key[96];
        for (size_t i = 0; i < 5; i++) {
            snprintf(key, sizeof key, "aggregatedPublishLatency%s", lat[i]);
            put_fig(f, r, key);
        }
        for (size_t i = 0; i < 3; i++) {
            snprintf(key, sizeof key, "aggregatedPublishDelayLatency%s", delay[i]);
            put_fig(f, r, key);
        }
        for (size_t i = 0; i < 5; i++) {
            snprintf(key, sizeof key, "aggregatedEndToEndLatency%s", lat[i]);
            put_fig(f, r, key);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

/* ---- what was run ---------------------------------------------------------------------- */

/* The workload parameters of the "what was run" table, in its order: the key in the
 * sidecar's `omb.workloadConfig`, else OMB's TestResult key of the same meaning (what a Java
 * OMB result has), and the column heading. */
static const struct param_def {
    const char *config_key, *result_key, *heading;
} param_defs[] = {
    {"topics", "topics", "Topics"},
    {"partitionsPerTopic", "partitions", "Partitions /topic"},
    {"messageSize", "messageSize", "Message size (B)"},
    {"producersPerTopic", "producersPerTopic", "Producers /topic"},
    {"subscriptionsPerTopic", NULL, "Subscriptions /topic"},
    {"consumerPerSubscription", "consumersPerTopic", "Consumers /subscription"},
    {"producerRate", NULL, "Rate (msg/s)"},
    {"keyDistributor", NULL, "Key distributor"},
    {"warmupDurationMinutes", NULL, "Warm-up (min)"},
    {"testDurationMinutes", NULL, "Test (min)"},
    {"consumerBacklogSizeGB", NULL, "Backlog (GB)"},
};
#define NPARAMS (sizeof param_defs / sizeof param_defs[0])

/* @p swept: the result is a step of a sweep, whose rate is what the sweep varied. */
static void put_param(FILE *f, const struct omb_result_file *r, const struct param_def *p,
                      bool swept)
{
    fprintf(f, "<td data-key=\"%s\">", p->config_key);
    if (swept && !strcmp(p->config_key, "producerRate")) {
        fputs("swept (steps below)</td>", f);
        return;
    }
    const char *str = omb_result_file_config_string(r, p->config_key);
    double v;
    char buf[64];
    if (str) {
        put_esc(f, str);
    } else if (omb_result_file_config_number(r, p->config_key, &v) ||
               (p->result_key && omb_result_file_number(r, p->result_key, &v))) {
        fmt_fig(buf, sizeof buf, v);
        fputs(buf, f);
        if (!strcmp(p->config_key, "producerRate") && v == 0) fputs(" (rate search)", f);
    } else {
        fputs("&ndash;", f);
    }
    fputs("</td>", f);
}

/* One driver setting as a line of its cell; a properties block (several lines) on one
 * line, its entries separated by commas, comments and blank lines left out. */
static void put_setting(void *ctx, const char *key, const char *value)
{
    FILE *f = ctx;
    fputs("<div><span class=\"k\">", f);
    put_esc(f, key);
    fputs("</span>: ", f);
    bool first = true;
    for (const char *line = value; *line;) {
        size_t n = strcspn(line, "\n");
        size_t lead = strspn(line, " \t");
        size_t len = n > lead ? n - lead : 0;
        while (len > 0 && (line[lead + len - 1] == ' ' || line[lead + len - 1] == '\t')) len--;
        if (len > 0 && line[lead] != '#' && line[lead] != '!') {
            char item[1024];
            snprintf(item, sizeof item, "%.*s", (int)(len < 1000 ? len : 1000), line + lead);
            if (!first) fputs(", ", f);
            put_esc(f, item);
            first = false;
        }
        line += n + (line[n] == '\n');
    }
    fputs("</div>", f);
}

/* "What was run": one row per series of a section, with the workload's parameters and the
 * driver's settings as the sidecar records them; for a result without them (Java OMB's),
 * what its JSON has and a word that the rest is not recorded. */
static void put_params_table(FILE *f, struct omb_result_file **rf, const char **labels,
                             const char **colors, const size_t *idx, size_t n, bool swept)
{
    fputs("<div class=\"wide\"><table class=\"params\">\n<caption>What was run</caption>\n"
          "<thead><tr><th>Driver</th>",
          f);
    for (size_t p = 0; p < NPARAMS; p++) {
        fputs("<th>", f);
        put_esc(f, param_defs[p].heading);
        fputs("</th>", f);
    }
    fputs("<th>Driver settings</th></tr></thead>\n<tbody>\n", f);
    for (size_t k = 0; k < n; k++) {
        const struct omb_result_file *r = rf[idx[k]];
        fprintf(f,
                "<tr data-series=\"%zu\"><td class=\"name\"><span class=\"swatch\" "
                "style=\"background:%s\"></span>",
                k, colors[k]);
        put_esc(f, labels[k]);
        fputs("</td>", f);
        for (size_t p = 0; p < NPARAMS; p++) put_param(f, r, &param_defs[p], swept);
        fputs("<td class=\"settings\">", f);
        const char *file = omb_result_file_omb_string(r, "driverFile");
        if (file && *file) {
            fputs("<div><span class=\"k\">file</span>: ", f);
            put_esc(f, file);
            fputs("</div>", f);
        }
        long ns = omb_result_file_driver_config(r, put_setting, f);
        if (ns < 0)
            fputs(r->by_omb ? "<div class=\"na\">settings not recorded (an older omb sidecar)</div>"
                            : "<div class=\"na\">Java OMB result: only the parameters its JSON "
                              "has; the rest are not recorded</div>",
                  f);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
}

/* The points of one result for one chart (x and y malloc'ed; n = 0 when it has none). */
static void load_series(const struct omb_result_file *rf, const struct chart_def *def,
                        struct series *s)
{
    s->n = 0;
    s->x = s->y = NULL;
    if (def->quantiles) {
        struct omb_quantile *q = NULL;
        size_t n = omb_result_file_quantiles(rf, def->key, &q);
        s->x = malloc((n ? n : 1) * sizeof *s->x);
        s->y = malloc((n ? n : 1) * sizeof *s->y);
        if (!s->x || !s->y) n = 0;
        for (size_t i = 0; i < n; i++) {
            if (q[i].percentile > QUANTILE_MAX_PCT) continue;
            s->x[s->n] = log10(100 / (100 - q[i].percentile));
            s->y[s->n] = q[i].value;
            s->n++;
        }
        free(q);
    } else {
        size_t n = omb_result_file_series(rf, def->key, &s->y);
        s->x = omb_result_file_times(rf, n);
        s->n = s->x ? n : 0;
    }
}

/* ---- sweeps: the latency-throughput curve --------------------------------------------- */

/* Line style per percentile: the colour is the driver's. */
static const struct {
    const char *label, *dash;
} pct_style[OMB_SWEEP_NPCT] = {{"p50", NULL}, {"p99", "7 3"}, {"p99.9", "2 3"}};

#define CURVE_MAX_LINES 63

/* The latency of step @p k of @p d at percentile @p p (ms; NaN: none). */
static double curve_y(const struct omb_sweep_driver *d, size_t k, int p, bool e2e)
{
    return e2e ? d->steps[k].end_to_end[p] : d->steps[k].publish[p];
}

static double px_logy(double lo, double hi, double v)
{
    return PLOT_B - (log10(v) - lo) / (hi - lo) * (PLOT_B - PLOT_T);
}

/* The x axis (0 to the highest achieved rate) and the log y axis (whole decades around
 * every latency above 0) of a curve chart; counts the points at 0 ms in *zeros. */
static size_t curve_axes(const struct omb_sweep_file *sf, bool e2e, struct axis *ax, double *lo,
                         double *hi, size_t *zeros)
{
    double xmax = 0, ymin = INFINITY, ymax = 0;
    size_t points = 0;
    *zeros = 0;
    for (size_t i = 0; i < sf->nd; i++)
        for (size_t k = 0; k < sf->drivers[i].n; k++)
            for (int p = 0; p < OMB_SWEEP_NPCT; p++) {
                double x = sf->drivers[i].steps[k].publish_rate,
                       y = curve_y(&sf->drivers[i], k, p, e2e);
                if (!isfinite(x) || !isfinite(y)) continue;
                if (y <= 0) {
                    (*zeros)++;
                    continue;
                }
                xmax = fmax(xmax, x);
                ymin = fmin(ymin, y);
                ymax = fmax(ymax, y);
                points++;
            }
    axis_make(ax, 0, xmax);
    *lo = points ? floor(log10(ymin)) : -1;
    *hi = points ? ceil(log10(ymax)) : 1;
    if (*hi <= *lo) *hi = *lo + 1;
    return points;
}

/* The log y axis: decades, with lighter lines at 2x and 5x. */
static void log_ticks(FILE *f, double lo, double hi)
{
    char lab[32];
    for (int e = (int)lo; e <= (int)hi; e++) {
        snprintf(lab, sizeof lab, "%g", pow(10, e));
        y_tick(f, px_logy(lo, hi, pow(10, e)), lab);
        for (int m = 2; e < (int)hi && m <= 5; m += 3)
            fprintf(f,
                    "<line class=\"grid minor\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
                    "y2=\"%.1f\"/>\n",
                    PLOT_L, px_logy(lo, hi, m * pow(10, e)), PLOT_R,
                    px_logy(lo, hi, m * pow(10, e)));
    }
}

/* One line of a driver at percentile @p p through its steps in order, broken at a gap; a
 * dot on every step. */
static void curve_line(FILE *f, const struct omb_sweep_driver *d, int p, bool e2e, size_t l,
                       const struct series *leg, const char *dash, const struct axis *ax,
                       double lo, double hi)
{
    fprintf(f, "<g class=\"series\" data-series=\"%zu\" data-percentile=\"%s\">", l,
            pct_style[p].label);
    fputs("<path class=\"line\" d=\"", f);
    bool pen = false;
    for (size_t k = 0; k < d->n; k++) {
        double x = d->steps[k].publish_rate, y = curve_y(d, k, p, e2e);
        if (!isfinite(x) || !isfinite(y) || y <= 0) {
            pen = false;
            continue;
        }
        fprintf(f, "%s%.1f %.1f", pen ? " L" : "M", px_x(ax, x), px_logy(lo, hi, y));
        pen = true;
    }
    path_end(f, leg->color, dash, leg->label);
    for (size_t k = 0; k < d->n; k++) {
        double x = d->steps[k].publish_rate, y = curve_y(d, k, p, e2e);
        if (isfinite(x) && isfinite(y) && y > 0)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", px_x(ax, x),
                    px_logy(lo, hi, y), leg->color);
    }
    fputs("</g>\n", f);
}

/* One curve chart of a sweep: x = achieved publish rate, y = latency on a log axis. Points
 * at 0 ms (below what the histograms resolve) cannot sit on a log axis: left out and counted
 * under the chart. */
static void svg_curve(FILE *f, const char *title, const struct omb_sweep_file *sf, bool e2e)
{
    struct axis ax;
    double lo, hi;
    size_t zeros, points = curve_axes(sf, e2e, &ax, &lo, &hi, &zeros);

    /* Legend entries: driver x percentile, in that order. */
    struct series leg[CURVE_MAX_LINES];
    char labels[CURVE_MAX_LINES][160];
    const char *dash[CURVE_MAX_LINES];
    size_t nl = 0;
    for (size_t i = 0; i < sf->nd && nl + OMB_SWEEP_NPCT <= CURVE_MAX_LINES; i++)
        for (int p = 0; p < OMB_SWEEP_NPCT; p++, nl++) {
            snprintf(labels[nl], sizeof labels[nl], "%.120s %s", sf->drivers[i].driver,
                     pct_style[p].label);
            leg[nl] = (struct series){.label = labels[nl], .color = palette[i % NPALETTE]};
            dash[nl] = pct_style[p].dash;
        }
    double lx[CURVE_MAX_LINES];
    int lrow[CURVE_MAX_LINES];
    int rows = legend_layout(leg, nl, lx, lrow);
    int height = LEGEND_Y + rows * LEGEND_DY + (zeros ? LEGEND_DY : 0) + 4;

    svg_open(f, "chart curve", title, height);
    log_ticks(f, lo, hi);
    x_ticks(f, &ax);
    svg_axes(f, "Achieved publish rate (msg/s)", "Latency (ms, log scale)",
             points ? NULL : "no data in this sweep");
    for (size_t l = 0; l < nl; l++)
        curve_line(f, &sf->drivers[l / OMB_SWEEP_NPCT], (int)(l % OMB_SWEEP_NPCT), e2e, l,
                   &leg[l], dash[l], &ax, lo, hi);
    for (size_t l = 0; l < nl; l++)
        legend_item(f, lx[l], LEGEND_Y + lrow[l] * LEGEND_DY, leg[l].color, dash[l],
                    leg[l].label);
    if (zeros)
        fprintf(f,
                "<text class=\"note\" x=\"%d\" y=\"%d\">%zu point(s) at 0 ms (under the "
                "histograms' 1 \xC2\xB5s resolution) are not on the log axis</text>\n",
                PLOT_L, LEGEND_Y + rows * LEGEND_DY, zeros);
    fputs("</svg>\n", f);
}

static void put_num(FILE *f, double v) { put_value(f, isfinite(v), v); }

/* The steps of every driver of a sweep, one row each. */
static void put_sweep_table(FILE *f, const struct omb_sweep_file *sf)
{
    fputs("<div class=\"wide\"><table>\n<thead><tr><th rowspan=\"2\">Driver</th>"
          "<th rowspan=\"2\">Fraction</th>"
          "<th colspan=\"4\">Rate (msg/s)</th>"
          "<th colspan=\"3\">Publish latency (ms)</th>"
          "<th colspan=\"3\">End-to-end latency (ms)</th><th rowspan=\"2\">Status</th></tr>\n"
          "<tr><th>target</th><th>publish</th><th>consume</th><th>errors</th>"
          "<th>p50</th><th>p99</th><th>p99.9</th><th>p50</th><th>p99</th><th>p99.9</th></tr>"
          "</thead>\n<tbody>\n",
          f);
    for (size_t i = 0; i < sf->nd; i++) {
        const struct omb_sweep_driver *d = &sf->drivers[i];
        for (size_t k = 0; k < d->n; k++) {
            const struct omb_sweep_point *p = &d->steps[k];
            fprintf(f,
                    "<tr><td class=\"name\"><span class=\"swatch\" style=\"background:%s\">"
                    "</span>",
                    palette[i % NPALETTE]);
            put_esc(f, d->driver);
            fputs("</td>", f);
            put_num(f, p->fraction);
            put_num(f, p->target_rate);
            put_num(f, p->publish_rate);
            put_num(f, p->consume_rate);
            put_num(f, p->publish_error_rate);
            for (int q = 0; q < OMB_SWEEP_NPCT; q++) put_num(f, p->publish[q]);
            for (int q = 0; q < OMB_SWEEP_NPCT; q++) put_num(f, p->end_to_end[q]);
            fputs("<td class=\"name\">", f);
            put_esc(f, p->status);
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</tbody></table></div>\n", f);
}

/* The "what was run" table of a sweep: the workload and the driver's settings are those of
 * each driver's first step result (beside the summary, with its sidecar); a driver whose
 * step result cannot be read is named instead. */
static void put_sweep_params(FILE *f, const struct omb_sweep_file *sf)
{
    struct omb_result_file *rf[64];
    const char *labels[64], *colors[64];
    size_t idx[64], n = 0;
    const char *slash = strrchr(sf->path, '/');
    int dirlen = slash ? (int)(slash - sf->path) : 1;
    const char *dir = slash ? sf->path : ".";
    bool unread = false;
    for (size_t i = 0; i < sf->nd && n < 64; i++) {
        const struct omb_sweep_driver *d = &sf->drivers[i];
        const char *step = NULL;
        for (size_t k = 0; k < d->n && !step; k++) step = d->steps[k].result_file;
        if (step && strchr(step, '/')) step = NULL; /* omb writes names beside the summary */
        char path[4096], err[1024];
        snprintf(path, sizeof path, "%.*s/%s", dirlen, dir, step ? step : "");
        if (!step || omb_result_file_load(path, &rf[n], err, sizeof err) != 0) {
            if (!unread)
                fputs("<p class=\"na\">No step result to show what was run for: ", f);
            else
                fputs(", ", f);
            put_esc(f, d->driver);
            unread = true;
            continue;
        }
        labels[n] = d->driver;
        colors[n] = palette[i % NPALETTE];
        idx[n] = n;
        n++;
    }
    if (unread) fputs(".</p>\n", f);
    if (n) put_params_table(f, rf, labels, colors, idx, n, true);
    for (size_t i = 0; i < n; i++) omb_result_file_free(rf[i]);
}

/* Section of sweep @p k: what ran, the table, the two curves. */
static void render_sweep(FILE *f, const struct omb_sweep_file *sf, size_t k)
{
    fprintf(f, "<section class=\"sweep\">\n<h2 id=\"s%zu\">", k + 1);
    put_esc(f, sf->workload);
    fputs(": latency vs throughput</h2>\n<p>Sweep ", f);
    put_esc(f, sf->base);
    if (!sf->complete) {
        fputs(" <em>(incomplete", f);
        if (sf->incomplete_reason) {
            fputs(": ", f);
            put_esc(f, sf->incomplete_reason);
        }
        fputs(")</em>", f);
    }
    fputs(".</p>\n<ul class=\"files\">\n", f);
    for (size_t i = 0; i < sf->nd; i++) {
        const struct omb_sweep_driver *d = &sf->drivers[i];
        fputs("<li>", f);
        put_esc(f, d->driver);
        if (isfinite(d->max_rate))
            fprintf(f, ": maximum rate %.0f msg/s, %zu step(s)", d->max_rate, d->n);
        if (d->error) {
            fputs(": ", f);
            put_esc(f, d->error);
        }
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
    put_sweep_params(f, sf);
    put_sweep_table(f, sf);
    fputs("<div class=\"charts\">\n", f);
    static const char *const curve_titles[2] = {"End-to-end latency vs throughput",
                                                "Publish latency vs throughput"};
    for (int e = 0; e < 2; e++) {
        fig_open(f, sf->workload, curve_titles[e]);
        svg_curve(f, curve_titles[e], sf, e == 0);
        fig_close(f);
    }
    fputs("</div>\n</section>\n", f);
}

/* Text sizes are CSS px in the SVG's user units; with a chart never narrower than 600 px
 * (.charts), the smallest (13) renders at 12 px or more. Two columns at most, from 1300 px. */
static const char *const css =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,"
    "sans-serif;margin:24px;color:#222;background:#fff}\n"
    "h1{font-size:24px}h2{font-size:20px;margin-top:36px;border-bottom:1px solid #ccc}\n"
    "div.wide{overflow-x:auto;max-width:100%}\n" /* a wide table scrolls, not the page */
    "table{border-collapse:collapse;font-size:13px;margin:8px 0 16px}\n"
    "caption{text-align:left;font-weight:600;font-size:14px;padding:4px 0}\n"
    "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}\n"
    "th{background:#f3f3f3;text-align:center}td.na,div.na{color:#777}\n"
    "td.name{text-align:left;white-space:nowrap}\n"
    "td.settings{text-align:left;font-size:12px;min-width:240px;max-width:560px}td.settings "
    ".k{color:#555}\n"
    ".swatch{display:inline-block;width:10px;height:10px;margin-right:6px}\n"
    ".charts{display:grid;grid-template-columns:minmax(600px,1000px);gap:16px}\n"
    "@media (min-width:1300px){.charts{grid-template-columns:repeat(2,minmax(600px,1fr))}}\n"
    "figure.chart-box{margin:0;position:relative;min-width:0}\n"
    "svg.chart{border:1px solid #ddd;width:100%;height:auto;display:block}\n"
    ".export{position:absolute;top:6px;right:6px;display:flex;gap:4px}\n"
    ".export button{font:12px sans-serif;padding:2px 6px;border:1px solid #bbb;"
    "border-radius:3px;background:#f6f6f6;color:#222;cursor:pointer}\n"
    "svg text{font-family:inherit;fill:#222}svg .title{font-size:17px;font-weight:600}\n"
    "svg .tick{font-size:13px;fill:#444}svg .label{font-size:14px}\n"
    "svg .legend text{font-size:14px}svg .note,svg .nodata{font-size:13px;fill:#666}\n"
    "svg .grid{stroke:#e6e6e6;stroke-width:1}svg .minor{stroke:#f3f3f3}svg "
    ".axis{stroke:#444;fill:none}\n"
    "ul.files{font-size:14px}\n";

/* The page's one script: an "SVG" and a "PNG" button on every chart. The saved SVG is the
 * chart alone and stands alone: each element carries its computed style inline (no class
 * to resolve; only what differs from its parent, the font always on text), the font is the
 * generic sans-serif, title and legend are inside it. The PNG is that SVG drawn on a
 * canvas at twice the size. Nothing is fetched: the page still needs no network.
 * ombChartSVG and ombChartPNG are global so tests can call them. */
static const char *const export_js =
    "(function () {\n"
    "  'use strict';\n"
    "  var PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray',\n"
    "    'stroke-opacity', 'font-size', 'font-weight', 'text-anchor'];\n"
    "  function inline(src, dst, up) {\n"
    "    var cs = getComputedStyle(src), st = '', tag = src.localName;\n"
    "    for (var i = 0; i < PROPS.length; i++) {\n"
    "      var v = cs.getPropertyValue(PROPS[i]);\n"
    "      var font = tag === 'text' && PROPS[i].indexOf('font') === 0;\n"
    "      if (v && (!up || font || v !== up.getPropertyValue(PROPS[i])))\n"
    "        st += PROPS[i] + ':' + v + ';';\n"
    "    }\n"
    "    if (tag === 'svg' || tag === 'text') st += 'font-family:sans-serif;';\n"
    "    dst.setAttribute('style', st);\n"
    "    dst.removeAttribute('class');\n"
    "    for (var k = 0; k < src.children.length; k++) inline(src.children[k], dst.children[k], "
    "cs);\n"
    "  }\n"
    "  function ombChartSVG(svg) {\n"
    "    var c = svg.cloneNode(true), vb = svg.viewBox.baseVal;\n"
    "    inline(svg, c, null);\n"
    "    c.setAttribute('width', vb.width);\n"
    "    c.setAttribute('height', vb.height);\n"
    "    c.setAttribute('version', '1.1');\n"
    "    return '<?xml version=\"1.0\" encoding=\"UTF-8\"?>\\n' +\n"
    "      new XMLSerializer().serializeToString(c) + '\\n';\n"
    "  }\n"
    "  function ombChartPNG(svg, scale) {\n"
    "    scale = scale || 2;\n"
    "    return new Promise(function (resolve, reject) {\n"
    "      var img = new Image(), vb = svg.viewBox.baseVal;\n"
    "      img.onload = function () {\n"
    "        var cv = document.createElement('canvas');\n"
    "        cv.width = Math.round(vb.width * scale);\n"
    "        cv.height = Math.round(vb.height * scale);\n"
    "        var g = cv.getContext('2d');\n"
    "        g.fillStyle = '#fff';\n"
    "        g.fillRect(0, 0, cv.width, cv.height);\n"
    "        g.drawImage(img, 0, 0, cv.width, cv.height);\n"
    "        cv.toBlob(function (b) {\n"
    "          if (b) resolve(b); else reject(new Error('the canvas gave no PNG'));\n"
    "        }, 'image/png');\n"
    "      };\n"
    "      img.onerror = function () { reject(new Error('the chart did not load as an image')); "
    "};\n"
    "      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(ombChartSVG(svg));\n"
    "    });\n"
    "  }\n"
    "  function fileName(fig, ext) {\n"
    "    var n = (fig.getAttribute('data-name') || 'chart').toLowerCase()\n"
    "      .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');\n"
    "    return (n || 'chart') + '.' + ext;\n"
    "  }\n"
    "  function save(name, blob) {\n"
    "    var a = document.createElement('a');\n"
    "    a.href = URL.createObjectURL(blob);\n"
    "    a.download = name;\n"
    "    document.body.appendChild(a);\n"
    "    a.click();\n"
    "    a.remove();\n"
    "    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);\n"
    "  }\n"
    "  function button(fig, label, fn) {\n"
    "    var b = document.createElement('button');\n"
    "    b.type = 'button';\n"
    "    b.textContent = label;\n"
    "    b.title = 'Save this chart as ' + label;\n"
    "    b.addEventListener('click', fn);\n"
    "    return b;\n"
    "  }\n"
    "  window.ombChartSVG = ombChartSVG;\n"
    "  window.ombChartPNG = ombChartPNG;\n"
    "  var figs = document.querySelectorAll('figure.chart-box');\n"
    "  Array.prototype.forEach.call(figs, function (fig) {\n"
    "    var svg = fig.querySelector('svg.chart');\n"
    "    if (!svg) return;\n"
    "    var bar = document.createElement('div');\n"
    "    bar.className = 'export';\n"
    "    bar.appendChild(button(fig, 'SVG', function () {\n"
    "      save(fileName(fig, 'svg'), new Blob([ombChartSVG(svg)], {type: 'image/svg+xml'}));\n"
    "    }));\n"
    "    bar.appendChild(button(fig, 'PNG', function () {\n"
    "      ombChartPNG(svg, 2).then(function (b) { save(fileName(fig, 'png'), b); },\n"
    "        function (e) { alert('PNG export failed: ' + e.message); });\n"
    "    }));\n"
    "    fig.appendChild(bar);\n"
    "  });\n"
    "})();\n";

static void usage(FILE *f)
{
    fprintf(f, "usage: omb charts [-o report.html] RESULT.json|SWEEP.sweep...\n"
               "  One self-contained HTML file (inline SVG, no network needed) with OMB's\n"
               "  charts for each workload and a table of the aggregated figures. Reads the\n"
               "  results of omb and of Java OMB, and draws the latency-throughput curve of\n"
               "  each `omb sweep` summary. Default output: report.html.\n");
}

/* One `omb charts` run: the arguments, the results loaded, and the per-result arrays the
 * sections reuse; freed by charts_free. */
struct charts {
    const char *output;
    struct omb_cli_list files;      /* the files given */
    struct omb_cli_list rfiles;     /* those that are results */
    size_t nf;                      /* how many */
    struct omb_sweep_file **sweeps; /* those that are sweep summaries */
    size_t nsweeps;
    struct omb_result_file **rf;
    size_t *group; /* index of the section of each result */
    size_t ngroups;
    size_t *order;
    const char **labels;
    char **owned_labels;
    const char **colors;
    bool *dashed;
    struct series *ser;
    char *buf; /* the report */
    size_t len;
};

static void charts_free(struct charts *c)
{
    free(c->buf);
    for (size_t i = 0; c->rf && i < c->nf; i++) omb_result_file_free(c->rf[i]);
    for (size_t i = 0; c->owned_labels && i < c->nf; i++) free(c->owned_labels[i]);
    free(c->rf);
    free(c->group);
    free(c->order);
    free(c->labels);
    free(c->owned_labels);
    free(c->colors);
    free(c->dashed);
    free(c->ser);
    for (size_t i = 0; c->sweeps && i < c->nsweeps; i++) omb_sweep_file_free(c->sweeps[i]);
    free(c->sweeps);
    omb_cli_list_free(&c->files);
    omb_cli_list_free(&c->rfiles);
}

/* Returns -1 to go on, or the exit code (help printed: 0; a bad command line: 2). */
static int parse_args(int argc, char **argv, struct charts *c)
{
    c->output = "report.html";
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
    const struct omb_cli_opt opts[] = {
        {"-o|--output", OMB_CLI_STRING, &c->output, 0, 0, "FILE",
         "the report (default: report.html)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    if (omb_cli_parse("omb charts", opts, argc, argv, &c->files, NULL, NULL) != 0)
        return EXIT_BAD_INPUT;
    if (c->files.n == 0) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    return -1;
}

/* Sweep summaries apart from results: each file that is a sweep is loaded here, the others
 * are listed in c->rfiles. Returns 0, EXIT_BAD_INPUT or -1 (out of memory). */
static int load_sweeps(struct charts *c)
{
    c->sweeps = calloc(c->files.n, sizeof *c->sweeps);
    if (!c->sweeps) return -1;
    int rc = 0;
    char err[1024];
    for (size_t i = 0; i < c->files.n; i++) {
        int r = omb_sweep_file_load(c->files.v[i], &c->sweeps[c->nsweeps], err, sizeof err);
        if (r == 0) {
            c->nsweeps++;
        } else if (r > 0) {
            if (omb_cli_list_add(&c->rfiles, c->files.v[i], false) != 0) return -1;
        } else {
            fprintf(stderr, "omb charts: %s\n", err);
            rc = EXIT_BAD_INPUT;
        }
    }
    c->nf = c->rfiles.n;
    return rc;
}

/* Loads every result and puts it in its section (workloads in order of first appearance).
 * Returns 0, EXIT_BAD_INPUT (a file could not be read) or -1 (out of memory). */
static int load_results(struct charts *c)
{
    int lrc = load_sweeps(c);
    if (lrc != 0) return lrc;
    size_t nf = c->nf; /* none when only sweeps were given: the arrays still exist */
    c->rf = calloc(nf ? nf : 1, sizeof *c->rf);
    c->group = calloc(nf ? nf : 1, sizeof *c->group);
    c->order = calloc(nf ? nf : 1, sizeof *c->order);
    c->labels = calloc(nf ? nf : 1, sizeof *c->labels);
    c->owned_labels = calloc(nf ? nf : 1, sizeof *c->owned_labels);
    c->colors = calloc(nf ? nf : 1, sizeof *c->colors);
    c->dashed = calloc(nf ? nf : 1, sizeof *c->dashed);
    c->ser = calloc(nf ? nf : 1, sizeof *c->ser);
    if (!c->rf || !c->group || !c->order || !c->labels || !c->owned_labels || !c->colors ||
        !c->dashed || !c->ser)
        return -1;

    int rc = 0;
    char err[1024];
    for (size_t i = 0; i < nf; i++) {
        if (omb_result_file_load(c->rfiles.v[i], &c->rf[i], err, sizeof err) != 0) {
            fprintf(stderr, "omb charts: %s\n", err);
            rc = EXIT_BAD_INPUT;
        } else if (c->rf[i]->missing[0]) {
            fprintf(stderr, "omb charts: note: %s lacks OMB's %s; left out where needed\n",
                    c->rfiles.v[i], c->rf[i]->missing);
        }
    }
    if (rc != 0) return rc;

    /* Sections: workloads in order of first appearance. */
    for (size_t i = 0; i < nf; i++) {
        size_t g = c->ngroups;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->rf[j]->workload, c->rf[i]->workload)) {
                g = c->group[j];
                break;
            }
        c->group[i] = g;
        if (g == c->ngroups) c->ngroups++;
    }
    return 0;
}

/* The page's head, the list of files and, with several workloads, a contents list. */
static void render_header(FILE *f, const struct charts *c)
{
    struct omb_result_file **rf = c->rf;
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>omb results</title>\n<style>\n%s</style>\n</head>\n<body>\n"
            "<h1>omb results</h1>\n<p>",
            css);
    if (c->nf || !c->nsweeps) fprintf(f, "%zu result file(s), %zu workload(s)", c->nf, c->ngroups);
    if (c->nsweeps) fprintf(f, "%s%zu sweep(s)", c->nf ? ", " : "", c->nsweeps);
    fprintf(f, ". Made by omb %s.</p>\n<ul class=\"files\">\n", OMB_VERSION);
    for (size_t i = 0; i < c->nf; i++) {
        fputs("<li>", f);
        put_esc(f, rf[i]->base);
        fputs(": ", f);
        put_esc(f, rf[i]->driver);
        fputs(" / ", f);
        put_esc(f, rf[i]->workload);
        const char *start = omb_result_file_omb_string(rf[i], "startTime");
        if (start) {
            fputs(", started ", f);
            put_esc(f, start);
        }
        if (!rf[i]->by_omb) fputs(" (Java OMB format)", f);
        if (omb_result_file_incomplete(rf[i])) fputs(" <em>(incomplete run)</em>", f);
        if (rf[i]->missing[0]) {
            fputs("; lacks ", f);
            put_esc(f, rf[i]->missing);
        }
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
    if (c->ngroups > 1) { /* a contents list: one link per workload section */
        fputs("<nav>\n<h2>Workloads</h2>\n<ol>\n", f);
        for (size_t g = 0; g < c->ngroups; g++)
            for (size_t i = 0; i < c->nf; i++)
                if (c->group[i] == g) {
                    fprintf(f, "<li><a href=\"#w%zu\">", g + 1);
                    put_esc(f, rf[i]->workload);
                    fputs("</a></li>\n", f);
                    break;
                }
        fputs("</ol>\n</nav>\n", f);
    }
}

/* The labels of the @p n results of one section (c->order): the driver name, plus the file
 * name when two results share it; and their colours. Returns 0 or -1 (out of memory). */
static int label_section(struct charts *c, size_t n)
{
    struct omb_result_file **rf = c->rf;
    const size_t *order = c->order;
    for (size_t k = 0; k < n; k++) {
        const struct omb_result_file *r = rf[order[k]];
        bool clash = false;
        for (size_t m = 0; m < n; m++)
            if (m != k && !strcmp(rf[order[m]]->driver, r->driver)) clash = true;
        if (clash) {
            size_t sz = strlen(r->driver) + strlen(r->base) + 4;
            if (!(c->owned_labels[order[k]] = malloc(sz))) return -1;
            snprintf(c->owned_labels[order[k]], sz, "%s (%s)", r->driver, r->base);
            c->labels[k] = c->owned_labels[order[k]];
        } else {
            c->labels[k] = r->driver;
        }
        c->colors[k] = palette[k % NPALETTE];
        c->dashed[k] = k >= NPALETTE;
    }
    return 0;
}

/* One chart of a section: a series per result that has data, a note for those without.
 * Returns 0 or -1 (out of memory). */
static int render_chart(FILE *f, struct charts *c, size_t n, const struct chart_def *def)
{
    size_t ns = 0, nmissing = 0;
    char *no_data = NULL;
    size_t nd_len = 0;
    FILE *nd = open_memstream(&no_data, &nd_len);
    if (!nd) return -1;
    for (size_t k = 0; k < n; k++) {
        struct series *s = &c->ser[ns];
        load_series(c->rf[c->order[k]], def, s);
        size_t finite = 0;
        for (size_t j = 0; j < s->n; j++) finite += isfinite(s->y[j]) && isfinite(s->x[j]);
        if (finite == 0) {
            free(s->x);
            free(s->y);
            fprintf(nd, "%s%s", nmissing++ ? ", " : "", c->labels[k]);
            continue;
        }
        s->label = c->labels[k];
        s->color = c->colors[k];
        s->dashed = c->dashed[k];
        ns++;
    }
    fclose(nd);
    fig_open(f, c->rf[c->order[0]]->workload, def->title);
    svg_chart(f, def, c->ser, ns, no_data && *no_data ? no_data : NULL);
    fig_close(f);
    free(no_data);
    for (size_t k = 0; k < ns; k++) {
        free(c->ser[k].x);
        free(c->ser[k].y);
    }
    return 0;
}

/* Section @p g: its heading, its table, its charts. Returns 0 or -1 (out of memory). */
static int render_workload(FILE *f, struct charts *c, size_t g)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nf; i++)
        if (c->group[i] == g) c->order[n++] = i;
    if (label_section(c, n) != 0) return -1;
    fprintf(f, "<section class=\"workload\">\n<h2 id=\"w%zu\">", g + 1);
    put_esc(f, c->rf[c->order[0]]->workload);
    fputs("</h2>\n", f);
    put_params_table(f, c->rf, c->labels, c->colors, c->order, n, false);
    put_table(f, c->rf, c->labels, c->colors, c->order, n);
    fputs("<div class=\"charts\">\n", f);
    for (size_t k = 0; k < NCHARTS; k++)
        if (render_chart(f, c, n, &chart_defs[k]) != 0) return -1;
    fputs("</div>\n</section>\n", f);
    return 0;
}

/* The whole page into c->buf. Returns 0 or -1 (out of memory). */
static int render(struct charts *c)
{
    FILE *f = open_memstream(&c->buf, &c->len);
    if (!f) return -1;
    render_header(f, c);
    for (size_t g = 0; g < c->ngroups; g++)
        if (render_workload(f, c, g) != 0) {
            fclose(f);
            return -1;
        }
    for (size_t k = 0; k < c->nsweeps; k++) render_sweep(f, c->sweeps[k], k);
    fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", export_js);
    return fclose(f) != 0 ? -1 : 0;
}

int omb_tool_charts_main(int argc, char **argv)
{
    struct charts c = {0};
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0) {
        charts_free(&c);
        return rc;
    }
    char err[1024];
    rc = load_results(&c);
    if (rc == 0 && render(&c) != 0) rc = -1;
    if (rc == 0) {
        if (omb_write_file_atomic(c.output, NULL, c.buf, c.len, err, sizeof err) != 0) {
            fprintf(stderr, "omb charts: %s\n", err);
            rc = 1;
        } else {
            fprintf(stderr, "omb charts: wrote %s (", c.output);
            if (c.nf || !c.nsweeps)
                fprintf(stderr, "%zu result(s), %zu workload(s)", c.nf, c.ngroups);
            if (c.nsweeps) fprintf(stderr, "%s%zu sweep(s)", c.nf ? ", " : "", c.nsweeps);
            fputs(")\n", stderr);
        }
    }
    if (rc < 0) {
        fprintf(stderr, "omb charts: out of memory\n");
        rc = 1;
    }
    charts_free(&c);
    return rc;
}
