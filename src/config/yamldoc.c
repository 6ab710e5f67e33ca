/* yamldoc.c - libyaml's event parser turned into the small positioned tree of yamldoc.h. */
#include "config/yamldoc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

/* Configuration files are small; anything this large is a mistake (a log or a data file
 * passed by accident) and is refused rather than read into memory. */
#define OMB_YAML_MAX_FILE_BYTES (64u * 1024u * 1024u)

/* Deeper nesting than this is never a configuration file; the limit keeps the recursive
 * free bounded for any input (fuzzers build 100,000-deep lists). */
#define OMB_YAML_MAX_DEPTH 64

static void node_free(struct omb_yaml_node *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys) node_free(n->keys[i]);
        if (n->values) node_free(n->values[i]);
    }
    free(n->keys);
    free(n->values);
    free(n->scalar);
    free(n);
}

void omb_yaml_free(struct omb_yaml_doc *doc)
{
    if (!doc) return;
    node_free(doc->root);
    free(doc->source);
    free(doc);
}

const char *omb_yaml_errstr(int errnum)
{
    return errnum == OMB_YAML_NOT_REGULAR ? "not a regular file (a FIFO, device or socket)"
                                          : strerror(errnum);
}

char *omb_yaml_read_all(const char *path, size_t *len, int *errnum)
{
    *len = 0;
    *errnum = 0;
    /* Opened without blocking and checked before reading: a FIFO would block the run with
     * no message until something writes to it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *errnum = errno;
        if (fd >= 0) close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        *errnum = S_ISDIR(st.st_mode) ? EISDIR : OMB_YAML_NOT_REGULAR;
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        *errnum = errno;
        close(fd);
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0, used = 0;
    for (;;) {
        if (cap - used < 4096 + 1) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                *errnum = ENOMEM;
                goto fail;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + used, 1, cap - used - 1, f);
        used += got;
        if (used > OMB_YAML_MAX_FILE_BYTES) {
            *errnum = EFBIG;
            goto fail;
        }
        if (got == 0) {
            if (ferror(f)) {
                *errnum = errno ? errno : EIO;
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    buf[used] = '\0';
    *len = used;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

/* One open map or sequence while events are read. */
struct frame {
    struct omb_yaml_node *node;
    size_t cap;
    struct omb_yaml_node *pending_key; /* map: key read, value not yet */
};

struct builder {
    const char *source;
    const char *text; /* for the line of a reader (encoding) error */
    size_t len;
    char *err;
    size_t errlen;
    struct frame *stack;
    size_t depth, cap;
    struct omb_yaml_node *root;
};

static struct omb_yaml_node *node_new(enum omb_yaml_kind kind, const yaml_mark_t *mark)
{
    struct omb_yaml_node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->line = (int)(mark->line < INT32_MAX ? mark->line + 1 : INT32_MAX);
    n->column = (int)(mark->column < INT32_MAX ? mark->column + 1 : INT32_MAX);
    return n;
}

static int append(struct frame *f, struct omb_yaml_node *key, struct omb_yaml_node *value)
{
    struct omb_yaml_node *n = f->node;
    if (n->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 8;
        struct omb_yaml_node **nv = realloc(n->values, ncap * sizeof *nv);
        if (!nv) return -1;
        n->values = nv;
        if (n->kind == OMB_YAML_MAP) {
            struct omb_yaml_node **nk = realloc(n->keys, ncap * sizeof *nk);
            if (!nk) return -1;
            n->keys = nk;
        }
        f->cap = ncap;
    }
    if (n->kind == OMB_YAML_MAP) n->keys[n->n] = key;
    n->values[n->n] = value;
    n->n++;
    return 0;
}

/* Attaches a finished node to the open container (or makes it the root). Takes ownership
 * of @p child in every case. */
static int attach(struct builder *b, struct omb_yaml_node *child)
{
    if (b->depth == 0) {
        b->root = child;
        return 0;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (f->node->kind == OMB_YAML_SEQ) {
        if (append(f, NULL, child) != 0) goto oom;
        return 0;
    }
    if (!f->pending_key) {
        if (child->kind != OMB_YAML_SCALAR) {
            snprintf(b->err, b->errlen, "%s line %d: a key must be a plain value, not a %s",
                     b->source, child->line, child->kind == OMB_YAML_MAP ? "map" : "list");
            node_free(child);
            return -1;
        }
        f->pending_key = child;
        return 0;
    }
    if (append(f, f->pending_key, child) != 0) goto oom;
    f->pending_key = NULL;
    return 0;
oom:
    node_free(child);
    snprintf(b->err, b->errlen, "%s: out of memory while reading YAML", b->source);
    return -1;
}

static int open_container(struct builder *b, enum omb_yaml_kind kind, const yaml_mark_t *mark)
{
    if (b->depth >= OMB_YAML_MAX_DEPTH) {
        snprintf(b->err, b->errlen, "%s line %zu: YAML nested deeper than %d levels", b->source,
                 mark->line + 1, OMB_YAML_MAX_DEPTH);
        return -1;
    }
    if (b->depth == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 8;
        struct frame *ns = realloc(b->stack, ncap * sizeof *ns);
        if (!ns) goto oom;
        b->stack = ns;
        b->cap = ncap;
    }
    struct omb_yaml_node *n = node_new(kind, mark);
    if (!n) goto oom;
    b->stack[b->depth++] = (struct frame){.node = n};
    return 0;
oom:
    snprintf(b->err, b->errlen, "%s: out of memory while reading YAML", b->source);
    return -1;
}

/* Compares keys by text, then by position, so duplicates sort next to each other with
 * the first occurrence first. */
static int cmp_key(const void *a, const void *b)
{
    const struct omb_yaml_node *x = *(const struct omb_yaml_node *const *)a;
    const struct omb_yaml_node *y = *(const struct omb_yaml_node *const *)b;
    int c = strcmp(x->scalar, y->scalar);
    if (c) return c;
    return (x->line > y->line) - (x->line < y->line);
}

/* YAML forbids duplicate keys; libyaml does not check. A sort finds them in
 * O(n log n), so a map with many keys cannot make loading quadratic. */
static int check_duplicates(struct builder *b, const struct omb_yaml_node *map)
{
    if (map->n < 2) return 0;
    struct omb_yaml_node **sorted = malloc(map->n * sizeof *sorted);
    if (!sorted) {
        snprintf(b->err, b->errlen, "%s: out of memory while reading YAML", b->source);
        return -1;
    }
    memcpy(sorted, map->keys, map->n * sizeof *sorted);
    qsort(sorted, map->n, sizeof *sorted, cmp_key);
    const struct omb_yaml_node *first = NULL, *dup = NULL;
    for (size_t i = 1; i < map->n; i++) {
        if (strcmp(sorted[i - 1]->scalar, sorted[i]->scalar) != 0) continue;
        if (!dup || sorted[i]->line < dup->line) {
            /* earliest occurrence of this key */
            size_t j = i - 1;
            while (j > 0 && strcmp(sorted[j - 1]->scalar, sorted[i]->scalar) == 0) j--;
            first = sorted[j];
            dup = sorted[i];
        }
    }
    int rc = 0;
    if (dup) {
        char shown[80];
        omb_yaml_quote(shown, sizeof shown, dup->scalar);
        snprintf(b->err, b->errlen, "%s line %d: duplicate key %s (first set on line %d)",
                 b->source, dup->line, shown, first->line);
        rc = -1;
    }
    free(sorted);
    return rc;
}

static int close_container(struct builder *b)
{
    struct frame *f = &b->stack[b->depth - 1];
    struct omb_yaml_node *n = f->node;
    /* A key without value cannot happen with a well-formed event stream, but never leak. */
    node_free(f->pending_key);
    f->pending_key = NULL;
    b->depth--;
    if (n->kind == OMB_YAML_MAP && check_duplicates(b, n) != 0) {
        node_free(n);
        return -1;
    }
    return attach(b, n);
}

static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR) {
        size_t line = 1;
        for (size_t i = 0; i < p->problem_offset && i < b->len; i++) line += b->text[i] == '\n';
        snprintf(b->err, b->errlen, "%s line %zu: invalid YAML text at byte %zu: %s", b->source,
                 line, p->problem_offset, problem);
    } else if (p->error == YAML_MEMORY_ERROR) {
        snprintf(b->err, b->errlen, "%s: out of memory while reading YAML", b->source);
    } else if (p->context) {
        snprintf(b->err, b->errlen, "%s line %zu column %zu: YAML syntax error: %s (%s, line %zu)",
                 b->source, p->problem_mark.line + 1, p->problem_mark.column + 1, problem,
                 p->context, p->context_mark.line + 1);
    } else {
        snprintf(b->err, b->errlen, "%s line %zu column %zu: YAML syntax error: %s", b->source,
                 p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
    }
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(v, '\0', len)) {
        snprintf(b->err, b->errlen, "%s line %zu: a value contains a NUL character", b->source,
                 ev->start_mark.line + 1);
        return -1;
    }
    struct omb_yaml_node *n = node_new(OMB_YAML_SCALAR, &ev->start_mark);
    if (!n || !(n->scalar = strndup(v, len))) {
        free(n);
        snprintf(b->err, b->errlen, "%s: out of memory while reading YAML", b->source);
        return -1;
    }
    /* `!!str 5` is a string as surely as "5" is. */
    const char *tag = (const char *)ev->data.scalar.tag;
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
               !(tag && strcmp(tag, YAML_STR_TAG) == 0);
    return attach(b, n);
}

