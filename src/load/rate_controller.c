/* rate_controller.c - see rate_controller.h. */
#include "load/rate_controller.h"

#include <math.h>
#include <stdlib.h>

#include "stats/backlog.h"

#define GROWTH_SLACK 0.02  /* a backlog grew: by more than its limit or 2% of the period */
#define NOISE        0.005 /* a backlog rose at all: by more than 0.5% of the period */
#define PROBE_FIRST  0.02  /* first probe above the capacity shown, doubled while it holds */
#define PROBE_MAX                                                                                  \
    0.25 /* probes stay small: an overshoot builds a backlog, and a broker                         \
          * with a small retention (the Kafka mock) drops what was not read */
#define STARTUP_PERIODS                                                                            \
    2                       /* the first periods only hold: connections, metadata, first           \
                             * batches delay the first acknowledgements */
#define CUT_HIGH       0.97 /* a cut goes to at most 97% of what was delivered ... */
#define CUT_LOW        0.92 /* ... and to at least 92% of it */
#define CUT_DEEPEST    0.5  /* ... and never below half of the target it comes from */
#define FAR_OVER       0.15 /* one period whose backlog grew by 15% of it: cut at once */
#define FAR_OVER_AFTER 4    /* ... unless within this many periods of the last cut */
#define DRAIN_PERIODS  8
#define LOSS_MIN       0.03 /* consumers short of at least 3% of what was sent, ... */
#define LOSS_SAME      0.25 /* ... at least as large (less a quarter of it) ... */
#define LOSS_RATE_DROP 0.8  /* ... at a rate at least 20% below the last cut's: losses */
#define LOSS_QUIET                                                                                 \
    10 /* periods without growth after which losses are over */ /* the backlog built is worked off \
                                                                   over about this many periods */

static double env_double(const char *name, double def)
{
    const char *v = getenv(name);
    char *end;
    double d = v ? strtod(v, &end) : def;
    return v && end != v && *end == '\0' && d > 0 ? d : def;
}

void omb_rate_controller_init(struct omb_rate_controller *c, double initial_rate)
{
    *c = (struct omb_rate_controller){0};
    c->rate = initial_rate > 0 ? initial_rate : OMB_RATE_SEARCH_START;
    c->publish_limit = (int64_t)env_double("PUBLISH_BACKLOG_LIMIT", 1000);
    c->receive_limit = (int64_t)env_double("RECEIVE_BACKLOG_LIMIT", 1000);
    c->min_factor = env_double("MIN_RAMPING_FACTOR", 0.01);
    c->max_factor = env_double("MAX_RAMPING_FACTOR", 1.0);
    c->factor = c->max_factor;
    c->probe = PROBE_FIRST;
}

const char omb_rate_search_definition[] =
    "the highest rate (the target, or the publish rate or per-subscription consume rate "
    "when lower) among the control periods of the window in which producers kept their schedule "
    "(acknowledged at least what was scheduled, less the backlog limit or 2%) and the "
    "receive backlog did not grow (by more than the limit or 2% of the period's messages); "
    "the window is the run's last control periods";

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Growth counted against a limit: the configured one, or 2% of the period's scheduled
 * messages when that is more (at high rates more than 1,000 messages move about between
 * periods from batching alone). */
static double growth_limit(int64_t limit, double expected)
{
    return (double)limit > GROWTH_SLACK * expected ? (double)limit : GROWTH_SLACK * expected;
}

