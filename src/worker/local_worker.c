/* local_worker.c - producers spread over a bounded set of sender threads, each holding its
 * share of the total rate on one schedule; completions and deliveries recorded per thread. */
#include "worker/local_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "drivers/envelope.h"
#include "load/keys.h"
#include "load/schedule.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strmap.h"
#include "util/rand.h"

struct local_worker;

/* The clock offsets of the workers this one receives from (distributed runs), as the
 * coordinator estimated them: immutable once published, so consumer threads read it with
 * one atomic load and no lock. */
struct clock_table {
    struct clock_table *retired; /* replaced tables, freed when the consumers are closed */
    size_t n;
    struct omb_clock_peer peer[];
};

/* The statistics (sent, errors, received, bytes, latencies) live in the recorder, and
 * nowhere else. The counters below are for the worker's own bookkeeping: how many sends
 * are still in flight (flush) and what each topic's producers had acknowledged (the
 * delivery check). Written by one thread at a time (the producer's sending or completing
 * thread, the consumer's delivering thread) and read by the coordinator's thread. */
struct lw_producer {
    struct local_worker *w;
    struct omb_producer *p;
    const char *topic;
    int32_t id;                /* envelope producer id: random, unique in this worker */
    int64_t next_seq;          /* envelope sequence of the next send (the sending thread's) */
    _Atomic int64_t submitted; /* sends accepted by the driver */
    _Atomic int64_t acked;
    _Atomic int64_t failed; /* accepted, then failed */
    struct omb_key_state keys;
};

struct lw_consumer {
    struct local_worker *w;
    struct omb_consumer *c;
    size_t sub; /* index into w->subs */
    _Atomic int64_t received;
    struct omb_position_tracker *positions;
    _Atomic int64_t unpositioned; /* received without a position (or with no memory for it) */
    _Atomic int64_t foreign;      /* received, not sent by omb (driver.h): not checked */
};

struct lw_sender {
    struct local_worker *w;
    pthread_t thread;
    bool running;
    struct lw_producer **prods;
    size_t nprods;
    double share; /* this thread's fraction of the worker's rate */
    uint64_t rng;
};

struct local_worker {
    struct omb_worker base;
    struct omb_local_worker_options opt;
    const struct omb_driver_ops *ops;
    struct omb_driver *drv;
    struct omb_stats *stats;

    char **topics; /* topics this worker created (deleted at stop) */
    size_t ntopics;
    struct lw_producer **prods;
    size_t nprods;
    struct lw_consumer **cons;
    size_t ncons;
    struct omb_topic_sub *subs; /* distinct (topic, subscription) pairs */
    size_t nsubs;
    /* "topic\x1fsubscription" -> index + 1 in subs (the keys are sub_keys[i]): a million
     * consumers are set up in linear time. */
    struct omb_strmap sub_index;
    char **sub_keys;
    int32_t producer_id_base;            /* random; producer i of this worker is base + i */
    _Atomic(struct clock_table *) clock; /* NULL: every sender shares our clock */

    struct lw_sender *senders;
    size_t nsenders;
    unsigned char **payloads; /* owned copies, alive until producers are closed */
    size_t npayloads;
    size_t payload_size;
    enum omb_key_distributor key_kind;

    _Atomic int stop;
    _Atomic double rate; /* worker total, read by senders when rate_seq moves */
    _Atomic uint32_t rate_seq;
    bool stopped_all;
};

static struct local_worker *lw_of(struct omb_worker *w) { return (struct local_worker *)w; }

static void on_send_done(void *ctx, const struct omb_msg_meta *m, size_t bytes, int err,
                         int64_t now_ns)
{
    struct lw_producer *p = ctx;
    struct omb_recorder *r = omb_stats_recorder(p->w->stats);
    if (err) {
        omb_rec_count(r, OMB_C_SEND_ERRORS, 1);
        omb_rec_add(&p->failed, 1);
        return;
    }
    omb_rec_count(r, OMB_C_SENT, 1);
    omb_rec_count(r, OMB_C_BYTES_SENT, (int64_t)bytes);
    omb_rec_value(r, OMB_PUB_LATENCY, (now_ns - m->sent_ns) / 1000);
    omb_rec_value(r, OMB_PUB_DELAY, (m->sent_ns - m->intended_ns) / 1000);
    omb_rec_value(r, OMB_PUB_LATENCY_CO, (now_ns - m->intended_ns) / 1000);
    omb_rec_add(&p->acked, 1);
}

/* How far the clock that stamped a message from producer @p id is ahead of ours (0 when
 * it is ours, or not known). A handful of ranges, one per producing worker: a linear scan. */
