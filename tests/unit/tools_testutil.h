/* tools_testutil.h - small helpers for the tools' unit tests (test_tools_*.c): paths into
 * the repository, scratch directories, a tool run with its stderr captured. Header-only:
 * each test program includes it once. */
#ifndef OMB_TESTS_TOOLS_TESTUTIL_H
#define OMB_TESTS_TOOLS_TESTUTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* $OMB_SOURCE (ctest sets it), else the repository this file sits in. */
static inline const char *tt_source(void)
{
    const char *s = getenv("OMB_SOURCE");
    return s && *s ? s : ".";
}

static inline const char *tt_shared(void)
{
    static char buf[PATH_MAX];
    const char *s = getenv("OMB_SHARED");
    if (s && *s) return s;
    snprintf(buf, sizeof buf, "%s/../shared", tt_source());
    return buf;
}

/* Whether the shared directory (the reference OMB tree) is there; prints why not. Tests
 * that read it skip without it: TT_REQUIRE_SHARED() in a cmocka test. */
static inline int tt_have_shared(void)
{
    char p[PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/omb-reference", tt_shared()) < (int)sizeof p &&
        stat(p, &st) == 0 && S_ISDIR(st.st_mode))
        return 1;
    fprintf(stderr, "skipped: %s not found (set OMB_SHARED to the shared directory)\n", p);
    return 0;
}
#define TT_REQUIRE_SHARED()                                                                        \
    do {                                                                                           \
        if (!tt_have_shared()) skip();                                                             \
    } while (0)

/* snprintf for paths: a path that does not fit is a test bug, so it aborts. */
static inline void tt_path(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void tt_path(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= n) {
        fprintf(stderr, "path too long: %s\n", buf);
        abort();
    }
}

/* A scratch directory's path fits in this, so paths made from it fit in PATH_MAX. */
#define TT_DIRLEN 256

/* A new empty directory under $TMPDIR; @p buf (TT_DIRLEN bytes) receives its path. */
static inline void tt_mkdtemp(char *buf, size_t n)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, n, "%s/omb-tools-test.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        abort();
    }
}

/* rm -r of a scratch directory (one level of subdirectories is enough here). */
static inline void tt_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            tt_rmtree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Entries of @p dir other than . and .. (hidden ones included). */
static inline size_t tt_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static inline char *tt_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
        }
        size_t r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static inline void tt_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

/* Runs @p fn(argc, argv) with stderr (and stdout) sent to a file; the text comes back in
 * @p out (malloc'ed, caller frees). Returns the tool's exit code. */
static inline int tt_run(int (*fn)(int, char **), int argc, const char **argv, char **out)
{
    char path[PATH_MAX];
    const char *t = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/omb-tools-out.XXXXXX", t && *t ? t : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) abort();
    fflush(stdout);
    fflush(stderr);
    int saved_err = dup(2), saved_out = dup(1);
    dup2(fd, 2);
    dup2(fd, 1);
    int rc = fn(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_err, 2);
    dup2(saved_out, 1);
    close(saved_err);
    close(saved_out);
    close(fd);
    *out = tt_read_file(path);
    unlink(path);
    return rc;
}

#endif
