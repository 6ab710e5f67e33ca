/* jfmt.h - doubles written as Java's Double.toString writes them (JDK 19+: the shortest
 * decimal that reads back to the same double), for JSON keys that must match OMB's. */
#ifndef OMB_UTIL_JFMT_H
#define OMB_UTIL_JFMT_H

#include <stddef.h>

/** "50.0", "99.99000000000001", "1.0E-4", "1.0E7". Returns @p buf. @p n >= 32. */
char *omb_java_double(double v, char *buf, size_t n);

#endif