double omb_rate_controller_next(struct omb_rate_controller *c, int64_t period_ns,
                                int64_t total_sent, int64_t total_received, int64_t subscriptions)
{
    double secs = (double)period_ns / 1e9;
    if (secs <= 0) return c->rate;
    int64_t copies = subscriptions > 0 ? subscriptions : 0;
    int64_t backlog = omb_backlog(copies, total_sent, total_received);
    if (total_sent < c->prev_sent || total_received < c->prev_received) {
        /* The stats were reset (end of the warm-up): a new baseline, nothing to judge. */
        c->prev_sent = total_sent;
        c->prev_received = total_received;
        c->prev_backlog = backlog;
        return c->rate;
    }
    int64_t sent = total_sent - c->prev_sent;
    int64_t received = total_received - c->prev_received;
    int64_t recv_growth = copies ? (backlog - c->prev_backlog) / copies : 0;
    c->prev_sent = total_sent;
    c->prev_received = total_received;
    c->prev_backlog = backlog;
    c->started = true;

    double expected = c->rate * secs;
    int64_t pub_growth = (int64_t)llround(expected) - sent;
    double pub_limit = growth_limit(c->publish_limit, expected);
    double recv_limit = growth_limit(c->receive_limit, expected);
    /* What the period looked like, for the result: growth as it was, lost messages too. */
    bool sustained = (double)pub_growth <= pub_limit && (double)recv_growth <= recv_limit;
    int64_t raw_recv_growth = recv_growth;
    if (c->loss_fraction > 0) {
        /* Messages are being lost (see below): judge the rate on what the consumers take
         * of the rest. When the backlog has not grown for LOSS_QUIET periods running
         * (longer than working off a backlog takes), nothing goes missing any more. */
        c->loss_quiet = (double)recv_growth <= NOISE * expected + 1 ? c->loss_quiet + 1 : 0;
        if (c->loss_quiet >= LOSS_QUIET)
            c->loss_fraction = 0;
        else
            recv_growth -= (int64_t)(c->loss_fraction * (double)sent);
    }
    bool pub_grew = (double)pub_growth > pub_limit;
    bool recv_grew = copies && (double)recv_growth > recv_limit;
    /* Rose at all (beyond counting noise): half a percent of the period's messages. */
    bool pub_rose = (double)pub_growth > NOISE * expected + 1;
    bool recv_rose = copies && (double)recv_growth > NOISE * expected + 1;
    double sent_rate = (double)sent / secs;
    double consume_rate = copies ? (double)received / (double)copies / secs : sent_rate;

    c->elapsed_s += secs;
    struct omb_rate_period *p = &c->hist[c->steps % OMB_RATE_SEARCH_HISTORY];
    *p = (struct omb_rate_period){.end_s = c->elapsed_s,
                                  .seconds = secs,
                                  .target = c->rate,
                                  .publish_rate = sent_rate,
                                  .consume_rate = consume_rate,
                                  .publish_growth = pub_growth,
                                  .receive_growth = raw_recv_growth,
                                  .backlog = backlog,
                                  .sustained = sustained};
    c->steps++;

    if (pub_rose || recv_rose) {
        /* A backlog rose: never climb on that. */
        c->grew++;
        c->growth_pub += pub_growth;
        c->growth_recv += recv_growth;
        c->growth_sent += sent;
        c->draining = 0;
        if (pub_grew || recv_grew) {
            c->factor = c->factor / 2 < c->min_factor ? c->min_factor : c->factor / 2;
            c->probe = PROBE_FIRST;
        }
        bool over = c->grew >= 2 && ((double)c->growth_pub > 2 * pub_limit ||
                                     (double)c->growth_recv > 2 * recv_limit);
        /* Far over in one period (a doubling past the capacity): no second period, which
         * would double the backlog (and on a broker with a retention limit, the losses).
         * Not just after a cut (while a backlog is worked off, what consumers deliver is
         * noisy). */
        if ((c->cut_step == 0 || c->steps - c->cut_step > FAR_OVER_AFTER) &&
            ((double)pub_growth > FAR_OVER * expected || (double)recv_growth > FAR_OVER * expected))
            over = true;
        if (c->steps <= STARTUP_PERIODS) over = false;
        if (!over) {
            /* One period is not a trend (a latency hiccup, or the in-flight messages a
             * higher rate adds), nor is a small rise: hold and watch. */
            p->action = '=';
            return c->rate;
        }
        /* Rose over consecutive periods by more than twice the limit: this rate is too
         * much, whatever was sustained before. The capacity is what the system delivered;
         * go a little below it to work off what built up (at most 8% below), and always
         * below the current target. */
        bool recv_over = (double)c->growth_recv > 2 * recv_limit;
        /* Consumers short of as large a fraction of what was sent at a rate well below the
         * last cut's: lowering the rate does not help them catch up, so it is not their
         * capacity (which would make that fraction much smaller). Messages are being lost (a
         * broker's retention dropped what they had not read, a partition nobody consumes): say so,
         * and judge from now on on the rest. */
        double short_by = c->growth_sent > 0 ? (double)c->growth_recv / (double)c->growth_sent : 0;
        if (recv_over && c->cut_short_by > LOSS_MIN && c->rate <= LOSS_RATE_DROP * c->cut_target &&
            short_by >= (1 - LOSS_SAME) * c->cut_short_by) {
            /* On top of what was already known to go missing. */
            c->loss_fraction += short_by < c->cut_short_by ? short_by : c->cut_short_by;
            if (c->loss_fraction > 1) c->loss_fraction = 1;
            c->loss_quiet = 0;
            c->losses_seen++;
            c->cut_short_by = 0;
            c->growth_pub = c->growth_recv = c->growth_sent = 0;
            c->grew = 0;
            p->action = '=';
            return c->rate;
        }
        c->cut_short_by = recv_over ? short_by : 0;
        c->cut_target = c->rate;
        if (c->lowest_failing == 0 || c->rate < c->lowest_failing) c->lowest_failing = c->rate;
        /* What producers can send for consumers to keep up with what is not lost. */
        double taken = c->loss_fraction < 0.999 ? consume_rate / (1 - c->loss_fraction) : sent_rate;
        double shown = recv_over && taken < sent_rate ? taken : sent_rate;
        int64_t excess = c->growth_recv > c->growth_pub ? c->growth_recv : c->growth_pub;
        double next = shown - (double)excess / (DRAIN_PERIODS * secs);
        next = clamp(next, CUT_LOW * shown, CUT_HIGH * shown);
        if (next > CUT_HIGH * c->rate) next = CUT_HIGH * c->rate;
        /* At most half at a time: what consumers deliver while working off a backlog (or
         * after a broker dropped part of it) can be far below what they can sustain. */
        if (next < CUT_DEEPEST * c->rate) next = CUT_DEEPEST * c->rate;
        c->rate = next > OMB_RATE_SEARCH_FLOOR ? next : OMB_RATE_SEARCH_FLOOR;
        c->ceiling = shown > c->rate ? shown : c->rate;
        c->factor = c->factor / 2 < c->min_factor ? c->min_factor : c->factor / 2;
        c->probe = PROBE_FIRST;
        c->growth_pub = c->growth_recv = c->growth_sent = 0;
        c->grew = 0; /* lowered again when it keeps growing for two more periods */
        c->cut_step = c->steps;
        c->draining = DRAIN_PERIODS;
        p->action = '-';
        return c->rate;
    }
    c->grew = 0;
    c->growth_pub = c->growth_recv = c->growth_sent = 0;
    if (c->draining > 0 && ((double)pub_growth < -pub_limit || (double)recv_growth < -recv_limit)) {
        /* After a cut, hold while the backlog that built up goes down (a few periods). */
        c->draining--;
        p->action = '=';
        return c->rate;
    }
    c->draining = 0;
    p->action = '+';
    if (c->ceiling == 0) {
        /* No capacity known yet: grow geometrically, as OMB does. */
        c->rate *= 1 + c->factor;
        c->factor = c->factor * 2 > c->max_factor ? c->max_factor : c->factor * 2;
    } else if (c->rate < c->ceiling * (1 - PROBE_FIRST)) {
        c->rate += (c->ceiling - c->rate) / 2; /* close in on the capacity shown */
    } else {
        /* Holding at the capacity shown: there may be more. Probe above it, twice as far
         * each period that holds, so a capacity that rose is found in a few periods. */
        c->rate = (c->rate > c->ceiling ? c->rate : c->ceiling) * (1 + c->probe);
        c->ceiling = c->rate;
        c->probe = c->probe * 2 > PROBE_MAX ? PROBE_MAX : c->probe * 2;
    }
    return c->rate;
}

