/* positions.h - which messages a subscription received, by position (partition, offset), or
 * (producer, sequence) on systems without offsets (drivers/envelope.h), so
 * that the delivery check counts distinct messages: a message delivered twice (a consumer
 * group rebalance re-reads what was not committed) must not hide one that was lost. */
#ifndef OMB_STATS_POSITIONS_H
#define OMB_STATS_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

/** A set of offsets as half-open ranges [lo, hi): sorted, disjoint, not touching. */
struct omb_ranges {
    int64_t (*r)[2];
    size_t n, cap;
};

/** Adds [@p lo, @p hi) (lo < hi) to the set. Returns 0, or -1 out of memory. */
int omb_ranges_add(struct omb_ranges *s, int64_t lo, int64_t hi);
/** How many offsets the set holds. */
int64_t omb_ranges_count(const struct omb_ranges *s);
void omb_ranges_free(struct omb_ranges *s); /* frees the ranges; the struct is reusable */

/** Offset sets of the partitions seen, sorted by partition number (memory follows the
 *  partitions present, not the highest number). Zero-initialize before use. */
struct omb_positions {
    struct omb_partition_ranges {
        int32_t partition;
        struct omb_ranges ranges;
    } * part;
    size_t nparts, cap;
};

/** Adds [@p lo, @p hi) of @p partition (0..OMB_POSITIONS_MAX_PARTITIONS-1). Returns 0, or
 *  -1 out of memory or partition out of range. */
int omb_positions_add(struct omb_positions *p, int32_t partition, int64_t lo, int64_t hi);
/** Distinct positions over all partitions. */
int64_t omb_positions_count(const struct omb_positions *p);
void omb_positions_free(struct omb_positions *p);

/* Streams are partitions, or producer ids (random, up to 2^31 - 2) on systems without
 * offsets; sets are sparse, so the bound only keeps the number non-negative. */
#define OMB_POSITIONS_MAX_PARTITIONS INT32_MAX

/**
 * One consumer's live record of the positions it received. Written by the consumer's
 * delivering thread (one at a time), read by any thread. The write for the next offset of a
 * partition (the usual case: a partition is read in order) is one relaxed atomic store; any
 * other offset takes a mutex the reader also takes.
 */
struct omb_position_tracker;

struct omb_position_tracker *omb_position_tracker_new(void);
void omb_position_tracker_destroy(struct omb_position_tracker *t); /* NULL-safe */
/** Records one received position (offset >= 0). Returns 0, or -1 out of memory or
 *  partition out of range (the position was not recorded). */
int omb_position_tracker_seen(struct omb_position_tracker *t, int32_t partition, int64_t offset);
/** Adds every position recorded so far into @p into. Returns 0, or -1 out of memory. */
int omb_position_tracker_read(struct omb_position_tracker *t, struct omb_positions *into);

#endif
