/* recorder.c - see recorder.h. The reader empties each recorder's ring of samples and
 * computes its counters (and any dense counts) as "now minus what I saw last time", so
 * writers never reset anything and never wait. */
#include "stats/recorder.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/zpages.h"

struct omb_stats {
    uint64_t id; /* unique per process: thread caches key on it, not on the address */
    int digits;
    pthread_mutex_t lock; /* guards the recorder list (registration and reading) */
    struct omb_recorder *recorders;
    struct omb_hist *geometry[OMB_NSERIES];
    struct omb_stats_view cumulative; /* since the last reset */
    int64_t totals[OMB_NCOUNTERS];
};

static int64_t series_max(int s)
{
    return (s == OMB_E2E_LATENCY || s == OMB_E2E_LATENCY_CO) ? OMB_HIST_E2E_MAX_US
                                                             : OMB_HIST_PUB_MAX_US;
}

struct omb_stats *omb_stats_new(int significant_digits)
{
    struct omb_stats *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    static _Atomic uint64_t next_id = 1;
    s->id = atomic_fetch_add(&next_id, 1);
    s->digits = significant_digits;
    pthread_mutex_init(&s->lock, NULL);
    for (int i = 0; i < OMB_NSERIES; i++) {
        s->geometry[i] = omb_hist_new(1, series_max(i), significant_digits);
        if (!s->geometry[i]) goto fail;
        _Static_assert(OMB_NSERIES <= (1 << (32 - OMB_REC_INDEX_BITS)), "series fit a ring entry");
        if (s->geometry[i]->counts_len > (1 << OMB_REC_INDEX_BITS)) goto fail;
    }
    if (omb_stats_view_init(&s->cumulative, significant_digits) != 0) goto fail;
    return s;
fail:
    omb_stats_destroy(s);
    return NULL;
}

/* Bytes of one series' dense counts array (live or seen). */
static size_t counts_bytes(const struct omb_hist *geometry)
{
    return (size_t)geometry->counts_len * sizeof(int64_t);
}

#define RING_BYTES ((size_t)OMB_REC_RING_LEN * sizeof(uint32_t))

static void dense_free(struct omb_rec_dense *d, const struct omb_recorder *r)
{
    if (!d) return;
    for (int i = 0; i < OMB_NSERIES; i++) {
        size_t n = counts_bytes(r->geometry[i]);
        omb_zpages_free((void *)d->counts[i], n);
        omb_zpages_free(d->seen[i], n);
    }
    free(d);
}

static void recorder_free(struct omb_recorder *r)
{
    dense_free(atomic_load_explicit(&r->dense, memory_order_acquire), r);
    omb_zpages_free(r->ring, RING_BYTES);
    free(r);
}

