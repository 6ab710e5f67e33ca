/* yamldoc.h - a YAML file (or string) loaded into a small tree that remembers where each
 * node came from, so every configuration error can name file, line and key. */
#ifndef OMB_CONFIG_YAMLDOC_H
#define OMB_CONFIG_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>

enum omb_yaml_kind { OMB_YAML_SCALAR, OMB_YAML_MAP, OMB_YAML_SEQ };

struct omb_yaml_node {
    enum omb_yaml_kind kind;
    int line;   /* 1-based */
    int column; /* 1-based */
    /* OMB_YAML_SCALAR: NUL-terminated value; plain=true when unquoted (so `"5"` is a
     * string while `5` may be a number, and `~`/`null` can be told from "null"). */
    char *scalar;
    bool plain;
    /* OMB_YAML_MAP: n pairs keys[i] -> values[i] (keys are scalars). OMB_YAML_SEQ: n items
     * in values[]. */
    size_t n;
    struct omb_yaml_node **keys;
    struct omb_yaml_node **values;
};

struct omb_yaml_doc {
    char *source;               /* file path, or a label such as "request body" */
    struct omb_yaml_node *root; /* NULL for an empty document */
};

/** Loads @p path. On error returns NULL and writes one sentence naming file and line. */
struct omb_yaml_doc *omb_yaml_load_file(const char *path, char *err, size_t errlen);
/** Loads YAML text; @p source labels it in messages. */
struct omb_yaml_doc *omb_yaml_load_string(const char *text, size_t len, const char *source,
                                          char *err, size_t errlen);
void omb_yaml_free(struct omb_yaml_doc *doc); /* NULL-safe */

/** Value for @p key in a map node, or NULL. */
const struct omb_yaml_node *omb_yaml_get(const struct omb_yaml_node *map, const char *key);

/* Loading rules: a second document ('---') and aliases ('*a') are errors; duplicate keys in
 * any map are errors ("line 7: duplicate key 'topics' (first set on line 3)"); nesting
 * deeper than 64 levels and files over 64 MiB are refused. `!!str 5` loads as plain=false.
 * Syntax errors name file, line, column and libyaml's problem text. */

/** The key node (for its line) of @p key in a map node, or NULL. */
const struct omb_yaml_node *omb_yaml_get_key(const struct omb_yaml_node *map, const char *key);

/** True for a missing node or a YAML null: plain ``, `~`, `null`, `Null`, `NULL`. */
bool omb_yaml_is_null(const struct omb_yaml_node *n);

/** Whole file into a NUL-terminated malloc'ed buffer (caller frees), at most 64 MiB.
 *  Returns NULL with *errnum set (EFBIG when too large). */
char *omb_yaml_read_all(const char *path, size_t *len, int *errnum);

/* omb_yaml_read_all's errnum for a path that is not a regular file (FIFO, device, socket). */
#define OMB_YAML_NOT_REGULAR 100000
/** strerror(), and a sentence for OMB_YAML_NOT_REGULAR. */
const char *omb_yaml_errstr(int errnum);

/** Writes @p s single-quoted for a one-line message: control characters become '?',
 *  more than 60 bytes are cut with "...". Always NUL-terminates when buflen > 0. */
void omb_yaml_quote(char *buf, size_t buflen, const char *s);

#endif
