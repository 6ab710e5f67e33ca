/* clock_offset.h - how far another process's clock is from ours, from NTP-style exchanges. */
#ifndef OMB_UTIL_CLOCK_OFFSET_H
#define OMB_UTIL_CLOCK_OFFSET_H

#include <stddef.h>
#include <stdint.h>

/* One exchange, all in epoch ns: t0 when our request left, t1 the other clock's reading in
 * its answer, t2 when the answer arrived (t0 and t2 on our clock). */
struct omb_clock_sample {
    int64_t t0, t1, t2;
};

struct omb_clock_estimate {
    int64_t offset_ns;      /* other clock - ours */
    int64_t uncertainty_ns; /* the true offset is within offset_ns +- this (half the RTT) */
    int64_t rtt_ns;         /* t2 - t0 of the sample kept */
    size_t used;            /* index of the sample kept */
};

/**
 * The offset of the other clock, from the exchange with the shortest round trip: its
 * reading t1 was taken somewhere in [t0, t2] of ours, so offset = t1 - (t0 + t2) / 2 is off
 * by at most (t2 - t0) / 2, whatever the network's asymmetry; the fastest exchange bounds it
 * most tightly (NTP's minimum-delay filter). Samples with t2 < t0 are skipped. Pure: no
 * clock is read. Returns 0, or -1 when no sample is usable (@p out untouched).
 */
int omb_clock_offset_estimate(const struct omb_clock_sample *s, size_t n,
                              struct omb_clock_estimate *out);

#endif
