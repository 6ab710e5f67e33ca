/* rate_controller.h - the maximum-sustainable-rate search (producerRate: 0). Pure: the
 * caller passes counters and elapsed time, so tests and the bench drive it by hand. */
#ifndef OMB_LOAD_RATE_CONTROLLER_H
#define OMB_LOAD_RATE_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Signals as OMB's RateController: the publish backlog (messages the producers owe their
 * schedule, acknowledged or not) and the receive backlog (copies sent but not yet
 * received, per subscription), against limits of 1,000 messages; OMB's environment
 * variables override the limits and the ramping factor's bounds (PUBLISH_BACKLOG_LIMIT,
 * RECEIVE_BACKLOG_LIMIT, MIN_RAMPING_FACTOR, MAX_RAMPING_FACTOR). What differs, each
 * fixing a complaint about OMB's search or omb's earlier one:
 * - it looks at how much each backlog *grew* in a period, not at its level: a backlog that
 *   is already there but shrinking or steady is no reason to slow down, and in-flight
 *   messages (rate x latency) are not a backlog. A period "grew" when a backlog rose by
 *   more than the limit or 2% of the period's scheduled messages, whichever is larger;
 * - one period of growth holds the rate (an ack-latency hiccup, a rate step's new
 *   in-flight messages); growth over consecutive periods (more than twice the limit in
 *   all) always lowers it, to what the system actually delivered (the capacity it
 *   showed), less a little to work off the backlog that built: at most 8% less, and at
 *   most half the target at a time, so it never collapses. One period far over (a
 *   backlog growing by 15% of the period's messages: a doubling past the capacity)
 *   lowers it at once. No floor tied to a past best: when capacity falls the rate
 *   follows it down, whatever was sustained before. The only floor is 100 msg/s;
 * - the receive backlog counts every subscription's copy (OMB compares sent with
 *   received, so with two subscriptions it never sees a backlog);
 * - losses are not a capacity: when consumers stay short of as large a fraction of what
 *   is sent at a rate well below the last cut's, messages are being lost (a broker's
 *   retention dropped what they had not read yet, as the Kafka mock does past a few MB a
 *   partition); the search says so (loss_fraction) and judges the rest, instead of
 *   following the losses down to nothing. Those periods are not sustained;
 * - it brackets the capacity: after the first cut the rate closes in on the capacity
 *   shown by halving the gap, then probes above it, 2% at first and twice as far each
 *   period that holds (up to 25%), so a capacity that rises is found in a few periods;
 * - the first two periods only ever hold (connections, metadata and first batches delay
 *   the first acknowledgements: OMB's search, and omb's earlier one, took that for the
 *   capacity and settled at a fraction of it on a real Kafka, produce-only).
 */

#define OMB_RATE_SEARCH_START 10000.0
#define OMB_RATE_SEARCH_FLOOR 100.0 /* msg/s: never below */
/* The sustained rate is judged over the last this many control periods. */
#define OMB_RATE_SEARCH_WINDOW 10
/* Control periods remembered for the result (the last ones). */
#define OMB_RATE_SEARCH_HISTORY 16

/* One control period as the controller judged it. */
struct omb_rate_period {
    double end_s;           /* seconds since the first control period began */
    double seconds;         /* its length */
    double target;          /* msg/s the producers were asked for during it */
    double publish_rate;    /* msg/s acknowledged */
    double consume_rate;    /* msg/s received per subscription (publish_rate if none) */
    int64_t publish_growth; /* scheduled - acknowledged this period (messages) */
    int64_t receive_growth; /* change of the receive backlog, per subscription */
    int64_t backlog;        /* receive backlog at its end, every copy */
    bool sustained;         /* on schedule and no backlog growth */
    char action;            /* what followed: '+' up, '=' held, '-' lowered */
};

struct omb_rate_controller {
    double rate;   /* current target, msg/s */
    double factor; /* ramping factor while no capacity is known */
    double min_factor, max_factor;
    int64_t publish_limit, receive_limit;
    double ceiling;        /* capacity estimate: what it delivered when it last fell behind, or
                            * the highest probe that held since (0: not known yet) */
    double lowest_failing; /* lowest target that built a backlog (reported only) */
    double probe;          /* next probe above the ceiling, as a fraction */
    int grew;              /* consecutive periods in which a backlog grew */
    int draining;          /* periods left to hold after a cut while the backlog shrinks */
    int64_t growth_pub, growth_recv; /* backlog built during the current growth streak */
    int64_t growth_sent;             /* messages sent during it */
    double cut_short_by, cut_target; /* at the last cut: the fraction of what was sent the
                                      * consumers did not get (0: not a consumer cut) and
                                      * the target */
    double loss_fraction;            /* messages lost, as a fraction of those sent (0: none seen) */
    int losses_seen;                 /* times losses were recognized */
    int loss_quiet;                  /* periods running without receive backlog growth */
    int64_t prev_sent, prev_received, prev_backlog;
    int64_t steps;    /* control periods judged */
    int64_t cut_step; /* steps at the last cut (0: none) */
    double elapsed_s;
    struct omb_rate_period hist[OMB_RATE_SEARCH_HISTORY]; /* ring, steps % HISTORY */
    bool started;
};

/** Starts at @p initial_rate (OMB: 10,000 msg/s); reads OMB's environment overrides. */
void omb_rate_controller_init(struct omb_rate_controller *c, double initial_rate);

/**
 * One control step after @p period_ns at the current rate: @p total_sent (acknowledged)
 * and @p total_received are totals since the start; @p subscriptions multiplies each sent
 * message (0: produce-only, the receive side is not looked at). Totals that went down
 * (the stats were reset after a warm-up) start a new baseline: that step is not judged.
 * Returns the next rate (>= OMB_RATE_SEARCH_FLOOR).
 */
double omb_rate_controller_next(struct omb_rate_controller *c, int64_t period_ns,
                                int64_t total_sent, int64_t total_received, int64_t subscriptions);

/* What the search found, for the result. */
struct omb_rate_search_summary {
    double start_rate;
    /* The highest rate, min(target, publish, per-subscription consume), among the sustained
     * periods of the last `window_periods` control periods (0 when none was sustained). */
    double sustained_rate;
    int window_periods;         /* periods looked at (<= OMB_RATE_SEARCH_WINDOW) */
    double window_seconds;      /* their total length */
    int sustained_periods;      /* how many of them were sustained */
    double capacity_estimate;   /* the controller's ceiling (0: never fell behind) */
    double lowest_failing_rate; /* 0: none */
    double loss_fraction;       /* messages being lost at the end (0: none) */
    int losses_seen;            /* times the search recognized losses */
    double final_target;
    size_t nlast; /* the last control periods, oldest first */
    struct omb_rate_period last[OMB_RATE_SEARCH_HISTORY];
};

/* One sentence saying what "sustained" means, for the result and the log. */
extern const char omb_rate_search_definition[];

void omb_rate_controller_summary(const struct omb_rate_controller *c,
                                 struct omb_rate_search_summary *s);

/* OMB's RateController, kept as OMB has it, for the comparison in bench/ only. */
struct omb_rate_controller_omb {
    double factor, min_factor, max_factor;
    int64_t publish_limit, receive_limit, prev_sent, prev_received;
};
void omb_rate_controller_omb_init(struct omb_rate_controller_omb *c);
double omb_rate_controller_omb_next(struct omb_rate_controller_omb *c, double rate,
                                    int64_t period_ns, int64_t total_sent, int64_t total_received);

#endif
