/* bench_rate_search.c - the maximum-rate search against simulated systems of known
 * capacity, omb's controller (1 s control period) and OMB's RateController rules (OMB's
 * 3 s period) side by side. Targets: within 10% of capacity in at most 30 s, never below
 * 50% of it afterwards; when the capacity changes mid-run (halves or doubles at 30 s):
 * within 10% of the new capacity within 10 s of the change, and no period below 50% of it
 * afterwards. The simulation: producers owe their schedule and publish at most the publish
 * capacity; each subscription drains its own queue at most at the delivery capacity; 10 ms
 * ticks. */
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

struct scenario {
    double pub, del; /* capacities until change_s */
    int subs;
    double change_s, scale; /* at change_s both capacities are multiplied by scale */
    const char *what;
};

struct outcome {
    double reach_s;   /* first time within 10% of the (new) capacity after the change */
    double min_after; /* lowest target after the change (or after reaching), / capacity */
    double final_rate, final_cap;
    double lo_last, hi_last; /* target over the last 20 s, / capacity */
    double sustained;        /* the summary's sustained rate, / capacity */
};

static struct outcome run(const struct scenario *sc, int use_omb, double secs)
{
    struct sim s = {.pub_cap = sc->pub, .del_cap = sc->del, .subs = sc->subs};
    double rate = OMB_RATE_SEARCH_START;
    struct omb_rate_controller c;
    struct omb_rate_controller_omb o;
    omb_rate_controller_init(&c, rate);
    omb_rate_controller_omb_init(&o);
    double period = use_omb ? 3.0 : 1.0, dt = 0.01, next_control = period;
    double from = sc->change_s > 0 ? sc->change_s : 0;
    struct outcome out = {.reach_s = -1, .min_after = INFINITY, .lo_last = INFINITY};
    for (double t = dt; t <= secs + 1e-9; t += dt) {
        if (sc->change_s > 0 && fabs(t - sc->change_s) < dt / 2) {
            s.pub_cap *= sc->scale;
            s.del_cap *= sc->scale;
        }
        tick(&s, rate, dt);
        if (t + 1e-9 < next_control) continue;
        next_control += period;
        int64_t ns = (int64_t)(period * 1e9);
        rate =
            use_omb
                ? omb_rate_controller_omb_next(&o, rate, ns, (int64_t)s.sent, (int64_t)s.received)
                : omb_rate_controller_next(&c, ns, (int64_t)s.sent, (int64_t)s.received, sc->subs);
        double cap = fmin(s.pub_cap, s.del_cap);
        if (t < from) continue;
        if (out.reach_s < 0 && fabs(rate - cap) <= 0.1 * cap) out.reach_s = t - from;
        /* Without a change the lowest rate counts once the search got there; with one,
         * from the change on. */
        if (sc->change_s > 0 || out.reach_s >= 0) out.min_after = fmin(out.min_after, rate / cap);
        if (t > secs - 20) {
            out.lo_last = fmin(out.lo_last, rate / cap);
            out.hi_last = fmax(out.hi_last, rate / cap);
        }
    }
    out.final_cap = fmin(s.pub_cap, s.del_cap);
    out.final_rate = rate;
    if (!isfinite(out.min_after)) out.min_after = 0;
    struct omb_rate_search_summary sum;
    omb_rate_controller_summary(&c, &sum);
    out.sustained = use_omb ? NAN : sum.sustained_rate / out.final_cap;
    return out;
}

int main(void)
{
    static const struct scenario cases[] = {
        {50000, 1e9, 1, 0, 1, "publish-bound 50k msg/s, 1 subscription"},
        {1e9, 200000, 1, 0, 1, "delivery-bound 200k msg/s, 1 subscription"},
        {1e9, 200000, 2, 0, 1, "delivery-bound 200k msg/s, 2 subscriptions"},
        {2000000, 1e9, 1, 0, 1, "publish-bound 2M msg/s, 1 subscription"},
        {3000, 1e9, 1, 0, 1, "publish-bound 3k msg/s (below the start rate)"},
        {60000, 1e9, 1, 30, 0.5, "publish-bound 60k, halves at 30 s"},
        {1e9, 200000, 1, 30, 0.5, "delivery-bound 200k, halves at 30 s"},
        {1e9, 200000, 2, 30, 0.5, "delivery-bound 200k, 2 subs, halves at 30 s"},
        {1e9, 300000, 1, 30, 0.5, "delivery-bound 300k, halves at 30 s"},
        {60000, 1e9, 1, 30, 2, "publish-bound 60k, doubles at 30 s"},
        {1e9, 100000, 2, 30, 2, "delivery-bound 100k, 2 subs, doubles at 30 s"},
    };
    int fails = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct scenario *sc = &cases[i];
        for (int omb = 0; omb <= 1; omb++) {
            struct outcome r = run(sc, omb, 90);
            char reach[16] = "never";
            if (r.reach_s >= 0) snprintf(reach, sizeof reach, "%.0f s", r.reach_s);
            printf("%-44s %-11s %s %-6s lowest %s: %3.0f%%  last 20 s: %3.0f-%3.0f%%  "
                   "sustainedRate: ",
                   sc->what, omb ? "OMB's rules" : "omb",
                   sc->change_s > 0 ? "within 10% of new capacity after change"
                                    : "within 10% of capacity after          ",
                   reach, sc->change_s > 0 ? "after change" : "after reach ", 100 * r.min_after,
                   100 * r.lo_last, 100 * r.hi_last);
            if (omb)
                printf("  -\n");
            else
                printf("%3.0f%%\n", 100 * r.sustained);
            if (omb) continue;
            /* The targets, checked for omb's controller only. */
            double limit = sc->change_s > 0 ? 10 : 30;
            if (r.reach_s < 0 || r.reach_s > limit || (sc->scale <= 1 && r.min_after < 0.5) ||
                fabs(r.sustained - 1) > 0.1) {
                printf("  ^ target missed\n");
                fails++;
            }
        }
    }
    printf("%s\n", fails ? "TARGETS MISSED" : "all targets met (omb)");
    return fails ? 1 : 0;
}
