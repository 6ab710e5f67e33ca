/* driver_conf.c - the common part of a driver file (SPEC section 4) and the Java-properties
 * parser for Kafka's commonConfig / producerConfig / consumerConfig / topicConfig blocks. */
#include "config/driver_conf.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"

#define D(m) offsetof(struct omb_driver_conf, m)
static const struct omb_field driver_fields[] = {
    {"name", OMB_FIELD_STRING, D(name), 1, 1, 0, NULL, NULL},
    {"driverClass", OMB_FIELD_STRING, D(driver_class), 1, 1, 0, NULL, NULL},
};
#undef D

void omb_driver_conf_free(struct omb_driver_conf *c)
{
    if (!c) return;
    free(c->path);
    free(c->name);
    free(c->driver_class);
    free(c->text);
    omb_yaml_free(c->doc);
    memset(c, 0, sizeof *c);
}

int omb_driver_conf_load_string(const char *text, size_t len, const char *label,
                                struct omb_driver_conf *out, char *err, size_t errlen)
{
    static char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    memset(out, 0, sizeof *out);
    if (!label) label = "driver configuration";
    if (!text) len = 0;
    out->path = strdup(label);
    out->text = malloc(len + 1);
    if (!out->path || !out->text) {
        snprintf(err, errlen, "%s: out of memory", label);
        goto fail;
    }
    if (len) memcpy(out->text, text, len);
    out->text[len] = '\0';
    out->text_len = len;
    out->doc = omb_yaml_load_string(out->text, len, label, err, errlen);
    if (!out->doc) goto fail;
    const struct omb_yaml_node *root = out->doc->root;
    if (omb_yaml_is_null(root)) {
        snprintf(err, errlen,
                 "%s: the driver file is empty (it needs at least name and driverClass)", label);
        goto fail;
    }
    if (root->kind != OMB_YAML_MAP) {
        snprintf(err, errlen,
                 "%s line %d: a driver file must be a map of 'key: value' lines, not %s", label,
                 root->line, root->kind == OMB_YAML_SEQ ? "a list" : "a single value");
        goto fail;
    }
    if (omb_schema_apply(out->doc, root, driver_fields,
                         sizeof driver_fields / sizeof driver_fields[0], 1, out, err, errlen) != 0)
        goto fail;
    const char *empty = out->name[0] == '\0'           ? "name"
                        : out->driver_class[0] == '\0' ? "driverClass"
                                                       : NULL;
    if (empty) {
        snprintf(err, errlen, "%s line %d: '%s' must not be empty", label,
                 omb_yaml_get_key(root, empty)->line, empty);
        goto fail;
    }
    return 0;
fail:
    omb_driver_conf_free(out);
    return -1;
}

int omb_driver_conf_load_file(const char *path, struct omb_driver_conf *out, char *err,
                              size_t errlen)
{
    static char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    memset(out, 0, sizeof *out);
    if (!path) {
        snprintf(err, errlen, "no driver file given");
        return -1;
    }
    size_t len;
    int errnum;
    char *text = omb_yaml_read_all(path, &len, &errnum);
    if (!text) {
        snprintf(err, errlen, "cannot read driver file '%s': %s", path, omb_yaml_errstr(errnum));
        return -1;
    }
    int rc = omb_driver_conf_load_string(text, len, path, out, err, errlen);
    free(text);
    return rc;
}

/* ---- Java properties ------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n + 1) {
        size_t ncap = b->cap ? b->cap : 128;
        while (ncap - b->len < n + 1) {
            if (ncap > SIZE_MAX / 2) return -1;
            ncap *= 2;
        }
        char *np = realloc(b->p, ncap);
        if (!np) return -1;
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static bool prop_ws(char c) { return c == ' ' || c == '\t' || c == '\f'; }

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_u4(const char *s, size_t n, size_t i, unsigned *cp)
{
    if (i + 4 > n) return -1;
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(s[i + k]);
        if (h < 0) return -1;
        v = v * 16 + (unsigned)h;
    }
    *cp = v;
    return 0;
}

static void put_utf8(struct buf *o, unsigned cp, int *rc)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (buf_add(o, u, n) != 0) *rc = -2;
}

/* Java's escapes: \t \n \r \f, \uXXXX (UTF-16, pairs combined; written as UTF-8), and a
 * backslash before any other character stands for that character.
 * Returns 0, -1 for a malformed escape, -2 when out of memory. */
