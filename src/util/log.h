/* log.h - timestamped log lines: info to stdout (users grep it), warnings and errors to stderr. */
#ifndef OMB_UTIL_LOG_H
#define OMB_UTIL_LOG_H

#include <stdbool.h>

enum omb_log_level { OMB_LOG_DEBUG, OMB_LOG_INFO, OMB_LOG_WARN, OMB_LOG_ERROR };

/** Lines below this level are dropped. Default OMB_LOG_INFO; OMB_LOG_DEBUG with -v. */
void omb_log_set_level(enum omb_log_level level);

/** One line; thread-safe (each line is written with a single write). */
void omb_log(enum omb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * The live status line, for a terminal: written to stdout's last line with "\r" and
 * rewritten in place by the next call; every log line is printed above it (the status is
 * cleared, the line written, the status drawn again). NULL or "" removes it. Thread-safe.
 * Only call it when stdout is a terminal: the control characters would land in a file.
 */
void omb_log_status(const char *line);

#define omb_debug(...) omb_log(OMB_LOG_DEBUG, __VA_ARGS__)
#define omb_info(...)  omb_log(OMB_LOG_INFO, __VA_ARGS__)
#define omb_warn(...)  omb_log(OMB_LOG_WARN, __VA_ARGS__)
#define omb_error(...) omb_log(OMB_LOG_ERROR, __VA_ARGS__)

#endif
