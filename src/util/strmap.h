/* strmap.h - a string-keyed hash map (open addressing, linear probing), so that looking up
 * a topic or a subscription by name stays O(1) when a workload has a million of them
 * (setup cost linear in the number of topics and clients, not quadratic).
 *
 * Keys are not copied: the caller keeps each key alive and unchanged while it is in the
 * map. There is no removal; maps live as long as what they index. Not thread-safe. */
#ifndef OMB_UTIL_STRMAP_H
#define OMB_UTIL_STRMAP_H

#include <stddef.h>

struct omb_strmap {
    const char **keys; /* NULL = empty slot */
    void **vals;
    size_t cap, n; /* cap is 0 or a power of two */
};

/** The value stored for @p key, or NULL. */
void *omb_strmap_get(const struct omb_strmap *m, const char *key);

/** Stores @p val (not NULL) for @p key, replacing an earlier value. Returns 0, or -1 when
 *  out of memory (the map is unchanged). */
int omb_strmap_put(struct omb_strmap *m, const char *key, void *val);

/** Frees the map's tables (not the keys or values) and empties it. */
void omb_strmap_free(struct omb_strmap *m);

#endif
