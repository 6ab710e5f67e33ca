/* tool_io.h - output helpers shared by the tools: whole files written atomically. */
#ifndef OMB_TOOLS_TOOL_IO_H
#define OMB_TOOLS_TOOL_IO_H

#include <stddef.h>

/**
 * Writes @p len bytes to @p path through a temporary file in the same directory, then
 * renames it over @p path, so a reader sees the old file or the whole new one, never a
 * part. The file gets mode 0666 minus the umask. Returns 0, or -1 with one sentence in
 * @p err naming the path.
 */
int omb_tool_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

/**
 * Same, but leaves the data in a temporary file next to @p path and returns its name in
 * @p tmp (so several files can be checked first and then renamed together). The caller
 * renames or unlinks it.
 */
int omb_tool_write_temp(const char *path, const char *data, size_t len, char *tmp, size_t tmplen,
                        char *err, size_t errlen);

#endif
