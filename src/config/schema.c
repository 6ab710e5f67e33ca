/* schema.c - applies a field table (schema.h) to a YAML map: types, ranges, required keys,
 * unknown keys with a "did you mean" suggestion. All messages are made here. */
#include "config/schema.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- suggestions -------------------------------------------------------------------- */

/* Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions),
 * ASCII case-insensitive. Returns SIZE_MAX when out of memory. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t *rows = malloc(3 * (lb + 1) * sizeof *rows);
    if (!rows) return SIZE_MAX;
    size_t *pp = rows, *p = rows + lb + 1, *c = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++) p[j] = j;
    for (size_t i = 1; i <= la; i++) {
        c[0] = i;
        int ai = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int bj = tolower((unsigned char)b[j - 1]);
            size_t cost = ai != bj;
            size_t best = p[j - 1] + cost;
            if (p[j] + 1 < best) best = p[j] + 1;
            if (c[j - 1] + 1 < best) best = c[j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            c[j] = best;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    size_t d = p[lb];
    free(rows);
    return d;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return true;
    return false;
}

const char *omb_schema_closest(const char *key, const char *const *candidates, size_t n)
{
    if (!key || !candidates) return NULL;
    size_t lk = strlen(key);
    /* A typo changes a few characters: allow max(2, len/3) edits, but only one in a key
     * of four letters or fewer ("nmae" finds "name", "rate" does not). Case-only
     * differences have distance 0 and always match. */
    size_t limit = lk <= 4 ? 1 : lk / 3 > 2 ? lk / 3 : 2;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t lc = strlen(candidates[i]);
        size_t diff = lk > lc ? lk - lc : lc - lk;
        if (diff > limit) continue; /* the distance is at least the length difference */
        size_t d = edit_distance(key, lk, candidates[i], lc);
        if (d <= limit && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    if (best) return best;
    /* A shortened or lengthened key ("testDuration", "rate"): suggest the one valid key
     * that contains it, or that it contains; never guess between several. */
    if (lk < 4) return NULL;
    const char *only = NULL;
    for (size_t i = 0; i < n; i++) {
        bool hit = contains_nocase(candidates[i], key) ||
                   (strlen(candidates[i]) >= 4 && contains_nocase(key, candidates[i]));
        if (!hit) continue;
        if (only) return NULL;
        only = candidates[i];
    }
    return only;
}

/* ---- number syntax ------------------------------------------------------------------ */

enum num_status { NUM_OK, NUM_SYNTAX, NUM_RANGE, NUM_LEADING_ZERO };

static size_t skip_digits(const char *s)
{
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9') i++;
    return i;
}

/* Decimal digits with an optional sign. "010" is refused rather than guessed: YAML 1.1
 * (OMB's Java parser) reads it as octal 8, YAML 1.2 as 10. */
static enum num_status parse_int(const char *s, int64_t *out)
{
    const char *d = s + (s[0] == '+' || s[0] == '-');
    size_t nd = skip_digits(d);
    if (nd == 0 || d[nd] != '\0') return NUM_SYNTAX;
    if (nd > 1 && d[0] == '0') return NUM_LEADING_ZERO;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE) return NUM_RANGE;
    if (*end != '\0') return NUM_SYNTAX;
    *out = (int64_t)v;
    return NUM_OK;
}

