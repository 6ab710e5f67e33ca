/* rand.c - see rand.h. */
#include "util/rand.h"

#include <sys/random.h>
#include <time.h>

uint64_t omb_random_seed(void)
{
    uint64_t x = 0;
    if (getrandom(&x, sizeof x, 0) != (ssize_t)sizeof x || x == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        x = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&x;
        x |= 1;
    }
    return x;
}

void omb_random_name(char *buf, size_t len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint64_t x = omb_random_seed();
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 7) x = omb_random_seed();
        buf[i] = alphabet[x % (sizeof alphabet - 1)];
        x /= (sizeof alphabet - 1);
    }
    buf[len] = '\0';
}
