/* schema.h - table-driven validation of a YAML map into a C struct. One table per file
 * type (workload, each driver) holds every key with its type, range and default handling;
 * error messages come from the table. */
#ifndef OMB_CONFIG_SCHEMA_H
#define OMB_CONFIG_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "config/yamldoc.h"

enum omb_field_type {
    OMB_FIELD_STRING, /* char * (strdup'ed; caller frees) */
    OMB_FIELD_INT,    /* int64_t, integral YAML number */
    OMB_FIELD_DOUBLE, /* double, any YAML number */
    OMB_FIELD_BOOL,   /* bool: true/false */
    OMB_FIELD_ENUM,   /* int: one of enum_names (case-sensitive), value = enum_values[i] */
    OMB_FIELD_ANY,    /* const struct omb_yaml_node * (not copied; the doc must outlive it) */
};

struct omb_field {
    const char *key;
    enum omb_field_type type;
    size_t offset;                 /* offsetof(struct, member) */
    int required;                  /* 1: missing key is an error */
    double min, max;               /* numeric range (inclusive), ignored when min > max */
    const char *const *enum_names; /* NULL-terminated, for OMB_FIELD_ENUM */
    const int *enum_values;
};

/**
 * Fills @p out from the keys of @p map according to @p fields. Fields not present keep
 * the value already in @p out (defaults are set by the caller first). Errors, written to
 * @p err as one sentence: unknown key (with file, line and the closest valid key:
 * "w.yaml line 4: unknown key 'partitionPerTopic'; did you mean 'partitionsPerTopic'?",
 * or the list of valid keys when none is close), wrong type, out of range, missing
 * required key, duplicate key. Returns 0 or -1; the first problem in file order wins.
 * @p ignore_unknown: keys not in the table are allowed (used for driver files, whose
 * driver-specific keys are checked by the driver).
 * Values: a null value (`key:`, `~`, `null`) keeps the default, or is an error for a
 * required key. INT accepts plain decimal digits with an optional sign (no leading zeros,
 * no quotes, no fractions), overflow is an error; DOUBLE accepts plain YAML 1.2 decimal /
 * exponent numbers (no .inf/.nan); BOOL accepts plain true/false/True/False/TRUE/FALSE;
 * ENUM and STRING accept quoted or plain scalars. STRING members are overwritten without
 * freeing (defaults must not be heap strings); on error, strings set so far stay in
 * @p out for the caller to free. ENUM writes an int.
 */
int omb_schema_apply(const struct omb_yaml_doc *doc, const struct omb_yaml_node *map,
                     const struct omb_field *fields, size_t nfields, int ignore_unknown, void *out,
                     char *err, size_t errlen);

/** The valid key closest to @p key (edit distance, case-insensitive), or NULL when none
 *  is close enough to be a plausible typo. */
const char *omb_schema_closest(const char *key, const char *const *candidates, size_t n);

#endif