void omb_rate_controller_summary(const struct omb_rate_controller *c,
                                 struct omb_rate_search_summary *s)
{
    *s = (struct omb_rate_search_summary){.start_rate = OMB_RATE_SEARCH_START,
                                          .capacity_estimate = c->ceiling,
                                          .lowest_failing_rate = c->lowest_failing,
                                          .loss_fraction = c->loss_fraction,
                                          .losses_seen = c->losses_seen,
                                          .final_target = c->rate};
    int64_t n = c->steps < OMB_RATE_SEARCH_HISTORY ? c->steps : OMB_RATE_SEARCH_HISTORY;
    for (int64_t i = 0; i < n; i++)
        s->last[i] = c->hist[(c->steps - n + i) % OMB_RATE_SEARCH_HISTORY];
    s->nlast = (size_t)n;
    int64_t w = n < OMB_RATE_SEARCH_WINDOW ? n : OMB_RATE_SEARCH_WINDOW;
    s->window_periods = (int)w;
    for (int64_t i = n - w; i < n; i++) {
        const struct omb_rate_period *p = &s->last[i];
        s->window_seconds += p->seconds;
        if (!p->sustained) continue;
        s->sustained_periods++;
        /* The target kept, or what producers and consumers achieved when that was less
         * (producers catching up what they owed after a cut send above the target). */
        double r = p->publish_rate < p->consume_rate ? p->publish_rate : p->consume_rate;
        if (p->target < r) r = p->target;
        if (r > s->sustained_rate) s->sustained_rate = r;
    }
}

