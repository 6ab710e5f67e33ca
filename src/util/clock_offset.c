/* clock_offset.c - the minimum-delay offset estimate; see clock_offset.h. */
#include "util/clock_offset.h"

int omb_clock_offset_estimate(const struct omb_clock_sample *s, size_t n,
                              struct omb_clock_estimate *out)
{
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (s[i].t2 >= s[i].t0 && (best == n || s[i].t2 - s[i].t0 < s[best].t2 - s[best].t0))
            best = i;
    if (best == n) return -1;
    int64_t rtt = s[best].t2 - s[best].t0;
    /* t1 - (t0 + t2) / 2 without adding two epoch times (no overflow). */
    out->offset_ns = s[best].t1 - s[best].t0 - rtt / 2;
    out->uncertainty_ns = (rtt + 1) / 2;
    out->rtt_ns = rtt;
    out->used = best;
    return 0;
}
