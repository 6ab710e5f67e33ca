/* keys.h - message keys as OMB's key distributors choose them: a pool of 10,000 short
 * random strings, taken in turn (KEY_ROUND_ROBIN) or at random (RANDOM_NANO), or none. */
#ifndef OMB_LOAD_KEYS_H
#define OMB_LOAD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "config/workload.h"

#define OMB_KEY_POOL_SIZE 10000
#define OMB_KEY_LEN       7

/** The shared pool (built once, thread-safe, read-only afterwards). */
const char (*omb_key_pool(void))[OMB_KEY_LEN + 1];

/** Per-producer state of a key distributor. */
struct omb_key_state {
    enum omb_key_distributor kind;
    uint32_t next; /* round robin position */
    uint64_t rng;  /* xorshift64 state, never 0 */
};

void omb_key_state_init(struct omb_key_state *k, enum omb_key_distributor kind, uint64_t seed);

/** Next key (NULL with *len 0 for NO_KEY). */
static inline const char *omb_key_next(struct omb_key_state *k, size_t *len)
{
    uint32_t i;
    switch (k->kind) {
    case OMB_KEYS_ROUND_ROBIN:
        i = k->next;
        k->next = (i + 1 == OMB_KEY_POOL_SIZE) ? 0 : i + 1;
        break;
    case OMB_KEYS_RANDOM_NANO:
        k->rng ^= k->rng << 13;
        k->rng ^= k->rng >> 7;
        k->rng ^= k->rng << 17;
        i = (uint32_t)(k->rng % OMB_KEY_POOL_SIZE);
        break;
    default:
        *len = 0;
        return NULL;
    }
    *len = OMB_KEY_LEN;
    return omb_key_pool()[i];
}

#endif
