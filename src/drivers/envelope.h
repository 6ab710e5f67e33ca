/* envelope.h - what every message carries for the harness, the same for every driver: the
 * send and intended times (µs latencies on any system, whatever its own timestamps) and the
 * producer's id and sequence number (an exact delivery check on systems without offsets).
 *
 * In the payload's first OMB_ENVELOPE_LEN bytes, so a record keeps exactly messageSize
 * bytes on the wire, as OMB's drivers send it:
 *   0  "omb" 0x02            magic and version
 *   4  sent_ns               int64, big-endian (epoch ns, util/clock.h)
 *   12 sent - intended, µs   uint32, big-endian, saturating
 *   16 producer              int32, big-endian
 *   20 seq                   int64, big-endian
 * A payload shorter than that carries the same bytes in a header of the system's own
 * (a Kafka record header, an AMQP header, ...) where the system has headers; the driver
 * chooses. Bytes past the envelope are the workload's payload, unchanged. */
#ifndef OMB_DRIVERS_ENVELOPE_H
#define OMB_DRIVERS_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "drivers/driver.h"

#define OMB_ENVELOPE_LEN 28

/** Writes the envelope of @p m into the first OMB_ENVELOPE_LEN bytes of @p buf. */
void omb_envelope_put(unsigned char *buf, const struct omb_msg_meta *m);

/** Reads an envelope from @p buf (@p len bytes: a payload, or a header's value). Returns
 *  false, with @p m zeroed, when there is none (a message from another tool). */
bool omb_envelope_get(const void *buf, size_t len, struct omb_msg_meta *m);

/**
 * A message ready to send: the payload with its envelope, in a buffer the producer keeps
 * (@p scratch, grown as needed). Returns the bytes to send (== @p len), or NULL out of
 * memory. Payloads under OMB_ENVELOPE_LEN bytes are returned unchanged: the caller puts
 * the envelope in a header (omb_envelope_put into OMB_ENVELOPE_LEN bytes of its own).
 */
const void *omb_envelope_wrap(unsigned char **scratch, size_t *scratch_len, const void *payload,
                              size_t len, const struct omb_msg_meta *m);

/** The position of a delivered message that carries envelope @p m: (producer, sequence),
 *  for systems without offsets. */
static inline void omb_envelope_position(const struct omb_msg_meta *m, struct omb_delivered *d)
{
    d->publish_ns = m->sent_ns;
    d->intended_ns = m->intended_ns;
    d->partition = m->sent_ns ? m->producer : 0;
    d->offset = m->sent_ns ? m->seq : -1;
    d->producer = m->sent_ns ? m->producer : -1;
    d->foreign = !m->sent_ns;
}

#endif