void omb_rate_controller_omb_init(struct omb_rate_controller_omb *c)
{
    *c = (struct omb_rate_controller_omb){0};
    c->publish_limit = (int64_t)env_double("PUBLISH_BACKLOG_LIMIT", 1000);
    c->receive_limit = (int64_t)env_double("RECEIVE_BACKLOG_LIMIT", 1000);
    c->min_factor = env_double("MIN_RAMPING_FACTOR", 0.01);
    c->max_factor = env_double("MAX_RAMPING_FACTOR", 1.0);
    c->factor = c->max_factor;
}

/* OMB's RateController.nextRate, transcribed in behaviour: receive backlog as sent -
 * received (one copy), publish backlog as expected - published this period, ramp factor
 * doubled on success and halved on backlog, next rate on backlog from
 * max(0, expected - backlog) over the period. */
double omb_rate_controller_omb_next(struct omb_rate_controller_omb *c, double rate,
                                    int64_t period_ns, int64_t total_sent, int64_t total_received)
{
    int64_t expected = (int64_t)(rate / 1e9 * (double)period_ns);
    int64_t published = total_sent - c->prev_sent;
    int64_t received = total_received - c->prev_received;
    c->prev_sent = total_sent;
    c->prev_received = total_received;
    int64_t receive_backlog = omb_backlog(1, total_sent, total_received); /* one copy */
    int64_t backlog = 0, actual = 0;
    if (receive_backlog > c->receive_limit) {
        backlog = receive_backlog;
        actual = received;
    } else if (expected - published > c->publish_limit) {
        backlog = expected - published;
        actual = published;
    } else {
        c->factor = c->factor * 2 > c->max_factor ? c->max_factor : c->factor * 2;
        return rate + rate * c->factor;
    }
    (void)actual;
    c->factor = c->factor / 2 < c->min_factor ? c->min_factor : c->factor / 2;
    int64_t next_expected = expected - backlog > 0 ? expected - backlog : 0;
    double next = (double)next_expected / (double)period_ns * 1e9;
    return next > 1 ? next : 1; /* OMB's rate limiter floors at 1 msg/s */
}
