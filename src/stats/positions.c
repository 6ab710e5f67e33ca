/* positions.c - offset sets per partition, and the per-consumer tracker that fills them. */
#include "stats/positions.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int omb_ranges_add(struct omb_ranges *s, int64_t lo, int64_t hi)
{
    if (lo >= hi) return 0;
    /* i: the first range that ends at or after lo (it may touch or overlap [lo, hi)). */
    size_t a = 0, b = s->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (s->r[m][1] < lo)
            a = m + 1;
        else
            b = m;
    }
    size_t i = a, j = a;
    while (j < s->n && s->r[j][0] <= hi) { /* every range touching [lo, hi) merges into it */
        if (s->r[j][0] < lo) lo = s->r[j][0];
        if (s->r[j][1] > hi) hi = s->r[j][1];
        j++;
    }
    if (i == j) { /* nothing to merge with: insert at i */
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 4;
            int64_t(*r)[2] = realloc(s->r, cap * sizeof *r);
            if (!r) return -1;
            s->r = r;
            s->cap = cap;
        }
        memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
        s->n++;
    } else if (j > i + 1) { /* ranges i..j-1 become one */
        memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof *s->r);
        s->n -= j - i - 1;
    }
    s->r[i][0] = lo;
    s->r[i][1] = hi;
    return 0;
}

int64_t omb_ranges_count(const struct omb_ranges *s)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->n; i++) n += s->r[i][1] - s->r[i][0];
    return n;
}

void omb_ranges_free(struct omb_ranges *s)
{
    free(s->r);
    memset(s, 0, sizeof *s);
}

int omb_positions_add(struct omb_positions *p, int32_t partition, int64_t lo, int64_t hi)
{
    if (partition < 0 || partition >= OMB_POSITIONS_MAX_PARTITIONS) return -1;
    size_t a = 0, b = p->nparts; /* the first entry with a partition >= this one */
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (p->part[m].partition < partition)
            a = m + 1;
        else
            b = m;
    }
    if (a == p->nparts || p->part[a].partition != partition) {
        if (p->nparts == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 8;
            struct omb_partition_ranges *v = realloc(p->part, cap * sizeof *v);
            if (!v) return -1;
            p->part = v;
            p->cap = cap;
        }
        memmove(&p->part[a + 1], &p->part[a], (p->nparts - a) * sizeof *p->part);
        memset(&p->part[a], 0, sizeof p->part[a]);
        p->part[a].partition = partition;
        p->nparts++;
    }
    return omb_ranges_add(&p->part[a].ranges, lo, hi);
}

int64_t omb_positions_count(const struct omb_positions *p)
{
    int64_t n = 0;
    for (size_t i = 0; i < p->nparts; i++) n += omb_ranges_count(&p->part[i].ranges);
    return n;
}

void omb_positions_free(struct omb_positions *p)
{
    for (size_t i = 0; i < p->nparts; i++) omb_ranges_free(&p->part[i].ranges);
    free(p->part);
    memset(p, 0, sizeof *p);
}

/* ---- the tracker ----------------------------------------------------------------------- */

/* Per stream (a partition, or a producer id on systems without offsets): an open run
 * [lo, hi) that the next offset extends without a lock, and the closed runs before it.
 * hi < 0: no open run yet. Only the writer changes lo, hi and the closed set; lo and the
 * closed set only under the lock. */
struct tracked {
    int32_t stream;
    int64_t lo;
    _Atomic int64_t hi;
    struct omb_ranges closed;
};

struct omb_position_tracker {
    pthread_mutex_t lock;
    struct tracked *parts; /* in order of first sight; replaced (under the lock) by the writer */
    size_t nparts, cap;
    /* Writer only: stream -> index into parts + 1 (0: empty), open addressing, so stream
     * numbers need not be dense (producer ids are random), and the last stream seen. */
    uint32_t *slots;
    size_t nslots;
    size_t last_index; /* into parts: the stream seen last */
};

static size_t slot_of(int32_t stream, size_t nslots)
{
    return (size_t)(((uint32_t)stream * 2654435761u) & (uint32_t)(nslots - 1));
}

