/* atomic_file.c - whole files written atomically: temporary file, fsync, rename. */
#include "util/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void fail(char *err, size_t errlen, const char *what, const char *path, const char *cause)
{
    snprintf(err, errlen, "cannot write %s%s'%s': %s", what ? what : "", what ? " " : "", path,
             cause);
}

int omb_write_file_temp(const char *path, const char *what, const char *data, size_t len, char *tmp,
                        size_t tmplen, char *err, size_t errlen)
{
    /* A dot name, so a directory listing (omb csv DIR) never picks it up as a result. */
    const char *slash = strrchr(path, '/');
    int n = slash
                ? snprintf(tmp, tmplen, "%.*s/.%s.tmp.XXXXXX", (int)(slash - path), path, slash + 1)
                : snprintf(tmp, tmplen, ".%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= tmplen) {
        fail(err, errlen, what, path, "path too long");
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fail(err, errlen, what, path, strerror(errno));
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    int e = fchmod(fd, 0666 & ~mask) != 0 ? errno : 0;
    for (size_t off = 0; !e && off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            e = errno;
        } else {
            off += (size_t)w;
        }
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (e) {
        unlink(tmp);
        fail(err, errlen, what, path, strerror(e));
        return -1;
    }
    return 0;
}

/* The file a write of @p path lands in: a symlink is followed (the rename replaces what it
 * names, never the link), anything but a regular file is refused (a rename over /dev/null
 * as root would replace the device). Returns 0, or -1 with @p err. */
static int resolve_target(const char *path, const char *what, char *out, size_t outlen, char *err,
                          size_t errlen)
{
    struct stat st;
    snprintf(out, outlen, "%s", path);
    if (lstat(path, &st) != 0) return 0; /* a new file */
    if (S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real) {
            fail(err, errlen, what, path, "a symlink to a file that does not exist");
            return -1;
        }
        snprintf(out, outlen, "%s", real);
        free(real);
        if (stat(out, &st) != 0) return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(err, errlen, what, path,
             S_ISDIR(st.st_mode) ? strerror(EISDIR)
                                 : "not a regular file (a device, FIFO or socket)");
        return -1;
    }
    return 0;
}

int omb_write_file_atomic(const char *path, const char *what, const char *data, size_t len,
                          char *err, size_t errlen)
{
    char tmp[4096], target[4096];
    if (resolve_target(path, what, target, sizeof target, err, errlen) != 0) return -1;
    path = target;
    if (omb_write_file_temp(path, what, data, len, tmp, sizeof tmp, err, errlen) != 0) return -1;
    if (rename(tmp, path) != 0) {
        fail(err, errlen, what, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
