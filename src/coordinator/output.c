/* output.c - see output.h. */
#include "coordinator/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

/* The directory part of @p path ("." when none). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* Creates and removes a file in @p dir: access(2) says yes for /proc and /sys as root. */
static bool dir_takes(const char *dir, const char *what, char *err, size_t errlen)
{
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/.omb-write-check.XXXXXX", dir);
    int fd = mkstemp(probe);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s in '%s': %s", what, dir, strerror(errno));
        return false;
    }
    close(fd);
    unlink(probe);
    return true;
}

static bool dir_takes_files(const char *dir, char *err, size_t errlen)
{
    return dir_takes(dir, "results", err, errlen);
}

static const char *kind_of(mode_t m)
{
    return S_ISCHR(m)    ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

bool omb_output_check(const char *output, char *err, size_t errlen)
{
    char dir[4096];
    struct stat st;
    if (!output || is_dir(output)) {
        snprintf(dir, sizeof dir, "%s", output ? output : ".");
        return dir_takes_files(dir, err, errlen);
    }
    if (output[strlen(output) - 1] == '/') {
        snprintf(err, errlen, "output directory '%s' does not exist", output);
        return false;
    }
    if (stat(output, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot write result file '%s': it is %s", output,
                 kind_of(st.st_mode));
        return false;
    }
    if (lstat(output, &st) == 0 && S_ISLNK(st.st_mode) && stat(output, &st) != 0) {
        snprintf(err, errlen, "cannot write result file '%s': it is a symlink to nothing", output);
        return false;
    }
    dir_of(output, dir, sizeof dir);
    if (!is_dir(dir)) {
        snprintf(err, errlen, "cannot write result file '%s': directory '%s' does not exist",
                 output, dir);
        return false;
    }
    return dir_takes_files(dir, err, errlen);
}

bool omb_output_dir_check(const char *dir, const char *what, bool create, char *err, size_t errlen)
{
    struct stat st;
    char files[128]; /* "CSV files" */
    snprintf(files, sizeof files, "%s files", what);
    if (!*dir) {
        snprintf(err, errlen, "the %s directory name is empty", what);
        return false;
    }
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s directory '%s' is not a directory", what, dir);
            return false;
        }
        return dir_takes(dir, files, err, errlen);
    }
    if (errno != ENOENT) {
        snprintf(err, errlen, "cannot use '%s' as the %s directory: %s", dir, what,
                 strerror(errno));
        return false;
    }
    /* Missing: its parent must exist and take a new directory. */
    char copy[4096], parent[4096];
    snprintf(copy, sizeof copy, "%s", dir);
    for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--) copy[n - 1] = '\0';
    dir_of(copy, parent, sizeof parent);
    if (!is_dir(parent)) {
        snprintf(err, errlen, "cannot create %s directory '%s': directory '%s' does not exist",
                 what, dir, parent);
        return false;
    }
    if (!create) return dir_takes(parent, files, err, errlen);
    if (mkdir(dir, 0777) != 0) {
        snprintf(err, errlen, "cannot create %s directory '%s': %s", what, dir, strerror(errno));
        return false;
    }
    return dir_takes(dir, files, err, errlen);
}

void omb_output_safe_name(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < n; p++)
        out[o++] = (*p == '/' || *p == ' ' || *p == '\\') ? '-' : *p;
    out[o] = '\0';
}

void omb_output_stamp(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d-%H-%M-%S", &tm);
}

void omb_output_result_path(const char *output, size_t index, size_t total,
                            const struct omb_workload *w, const char *driver, char *out, size_t n)
{
    char drv[256], stamp[32], base[3072];
    omb_output_safe_name(driver, drv, sizeof drv);
    omb_output_stamp(stamp, sizeof stamp);
    if (output && !is_dir(output)) {
        if (total == 1) {
            snprintf(out, n, "%s", output);
            return;
        }
        /* One path, several results: number them rather than overwrite. */
        const char *dot = strrchr(output, '.');
        const char *slash = strrchr(output, '/');
        if (dot && (!slash || dot > slash))
            snprintf(out, n, "%.*s-%zu%s", (int)(dot - output), output, index, dot);
        else
            snprintf(out, n, "%s-%zu", output, index);
        return;
    }
    snprintf(base, sizeof base, "%s%s%s-%s-%s", output ? output : "", output ? "/" : "",
             w->base_name, drv, stamp);
    snprintf(out, n, "%s.json", base);
    for (int k = 1; exists(out) && k < 1000; k++) snprintf(out, n, "%s-%d.json", base, k);
}