static int64_t sender_clock_ahead(struct local_worker *w, int32_t id)
{
    const struct clock_table *t = atomic_load_explicit(&w->clock, memory_order_acquire);
    if (!t || id < 0) return 0;
    for (size_t i = 0; i < t->n; i++) {
        int64_t d = (int64_t)id - t->peer[i].base;
        if (d < 0) d += OMB_PRODUCER_ID_SPACE; /* the range wraps around */
        if (d < t->peer[i].count) return t->peer[i].offset_ns;
    }
    return 0;
}

static void on_receive(void *ctx, const struct omb_delivered *m)
{
    struct lw_consumer *c = ctx;
    struct omb_recorder *r = omb_stats_recorder(c->w->stats);
    omb_rec_count(r, OMB_C_RECEIVED, 1);
    omb_rec_count(r, OMB_C_BYTES_RECEIVED, (int64_t)m->bytes);
    /* Send times read on another worker's clock, brought to ours. What is still negative
     * after that is counted as such by the recorder, not recorded as 0. */
    int64_t ahead = sender_clock_ahead(c->w, m->producer);
    if (m->publish_ns > 0)
        omb_rec_value(r, OMB_E2E_LATENCY, (m->now_ns - (m->publish_ns - ahead)) / 1000);
    if (m->intended_ns > 0)
        omb_rec_value(r, OMB_E2E_LATENCY_CO, (m->now_ns - (m->intended_ns - ahead)) / 1000);
    if (m->foreign) {
        omb_rec_add(&c->foreign, 1);
        return; /* not one of the run's messages: the delivery check does not count it */
    }
    if (m->offset < 0 || omb_position_tracker_seen(c->positions, m->partition, m->offset) != 0)
        omb_rec_add(&c->unpositioned, 1);
    /* Release: whoever reads this count then sees the position recorded above. */
    atomic_store_explicit(&c->received,
                          atomic_load_explicit(&c->received, memory_order_relaxed) + 1,
                          memory_order_release);
}

/* ---- sending ------------------------------------------------------------------------- */

static void serve_completions(struct lw_sender *s)
{
    if (!omb_drv_has_poll(s->w->ops)) return;
    for (size_t i = 0; i < s->nprods; i++) omb_drv_poll(s->w->ops, s->prods[i]->p, 0);
}

/* Ahead of schedule: serve completions while waiting, then sleep until the due time. */
static void wait_for(struct lw_sender *s, int64_t due, int64_t now)
{
    const struct omb_driver_ops *ops = s->w->ops;
    int64_t gap = due - now;
    if (gap > 2000000 && omb_drv_has_poll(ops) && s->nprods == 1) {
        /* One producer: block in the client's poll (wakes at once for a completion). */
        int64_t ms = gap / 1000000 - 1;
        omb_drv_poll(ops, s->prods[0]->p, (int)(ms > 50 ? 50 : ms));
        return;
    }
    serve_completions(s);
    now = omb_now_ns();
    if (due - now > 1000000) {
        omb_sleep_until_ns(now + 1000000); /* come back to poll at least every ms */
        return;
    }
    omb_sleep_until_ns(due);
}

static void *sender_main(void *arg)
{
    struct lw_sender *s = arg;
    struct local_worker *w = s->w;
    const struct omb_driver_ops *ops = w->ops;
    /* Default timer slack (50 us) would make every scheduled wake-up that late. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    uint32_t seq = atomic_load(&w->rate_seq);
    struct omb_schedule sched;
    omb_schedule_start(&sched, omb_now_ns(), atomic_load(&w->rate) * s->share);
    size_t next = 0;
    uint64_t sent_since_poll = 0;

    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        uint32_t cur = atomic_load_explicit(&w->rate_seq, memory_order_acquire);
        if (cur != seq) {
            seq = cur;
            omb_schedule_set_rate(&sched, atomic_load(&w->rate) * s->share);
        }
        int64_t due = omb_schedule_due(&sched);
        int64_t now = omb_now_ns();
        if (now < due) {
            wait_for(s, due, now);
            continue;
        }
        struct lw_producer *p = s->prods[next];
        next = next + 1 == s->nprods ? 0 : next + 1;
        size_t keylen;
        const char *key = omb_key_next(&p->keys, &keylen);
        const unsigned char *payload = w->payloads[0];
        if (w->npayloads > 1) {
            s->rng ^= s->rng << 13;
            s->rng ^= s->rng >> 7;
            s->rng ^= s->rng << 17;
            payload = w->payloads[s->rng % w->npayloads];
        }
        struct omb_msg_meta meta = {
            .intended_ns = due, .sent_ns = now, .producer = p->id, .seq = p->next_seq};
        int rc;
        while ((rc = ops->send(p->p, key, keylen, payload, w->payload_size, &meta)) ==
               OMB_DRV_QUEUE_FULL) {
            /* The client cannot take more: wait for completions. The time spent here is
             * schedule lag and shows up as publish delay. */
            if (omb_drv_has_poll(ops))
                omb_drv_poll(ops, p->p, 1);
            else
                omb_sleep_ns(100000);
            if (atomic_load_explicit(&w->stop, memory_order_relaxed)) break;
            meta.sent_ns = omb_now_ns();
        }
        if (rc == OMB_DRV_OK) {
            omb_rec_add(&p->submitted, 1);
            p->next_seq++;
        } else if (rc == OMB_DRV_ERR) {
            omb_rec_count(omb_stats_recorder(w->stats), OMB_C_SEND_ERRORS, 1);
        }
        omb_schedule_advance(&sched);
        if (++sent_since_poll == 256) {
            sent_since_poll = 0;
            serve_completions(s);
        }
    }
    return NULL;
}

