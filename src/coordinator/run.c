/* run.c - see run.h. The steps and log lines follow OMB's WorkloadGenerator, so users who
 * grep OMB's output find the same lines. */
#include "coordinator/run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordinator/payload.h"
#include "coordinator/result.h"
#include "load/rate_controller.h"
#include "stats/backlog.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/signals.h"

_Atomic int omb_interrupted;

static void on_signal(int sig)
{
    if (omb_interrupted) {
        /* Second signal: the user means it. */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    omb_interrupted = sig; /* the exit code is 128 + sig, as a shell expects */
    static const char msg[] = "\nStopping: finishing the current period, cleaning up and "
                              "writing the result (signal again to quit at once)\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
}

void omb_install_signal_handlers(void) { omb_on_stop_signals(on_signal); }

void omb_run_options_default(struct omb_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->period_seconds = 10;
    o->probe_timeout_s = 60;
    o->drain_timeout_s = 30;
    o->backlog_stall_s = 60;
    o->control_period_s = 1;
}

static double secs_since(int64_t t0) { return (double)(omb_now_ns() - t0) / 1e9; }

/* Sleeps until @p when, waking every 100 ms to notice an interrupt. */
static void sleep_until(int64_t when)
{
    for (;;) {
        int64_t now = omb_now_ns();
        if (now >= when || omb_interrupted) return;
        int64_t step = when - now;
        omb_sleep_ns(step > 100000000 ? 100000000 : step);
    }
}

struct run {
    struct omb_worker *worker;
    const struct omb_workload *w;
    const struct omb_run_options *opt;
    struct omb_stats_view view;
    /* The measured periods added up (totals: the latest period's): the aggregates of a
     * partial result when the worker can no longer give its cumulative figures. */
    struct omb_stats_view measured;
    double target_rate;
    bool searching; /* producerRate 0: the rate controller drives target_rate */
    struct omb_rate_controller rc;
    int64_t next_control_ns;
    int64_t next_period_ns; /* periods run on one clock across phases */
    int64_t last_period_ns;
    int64_t next_heartbeat_ns; /* a cheap call to the worker, to notice a dead one early */
    int64_t backlog_target;    /* messages: consumerBacklogSizeGB / messageSize */
    int64_t stall_mark;        /* last progress seen by a phase condition */
    int64_t stall_since_ns;
    /* The live status line (OMB_DISPLAY_LIVE): the phase it is in, and the totals of the
     * last redraw, whose differences are its rates. */
    const char *phase;
    int64_t phase_start_ns, next_status_ns, status_ns, status_sent, status_received;
    double phase_seconds, last_p99_ms;
    struct omb_run_report *report; /* never NULL: the caller's, or the run's own */
    char err[1024];
};

#define STATUS_PERIOD_NS 1000000000LL /* the status line is redrawn every second */
#define LOG_PREFIX       20           /* "HH:MM:SS.mmm [INFO] " before every log line */

static size_t term_width(const struct run *r)
{
    return r->opt->term_width > 0 ? (size_t)r->opt->term_width : 120;
}

/* Redraws the status line from the worker's totals (they double as the heartbeat). */
static int draw_status(struct run *r, int64_t now)
{
    if (r->worker->ops->counters(r->worker, &r->view, r->err, sizeof r->err) != 0) return -1;
    int64_t sent = r->view.totals[OMB_C_SENT], received = r->view.totals[OMB_C_RECEIVED];
    double dt = (double)(now - r->status_ns) / 1e9;
    struct omb_status st = {
        .phase = r->phase,
        .elapsed_s = (double)(now - r->phase_start_ns) / 1e9,
        .duration_s = r->phase_seconds,
        .pub_rate = r->status_ns && dt > 0 ? (double)(sent - r->status_sent) / dt : -1,
        .target_rate = r->target_rate,
        .cons_rate = r->status_ns && dt > 0 ? (double)(received - r->status_received) / dt : -1,
        .backlog = omb_backlog(r->w->subscriptions_per_topic, sent, received),
        .p99_ms = r->last_p99_ms,
    };
    /* A reset (after the warm-up) sets the totals back: no rate from across it. */
    if (sent < r->status_sent || received < r->status_received) st.pub_rate = st.cons_rate = -1;
    char line[512];
    omb_display_status_line(&st, term_width(r), line, sizeof line);
    omb_log_status(line);
    r->status_ns = now;
    r->status_sent = sent;
    r->status_received = received;
    r->next_status_ns = now + STATUS_PERIOD_NS;
    return 0;
}

/* Reads the totals; returns the backlog in messages (every subscription's copy). */
static int read_backlog(struct run *r, int64_t *backlog, int64_t *sent)
{
    if (r->worker->ops->counters(r->worker, &r->view, r->err, sizeof r->err) != 0) return -1;
    *sent = r->view.totals[OMB_C_SENT];
    *backlog = omb_backlog(r->w->subscriptions_per_topic, *sent, r->view.totals[OMB_C_RECEIVED]);
    return 0;
}

/* One step of the maximum-rate search. */
static int control_rate(struct run *r, int64_t now)
{
    int64_t period = now - (r->next_control_ns - (int64_t)(r->opt->control_period_s * 1e9));
    if (r->worker->ops->counters(r->worker, &r->view, r->err, sizeof r->err) != 0) return -1;
    int losses_seen = r->rc.losses_seen;
    double next =
        omb_rate_controller_next(&r->rc, period, r->view.totals[OMB_C_SENT],
                                 r->view.totals[OMB_C_RECEIVED], r->w->subscriptions_per_topic);
    if (r->rc.losses_seen > losses_seen)
        omb_warn("Rate search: consumers stay %.0f%% short of what is sent even at a rate well "
                 "below the last one that failed: messages are being lost (a broker's "
                 "retention dropped what consumers had not read yet, or a partition is not "
                 "consumed), not a capacity limit. The search judges the rest from now on; "
                 "periods with losses are not counted as sustained, and the delivery check "
                 "at the end reports what went missing",
                 100 * r->rc.loss_fraction);
    if (next != r->target_rate) {
        if (r->worker->ops->adjust_rate(r->worker, next, r->err, sizeof r->err) != 0) return -1;
        const struct omb_rate_period *p =
            &r->rc.hist[(r->rc.steps - 1 + OMB_RATE_SEARCH_HISTORY) % OMB_RATE_SEARCH_HISTORY];
        if (r->rc.steps > 0 && p->action == '-' && r->w->subscriptions_per_topic == 0)
            omb_info("Rate search: producers fell behind their schedule (by %lld messages in "
                     "the last period; %.0f msg/s acknowledged): %.0f -> %.0f msg/s",
                     (long long)p->publish_growth, p->publish_rate, r->target_rate, next);
        else if (r->rc.steps > 0 && p->action == '-')
            omb_info("Rate search: the backlog grew over consecutive periods (publish %+lld, "
                     "receive %+lld per subscription in the last one; %.0f msg/s published, "
                     "%.0f received per subscription): %.0f -> %.0f msg/s",
                     (long long)p->publish_growth, (long long)p->receive_growth, p->publish_rate,
                     p->consume_rate, r->target_rate, next);
        else
            omb_debug("Rate search: %.0f -> %.0f msg/s", r->target_rate, next);
        r->target_rate = next;
    }
    r->next_control_ns = now + (int64_t)(r->opt->control_period_s * 1e9);
    return 0;
}

/* Reads one period, prints OMB's line, records it when measuring. */
static int read_period(struct run *r, int64_t now, struct omb_result *res, const char *phase)
{
    if (r->worker->ops->period_stats(r->worker, &r->view, r->err, sizeof r->err) != 0) return -1;
    struct omb_period p;
    omb_period_from_view(&r->view, (double)(now - r->last_period_ns) / 1e9,
                         r->w->subscriptions_per_topic, r->target_rate, &p);
    char line[1024];
    if (r->opt->display == OMB_DISPLAY_LIVE) {
        size_t w = term_width(r);
        omb_display_period_line(&p, phase, r->target_rate, w > LOG_PREFIX ? w - LOG_PREFIX : 0,
                                line, sizeof line);
        omb_info("%s", line);
        r->last_p99_ms = (double)p.lat[OMB_PUB_LATENCY].p99 / 1000.0;
    } else if (r->searching) {
        omb_period_line(&p, line, sizeof line);
        omb_info("%s | Target rate %.0f msg/s", line, r->target_rate);
    } else {
        omb_period_line(&p, line, sizeof line);
        omb_info("%s", line);
    }
    if (res) {
        omb_result_add_period(res, &p, phase);
        omb_stats_view_add(&r->measured, &r->view);
        memcpy(r->measured.totals, r->view.totals, sizeof r->measured.totals);
    }
    if (res && !strcmp(phase, "test")) {
        struct omb_run_report *rep = r->report;
        rep->measured = true;
        rep->seconds += p.seconds;
        rep->sent += p.sent;
        rep->received += p.received;
        rep->send_errors += p.send_errors;
    }
    r->last_period_ns = now;
    return 0;
}

/* A phase: period lines every period, rate control when searching, until @p seconds pass
 * (<= 0: no limit) or @p done says so (checked every 100 ms: 1 done, 0 not yet, -1 error).
 * Samples go into @p res when measuring. Returns 0, or -1 with r->err set. Ends early on
 * interrupt. The last period of a phase is read when it ends, however short. */
static int run_phase(struct run *r, double seconds, struct omb_result *res, const char *phase,
                     int (*done)(struct run *r))
{
    int64_t period_ns = (int64_t)(r->opt->period_seconds * 1e9);
    int64_t start = omb_now_ns();
    int64_t end = seconds > 0 ? start + (int64_t)(seconds * 1e9) : INT64_MAX;
    bool live = r->opt->display == OMB_DISPLAY_LIVE;
    r->phase = phase;
    r->phase_start_ns = start;
    r->phase_seconds = seconds;
    for (;;) {
        int64_t wake = r->next_period_ns < end ? r->next_period_ns : end;
        if (live && r->next_status_ns < wake) wake = r->next_status_ns;
        if (r->searching && r->next_control_ns < wake) wake = r->next_control_ns;
        if (done && omb_now_ns() + 100000000 < wake) wake = omb_now_ns() + 100000000;
        if (r->next_heartbeat_ns < wake) wake = r->next_heartbeat_ns;
        sleep_until(wake);
        int64_t now = omb_now_ns();
        if (now >= r->next_heartbeat_ns) {
            /* Between period reads, ask the worker something every 2 s: a remote worker
             * that died or hangs is noticed within seconds, whatever the period. */
            if (r->worker->ops->counters(r->worker, &r->view, r->err, sizeof r->err) != 0)
                return -1;
            r->next_heartbeat_ns = now + 2000000000LL;
        }
        if (live && now >= r->next_status_ns && draw_status(r, now) != 0) return -1;
        if (r->searching && now >= r->next_control_ns && control_rate(r, now) != 0) return -1;
        /* A sliver of a period left at the end (under a tenth of a period, at most 100 ms)
         * is not worth a period of its own: its rates would be noise. */
        int64_t sliver = period_ns / 10 < 100000000 ? period_ns / 10 : 100000000;
        int finished = now >= end - sliver || omb_interrupted;
        if (!finished && done) {
            int d = done(r);
            if (d < 0) return -1;
            finished = d > 0;
            /* Ended by its condition just after a period was read: leave the sliver to the
             * next phase's first period (periods run on one clock across phases). */
            if (finished && now - r->last_period_ns < sliver) return 0;
        }
        if (finished || now >= r->next_period_ns) {
            if (read_period(r, now, res, phase) != 0) return -1;
            if (now >= r->next_period_ns) r->next_period_ns += period_ns;
            while (r->next_period_ns <= now) r->next_period_ns += period_ns;
        }
        if (finished) return 0;
    }
}

/* Phase conditions for the backlog test. A phase that makes no progress for
 * backlog_stall_s seconds ends the run with an error instead of waiting for ever. */
static int stalled(struct run *r, int64_t progress, const char *what)
{
    int64_t now = omb_now_ns();
    if (progress != r->stall_mark || r->stall_since_ns == 0) {
        r->stall_mark = progress;
        r->stall_since_ns = now;
        return 0;
    }
    if ((double)(now - r->stall_since_ns) / 1e9 < r->opt->backlog_stall_s) return 0;
    snprintf(r->err, sizeof r->err, "%s made no progress for %.0f s", what,
             r->opt->backlog_stall_s);
    return -1;
}

static int backlog_built(struct run *r)
{
    int64_t backlog, sent;
    if (read_backlog(r, &backlog, &sent) != 0) return -1;
    if (backlog >= r->backlog_target) return 1;
    return stalled(r, sent, "building the backlog (producers stopped sending)");
}

static int64_t drain_level(const struct run *r)
{
    int64_t empty = (int64_t)((1.0 - r->w->backlog_drain_ratio) * (double)r->backlog_target);
    return empty > 1000 ? empty : 1000;
}

static int backlog_drained(struct run *r)
{
    int64_t backlog, sent;
    if (read_backlog(r, &backlog, &sent) != 0) return -1;
    if (backlog <= drain_level(r)) return 1;
    /* Progress is the backlog going down; a backlog that only grows is a stall too. */
    int64_t best = r->stall_since_ns && r->stall_mark < backlog ? r->stall_mark : backlog;
    if (stalled(r, best, "draining the backlog") != 0) {
        char more[256];
        snprintf(more, sizeof more,
                 ": %lld messages still behind (the drain stops at %lld); consumers are "
                 "slower than producers, or the broker dropped messages they had not read yet "
                 "(a retention limit; see the log above)",
                 (long long)backlog, (long long)drain_level(r));
        strncat(r->err, more, sizeof r->err - strlen(r->err) - 1);
        return -1;
    }
    return 0;
}

/* How many subscriptions have received nothing yet (-1 when the worker cannot say); *own
 * becomes what they received of omb's messages (others' messages on existing topics left
 * out). */
static int64_t silent_subscriptions(struct run *r, char *name, size_t namelen, int64_t *own)
{
    struct omb_delivery *d = NULL;
    size_t n = 0;
    if (!r->worker->ops->delivery ||
        r->worker->ops->delivery(r->worker, &d, &n, r->err, sizeof r->err) != 0)
        return -1;
    int64_t silent = 0;
    *own = 0;
    for (size_t i = 0; i < n; i++) {
        *own += d[i].received;
        if (d[i].received == 0) {
            if (!silent)
                snprintf(name, namelen, "'%s' of topic '%s'", d[i].subscription, d[i].topic);
            silent++;
        }
    }
    omb_delivery_free(d, n);
    return silent;
}

#define PROBE_RESEND_S 15.0

/* Waits until every subscription has seen a probe message. OMB only waits for a total
 * count, which one busy subscription can satisfy while another receives nothing; where the
 * worker reports per subscription, omb waits for each. */
static int wait_ready(struct run *r)
{
    /* Every producer's probe reaches every subscription of its topic; waiting for all of
     * them (OMB waits for one per topic) keeps late probes out of the first period. */
    int64_t expected = r->w->topics * r->w->producers_per_topic * r->w->subscriptions_per_topic;
    int64_t t0 = omb_now_ns(), last_probe = t0;
    char name[512] = "";
    for (;;) {
        /* A probe can be held up where the next one is not (on a 3-broker Kafka cluster,
         * about one run in 30 received none for a minute while the next run's came at
         * once): every PROBE_RESEND_S without all of them, every producer sends another. */
        if (secs_since(last_probe) >= PROBE_RESEND_S) {
            omb_info("Not every subscription has received a probe message after %.0f s: "
                     "sending them again",
                     secs_since(t0));
            if (r->worker->ops->probe_producers(r->worker, r->err, sizeof r->err) != 0)
                return -1;
            last_probe = omb_now_ns();
        }
        if (r->worker->ops->counters(r->worker, &r->view, r->err, sizeof r->err) != 0) return -1;
        int64_t got = r->view.totals[OMB_C_RECEIVED], own = got;
        int64_t silent = got >= expected ? silent_subscriptions(r, name, sizeof name, &own) : 1;
        if (silent >= 0) got = own; /* the probes, not what other clients wrote meanwhile */
        if (got >= expected && silent <= 0) {
            omb_info("All consumers are ready (%lld probe message(s) received in %.1f s)",
                     (long long)got, secs_since(t0));
            return 0;
        }
        if (omb_interrupted) {
            snprintf(r->err, sizeof r->err, "interrupted while waiting for consumers");
            return -1;
        }
        if (secs_since(t0) > r->opt->probe_timeout_s) {
            if (got >= expected)
                snprintf(r->err, sizeof r->err,
                         "%lld subscription(s) received no probe message within %.0f s, "
                         "among them %s: its consumers are not subscribed (the log says which "
                         "have no partitions), start after the probes, or the broker does not "
                         "deliver to them",
                         (long long)silent, r->opt->probe_timeout_s, name);
            else
                snprintf(r->err, sizeof r->err,
                         "consumers received %lld of the %lld probe messages within %.0f s: "
                         "they are not subscribed (the log says which have no partitions), "
                         "start after the probes (a consumer that reads from the latest "
                         "position), or the broker does not deliver",
                         (long long)got, (long long)expected, r->opt->probe_timeout_s);
            return -1;
        }
        omb_sleep_ns(100000000);
    }
}

/* After the load: wait (bounded) for consumers to catch up, then report per subscription
 * anything acknowledged that never arrived. Returns the number of missing messages. */
static int64_t check_delivery(struct run *r, struct omb_result *res)
{
    struct omb_worker *wk = r->worker;
    if (!wk->ops->delivery || r->w->subscriptions_per_topic == 0) return 0;
    struct omb_delivery *d = NULL;
    size_t n = 0;
    int64_t t0 = omb_now_ns(), last_progress = t0, last_received = -1, missing = 0;
    for (;;) {
        omb_delivery_free(d, n);
        d = NULL;
        if (wk->ops->delivery(wk, &d, &n, r->err, sizeof r->err) != 0) {
            omb_warn("Could not check delivery: %s", r->err);
            return 0;
        }
        int64_t received = 0;
        missing = 0;
        for (size_t i = 0; i < n; i++) {
            received += d[i].received;
            missing += omb_delivery_missing(&d[i]);
        }
        if (missing == 0) break;
        if (omb_interrupted) {
            /* Judging now would report as lost what is still on its way. */
            omb_warn("Delivery check: not checked (interrupted before consumers caught up)");
            if (res) omb_result_set_delivery_unchecked(res, "interrupted");
            omb_delivery_free(d, n);
            return 0;
        }
        if (received != last_received) {
            last_received = received;
            last_progress = omb_now_ns();
        }
        /* Give up at the time limit, or sooner when nothing has arrived for 10 s (longer
         * than a consumer group takes to rebalance). */
        if (secs_since(t0) > r->opt->drain_timeout_s ||
            (double)(omb_now_ns() - last_progress) / 1e9 > 10.0)
            break;
        omb_sleep_ns(100000000);
    }
    bool by_count = false;
    for (size_t i = 0; i < n; i++) {
        int64_t lost = omb_delivery_missing(&d[i]), dups = omb_delivery_duplicates(&d[i]);
        const char *unit = d[i].positioned ? "distinct " : "";
        int64_t got = d[i].positioned ? d[i].distinct : d[i].received;
        by_count |= !d[i].positioned;
        if (lost > 0)
            omb_error("Subscription '%s' of topic '%s' received %lld %sof %lld acknowledged "
                      "messages: %lld never arrived (lost by the broker, or not delivered "
                      "within %.0f s)",
                      d[i].subscription, d[i].topic, (long long)got, unit,
                      (long long)d[i].acknowledged, (long long)lost, r->opt->drain_timeout_s);
        if (d[i].foreign > 0)
            omb_info("Subscription '%s' of topic '%s' also received %lld message(s) that omb "
                     "did not send (another client writing to the topic): counted in the "
                     "consume rate, not in the delivery check",
                     d[i].subscription, d[i].topic, (long long)d[i].foreign);
        if (dups > 0 && d[i].positioned)
            omb_info("Subscription '%s' of topic '%s' received %lld message(s) more than once "
                     "(redeliveries, e.g. after a consumer group rebalance; the consume rate "
                     "counts every delivery, as OMB's does)",
                     d[i].subscription, d[i].topic, (long long)dups);
        else if (dups > 0)
            omb_warn("Subscription '%s' of topic '%s' received %lld more messages than were "
                     "acknowledged: redeliveries, which without message positions from the "
                     "driver could also hide lost messages",
                     d[i].subscription, d[i].topic, (long long)dups);
    }
    if (missing == 0 && n > 0)
        omb_info("Delivery check: every subscription received every acknowledged message%s",
                 by_count ? " (counted, not by position)" : "");
    if (res) omb_result_set_delivery(res, d, n);
    omb_delivery_free(d, n);
    return missing;
}

/* The run's histograms and its totals. Totals come from /counters-stats: OMB's
 * /cumulative-latencies carries histograms only, so a distributed result would otherwise
 * say 0 messages were sent. */
static int read_cumulative(struct run *r, struct omb_stats_view *cum, char *err, size_t errlen)
{
    struct omb_worker *wk = r->worker;
    if (wk->ops->cumulative_latencies(wk, cum, err, errlen) != 0) return -1;
    if (wk->ops->counters(wk, &r->view, err, errlen) != 0) return -1;
    memcpy(cum->totals, r->view.totals, sizeof cum->totals);
    return 0;
}

static void free_strings(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* What one run creates, owned here and released by run_cleanup whatever step failed. */
struct run_state {
    struct run r;
    const struct omb_driver_conf *d;
    struct omb_result *res;
    char **topics, **ptopics;
    struct omb_topic_sub *ts;
    size_t nts, nptopics;
    struct omb_payloads payloads;
    struct omb_stats_view cum;
    int64_t partitions; /* of existing topics, the largest count; 0: the workload's */
    bool initialized;
};

static int oom(struct run *r)
{
    snprintf(r->err, sizeof r->err, "out of memory");
    return -1;
}

/* Setup creates topics, consumers and producers in chunks: 16 first, doubled while a chunk
 * takes under a quarter of a second (at most 4096), so a Ctrl-C is seen between chunks
 * within about a second whatever the system's speed, and a long setup says how far it is
 * every 5 s. Cost stays linear: one call per chunk, each chunk's own work. */
struct chunker {
    const char *what; /* "topic(s)" */
    size_t total, done, size;
    int64_t t0, chunk_t0, last_log;
};

static struct chunker chunker_start(const char *what, size_t total)
{
    int64_t now = omb_now_ns();
    return (struct chunker){
        .what = what, .total = total, .size = 16, .t0 = now, .chunk_t0 = now, .last_log = now};
}

/* The next chunk's size, or 0 when all are made; -1 (with r.err set) on a signal. */
static int64_t chunk_next(struct chunker *c, struct run *r)
{
    if (c->done >= c->total) return 0;
    if (omb_interrupted) {
        snprintf(r->err, sizeof r->err, "interrupted during setup, after creating %zu of %zu %s",
                 c->done, c->total, c->what);
        return -1;
    }
    c->chunk_t0 = omb_now_ns();
    return (int64_t)(c->total - c->done < c->size ? c->total - c->done : c->size);
}

static void chunk_done(struct chunker *c, size_t n)
{
    int64_t now = omb_now_ns();
    c->done += n;
    if (now - c->chunk_t0 < 250000000 && c->size < 4096) c->size *= 2;
    if (now - c->last_log >= 5000000000LL && c->done < c->total) {
        omb_info("Setup: %zu of %zu %s created (%.0f s)", c->done, c->total, c->what,
                 (double)(now - c->t0) / 1e9);
        c->last_log = now;
    }
}

/* existingTopicList: the topics are checked, not created, and their partition counts are
 * the broker's (partitionsPerTopic, when the file gives it, must agree). */
static int use_existing_topics(struct run_state *s)
{
    struct run *r = &s->r;
    const struct omb_workload *w = r->w;
    size_t n = (size_t)w->topics;
    int64_t t0 = omb_now_ns();
    if (!r->worker->ops->use_existing_topics) {
        snprintf(r->err, sizeof r->err,
                 "%s: existingTopicList needs omb workers (the workers given are OMB's, which "
                 "create their own topics)",
                 w->path);
        return -1;
    }
    int *parts = calloc(n, sizeof *parts);
    if (!parts) return oom(r);
    char err[sizeof r->err - 64];
    int rc = r->worker->ops->use_existing_topics(r->worker, w->existing_topics, n, parts, err,
                                                 sizeof err);
    if (rc != 0) snprintf(r->err, sizeof r->err, "%s: existingTopicList: %s", w->path, err);
    int64_t lo = rc ? 0 : parts[0], hi = lo;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (w->partitions_given && parts[i] != w->partitions_per_topic) {
            snprintf(r->err, sizeof r->err,
                     "%s: partitionsPerTopic is %lld, but existing topic '%s' has %d "
                     "partition(s) (leave partitionsPerTopic out to take the broker's)",
                     w->path, (long long)w->partitions_per_topic, w->existing_topics[i],
                     parts[i]);
            rc = -1;
        }
        lo = parts[i] < lo ? parts[i] : lo;
        hi = parts[i] > hi ? parts[i] : hi;
    }
    free(parts);
    if (rc != 0) return -1;
    s->partitions = hi;
    for (size_t i = 0; i < n; i++)
        if (!(s->topics[i] = strdup(w->existing_topics[i]))) return oom(r);
    char range[48];
    if (lo == hi)
        snprintf(range, sizeof range, "%lld", (long long)lo);
    else
        snprintf(range, sizeof range, "%lld to %lld", (long long)lo, (long long)hi);
    omb_info("Using %zu existing topic(s) of %s partition(s) (%.1f ms): consumers start at their "
             "end, and they are not deleted",
             n, range, secs_since(t0) * 1000);
    return 0;
}

static int create_topics(struct run_state *s)
{
    struct run *r = &s->r;
    const struct omb_workload *w = r->w;
    s->topics = calloc((size_t)w->topics, sizeof *s->topics);
    if (!s->topics) return oom(r);
    if (w->existing_topics) return use_existing_topics(s);
    struct chunker c = chunker_start("topic(s)", (size_t)w->topics);
    int64_t n;
    while ((n = chunk_next(&c, r)) > 0) {
        char **names;
        if (r->worker->ops->create_topics(r->worker, (int)n, (int)w->partitions_per_topic, &names,
                                          r->err, sizeof r->err) != 0)
            return -1;
        memcpy(s->topics + c.done, names, (size_t)n * sizeof *names);
        free(names);
        chunk_done(&c, (size_t)n);
    }
    if (n < 0) return -1;
    omb_info("Created %lld topic(s) of %lld partition(s) in %.1f ms", (long long)w->topics,
             (long long)w->partitions_per_topic, secs_since(c.t0) * 1000);
    return 0;
}

/* Consumers first, as OMB: subscriptions exist before anything is sent. */
static int create_consumers(struct run_state *s)
{
    struct run *r = &s->r;
    const struct omb_workload *w = r->w;
    s->nts = (size_t)(w->topics * w->subscriptions_per_topic * w->consumer_per_subscription);
    s->ts = calloc(s->nts ? s->nts : 1, sizeof *s->ts);
    if (!s->ts) return oom(r);
    size_t k = 0;
    for (int64_t t = 0; t < w->topics; t++)
        for (int64_t sb = 0; sb < w->subscriptions_per_topic; sb++) {
            char rnd[8], sub[64];
            omb_random_name(rnd, 7);
            snprintf(sub, sizeof sub, "sub-%03lld-%s", (long long)sb, rnd);
            for (int64_t c = 0; c < w->consumer_per_subscription; c++, k++) {
                s->ts[k].topic = strdup(s->topics[t]);
                s->ts[k].subscription = strdup(sub);
                if (!s->ts[k].topic || !s->ts[k].subscription) return oom(r);
            }
        }
    struct chunker c = chunker_start("consumer(s)", s->nts);
    int64_t n;
    while ((n = chunk_next(&c, r)) > 0) {
        if (r->worker->ops->create_consumers(r->worker, s->ts + c.done, (size_t)n, r->err,
                                             sizeof r->err) != 0)
            return -1;
        chunk_done(&c, (size_t)n);
    }
    if (n < 0) return -1;
    if (s->nts) omb_info("Created %zu consumer(s) in %.1f ms", s->nts, secs_since(c.t0) * 1000);
    return 0;
}

static int create_producers(struct run_state *s)
{
    struct run *r = &s->r;
    const struct omb_workload *w = r->w;
    s->nptopics = (size_t)(w->topics * w->producers_per_topic);
    s->ptopics = calloc(s->nptopics ? s->nptopics : 1, sizeof *s->ptopics);
    if (!s->ptopics) return oom(r);
    size_t k = 0;
    for (int64_t t = 0; t < w->topics; t++)
        for (int64_t p = 0; p < w->producers_per_topic; p++)
            if (!(s->ptopics[k++] = strdup(s->topics[t]))) return oom(r);
    struct chunker c = chunker_start("producer(s)", s->nptopics);
    int64_t n;
    while ((n = chunk_next(&c, r)) > 0) {
        if (r->worker->ops->create_producers(r->worker, s->ptopics + c.done, (size_t)n, r->err,
                                             sizeof r->err) != 0)
            return -1;
        chunk_done(&c, (size_t)n);
    }
    if (n < 0) return -1;
    omb_info("Created %zu producer(s) in %.1f ms", s->nptopics, secs_since(c.t0) * 1000);
    return 0;
}

/* Topics, then consumers, then producers, then the probe. Returns 0, or -1 with r.err set. */
static int setup_topology(struct run_state *s)
{
    struct run *r = &s->r;
    struct omb_worker *worker = r->worker;
    if (worker->ops->initialize_driver(worker, s->d, r->err, sizeof r->err) != 0) return -1;
    s->initialized = true;
    if (create_topics(s) != 0 || create_consumers(s) != 0 || create_producers(s) != 0) return -1;
    if (s->nts && s->nptopics) {
        if (worker->ops->probe_producers(worker, r->err, sizeof r->err) != 0 || wait_ready(r) != 0)
            return -1;
    }
    return 0;
}

/* Resets the stats (the probe messages are not part of any measurement), builds the
 * payloads, picks the rate (or starts the search) and starts the producers. */
static int start_load(struct run_state *s)
{
    struct run *r = &s->r;
    struct omb_worker *worker = r->worker;
    const struct omb_worker_ops *ops = worker->ops;
    const struct omb_workload *w = r->w;
    const struct omb_run_options *opt = r->opt;

    /* The probe messages are not part of any measurement. */
    if (ops->reset_stats(worker, r->err, sizeof r->err) != 0) return -1;

    if (omb_payloads_build(w, &s->payloads, r->err, sizeof r->err) != 0) return -1;
    r->target_rate = w->producer_rate * (opt->rate_per_producer ? (double)s->nptopics : 1.0);
    if (w->producer_rate == 0) {
        /* OMB's maximum-sustainable-rate search: start at 10k msg/s and let the
         * controller move the rate every control period. */
        r->searching = true;
        omb_rate_controller_init(&r->rc, OMB_RATE_SEARCH_START);
        r->target_rate = r->rc.rate;
        r->next_control_ns = omb_now_ns() + (int64_t)(opt->control_period_s * 1e9);
        omb_info("Searching for the maximum sustainable rate, from %.0f msg/s", r->target_rate);
    }
    struct omb_load_spec spec = {
        .payloads = (const unsigned char *const *)s->payloads.buf,
        .npayloads = s->payloads.n,
        .payload_size = s->payloads.size,
        .rate = r->target_rate,
        .keys = w->key_distributor,
    };
    return ops->start_load(worker, &spec, r->err, sizeof r->err);
}

/* OMB's backlog test: build with consumers paused, drain, then the test proper. All three
 * are measured, as in OMB; each period says which phase it was in. */
static int run_backlog(struct run_state *s)
{
    struct run *r = &s->r;
    const struct omb_worker_ops *ops = r->worker->ops;
    const struct omb_workload *w = r->w;

    r->backlog_target =
        (int64_t)(w->consumer_backlog_size_gb * 1073741824.0 / (double)w->message_size);
    omb_info("Stopping all consumers to build a backlog of %g GB (%lld messages)",
             w->consumer_backlog_size_gb, (long long)r->backlog_target);
    if (ops->pause_consumers(r->worker, r->err, sizeof r->err) != 0) return -1;
    int64_t t_build = omb_now_ns();
    if (run_phase(r, 0, s->res, "backlog-build", backlog_built) != 0) return -1;
    double build_s = secs_since(t_build);
    omb_info("--- Backlog built in %.1f s; start draining backlog ---", build_s);
    if (ops->resume_consumers(r->worker, r->err, sizeof r->err) != 0) return -1;
    int64_t t_drain = omb_now_ns();
    r->stall_since_ns = 0;
    if (run_phase(r, 0, s->res, "backlog-drain", backlog_drained) != 0) {
        omb_result_set_backlog(s->res, r->backlog_target, build_s, -1);
        return -1;
    }
    double drain_s = secs_since(t_drain);
    omb_info("--- Completed backlog draining in %.1f s ---", drain_s);
    omb_result_set_backlog(s->res, r->backlog_target, build_s, drain_s);
    return 0;
}

/* Warm-up (not recorded), then the result is created and the backlog phases (when the
 * workload asks for them) and the measured test run into it. */
static int run_phases(struct run_state *s)
{
    struct run *r = &s->r;
    const struct omb_workload *w = r->w;
    const struct omb_run_options *opt = r->opt;

    r->last_period_ns = omb_now_ns();
    r->next_period_ns = r->last_period_ns + (int64_t)(opt->period_seconds * 1e9);
    if (w->warmup_duration_minutes > 0 && !omb_interrupted) {
        omb_info("----- Starting warm-up traffic (%g min) ------", w->warmup_duration_minutes);
        if (run_phase(r, w->warmup_duration_minutes * 60, NULL, "warmup", NULL) != 0) return -1;
        if (r->worker->ops->reset_stats(r->worker, r->err, sizeof r->err) != 0) return -1;
    }
    if (omb_interrupted) {
        snprintf(r->err, sizeof r->err, "interrupted before the measured phase: no result written");
        return -1;
    }

    struct omb_result_info info = {
        .workload = w,
        .driver_name = s->d->name,
        .driver_file = s->d->path,
        .driver_doc = s->d->doc ? s->d->doc->root : NULL,
        .partitions = s->partitions,
        .period_seconds = opt->period_seconds,
        .start_epoch_ms = omb_now_ns() / 1000000,
    };
    s->res = omb_result_new(&info);
    if (!s->res) return oom(r);
    if (w->consumer_backlog_size_gb > 0 && run_backlog(s) != 0) return -1;
    if (!omb_interrupted) {
        omb_info("----- Starting benchmark traffic (%g min) ------", w->test_duration_minutes);
        if (run_phase(r, w->test_duration_minutes * 60, s->res, "test", NULL) != 0) return -1;
    }
    return 0;
}

/* The report's rates and latencies, from the measured periods and the run's histograms. */
static void report_figures(struct run *r, const struct omb_stats_view *cum)
{
    struct omb_run_report *rep = r->report;
    if (rep->seconds > 0) {
        rep->publish_rate = (double)rep->sent / rep->seconds;
        rep->consume_rate = (double)rep->received / rep->seconds;
        rep->publish_error_rate = (double)rep->send_errors / rep->seconds;
    }
    omb_latency_summarize(cum->hist[OMB_PUB_LATENCY], &rep->publish);
    omb_latency_summarize(cum->hist[OMB_E2E_LATENCY], &rep->end_to_end);
}

/* The result's aggregates and the run report; the clock offsets of the workers, and a
 * warning for latencies that could not be measured (negative: a receive stamped before its
 * send, clocks further apart than the latency), which are counted and left out. */
static void aggregate(struct run_state *s, const struct omb_stats_view *cum)
{
    struct run *r = &s->r;
    omb_result_set_aggregate(s->res, cum);
    report_figures(r, cum);
    const struct omb_clock_report *clocks = NULL;
    size_t nclocks =
        r->worker->ops->clock_offsets ? r->worker->ops->clock_offsets(r->worker, &clocks) : 0;
    if (nclocks) omb_result_set_clock_offsets(s->res, clocks, nclocks);
    int64_t neg = cum->negative[OMB_E2E_LATENCY];
    if (neg > 0) {
        int64_t all = neg + cum->hist[OMB_E2E_LATENCY]->total_count;
        omb_warn("%lld of %lld end-to-end latency samples (%.2f%%) were negative (received "
                 "before they were sent, by the clocks that stamped them: clocks further apart "
                 "than the latency) and are left out of the end-to-end figures; see "
                 "aggregatedEndToEndLatencyNegative%s",
                 (long long)neg, (long long)all, 100.0 * (double)neg / (double)all,
                 nclocks ? " and omb.clockOffsets in the .omb file" : " in the .omb file");
    }
}

/* The aggregate line and the result's aggregates, then the producers stop and the delivery
 * check runs. Sets @p status; returns 0, or -1 with r.err set when the worker failed. */
static int finish(struct run_state *s, enum omb_run_status *status)
{
    struct run *r = &s->r;
    struct omb_worker *worker = r->worker;

    if (r->opt->display == OMB_DISPLAY_LIVE) omb_log_status(NULL); /* the phases are over */
    if (read_cumulative(r, &s->cum, r->err, sizeof r->err) != 0) return -1;
    if (r->searching) {
        struct omb_rate_search_summary sum;
        omb_rate_controller_summary(&r->rc, &sum);
        omb_result_set_rate_search(s->res, &sum);
        r->report->sustained_rate = sum.sustained_periods ? sum.sustained_rate : 0;
        if (sum.loss_fraction > 0)
            omb_warn("Rate search: messages were still being lost at the end (%.0f%% of those "
                     "sent): no rate with losses counts as sustained",
                     100 * sum.loss_fraction);
        if (sum.sustained_periods)
            omb_info("Rate search: sustained %.0f msg/s (the highest rate of the last %d control "
                     "periods, %.0f s, in which producers kept their schedule and the backlog "
                     "did not grow: %d of them); last target %.0f msg/s",
                     sum.sustained_rate, sum.window_periods, sum.window_seconds,
                     sum.sustained_periods, sum.final_target);
        else
            omb_warn("Rate search: no sustained rate: in none of the last %d control periods "
                     "(%.0f s) did producers keep their schedule with the backlog not growing; "
                     "last target %.0f msg/s",
                     sum.window_periods, sum.window_seconds, sum.final_target);
    }
    char line[1024];
    omb_aggregate_line(&s->cum, line, sizeof line);
    omb_info("%s", line);
    aggregate(s, &s->cum);

    if (worker->ops->stop_producers &&
        worker->ops->stop_producers(worker, 30000, r->err, sizeof r->err) != 0)
        omb_warn("%s", r->err);
    int64_t missing = check_delivery(r, s->res);
    r->report->missing = missing;
    if (omb_interrupted) {
        omb_result_set_incomplete(s->res, "interrupted by a signal");
        *status = OMB_RUN_INTERRUPTED;
    } else if (missing > 0) {
        snprintf(r->err, sizeof r->err,
                 "%lld acknowledged message(s) never reached their subscription (see above)",
                 (long long)missing);
        omb_result_set_incomplete(s->res, r->err);
        omb_error("%s", r->err);
        *status = OMB_RUN_FAILED;
    } else {
        *status = OMB_RUN_OK;
    }
    return 0;
}

/* A step failed: log it and keep what was measured (the aggregates of the periods so far,
 * if the worker can still say) in an incomplete result. */
static enum omb_run_status fail(struct run_state *s)
{
    struct run *r = &s->r;
    omb_error("%s", r->err);
    if (s->res) {
        char err[1024];
        if (read_cumulative(r, &s->cum, err, sizeof err) == 0) {
            aggregate(s, &s->cum);
        } else {
            /* OMB's tools need the aggregated keys: those of the periods received. */
            omb_warn("The worker cannot give its cumulative figures (%s): the result's "
                     "aggregates are those of the %zu period(s) received before the failure",
                     err, omb_result_periods(s->res));
            aggregate(s, &r->measured);
        }
        omb_result_set_incomplete(s->res, r->err);
    }
    return omb_interrupted ? OMB_RUN_INTERRUPTED : OMB_RUN_FAILED;
}

/* Writes the result when it has periods, then stops everything on the worker and frees
 * what the run created. The result comes first: a teardown that hangs or is killed (a
 * broker gone, a second Ctrl-C) must not take the measurement with it. Returns @p status,
 * made OMB_RUN_FAILED when writing or cleaning up fails. */
static enum omb_run_status run_cleanup(struct run_state *s, enum omb_run_status status,
                                       const char *result_path, bool *written)
{
    struct run *r = &s->r;
    if (r->opt->display == OMB_DISPLAY_LIVE) omb_log_status(NULL);
    if (s->res && omb_result_periods(s->res) > 0) {
        char err[1024];
        if (omb_result_write(s->res, result_path, err, sizeof err) != 0) {
            omb_error("%s", err);
            status = OMB_RUN_FAILED;
        } else {
            omb_info("Wrote result to %s", result_path);
            *written = true;
        }
    }
    if (s->initialized) {
        char err[1024];
        if (r->worker->ops->stop_all(r->worker, r->opt->keep_topics, err, sizeof err) != 0) {
            omb_error("Cleaning up: %s", err);
            if (status == OMB_RUN_OK) status = OMB_RUN_FAILED;
        }
    }
    omb_result_free(s->res);
    omb_payloads_free(&s->payloads);
    omb_stats_view_free(&r->view);
    omb_stats_view_free(&r->measured);
    omb_stats_view_free(&s->cum);
    for (size_t i = 0; i < s->nts && s->ts; i++) {
        free(s->ts[i].topic);
        free(s->ts[i].subscription);
    }
    free(s->ts);
    free_strings(s->ptopics, s->nptopics);
    free_strings(s->topics, s->topics ? (size_t)r->w->topics : 0);
    return status;
}

enum omb_run_status omb_run_workload(struct omb_worker *worker, const struct omb_workload *w,
                                     const struct omb_driver_conf *d,
                                     const struct omb_run_options *opt, const char *result_path,
                                     struct omb_run_report *report)
{
    struct omb_run_report own;
    if (!report) report = &own;
    memset(report, 0, sizeof *report);
    bool *written = &report->result_written;
    struct run_state s = {
        .r = {.worker = worker, .w = w, .opt = opt, .report = report, .last_p99_ms = -1}, .d = d};
    enum omb_run_status status = OMB_RUN_FAILED;

    if (omb_worker_view_init(worker, &s.r.view) != 0 || omb_worker_view_init(worker, &s.cum) != 0 ||
        omb_worker_view_init(worker, &s.r.measured) != 0) {
        omb_error("out of memory");
        return run_cleanup(&s, status, result_path, written);
    }
    omb_info("--------------- WORKLOAD : %s --- DRIVER : %s ---------------", w->name, d->name);
    if (setup_topology(&s) != 0 || start_load(&s) != 0 || run_phases(&s) != 0 ||
        finish(&s, &status) != 0)
        status = fail(&s);
    return run_cleanup(&s, status, result_path, written);
}
