/* driver_conf.h - a driver file (SPEC section 4): the common keys, plus the whole YAML
 * document for the driver to validate its own keys. */
#ifndef OMB_CONFIG_DRIVER_CONF_H
#define OMB_CONFIG_DRIVER_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "config/yamldoc.h"

struct omb_driver_conf {
    char *path;         /* file as given, or a label ("request body") */
    char *name;         /* `name`, required */
    char *driver_class; /* `driverClass`, required */
    char *text;         /* the raw YAML text (sent as-is to remote workers) */
    size_t text_len;
    struct omb_yaml_doc *doc; /* parsed text; root is a map */
    /* `omb run` flags owned by this file's driver ("--kafka-mock"), NULL-terminated, or
     * NULL; not owned (they point into argv). Options as data, never the environment. */
    const char *const *flags;
};

/** Whether @p flag was given for this driver file. */
bool omb_driver_conf_has_flag(const struct omb_driver_conf *c, const char *flag);

/** Loads a driver file: YAML must parse, root must be a map with non-empty string `name`
 *  and `driverClass`. Other keys are left to the driver. Returns 0 or -1 with @p err
 *  ("cannot read driver file 'x': ..." when unreadable); on error @p out is all zero. */
int omb_driver_conf_load_file(const char *path, struct omb_driver_conf *out, char *err,
                              size_t errlen);
/** Same, from YAML text (the worker's /initialize-driver body). */
int omb_driver_conf_load_string(const char *text, size_t len, const char *label,
                                struct omb_driver_conf *out, char *err, size_t errlen);
void omb_driver_conf_free(struct omb_driver_conf *c); /* NULL-safe, frees members only */

/**
 * Java-properties text (Kafka's commonConfig etc.): "key=value" or "key: value" or
 * "key value" lines, '#'/'!' comments, blank lines, surrounding whitespace trimmed,
 * backslash line continuations. Calls @p fn for each pair with the 1-based line within the
 * text; stops and returns fn's non-zero result. Returns 0 or -1 with @p err on a syntax
 * error (a line with a key and no separator is a key with an empty value, as in Java).
 * As in Java: '#'/'!' only start a comment at the start of a line (`a=b#c` has value
 * "b#c"); the key ends at the first unescaped '=', ':' or blank; Java's escapes (\t \n
 * \r \f \uXXXX, "\x" = "x") are decoded, \uXXXX written as UTF-8. Unlike Java:
 * trailing blanks of a value are trimmed (unless escaped), and an empty key ("=x"), a
 * malformed \uXXXX and \u0000 are syntax errors. @p err reads "line 3: ..." (line within
 * the text); the caller adds file and key. A NULL @p text is empty.
 */
int omb_properties_parse(const char *text,
                         int (*fn)(void *ctx, const char *key, const char *value, int line),
                         void *ctx, char *err, size_t errlen);

#endif
