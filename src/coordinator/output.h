/* output.h - where `omb run` writes its results: checked before anything runs (a run may
 * take hours), and named as OMB names them. */
#ifndef OMB_COORDINATOR_OUTPUT_H
#define OMB_COORDINATOR_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/workload.h"

/**
 * Whether results can be written where @p output says (NULL: the current directory; a
 * directory; or a file in one): the directory must exist and really take a new file (one
 * is created and removed), and an existing target must be a regular file (a device, FIFO,
 * socket or directory is refused; a symlink is followed to the regular file it names, a
 * dangling one refused, as util/atomic_file.c writes them). Returns false with one sentence in @p
 * err.
 */
bool omb_output_check(const char *output, char *err, size_t errlen);

/**
 * Whether a directory for output files (@p what names them in messages: "CSV") is
 * usable: @p dir exists, is a directory and really takes a new file; or it is missing and
 * its parent exists and takes files, and then, when @p create, it is created now (one
 * level, as mkdir). Returns false with one sentence in @p err.
 */
bool omb_output_dir_check(const char *dir, const char *what, bool create, char *err, size_t errlen);

/** Result path of run number @p index (1-based) of @p total: OMB's
 *  `<workload-base>-<driver>-<yyyy-MM-dd-HH-mm-ss>.json`, in @p output when it is a
 *  directory; @p output itself for one result; numbered `FILE-1.json` ... for several. */
void omb_output_result_path(const char *output, size_t index, size_t total,
                            const struct omb_workload *w, const char *driver, char *out, size_t n);

/** The local time as OMB stamps result names: yyyy-MM-dd-HH-mm-ss. */
void omb_output_stamp(char *out, size_t n);

/** A file-name-safe copy of a driver name ("my kafka" -> "my-kafka"). */
void omb_output_safe_name(const char *in, char *out, size_t n);

#endif
