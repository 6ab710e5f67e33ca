/* summary.c - see summary.h. Cells are formatted first, then the columns sized to the widest
 * cell; only the name columns give way when the table is too wide. */
#include "tools/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL     64  /* a formatted cell, names included (cut to fit later) */
#define MIN_NAME 8   /* a name column is never cut below this */
#define NAME_CUT "~" /* ends a name that was cut */

static void copy_name(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src && *src ? src : "-");
}

void omb_summary_row_none(struct omb_summary_row *row, const char *workload, const char *driver,
                          const char *note)
{
    memset(row, 0, sizeof *row);
    copy_name(row->workload, sizeof row->workload, workload);
    copy_name(row->driver, sizeof row->driver, driver);
    row->target = row->pub_rate = row->cons_rate = NAN;
    row->sent = row->received = row->errors = NAN;
    row->p50 = row->p99 = row->p999 = row->max = NAN;
    row->delivery = OMB_SUMMARY_NO_RESULT;
    snprintf(row->note, sizeof row->note, "%s", note ? note : "");
}

static double number_or_nan(const struct omb_result_file *rf, const char *key)
{
    double d;
    return omb_result_file_number(rf, key, &d) ? d : NAN;
}

static double series_mean(const struct omb_result_file *rf, const char *key)
{
    struct omb_series_stats st;
    omb_result_file_series_stats(rf, key, &st);
    return st.n ? st.avg : NAN;
}

void omb_summary_row_from_result(const struct omb_result_file *rf, struct omb_summary_row *row)
{
    omb_summary_row_none(row, rf->workload, rf->driver, NULL);
    row->rate_search = omb_result_file_omb_has(rf, "rateSearch");
    row->target = series_mean(rf, "targetRate");
    row->pub_rate = series_mean(rf, "publishRate");
    row->cons_rate = series_mean(rf, "consumeRate");
    row->sent = number_or_nan(rf, "totalMessagesSent");
    row->received = number_or_nan(rf, "totalMessagesReceived");
    row->errors = number_or_nan(rf, "totalMessageSendErrors");
    row->p50 = number_or_nan(rf, "aggregatedPublishLatency50pct");
    row->p99 = number_or_nan(rf, "aggregatedPublishLatency99pct");
    row->p999 = number_or_nan(rf, "aggregatedPublishLatency999pct");
    row->max = number_or_nan(rf, "aggregatedPublishLatencyMax");
    struct omb_result_delivery d;
    omb_result_file_delivery(rf, &d);
    double subs;
    if (omb_result_file_config_number(rf, "subscriptionsPerTopic", &subs) && subs == 0)
        row->delivery = OMB_SUMMARY_NO_SUBS; /* produce-only: nothing to deliver */
    else if (!d.checked)
        row->delivery = OMB_SUMMARY_UNCHECKED;
    else if (d.subscriptions == 0)
        row->delivery = OMB_SUMMARY_NO_SUBS;
    else if (d.missing > 0)
        row->delivery = OMB_SUMMARY_LOST;
    else if (d.duplicates > 0)
        row->delivery = OMB_SUMMARY_DUPLICATES;
    else
        row->delivery = OMB_SUMMARY_OK;
    if (omb_result_file_incomplete(rf)) {
        const char *why = omb_result_file_omb_string(rf, "incompleteReason");
        snprintf(row->note, sizeof row->note, "incomplete: %s", why ? why : "cut short");
    }
}

/* ---- cells ----------------------------------------------------------------------------- */

/* A value with an SI suffix, for the rare figures too long for a column. */
static void fmt_si(double v, char *buf, size_t n)
{
    static const char *const unit[] = {"k", "M", "G", "T", "P"};
    size_t u = 0;
    v /= 1e3;
    while (fabs(v) >= 999.95 && u + 1 < sizeof unit / sizeof unit[0]) {
        v /= 1e3;
        u++;
    }
    snprintf(buf, n, "%.1f%s", v, unit[u]);
}

/* msg/s: whole numbers from 1000 on (and 500 for 500.0), one decimal below; SI past 7
 * digits. */
