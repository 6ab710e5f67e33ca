/* bench_rate_search.c - the maximum-rate search against simulated systems of known
 * capacity, omb's controller (1 s control period) and OMB's RateController rules (OMB's
 * 3 s period) side by side. Targets: within 10% of capacity in at most 30 s, never below
 * 50% of it afterwards. The simulation: producers owe their schedule and publish at most
 * the publish capacity; each subscription drains its own queue at most at the delivery
 * capacity; 10 ms ticks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "load/rate_controller.h"

struct sim {
    double pub_cap, del_cap; /* msg/s */
    int subs;
    double owed, queue;    /* messages owed to the schedule; per-subscription queue */
    double sent, received; /* totals */
};

static void tick(struct sim *s, double rate, double dt)
{
    s->owed += rate * dt;
    double p = fmin(s->owed, s->pub_cap * dt);
    s->owed -= p;
    s->sent += p;
    s->queue += p;
    double d = fmin(s->queue, s->del_cap * dt);
    s->queue -= d;
    s->received += d * s->subs;
}

struct outcome {
    double reach_s;   /* first time within 10% of capacity (-1: never) */
    double min_after; /* lowest rate after that, as a fraction of capacity */
    double final_rate;
};

static struct outcome run(double pub_cap, double del_cap, int subs, int use_omb, double secs)
{
    struct sim s = {.pub_cap = pub_cap, .del_cap = del_cap, .subs = subs};
    double cap = fmin(pub_cap, del_cap), rate = OMB_RATE_SEARCH_START;
    struct omb_rate_controller c;
    struct omb_rate_controller_omb o;
    omb_rate_controller_init(&c, rate);
    omb_rate_controller_omb_init(&o);
    double period = use_omb ? 3.0 : 1.0, dt = 0.01, next_control = period;
    struct outcome out = {.reach_s = -1, .min_after = INFINITY};
    for (double t = dt; t <= secs + 1e-9; t += dt) {
        tick(&s, rate, dt);
        if (t + 1e-9 >= next_control) {
            next_control += period;
            int64_t ns = (int64_t)(period * 1e9);
            rate = use_omb ? omb_rate_controller_omb_next(&o, rate, ns, (int64_t)s.sent,
                                                          (int64_t)s.received)
                           : omb_rate_controller_next(&c, ns, (int64_t)s.sent, (int64_t)s.received,
                                                      subs);
            /* Judge the sustained rate (what the system delivered), not the target. */
            double achieved = fmin(rate, cap);
            if (out.reach_s < 0 && fabs(rate - cap) <= 0.1 * cap) out.reach_s = t;
            if (out.reach_s >= 0 && t > out.reach_s)
                out.min_after = fmin(out.min_after, achieved / cap);
        }
    }
    out.final_rate = rate;
    if (!isfinite(out.min_after)) out.min_after = out.reach_s >= 0 ? 1 : 0;
    return out;
}

int main(void)
{
    static const struct {
        double pub, del;
        int subs;
        const char *what;
    } cases[] = {
        {50000, 1e9, 1, "publish-bound 50k msg/s, 1 subscription"},
        {1e9, 200000, 1, "delivery-bound 200k msg/s, 1 subscription"},
        {1e9, 200000, 2, "delivery-bound 200k msg/s, 2 subscriptions"},
        {2000000, 1e9, 1, "publish-bound 2M msg/s, 1 subscription"},
        {3000, 1e9, 1, "publish-bound 3k msg/s (below the start rate)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double cap = fmin(cases[i].pub, cases[i].del);
        for (int omb = 0; omb <= 1; omb++) {
            struct outcome r = run(cases[i].pub, cases[i].del, cases[i].subs, omb, 120);
            char reach[16] = "never";
            if (r.reach_s >= 0) snprintf(reach, sizeof reach, "%.0f s", r.reach_s);
            printf("%-46s %-12s within 10%% of capacity after %-6s lowest after: %3.0f%%   "
                   "target after 120 s: %8.0f msg/s (%3.0f%% of capacity)\n",
                   cases[i].what, omb ? "OMB's rules" : "omb", reach, 100 * r.min_after,
                   r.final_rate, 100 * r.final_rate / cap);
        }
    }
    return 0;
}
