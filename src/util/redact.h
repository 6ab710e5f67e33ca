/* redact.h - credentials kept out of what omb prints and writes: a password in a URL
 * (amqp://guest:PASSWORD@host, nats://u:PASSWORD@n1:4222,...) never reaches a log line, an
 * error or a result file. */
#ifndef OMB_UTIL_REDACT_H
#define OMB_UTIL_REDACT_H

/** A malloc'ed copy of @p s in which the password of every URL (scheme://user:password@...)
 *  is replaced by @p mark; NULL when out of memory. Everything else is kept as it is. */
char *omb_hide_url_passwords(const char *s, const char *mark);

#endif