/* The index of @p stream in t->parts, or (size_t)-1. Writer only, no lock. */
static size_t find_tracked(struct omb_position_tracker *t, int32_t stream)
{
    if (t->nparts && t->parts[t->last_index].stream == stream) return t->last_index;
    for (size_t i = t->nslots ? slot_of(stream, t->nslots) : 0; t->nslots && t->slots[i];
         i = (i + 1) & (t->nslots - 1))
        if (t->parts[t->slots[i] - 1].stream == stream) {
            t->last_index = t->slots[i] - 1;
            return t->last_index;
        }
    return (size_t)-1;
}

/* Adds @p stream to t->parts and the index. Caller holds t->lock. */
static int add_tracked(struct omb_position_tracker *t, int32_t stream, size_t *index)
{
    if (stream < 0 || stream >= OMB_POSITIONS_MAX_PARTITIONS) return -1;
    if (t->nparts == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        struct tracked *v = realloc(t->parts, cap * sizeof *v);
        if (!v) return -1;
        t->parts = v;
        t->cap = cap;
    }
    if (2 * (t->nparts + 1) > t->nslots) { /* keep the index at most half full */
        size_t n = t->nslots ? t->nslots * 2 : 16;
        uint32_t *sl = calloc(n, sizeof *sl);
        if (!sl) return -1;
        for (size_t k = 0; k < t->nparts; k++) {
            size_t i = slot_of(t->parts[k].stream, n);
            while (sl[i]) i = (i + 1) & (n - 1);
            sl[i] = (uint32_t)k + 1;
        }
        free(t->slots);
        t->slots = sl;
        t->nslots = n;
    }
    struct tracked *p = &t->parts[t->nparts];
    memset(p, 0, sizeof *p);
    p->stream = stream;
    atomic_init(&p->hi, -1);
    size_t i = slot_of(stream, t->nslots);
    while (t->slots[i]) i = (i + 1) & (t->nslots - 1);
    t->slots[i] = (uint32_t)t->nparts + 1;
    *index = t->nparts++;
    return 0;
}

struct omb_position_tracker *omb_position_tracker_new(void)
{
    struct omb_position_tracker *t = calloc(1, sizeof *t);
    if (t && pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void omb_position_tracker_destroy(struct omb_position_tracker *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->nparts; i++) omb_ranges_free(&t->parts[i].closed);
    free(t->parts);
    free(t->slots);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int omb_position_tracker_seen(struct omb_position_tracker *t, int32_t stream, int64_t offset)
{
    if (offset < 0) return -1;
    size_t k = find_tracked(t, stream);
    if (k != (size_t)-1) {
        struct tracked *p = &t->parts[k];
        if (atomic_load_explicit(&p->hi, memory_order_relaxed) == offset) {
            atomic_store_explicit(&p->hi, offset + 1, memory_order_relaxed);
            return 0;
        }
    }
    pthread_mutex_lock(&t->lock);
    int rc = -1;
    if (k != (size_t)-1 || add_tracked(t, stream, &k) == 0) {
        struct tracked *p = &t->parts[k];
        int64_t hi = atomic_load_explicit(&p->hi, memory_order_relaxed);
        /* Close the open run and start another at this offset (a jump, a re-read after a
         * rebalance, or the stream's first message). */
        if (hi < 0 || omb_ranges_add(&p->closed, p->lo, hi) == 0) {
            p->lo = offset;
            atomic_store_explicit(&p->hi, offset + 1, memory_order_relaxed);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int omb_position_tracker_read(struct omb_position_tracker *t, struct omb_positions *into)
{
    int rc = 0;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->nparts && rc == 0; i++) {
        struct tracked *p = &t->parts[i];
        for (size_t k = 0; k < p->closed.n && rc == 0; k++)
            rc = omb_positions_add(into, p->stream, p->closed.r[k][0], p->closed.r[k][1]);
        int64_t hi = atomic_load_explicit(&p->hi, memory_order_relaxed);
        if (hi >= 0 && rc == 0) rc = omb_positions_add(into, p->stream, p->lo, hi);
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}
