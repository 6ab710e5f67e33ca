/* rate_controller.h - the maximum-sustainable-rate search (producerRate: 0). Pure: the
 * caller passes counters and elapsed time, so tests and the bench drive it by hand. */
#ifndef OMB_LOAD_RATE_CONTROLLER_H
#define OMB_LOAD_RATE_CONTROLLER_H

#include <stdint.h>

/*
 * Signals as OMB's RateController: the publish backlog (messages the producers owe their
 * schedule) and the receive backlog (copies sent but not yet received), each against a
 * limit of 1,000 messages; OMB's environment variables override the limits and the ramping
 * factor's bounds (PUBLISH_BACKLOG_LIMIT, RECEIVE_BACKLOG_LIMIT, MIN_RAMPING_FACTOR,
 * MAX_RAMPING_FACTOR). Three differences, each fixing a complaint about OMB's search:
 * - the receive backlog counts every subscription's copy (OMB compares sent with received,
 *   so with two subscriptions the backlog is negative and never slows anything);
 * - it brackets the capacity: the lowest rate that built a backlog is remembered and the
 *   search closes in on it by halving the gap, instead of doubling until the next
 *   overshoot (OMB's swings "from 2 to 50,000 msg/s");
 * - a backlog lowers the rate to what was actually delivered (never to "expected minus
 *   backlog", which reaches 0 and stays there), with a floor: it never collapses to 1 msg/s.
 */
struct omb_rate_controller {
    double rate;   /* current target, msg/s */
    double factor; /* ramping factor while no ceiling is known */
    double min_factor, max_factor;
    int64_t publish_limit, receive_limit;
    double ceiling;    /* lowest rate that built a backlog (0: none yet) */
    double floor_rate; /* never below this */
    double best;       /* highest rate sustained without backlog */
    int64_t prev_sent, prev_received;
    int started;
};

#define OMB_RATE_SEARCH_START 10000.0

/** Starts at @p initial_rate (OMB: 10,000 msg/s); reads OMB's environment overrides. */
void omb_rate_controller_init(struct omb_rate_controller *c, double initial_rate);

/**
 * One control step after @p period_ns at the current rate: @p total_sent (acknowledged)
 * and @p total_received are totals since the start; @p subscriptions multiplies each sent
 * message. The publish backlog is what the period should have sent minus what was
 * acknowledged (as OMB). Both limits are at least 5% of the period's expected messages:
 * at high rates more than 1,000 messages are simply in flight, and OMB's fixed limit then
 * throttles a system that keeps up. Returns the next rate.
 */
double omb_rate_controller_next(struct omb_rate_controller *c, int64_t period_ns,
                                int64_t total_sent, int64_t total_received, int64_t subscriptions);

/* OMB's RateController, kept as OMB has it, for the comparison in bench/ only. */
struct omb_rate_controller_omb {
    double factor, min_factor, max_factor;
    int64_t publish_limit, receive_limit, prev_sent, prev_received;
};
void omb_rate_controller_omb_init(struct omb_rate_controller_omb *c);
double omb_rate_controller_omb_next(struct omb_rate_controller_omb *c, double rate,
                                    int64_t period_ns, int64_t total_sent, int64_t total_received);

#endif
