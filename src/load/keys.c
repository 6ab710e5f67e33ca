/* keys.c - see keys.h. */
#include "load/keys.h"

#include <pthread.h>

static char pool[OMB_KEY_POOL_SIZE][OMB_KEY_LEN + 1];
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_build(void)
{
    /* A fixed seed: the same keys in every run and on every worker, so partitioning is
     * comparable between runs. */
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < OMB_KEY_POOL_SIZE; i++) {
        for (int j = 0; j < OMB_KEY_LEN; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            pool[i][j] = alphabet[x % (sizeof alphabet - 1)];
        }
        pool[i][OMB_KEY_LEN] = '\0';
    }
}

const char (*omb_key_pool(void))[OMB_KEY_LEN + 1]
{
    pthread_once(&pool_once, pool_build);
    return (const char(*)[OMB_KEY_LEN + 1]) pool;
}

void omb_key_state_init(struct omb_key_state *k, enum omb_key_distributor kind, uint64_t seed)
{
    omb_key_pool();
    k->kind = kind;
    k->next = (uint32_t)(seed % OMB_KEY_POOL_SIZE);
    k->rng = seed ? seed : 0x2545F4914F6CDD1DULL;
}
