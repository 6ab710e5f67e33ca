/* backlog.h - the one backlog formula (SPEC section 5): the copies sent but not received
 * yet, every subscription counting its own copy of each message. */
#ifndef OMB_STATS_BACKLOG_H
#define OMB_STATS_BACKLOG_H

#include <stdint.h>

/** max(0, @p subscriptions * @p sent - @p received): messages every subscription is still
 * owed. Never negative (redeliveries can make received exceed what was sent). */
static inline int64_t omb_backlog(int64_t subscriptions, int64_t sent, int64_t received)
{
    int64_t b = subscriptions * sent - received;
    return b > 0 ? b : 0;
}

#endif