struct omb_yaml_doc *omb_yaml_load_string(const char *text, size_t len, const char *source,
                                          char *err, size_t errlen)
{
    static char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (!source) source = "YAML text";
    struct builder b = {
        .source = source, .text = text, .len = text ? len : 0, .err = err, .errlen = errlen};
    struct omb_yaml_doc *doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->source = strdup(source))) {
        free(doc);
        snprintf(err, errlen, "%s: out of memory while reading YAML", source);
        return NULL;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        omb_yaml_free(doc);
        snprintf(err, errlen, "%s: out of memory while reading YAML", source);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""),
                                 text ? len : 0);
    int documents = 0, done = 0, failed = 0;
    while (!done && !failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            syntax_error(&b, &parser);
            failed = 1;
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                snprintf(err, errlen,
                         "%s line %zu: the file holds more than one YAML document ('---'); "
                         "put one configuration in each file",
                         source, ev.start_mark.line + 1);
                failed = 1;
            }
            break;
        case YAML_ALIAS_EVENT:
            snprintf(err, errlen,
                     "%s line %zu column %zu: YAML aliases ('*%s') are not supported; write "
                     "the value out",
                     source, ev.start_mark.line + 1, ev.start_mark.column + 1,
                     (const char *)ev.data.alias.anchor);
            failed = 1;
            break;
        case YAML_SCALAR_EVENT:
            failed = on_scalar(&b, &ev) != 0;
            break;
        case YAML_SEQUENCE_START_EVENT:
            failed = open_container(&b, OMB_YAML_SEQ, &ev.start_mark) != 0;
            break;
        case YAML_MAPPING_START_EVENT:
            failed = open_container(&b, OMB_YAML_MAP, &ev.start_mark) != 0;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b.depth > 0) failed = close_container(&b) != 0;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    while (b.depth > 0) {
        struct frame *f = &b.stack[--b.depth];
        node_free(f->pending_key);
        node_free(f->node);
    }
    free(b.stack);
    if (failed) {
        node_free(b.root);
        omb_yaml_free(doc);
        return NULL;
    }
    doc->root = b.root;
    return doc;
}

