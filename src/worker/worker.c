/* worker.c - what every worker shares (worker.h): stats views with the worker's geometry,
 * and the delivery accounting the coordinator reads from any kind of worker. */
#include "worker/worker.h"

#include <stdlib.h>

int omb_worker_view_init(const struct omb_worker *w, struct omb_stats_view *v)
{
    return omb_stats_view_init(v, w->hist_digits);
}

void omb_delivery_free(struct omb_delivery *d, size_t n)
{
    if (!d) return;
    for (size_t i = 0; i < n; i++) {
        free(d[i].topic);
        free(d[i].subscription);
        omb_positions_free(&d[i].positions);
    }
    free(d);
}

int64_t omb_delivery_missing(const struct omb_delivery *d)
{
    int64_t got = d->positioned ? d->distinct : d->received;
    return d->acknowledged > got ? d->acknowledged - got : 0;
}

int64_t omb_delivery_duplicates(const struct omb_delivery *d)
{
    int64_t once = d->positioned ? d->distinct : d->acknowledged;
    return d->received > once ? d->received - once : 0;
}
