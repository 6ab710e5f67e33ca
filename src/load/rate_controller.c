/* rate_controller.c - see rate_controller.h. */
#include "load/rate_controller.h"

#include <stdlib.h>

#include "stats/backlog.h"

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
    c->floor_rate = 100;
}

double omb_rate_controller_next(struct omb_rate_controller *c, int64_t period_ns,
                                int64_t total_sent, int64_t total_received, int64_t subscriptions)
{
    double secs = (double)period_ns / 1e9;
    int64_t sent = total_sent - c->prev_sent;
    int64_t received = total_received - c->prev_received;
    c->prev_sent = total_sent;
    c->prev_received = total_received;
    if (secs <= 0) return c->rate;

    int64_t copies = subscriptions > 0 ? subscriptions : 0;
    int64_t receive_backlog = omb_backlog(copies, total_sent, total_received);
    double sent_rate = (double)sent / secs;
    double delivered_rate = copies ? (double)received / (double)copies / secs : sent_rate;

    double expected = c->rate * secs;
    int64_t behind_schedule = (int64_t)expected - sent;
    double slack = expected * 0.05;
    int pub_bad = (double)behind_schedule >
                  (slack > (double)c->publish_limit ? slack : (double)c->publish_limit);
    double recv_limit = slack > (double)c->receive_limit ? slack : (double)c->receive_limit;
    int recv_bad = copies && (double)receive_backlog > recv_limit * (double)copies;
    if (pub_bad || recv_bad) {
        /* This rate is too much: remember it as the ceiling and fall back to what the
         * system did deliver, less enough to work off the backlog within a few periods. */
        if (c->ceiling == 0 || c->rate < c->ceiling) c->ceiling = c->rate;
        double achieved = recv_bad ? delivered_rate : sent_rate;
        int64_t backlog = recv_bad ? receive_backlog / copies : behind_schedule;
        double next = achieved - (double)backlog / (4 * secs);
        if (next < achieved * 0.5) next = achieved * 0.5;
        c->factor = c->factor / 2 < c->min_factor ? c->min_factor : c->factor / 2;
        double floor = c->best * 0.5 > c->floor_rate ? c->best * 0.5 : c->floor_rate;
        c->rate = next > floor ? next : floor;
        return c->rate;
    }
    if (c->rate > c->best) c->best = c->rate;
    if (c->ceiling == 0) {
        /* No ceiling yet: grow geometrically, as OMB does. */
        c->rate *= 1 + c->factor;
        c->factor = c->factor * 2 > c->max_factor ? c->max_factor : c->factor * 2;
    } else if (c->rate < c->ceiling * 0.99) {
        c->rate += (c->ceiling - c->rate) / 2; /* close in on the ceiling */
    } else {
        /* Sustained at the ceiling: the system may have more; probe a little higher. */
        c->ceiling *= 1.02;
        c->rate = c->ceiling;
    }
    return c->rate;
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