struct omb_yaml_doc *omb_yaml_load_file(const char *path, char *err, size_t errlen)
{
    size_t len;
    int errnum;
    char *text = omb_yaml_read_all(path, &len, &errnum);
    if (!text) {
        if (err && errlen)
            snprintf(err, errlen, "cannot read YAML file '%s': %s", path, omb_yaml_errstr(errnum));
        return NULL;
    }
    struct omb_yaml_doc *doc = omb_yaml_load_string(text, len, path, err, errlen);
    free(text);
    return doc;
}

const struct omb_yaml_node *omb_yaml_get(const struct omb_yaml_node *map, const char *key)
{
    const struct omb_yaml_node *k = omb_yaml_get_key(map, key);
    if (!k) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i] == k) return map->values[i];
    return NULL;
}

const struct omb_yaml_node *omb_yaml_get_key(const struct omb_yaml_node *map, const char *key)
{
    if (!map || map->kind != OMB_YAML_MAP || !key) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i]->scalar && strcmp(map->keys[i]->scalar, key) == 0) return map->keys[i];
    return NULL;
}

bool omb_yaml_is_null(const struct omb_yaml_node *n)
{
    if (!n) return true;
    if (n->kind != OMB_YAML_SCALAR || !n->plain) return false;
    const char *s = n->scalar;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

void omb_yaml_quote(char *buf, size_t buflen, const char *s)
{
    /* Values from files end up in one-line messages: keep them short and printable. */
    enum { MAX_SHOWN = 60 };
    if (buflen == 0) return;
    size_t o = 0;
    if (o + 1 < buflen) buf[o++] = '\'';
    size_t i = 0;
    for (; s && s[i] && i < MAX_SHOWN && o + 5 < buflen; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (s && s[i]) {
        /* cut on a UTF-8 character boundary */
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) {
            i--;
            o--;
        }
    }
    if (s && s[i] && o + 4 < buflen) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    if (o + 1 < buflen) buf[o++] = '\'';
    buf[o] = '\0';
}