/* ---- operations ---------------------------------------------------------------------- */

static int lw_initialize_driver(struct omb_worker *wk, const struct omb_driver_conf *conf,
                                char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (w->drv) {
        snprintf(err, errlen, "the driver is already initialized");
        return -1;
    }
    const struct omb_driver_ops *ops = omb_driver_lookup(conf->driver_class, err, errlen);
    if (!ops) return -1;
    if (ops->init(conf, &w->drv, err, errlen) != 0) return -1;
    w->ops = ops;
    w->stopped_all = false;
    return 0;
}

static int need_driver(struct local_worker *w, char *err, size_t errlen)
{
    if (w->drv) return 0;
    snprintf(err, errlen, "no driver is initialized on this worker");
    return -1;
}

static int lw_create_topics(struct omb_worker *wk, int n, int partitions, char ***names, char *err,
                            size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (need_driver(w, err, errlen)) return -1;
    char **list = calloc((size_t)n, sizeof *list);
    char **all = realloc(w->topics, (w->ntopics + (size_t)n) * sizeof *all);
    if (!list || !all) {
        free(list);
        if (all) w->topics = all;
        snprintf(err, errlen, "out of memory creating %d topic names", n);
        return -1;
    }
    w->topics = all;
    for (int i = 0; i < n; i++) {
        char rnd[8], name[256];
        omb_random_name(rnd, 7);
        /* Numbered on from the topics made before: setup comes in chunks (run.c). */
        snprintf(name, sizeof name, "%s-%07zu-%s", w->ops->topic_prefix, w->ntopics + (size_t)i,
                 rnd);
        list[i] = strdup(name);
    }
    int rc = w->ops->create_topics(w->drv, (const char *const *)list, (size_t)n, partitions, err,
                                   errlen);
    if (rc != 0) {
        for (int i = 0; i < n; i++) free(list[i]);
        free(list);
        return -1;
    }
    for (int i = 0; i < n; i++) w->topics[w->ntopics++] = strdup(list[i]);
    *names = list;
    return 0;
}

/* Existing topics are not added to w->topics: the worker deletes only what it created. */
static int lw_use_existing_topics(struct omb_worker *wk, char *const *topics, size_t n,
                                  int *partitions, char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (need_driver(w, err, errlen)) return -1;
    if (!w->ops->use_existing_topics) {
        snprintf(err, errlen, "the %s driver cannot run on existing topics; it creates its own",
                 w->ops->name);
        return -1;
    }
    return w->ops->use_existing_topics(w->drv, (const char *const *)topics, n, partitions, err,
                                       errlen) == OMB_DRV_OK
               ? 0
               : -1;
}

/* An envelope producer id, unique in this worker: a random base (drawn per run) plus the
 * producer's index, so ids are found in constant time. Random, not counted from 0, so that
 * producers of one topic on different workers differ too (the delivery check counts
 * (producer, sequence) pairs across workers): two workers' ranges of n ids overlap with
 * probability about 2n / 2^31. */
static int32_t new_producer_id(struct local_worker *w)
{
    if (!w->nprods)
        w->producer_id_base = (int32_t)(omb_random_seed() % (uint64_t)OMB_PRODUCER_ID_SPACE);
    return (int32_t)(((int64_t)w->producer_id_base + (int64_t)w->nprods) % OMB_PRODUCER_ID_SPACE);
}

static int lw_create_producers(struct omb_worker *wk, char *const *topics, size_t n, char *err,
                               size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (need_driver(w, err, errlen)) return -1;
    struct lw_producer **all = realloc(w->prods, (w->nprods + n) * sizeof *all);
    if (!all) {
        snprintf(err, errlen, "out of memory creating producers");
        return -1;
    }
    w->prods = all;
    for (size_t i = 0; i < n; i++) {
        struct lw_producer *p = calloc(1, sizeof *p);
        if (!p) {
            snprintf(err, errlen, "out of memory creating producers");
            return -1;
        }
        p->w = w;
        p->topic = strdup(topics[i]);
        p->id = new_producer_id(w);
        omb_key_state_init(&p->keys, OMB_KEYS_NO_KEY, omb_random_seed());
        if (w->ops->create_producer(w->drv, topics[i], on_send_done, p, &p->p, err, errlen)) {
            free((void *)p->topic);
            free(p);
            return -1;
        }
        w->prods[w->nprods++] = p;
    }
    return 0;
}

