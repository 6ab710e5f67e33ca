/* schedule.c - see schedule.h. */
#include "load/schedule.h"

static double interval_of(double rate) { return rate > 0 ? 1e9 / rate : 0.0; }

void omb_schedule_start(struct omb_schedule *s, int64_t start_ns, double rate)
{
    s->base_ns = start_ns;
    s->base_index = 0;
    s->index = 0;
    s->interval_ns = interval_of(rate);
}

void omb_schedule_set_rate(struct omb_schedule *s, double rate)
{
    s->base_ns = omb_schedule_due(s);
    s->base_index = s->index;
    s->interval_ns = interval_of(rate);
}