static void fmt_rate(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (fabs(v) >= 1e7)
        fmt_si(v, buf, n);
    else if (fabs(v) >= 1000 || v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.1f", v);
}

/* Messages: exact up to ten digits (a million msg/s for 2.7 h), SI past them. */
static void fmt_count(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (fabs(v) >= 1e10)
        fmt_si(v, buf, n);
    else
        snprintf(buf, n, "%.0f", v);
}

/* ms: three significant digits or more (2.15, 31.0, 250.5, 60000); below 1 ms to the
 * microsecond the result holds (0.004), so a fast system does not read as 0.00. */
static void fmt_ms(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (fabs(v) >= 1e8)
        fmt_si(v, buf, n);
    else if (fabs(v) >= 1000)
        snprintf(buf, n, "%.0f", v);
    else if (fabs(v) >= 10)
        snprintf(buf, n, "%.1f", v);
    else if (fabs(v) >= 1)
        snprintf(buf, n, "%.2f", v);
    else
        snprintf(buf, n, "%.3f", v);
}

static const char *delivery_word(enum omb_summary_delivery d)
{
    switch (d) {
    case OMB_SUMMARY_OK:
        return "ok";
    case OMB_SUMMARY_DUPLICATES:
        return "ok+dups";
    case OMB_SUMMARY_LOST:
        return "LOST";
    case OMB_SUMMARY_UNCHECKED:
        return "unchecked";
    case OMB_SUMMARY_NO_SUBS:
        return "n/a";
    case OMB_SUMMARY_NO_RESULT:
        break;
    }
    return "-";
}

enum col {
    C_WORKLOAD,
    C_DRIVER,
    C_TARGET,
    C_PUB,
    C_CONS,
    C_SENT,
    C_RECV,
    C_ERR,
    C_P50,
    C_P99,
    C_P999,
    C_MAX,
    C_DELIVERY,
    NCOLS
};

static const struct {
    const char *header;
    bool left; /* names and words left-aligned, numbers right-aligned */
} cols[NCOLS] = {
    [C_WORKLOAD] = {"workload", true}, [C_DRIVER] = {"driver", true},
    [C_TARGET] = {"target/s", false},  [C_PUB] = {"pub/s", false},
    [C_CONS] = {"cons/s", false},      [C_SENT] = {"sent", false},
    [C_RECV] = {"received", false},    [C_ERR] = {"errors", false},
    [C_P50] = {"p50 ms", false},       [C_P99] = {"p99 ms", false},
    [C_P999] = {"p99.9 ms", false},    [C_MAX] = {"max ms", false},
    [C_DELIVERY] = {"delivery", true},
};

static void row_cells(const struct omb_summary_row *r, char cell[NCOLS][CELL])
{
    snprintf(cell[C_WORKLOAD], CELL, "%s", r->workload);
    snprintf(cell[C_DRIVER], CELL, "%s", r->driver);
    if (r->rate_search)
        snprintf(cell[C_TARGET], CELL, "search");
    else if (r->target == 0)
        snprintf(cell[C_TARGET], CELL, "none");
    else
        fmt_rate(r->target, cell[C_TARGET], CELL);
    fmt_rate(r->pub_rate, cell[C_PUB], CELL);
    fmt_rate(r->cons_rate, cell[C_CONS], CELL);
    fmt_count(r->sent, cell[C_SENT], CELL);
    fmt_count(r->received, cell[C_RECV], CELL);
    fmt_count(r->errors, cell[C_ERR], CELL);
    fmt_ms(r->p50, cell[C_P50], CELL);
    fmt_ms(r->p99, cell[C_P99], CELL);
    fmt_ms(r->p999, cell[C_P999], CELL);
    fmt_ms(r->max, cell[C_MAX], CELL);
    snprintf(cell[C_DELIVERY], CELL, "%s", delivery_word(r->delivery));
}

/* Printed width of UTF-8 text: code points, not bytes (a name may hold "é"). */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* @p s cut to @p width printed columns, NAME_CUT last when cut, padded to @p width. */
static void put_cell(FILE *f, const char *s, size_t width, bool left)
{
    size_t w = text_width(s);
    if (w > width) {
        /* The first width - 1 code points, then NAME_CUT. */
        size_t keep = width - 1, seen = 0;
        const char *p = s;
        for (; *p; p++) {
            if (((unsigned char)*p & 0xC0) == 0x80) continue;
            if (seen == keep) break;
            seen++;
        }
        fprintf(f, "%.*s%s", (int)(p - s), s, NAME_CUT);
        return;
    }
    if (left)
        fprintf(f, "%s%*s", s, (int)(width - w), "");
    else
        fprintf(f, "%*s%s", (int)(width - w), "", s);
}

/* Column widths for the table to fit @p width: the gap is 2 spaces, or 1 when the names
 * would be cut with 2 (a whole name is worth more than the air);
 * numbers keep their width and the two name columns share what is left, a short name
 * leaving the rest to the other, neither below MIN_NAME. Returns the gap. */
static size_t layout(const size_t natural[NCOLS], size_t width, size_t out[NCOLS])
{
    long fixed = 0;
    for (int c = C_TARGET; c < NCOLS; c++) fixed += (long)natural[c];
    long names = (long)(natural[C_WORKLOAD] + natural[C_DRIVER]);
    long gap = fixed + 2 * (NCOLS - 1) + names <= (long)width ? 2 : 1;
    long avail = (long)width - fixed - gap * (NCOLS - 1);
    if (avail < 2 * MIN_NAME) avail = 2 * MIN_NAME; /* cannot happen with width >= 100 */
    memcpy(out, natural, NCOLS * sizeof *out);
    long nw = (long)natural[C_WORKLOAD], nd = (long)natural[C_DRIVER];
    if (nw + nd > avail) {
        long d = avail / 2 > avail - nw ? avail / 2 : avail - nw;
        if (d > nd) d = nd;
        long w = avail - d < nw ? avail - d : nw;
        out[C_DRIVER] = (size_t)d;
        out[C_WORKLOAD] = (size_t)w;
    }
    return (size_t)gap;
}

static void put_line(FILE *f, char cell[NCOLS][CELL], const size_t w[NCOLS], size_t gap)
{
    for (int c = 0; c < NCOLS; c++) {
        if (c) fprintf(f, "%*s", (int)gap, "");
        /* The last column is not padded: no trailing blanks. */
        if (c == NCOLS - 1 && cols[c].left)
            put_cell(f, cell[c], text_width(cell[c]) < w[c] ? text_width(cell[c]) : w[c], true);
        else
            put_cell(f, cell[c], w[c], cols[c].left);
    }
    fputc('\n', f);
}

char *omb_summary_table(const char *title, const struct omb_summary_row *rows, size_t n,
                        size_t width)
{
    if (width < 100) width = 100;
    char(*cells)[NCOLS][CELL] = calloc(n + 1, sizeof *cells);
    if (!cells) return NULL;
    size_t natural[NCOLS], w[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        snprintf(cells[0][c], CELL, "%s", cols[c].header);
        natural[c] = text_width(cols[c].header);
    }
    for (size_t r = 0; r < n; r++) {
        row_cells(&rows[r], cells[r + 1]);
        for (int c = 0; c < NCOLS; c++) {
            size_t tw = text_width(cells[r + 1][c]);
            if (tw > natural[c]) natural[c] = tw;
        }
    }
    size_t gap = layout(natural, width, w);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        free(cells);
        return NULL;
    }
    if (title && *title) fprintf(f, "%.*s\n", (int)width, title);
    for (size_t r = 0; r <= n; r++) put_line(f, cells[r], w, gap);
    for (size_t r = 0; r < n; r++) {
        if (!rows[r].note[0]) continue;
        char line[1024];
        snprintf(line, sizeof line, "  %s on %s: %s", rows[r].workload, rows[r].driver,
                 rows[r].note);
        if (text_width(line) > width) {
            put_cell(f, line, width, true);
            fputc('\n', f);
        } else {
            fprintf(f, "%s\n", line);
        }
    }
    free(cells);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