/* Frees the subscriptions from index @p from on (not the index map). */
static void free_subs_from(struct local_worker *w, size_t from)
{
    for (size_t s = from; s < w->nsubs; s++) {
        free(w->subs[s].topic);
        free(w->subs[s].subscription);
        free(w->sub_keys[s]);
    }
    w->nsubs = from;
}

/* The index of (topic, subscription) in w->subs, added when new; SIZE_MAX when out of
 * memory. w->subs and w->sub_keys have room for one more. */
static size_t find_sub(struct local_worker *w, const struct omb_topic_sub *ts)
{
    size_t tl = strlen(ts->topic), sl = strlen(ts->subscription);
    char *key = malloc(tl + sl + 2);
    if (!key) return SIZE_MAX;
    memcpy(key, ts->topic, tl);
    key[tl] = '\x1f'; /* in neither name (topic and subscription names are printable) */
    memcpy(key + tl + 1, ts->subscription, sl + 1);
    uintptr_t found = (uintptr_t)omb_strmap_get(&w->sub_index, key);
    if (found) {
        free(key);
        return (size_t)found - 1;
    }
    size_t s = w->nsubs;
    w->subs[s].topic = strdup(ts->topic);
    w->subs[s].subscription = strdup(ts->subscription);
    w->sub_keys[s] = key;
    w->nsubs++;
    if (!w->subs[s].topic || !w->subs[s].subscription ||
        omb_strmap_put(&w->sub_index, key, (void *)(uintptr_t)(s + 1)) != 0) {
        free_subs_from(w, s);
        return SIZE_MAX;
    }
    return s;
}

static int lw_create_consumers(struct omb_worker *wk, const struct omb_topic_sub *ts, size_t n,
                               char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (need_driver(w, err, errlen)) return -1;
    struct lw_consumer **all = realloc(w->cons, (w->ncons + n) * sizeof *all);
    struct omb_topic_sub *subs = realloc(w->subs, (w->nsubs + n) * sizeof *subs);
    if (all) w->cons = all;
    if (subs) w->subs = subs;
    char **keys = realloc(w->sub_keys, (w->nsubs + n) * sizeof *keys);
    if (keys) w->sub_keys = keys;
    if (!all || !subs || !keys) {
        snprintf(err, errlen, "out of memory creating consumers");
        return -1;
    }
    /* A failure undoes this call's consumers and subscriptions: nothing half-done is left
     * registered (the delivery check would wait for a subscription with no consumer). */
    size_t ncons0 = w->ncons, nsubs0 = w->nsubs;
    for (size_t i = 0; i < n; i++) {
        size_t s = find_sub(w, &ts[i]);
        if (s == SIZE_MAX) {
            snprintf(err, errlen, "out of memory creating consumers");
            goto undo;
        }
        struct lw_consumer *c = calloc(1, sizeof *c);
        if (!c || !(c->positions = omb_position_tracker_new())) {
            free(c);
            snprintf(err, errlen, "out of memory creating consumers");
            goto undo;
        }
        c->w = w;
        c->sub = s;
        if (w->ops->create_consumer(w->drv, ts[i].topic, ts[i].subscription, on_receive, c, &c->c,
                                    err, errlen)) {
            omb_position_tracker_destroy(c->positions);
            free(c);
            goto undo;
        }
        w->cons[w->ncons++] = c;
    }
    return 0;
undo:
    for (size_t i = ncons0; i < w->ncons; i++) {
        w->ops->close_consumer(w->cons[i]->c);
        omb_position_tracker_destroy(w->cons[i]->positions);
        free(w->cons[i]);
    }
    w->ncons = ncons0;
    if (w->nsubs > nsubs0) {
        /* The map cannot drop entries: it is rebuilt from the subscriptions kept. */
        free_subs_from(w, nsubs0);
        omb_strmap_free(&w->sub_index);
        for (size_t s = 0; s < w->nsubs; s++)
            (void)omb_strmap_put(&w->sub_index, w->sub_keys[s], (void *)(uintptr_t)(s + 1));
    }
    return -1;
}

/* Waits until every accepted send has completed, serving completions on this thread. */
static int flush_producers(struct local_worker *w, int timeout_ms)
{
    int64_t deadline = omb_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        int64_t pending = 0;
        for (size_t i = 0; i < w->nprods; i++) {
            struct lw_producer *p = w->prods[i];
            omb_drv_poll(w->ops, p->p, 0);
            pending +=
                atomic_load(&p->submitted) - atomic_load(&p->acked) - atomic_load(&p->failed);
        }
        if (pending <= 0) return 0;
        if (omb_now_ns() > deadline) return -1;
        omb_sleep_ns(1000000);
    }
}