static int unescape(const char *s, size_t n, struct buf *o)
{
    int rc = 0;
    o->len = 0;
    if (buf_add(o, "", 0) != 0) return -2;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char c = s[i];
        if (c != '\\') {
            if (buf_add(o, &c, 1) != 0) rc = -2;
            continue;
        }
        if (++i == n) break; /* a lone backslash at the very end is dropped, as in Java */
        c = s[i];
        switch (c) {
        case 't':
            c = '\t';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 'f':
            c = '\f';
            break;
        case 'u': {
            unsigned cp, lo;
            if (read_u4(s, n, i + 1, &cp) != 0 || cp == 0) return -1;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (i + 2 >= n || s[i + 1] != '\\' || s[i + 2] != 'u' ||
                    read_u4(s, n, i + 3, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return -1;
            }
            put_utf8(o, cp, &rc);
            continue;
        }
        default:
            break;
        }
        if (buf_add(o, &c, 1) != 0) rc = -2;
    }
    return rc;
}

/* Splits one logical line (continuations joined, escapes still in) into key and value. */
static int prop_line(const char *s, size_t n, int line, struct buf *key, struct buf *val,
                     int (*fn)(void *, const char *, const char *, int), void *ctx, char *err,
                     size_t errlen)
{
    size_t i = 0, vstart = n;
    bool esc = false, sep = false;
    for (; i < n; i++) {
        char c = s[i];
        if (!esc && (c == '=' || c == ':')) {
            vstart = i + 1;
            sep = true;
            break;
        }
        if (!esc && prop_ws(c)) {
            vstart = i + 1;
            break;
        }
        esc = c == '\\' ? !esc : false;
    }
    size_t klen = i;
    while (vstart < n) {
        char c = s[vstart];
        if (prop_ws(c)) {
            vstart++;
        } else if (!sep && (c == '=' || c == ':')) {
            sep = true;
            vstart++;
        } else {
            break;
        }
    }
    /* Unlike Java, trailing blanks of a value are dropped (an escaped one stays): in a YAML
     * block they are never intended, and "acks=all " must not reach Kafka as "all ". */
    size_t vend = n;
    while (vend > vstart && prop_ws(s[vend - 1])) {
        size_t bs = 0;
        while (vend - 1 - bs > vstart && s[vend - 2 - bs] == '\\') bs++;
        if (bs % 2 == 1) break;
        vend--;
    }
    int rk = unescape(s, klen, key);
    int rv = rk == 0 ? unescape(s + vstart, vend - vstart, val) : 0;
    if (rk == -2 || rv == -2) {
        snprintf(err, errlen, "line %d: out of memory", line);
        return -1;
    }
    if (rk == -1 || rv == -1) {
        snprintf(err, errlen, "line %d: malformed \\uXXXX escape in %s '%.*s'", line,
                 rk == -1 ? "key" : "the value of", (int)(klen > 60 ? 60 : klen), s);
        return -1;
    }
    if (key->len == 0) {
        snprintf(err, errlen, "line %d: a property has no key before '%c'", line,
                 klen < n ? s[klen] : '=');
        return -1;
    }
    return fn(ctx, key->p, val->p, line);
}

int omb_properties_parse(const char *text,
                         int (*fn)(void *ctx, const char *key, const char *value, int line),
                         void *ctx, char *err, size_t errlen)
{
    static char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!text || !fn) return 0;
    struct buf logical = {0}, key = {0}, val = {0};
    const char *p = text, *end = text + strlen(text);
    int line = 0, start_line = 0, rc = 0;
    bool continuing = false;
    while (p < end && rc == 0) {
        const char *e = p;
        while (e < end && *e != '\n' && *e != '\r') e++;
        const char *next = e;
        if (next < end) next += (*next == '\r' && next + 1 < end && next[1] == '\n') ? 2 : 1;
        line++;
        const char *s = p;
        p = next;
        while (s < e && prop_ws(*s)) s++;
        if (!continuing) {
            if (s == e || *s == '#' || *s == '!') continue; /* blank or comment */
            start_line = line;
            logical.len = 0;
        }
        size_t bs = 0;
        while (e - bs > s && e[-1 - (ptrdiff_t)bs] == '\\') bs++;
        continuing = bs % 2 == 1;
        if (buf_add(&logical, s, (size_t)(e - s) - (continuing ? 1 : 0)) != 0) {
            snprintf(err, errlen, "line %d: out of memory", line);
            rc = -1;
            break;
        }
        if (!continuing && logical.len > 0)
            rc = prop_line(logical.p, logical.len, start_line, &key, &val, fn, ctx, err, errlen);
    }
    /* text ended in a continuation: the line is complete as it is */
    if (rc == 0 && continuing && logical.len > 0)
        rc = prop_line(logical.p, logical.len, start_line, &key, &val, fn, ctx, err, errlen);
    free(logical.p);
    free(key.p);
    free(val.p);
    return rc;
}

bool omb_driver_conf_has_flag(const struct omb_driver_conf *c, const char *flag)
{
    for (const char *const *f = c->flags; f && *f; f++)
        if (!strcmp(*f, flag)) return true;
    return false;
}