/* YAML 1.2 core float syntax without .inf/.nan: [-+]? (.D+ | D+(.D*)?) ([eE][-+]?D+)? */
static enum num_status parse_double(const char *s, double *out)
{
    const char *p = s + (s[0] == '+' || s[0] == '-');
    size_t ni = skip_digits(p);
    bool pure_int = true;
    const char *q = p + ni;
    size_t nf = 0;
    if (*q == '.') {
        pure_int = false;
        nf = skip_digits(q + 1);
        q += 1 + nf;
    }
    if (ni == 0 && nf == 0) return NUM_SYNTAX;
    if (*q == 'e' || *q == 'E') {
        pure_int = false;
        const char *e = q + 1 + (q[1] == '+' || q[1] == '-');
        size_t ne = skip_digits(e);
        if (ne == 0) return NUM_SYNTAX;
        q = e + ne;
    }
    if (*q != '\0') return NUM_SYNTAX;
    if (pure_int && ni > 1 && p[0] == '0') return NUM_LEADING_ZERO;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0') return NUM_SYNTAX;
    if (errno == ERANGE || !isfinite(v)) return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

/* ---- messages ----------------------------------------------------------------------- */

struct ctx {
    const struct omb_yaml_doc *doc;
    char *err;
    size_t errlen;
};

static void fail_at(const struct ctx *c, const struct omb_yaml_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(const struct ctx *c, const struct omb_yaml_node *at, const char *fmt, ...)
{
    int n;
    if (at)
        n = snprintf(c->err, c->errlen, "%s line %d: ", c->doc->source, at->line);
    else
        n = snprintf(c->err, c->errlen, "%s: ", c->doc->source);
    if (n < 0 || (size_t)n >= c->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static const char *type_word(enum omb_field_type t)
{
    switch (t) {
    case OMB_FIELD_STRING:
        return "a string";
    case OMB_FIELD_INT:
        return "an integer";
    case OMB_FIELD_DOUBLE:
        return "a number";
    case OMB_FIELD_BOOL:
        return "true or false";
    case OMB_FIELD_ENUM:
        return "one of";
    case OMB_FIELD_ANY:
        return "a value";
    }
    return "a value";
}

static const char *kind_word(const struct omb_yaml_node *v)
{
    return v->kind == OMB_YAML_MAP ? "a map" : "a list";
}

static void fmt_bound(char *buf, size_t len, double v, enum omb_field_type t)
{
    if (t == OMB_FIELD_INT && fabs(v) < 9.0e18)
        snprintf(buf, len, "%" PRId64, (int64_t)v);
    else
        snprintf(buf, len, "%.15g", v);
}

static bool has_range(const struct omb_field *f) { return f->min <= f->max; }

/* Bounds at or beyond these are "no upper limit" and are not printed. */
static bool unbounded_above(const struct omb_field *f) { return f->max >= 9.0e18; }

static void fail_range(const struct ctx *c, const struct omb_yaml_node *at,
                       const struct omb_field *f, const char *got)
{
    char lo[40], hi[40];
    fmt_bound(lo, sizeof lo, f->min, f->type);
    fmt_bound(hi, sizeof hi, f->max, f->type);
    if (!has_range(f))
        fail_at(c, at, "'%s' is too large, got %.40s", f->key, got);
    else if (unbounded_above(f))
        fail_at(c, at, "'%s' must be at least %s, got %.40s", f->key, lo, got);
    else
        fail_at(c, at, "'%s' must be between %s and %s, got %.40s", f->key, lo, hi, got);
}

/* ---- applying one field ------------------------------------------------------------- */

static int apply_number(const struct ctx *c, const struct omb_yaml_node *at,
                        const struct omb_field *f, const struct omb_yaml_node *v, void *dst)
{
    char shown[80];
    if (v->kind != OMB_YAML_SCALAR) {
        fail_at(c, at, "'%s' must be %s, got %s", f->key, type_word(f->type), kind_word(v));
        return -1;
    }
    omb_yaml_quote(shown, sizeof shown, v->scalar);
    int64_t iv = 0;
    double dv = 0;
    enum num_status st =
        f->type == OMB_FIELD_INT ? parse_int(v->scalar, &iv) : parse_double(v->scalar, &dv);
    if (!v->plain) {
        if (st == NUM_OK || st == NUM_RANGE)
            fail_at(c, at,
                    "'%s' must be %s, got the quoted string %s (write numbers without quotes)",
                    f->key, type_word(f->type), shown);
        else
            fail_at(c, at, "'%s' must be %s, got the string %s", f->key, type_word(f->type), shown);
        return -1;
    }
    if (st == NUM_SYNTAX && f->type == OMB_FIELD_INT && parse_double(v->scalar, &dv) == NUM_OK) {
        fail_at(c, at, "'%s' must be a whole number, got %s", f->key, shown);
        return -1;
    }
    switch (st) {
    case NUM_SYNTAX:
        fail_at(c, at, "'%s' must be %s, got %s", f->key, type_word(f->type), shown);
        return -1;
    case NUM_LEADING_ZERO:
        fail_at(c, at, "'%s' must be written without leading zeros, got %s", f->key, shown);
        return -1;
    case NUM_RANGE:
        fail_range(c, at, f, v->scalar);
        return -1;
    case NUM_OK:
        break;
    }
    if (f->type == OMB_FIELD_INT) {
        if (has_range(f) && ((double)iv < f->min || (double)iv > f->max)) {
            fail_range(c, at, f, v->scalar);
            return -1;
        }
        memcpy(dst, &iv, sizeof iv);
    } else {
        if (has_range(f) && (dv < f->min || dv > f->max)) {
            fail_range(c, at, f, v->scalar);
            return -1;
        }
        memcpy(dst, &dv, sizeof dv);
    }
    return 0;
}

static int apply_enum(const struct ctx *c, const struct omb_yaml_node *at,
                      const struct omb_field *f, const struct omb_yaml_node *v, void *dst)
{
    char names[512] = "";
    size_t count = 0, used = 0;
    for (; f->enum_names && f->enum_names[count]; count++) {
        int n = snprintf(names + used, sizeof names - used, "%s%s", count ? ", " : "",
                         f->enum_names[count]);
        if (n > 0) used = used + (size_t)n < sizeof names ? used + (size_t)n : sizeof names - 1;
    }
    if (v->kind != OMB_YAML_SCALAR) {
        fail_at(c, at, "'%s' must be one of %s, got %s", f->key, names, kind_word(v));
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (strcmp(v->scalar, f->enum_names[i]) == 0) {
            int val = f->enum_values ? f->enum_values[i] : (int)i;
            memcpy(dst, &val, sizeof val);
            return 0;
        }
    }
    char shown[80];
    omb_yaml_quote(shown, sizeof shown, v->scalar);
    const char *near = omb_schema_closest(v->scalar, f->enum_names, count);
    if (near)
        fail_at(c, at, "'%s' must be one of %s, got %s; did you mean '%s'?", f->key, names, shown,
                near);
    else
        fail_at(c, at, "'%s' must be one of %s, got %s", f->key, names, shown);
    return -1;
}

static int apply_field(const struct ctx *c, const struct omb_yaml_node *at,
                       const struct omb_field *f, const struct omb_yaml_node *v, void *out)
{
    void *dst = (char *)out + f->offset;
    char shown[80];
    switch (f->type) {
    case OMB_FIELD_STRING: {
        if (v->kind != OMB_YAML_SCALAR) {
            fail_at(c, at, "'%s' must be a string, got %s", f->key, kind_word(v));
            return -1;
        }
        char *s = strdup(v->scalar);
        if (!s) {
            fail_at(c, at, "out of memory reading '%s'", f->key);
            return -1;
        }
        memcpy(dst, &s, sizeof s);
        return 0;
    }
    case OMB_FIELD_INT:
    case OMB_FIELD_DOUBLE:
        return apply_number(c, at, f, v, dst);
    case OMB_FIELD_BOOL: {
        if (v->kind != OMB_YAML_SCALAR) {
            fail_at(c, at, "'%s' must be true or false, got %s", f->key, kind_word(v));
            return -1;
        }
        static const char *const yes[] = {"true", "True", "TRUE"};
        static const char *const no[] = {"false", "False", "FALSE"};
        omb_yaml_quote(shown, sizeof shown, v->scalar);
        for (size_t i = 0; v->plain && i < 3; i++) {
            if (strcmp(v->scalar, yes[i]) == 0 || strcmp(v->scalar, no[i]) == 0) {
                bool b = strcmp(v->scalar, yes[i]) == 0;
                memcpy(dst, &b, sizeof b);
                return 0;
            }
        }
        if (!v->plain)
            fail_at(
                c, at,
                "'%s' must be true or false, got the quoted string %s (write it without quotes)",
                f->key, shown);
        else
            fail_at(c, at, "'%s' must be true or false, got %s", f->key, shown);
        return -1;
    }
    case OMB_FIELD_ENUM:
        return apply_enum(c, at, f, v, dst);
    case OMB_FIELD_ANY:
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    fail_at(c, at, "'%s' has an unknown field type in the schema", f->key);
    return -1;
}

static void fail_unknown(const struct ctx *c, const struct omb_yaml_node *key,
                         const struct omb_field *fields, size_t nfields)
{
    char shown[80];
    omb_yaml_quote(shown, sizeof shown, key->scalar);
    const char **names = calloc(nfields ? nfields : 1, sizeof *names);
    if (!names) {
        fail_at(c, key, "unknown key %s", shown);
        return;
    }
    for (size_t i = 0; i < nfields; i++) names[i] = fields[i].key;
    const char *near = omb_schema_closest(key->scalar, names, nfields);
    free(names);
    if (near) {
        fail_at(c, key, "unknown key %s; did you mean '%s'?", shown, near);
        return;
    }
    char list[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < nfields && used < sizeof list - 1; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", fields[i].key);
        if (w < 0) break;
        used += (size_t)w;
    }
    fail_at(c, key, "unknown key %s (valid keys: %s)", shown, list);
}

int omb_schema_apply(const struct omb_yaml_doc *doc, const struct omb_yaml_node *map,
                     const struct omb_field *fields, size_t nfields, int ignore_unknown, void *out,
                     char *err, size_t errlen)
{
    static char dummy[1];
    static const struct omb_yaml_doc nodoc = {.source = "YAML text"};
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    struct ctx c = {.doc = doc && doc->source ? doc : &nodoc, .err = err, .errlen = errlen};
    if (!map) {
        fail_at(&c, NULL, "the file is empty");
        return -1;
    }
    if (map->kind != OMB_YAML_MAP) {
        fail_at(&c, map, "expected a map of 'key: value' lines, got %s",
                map->kind == OMB_YAML_SEQ ? "a list" : "a single value");
        return -1;
    }
    const struct omb_yaml_node **seen = calloc(nfields ? nfields : 1, sizeof *seen);
    if (!seen) {
        fail_at(&c, NULL, "out of memory");
        return -1;
    }
    int rc = -1;
    for (size_t i = 0; i < map->n; i++) {
        const struct omb_yaml_node *k = map->keys[i], *v = map->values[i];
        size_t fi = 0;
        while (fi < nfields && strcmp(fields[fi].key, k->scalar) != 0) fi++;
        if (fi == nfields) {
            if (ignore_unknown) continue;
            fail_unknown(&c, k, fields, nfields);
            goto out;
        }
        if (seen[fi]) {
            fail_at(&c, k, "duplicate key '%s' (first set on line %d)", fields[fi].key,
                    seen[fi]->line);
            goto out;
        }
        seen[fi] = k;
        if (omb_yaml_is_null(v)) {
            if (fields[fi].required) {
                fail_at(&c, k, "required key '%s' has no value", fields[fi].key);
                goto out;
            }
            continue; /* null means "the default" */
        }
        if (apply_field(&c, k, &fields[fi], v, out) != 0) goto out;
    }
    for (size_t fi = 0; fi < nfields; fi++) {
        if (fields[fi].required && !seen[fi]) {
            fail_at(&c, NULL, "missing required key '%s'", fields[fi].key);
            goto out;
        }
    }
    rc = 0;
out:
    free(seen);
    return rc;
}
