/* display.c - see display.h. A line is a list of parts in order of importance; parts are
 * added while they fit, so a narrow terminal loses the end of the line, never its start. */
#include "coordinator/display.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SEP " | "

/* Appends @p part (with SEP before it unless first) when the line stays within @p width
 * columns; returns whether it did. Parts are ASCII, so bytes are columns. */
static int add_part(char *buf, size_t n, size_t width, const char *part)
{
    size_t len = strlen(buf), add = strlen(part) + (len ? strlen(SEP) : 0);
    if (len + add > width || len + add + 1 > n) return 0;
    snprintf(buf + len, n - len, "%s%s", len ? SEP : "", part);
    return 1;
}

static double rate(int64_t count, double s) { return s > 0 ? (double)count / s : 0; }

/* Rates as people read them: 950, 9.5k, 12.3k, 1.23M. */
static void fmt_rate(double v, char *b, size_t n)
{
    if (v >= 1e6)
        snprintf(b, n, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(b, n, "%.1fk", v / 1e3);
    else
        snprintf(b, n, "%.0f", v);
}

/* ms: to the microsecond below 1 ms, then 2 decimals below 10, 1 below 100, none above. */
static void fmt_ms(double us, char *b, size_t n)
{
    double ms = us / 1000.0;
    snprintf(b, n, ms < 1 ? "%.3f" : ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
}

static void latency_part(const char *name, const struct omb_latency_summary *l, char *b, size_t n)
{
    char p50[32], p99[32], max[32];
    fmt_ms((double)l->p50, p50, sizeof p50);
    fmt_ms((double)l->p99, p99, sizeof p99);
    fmt_ms((double)l->max, max, sizeof max);
    snprintf(b, n, "%s ms p50 %s p99 %s max %s", name, p50, p99, max);
}

void omb_display_period_line(const struct omb_period *p, const char *phase, double target,
                             size_t width, char *buf, size_t n)
{
    if (width < 40) width = 40;
    if (n == 0) return;
    buf[0] = '\0';
    char part[160], r1[32], r2[32];
    double pub = rate(p->sent, p->seconds), cons = rate(p->received, p->seconds);
    fmt_rate(pub, r1, sizeof r1);
    if (target > 0) {
        fmt_rate(target, r2, sizeof r2);
        snprintf(part, sizeof part, "%s pub %s/%s msg/s", phase, r1, r2);
    } else {
        snprintf(part, sizeof part, "%s pub %s msg/s", phase, r1);
    }
    add_part(buf, n, width, part);
    fmt_rate(cons, r1, sizeof r1);
    snprintf(part, sizeof part, "cons %s msg/s", r1);
    if (!add_part(buf, n, width, part)) return;
    latency_part("pub", &p->lat[OMB_PUB_LATENCY], part, sizeof part);
    if (!add_part(buf, n, width, part)) return;
    snprintf(part, sizeof part, "backlog %lld", (long long)p->backlog);
    if (!add_part(buf, n, width, part)) return;
    if (p->send_errors) {
        snprintf(part, sizeof part, "err %.1f/s", rate(p->send_errors, p->seconds));
        if (!add_part(buf, n, width, part)) return;
    }
    if (p->lat[OMB_E2E_LATENCY].count) {
        latency_part("e2e", &p->lat[OMB_E2E_LATENCY], part, sizeof part);
        if (!add_part(buf, n, width, part)) return;
    }
    snprintf(part, sizeof part, "%.1f MB/s", rate(p->bytes_sent, p->seconds) / 1048576.0);
    if (!add_part(buf, n, width, part)) return;
    snprintf(part, sizeof part, "delay us p99 %lld", (long long)p->lat[OMB_PUB_DELAY].p99);
    add_part(buf, n, width, part);
}

static void fmt_clock(double s, char *b, size_t n)
{
    long t = s > 0 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

void omb_display_status_line(const struct omb_status *s, size_t width, char *buf, size_t n)
{
    if (width < 40) width = 40;
    width--; /* never the last column: some terminals wrap there */
    if (n == 0) return;
    buf[0] = '\0';
    char part[160], a[32], b[32];
    fmt_clock(s->elapsed_s, a, sizeof a);
    if (s->duration_s > 0) {
        fmt_clock(s->duration_s - s->elapsed_s, b, sizeof b);
        snprintf(part, sizeof part, "%s %s, %s left", s->phase, a, b);
    } else {
        snprintf(part, sizeof part, "%s %s", s->phase, a);
    }
    add_part(buf, n, width, part);
    if (s->pub_rate < 0)
        snprintf(a, sizeof a, "-");
    else
        fmt_rate(s->pub_rate, a, sizeof a);
    if (s->target_rate > 0) {
        fmt_rate(s->target_rate, b, sizeof b);
        snprintf(part, sizeof part, "pub %s/%s msg/s", a, b);
    } else {
        snprintf(part, sizeof part, "pub %s msg/s", a);
    }
    if (!add_part(buf, n, width, part)) return;
    if (s->cons_rate < 0)
        snprintf(a, sizeof a, "-");
    else
        fmt_rate(s->cons_rate, a, sizeof a);
    snprintf(part, sizeof part, "cons %s msg/s", a);
    if (!add_part(buf, n, width, part)) return;
    snprintf(part, sizeof part, "backlog %lld", (long long)s->backlog);
    if (!add_part(buf, n, width, part)) return;
    if (s->p99_ms >= 0) {
        fmt_ms(s->p99_ms * 1000.0, a, sizeof a);
        snprintf(part, sizeof part, "pub p99 %s ms", a);
        add_part(buf, n, width, part);
    }
}