static int lw_probe_producers(struct omb_worker *wk, char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (need_driver(w, err, errlen)) return -1;
    /* Envelope-sized, so it travels as every message does (no header fallback). */
    static const unsigned char probe[OMB_ENVELOPE_LEN];
    for (size_t i = 0; i < w->nprods; i++) {
        struct lw_producer *p = w->prods[i];
        int64_t now = omb_now_ns();
        struct omb_msg_meta meta = {
            .intended_ns = now, .sent_ns = now, .producer = p->id, .seq = p->next_seq};
        int rc;
        while ((rc = w->ops->send(p->p, NULL, 0, probe, sizeof probe, &meta)) == OMB_DRV_QUEUE_FULL)
            omb_drv_poll(w->ops, p->p, 10);
        if (rc != OMB_DRV_OK) {
            snprintf(err, errlen, "producer on topic '%s' could not send its probe message",
                     p->topic);
            return -1;
        }
        omb_rec_add(&p->submitted, 1);
        p->next_seq++;
    }
    if (flush_producers(w, 30000) != 0) {
        snprintf(err, errlen, "probe messages were not acknowledged within 30 s");
        return -1;
    }
    for (size_t i = 0; i < w->nprods; i++)
        if (atomic_load(&w->prods[i]->failed) > 0) {
            snprintf(err, errlen, "the probe message of a producer on topic '%s' failed",
                     w->prods[i]->topic);
            return -1;
        }
    return 0;
}

static size_t default_sender_threads(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus >= 4 ? (size_t)(cpus / 2) : 1;
}

static int lw_start_load(struct omb_worker *wk, const struct omb_load_spec *spec, char *err,
                         size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (need_driver(w, err, errlen)) return -1;
    if (w->nsenders) {
        snprintf(err, errlen, "the load is already running");
        return -1;
    }
    if (w->nprods == 0) return 0; /* a consumer-only worker */
    if (spec->npayloads == 0 || spec->payload_size == 0) {
        snprintf(err, errlen, "start-load needs at least one non-empty payload");
        return -1;
    }
    w->payloads = calloc(spec->npayloads, sizeof *w->payloads);
    if (!w->payloads) goto oom;
    for (size_t i = 0; i < spec->npayloads; i++) {
        w->payloads[i] = malloc(spec->payload_size);
        if (!w->payloads[i]) goto oom;
        memcpy(w->payloads[i], spec->payloads[i], spec->payload_size);
        w->npayloads++;
    }
    w->payload_size = spec->payload_size;
    for (size_t i = 0; i < w->nprods; i++)
        omb_key_state_init(&w->prods[i]->keys, spec->keys, omb_random_seed());
    atomic_store(&w->rate, spec->rate);

    size_t nthreads =
        w->opt.sender_threads > 0 ? (size_t)w->opt.sender_threads : default_sender_threads();
    if (nthreads > w->nprods) nthreads = w->nprods;
    w->senders = calloc(nthreads, sizeof *w->senders);
    if (!w->senders) goto oom;
    for (size_t t = 0; t < nthreads; t++) {
        struct lw_sender *s = &w->senders[t];
        s->w = w;
        s->rng = omb_random_seed();
        s->prods = calloc(w->nprods / nthreads + 1, sizeof *s->prods);
        if (!s->prods) goto oom;
    }
    for (size_t i = 0; i < w->nprods; i++) {
        struct lw_sender *s = &w->senders[i % nthreads];
        s->prods[s->nprods++] = w->prods[i];
    }
    w->nsenders = nthreads;
    atomic_store(&w->stop, 0);
    for (size_t t = 0; t < nthreads; t++) {
        struct lw_sender *s = &w->senders[t];
        s->share = (double)s->nprods / (double)w->nprods;
        int rc = pthread_create(&s->thread, NULL, sender_main, s);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start a sender thread: %s", strerror(rc));
            return -1;
        }
        s->running = true;
    }
    omb_info("Started %zu sender thread(s) for %zu producer(s)", nthreads, w->nprods);
    return 0;
oom:
    snprintf(err, errlen, "out of memory starting the load");
    return -1;
}

static int lw_adjust_rate(struct omb_worker *wk, double rate, char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    atomic_store(&w->rate, rate);
    atomic_fetch_add_explicit(&w->rate_seq, 1, memory_order_release);
    return 0;
}

