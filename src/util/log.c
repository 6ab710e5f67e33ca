/* log.c - see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum omb_log_level min_level = OMB_LOG_INFO;

void omb_log_set_level(enum omb_log_level level) { min_level = level; }

void omb_log(enum omb_log_level level, const char *fmt, ...)
{
    if (level < min_level) return;
    static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    char line[4096];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03d [%s] ", tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    /* One write() per line keeps lines from different threads whole. */
    int fd = level >= OMB_LOG_WARN ? STDERR_FILENO : STDOUT_FILENO;
    if (fd == STDERR_FILENO) fflush(stdout);
    ssize_t w = write(fd, line, len);
    (void)w;
}
