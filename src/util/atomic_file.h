/* atomic_file.h - whole files written atomically (temporary file, fsync, rename): results
 * and tool outputs are read by other programs, which must see the old file or the whole
 * new one, never a part, even after a crash. */
#ifndef OMB_UTIL_ATOMIC_FILE_H
#define OMB_UTIL_ATOMIC_FILE_H

#include <stddef.h>

/**
 * Writes @p len bytes to @p path through a temporary file in the same directory (a dot
 * name, so directory listings skip it), synced to disk, then renamed over @p path. The file
 * gets mode 0666 minus the umask. Returns 0, or -1 with one sentence in @p err:
 * "cannot write <what> '<path>': <cause>" (@p what may be NULL: "cannot write '<path>'").
 */
int omb_write_file_atomic(const char *path, const char *what, const char *data, size_t len,
                          char *err, size_t errlen);

/**
 * Same, but leaves the data in the synced temporary file and returns its name in @p tmp
 * (so several files can be checked first and then renamed together). The caller renames
 * or unlinks it.
 */
int omb_write_file_temp(const char *path, const char *what, const char *data, size_t len, char *tmp,
                        size_t tmplen, char *err, size_t errlen);

#endif
