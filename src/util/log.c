/* log.c - see log.h. */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum omb_log_level min_level = OMB_LOG_INFO;

#define CLEAR_LINE "\r\033[K" /* to column 0, erase to the end of the line */

/* The status line, when one is shown; status_mu orders its redraws and the log lines
 * written around it. */
static pthread_mutex_t status_mu = PTHREAD_MUTEX_INITIALIZER;
static char status[1024];
static size_t status_len;
static atomic_bool status_shown;

static void write_all(int fd, const char *p, size_t n)
{
    ssize_t w = write(fd, p, n);
    (void)w; /* a log line that cannot be written is dropped */
}

void omb_log_status(const char *line)
{
    pthread_mutex_lock(&status_mu);
    size_t len = line ? strlen(line) : 0;
    if (len > sizeof status - sizeof CLEAR_LINE) len = sizeof status - sizeof CLEAR_LINE;
    memcpy(status, CLEAR_LINE, sizeof CLEAR_LINE - 1);
    memcpy(status + sizeof CLEAR_LINE - 1, line ? line : "", len);
    status_len = sizeof CLEAR_LINE - 1 + len;
    if (len || status_shown) write_all(STDOUT_FILENO, status, status_len);
    status_shown = len > 0;
    pthread_mutex_unlock(&status_mu);
}

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
    if (!status_shown) {
        write_all(fd, line, len);
        return;
    }
    /* Above the status line: clear it, the line, the status again. */
    pthread_mutex_lock(&status_mu);
    write_all(STDOUT_FILENO, CLEAR_LINE, sizeof CLEAR_LINE - 1);
    write_all(fd, line, len);
    if (status_shown) write_all(STDOUT_FILENO, status, status_len);
    pthread_mutex_unlock(&status_mu);
}
