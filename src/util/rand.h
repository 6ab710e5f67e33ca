/* rand.h - random names and seeds (topic and subscription suffixes, per-thread RNG seeds). */
#ifndef OMB_UTIL_RAND_H
#define OMB_UTIL_RAND_H

#include <stddef.h>
#include <stdint.h>

/** A seed from the kernel's random source (falls back to time and address bits). */
uint64_t omb_random_seed(void);

/** Writes @p len random characters from [A-Za-z0-9] and a NUL into @p buf (len+1 bytes). */
void omb_random_name(char *buf, size_t len);

#endif