static int pause_resume(struct local_worker *w, bool pause, char *err, size_t errlen)
{
    if (need_driver(w, err, errlen)) return -1;
    if (!omb_drv_can_pause(w->ops)) {
        snprintf(err, errlen, "the %s driver cannot %s consumers", w->ops->name,
                 pause ? "pause" : "resume");
        return -1;
    }
    for (size_t i = 0; i < w->ncons; i++)
        if (omb_drv_pause(w->ops, w->cons[i]->c, pause) != 0) {
            snprintf(err, errlen, "could not %s a consumer of subscription '%s'",
                     pause ? "pause" : "resume", w->subs[w->cons[i]->sub].subscription);
            return -1;
        }
    return 0;
}

static int lw_pause(struct omb_worker *wk, char *err, size_t errlen)
{
    return pause_resume(lw_of(wk), true, err, errlen);
}

static int lw_resume(struct omb_worker *wk, char *err, size_t errlen)
{
    return pause_resume(lw_of(wk), false, err, errlen);
}

static int lw_period_stats(struct omb_worker *wk, struct omb_stats_view *out, char *err,
                           size_t errlen)
{
    omb_stats_read_period(lw_of(wk)->stats, out);
    return 0;
}

static int lw_cumulative(struct omb_worker *wk, struct omb_stats_view *out, char *err,
                         size_t errlen)
{
    omb_stats_read_cumulative(lw_of(wk)->stats, out);
    return 0;
}

static int lw_counters(struct omb_worker *wk, struct omb_stats_view *out, char *err, size_t errlen)
{
    /* Totals from the recorders, where the period stats come from: one count per event. */
    omb_stats_read_totals(lw_of(wk)->stats, out->totals);
    return 0;
}

static int lw_reset_stats(struct omb_worker *wk, char *err, size_t errlen)
{
    omb_stats_reset(lw_of(wk)->stats);
    return 0;
}

static void join_senders(struct local_worker *w)
{
    atomic_store(&w->stop, 1);
    for (size_t t = 0; t < w->nsenders; t++) {
        if (w->senders[t].running) pthread_join(w->senders[t].thread, NULL);
        w->senders[t].running = false;
    }
}

static int lw_stop_producers(struct omb_worker *wk, int timeout_ms, char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    if (!w->drv) return 0;
    join_senders(w);
    if (flush_producers(w, timeout_ms) != 0) {
        int64_t pending = 0;
        for (size_t i = 0; i < w->nprods; i++)
            pending += atomic_load(&w->prods[i]->submitted) - atomic_load(&w->prods[i]->acked) -
                       atomic_load(&w->prods[i]->failed);
        snprintf(err, errlen,
                 "%lld sent message(s) were neither acknowledged nor failed %d ms "
                 "after the load stopped",
                 (long long)pending, timeout_ms);
        return -1;
    }
    return 0;
}

static int lw_delivery(struct omb_worker *wk, struct omb_delivery **out, size_t *n, char *err,
                       size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    struct omb_delivery *d = calloc(w->nsubs ? w->nsubs : 1, sizeof *d);
    /* Acknowledged per topic, summed once over the producers (linear: a million
     * subscriptions and producers are polled every 100 ms while waiting for probes). */
    int64_t *acked = calloc(w->nsubs ? w->nsubs : 1, sizeof *acked);
    struct omb_strmap topic_slot = {0}; /* topic -> 1 + its index in acked */
    size_t ntopic_slots = 0;
    bool ok = d && acked;
    for (size_t s = 0; ok && s < w->nsubs; s++)
        if (!omb_strmap_get(&topic_slot, w->subs[s].topic))
            ok = omb_strmap_put(&topic_slot, w->subs[s].topic, (void *)(uintptr_t)++ntopic_slots) ==
                 0;
    if (!ok) {
        free(d);
        free(acked);
        omb_strmap_free(&topic_slot);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < w->nprods; i++) {
        uintptr_t slot = (uintptr_t)omb_strmap_get(&topic_slot, w->prods[i]->topic);
        if (slot) acked[slot - 1] += atomic_load(&w->prods[i]->acked);
    }
    for (size_t s = 0; s < w->nsubs; s++) {
        d[s].topic = strdup(w->subs[s].topic);
        d[s].subscription = strdup(w->subs[s].subscription);
        d[s].acknowledged = acked[(uintptr_t)omb_strmap_get(&topic_slot, w->subs[s].topic) - 1];
    }
    free(acked);
    omb_strmap_free(&topic_slot);
    /* Counts first, positions after: every message counted is then among the positions. */
    for (size_t s = 0; s < w->nsubs; s++) d[s].positioned = true;
    for (size_t i = 0; i < w->ncons; i++) {
        struct lw_consumer *c = w->cons[i];
        struct omb_delivery *x = &d[c->sub];
        x->received += atomic_load_explicit(&c->received, memory_order_acquire);
        x->foreign += atomic_load_explicit(&c->foreign, memory_order_relaxed);
        if (atomic_load_explicit(&c->unpositioned, memory_order_relaxed) > 0 ||
            omb_position_tracker_read(c->positions, &x->positions) != 0)
            x->positioned = false;
    }
    for (size_t s = 0; s < w->nsubs; s++)
        if (d[s].positioned) d[s].distinct = omb_positions_count(&d[s].positions);
    *out = d;
    *n = w->nsubs;
    return 0;
}

