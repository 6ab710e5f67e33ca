/* schedule.h - the send schedule: message i is due at start + i * interval (SPEC section 6).
 * A sender that falls behind sends at once and the schedule does not move, so the lag shows
 * as publish delay instead of disappearing (no coordinated omission). Pure: time is passed
 * in, so tests can move the clock by hand. */
#ifndef OMB_LOAD_SCHEDULE_H
#define OMB_LOAD_SCHEDULE_H

#include <stdint.h>

struct omb_schedule {
    int64_t base_ns; /* due time of message base_index */
    int64_t base_index;
    double interval_ns; /* 0 = no limit: every message is due at base_ns */
    int64_t index;      /* next message to send */
};

/** Starts a schedule at @p start_ns with @p rate messages per second (<= 0: no limit). */
void omb_schedule_start(struct omb_schedule *s, int64_t start_ns, double rate);

/** Due time (intended send time) of the next message. */
static inline int64_t omb_schedule_due(const struct omb_schedule *s)
{
    return s->base_ns + (int64_t)((double)(s->index - s->base_index) * s->interval_ns);
}

/** The next message was sent: advance to the one after it. */
static inline void omb_schedule_advance(struct omb_schedule *s) { s->index++; }

/**
 * Changes the rate from the next message on. The next message keeps the due time it had
 * under the old rate and later ones are spaced at the new interval: no burst (the schedule
 * is not re-based to "now", so lag already accrued stays visible) and no gap.
 */
void omb_schedule_set_rate(struct omb_schedule *s, double rate);

#endif