void omb_stats_destroy(struct omb_stats *s)
{
    if (!s) return;
    struct omb_recorder *r = s->recorders;
    while (r) {
        struct omb_recorder *next = r->next;
        recorder_free(r);
        r = next;
    }
    omb_stats_view_free(&s->cumulative);
    for (int i = 0; i < OMB_NSERIES; i++) omb_hist_destroy(s->geometry[i]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static struct omb_recorder *recorder_new(struct omb_stats *s)
{
    struct omb_recorder *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    for (int i = 0; i < OMB_NSERIES; i++) r->geometry[i] = s->geometry[i];
    r->ring = omb_zpages_alloc(RING_BYTES); /* resident only where samples are written */
    if (!r->ring) {
        recorder_free(r);
        return NULL;
    }
    return r;
}

/* The owner's dense counts, allocated on first need (once per thread, and only for a thread
 * that records more than a ring's worth between two reads). */
static struct omb_rec_dense *dense_of(struct omb_recorder *r)
{
    struct omb_rec_dense *d = atomic_load_explicit(&r->dense, memory_order_relaxed);
    if (d) return d;
    d = calloc(1, sizeof *d);
    if (!d) abort(); /* out of memory while recording: nothing sensible to do */
    for (int i = 0; i < OMB_NSERIES; i++) {
        size_t n = counts_bytes(r->geometry[i]);
        d->counts[i] = omb_zpages_alloc(n);
        d->seen[i] = omb_zpages_alloc(n);
        if (!d->counts[i] || !d->seen[i]) abort();
        atomic_init(&d->max_index[i], -1);
    }
    /* Release: a reader that sees the pointer sees the arrays. */
    atomic_store_explicit(&r->dense, d, memory_order_release);
    return d;
}

void omb_rec_value_slow(struct omb_recorder *r, enum omb_series s, int32_t index)
{
    uint32_t h = r->ring_head;
    r->ring_tail_seen = atomic_load_explicit(&r->ring_tail, memory_order_acquire);
    if (h - r->ring_tail_seen < OMB_REC_RING_LEN) {
        r->ring[h & (OMB_REC_RING_LEN - 1)] = (uint32_t)s << OMB_REC_INDEX_BITS | (uint32_t)index;
        r->ring_head = h + 1;
        atomic_store_explicit(&r->ring_pub, h + 1, memory_order_release);
        return;
    }
    struct omb_rec_dense *d = dense_of(r);
    omb_rec_add(&d->counts[s][index], 1);
    if (index > atomic_load_explicit(&d->max_index[s], memory_order_relaxed))
        atomic_store_explicit(&d->max_index[s], index, memory_order_relaxed);
}

/* Each thread caches its recorder for the last stats object it recorded into, keyed by the
 * object's unique id (a new object may reuse a freed one's address). A thread that switches
 * between objects gets a fresh recorder each time it comes back; the old ones keep their
 * samples, so nothing is lost, and in omb a thread records into one object at a time. */
static _Thread_local uint64_t tls_stats_id;
static _Thread_local struct omb_recorder *tls_recorder;

struct omb_recorder *omb_stats_recorder(struct omb_stats *s)
{
    if (tls_stats_id == s->id) return tls_recorder;
    struct omb_recorder *r = recorder_new(s);
    if (!r) abort(); /* out of memory while recording: nothing sensible to do */
    pthread_mutex_lock(&s->lock);
    r->next = s->recorders;
    s->recorders = r;
    pthread_mutex_unlock(&s->lock);
    tls_stats_id = s->id;
    tls_recorder = r;
    return r;
}

int omb_stats_digits(const struct omb_stats *s) { return s->digits; }

int omb_stats_view_init(struct omb_stats_view *v, int digits)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < OMB_NSERIES; i++) {
        v->hist[i] = omb_hist_new(1, series_max(i), digits);
        if (!v->hist[i]) {
            omb_stats_view_free(v);
            return -1;
        }
    }
    return 0;
}

void omb_stats_view_free(struct omb_stats_view *v)
{
    for (int i = 0; i < OMB_NSERIES; i++) {
        omb_hist_destroy(v->hist[i]);
        v->hist[i] = NULL;
    }
}

void omb_stats_view_clear(struct omb_stats_view *v)
{
    memset(v->counters, 0, sizeof v->counters);
    memset(v->totals, 0, sizeof v->totals);
    memset(v->clamped, 0, sizeof v->clamped);
    memset(v->negative, 0, sizeof v->negative);
    for (int i = 0; i < OMB_NSERIES; i++)
        if (v->hist[i]) omb_hist_reset(v->hist[i]);
}

void omb_stats_view_add(struct omb_stats_view *dst, const struct omb_stats_view *src)
{
    for (int i = 0; i < OMB_NCOUNTERS; i++) {
        dst->counters[i] += src->counters[i];
        dst->totals[i] += src->totals[i];
    }
    for (int i = 0; i < OMB_NSERIES; i++) {
        dst->clamped[i] += src->clamped[i];
        dst->negative[i] += src->negative[i];
        omb_hist_add(dst->hist[i], src->hist[i]);
    }
}

/* Hands back to the kernel the ring's pages that entries [t, h) filled: the owner writes
 * only outside that range until it sees the new tail, so whole pages inside it are free. */
static void release_consumed(struct omb_recorder *r, uint32_t t, uint32_t h)
{
    uint32_t n = h - t, at = t & (OMB_REC_RING_LEN - 1);
    uint32_t first = n < OMB_REC_RING_LEN - at ? n : OMB_REC_RING_LEN - at;
    omb_zpages_release(r->ring + at, (size_t)first * sizeof *r->ring);
    if (n > first) omb_zpages_release(r->ring, (size_t)(n - first) * sizeof *r->ring);
}

/* Adds what @p r recorded since the last look into @p out; @p advance: mark it seen (a
 * period read) or leave it for the next period read (a peek). Caller holds s->lock. */