static void free_load(struct local_worker *w)
{
    for (size_t t = 0; t < w->nsenders; t++) free(w->senders[t].prods);
    free(w->senders);
    w->senders = NULL;
    w->nsenders = 0;
    for (size_t i = 0; i < w->npayloads; i++) free(w->payloads[i]);
    free(w->payloads);
    w->payloads = NULL;
    w->npayloads = 0;
}

/* Closing consumers one after another makes each close a group rebalance for the rest
 * (40 Kafka consumers of one group took minutes): they are closed together by a pool of up
 * to CLOSE_THREADS threads (one each for any realistic group; a thread per consumer cost
 * 6 s for 40,000 loopback consumers), with a deadline after which the ones still closing
 * are counted and left. */
#define CLOSE_DEADLINE_S 30
#define CLOSE_THREADS    256

struct closing {
    const struct omb_driver_ops *ops;
    struct omb_consumer **cons; /* the driver's consumers (a copy: the worker's go at once) */
    size_t n;
    _Atomic size_t next;   /* the next consumer to take */
    _Atomic size_t closed; /* consumers whose close returned */
    _Atomic int threads;   /* closer threads still running (the last frees this) */
};

static void closing_release(struct closing *x)
{
    if (atomic_fetch_sub(&x->threads, 1) == 1) {
        free(x->cons);
        free(x);
    }
}

static void *close_some(void *arg)
{
    struct closing *x = arg;
    for (size_t i; (i = atomic_fetch_add(&x->next, 1)) < x->n;) {
        x->ops->close_consumer(x->cons[i]);
        atomic_fetch_add(&x->closed, 1);
    }
    closing_release(x);
    return NULL;
}

/* Closes every consumer's driver side; returns when all are closed or at the deadline. The
 * closers share a struct that the last one out frees: one stuck in a close outlives us. */
static void close_consumers(struct local_worker *w)
{
    if (!w->ncons) return;
    struct closing *x = calloc(1, sizeof *x);
    struct omb_consumer **cons = x ? calloc(w->ncons, sizeof *cons) : NULL;
    if (!cons) {
        free(x);
        for (size_t i = 0; i < w->ncons; i++) w->ops->close_consumer(w->cons[i]->c);
        return;
    }
    for (size_t i = 0; i < w->ncons; i++) cons[i] = w->cons[i]->c;
    x->ops = w->ops;
    x->cons = cons;
    x->n = w->ncons;
    size_t nthreads = w->ncons < CLOSE_THREADS ? w->ncons : CLOSE_THREADS;
    atomic_store(&x->threads, 1); /* ours, released below */
    for (size_t t = 0; t < nthreads; t++) {
        pthread_t th;
        atomic_fetch_add(&x->threads, 1);
        if (pthread_create(&th, NULL, close_some, x) != 0) {
            atomic_fetch_sub(&x->threads, 1);
            break;
        }
        pthread_detach(th);
    }
    if (atomic_load(&x->threads) == 1) { /* no thread at all: close them here */
        atomic_fetch_add(&x->threads, 1);
        close_some(x);
    }
    int64_t deadline = omb_now_ns() + CLOSE_DEADLINE_S * 1000000000LL;
    while (atomic_load(&x->closed) < x->n && omb_now_ns() < deadline) omb_sleep_ns(5000000);
    size_t closed = atomic_load(&x->closed);
    if (closed < x->n)
        omb_warn("%zu consumer(s) did not close within %d s; left behind", x->n - closed,
                 CLOSE_DEADLINE_S);
    /* Consumers not taken yet are never closed now: a closer that gets free skips them. */
    atomic_store(&x->next, x->n);
    closing_release(x);
}

static void free_clock_tables(struct local_worker *w)
{
    struct clock_table *t = atomic_exchange(&w->clock, NULL);
    while (t) {
        struct clock_table *next = t->retired;
        free(t);
        t = next;
    }
}

