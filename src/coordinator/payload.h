/* payload.h - the message payloads of a workload: the payload file, a pool of randomized
 * payloads, or (neither given) one buffer of random bytes. */
#ifndef OMB_COORDINATOR_PAYLOAD_H
#define OMB_COORDINATOR_PAYLOAD_H

#include <stddef.h>

#include "config/workload.h"

struct omb_payloads {
    unsigned char **buf;
    size_t n;
    size_t size;
};

/** Builds the payloads of @p w. Returns 0, or -1 with one sentence in @p err. */
int omb_payloads_build(const struct omb_workload *w, struct omb_payloads *out, char *err,
                       size_t errlen);
void omb_payloads_free(struct omb_payloads *p);

#endif