static void drain_recorder(struct omb_recorder *r, struct omb_stats_view *out, int advance)
{
    for (int c = 0; c < OMB_NCOUNTERS; c++) {
        int64_t now = atomic_load_explicit(&r->counters[c], memory_order_relaxed);
        out->counters[c] += now - r->seen_counters[c];
        if (advance) r->seen_counters[c] = now;
    }
    for (int i = 0; i < OMB_NSERIES; i++) {
        int64_t now = atomic_load_explicit(&r->clamped[i], memory_order_relaxed);
        out->clamped[i] += now - r->seen_clamped[i];
        if (advance) r->seen_clamped[i] = now;
        now = atomic_load_explicit(&r->negative[i], memory_order_relaxed);
        out->negative[i] += now - r->seen_negative[i];
        if (advance) r->seen_negative[i] = now;
    }

    uint32_t t = atomic_load_explicit(&r->ring_tail, memory_order_relaxed); /* ours */
    uint32_t h = atomic_load_explicit(&r->ring_pub, memory_order_acquire);
    for (uint32_t k = t; k != h; k++) {
        uint32_t e = r->ring[k & (OMB_REC_RING_LEN - 1)];
        int s = (int)(e >> OMB_REC_INDEX_BITS);
        int32_t index = (int32_t)(e & ((1u << OMB_REC_INDEX_BITS) - 1));
        omb_hist_record_n(out->hist[s], omb_hist_value_at_index(r->geometry[s], index), 1);
    }
    if (advance && h != t) {
        release_consumed(r, t, h);
        atomic_store_explicit(&r->ring_tail, h, memory_order_release);
    }

    struct omb_rec_dense *d = atomic_load_explicit(&r->dense, memory_order_acquire);
    if (!d) return;
    for (int i = 0; i < OMB_NSERIES; i++) {
        int32_t top = atomic_load_explicit(&d->max_index[i], memory_order_relaxed);
        int64_t *seen = d->seen[i];
        for (int32_t k = 0; k <= top; k++) {
            int64_t cur = atomic_load_explicit(&d->counts[i][k], memory_order_relaxed);
            if (cur != seen[k]) {
                omb_hist_record_n(out->hist[i], omb_hist_value_at_index(r->geometry[i], k),
                                  cur - seen[k]);
                if (advance) seen[k] = cur;
            }
        }
    }
}

void omb_stats_read_period(struct omb_stats *s, struct omb_stats_view *period)
{
    omb_stats_view_clear(period);
    pthread_mutex_lock(&s->lock);
    for (struct omb_recorder *r = s->recorders; r; r = r->next) drain_recorder(r, period, 1);
    for (int c = 0; c < OMB_NCOUNTERS; c++) {
        s->totals[c] += period->counters[c];
        period->totals[c] = s->totals[c];
    }
    /* Keep cumulative totals out of the add: they are tracked in s->totals. */
    int64_t keep[OMB_NCOUNTERS];
    memcpy(keep, s->cumulative.totals, sizeof keep);
    omb_stats_view_add(&s->cumulative, period);
    memcpy(s->cumulative.totals, keep, sizeof keep);
    pthread_mutex_unlock(&s->lock);
}

void omb_stats_read_totals(struct omb_stats *s, int64_t totals[OMB_NCOUNTERS])
{
    memset(totals, 0, OMB_NCOUNTERS * sizeof *totals);
    pthread_mutex_lock(&s->lock);
    /* Recorder counters only grow (reads remember what they saw), so their sum is the
     * total, whatever was read before. */
    for (struct omb_recorder *r = s->recorders; r; r = r->next)
        for (int c = 0; c < OMB_NCOUNTERS; c++)
            totals[c] += atomic_load_explicit(&r->counters[c], memory_order_relaxed);
    pthread_mutex_unlock(&s->lock);
}

void omb_stats_read_cumulative(struct omb_stats *s, struct omb_stats_view *out)
{
    omb_stats_view_clear(out);
    pthread_mutex_lock(&s->lock);
    /* Peek at what no period read has collected yet, so the tail of the run is included
     * here and still reported by the next period read. */
    for (struct omb_recorder *r = s->recorders; r; r = r->next) drain_recorder(r, out, 0);
    int64_t pending[OMB_NCOUNTERS];
    memcpy(pending, out->counters, sizeof pending);
    omb_stats_view_add(out, &s->cumulative);
    for (int c = 0; c < OMB_NCOUNTERS; c++) out->totals[c] = s->totals[c] + pending[c];
    pthread_mutex_unlock(&s->lock);
}

void omb_stats_reset(struct omb_stats *s)
{
    struct omb_stats_view discard;
    if (omb_stats_view_init(&discard, s->digits) == 0) {
        omb_stats_read_period(s, &discard);
        omb_stats_view_free(&discard);
    }
    pthread_mutex_lock(&s->lock);
    omb_stats_view_clear(&s->cumulative);
    pthread_mutex_unlock(&s->lock);
}