static int lw_stop_all(struct omb_worker *wk, int keep_topics, char *err, size_t errlen)
{
    struct local_worker *w = lw_of(wk);
    int rc = 0;
    if (!w->drv) return 0;
    join_senders(w);
    flush_producers(w, 5000); /* best effort: stop-all must not hang */
    for (size_t i = 0; i < w->nprods; i++) {
        w->ops->close_producer(w->prods[i]->p);
        free((void *)w->prods[i]->topic);
        free(w->prods[i]);
    }
    free(w->prods);
    w->prods = NULL;
    w->nprods = 0;
    close_consumers(w);
    for (size_t i = 0; i < w->ncons; i++) {
        omb_position_tracker_destroy(w->cons[i]->positions);
        free(w->cons[i]);
    }
    free(w->cons);
    w->cons = NULL;
    w->ncons = 0;
    free_clock_tables(w); /* no consumer reads them any more */
    free_subs_from(w, 0);
    free(w->subs);
    w->subs = NULL;
    free(w->sub_keys);
    w->sub_keys = NULL;
    omb_strmap_free(&w->sub_index);
    free_load(w);
    if (w->ntopics && !keep_topics && w->ops->delete_topics) {
        int d = omb_drv_delete_topics(w->ops, w->drv, (const char *const *)w->topics, w->ntopics,
                                      err, errlen);
        if (d < 0)
            rc = -1;
        else if (d == OMB_DRV_TOPICS_KEPT)
            omb_info("Kept %zu topic(s): they end with the %s cluster", w->ntopics, w->ops->name);
        else
            omb_info("Deleted %zu topic(s)", w->ntopics);
    }
    for (size_t i = 0; i < w->ntopics; i++) free(w->topics[i]);
    free(w->topics);
    w->topics = NULL;
    w->ntopics = 0;
    w->ops->destroy(w->drv);
    w->drv = NULL;
    /* A fresh stats object for the next run on this worker. */
    omb_stats_destroy(w->stats);
    w->stats = omb_stats_new(w->base.hist_digits);
    return rc;
}

static void lw_destroy(struct omb_worker *wk)
{
    struct local_worker *w = lw_of(wk);
    if (!w) return;
    char err[256];
    lw_stop_all(wk, 0, err, sizeof err);
    free_clock_tables(w);
    omb_stats_destroy(w->stats);
    free(w);
}

static const struct omb_worker_ops local_ops = {
    .initialize_driver = lw_initialize_driver,
    .create_topics = lw_create_topics,
    .use_existing_topics = lw_use_existing_topics,
    .create_producers = lw_create_producers,
    .create_consumers = lw_create_consumers,
    .probe_producers = lw_probe_producers,
    .start_load = lw_start_load,
    .adjust_rate = lw_adjust_rate,
    .pause_consumers = lw_pause,
    .resume_consumers = lw_resume,
    .period_stats = lw_period_stats,
    .cumulative_latencies = lw_cumulative,
    .counters = lw_counters,
    .reset_stats = lw_reset_stats,
    .stop_producers = lw_stop_producers,
    .delivery = lw_delivery,
    .stop_all = lw_stop_all,
    .destroy = lw_destroy,
};

struct omb_worker *omb_local_worker_new(const struct omb_local_worker_options *opt)
{
    struct local_worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    if (opt) w->opt = *opt;
    w->base.ops = &local_ops;
    w->base.name = "local";
    w->base.hist_digits = w->opt.hist_digits > 0 ? w->opt.hist_digits : OMB_HIST_DEFAULT_DIGITS;
    w->stats = omb_stats_new(w->base.hist_digits);
    if (!w->stats) {
        free(w);
        return NULL;
    }
    return w->base.ops ? &w->base : NULL;
}

int omb_local_worker_topic_acks(struct omb_worker *wk, char ***topics, int64_t **acked, size_t *n)
{
    struct local_worker *w = lw_of(wk);
    char **t = calloc(w->nprods ? w->nprods : 1, sizeof *t);
    int64_t *a = calloc(w->nprods ? w->nprods : 1, sizeof *a);
    size_t k = 0;
    if (!t || !a) {
        free(t);
        free(a);
        return -1;
    }
    for (size_t i = 0; i < w->nprods; i++) {
        size_t j;
        for (j = 0; j < k; j++)
            if (!strcmp(t[j], w->prods[i]->topic)) break;
        if (j == k) t[k++] = strdup(w->prods[i]->topic);
        a[j] += atomic_load(&w->prods[i]->acked);
    }
    *topics = t;
    *acked = a;
    *n = k;
    return 0;
}

void omb_local_worker_producer_ids(struct omb_worker *wk, int32_t *base, int64_t *n)
{
    struct local_worker *w = lw_of(wk);
    *base = w->nprods ? w->producer_id_base : 0;
    *n = (int64_t)w->nprods;
}

int omb_local_worker_set_clock_peers(struct omb_worker *wk, const struct omb_clock_peer *p,
                                     size_t n)
{
    struct local_worker *w = lw_of(wk);
    struct clock_table *t = malloc(sizeof *t + n * sizeof *p);
    if (!t) return -1;
    t->n = n;
    if (n) memcpy(t->peer, p, n * sizeof *p);
    /* The table it replaces may be in a consumer's hands right now: kept until stop_all. */
    t->retired = atomic_load_explicit(&w->clock, memory_order_relaxed);
    atomic_store_explicit(&w->clock, t, memory_order_release);
    return 0;
}
