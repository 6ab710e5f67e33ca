/* strmap.c - see strmap.h. FNV-1a hashes; the table doubles at 1/2 load, so probes stay
 * short and a full table never occurs. */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The slot of @p key, or of the empty slot where it would go. cap > 0. */
static size_t slot(const char *const *keys, size_t cap, const char *key)
{
    size_t i = (size_t)hash(key) & (cap - 1);
    while (keys[i] && strcmp(keys[i], key)) i = (i + 1) & (cap - 1);
    return i;
}

void *omb_strmap_get(const struct omb_strmap *m, const char *key)
{
    if (!m->cap) return NULL;
    size_t i = slot(m->keys, m->cap, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

static int grow(struct omb_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    const char **keys = calloc(cap, sizeof *keys);
    void **vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(keys, cap, m->keys[i]);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int omb_strmap_put(struct omb_strmap *m, const char *key, void *val)
{
    if (2 * (m->n + 1) > m->cap && grow(m) != 0) return -1;
    size_t i = slot(m->keys, m->cap, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
    return 0;
}

void omb_strmap_free(struct omb_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
